//! Python bindings of safetensors reading and writing (`rgrad.save` / `rgrad.load` build
//! on these: they flatten nested state dicts into named tensors plus JSON metadata).

use super::autograd::tensor_list;
use super::tensor::PyTensor;
use crate::error::Error;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use std::collections::HashMap;

/// `_save_safetensors(path, names, tensors, metadata)`: writes one safetensors file.
#[pyfunction]
#[pyo3(signature = (path, names, tensors, metadata=None))]
fn _save_safetensors(py: Python<'_>, path: std::path::PathBuf, names: Vec<String>, tensors: &Bound<'_, PyAny>, metadata: Option<HashMap<String, String>>) -> PyResult<()> {
    let ts = tensor_list(tensors)?;
    if ts.len() != names.len() {
        return Err(Error::Value(format!("save: {} names for {} tensors", names.len(), ts.len())).into());
    }
    let named: Vec<(String, crate::Tensor)> = names.into_iter().zip(ts).collect();
    let bytes = py.detach(|| crate::serialize::to_bytes(&named, metadata))?;
    py.detach(|| std::fs::write(&path, bytes))?;
    Ok(())
}

/// `_safetensors_bytes(names, tensors, metadata)`: the bytes of a safetensors file (for
/// `rgrad.save` into a file object).
#[pyfunction]
#[pyo3(signature = (names, tensors, metadata=None))]
fn _safetensors_bytes<'py>(py: Python<'py>, names: Vec<String>, tensors: &Bound<'py, PyAny>, metadata: Option<HashMap<String, String>>) -> PyResult<Bound<'py, PyBytes>> {
    let ts = tensor_list(tensors)?;
    if ts.len() != names.len() {
        return Err(Error::Value(format!("save: {} names for {} tensors", names.len(), ts.len())).into());
    }
    let named: Vec<(String, crate::Tensor)> = names.into_iter().zip(ts).collect();
    let bytes = py.detach(|| crate::serialize::to_bytes(&named, metadata))?;
    Ok(PyBytes::new(py, &bytes))
}

/// PyTorch's own checkpoint formats, recognised so that the error can say what to do.
fn looks_like_pickle(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.first() == Some(&0x80)
}

/// `_load_safetensors(path)`: `([(name, tensor), ...], metadata dict)` from a safetensors file.
#[pyfunction]
fn _load_safetensors<'py>(py: Python<'py>, path: std::path::PathBuf) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
    let bytes = py.detach(|| std::fs::read(&path))?;
    parse(py, &bytes, &path.display().to_string())
}

/// `_load_safetensors_bytes(data)`: as `_load_safetensors`, from the bytes of a file.
#[pyfunction]
fn _load_safetensors_bytes<'py>(py: Python<'py>, data: &[u8]) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
    parse(py, data, "<file object>")
}

fn parse<'py>(py: Python<'py>, bytes: &[u8], shown: &str) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
    if looks_like_pickle(bytes) {
        return Err(Error::Runtime(format!(
            "rgrad.load: '{shown}' looks like a PyTorch pickle checkpoint (torch.save); rgrad reads safetensors files only, \
             because unpickling can run arbitrary code. Convert it where PyTorch is installed: \
             safetensors.torch.save_file(torch.load(path), 'model.safetensors')"
        ))
        .into());
    }
    let (tensors, metadata) = py
        .detach(|| crate::serialize::from_bytes(bytes))
        .map_err(|e| match e {
            Error::Type(m) => Error::Type(format!("rgrad.load: '{shown}': {m}")),
            other => Error::Runtime(format!("rgrad.load: '{shown}': {other}")),
        })?;
    let items: Vec<Bound<'py, PyTuple>> = tensors
        .into_iter()
        .map(|(n, t)| PyTuple::new(py, [n.into_pyobject(py)?.into_any(), Bound::new(py, PyTensor::new(t))?.into_any()]))
        .collect::<PyResult<_>>()?;
    let meta = PyDict::new(py);
    for (k, v) in metadata {
        meta.set_item(k, v)?;
    }
    Ok((PyList::new(py, items)?, meta))
}

/// Registers the functions of this family.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_save_safetensors, m)?)?;
    m.add_function(wrap_pyfunction!(_load_safetensors, m)?)?;
    m.add_function(wrap_pyfunction!(_safetensors_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(_load_safetensors_bytes, m)?)?;
    Ok(())
}
