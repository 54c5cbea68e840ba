//! Python bindings for reductions: `#[pymethods]` on Tensor and module functions.

use super::convert::{index_arg, parse_dtype};
use super::convert::parse_dims;
use super::object::{ok, PyT};
use super::pytensor::{maybe_detach, PyTensor};
use crate::dtype::DType;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

static RETURN_TYPES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Installs the named-tuple classes (`rgrad.return_types.max`, ...) used for `(values, indices)` results.
#[pyfunction]
fn _set_return_types(py: Python<'_>, types: Py<PyDict>) {
    let _ = RETURN_TYPES.set(py, types);
}

/// A `(a, b)` result as the named tuple `name` (a plain tuple before the classes are installed).
fn named(py: Python<'_>, name: &str, a: Tensor, b: Tensor) -> PyResult<Py<PyAny>> {
    let (a, b) = (PyTensor::new(a).into_py_any(py)?, PyTensor::new(b).into_py_any(py)?);
    if let Some(types) = RETURN_TYPES.get(py) {
        if let Some(cls) = types.bind(py).get_item(name)? {
            return Ok(cls.call1((a, b))?.unbind());
        }
    }
    PyTuple::new(py, [a, b])?.into_py_any(py)
}

/// An optional single `dim` (None or an int).
fn opt_dim(dim: Option<&Bound<'_, PyAny>>) -> PyResult<Option<isize>> {
    match dim {
        Some(d) if !d.is_none() => Ok(Some(index_arg(d, "dim")?)),
        _ => Ok(None),
    }
}

/// `correction=` / `unbiased=` of std and var -> the correction as a number.
fn parse_correction(unbiased: Option<&Bound<'_, PyAny>>, correction: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    if let Some(c) = correction.filter(|c| !c.is_none()) {
        if unbiased.is_some_and(|u| !u.is_none()) {
            return Err(PyTypeError::new_err("std/var: cannot specify both unbiased and correction"));
        }
        if c.is_instance_of::<PyBool>() {
            return Ok(if c.extract::<bool>()? { 1.0 } else { 0.0 });
        }
        return c.extract::<f64>();
    }
    match unbiased.filter(|u| !u.is_none()) {
        Some(u) => Ok(if u.extract::<bool>()? { 1.0 } else { 0.0 }),
        None => Ok(1.0),
    }
}

/// `p=` of norm: a number, `'fro'` or None -> p for vector norms (`norm` routes `'nuc'` to the matrix norm).
fn parse_p(p: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    let Some(p) = p.filter(|p| !p.is_none()) else { return Ok(2.0) };
    if let Ok(s) = p.cast::<PyString>() {
        return match &*s.to_string_lossy() {
            "fro" => Ok(2.0),
            other => Err(PyValueError::new_err(format!("norm: unknown p '{other}'; expected a number, 'fro' or 'nuc'"))),
        };
    }
    if p.is_instance_of::<PyFloat>() || p.is_instance_of::<PyInt>() {
        return p.extract::<f64>();
    }
    Err(PyTypeError::new_err(format!("norm: p must be a number or a string, not {}", p.get_type().name()?)))
}

/// std/var's legacy `std(unbiased)` form: a bool in the `dim` slot.
fn split_dim_unbiased<'py>(dim: Option<&Bound<'py, PyAny>>, unbiased: Option<&Bound<'py, PyAny>>) -> (Option<Bound<'py, PyAny>>, Option<Bound<'py, PyAny>>) {
    match dim {
        Some(d) if d.is_instance_of::<PyBool>() => (None, Some(d.clone())),
        _ => (dim.cloned(), unbiased.cloned()),
    }
}

