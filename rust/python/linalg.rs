//! Python bindings for `rgrad.linalg` (module functions `_linalg_*`, wrapped with PyTorch's
//! signatures in `python/rgrad/_linalg.py`), the Tensor methods PyTorch has for them
//! (`det`, `inverse`, `cholesky`, `qr`, ...), and `rgrad.linalg.LinAlgError`.

use super::convert::{parse_dtype, tensor_arg};
use super::object::Wrap;
use super::tensor::{maybe_detach, parse_dims, PyT, PyTensor};
use crate::error::Result;
use crate::ops::linalg::lstsq::LstsqDriver;
use crate::ops::linalg::qr_eigh::QrMode;
use crate::ops::linalg::MatrixOrd;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

pyo3::create_exception!(
    rgrad.linalg,
    LinAlgError,
    PyRuntimeError,
    concat!(
        "Raised by `rgrad.linalg` functions that cannot compute a result: a singular matrix, one that is not positive definite, no convergence (as `torch.linalg.LinAlgError`, a RuntimeError subclass).\n",
        "\n",
        ">>> try:\n",
        "...     rgrad.linalg.inv(rgrad.zeros(2, 2))\n",
        "... except rgrad.linalg.LinAlgError as e:\n",
        "...     print(isinstance(e, RuntimeError), e)\n",
        "True linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because the input matrix is singular.",
    )
);

fn ok(r: Result<Tensor>) -> PyT {
    Ok(Wrap(r?))
}

/// Rough flop count of a factorization of `a`, to decide whether to release the GIL.
fn work(a: &Tensor) -> usize {
    let r = a.rank();
    if r < 2 {
        return 0;
    }
    let k = a.shape()[r - 2].max(a.shape()[r - 1]);
    a.numel().saturating_mul(k.max(1))
}

/// A named tuple `rgrad.return_types.<name>` (a plain tuple if that class is missing).
fn named(py: Python<'_>, name: &str, items: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let items: Vec<Py<PyAny>> = items.into_iter().map(|t| PyTensor::new(t).into_py_any(py)).collect::<PyResult<_>>()?;
    let tuple = PyTuple::new(py, items)?;
    if let Ok(cls) = py.import("rgrad.return_types").and_then(|m| m.getattr(name)) {
        return Ok(cls.call1(tuple)?.unbind());
    }
    tuple.into_py_any(py)
}

/// A tensor argument, with PyTorch's message naming the function and position.
fn targ(obj: &Bound<'_, PyAny>, func: &str, name: &str, pos: usize) -> PyResult<Tensor> {
    tensor_arg(obj, &format!("{func}(): argument '{name}' (position {pos})"))
}

/// An optional tolerance (`atol=` / `rtol=`): a number or a tensor, as a float64 tensor.
fn tol_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Tensor>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            if let Ok(t) = o.cast::<PyTensor>() {
                return Ok(Some(t.get().inner.clone()));
            }
            let v: f64 = o.extract().map_err(|_| PyTypeError::new_err(format!("tolerances must be float or Tensor, not {}", o.get_type().name().map(|n| n.to_string()).unwrap_or_default())))?;
            Ok(Some(Tensor::scalar(v.into(), crate::dtype::DType::F64)?))
        }
    }
}

/// `ord=` of matrix_norm / cond: `'fro'`, `'nuc'` or a number; other strings give PyTorch's
/// message (`what` names the function in it).
fn parse_ord(ord: &Bound<'_, PyAny>, func: &str) -> PyResult<MatrixOrd> {
    if let Ok(s) = ord.cast::<PyString>() {
        return match &*s.to_string_lossy() {
            "fro" => Ok(MatrixOrd::Fro),
            "nuc" => Ok(MatrixOrd::Nuc),
            other if func == "linalg.cond" => Err(PyRuntimeError::new_err(format!("linalg.cond got an invalid norm type: {other}"))),
            other => Err(PyRuntimeError::new_err(format!("{func}: Order {other} not supported."))),
        };
    }
    if ord.is_instance_of::<PyFloat>() || ord.is_instance_of::<PyInt>() || ord.is_instance_of::<PyBool>() {
        return Ok(MatrixOrd::Num(ord.extract::<f64>()?));
    }
    Err(PyTypeError::new_err(format!(
        "{}(): argument 'ord' must be Number or str, not {}",
        func.replace('.', "_"),
        ord.get_type().name()?
    )))
}

