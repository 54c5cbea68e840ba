//! Python bindings for indexing: `__getitem__`/`__setitem__`, index_put, gather/scatter,
//! masked ops, take, nonzero. Index expressions are parsed here; semantics live in
//! `ops::index`.

use super::convert::{index_arg, operand, scalar_of, tensor_arg, tensor_from_data};
use super::object::{int_index_view, no_graph, ok, wrap, PyT};
use super::pytensor::{maybe_detach, PyTensor};
use crate::dtype::{DType, Scalar};
use crate::error::Error;
use crate::ops::gather_scatter::ScatterReduce;
use crate::ops::index::{adjust_slice, TensorIndex};
use crate::tensor::Tensor;
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PySlice, PyTuple};
use pyo3::IntoPyObjectExt;

const BAD_INDEX: &str = "only integers, slices (`:`), ellipsis (`...`), None, booleans and integer or boolean tensors/arrays are valid indices";

/// `PySlice_Unpack`: start/stop/step with Python's defaults (None handled, `__index__` honoured).
fn unpack_slice(s: &Bound<'_, PySlice>) -> PyResult<(isize, isize, isize)> {
    let (mut start, mut stop, mut step) = (0isize, 0isize, 0isize);
    // SAFETY: `s` is a live slice object (a `Bound` proves the GIL is held and keeps it alive), and
    // the three out-pointers are this frame's locals
    let rc = unsafe { pyo3::ffi::PySlice_Unpack(s.as_ptr(), &mut start, &mut stop, &mut step) };
    if rc != 0 {
        return Err(PyErr::fetch(s.py()));
    }
    Ok((start, stop, step))
}

/// An index array (NumPy array, list) as a tensor.
fn index_tensor_from(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let t = tensor_from_data(obj, None)?;
        if t.dtype().is_float() {
            if t.numel() == 0 {
                return Ok(Tensor::empty_on(t.shape(), DType::I64, t.device())?);
            }
            return Err(PyIndexError::new_err("tensors used as indices must be long, int, byte or bool tensors"));
        }
        return Ok(t);
    }
    match super::numpy::tensor_from_array(obj, false) {
        Ok(t) => Ok(t),
        Err(e) => {
            let kind: String = obj.getattr("dtype").and_then(|d| d.getattr("kind")).and_then(|k| k.extract()).unwrap_or_default();
            if kind == "i" || kind == "u" {
                let c = obj.call_method1("astype", ("int64",))?;
                return super::numpy::tensor_from_array(&c, true);
            }
            if kind == "f" || kind == "c" {
                return Err(PyIndexError::new_err("arrays used as indices must be of integer (or boolean) type"));
            }
            Err(e)
        }
    }
}

fn parse_item(obj: &Bound<'_, PyAny>, out: &mut Vec<TensorIndex>) -> PyResult<()> {
    let py = obj.py();
    if obj.is_none() {
        out.push(TensorIndex::None);
    } else if let Ok(b) = obj.cast::<PyBool>() {
        out.push(TensorIndex::Bool(b.is_true()));
    } else if obj.is_instance_of::<PyInt>() {
        let i: isize = obj.extract().map_err(|_| PyIndexError::new_err(format!("index {obj} is out of range (does not fit in a 64-bit integer)")))?;
        out.push(TensorIndex::Int(i));
    } else if let Ok(s) = obj.cast::<PySlice>() {
        let (start, stop, step) = unpack_slice(s)?;
        out.push(TensorIndex::Slice { start, stop, step });
    } else if obj.is(py.Ellipsis()) {
        out.push(TensorIndex::Ellipsis);
    } else if let Ok(t) = obj.cast::<PyTensor>() {
        out.push(TensorIndex::Tensor(t.get().inner.clone()));
    } else if obj.is_instance_of::<PyList>() || obj.hasattr("__array_interface__")? {
        out.push(TensorIndex::Tensor(index_tensor_from(obj)?));
    } else if let Some(s) = scalar_of(obj) {
        // NumPy scalars
        match s {
            Scalar::Bool(b) => out.push(TensorIndex::Bool(b)),
            Scalar::Int(i) => out.push(TensorIndex::Int(i as isize)),
            Scalar::Float(_) => return Err(PyIndexError::new_err(format!("{BAD_INDEX} (got float)"))),
        }
    } else if let Ok(v) = obj.call_method0("__index__") {
        out.push(TensorIndex::Int(v.extract()?));
    } else {
        return Err(PyIndexError::new_err(format!("{BAD_INDEX} (got {})", obj.get_type().name()?)));
    }
    Ok(())
}

