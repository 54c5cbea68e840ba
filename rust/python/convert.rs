//! Python values -> rgrad values: shapes, dtypes, devices, scalars, nested lists.

use super::dtype::{PyDType, PyDevice};
use super::pytensor::PyTensor;
use crate::device::Device;
use crate::dtype::{default_float, DType, Scalar};
use crate::error::Error;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};

/// `dtype=` argument: an rgrad dtype, or Python's `float`/`int`/`bool` types.
pub fn parse_dtype(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(Some(d.get().dtype));
    }
    let py = obj.py();
    if obj.is(py.get_type::<PyFloat>()) {
        return Ok(Some(DType::F64));
    }
    if obj.is(py.get_type::<PyInt>()) {
        return Ok(Some(DType::I64));
    }
    if obj.is(py.get_type::<PyBool>()) {
        return Ok(Some(DType::Bool));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_string_lossy();
        let name = s.trim_start_matches("rgrad.").trim_start_matches("torch.");
        return Ok(Some(DType::from_name(name)?));
    }
    Err(PyTypeError::new_err(format!(
        "dtype must be an rgrad.dtype (e.g. rgrad.float32), got {}",
        obj.get_type().name()?
    )))
}

/// `device=` argument: None (the CPU), a string ("cpu", "gpu:0"), or an `rgrad.device`.
pub fn parse_device(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Device> {
    Ok(parse_device_opt(obj)?.unwrap_or_else(default_device))
}

/// The device creators use when `device=` is not given (`rgrad.set_default_device`); the CPU
/// unless set.
static DEFAULT_DEVICE: parking_lot::Mutex<Device> = parking_lot::Mutex::new(Device::Cpu);

/// See [`DEFAULT_DEVICE`].
pub fn default_device() -> Device {
    *DEFAULT_DEVICE.lock()
}

/// Sets the device creators use by default (`None`: the CPU); it must be available.
#[pyfunction]
#[pyo3(signature = (device=None))]
pub fn _set_default_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let d = parse_device_opt(device)?.unwrap_or(Device::Cpu);
    d.check_available()?;
    *DEFAULT_DEVICE.lock() = d;
    Ok(())
}

/// `device=` argument where None means "the input's device" (`*_like`, `as_tensor`).
pub fn parse_device_opt(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Device>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(d) = obj.cast::<PyDevice>() {
        return Ok(Some(d.get().device));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Some(Device::parse(&s.to_string_lossy())?));
    }
    if let Ok(i) = obj.extract::<i64>() {
        // an integer names a GPU, as in PyTorch (`device=0`)
        let device = Device::Gpu(usize::try_from(i).map_err(|_| Error::Runtime(format!("Device index must not be negative, got {i}")))?);
        device.check_available()?;
        return Ok(Some(device));
    }
    Err(PyTypeError::new_err(format!("device must be a string or rgrad.device, got {}", obj.get_type().name()?)))
}

/// One integer argument (Python int, or anything with `__index__`, not bool-ambiguous floats).
pub fn index_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<isize> {
    if obj.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!("{what} must be an integer, not float")));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().inner;
        if t.numel() == 1 && !t.dtype().is_float() {
            return Ok(t.item()?.to_i64() as isize);
        }
        return Err(PyTypeError::new_err(format!("{what} must be an integer, got a tensor of shape {:?}", t.shape())));
    }
    match obj.call_method0("__index__") {
        Ok(v) => Ok(v.extract::<isize>()?),
        Err(_) => Err(PyTypeError::new_err(format!("{what} must be an integer, not {}", obj.get_type().name()?))),
    }
}

/// Sizes given either as varargs (`zeros(2, 3)`) or one sequence (`zeros((2, 3))`).
pub fn parse_sizes(args: &Bound<'_, PyTuple>) -> PyResult<Vec<isize>> {
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if !a.is_instance_of::<PyInt>() && !a.is_instance_of::<PyTensor>() {
            if let Ok(seq) = a.cast::<PySequence>() {
                if a.is_instance_of::<PyString>() {
                    return Err(PyTypeError::new_err("sizes must be integers, not str"));
                }
                let mut out = Vec::with_capacity(seq.len()?);
                for item in seq.try_iter()? {
                    out.push(index_arg(&item?, "size")?);
                }
                return Ok(out);
            }
        }
    }
    let mut out = Vec::with_capacity(args.len());
    for a in args.iter() {
        out.push(index_arg(&a, "size")?);
    }
    Ok(out)
}