// ---------- norms (matrix_norm and the string forms of norm) ----------

/// `linalg.matrix_norm` on already-parsed arguments (`dim=None`: every dim, as `norm(p='nuc')`).
pub(crate) fn matrix_norm_py(py: Python<'_>, a: &Tensor, ord: MatrixOrd, dim: Option<Vec<isize>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
    let dt = parse_dtype(dtype)?;
    let dims = dim.unwrap_or_else(|| (0..a.rank() as isize).collect());
    ok(maybe_detach(py, work(a), || a.matrix_norm(ord, &dims, keepdim, dt)))
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
    let ord = parse_ord(p, "linalg.matrix_norm")?;
    let dims = parse_dims(dim)?;
    matrix_norm_py(py, a, ord, dims, keepdim, dtype)
}

/// `rgrad.linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (a, ord, dim, keepdim=false, *, dtype=None))]
fn _matrix_norm(py: Python<'_>, a: PyRef<'_, PyTensor>, ord: &Bound<'_, PyAny>, dim: &Bound<'_, PyAny>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
    let ord = parse_ord(ord, "linalg.matrix_norm")?;
    let dims = parse_dims(Some(dim))?;
    matrix_norm_py(py, &a.inner, ord, dims, keepdim, dtype)
}

/// `linalg.cond(A, p=None)`.
#[pyfunction]
#[pyo3(signature = (a, p=None))]
fn _linalg_cond(py: Python<'_>, a: &Bound<'_, PyAny>, p: Option<&Bound<'_, PyAny>>) -> PyT {
    let a = targ(a, "linalg_cond", "A", 1)?;
    let p = match p {
        Some(p) if !p.is_none() => Some(parse_ord(p, "linalg.cond")?),
        _ => None,
    };
    ok(maybe_detach(py, work(&a), || a.linalg_cond(p)))
}

/// `linalg.vecdot(x, y, *, dim=-1)`.
#[pyfunction]
#[pyo3(signature = (x, y, dim=-1))]
fn _linalg_vecdot(x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>, dim: isize) -> PyT {
    let (x, y) = (targ(x, "linalg_vecdot", "x", 1)?, targ(y, "linalg_vecdot", "y", 2)?);
    ok(x.linalg_vecdot(&y, dim))
}

// ---------- SVD ----------

/// `rgrad.linalg.svd(A, full_matrices=True)` -> the named tuple `(U, S, Vh)`.
#[pyfunction]
#[pyo3(signature = (a, full_matrices=true))]
fn _linalg_svd(py: Python<'_>, a: &Bound<'_, PyAny>, full_matrices: bool) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_svd", "A", 1)?;
    let (u, s, vh) = maybe_detach(py, work(&a), || a.linalg_svd(full_matrices))?;
    named(py, "linalg_svd", vec![u, s, vh])
}

/// `rgrad.linalg.svdvals(A)`: singular values, descending.
#[pyfunction]
fn _linalg_svdvals(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyT {
    let a = targ(a, "linalg_svdvals", "A", 1)?;
    ok(maybe_detach(py, work(&a), || a.linalg_svdvals()))
}

// ---------- solvers ----------

/// `linalg.solve(A, B, *, left=True)`.
#[pyfunction]
fn _linalg_solve(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, left: bool) -> PyT {
    let (a, b) = (targ(a, "linalg_solve", "A", 1)?, targ(b, "linalg_solve", "B", 2)?);
    ok(maybe_detach(py, work(&a), || a.linalg_solve(&b, left)))
}

/// `linalg.solve_ex(A, B, *, left=True, check_errors=False)` -> `(result, info)`.
#[pyfunction]
fn _linalg_solve_ex(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, left: bool, check_errors: bool) -> PyResult<Py<PyAny>> {
    let (a, b) = (targ(a, "linalg_solve_ex", "A", 1)?, targ(b, "linalg_solve_ex", "B", 2)?);
    let (x, info) = maybe_detach(py, work(&a), || a.linalg_solve_ex(&b, left, check_errors))?;
    named(py, "linalg_solve_ex", vec![x, info])
}

/// `linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False)`.
#[pyfunction]
fn _linalg_solve_triangular(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, upper: bool, left: bool, unitriangular: bool) -> PyT {
    let (a, b) = (targ(a, "linalg_solve_triangular", "A", 1)?, targ(b, "linalg_solve_triangular", "B", 2)?);
    ok(maybe_detach(py, work(&b), || a.linalg_solve_triangular(&b, upper, left, unitriangular)))
}

/// `linalg.inv_ex(A, *, check_errors=False)` -> `(inverse, info)`.
#[pyfunction]
fn _linalg_inv_ex(py: Python<'_>, a: &Bound<'_, PyAny>, check_errors: bool) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_inv_ex", "A", 1)?;
    let (inv, info) = maybe_detach(py, work(&a), || a.linalg_inv_ex(check_errors))?;
    named(py, "linalg_inv_ex", vec![inv, info])
}

