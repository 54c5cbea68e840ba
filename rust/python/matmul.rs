//! Python bindings for matrix products: `#[pymethods]` on Tensor and module functions.

use super::convert::{scalar_of, tensor_arg};
use super::object::Wrap;
use super::object::PyT;
use super::pytensor::{maybe_detach, PyTensor};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use pyo3::IntoPyObjectExt;

/// Wraps a result as a Python tensor (errors map to PyTorch's classes, see `errors.rs`).
fn okm(r: Result<Tensor>) -> PyT {
    Ok(Wrap(r?))
}

/// Rough multiply-add count of a product, to decide whether to release the GIL.
fn work(a: &Tensor, b: &Tensor) -> usize {
    a.numel().saturating_mul(b.shape().last().copied().unwrap_or(1)).max(b.numel())
}

fn scalar_arg(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Scalar> {
    match obj {
        None => Ok(Scalar::Int(1)),
        Some(o) => scalar_of(o).ok_or_else(|| {
            let tn = o.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            PyTypeError::new_err(format!("{what} must be Number, not {tn}"))
        }),
    }
}

#[pymethods]
impl PyTensor {
    /// `mm(mat2)`: matrix product of two 2-D tensors.
    ///
    /// >>> a = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> a.mm(rgrad.tensor([[1.0], [1.0]]))
    /// tensor([[3.],
    ///         [7.]])
    /// >>> rgrad.mm(a, a)
    /// tensor([[ 7., 10.],
    ///         [15., 22.]])
    fn mm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(mat2, "mat2")?);
        okm(maybe_detach(py, work(a, &b), || a.mm(&b)))
    }
    /// `matmul(other)`: matrix product with broadcasting (same as `@`).
    ///
    /// >>> a = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> a.matmul(rgrad.tensor([1.0, 1.0]))  # matrix @ vector
    /// tensor([3., 7.])
    /// >>> a @ a
    /// tensor([[ 7., 10.],
    ///         [15., 22.]])
    /// >>> (rgrad.ones(5, 2, 3) @ rgrad.ones(3, 4)).shape  # batched, broadcast
    /// rgrad.Size([5, 2, 4])
    fn matmul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(other, "other")?);
        okm(maybe_detach(py, work(a, &b), || a.matmul(&b)))
    }
    /// `self @ other`.
    fn __matmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(b) = other.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (&self.inner, b.get().inner.clone());
        okm(maybe_detach(py, work(a, &b), || a.matmul(&b)))?.into_py_any(py)
    }
    /// `other @ self`.
    fn __rmatmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(b) = other.cast::<PyTensor>() else { return Ok(py.NotImplemented()) };
        let (a, b) = (&self.inner, b.get().inner.clone());
        okm(maybe_detach(py, work(&b, a), || b.matmul(a)))?.into_py_any(py)
    }
    /// `bmm(mat2)`: batched product of two 3-D tensors.
    ///
    /// >>> a, b = rgrad.ones(4, 2, 3), rgrad.ones(4, 3, 5)
    /// >>> a.bmm(b).shape
    /// rgrad.Size([4, 2, 5])
    fn bmm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(mat2, "mat2")?);
        okm(maybe_detach(py, work(a, &b), || a.bmm(&b)))
    }
    /// `mv(vec)`: matrix-vector product.
    ///
    /// >>> rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).mv(rgrad.tensor([1.0, -1.0]))
    /// tensor([-1., -1.])
    fn mv(&self, py: Python<'_>, vec: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(vec, "vec")?);
        okm(maybe_detach(py, a.numel(), || a.mv(&b)))
    }
    /// `vdot(other)`: dot product of two 1-D tensors.
    ///
    /// >>> rgrad.tensor([1.0, 2.0, 3.0]).vdot(rgrad.tensor([4.0, 5.0, 6.0]))
    /// tensor(32.)
    fn vdot(&self, other: &Bound<'_, PyAny>) -> PyT {
        okm(self.inner.vdot(&tensor_arg(other, "other")?))
    }
    /// `inner(other)`: sum of products over the last dimension.
    ///
    /// >>> rgrad.tensor([1.0, 2.0]).inner(rgrad.tensor([3.0, 4.0]))
    /// tensor(11.)
    /// >>> rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).inner(rgrad.tensor([1.0, 1.0]))
    /// tensor([3., 7.])
    fn inner(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(other, "other")?);
        okm(maybe_detach(py, work(a, &b), || a.inner(&b)))
    }
    /// `outer(vec2)`: outer product of two 1-D tensors.
    ///
    /// >>> rgrad.tensor([1, 2, 3]).outer(rgrad.tensor([1, 10]))
    /// tensor([[ 1, 10],
    ///         [ 2, 20],
    ///         [ 3, 30]])
    fn outer(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(vec2, "vec2")?);
        okm(maybe_detach(py, a.numel() * b.numel(), || a.outer(&b)))
    }
    /// `ger(vec2)`: alias of `outer`.
    ///
    /// >>> rgrad.tensor([1.0, 2.0]).ger(rgrad.tensor([3.0, 4.0]))
    /// tensor([[3., 4.],
    ///         [6., 8.]])
    fn ger(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyT {
        self.outer(py, vec2)
    }
    /// `kron(other)`: Kronecker product.
    ///
    /// >>> rgrad.tensor([[1, 2], [3, 4]]).kron(rgrad.ones(2, 2, dtype=rgrad.int64))
    /// tensor([[1, 1, 2, 2],
    ///         [1, 1, 2, 2],
    ///         [3, 3, 4, 4],
    ///         [3, 3, 4, 4]])
    fn kron(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
        let (a, b) = (&self.inner, tensor_arg(other, "other")?);
        okm(maybe_detach(py, a.numel() * b.numel(), || a.kron(&b)))
    }
    /// `addmm(mat1, mat2, *, beta=1, alpha=1)`: `beta * self + alpha * (mat1 @ mat2)`.
    ///
    /// >>> bias = rgrad.tensor([[1.0, 1.0], [1.0, 1.0]])
    /// >>> m = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> bias.addmm(m, rgrad.eye(2), beta=0.5, alpha=2)  # 0.5 * bias + 2 * m @ I
    /// tensor([[2.5000, 4.5000],
    ///         [6.5000, 8.5000]])
    #[pyo3(signature = (mat1, mat2, *, beta=None, alpha=None))]
    fn addmm(&self, py: Python<'_>, mat1: &Bound<'_, PyAny>, mat2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let (m1, m2) = (tensor_arg(mat1, "mat1")?, tensor_arg(mat2, "mat2")?);
        let (bt, al) = (scalar_arg(beta, "beta")?, scalar_arg(alpha, "alpha")?);
        let s = &self.inner;
        okm(maybe_detach(py, work(&m1, &m2), || s.addmm(&m1, &m2, bt, al)))
    }
    /// `baddbmm(batch1, batch2, *, beta=1, alpha=1)`: `beta * self + alpha * bmm(batch1, batch2)`.
    ///
    /// >>> rgrad.zeros(3, 2, 4).baddbmm(rgrad.ones(3, 2, 5), rgrad.ones(3, 5, 4))[0]
    /// tensor([[5., 5., 5., 5.],
    ///         [5., 5., 5., 5.]])
    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn baddbmm(&self, py: Python<'_>, batch1: &Bound<'_, PyAny>, batch2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let (m1, m2) = (tensor_arg(batch1, "batch1")?, tensor_arg(batch2, "batch2")?);
        let (bt, al) = (scalar_arg(beta, "beta")?, scalar_arg(alpha, "alpha")?);
        let s = &self.inner;
        okm(maybe_detach(py, work(&m1, &m2), || s.baddbmm(&m1, &m2, bt, al)))
    }
    /// `addbmm(batch1, batch2, *, beta=1, alpha=1)`: `beta * self + alpha * sum_b batch1[b] @ batch2[b]`.
    ///
    /// >>> rgrad.zeros(2, 2).addbmm(rgrad.ones(3, 2, 4), rgrad.ones(3, 4, 2))  # sums the 3 products
    /// tensor([[12., 12.],
    ///         [12., 12.]])
    #[pyo3(signature = (batch1, batch2, *, beta=None, alpha=None))]
    fn addbmm(&self, py: Python<'_>, batch1: &Bound<'_, PyAny>, batch2: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let (m1, m2) = (tensor_arg(batch1, "batch1")?, tensor_arg(batch2, "batch2")?);
        let (bt, al) = (scalar_arg(beta, "beta")?, scalar_arg(alpha, "alpha")?);
        let s = &self.inner;
        okm(maybe_detach(py, work(&m1, &m2), || s.addbmm(&m1, &m2, bt, al)))
    }
    /// `addmv(mat, vec, *, beta=1, alpha=1)`: `beta * self + alpha * (mat @ vec)`.
    ///
    /// >>> rgrad.tensor([1.0, 1.0]).addmv(rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), rgrad.tensor([1.0, 1.0]))
    /// tensor([4., 8.])
    #[pyo3(signature = (mat, vec, *, beta=None, alpha=None))]
    fn addmv(&self, py: Python<'_>, mat: &Bound<'_, PyAny>, vec: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let (m, v) = (tensor_arg(mat, "mat")?, tensor_arg(vec, "vec")?);
        let (bt, al) = (scalar_arg(beta, "beta")?, scalar_arg(alpha, "alpha")?);
        let s = &self.inner;
        okm(maybe_detach(py, m.numel(), || s.addmv(&m, &v, bt, al)))
    }
}

