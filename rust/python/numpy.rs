//! NumPy interop through the array interface protocol, no NumPy C API needed:
//! `from_numpy` wraps the array's buffer (the storage keeps the array alive),
//! and `Tensor.__array_interface__` lets `np.asarray(t)` wrap ours (NumPy keeps
//! the tensor alive as the array's base). Strided views cross without copies.

use crate::dtype::DType;
use crate::layout::Layout;
use crate::shape::Strides;
use crate::storage::Storage;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::sync::Arc;

/// Wraps (copy = false) or copies (copy = true) an object exposing `__array_interface__`.
pub fn tensor_from_array(obj: &Bound<'_, PyAny>, copy: bool) -> PyResult<Tensor> {
    let iface = obj.getattr("__array_interface__")?;
    let iface = iface.cast::<PyDict>()?;
    let typestr: String = iface.get_item("typestr")?.ok_or_else(|| PyTypeError::new_err("bad array interface"))?.extract()?;
    let dtype = match DType::from_numpy_typestr(&typestr) {
        Some(d) => d,
        None => {
            return Err(PyTypeError::new_err(format!(
                "can't convert np.ndarray of type {} (typestr '{}'). The only supported types are: float64, float32, int64, int32, and bool.",
                obj.getattr("dtype").map(|d| d.to_string()).unwrap_or_default(),
                typestr
            )))
        }
    };
    let shape: Vec<usize> = iface.get_item("shape")?.unwrap().extract()?;
    let (addr, readonly): (usize, bool) = iface.get_item("data")?.ok_or_else(|| PyTypeError::new_err("array has no data pointer"))?.extract()?;
    let esz = dtype.size() as isize;
    let byte_strides: Option<Vec<isize>> = match iface.get_item("strides")? {
        Some(s) if !s.is_none() => Some(s.extract()?),
        _ => None,
    };
    let strides: Strides = match &byte_strides {
        None => crate::shape::contiguous_strides(&shape),
        Some(bs) => {
            if bs.iter().any(|s| s % esz != 0) {
                // unaligned strides: let NumPy make a contiguous copy first
                let np = obj.py().import("numpy")?;
                let c = np.call_method1("ascontiguousarray", (obj,))?;
                return tensor_from_array(&c, copy);
            }
            bs.iter().map(|s| s / esz).collect()
        }
    };
    let layout0 = Layout { shape: shape.as_slice().into(), strides, offset: 0 };
    let (lo, hi) = layout0.storage_span();
    // storage starts at the lowest address the view touches
    let base = (addr as isize + lo * esz) as *mut u8;
    let nbytes = ((hi - lo) * esz) as usize;
    let layout = Layout { offset: (-lo) as usize, ..layout0 };
    let owner: Py<PyAny> = obj.clone().unbind();
    // SAFETY: the array interface promises that `data` addresses the object's elements at `shape` /
    // `strides` for as long as the object lives; `base..base + nbytes` is exactly the span the view
    // touches (`storage_span`), and the storage holds a reference to the object (`owner`) until it
    // is dropped; a read-only array gives a storage that refuses writes
    let storage = unsafe { Storage::from_external(base, nbytes, Box::new(owner), !readonly) };
    let t = Tensor::from_parts(Arc::new(storage), layout, dtype);
    if copy {
        Ok(t.contiguous_raw()?)
    } else {
        Ok(t)
    }
}

/// `rgrad.from_numpy(a)`: shares memory with `a`.
pub fn from_numpy(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let np = obj.py().import("numpy")?;
    if !obj.is_instance(&np.getattr("ndarray")?)? {
        return Err(PyTypeError::new_err(format!("expected np.ndarray (got {})", obj.get_type().name()?)));
    }
    tensor_from_array(obj, false)
}

/// The `__array_interface__` dict for a CPU tensor (element 0, byte strides).
pub fn array_interface<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let esz = t.dtype().size() as isize;
    let shape = PyTuple::new(py, t.shape())?;
    let strides = PyTuple::new(py, t.strides().iter().map(|s| s * esz))?;
    let mut ptr = t.host_ptr().map_or(0, |p| p as usize);
    if ptr == 0 {
        ptr = esz as usize; // NumPy rejects a null pointer even for empty arrays
    }
    d.set_item("shape", shape)?;
    d.set_item("strides", strides)?;
    d.set_item("typestr", t.dtype().numpy_typestr())?;
    d.set_item("data", (ptr, !t.storage().writeable()))?;
    d.set_item("version", 3)?;
    Ok(d)
}

pub fn check_numpy_allowed(t: &Tensor, force: bool) -> PyResult<()> {
    if t.device() != crate::device::Device::Cpu {
        // a NumPy array shares host memory; PyTorch's TypeError for device tensors
        return Err(PyTypeError::new_err(format!(
            "can't convert {} device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.",
            t.device()
        )));
    }
    if !force && t.requires_grad() {
        return Err(crate::error::Error::Runtime(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.".into(),
        )
        .into());
    }
    let _ = PyValueError::new_err("");
    Ok(())
}