/// `linalg.slogdet(A)` -> `(sign, logabsdet)`.
#[pyfunction]
fn _linalg_slogdet(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_slogdet", "A", 1)?;
    let (s, l) = maybe_detach(py, work(&a), || a.linalg_slogdet())?;
    named(py, "linalg_slogdet", vec![s, l])
}

/// `linalg.cholesky_ex(A, *, upper=False, check_errors=False)` -> `(L, info)`.
#[pyfunction]
fn _linalg_cholesky_ex(py: Python<'_>, a: &Bound<'_, PyAny>, upper: bool, check_errors: bool) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_cholesky_ex", "A", 1)?;
    let (l, info) = maybe_detach(py, work(&a), || a.linalg_cholesky_ex(upper, check_errors))?;
    named(py, "linalg_cholesky_ex", vec![l, info])
}

/// `linalg.cholesky(A, *, upper=False)`.
#[pyfunction]
fn _linalg_cholesky(py: Python<'_>, a: &Bound<'_, PyAny>, upper: bool) -> PyT {
    let a = targ(a, "linalg_cholesky", "A", 1)?;
    ok(maybe_detach(py, work(&a), || a.linalg_cholesky(upper)))
}

// ---------- LU ----------

/// `linalg.lu_factor_ex(A, *, pivot=True, check_errors=False)` -> `(LU, pivots, info)`.
#[pyfunction]
fn _linalg_lu_factor_ex(py: Python<'_>, a: &Bound<'_, PyAny>, pivot: bool, check_errors: bool) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_lu_factor_ex", "A", 1)?;
    let (lu, piv, info) = maybe_detach(py, work(&a), || a.linalg_lu_factor_ex(pivot, check_errors))?;
    named(py, "linalg_lu_factor_ex", vec![lu, piv, info])
}

/// `linalg.lu_factor(A, *, pivot=True)` -> `(LU, pivots)`.
#[pyfunction]
fn _linalg_lu_factor(py: Python<'_>, a: &Bound<'_, PyAny>, pivot: bool) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_lu_factor", "A", 1)?;
    let (lu, piv) = maybe_detach(py, work(&a), || a.linalg_lu_factor(pivot))?;
    named(py, "linalg_lu_factor", vec![lu, piv])
}

/// `linalg.lu(A, *, pivot=True)` -> `(P, L, U)`.
#[pyfunction]
fn _linalg_lu(py: Python<'_>, a: &Bound<'_, PyAny>, pivot: bool) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_lu", "A", 1)?;
    let (p, l, u) = maybe_detach(py, work(&a), || a.linalg_lu(pivot))?;
    named(py, "linalg_lu", vec![p, l, u])
}

/// `lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True)` -> `(P, L, U)`.
#[pyfunction]
fn _lu_unpack(py: Python<'_>, lu: &Bound<'_, PyAny>, pivots: &Bound<'_, PyAny>, unpack_data: bool, unpack_pivots: bool) -> PyResult<Py<PyAny>> {
    let (lu, piv) = (targ(lu, "lu_unpack", "LU_data", 1)?, targ(pivots, "lu_unpack", "LU_pivots", 2)?);
    let (p, l, u) = lu.lu_unpack(&piv, unpack_data, unpack_pivots)?;
    named(py, "lu_unpack", vec![p, l, u])
}