#[pymethods]
impl PyTensor {
    /// `sum(dim=None, keepdim=False, *, dtype=None)`: pairwise-accurate sum; ints and bools sum in int64.
    ///
    /// >>> x = rgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    /// >>> x.sum()
    /// tensor(21.)
    /// >>> x.sum(0)
    /// tensor([5., 7., 9.])
    /// >>> x.sum(1, keepdim=True)
    /// tensor([[ 6.],
    ///         [15.]])
    /// >>> rgrad.tensor([True, True, False]).sum()
    /// tensor(2)
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn sum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let dims = parse_dims(dim)?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.sum_dims(dims.as_deref(), keepdim, dt)))
    }
    /// `mean(dim=None, keepdim=False, *, dtype=None)` (floating point inputs or `dtype=`).
    ///
    /// >>> x = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> x.mean()
    /// tensor(2.5000)
    /// >>> x.mean(dim=0)
    /// tensor([2., 3.])
    /// >>> rgrad.tensor([1, 2]).mean(dtype=rgrad.float32)
    /// tensor(1.5000)
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn mean(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let dims = parse_dims(dim)?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.mean_dims(dims.as_deref(), keepdim, dt)))
    }
    /// `nansum(dim=None, keepdim=False, *, dtype=None)`: sum with NaN treated as zero.
    ///
    /// >>> rgrad.tensor([1.0, float('nan'), 2.0]).nansum()
    /// tensor(3.)
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn nansum(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let dims = parse_dims(dim)?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.nansum(dims.as_deref(), keepdim, dt)))
    }
    /// `nanmean(dim=None, keepdim=False, *, dtype=None)`: mean over the non-NaN elements.
    ///
    /// >>> rgrad.tensor([1.0, float('nan'), 2.0]).nanmean()
    /// tensor(1.5000)
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn nanmean(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let dims = parse_dims(dim)?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.nanmean(dims.as_deref(), keepdim, dt)))
    }
    /// `prod(dim=None, keepdim=False, *, dtype=None)`: product; ints and bools multiply in int64.
    ///
    /// >>> x = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> x.prod()
    /// tensor(24.)
    /// >>> x.prod(1)
    /// tensor([ 2., 12.])
    #[pyo3(signature = (dim=None, keepdim=false, *, dtype=None))]
    fn prod(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let d = opt_dim(dim)?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        let dims = d.map(|d| vec![d]);
        ok(maybe_detach(py, a.numel(), || a.prod_dims(dims.as_deref(), keepdim, dt)))
    }
    /// `max()` -> 0-d max; `max(dim, keepdim=False)` -> (values, indices); `max(other)` / `max(other=t)` -> elementwise maximum.
    ///
    /// >>> x = rgrad.tensor([[1.0, 5.0], [4.0, 2.0]])
    /// >>> x.max()
    /// tensor(5.)
    /// >>> x.max(dim=1)
    /// rgrad.return_types.max(
    /// values=tensor([5., 4.]),
    /// indices=tensor([1, 0]))
    /// >>> x.max(rgrad.tensor([3.0, 3.0]))
    /// tensor([[3., 5.],
    ///         [4., 3.]])
    #[pyo3(signature = (dim=None, keepdim=false, *, other=None))]
    fn max(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, other: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        extreme_method(py, &self.inner, dim, keepdim, other, true)
    }
    /// `min()` -> 0-d min; `min(dim, keepdim=False)` -> (values, indices); `min(other)` / `min(other=t)` -> elementwise minimum.
    ///
    /// >>> x = rgrad.tensor([[1.0, 5.0], [4.0, 2.0]])
    /// >>> x.min()
    /// tensor(1.)
    /// >>> values, indices = x.min(0)
    /// >>> values, indices
    /// (tensor([1., 2.]), tensor([0, 1]))
    #[pyo3(signature = (dim=None, keepdim=false, *, other=None))]
    fn min(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, other: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        extreme_method(py, &self.inner, dim, keepdim, other, false)
    }
    /// `amax(dim=(), keepdim=False)`: max over dims (all when empty); ties share the gradient.
    ///
    /// >>> x = rgrad.tensor([[1.0, 5.0], [4.0, 2.0]])
    /// >>> x.amax()
    /// tensor(5.)
    /// >>> x.amax(dim=0)
    /// tensor([4., 5.])
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amax(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyT {
        let dims = parse_dims(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.amax(dims.as_deref(), keepdim)))
    }
    /// `amin(dim=(), keepdim=False)`.
    ///
    /// >>> x = rgrad.tensor([[1.0, 5.0], [4.0, 2.0]])
    /// >>> x.amin(dim=1)
    /// tensor([1., 2.])
    /// >>> x.amin(dim=(0, 1))
    /// tensor(1.)
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn amin(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyT {
        let dims = parse_dims(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.amin(dims.as_deref(), keepdim)))
    }
    /// `argmax(dim=None, keepdim=False)`: index of the first maximum (NaN counts as the maximum).
    ///
    /// >>> x = rgrad.tensor([[1.0, 5.0, 5.0], [4.0, 2.0, 0.0]])
    /// >>> x.argmax()  # into the flattened tensor
    /// tensor(1)
    /// >>> x.argmax(dim=1)
    /// tensor([1, 0])
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmax(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyT {
        let d = opt_dim(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.argmax(d, keepdim)))
    }
    /// `argmin(dim=None, keepdim=False)`.
    ///
    /// >>> x = rgrad.tensor([[1.0, 5.0], [4.0, 0.0]])
    /// >>> x.argmin()
    /// tensor(3)
    /// >>> x.argmin(dim=0, keepdim=True)
    /// tensor([[0, 1]])
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn argmin(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyT {
        let d = opt_dim(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.argmin(d, keepdim)))
    }
    /// `aminmax(*, dim=None, keepdim=False)` -> (min, max).
    ///
    /// >>> rgrad.tensor([3.0, -1.0, 2.0]).aminmax()
    /// rgrad.return_types.aminmax(
    /// min=tensor(-1.),
    /// max=tensor(3.))
    #[pyo3(signature = (*, dim=None, keepdim=false))]
    fn aminmax(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyResult<Py<PyAny>> {
        let d = opt_dim(dim)?;
        let a = &self.inner;
        let (lo, hi) = maybe_detach(py, a.numel(), || a.aminmax(d, keepdim))?;
        named(py, "aminmax", lo, hi)
    }
    /// `std(dim=None, *, correction=1, keepdim=False)` (also `std(dim, unbiased, keepdim)`).
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0, 3.0, 4.0])
    /// >>> x.std()
    /// tensor(1.2910)
    /// >>> x.std(correction=0)
    /// tensor(1.1180)
    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn std(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<&Bound<'_, PyAny>>) -> PyT {
        let (dim, unbiased) = split_dim_unbiased(dim, unbiased);
        let dims = parse_dims(dim.as_ref())?;
        let c = parse_correction(unbiased.as_ref(), correction)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.std_dims(dims.as_deref(), c, keepdim)))
    }
    /// `var(dim=None, *, correction=1, keepdim=False)` (also `var(dim, unbiased, keepdim)`).
    ///
    /// >>> x = rgrad.tensor([[1.0, 2.0], [3.0, 5.0]])
    /// >>> x.var()
    /// tensor(2.9167)
    /// >>> x.var(dim=1)
    /// tensor([0.5000, 2.0000])
    #[pyo3(signature = (dim=None, unbiased=None, keepdim=false, *, correction=None))]
    fn var(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, unbiased: Option<&Bound<'_, PyAny>>, keepdim: bool, correction: Option<&Bound<'_, PyAny>>) -> PyT {
        let (dim, unbiased) = split_dim_unbiased(dim, unbiased);
        let dims = parse_dims(dim.as_ref())?;
        let c = parse_correction(unbiased.as_ref(), correction)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.var_dims(dims.as_deref(), c, keepdim)))
    }
    /// `norm(p='fro', dim=None, keepdim=False, dtype=None)`: vector p-norm over dims
    /// (p any float, inf, -inf, 0; 'fro' = 2). The gradient at 0 is 0. `p='nuc'`: the
    /// nuclear norm over the two `dim`s (all dims when None), as `linalg.matrix_norm`.
    ///
    /// >>> x = rgrad.tensor([[3.0, 4.0], [6.0, 8.0]])
    /// >>> x.norm()
    /// tensor(11.1803)
    /// >>> x.norm(dim=1)
    /// tensor([ 5., 10.])
    /// >>> x.norm(p=1, dim=1)
    /// tensor([ 7., 14.])
    /// >>> x.norm(p=float('inf'))
    /// tensor(8.)
    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm(&self, py: Python<'_>, p: Option<&Bound<'_, PyAny>>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        if let Some(p) = p.filter(|p| super::linalg::is_matrix_norm_p(p, dim)) {
            return super::linalg::norm_str_p(py, &self.inner, p, dim, keepdim, dtype); // 'nuc': a matrix norm
        }
        let p = parse_p(p)?;
        let dims = parse_dims(dim)?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.vector_norm(p, dims.as_deref(), keepdim, dt)))
    }
    /// `all(dim=None, keepdim=False)`: whether every element is nonzero.
    ///
    /// >>> x = rgrad.tensor([[True, False], [True, True]])
    /// >>> x.all()
    /// tensor(False)
    /// >>> x.all(dim=1)
    /// tensor([False,  True])
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn all(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyT {
        let dims = parse_dims(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.all_dims(dims.as_deref(), keepdim)))
    }
    /// `any(dim=None, keepdim=False)`: whether some element is nonzero.
    ///
    /// >>> x = rgrad.tensor([[0, 0], [0, 3]])
    /// >>> x.any()
    /// tensor(True)
    /// >>> x.any(dim=1)
    /// tensor([False,  True])
    #[pyo3(signature = (dim=None, keepdim=false))]
    fn any(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool) -> PyT {
        let dims = parse_dims(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.any_dims(dims.as_deref(), keepdim)))
    }
    /// `count_nonzero(dim=None)`: int64 counts of nonzero elements.
    ///
    /// >>> x = rgrad.tensor([[0, 1, 2], [0, 0, 3]])
    /// >>> x.count_nonzero()
    /// tensor(3)
    /// >>> x.count_nonzero(dim=1)
    /// tensor([2, 1])
    #[pyo3(signature = (dim=None))]
    fn count_nonzero(&self, py: Python<'_>, dim: Option<&Bound<'_, PyAny>>) -> PyT {
        let dims = parse_dims(dim)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.count_nonzero(dims.as_deref())))
    }
    /// `logsumexp(dim, keepdim=False)`: `log(sum(exp(x)))` without overflow.
    ///
    /// >>> rgrad.tensor([[0.0, 0.0], [1000.0, 1000.0]]).logsumexp(dim=1)
    /// tensor([6.9315e-01, 1.0007e+03])
    #[pyo3(signature = (dim, keepdim=false))]
    fn logsumexp(&self, py: Python<'_>, dim: &Bound<'_, PyAny>, keepdim: bool) -> PyT {
        let dims = parse_dims(Some(dim))?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.logsumexp(dims.as_deref(), keepdim)))
    }
    /// `softmax(dim, dtype=None)`: fused, numerically stable softmax along `dim`.
    ///
    /// >>> x = rgrad.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    /// >>> x.softmax(dim=1)
    /// tensor([[0.0900, 0.2447, 0.6652],
    ///         [0.3333, 0.3333, 0.3333]])
    #[pyo3(signature = (dim, dtype=None))]
    fn softmax(&self, py: Python<'_>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let d = index_arg(dim, "dim")?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.softmax(d, dt)))
    }
    /// `log_softmax(dim, dtype=None)`: fused `x - logsumexp(x)` along `dim`.
    ///
    /// >>> rgrad.tensor([1.0, 2.0, 3.0]).log_softmax(dim=0)
    /// tensor([-2.4076, -1.4076, -0.4076])
    #[pyo3(signature = (dim, dtype=None))]
    fn log_softmax(&self, py: Python<'_>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let d = index_arg(dim, "dim")?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.log_softmax(d, dt)))
    }
    /// `cumsum(dim, *, dtype=None)`: running sums (ints and bools in int64).
    ///
    /// >>> x = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    /// >>> x.cumsum(dim=1)
    /// tensor([[ 1,  3,  6],
    ///         [ 4,  9, 15]])
    /// >>> x.cumsum(0)
    /// tensor([[1, 2, 3],
    ///         [5, 7, 9]])
    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumsum(&self, py: Python<'_>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let d = index_arg(dim, "dim")?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.cumsum(d, dt)))
    }
    /// `cumprod(dim, *, dtype=None)`: running products (ints and bools in int64).
    ///
    /// >>> rgrad.tensor([1.0, 2.0, 3.0, 4.0]).cumprod(dim=0)
    /// tensor([ 1.,  2.,  6., 24.])
    #[pyo3(signature = (dim, *, dtype=None))]
    fn cumprod(&self, py: Python<'_>, dim: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
        let d = index_arg(dim, "dim")?;
        let dt = parse_dtype(dtype)?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.cumprod(d, dt)))
    }
    /// `cummax(dim)` -> (values, indices) of the running maximum.
    ///
    /// >>> rgrad.tensor([1.0, 3.0, 2.0, 5.0]).cummax(dim=0)
    /// rgrad.return_types.cummax(
    /// values=tensor([1., 3., 3., 5.]),
    /// indices=tensor([0, 1, 1, 3]))
    fn cummax(&self, py: Python<'_>, dim: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let d = index_arg(dim, "dim")?;
        let a = &self.inner;
        let (v, i) = maybe_detach(py, a.numel(), || a.cummax(d))?;
        named(py, "cummax", v, i)
    }
    /// `cummin(dim)` -> (values, indices) of the running minimum.
    ///
    /// >>> rgrad.tensor([4.0, 3.0, 5.0, 1.0]).cummin(dim=0)
    /// rgrad.return_types.cummin(
    /// values=tensor([4., 3., 3., 1.]),
    /// indices=tensor([0, 1, 1, 3]))
    fn cummin(&self, py: Python<'_>, dim: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let d = index_arg(dim, "dim")?;
        let a = &self.inner;
        let (v, i) = maybe_detach(py, a.numel(), || a.cummin(d))?;
        named(py, "cummin", v, i)
    }
}