/// A Python number (or NumPy scalar) as a Scalar; None for anything else.
pub fn scalar_of(obj: &Bound<'_, PyAny>) -> Option<Scalar> {
    if let Ok(b) = obj.cast::<PyBool>() {
        return Some(Scalar::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().ok().map(Scalar::Int);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Some(Scalar::Float(f.value()));
    }
    // NumPy scalars
    let tname = obj.get_type().name().ok()?;
    let tname = tname.to_string_lossy();
    if tname.starts_with("float") {
        return obj.extract::<f64>().ok().map(Scalar::Float);
    }
    if tname.starts_with("int") || tname.starts_with("uint") {
        return obj.call_method0("__index__").ok()?.extract::<i64>().ok().map(Scalar::Int);
    }
    if tname == "bool" || tname == "bool_" {
        return obj.is_truthy().ok().map(Scalar::Bool);
    }
    None
}

/// An operand of a binary op: a tensor, or a Python number as a wrapped scalar.
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Option<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(t.get().inner.clone()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if !obj.is_instance_of::<PyBool>() {
            let v: i64 = i.extract().map_err(|_| {
                PyErr::from(Error::Runtime(format!("value cannot be converted to type int64 without overflow: {i}")))
            })?;
            return Ok(Some(Tensor::wrapped_scalar(Scalar::Int(v))));
        }
    }
    Ok(scalar_of(obj).map(Tensor::wrapped_scalar))
}

/// Like `operand` but raising TypeError naming the argument.
pub fn operand_required(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    operand(obj)?.ok_or_else(|| {
        let tn = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("{what} must be a Tensor or a number, not {tn}"))
    })
}

/// A required tensor argument.
pub fn tensor_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    match obj.cast::<PyTensor>() {
        Ok(t) => Ok(t.get().inner.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be Tensor, not {}",
            obj.get_type().name()?
        ))),
    }
}

// ---------- nested data -> tensor ----------

#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Kind {
    Bool,
    Int,
    Float,
}

fn is_list_or_tuple(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()
}

/// A tensor or NumPy array found inside nested data.
fn nested_tensor(obj: &Bound<'_, PyAny>) -> PyResult<Option<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(t.get().inner.clone()));
    }
    if scalar_of(obj).is_none() && obj.hasattr("__array_interface__")? {
        return Ok(Some(super::numpy::tensor_from_array(obj, true)?));
    }
    Ok(None)
}

/// The shape nested data claims, read off the first element at each depth.
fn probe_shape(obj: &Bound<'_, PyAny>) -> PyResult<(Vec<usize>, usize)> {
    let mut shape = Vec::new();
    let mut cur = obj.clone();
    loop {
        if is_list_or_tuple(&cur) {
            let seq = cur.cast::<PySequence>()?;
            let n = seq.len()?;
            shape.push(n);
            if n == 0 {
                return Ok((shape.clone(), shape.len()));
            }
            cur = seq.get_item(0)?;
            continue;
        }
        let seq_depth = shape.len();
        if let Some(t) = nested_tensor(&cur)? {
            shape.extend_from_slice(t.shape());
        }
        return Ok((shape, seq_depth));
    }
}

fn walk(obj: &Bound<'_, PyAny>, depth: usize, shape: &[usize], seq_depth: usize, vals: &mut Vec<Scalar>, kind: &mut Option<Kind>) -> PyResult<()> {
    let mut note = |k: Kind| *kind = Some(kind.map_or(k, |x| if k > x { k } else { x }));
    if depth < seq_depth {
        if !is_list_or_tuple(obj) {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {} (got {})",
                shape[depth],
                depth,
                obj.get_type().name()?
            )));
        }
        let seq = obj.cast::<PySequence>()?;
        let n = seq.len()?;
        if n != shape[depth] {
            return Err(PyValueError::new_err(format!(
                "expected sequence of length {} at dim {} (got {})",
                shape[depth], depth, n
            )));
        }
        for item in seq.try_iter()? {
            walk(&item?, depth + 1, shape, seq_depth, vals, kind)?;
        }
        return Ok(());
    }
    if is_list_or_tuple(obj) {
        return Err(PyValueError::new_err(format!(
            "too many dimensions: expected a number at dim {depth}, got a sequence (ragged nested sequence)"
        )));
    }
    if let Some(s) = scalar_of(obj) {
        if shape.len() != depth {
            return Err(PyValueError::new_err(format!(
                "expected a tensor of shape {:?} at dim {depth}, got a number",
                &shape[depth..]
            )));
        }
        note(match s {
            Scalar::Bool(_) => Kind::Bool,
            Scalar::Int(_) => Kind::Int,
            Scalar::Float(_) => Kind::Float,
        });
        vals.push(s);
        return Ok(());
    }
    if let Some(t) = nested_tensor(obj)? {
        if t.shape() != &shape[depth..] {
            return Err(PyValueError::new_err(format!(
                "expected sequence of shape {:?} at dim {} (got a tensor of shape {:?})",
                &shape[depth..],
                depth,
                t.shape()
            )));
        }
        match t.dtype() {
            DType::Bool => {
                note(Kind::Bool);
                vals.extend(t.to_vec::<bool>()?.into_iter().map(Scalar::Bool))
            }
            d if d.is_float() => {
                note(Kind::Float);
                vals.extend(t.to_vec::<f64>()?.into_iter().map(Scalar::Float))
            }
            _ => {
                note(Kind::Int);
                vals.extend(t.to_vec::<i64>()?.into_iter().map(Scalar::Int))
            }
        }
        return Ok(());
    }
    if obj.is_instance_of::<PyInt>() {
        return Err(Error::Runtime(format!("Overflow when unpacking long: {obj} does not fit in int64")).into());
    }
    Err(PyTypeError::new_err(format!("new(): invalid data type '{}'", obj.get_type().name()?)))
}