/// `linalg.lu_solve(LU, pivots, B, *, left=True, adjoint=False)`.
#[pyfunction]
fn _linalg_lu_solve(py: Python<'_>, lu: &Bound<'_, PyAny>, pivots: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, left: bool, adjoint: bool) -> PyT {
    let f = "linalg_lu_solve";
    let (lu, piv, b) = (targ(lu, f, "LU", 1)?, targ(pivots, f, "pivots", 2)?, targ(b, f, "B", 3)?);
    ok(maybe_detach(py, work(&b).max(work(&lu)), || lu.linalg_lu_solve(&piv, &b, left, adjoint)))
}

// ---------- QR, eigh ----------

/// `linalg.qr(A, mode='reduced')` -> `(Q, R)`.
#[pyfunction]
fn _linalg_qr(py: Python<'_>, a: &Bound<'_, PyAny>, mode: &str) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_qr", "A", 1)?;
    let mode = QrMode::parse(mode)?;
    let (q, r) = maybe_detach(py, work(&a), || a.linalg_qr(mode))?;
    named(py, "linalg_qr", vec![q, r])
}

/// `linalg.eigh(A, UPLO='L')` -> `(eigenvalues, eigenvectors)`.
#[pyfunction]
fn _linalg_eigh(py: Python<'_>, a: &Bound<'_, PyAny>, uplo: &str) -> PyResult<Py<PyAny>> {
    let a = targ(a, "linalg_eigh", "A", 1)?;
    let (w, v) = maybe_detach(py, work(&a), || a.linalg_eigh(uplo))?;
    named(py, "linalg_eigh", vec![w, v])
}

/// `linalg.eigvalsh(A, UPLO='L')`.
#[pyfunction]
fn _linalg_eigvalsh(py: Python<'_>, a: &Bound<'_, PyAny>, uplo: &str) -> PyT {
    let a = targ(a, "linalg_eigvalsh", "A", 1)?;
    ok(maybe_detach(py, work(&a), || a.linalg_eigvalsh(uplo)))
}

// ---------- least squares, pseudoinverse, rank ----------

/// `linalg.lstsq(A, B, rcond=None, *, driver=None)` -> `(solution, residuals, rank, singular_values)`.
#[pyfunction]
#[pyo3(signature = (a, b, rcond=None, driver=None))]
fn _linalg_lstsq(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, rcond: Option<f64>, driver: Option<&str>) -> PyResult<Py<PyAny>> {
    let (a, b) = (targ(a, "linalg_lstsq", "A", 1)?, targ(b, "linalg_lstsq", "B", 2)?);
    let driver = LstsqDriver::parse(driver)?;
    let r = maybe_detach(py, work(&a), || a.linalg_lstsq(&b, rcond, driver))?;
    named(py, "linalg_lstsq", vec![r.solution, r.residuals, r.rank, r.singular_values])
}

/// `linalg.pinv(A, *, atol=None, rtol=None, hermitian=False)`.
#[pyfunction]
#[pyo3(signature = (a, atol=None, rtol=None, hermitian=false))]
fn _linalg_pinv(py: Python<'_>, a: &Bound<'_, PyAny>, atol: Option<&Bound<'_, PyAny>>, rtol: Option<&Bound<'_, PyAny>>, hermitian: bool) -> PyT {
    let a = targ(a, "linalg_pinv", "input", 1)?;
    let (atol, rtol) = (tol_arg(atol)?, tol_arg(rtol)?);
    ok(maybe_detach(py, work(&a), || a.linalg_pinv(atol.as_ref(), rtol.as_ref(), hermitian)))
}

/// `linalg.matrix_rank(A, *, atol=None, rtol=None, hermitian=False)`.
#[pyfunction]
#[pyo3(signature = (a, atol=None, rtol=None, hermitian=false))]
fn _linalg_matrix_rank(py: Python<'_>, a: &Bound<'_, PyAny>, atol: Option<&Bound<'_, PyAny>>, rtol: Option<&Bound<'_, PyAny>>, hermitian: bool) -> PyT {
    let a = targ(a, "linalg_matrix_rank", "input", 1)?;
    let (atol, rtol) = (tol_arg(atol)?, tol_arg(rtol)?);
    ok(maybe_detach(py, work(&a), || a.linalg_matrix_rank(atol.as_ref(), rtol.as_ref(), hermitian)))
}

// ---------- matrix functions ----------