/// `max`/`min` with their three forms.
fn extreme_method(py: Python<'_>, a: &Tensor, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, other: Option<&Bound<'_, PyAny>>, max: bool) -> PyResult<Py<PyAny>> {
    // `other=` by keyword is the elementwise form (`torch.max(input, other=t)`)
    let dim = match other.filter(|o| !o.is_none()) {
        Some(o) => {
            let name = if max { "max" } else { "min" };
            if dim.is_some_and(|d| !d.is_none()) || keepdim {
                return Err(PyTypeError::new_err(format!(
                    "{name}() received an invalid combination of arguments - got both 'other' and 'dim'/'keepdim', but expected one of: (), (Tensor other), (int dim, bool keepdim = False)"
                )));
            }
            if o.cast::<PyTensor>().is_err() {
                return Err(PyTypeError::new_err(format!(
                    "{name}(): argument 'other' must be Tensor, not {}",
                    o.get_type().name()?
                )));
            }
            Some(o)
        }
        None => dim,
    };
    if let Some(d) = dim.filter(|d| !d.is_none()) {
        if let Ok(other) = d.cast::<PyTensor>() {
            let o = &other.get().inner;
            let r = maybe_detach(py, a.numel().max(o.numel()), || if max { a.maximum(o) } else { a.minimum(o) })?;
            return PyTensor::new(r).into_py_any(py);
        }
        if d.is_instance_of::<PyTuple>() || d.is_instance_of::<pyo3::types::PyList>() {
            let name = if max { "max" } else { "min" };
            return Err(PyTypeError::new_err(format!(
                "{name}() received an invalid combination of arguments - got (tuple), but expected one of: (), (Tensor other), (int dim, bool keepdim = False)"
            )));
        }
        let d = index_arg(d, "dim")?;
        let (v, i) = maybe_detach(py, a.numel(), || if max { a.max_dim(d, keepdim) } else { a.min_dim(d, keepdim) })?;
        return named(py, if max { "max" } else { "min" }, v, i);
    }
    let r = maybe_detach(py, a.numel(), || if max { a.max_all() } else { a.min_all() })?;
    PyTensor::new(r).into_py_any(py)
}

/// `rgrad.linalg.vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (x, ord=None, dim=None, keepdim=false, *, dtype=None))]
fn _vector_norm(py: Python<'_>, x: PyRef<'_, PyTensor>, ord: Option<&Bound<'_, PyAny>>, dim: Option<&Bound<'_, PyAny>>, keepdim: bool, dtype: Option<&Bound<'_, PyAny>>) -> PyT {
    let p = match ord.filter(|o| !o.is_none()) {
        None => 2.0,
        Some(o) if o.is_instance_of::<PyString>() => {
            return Err(PyTypeError::new_err(format!("linalg.vector_norm: ord must be a number, got '{}'", o.str()?)))
        }
        Some(o) => o.extract::<f64>()?,
    };
    let dims = parse_dims(dim)?;
    let dt: Option<DType> = parse_dtype(dtype)?;
    let a = &x.inner;
    ok(maybe_detach(py, a.numel(), || a.vector_norm(p, dims.as_deref(), keepdim, dt)))
}

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_set_return_types, m)?)?;
    m.add_function(wrap_pyfunction!(_vector_norm, m)?)?;
    Ok(())
}