/// `rgrad.tensor(data)`: nested lists/tuples/scalars/arrays/tensors, dtype inferred like PyTorch.
pub fn tensor_from_data(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().inner;
        let c = crate::autograd::no_grad(|| t.clone_t())?;
        return Ok(match dtype {
            Some(d) => crate::autograd::no_grad(|| c.to_dtype(d))?,
            None => c,
        });
    }
    if !obj.is_instance_of::<PyList>() && !obj.is_instance_of::<PyTuple>() && scalar_of(obj).is_none() && obj.hasattr("__array_interface__")? {
        let t = super::numpy::tensor_from_array(obj, true)?;
        return Ok(match dtype {
            Some(d) if d != t.dtype() => t.cast_raw(d)?,
            _ => t,
        });
    }
    let (shape, seq_depth) = probe_shape(obj)?;
    let mut vals = Vec::with_capacity(shape.iter().product());
    let mut kind = None;
    walk(obj, 0, &shape, seq_depth, &mut vals, &mut kind)?;
    let n: usize = shape.iter().product();
    if n != vals.len() {
        return Err(PyValueError::new_err("ragged nested sequence"));
    }
    let inferred = match kind {
        None => default_float(),
        Some(Kind::Bool) => DType::Bool,
        Some(Kind::Int) => DType::I64,
        Some(Kind::Float) => default_float(),
    };
    let dtype = dtype.unwrap_or(inferred);
    crate::dispatch_dtype!(dtype, T => {
        let typed: Vec<T> = vals.iter().map(|v| crate::dtype::scalar_as::<T>(*v)).collect();
        Ok(Tensor::from_slice(&typed, &shape)?)
    })
}

/// A Scalar as a Python object.
pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

/// `tolist()`: nested Python lists (a number for 0-d).
pub fn to_nested_list(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    fn build<T: Copy>(py: Python<'_>, shape: &[usize], data: &[T], conv: &dyn Fn(Python<'_>, T) -> PyResult<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        if shape.is_empty() {
            return conv(py, data[0]);
        }
        let step: usize = shape[1..].iter().product();
        let mut items = Vec::with_capacity(shape[0]);
        for i in 0..shape[0] {
            items.push(build(py, &shape[1..], &data[i * step..(i + 1) * step], conv)?);
        }
        Ok(PyList::new(py, items)?.into_any().unbind())
    }
    let shape = t.shape().to_vec();
    match t.dtype() {
        DType::Bool => build(py, &shape, &t.to_vec::<bool>()?, &|py, v| scalar_to_py(py, Scalar::Bool(v))),
        DType::I32 | DType::I64 => build(py, &shape, &t.to_vec::<i64>()?, &|py, v| scalar_to_py(py, Scalar::Int(v))),
        DType::F32 | DType::F64 => build(py, &shape, &t.to_vec::<f64>()?, &|py, v| scalar_to_py(py, Scalar::Float(v))),
    }
}

/// Parses an optional `dim` argument: None, an int, or a tuple/list of ints.
pub fn parse_dims(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<isize>>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(Some(t.iter().map(|d| index_arg(&d, "dim")).collect::<PyResult<_>>()?));
    }
    if let Ok(l) = obj.cast::<pyo3::types::PyList>() {
        return Ok(Some(l.iter().map(|d| index_arg(&d, "dim")).collect::<PyResult<_>>()?));
    }
    Ok(Some(vec![index_arg(obj, "dim")?]))
}

static SIZE_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `rgrad.Size` (a tuple subclass defined in Python) built from a shape.
pub(crate) fn make_size<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let tup = PyTuple::new(py, shape)?;
    match SIZE_CLASS.get(py) {
        Some(cls) => cls.bind(py).call1((tup,)),
        None => Ok(tup.into_any()),
    }
}

/// Registers `rgrad.Size` (called once by `rgrad/__init__.py`).
#[pyfunction]
pub(crate) fn _set_size_class(py: Python<'_>, cls: Py<PyAny>) {
    let _ = SIZE_CLASS.set(py, cls);
}