/// tensordot's `dims`: how many trailing / leading dims to contract, or the dims of each.
enum TensordotDims {
    Count(i64),
    Lists(Vec<isize>, Vec<isize>),
}

/// Parses tensordot's `dims`: an int, or a pair of int lists (or ints).
fn tensordot_dims(dims: &Bound<'_, PyAny>) -> PyResult<TensordotDims> {
    if let Ok(n) = dims.extract::<i64>() {
        return Ok(TensordotDims::Count(n));
    }
    let as_list = |o: &Bound<'_, PyAny>| -> PyResult<Vec<isize>> {
        if let Ok(i) = o.extract::<isize>() {
            return Ok(vec![i]);
        }
        o.extract::<Vec<isize>>()
            .map_err(|_| PyTypeError::new_err("tensordot expects dims to be an int or a pair of lists of ints"))
    };
    if let Ok(seq) = dims.extract::<Vec<Bound<'_, PyAny>>>() {
        if seq.len() == 2 {
            return Ok(TensordotDims::Lists(as_list(&seq[0])?, as_list(&seq[1])?));
        }
    }
    Err(PyTypeError::new_err(
        "tensordot expects dims to be an int or a pair of lists of ints, e.g. dims=([1, 0], [0, 1])",
    ))
}

/// `tensordot(a, b, dims=2)`: contracts `a`'s last `dims` dims with `b`'s first ones, or
/// the dims listed in `dims=([dims of a], [dims of b])`.
///
/// >>> a, b = rgrad.arange(6.0).reshape(2, 3), rgrad.ones(3, 4)
/// >>> rgrad.tensordot(a, b, dims=1).shape
/// rgrad.Size([2, 4])
/// >>> rgrad.tensordot(a, rgrad.ones(2, 3), dims=2)  # sum of a * b over both dims
/// tensor(15.)
/// >>> rgrad.tensordot(a, rgrad.ones(4, 2), dims=([0], [1])).shape
/// rgrad.Size([3, 4])
#[pyfunction]
#[pyo3(signature = (a, b, dims=None))]
fn tensordot(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyT {
    let (a, b) = (tensor_arg(a, "a")?, tensor_arg(b, "b")?);
    let d = match dims {
        None => TensordotDims::Count(2),
        Some(d) => tensordot_dims(d)?,
    };
    let w = a.numel().max(b.numel());
    okm(maybe_detach(py, w, || match &d {
        TensordotDims::Count(n) => a.tensordot_n(&b, *n),
        TensordotDims::Lists(da, db) => a.tensordot(&b, da, db),
    }))
}

/// `_einsum(equation, operands)`: einsum over a list of tensors (see `rgrad.einsum`).
#[pyfunction]
fn _einsum(py: Python<'_>, equation: &str, operands: &Bound<'_, PyAny>) -> PyT {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(l) = operands.cast::<PyList>() {
        l.iter().collect()
    } else if let Ok(t) = operands.cast::<PyTuple>() {
        t.iter().collect()
    } else {
        vec![operands.clone()]
    };
    let ts: Vec<Tensor> = items.iter().map(|o| tensor_arg(o, "einsum(): operands")).collect::<PyResult<_>>()?;
    let w: usize = ts.iter().map(|t| t.numel()).max().unwrap_or(0);
    let eq = equation.to_string();
    okm(maybe_detach(py, w, || crate::ops::einsum::einsum(&eq, &ts)))
}

/// `_linear(input, weight, bias=None)`: `input @ weight.T + bias` (see `rgrad.nn.functional.linear`).
#[pyfunction]
#[pyo3(signature = (input, weight, bias=None))]
fn _linear(py: Python<'_>, input: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>, bias: Option<&Bound<'_, PyAny>>) -> PyT {
    let (x, w) = (tensor_arg(input, "input")?, tensor_arg(weight, "weight")?);
    let b = match bias {
        Some(b) if !b.is_none() => Some(tensor_arg(b, "bias")?),
        _ => None,
    };
    okm(maybe_detach(py, work(&x, &w), || crate::ops::matmul::linear(&x, &w, b.as_ref())))
}

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tensordot, m)?)?;
    m.add_function(wrap_pyfunction!(_einsum, m)?)?;
    m.add_function(wrap_pyfunction!(_linear, m)?)?;
    Ok(())
}
