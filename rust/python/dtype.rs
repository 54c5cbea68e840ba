//! `rgrad.dtype` and `rgrad.device` objects.

use crate::device::Device;
use crate::dtype::DType;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyString;

/// An element type: `rgrad.float32`, `rgrad.int64`, ...
///
/// >>> rgrad.float32.is_floating_point, rgrad.float32.itemsize
/// (True, 4)
/// >>> rgrad.tensor([1, 2]).dtype == rgrad.int64
/// True
/// >>> rgrad.zeros(2, dtype=rgrad.float64)
/// tensor([0., 0.], dtype=rgrad.float64)
#[pyclass(name = "dtype", module = "rgrad", frozen, eq, hash, from_py_object)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDType {
    pub dtype: DType,
}

#[pymethods]
impl PyDType {
    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.dtype.size()
    }
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.dtype.is_float()
    }
    #[getter]
    fn is_signed(&self) -> bool {
        self.dtype != DType::Bool
    }
    #[getter]
    fn is_complex(&self) -> bool {
        false
    }
    fn __repr__(&self) -> String {
        format!("rgrad.{}", self.dtype.name())
    }
    fn __str__(&self) -> String {
        self.__repr__()
    }
    fn __reduce__(&self) -> (String,) {
        (self.dtype.name().to_string(),)
    }
}

static DTYPES: PyOnceLock<[Py<PyDType>; 5]> = PyOnceLock::new();

/// The singleton Python object for a dtype (so `t.dtype is rgrad.float32`).
pub fn dtype_obj(py: Python<'_>, d: DType) -> Py<PyDType> {
    let all = DTYPES.get_or_init(py, || DType::ALL.map(|d| Py::new(py, PyDType { dtype: d }).unwrap()));
    let i = DType::ALL.iter().position(|&x| x == d).unwrap();
    all[i].clone_ref(py)
}

/// A device: `rgrad.device("cpu")`.
///
/// >>> d = rgrad.device("cpu")
/// >>> d, d.type
/// (device(type='cpu'), 'cpu')
/// >>> rgrad.zeros(2, device=d).device == d
/// True
#[pyclass(name = "device", module = "rgrad", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct PyDevice {
    pub device: Device,
}

#[pymethods]
impl PyDevice {
    #[new]
    #[pyo3(signature = (spec, index=None))]
    fn new(spec: &Bound<'_, PyAny>, index: Option<i64>) -> PyResult<PyDevice> {
        if let Ok(d) = spec.extract::<PyDevice>() {
            return Ok(d);
        }
        let s: String = spec.extract()?;
        let s = match index {
            Some(i) => format!("{s}:{i}"),
            None => s,
        };
        Ok(PyDevice { device: Device::parse(&s)? })
    }
    #[getter]
    fn r#type(&self) -> &'static str {
        self.device.kind()
    }
    #[getter]
    fn index(&self) -> Option<usize> {
        self.device.index()
    }
    fn __repr__(&self) -> String {
        match self.device.index() {
            Some(i) => format!("device(type='{}', index={i})", self.device.kind()),
            None => format!("device(type='{}')", self.device.kind()),
        }
    }
    fn __str__(&self) -> String {
        self.device.to_string()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        if let Ok(d) = other.extract::<PyDevice>() {
            return d.device == self.device;
        }
        if let Ok(s) = other.cast::<PyString>() {
            return Device::parse(&s.to_string_lossy()).map(|d| d == self.device).unwrap_or(false);
        }
        false
    }
    fn __hash__(&self) -> u64 {
        7
    }
}
