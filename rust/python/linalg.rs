//! Python bindings for the SVD family: `linalg.svd`, `linalg.svdvals`, `svd`,
//! `linalg.matrix_norm` and the string `p=` forms of `norm`.

use super::convert::parse_dtype;
use super::object::Wrap;
use super::tensor::{maybe_detach, parse_dims, PyT, PyTensor};
use crate::error::{Error, Result};
use crate::ops::linalg::MatrixOrd;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

/// Maps errors to PyTorch's classes: convergence failures become `rgrad.linalg.LinAlgError`
/// (a RuntimeError subclass).
fn py_err(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Runtime(m) if m.contains("The algorithm failed to converge") => {
            match py.import("rgrad.linalg").and_then(|l| l.getattr("LinAlgError")) {
                Ok(cls) => PyErr::from_type(cls.cast_into().unwrap_or_else(|_| py.get_type::<PyRuntimeError>()), m),
                Err(_) => PyRuntimeError::new_err(m),
            }
        }
        e => e.into(),
    }
}

fn okl(py: Python<'_>, r: Result<Tensor>) -> PyT {
    r.map(Wrap).map_err(|e| py_err(py, e))
}

/// Rough flop count of an SVD of `a`, to decide whether to release the GIL.
fn work(a: &Tensor) -> usize {
    let r = a.rank();
    if r < 2 {
        return 0;
    }
    let k = a.shape()[r - 2].min(a.shape()[r - 1]);
    a.numel().saturating_mul(k.max(1))
}

/// A named tuple `rgrad.return_types.<name>` (a plain tuple if that module is missing).
fn named3(py: Python<'_>, name: &str, a: Tensor, b: Tensor, c: Tensor) -> PyResult<Py<PyAny>> {
    let items = [PyTensor::new(a).into_py_any(py)?, PyTensor::new(b).into_py_any(py)?, PyTensor::new(c).into_py_any(py)?];
    if let Ok(cls) = py.import("rgrad.return_types").and_then(|m| m.getattr(name)) {
        return Ok(cls.call1((items[0].clone_ref(py), items[1].clone_ref(py), items[2].clone_ref(py)))?.unbind());
    }
    PyTuple::new(py, items)?.into_py_any(py)
}

/// `ord=` of matrix_norm: `'fro'`, `'nuc'` or a number; other strings give PyTorch's message.
fn parse_ord(ord: &Bound<'_, PyAny>) -> PyResult<MatrixOrd> {
    if let Ok(s) = ord.cast::<PyString>() {
        return match &*s.to_string_lossy() {
            "fro" => Ok(MatrixOrd::Fro),
            "nuc" => Ok(MatrixOrd::Nuc),
            other => Err(PyRuntimeError::new_err(format!("linalg.matrix_norm: Order {other} not supported."))),
        };
    }
    if ord.is_instance_of::<PyFloat>() || ord.is_instance_of::<PyInt>() || ord.is_instance_of::<PyBool>() {
        return Ok(MatrixOrd::Num(ord.extract::<f64>()?));
    }
    Err(PyTypeError::new_err(format!(
        "linalg_matrix_norm(): argument 'ord' must be Number or str, not {}",
        ord.get_type().name()?
    )))
}

/// `linalg.matrix_norm` on already-parsed arguments (`dim=None`: every dim, as `norm(p='nuc')`).
pub(crate) fn matrix_norm_py(py: Python<'_>, a: &Tensor, ord: MatrixOrd, dim: Option<Vec<isize>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
    let dt = parse_dtype(dtype)?;
    let dims = dim.unwrap_or_else(|| (0..a.rank() as isize).collect());
    okl(py, maybe_detach(py, work(a), || a.matrix_norm(ord, &dims, keepdim, dt)))
}

/// Whether `norm(p, dim)` is a matrix norm, as PyTorch decides: a string `p` other than
/// `'fro'`, or `'fro'` over more than two dims (which then fails as PyTorch's does).
pub(crate) fn is_matrix_norm_p(p: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>) -> bool {
    let Ok(s) = p.cast::<PyString>() else { return false };
    s.to_string_lossy() != "fro" || dim.is_some_and(|d| !d.is_none() && !d.is_instance_of::<PyInt>() && d.len().is_ok_and(|n| n > 2))
}

/// `Tensor.norm` / `rgrad.norm` with a string `p` other than `'fro'` (`'nuc'`): the matrix
/// norm over `dim` (all dims when None), as PyTorch.
pub(crate) fn norm_str_p(py: Python<'_>, a: &Tensor, p: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
    let ord = parse_ord(p)?;
    let dims = parse_dims(dim)?;
    matrix_norm_py(py, a, ord, dims, keepdim, dtype)
}

/// `rgrad.linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (a, ord, dim, keepdim=false, *, dtype=None))]
fn _matrix_norm(py: Python<'_>, a: PyRef<'_, PyTensor>, ord: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
    let ord = parse_ord(ord)?;
    let dims = parse_dims(Some(dim))?;
    matrix_norm_py(py, &a.inner, ord, dims, keepdim, dtype)
}

/// `rgrad.linalg.svd(A, full_matrices=True)` -> the named tuple `(U, S, Vh)`.
#[pyfunction]
#[pyo3(signature = (a, full_matrices=true))]
fn _linalg_svd(py: Python<'_>, a: PyRef<'_, PyTensor>, full_matrices: bool) -> PyResult<Py<PyAny>> {
    let a = &a.inner;
    let (u, s, vh) = maybe_detach(py, work(a), || a.linalg_svd(full_matrices)).map_err(|e| py_err(py, e))?;
    named3(py, "linalg_svd", u, s, vh)
}

/// `rgrad.linalg.svdvals(A)`: singular values, descending.
#[pyfunction]
fn _linalg_svdvals(py: Python<'_>, a: PyRef<'_, PyTensor>) -> PyT {
    let a = &a.inner;
    okl(py, maybe_detach(py, work(a), || a.linalg_svdvals()))
}

#[pymethods]
impl PyTensor {
    /// `svd(some=True, compute_uv=True)` -> `(U, S, V)` (legacy `torch.svd`: V, not Vh;
    /// `some=False` gives square U and V; with `compute_uv=False`, U and V are zeros).
    #[pyo3(signature = (some=true, compute_uv=true))]
    fn svd(&self, py: Python<'_>, some: bool, compute_uv: bool) -> PyResult<Py<PyAny>> {
        let a = &self.inner;
        if a.rank() < 2 {
            return Err(PyRuntimeError::new_err(format!("linalg.svd: input should have at least 2 dimensions, but has {} dimensions instead", a.rank())));
        }
        let r = maybe_detach(py, work(a), || -> Result<(Tensor, Tensor, Tensor)> {
            if compute_uv {
                let (u, s, vh) = a.linalg_svd(!some)?;
                Ok((u, s, vh.mt()?))
            } else {
                let s = a.linalg_svdvals()?;
                let (m, n) = (a.shape()[a.rank() - 2], a.shape()[a.rank() - 1]);
                let batch = &a.shape()[..a.rank() - 2];
                let sq = |k: usize| -> Result<Tensor> {
                    let mut sh = batch.to_vec();
                    sh.extend([k, k]);
                    Tensor::zeros(&sh, a.dtype(), a.device())
                };
                Ok((sq(m)?, s, sq(n)?))
            }
        });
        let (u, s, v) = r.map_err(|e| py_err(py, e))?;
        named3(py, "svd", u, s, v)
    }
}

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_matrix_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svd, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svdvals, m)?)?;
    Ok(())
}