/// A Python index expression (`t[key]`) as a list of index items.
pub fn parse_index(key: &Bound<'_, PyAny>) -> PyResult<Vec<TensorIndex>> {
    let mut out = Vec::new();
    if let Ok(t) = key.cast::<PyTuple>() {
        out.reserve(t.len());
        for item in t.iter() {
            parse_item(&item, &mut out)?;
        }
    } else {
        parse_item(key, &mut out)?;
    }
    Ok(out)
}

/// A value to write: a tensor, a Python number (wrapped), or nested data / a NumPy array.
fn value_arg(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if let Some(t) = operand(obj)? {
        return Ok(t);
    }
    tensor_from_data(obj, None)
}

/// `index_put_`'s `indices`: a tuple/list of tensors (None = a full slice).
fn parse_index_list(indices: &Bound<'_, PyAny>) -> PyResult<Vec<TensorIndex>> {
    let mut out = Vec::new();
    for item in indices.try_iter()? {
        let item = item?;
        if item.is_none() {
            out.push(TensorIndex::full());
        } else if let Ok(t) = item.cast::<PyTensor>() {
            out.push(TensorIndex::Tensor(t.get().inner.clone()));
        } else {
            out.push(TensorIndex::Tensor(index_tensor_from(&item)?));
        }
    }
    Ok(out)
}

fn index_err(t: &Tensor) -> PyErr {
    let _ = t;
    PyIndexError::new_err("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
}

fn reduce_arg(reduce: Option<&str>) -> PyResult<Option<ScatterReduce>> {
    match reduce {
        None => Ok(None),
        Some("add") => Ok(Some(ScatterReduce::Sum)),
        Some("multiply") => Ok(Some(ScatterReduce::Prod)),
        Some(other) => Err(Error::Runtime(format!("reduce argument must be either add or multiply, got {other}")).into()),
    }
}

/// The third argument of `scatter`: `src` tensor or `value` number.
fn scatter_source(src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
    match (src, value) {
        (Some(s), None) | (None, Some(s)) => {
            if let Ok(t) = s.cast::<PyTensor>() {
                return Ok(t.get().inner.clone());
            }
            match scalar_of(s) {
                Some(v) => Ok(Tensor::wrapped_scalar(v)),
                None => Err(PyTypeError::new_err(format!("scatter(): src must be a Tensor or a number, not {}", s.get_type().name()?))),
            }
        }
        (Some(_), Some(_)) => Err(PyTypeError::new_err("scatter(): pass either src or value, not both")),
        (None, None) => Err(PyTypeError::new_err("scatter() missing required argument 'src' (or 'value')")),
    }
}

fn scatter_impl(t: &Tensor, dim: isize, index: &Tensor, src: &Tensor, reduce: Option<ScatterReduce>) -> crate::Result<Tensor> {
    match reduce {
        None => t.scatter_t(dim, index, src),
        Some(r) => {
            let src = if src.is_wrapped_number() {
                // a value: the same number for every index position
                let v = src.item()?;
                v.check_fits(t.dtype())?;
                Tensor::full_on(index.shape(), v, t.dtype(), t.device())?
            } else {
                src.clone()
            };
            t.scatter_reduce_t(dim, index, &src, r, true)
        }
    }
}

fn mask_value(value: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if let Ok(t) = value.cast::<PyTensor>() {
        return Ok(t.get().inner.clone());
    }
    match scalar_of(value) {
        Some(v) => Ok(Tensor::wrapped_scalar(v)),
        None => Err(PyTypeError::new_err(format!("value must be a number or a 0-dim Tensor, not {}", value.get_type().name()?))),
    }
}

/// Runs an in-place op through `inplace_from` and returns self.
pub(crate) fn inplace<'py>(slf: &Bound<'py, PyTensor>, f: impl FnOnce(&Tensor) -> crate::Result<Tensor> + Send) -> PyResult<Bound<'py, PyTensor>> {
    let t = &slf.get().inner;
    maybe_detach(slf.py(), t.numel(), || t.inplace_from(f))?;
    Ok(slf.clone())
}