/// `linalg.matrix_exp(A)`.
#[pyfunction]
fn _linalg_matrix_exp(py: Python<'_>, a: &Bound<'_, PyAny>) -> PyT {
    let a = targ(a, "linalg_matrix_exp", "A", 1)?;
    ok(maybe_detach(py, work(&a), || a.linalg_matrix_exp()))
}

/// `linalg.matrix_power(A, n)`.
#[pyfunction]
fn _linalg_matrix_power(py: Python<'_>, a: &Bound<'_, PyAny>, n: i64) -> PyT {
    let a = targ(a, "linalg_matrix_power", "A", 1)?;
    ok(maybe_detach(py, work(&a), || a.linalg_matrix_power(n)))
}

/// `linalg.vander(x, N=None)`.
#[pyfunction]
#[pyo3(signature = (x, n=None))]
fn _linalg_vander(x: &Bound<'_, PyAny>, n: Option<i64>) -> PyT {
    ok(targ(x, "linalg_vander", "x", 1)?.linalg_vander(n))
}

#[pymethods]
impl PyTensor {
    /// `svd(some=True, compute_uv=True)` -> `(U, S, V)` (legacy `torch.svd`: V, not Vh;
    /// `some=False` gives square U and V; with `compute_uv=False`, U and V are zeros).
    ///
    /// >>> a = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> U, S, V = a.svd()
    /// >>> S
    /// tensor([5.4650, 0.3660])
    /// >>> bool(((U @ S.diag() @ V.T) - a).abs().max() < 1e-6)
    /// True
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
                    Tensor::zeros_on(&sh, a.dtype(), a.device())
                };
                Ok((sq(m)?, s, sq(n)?))
            }
        })?;
        named(py, "svd", vec![r.0, r.1, r.2])
    }
    /// `det()`: the determinant (`linalg.det`).
    ///
    /// >>> rgrad.tensor([[2.0, 1.0], [1.0, 3.0]]).det()
    /// tensor(5.)
    /// >>> rgrad.eye(3).expand(4, 3, 3).det()  # batched
    /// tensor([1., 1., 1., 1.])
    fn det(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.linalg_det()))
    }
    /// `logdet()`: `log det`, NaN for a negative determinant, -inf for a singular matrix.
    ///
    /// >>> rgrad.tensor([[2.0, 0.0], [0.0, 3.0]]).logdet()  # log 6
    /// tensor(1.7918)
    /// >>> rgrad.tensor([[0.0, 1.0], [1.0, 0.0]]).logdet()  # det -1
    /// tensor(nan)
    fn logdet(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.logdet()))
    }
    /// `slogdet()` -> `(sign, logabsdet)` (`linalg.slogdet`).
    ///
    /// >>> rgrad.tensor([[0.0, 2.0], [3.0, 0.0]]).slogdet()
    /// rgrad.return_types.slogdet(
    /// sign=tensor(-1.),
    /// logabsdet=tensor(1.7918))
    fn slogdet(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = &self.inner;
        let (s, l) = maybe_detach(py, work(a), || a.linalg_slogdet())?;
        named(py, "slogdet", vec![s, l])
    }
    /// `inverse()`: the inverse (`linalg.inv`).
    ///
    /// >>> rgrad.tensor([[2.0, 0.0], [0.0, 4.0]]).inverse()
    /// tensor([[0.5000, 0.0000],
    ///         [0.0000, 0.2500]])
    /// >>> rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).inverse()
    /// tensor([[-2.0000,  1.0000],
    ///         [ 1.5000, -0.5000]])
    fn inverse(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.linalg_inv()))
    }
    /// `cholesky(upper=False)`: the Cholesky factor (`linalg.cholesky`).
    ///
    /// >>> a = rgrad.tensor([[4.0, 2.0], [2.0, 5.0]])
    /// >>> L = a.cholesky()
    /// >>> L
    /// tensor([[2., 0.],
    ///         [1., 2.]])
    /// >>> L @ L.T
    /// tensor([[4., 2.],
    ///         [2., 5.]])
    #[pyo3(signature = (upper=false))]
    fn cholesky(&self, py: Python<'_>, upper: bool) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.linalg_cholesky(upper)))
    }
    /// `cholesky_solve(input2, upper=False)`: solves `A X = self` with `A = L L^T` from its
    /// factor `input2`.
    ///
    /// >>> a = rgrad.tensor([[4.0, 2.0], [2.0, 5.0]])
    /// >>> b = rgrad.tensor([[6.0], [7.0]])
    /// >>> b.cholesky_solve(a.cholesky())  # solves a x = b
    /// tensor([[1.],
    ///         [1.]])
    #[pyo3(signature = (input2, upper=false))]
    fn cholesky_solve(&self, py: Python<'_>, input2: &Bound<'_, PyAny>, upper: bool) -> PyT {
        let (b, l) = (&self.inner, targ(input2, "cholesky_solve", "input2", 2)?);
        ok(maybe_detach(py, work(&l), || b.cholesky_solve(&l, upper)))
    }
    /// `cholesky_inverse(upper=False)`: `(L L^T)^-1` from the Cholesky factor `self`.
    ///
    /// >>> a = rgrad.tensor([[4.0, 0.0], [0.0, 2.0]])
    /// >>> a.cholesky().cholesky_inverse()  # the inverse of a
    /// tensor([[0.2500, 0.0000],
    ///         [0.0000, 0.5000]])
    #[pyo3(signature = (upper=false))]
    fn cholesky_inverse(&self, py: Python<'_>, upper: bool) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.cholesky_inverse(upper)))
    }
    /// `lu_solve(LU_data, LU_pivots)`: solves `A X = self` from A's packed LU (legacy
    /// `torch.lu_solve`; `linalg.lu_solve(LU, pivots, B)` is the current form).
    ///
    /// >>> a = rgrad.tensor([[2.0, 1.0], [1.0, 3.0]])
    /// >>> LU, pivots = rgrad.linalg.lu_factor(a)
    /// >>> rgrad.tensor([[3.0], [4.0]]).lu_solve(LU, pivots)  # solves a x = b
    /// tensor([[1.],
    ///         [1.]])
    #[pyo3(name = "lu_solve")]
    fn lu_solve_method(&self, py: Python<'_>, lu_data: &Bound<'_, PyAny>, lu_pivots: &Bound<'_, PyAny>) -> PyT {
        let (lu, piv) = (targ(lu_data, "lu_solve", "LU_data", 2)?, targ(lu_pivots, "lu_solve", "LU_pivots", 3)?);
        let b = &self.inner;
        ok(maybe_detach(py, work(&lu), || lu.linalg_lu_solve(&piv, b, true, false)))
    }
    /// `matrix_exp()`: the matrix exponential (`linalg.matrix_exp`).
    ///
    /// >>> rgrad.zeros(2, 2).matrix_exp()
    /// tensor([[1., 0.],
    ///         [0., 1.]])
    /// >>> rgrad.tensor([[1.0, 0.0], [0.0, 2.0]]).matrix_exp()  # exp of each diagonal element
    /// tensor([[2.7183, 0.0000],
    ///         [0.0000, 7.3891]])
    fn matrix_exp(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.linalg_matrix_exp()))
    }
    /// `matrix_power(n)`: `self^n` (`linalg.matrix_power`).
    ///
    /// >>> a = rgrad.tensor([[1, 1], [0, 1]])
    /// >>> a.matrix_power(3)
    /// tensor([[1, 3],
    ///         [0, 1]])
    /// >>> rgrad.tensor([[2.0, 0.0], [0.0, 4.0]]).matrix_power(-1)
    /// tensor([[0.5000, 0.0000],
    ///         [0.0000, 0.2500]])
    fn matrix_power(&self, py: Python<'_>, n: i64) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, work(a), || a.linalg_matrix_power(n)))
    }
    /// `pinverse(rcond=1e-15)`: the pseudoinverse, singular values `<= rcond * s_max` dropped.
    ///
    /// >>> a = rgrad.tensor([[1.0, 2.0]])  # not square: no inverse
    /// >>> a.pinverse()
    /// tensor([[0.2000],
    ///         [0.4000]])
    #[pyo3(signature = (rcond=1e-15))]
    fn pinverse(&self, py: Python<'_>, rcond: f64) -> PyT {
        let a = &self.inner;
        let rtol = Tensor::scalar(rcond.into(), crate::dtype::DType::F64)?;
        ok(maybe_detach(py, work(a), || a.linalg_pinv(None, Some(&rtol), false)))
    }
    /// `qr(some=True)` -> `(Q, R)` (legacy `torch.qr`: `some=False` is mode 'complete').
    ///
    /// >>> a = rgrad.tensor([[3.0, 1.0], [4.0, 2.0]])
    /// >>> Q, R = a.qr()
    /// >>> R.abs()
    /// tensor([[5.0000, 2.2000],
    ///         [0.0000, 0.4000]])
    /// >>> bool((Q @ R - a).abs().max() < 1e-6)
    /// True
    #[pyo3(signature = (some=true))]
    fn qr(&self, py: Python<'_>, some: bool) -> PyResult<Py<PyAny>> {
        let a = &self.inner;
        let mode = if some { QrMode::Reduced } else { QrMode::Complete };
        let (q, r) = maybe_detach(py, work(a), || a.linalg_qr(mode))?;
        named(py, "qr", vec![q, r])
    }
    /// `triangular_solve(A, upper=True, transpose=False, unitriangular=False)` ->
    /// `(solution, cloned_coefficient)`: solves `op(T) X = self` with T a triangle of A
    /// (legacy; `linalg.solve_triangular` is the current form).
    ///
    /// >>> A = rgrad.tensor([[2.0, 1.0], [0.0, 4.0]])
    /// >>> b = rgrad.tensor([[4.0], [8.0]])
    /// >>> b.triangular_solve(A).solution  # upper triangle of A: 2x + y = 4, 4y = 8
    /// tensor([[1.],
    ///         [2.]])
    #[pyo3(signature = (a, upper=true, transpose=false, unitriangular=false))]
    fn triangular_solve(&self, py: Python<'_>, a: &Bound<'_, PyAny>, upper: bool, transpose: bool, unitriangular: bool) -> PyResult<Py<PyAny>> {
        let (b, a) = (&self.inner, targ(a, "triangular_solve", "A", 2)?);
        let (x, c) = maybe_detach(py, work(b), || -> Result<(Tensor, Tensor)> {
            if b.rank() < 2 || a.rank() < 2 {
                return Err(crate::error::Error::Runtime(format!(
                    "torch.triangular_solve: Expected b to have at least 2 dimensions, but it has {} dimensions instead",
                    b.rank()
                )));
            }
            let t = if transpose { a.mt()? } else { a.clone() };
            Ok((t.linalg_solve_triangular(b, upper != transpose, true, unitriangular)?, a.clone_t()?))
        })?;
        named(py, "triangular_solve", vec![x, c])
    }
    /// `lu(pivot=True, get_infos=False)` -> `(LU, pivots)` or `(LU, pivots, infos)` (legacy
    /// `torch.lu`).
    ///
    /// >>> a = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> LU, pivots = a.lu()
    /// >>> pivots  # 1-based, as LAPACK: row 2 came first
    /// tensor([2, 2], dtype=rgrad.int32)
    /// >>> LU
    /// tensor([[3.0000, 4.0000],
    ///         [0.3333, 0.6667]])
    #[pyo3(signature = (pivot=true, get_infos=false))]
    fn lu(&self, py: Python<'_>, pivot: bool, get_infos: bool) -> PyResult<Py<PyAny>> {
        let a = &self.inner;
        let (lu, piv, info) = maybe_detach(py, work(a), || a.linalg_lu_factor_ex(pivot, false))?;
        let items: Vec<Tensor> = if get_infos { vec![lu, piv, info] } else { vec![lu, piv] };
        let items: Vec<Py<PyAny>> = items.into_iter().map(|t| PyTensor::new(t).into_py_any(py)).collect::<PyResult<_>>()?;
        PyTuple::new(py, items)?.into_py_any(py)
    }
}

/// Adds this family's module-level functions and `LinAlgError` to `rgrad._rgrad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("LinAlgError", m.py().get_type::<LinAlgError>())?;
    m.add_function(wrap_pyfunction!(_matrix_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cond, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_vecdot, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svd, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_svdvals, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_solve_triangular, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_inv_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_slogdet, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cholesky_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_cholesky, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lu_factor_ex, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lu_factor, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lu, m)?)?;
    m.add_function(wrap_pyfunction!(_lu_unpack, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lu_solve, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_qr, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigh, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_eigvalsh, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_lstsq, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_pinv, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_rank, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_exp, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_matrix_power, m)?)?;
    m.add_function(wrap_pyfunction!(_linalg_vander, m)?)?;
    Ok(())
}