#[pymethods]
impl PyTensor {
    /// `t[key]`: ints, slices (any step, negative too), None, Ellipsis, integer/boolean
    /// tensors, lists and NumPy arrays, in any combination (PyTorch's rules: an int is basic
    /// indexing even beside a list, unlike NumPy). Basic indexing
    /// returns a view; advanced indexing a copy.
    fn __getitem__<'py>(slf: &Bound<'py, Self>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let t = &slf.get().inner;
        let py = slf.py();
        // Fast paths for one Python int / one slice: no parsing, no index Vec; when no graph
        // is recorded the view is built straight from the layout.
        if key.is_exact_instance_of::<PyInt>() {
            // SAFETY: `key` is an exact Python int, alive for this call, and the GIL is held (`slf`
            // is a `Bound`)
            let i = unsafe { pyo3::ffi::PyLong_AsSsize_t(key.as_ptr()) };
            // SAFETY: the GIL is held; only the error indicator is read
            if i != -1 || unsafe { pyo3::ffi::PyErr_Occurred() }.is_null() {
                if let Some(view) = int_index_view(t, i) {
                    return wrap(py, view);
                }
                if t.layout().shape.is_empty() {
                    return Err(index_err(t));
                }
                return wrap(py, t.getitem(&[TensorIndex::Int(i)])?);
            }
            // too large for isize: the general path reports it
            // SAFETY: the GIL is held; this clears the OverflowError `PyLong_AsSsize_t` just set
            unsafe { pyo3::ffi::PyErr_Clear() };
        } else if let Ok(s) = key.cast::<PySlice>() {
            let l = t.layout();
            if l.shape.is_empty() {
                return Err(PyIndexError::new_err("too many indices for tensor of dimension 0"));
            }
            let (start, stop, step) = unpack_slice(s)?;
            if no_graph(t) {
                let (s0, n) = adjust_slice(start, stop, step, l.shape[0]);
                return wrap(py, t.with_layout(l.slice(0, s0, n, step)));
            }
            return wrap(py, t.getitem(&[TensorIndex::Slice { start, stop, step }])?);
        }
        let idx = parse_index(key)?;
        wrap(py, maybe_detach(py, t.numel(), || t.getitem(&idx))?)
    }

    /// `t[key] = value`: value (a number, tensor, list or array) is cast to t's dtype and
    /// broadcast to the indexed shape. Writes through to every view of t's storage.
    fn __setitem__(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = &slf.get().inner;
        let v = value_arg(value)?;
        if key.is(&*pyo3::types::PyBool::new(slf.py(), false)) {
            // `t[False] = v` writes nothing and checks no shapes (PyTorch special-cases it)
            return Ok(());
        }
        let idx = parse_index(key)?;
        maybe_detach(slf.py(), t.numel(), || t.setitem_(&idx, &v))?;
        Ok(())
    }

    /// `index_put_(indices, values, accumulate=False)`: `self[indices] = values` (or `+=`, with
    /// duplicate indices accumulating). `indices` is a tuple of index tensors.
    ///
    /// >>> x = rgrad.zeros(3)
    /// >>> _ = x.index_put_((rgrad.tensor([0, 2]),), rgrad.tensor([1.0, 5.0]))
    /// >>> x
    /// tensor([1., 0., 5.])
    /// >>> _ = x.index_put_((rgrad.tensor([0, 0]),), rgrad.tensor(1.0), accumulate=True)
    /// >>> x
    /// tensor([3., 0., 5.])
    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_<'py>(slf: &Bound<'py, Self>, indices: &Bound<'py, PyAny>, values: &Bound<'py, PyAny>, accumulate: bool) -> PyResult<Bound<'py, Self>> {
        let t = &slf.get().inner;
        let idx = parse_index_list(indices)?;
        let v = value_arg(values)?;
        if !v.is_wrapped_number() && v.dtype() != t.dtype() {
            return Err(Error::Runtime(format!(
                "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                crate::tensor::dtype_title(t.dtype()),
                crate::tensor::dtype_title(v.dtype())
            ))
            .into());
        }
        maybe_detach(slf.py(), t.numel(), || t.index_put_impl_(&idx, &v, accumulate))?;
        Ok(slf.clone())
    }

    /// `index_put(indices, values, accumulate=False)`: out-of-place `index_put_`.
    ///
    /// >>> rgrad.zeros(2, 2).index_put((rgrad.tensor([0, 1]), rgrad.tensor([1, 0])), rgrad.tensor(7.0))
    /// tensor([[0., 7.],
    ///         [7., 0.]])
    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(&self, py: Python<'_>, indices: &Bound<'_, PyAny>, values: &Bound<'_, PyAny>, accumulate: bool) -> PyT {
        let t = &self.inner;
        let idx = parse_index_list(indices)?;
        let v = value_arg(values)?;
        if !v.is_wrapped_number() && v.dtype() != t.dtype() {
            return Err(Error::Runtime(format!(
                "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                crate::tensor::dtype_title(t.dtype()),
                crate::tensor::dtype_title(v.dtype())
            ))
            .into());
        }
        ok(maybe_detach(py, t.numel(), || t.index_put_t(&idx, &v, accumulate)))
    }

    /// `index_select(dim, index)`: slices at `index` (a 1-D integer tensor) along `dim`.
    ///
    /// >>> x = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    /// >>> x.index_select(1, rgrad.tensor([2, 0]))
    /// tensor([[3, 1],
    ///         [6, 4]])
    /// >>> x.index_select(0, rgrad.tensor([1, 1]))
    /// tensor([[4, 5, 6],
    ///         [4, 5, 6]])
    fn index_select(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>) -> PyT {
        let i = tensor_arg(index, "index")?;
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.index_select(dim, &i)))
    }

    /// `gather(dim, index)`: `out[i][j] = self[index[i][j]][j]` for dim 0 (shape of `index`).
    ///
    /// >>> x = rgrad.tensor([[1, 2], [3, 4]])
    /// >>> x.gather(1, rgrad.tensor([[0, 0], [1, 0]]))
    /// tensor([[1, 1],
    ///         [4, 3]])
    #[pyo3(signature = (dim, index, *, sparse_grad=false))]
    fn gather(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, sparse_grad: bool) -> PyT {
        let _ = sparse_grad;
        let i = tensor_arg(index, "index")?;
        let t = &self.inner;
        ok(maybe_detach(py, i.numel(), || t.gather(dim, &i)))
    }

    /// `scatter(dim, index, src, *, reduce=None)` or `scatter(dim, index, value)`: a copy with
    /// `src` (or `value`) written at `index` along `dim`; reduce='add'/'multiply' combines.
    ///
    /// >>> x = rgrad.zeros(2, 3)
    /// >>> x.scatter(1, rgrad.tensor([[2], [0]]), rgrad.tensor([[5.0], [6.0]]))
    /// tensor([[0., 0., 5.],
    ///         [6., 0., 0.]])
    /// >>> x.scatter(1, rgrad.tensor([[0, 1]]), 9.0)
    /// tensor([[9., 9., 0.],
    ///         [0., 0., 0.]])
    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, src: Option<&Bound<'_, PyAny>>, value: Option<&Bound<'_, PyAny>>, reduce: Option<&str>) -> PyT {
        let i = tensor_arg(index, "index")?;
        let s = scatter_source(src, value)?;
        let r = reduce_arg(reduce)?;
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || scatter_impl(t, dim, &i, &s, r)))
    }

    /// In-place `scatter`.
    ///
    /// >>> x = rgrad.zeros(4)
    /// >>> _ = x.scatter_(0, rgrad.tensor([1, 3]), rgrad.tensor([1.0, 2.0]))
    /// >>> x
    /// tensor([0., 1., 0., 2.])
    #[pyo3(signature = (dim, index, src=None, *, value=None, reduce=None))]
    fn scatter_<'py>(slf: &Bound<'py, Self>, dim: isize, index: &Bound<'py, PyAny>, src: Option<&Bound<'py, PyAny>>, value: Option<&Bound<'py, PyAny>>, reduce: Option<&str>) -> PyResult<Bound<'py, Self>> {
        let i = tensor_arg(index, "index")?;
        let s = scatter_source(src, value)?;
        let r = reduce_arg(reduce)?;
        inplace(slf, move |x| scatter_impl(x, dim, &i, &s, r))
    }

    /// `scatter_add(dim, index, src)`: adds `src` at `index` along `dim` (duplicates accumulate).
    ///
    /// >>> rgrad.zeros(3).scatter_add(0, rgrad.tensor([0, 1, 0, 2]), rgrad.tensor([1.0, 2.0, 3.0, 4.0]))
    /// tensor([4., 2., 4.])
    fn scatter_add(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, src: &Bound<'_, PyAny>) -> PyT {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(src, "src")?);
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.scatter_add_t(dim, &i, &s)))
    }

    /// In-place `scatter_add`.
    ///
    /// >>> x = rgrad.ones(3)
    /// >>> _ = x.scatter_add_(0, rgrad.tensor([2, 2]), rgrad.tensor([1.0, 1.0]))
    /// >>> x
    /// tensor([1., 1., 3.])
    fn scatter_add_<'py>(slf: &Bound<'py, Self>, dim: isize, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(src, "src")?);
        inplace(slf, move |x| x.scatter_add_t(dim, &i, &s))
    }

    /// `scatter_reduce(dim, index, src, reduce, *, include_self=True)`; reduce is one of
    /// "sum", "prod", "mean", "amax", "amin".
    ///
    /// >>> src = rgrad.tensor([1.0, 5.0, 2.0, 4.0])
    /// >>> index = rgrad.tensor([0, 0, 1, 1])
    /// >>> rgrad.zeros(2).scatter_reduce(0, index, src, "amax")
    /// tensor([5., 4.])
    /// >>> rgrad.zeros(2).scatter_reduce(0, index, src, "mean", include_self=False)
    /// tensor([3., 3.])
    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, src: &Bound<'_, PyAny>, reduce: &str, include_self: bool) -> PyT {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(src, "src")?);
        let r = ScatterReduce::parse(reduce)?;
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.scatter_reduce_t(dim, &i, &s, r, include_self)))
    }

    /// In-place `scatter_reduce`.
    ///
    /// >>> x = rgrad.ones(2)
    /// >>> _ = x.scatter_reduce_(0, rgrad.tensor([0, 0, 1]), rgrad.tensor([2.0, 3.0, 4.0]), "prod")
    /// >>> x
    /// tensor([6., 4.])
    #[pyo3(signature = (dim, index, src, reduce, *, include_self=true))]
    fn scatter_reduce_<'py>(slf: &Bound<'py, Self>, dim: isize, index: &Bound<'py, PyAny>, src: &Bound<'py, PyAny>, reduce: &str, include_self: bool) -> PyResult<Bound<'py, Self>> {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(src, "src")?);
        let r = ScatterReduce::parse(reduce)?;
        inplace(slf, move |x| x.scatter_reduce_t(dim, &i, &s, r, include_self))
    }

    /// `index_add(dim, index, source, *, alpha=1)`: adds `alpha * source` at `index` along `dim`.
    ///
    /// >>> x = rgrad.zeros(3, 2)
    /// >>> x.index_add(0, rgrad.tensor([0, 2, 0]), rgrad.ones(3, 2), alpha=10)
    /// tensor([[20., 20.],
    ///         [ 0.,  0.],
    ///         [10., 10.]])
    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, source: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(source, "source")?);
        let a = alpha.and_then(|a| scalar_of(a));
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.index_add_t(dim, &i, &s, a)))
    }

    /// In-place `index_add`.
    ///
    /// >>> x = rgrad.zeros(3)
    /// >>> _ = x.index_add_(0, rgrad.tensor([1, 1]), rgrad.tensor([2.0, 3.0]))
    /// >>> x
    /// tensor([0., 5., 0.])
    #[pyo3(signature = (dim, index, source, *, alpha=None))]
    fn index_add_<'py>(slf: &Bound<'py, Self>, dim: isize, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(source, "source")?);
        let a = alpha.and_then(|a| scalar_of(a));
        inplace(slf, move |x| x.index_add_t(dim, &i, &s, a))
    }

    /// `index_copy(dim, index, source)`: copies `source` slices to `index` along `dim`.
    ///
    /// >>> rgrad.zeros(3, 2).index_copy(0, rgrad.tensor([2, 0]), rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
    /// tensor([[3., 4.],
    ///         [0., 0.],
    ///         [1., 2.]])
    fn index_copy(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, source: &Bound<'_, PyAny>) -> PyT {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(source, "source")?);
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.index_copy_t(dim, &i, &s)))
    }

    /// In-place `index_copy`.
    ///
    /// >>> x = rgrad.zeros(4)
    /// >>> _ = x.index_copy_(0, rgrad.tensor([3, 0]), rgrad.tensor([1.0, 2.0]))
    /// >>> x
    /// tensor([2., 0., 0., 1.])
    fn index_copy_<'py>(slf: &Bound<'py, Self>, dim: isize, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(source, "source")?);
        inplace(slf, move |x| x.index_copy_t(dim, &i, &s))
    }

    /// `index_fill(dim, index, value)`: fills the slices at `index` along `dim` with `value`.
    ///
    /// >>> rgrad.zeros(2, 3).index_fill(1, rgrad.tensor([0, 2]), -1.0)
    /// tensor([[-1.,  0., -1.],
    ///         [-1.,  0., -1.]])
    fn index_fill(&self, py: Python<'_>, dim: isize, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyT {
        let (i, v) = (tensor_arg(index, "index")?, mask_value(value)?);
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.index_fill_t(dim, &i, &v)))
    }

    /// In-place `index_fill`.
    ///
    /// >>> x = rgrad.zeros(3)
    /// >>> _ = x.index_fill_(0, rgrad.tensor([1]), 5.0)
    /// >>> x
    /// tensor([0., 5., 0.])
    fn index_fill_<'py>(slf: &Bound<'py, Self>, dim: isize, index: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let (i, v) = (tensor_arg(index, "index")?, mask_value(value)?);
        inplace(slf, move |x| x.index_fill_t(dim, &i, &v))
    }

    /// `masked_fill(mask, value)`: `value` (a number or 0-d tensor) where `mask` is true.
    ///
    /// >>> x = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    /// >>> x.masked_fill(x > 2, 0.0)
    /// tensor([[1., 2.],
    ///         [0., 0.]])
    /// >>> x.masked_fill(rgrad.tensor([True, False]), -1.0)  # the mask broadcasts
    /// tensor([[-1.,  2.],
    ///         [-1.,  4.]])
    fn masked_fill(&self, py: Python<'_>, mask: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyT {
        let (m, v) = (tensor_arg(mask, "mask")?, mask_value(value)?);
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.masked_fill_t(&m, &v)))
    }

    /// In-place `masked_fill` (the mask must broadcast to self's shape).
    ///
    /// >>> x = rgrad.tensor([1.0, -2.0, 3.0])
    /// >>> _ = x.masked_fill_(x < 0, 0.0)
    /// >>> x
    /// tensor([1., 0., 3.])
    fn masked_fill_<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let (m, v) = (tensor_arg(mask, "mask")?, mask_value(value)?);
        let t = &slf.get().inner;
        if !crate::autograd::needs_grad(&[t, &v]) {
            // no graph: write in place directly (only where the mask is set, so an expanded
            // tensor may be filled, as PyTorch allows)
            crate::ops::checks::check_fill_allowed(t)?;
            if v.rank() != 0 {
                return Err(Error::Runtime(format!("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).", v.rank())).into());
            }
            if m.dtype() != DType::Bool {
                return Err(Error::Runtime(format!("masked_fill_ only supports boolean masks, but got mask with dtype {}", m.dtype())).into());
            }
            let value = v.item()?;
            if v.is_wrapped_number() {
                value.check_fits(t.dtype())?;
            }
            maybe_detach(slf.py(), t.numel(), || t.masked_fill_raw(&m, value))?;
            t.storage().bump_version();
            return Ok(slf.clone());
        }
        inplace(slf, move |x| x.masked_fill_t(&m, &v))
    }

    /// `masked_select(mask)`: a 1-D tensor of the elements where `mask` is true (broadcast).
    ///
    /// >>> x = rgrad.tensor([[1, 2], [3, 4]])
    /// >>> x.masked_select(x % 2 == 0)
    /// tensor([2, 4])
    fn masked_select(&self, py: Python<'_>, mask: &Bound<'_, PyAny>) -> PyT {
        let m = tensor_arg(mask, "mask")?;
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.masked_select(&m)))
    }

    /// `masked_scatter(mask, source)`: true positions take consecutive elements of `source`.
    ///
    /// >>> x = rgrad.zeros(4)
    /// >>> x.masked_scatter(rgrad.tensor([True, False, True, False]), rgrad.tensor([1.0, 2.0, 3.0]))
    /// tensor([1., 0., 2., 0.])
    fn masked_scatter(&self, py: Python<'_>, mask: &Bound<'_, PyAny>, source: &Bound<'_, PyAny>) -> PyT {
        let (m, s) = (tensor_arg(mask, "mask")?, tensor_arg(source, "source")?);
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.masked_scatter_t(&m, &s)))
    }

    /// In-place `masked_scatter`.
    ///
    /// >>> x = rgrad.zeros(3)
    /// >>> _ = x.masked_scatter_(rgrad.tensor([False, True, True]), rgrad.tensor([7.0, 8.0]))
    /// >>> x
    /// tensor([0., 7., 8.])
    fn masked_scatter_<'py>(slf: &Bound<'py, Self>, mask: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let (m, s) = (tensor_arg(mask, "mask")?, tensor_arg(source, "source")?);
        inplace(slf, move |x| x.masked_scatter_t(&m, &s))
    }

    /// `take(index)`: elements of the flattened tensor at `index`, in `index`'s shape.
    ///
    /// >>> x = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    /// >>> x.take(rgrad.tensor([0, 5, 2]))
    /// tensor([1, 6, 3])
    /// >>> x.take(rgrad.tensor([[0, 1], [-1, -2]]))
    /// tensor([[1, 2],
    ///         [6, 5]])
    fn take(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyT {
        let i = tensor_arg(index, "index")?;
        let t = &self.inner;
        ok(maybe_detach(py, i.numel(), || t.take(&i)))
    }

    /// `put(index, source, accumulate=False)`: a copy with `source` written (or, with
    /// `accumulate`, added) at the flat row-major positions `index` (int64, any shape).
    ///
    /// >>> x = rgrad.zeros(2, 2)
    /// >>> x.put(rgrad.tensor([0, 3]), rgrad.tensor([1.0, 2.0]))
    /// tensor([[1., 0.],
    ///         [0., 2.]])
    /// >>> x.put(rgrad.tensor([1, 1]), rgrad.tensor([1.0, 2.0]), accumulate=True)
    /// tensor([[0., 3.],
    ///         [0., 0.]])
    #[pyo3(signature = (index, source, accumulate=false))]
    fn put(&self, py: Python<'_>, index: &Bound<'_, PyAny>, source: &Bound<'_, PyAny>, accumulate: bool) -> PyT {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(source, "source")?);
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.put_t(&i, &s, accumulate)))
    }

    /// `put_(index, source, accumulate=False)`: in-place `put`.
    ///
    /// >>> x = rgrad.zeros(3)
    /// >>> _ = x.put_(rgrad.tensor([2]), rgrad.tensor([9.0]))
    /// >>> x
    /// tensor([0., 0., 9.])
    #[pyo3(signature = (index, source, accumulate=false))]
    fn put_<'py>(slf: &Bound<'py, Self>, index: &Bound<'py, PyAny>, source: &Bound<'py, PyAny>, accumulate: bool) -> PyResult<Bound<'py, Self>> {
        let (i, s) = (tensor_arg(index, "index")?, tensor_arg(source, "source")?);
        inplace(slf, move |x| x.put_t(&i, &s, accumulate))
    }

    /// `take_along_dim(indices, dim=None)`: gather with broadcasting (flattened when dim is None).
    ///
    /// >>> x = rgrad.tensor([[10, 30, 20], [60, 40, 50]])
    /// >>> x.take_along_dim(x.argsort(dim=1), dim=1)
    /// tensor([[10, 20, 30],
    ///         [40, 50, 60]])
    /// >>> x.take_along_dim(rgrad.tensor([5, 0]))  # dim=None: the flattened tensor
    /// tensor([50, 10])
    #[pyo3(signature = (indices, dim=None))]
    fn take_along_dim(&self, py: Python<'_>, indices: &Bound<'_, PyAny>, dim: Option<&Bound<'_, PyAny>>) -> PyT {
        let i = tensor_arg(indices, "indices")?;
        let d = match dim {
            Some(d) if !d.is_none() => Some(index_arg(d, "dim")?),
            _ => None,
        };
        let t = &self.inner;
        ok(maybe_detach(py, i.numel(), || t.take_along_dim(&i, d)))
    }

    /// `nonzero(*, as_tuple=False)`: an (n, ndim) int64 tensor of the non-zero coordinates, or a
    /// tuple of ndim 1-D tensors with `as_tuple=True`.
    ///
    /// >>> x = rgrad.tensor([[0, 1], [2, 0]])
    /// >>> x.nonzero()
    /// tensor([[0, 1],
    ///         [1, 0]])
    /// >>> x.nonzero(as_tuple=True)
    /// (tensor([0, 1]), tensor([1, 0]))
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero(&self, py: Python<'_>, as_tuple: bool) -> PyResult<Py<PyAny>> {
        let t = &self.inner;
        if as_tuple {
            let cols = maybe_detach(py, t.numel(), || t.nonzero_tuple())?;
            let items: Vec<PyTensor> = cols.into_iter().map(PyTensor::new).collect();
            return PyTuple::new(py, items)?.into_py_any(py);
        }
        PyTensor::new(maybe_detach(py, t.numel(), || t.nonzero())?).into_py_any(py)
    }

    /// `argwhere()`: same as `nonzero()`.
    ///
    /// >>> rgrad.tensor([0.0, 1.5, 0.0, 2.0]).argwhere()
    /// tensor([[1],
    ///         [3]])
    fn argwhere(&self, py: Python<'_>) -> PyT {
        let t = &self.inner;
        ok(maybe_detach(py, t.numel(), || t.nonzero()))
    }
}

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
