//! Python bindings for joining/rearranging/sorting: `#[pymethods]` on Tensor and module functions.

use super::convert::{index_arg, operand, parse_sizes, tensor_arg};
use super::convert::parse_dims;
use super::object::{ok, PyT};
use super::pytensor::{maybe_detach, PyTensor};
use crate::error::Error;
use crate::ops::join;
use crate::ops::sort_ops;
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PySequence, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

/// `out=` is handled by the public Python wrappers (`python/rgrad/_out.py`); these raw
/// bindings keep the keyword in their signatures but refuse a tensor there.
fn no_out(out: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    if out.is_some_and(|o| !o.is_none()) {
        return Err(PyTypeError::new_err("out= is handled by the rgrad.* function, not the raw _rgrad binding"));
    }
    Ok(())
}

/// A list/tuple of tensors (`what` names the function in messages).
fn tensor_list(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Tensor>> {
    if obj.is_instance_of::<PyTensor>() {
        // a tensor is a sequence of its rows, as in PyTorch
        let t = &obj.cast::<PyTensor>()?.get().inner;
        return Ok(t.unbind(0)?);
    }
    let Ok(seq) = obj.cast::<PySequence>() else {
        return Err(PyTypeError::new_err(format!(
            "{what}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            obj.get_type().name()?
        )));
    };
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!("{what}(): argument 'tensors' (position 1) must be tuple of Tensors, not str")));
    }
    let mut out = Vec::with_capacity(seq.len()?);
    for (i, item) in seq.try_iter()?.enumerate() {
        let item = item?;
        match item.cast::<PyTensor>() {
            Ok(t) => out.push(t.get().inner.clone()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "expected Tensor as element {i} in argument 0, but got {}",
                    item.get_type().name()?
                )))
            }
        }
    }
    Ok(out)
}

/// Tensors given as varargs or as one list/tuple.
fn tensors_varargs(args: &Bound<'_, PyTuple>, what: &str) -> PyResult<Vec<Tensor>> {
    if args.len() == 1 && !args.get_item(0)?.is_instance_of::<PyTensor>() {
        return tensor_list(&args.get_item(0)?, what);
    }
    tensor_list(args.as_any(), what)
}

fn tuple_of(py: Python<'_>, ts: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let items: Vec<PyTensor> = ts.into_iter().map(PyTensor::new).collect();
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

/// A `torch.return_types`-style named tuple (defined in python/rgrad/_joining.py).
fn named(py: Python<'_>, name: &str, a: Tensor, b: Tensor) -> PyResult<Py<PyAny>> {
    let cls = py.import("rgrad.return_types")?.getattr(name)?;
    Ok(cls.call1((PyTensor::new(a), PyTensor::new(b)))?.unbind())
}

/// An int or a sequence of ints.
fn int_or_ints(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<isize>> {
    if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyTensor>() {
        return Ok(vec![index_arg(obj, what)?]);
    }
    parse_sizes(&PyTuple::new(obj.py(), [obj])?)
}

/// `unique` results as PyTorch returns them: a tensor, or a tuple with inverse/counts.
fn unique_result(py: Python<'_>, u: sort_ops::UniqueOut, inv: bool, cnt: bool) -> PyResult<Py<PyAny>> {
    if !inv && !cnt {
        return PyTensor::new(u.values).into_py_any(py);
    }
    let mut items = vec![PyTensor::new(u.values)];
    if inv {
        items.push(PyTensor::new(u.inverse));
    }
    if cnt {
        items.push(PyTensor::new(u.counts));
    }
    Ok(PyTuple::new(py, items)?.into_any().unbind())
}

#[pymethods]
impl PyTensor {
    /// `flip(dims)`: a copy with the element order reversed along each of `dims`.
    ///
    /// >>> x = rgrad.tensor([[1, 2], [3, 4]])
    /// >>> x.flip(0)
    /// tensor([[3, 4],
    ///         [1, 2]])
    /// >>> x.flip(0, 1)
    /// tensor([[4, 3],
    ///         [2, 1]])
    #[pyo3(signature = (*args, dims=None))]
    fn flip(&self, py: Python<'_>, args: &Bound<'_, PyTuple>, dims: Option<&Bound<'_, PyAny>>) -> PyT {
        let ds = match dims {
            Some(d) => int_or_ints(d, "dims")?,
            None => parse_sizes(args)?,
        };
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.flip(&ds)))
    }
    /// `fliplr()`: flips dim 1 (left/right); needs >= 2 dims.
    ///
    /// >>> rgrad.tensor([[1, 2, 3], [4, 5, 6]]).fliplr()
    /// tensor([[3, 2, 1],
    ///         [6, 5, 4]])
    fn fliplr(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.fliplr()))
    }
    /// `flipud()`: flips dim 0 (up/down); needs >= 1 dim.
    ///
    /// >>> rgrad.tensor([[1, 2, 3], [4, 5, 6]]).flipud()
    /// tensor([[4, 5, 6],
    ///         [1, 2, 3]])
    fn flipud(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.flipud()))
    }
    /// `roll(shifts, dims=None)`: circular shift along dims (the flattened tensor if None).
    ///
    /// >>> x = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    /// >>> x.roll(1)  # the flattened tensor
    /// tensor([[6, 1, 2],
    ///         [3, 4, 5]])
    /// >>> x.roll(1, dims=1)
    /// tensor([[3, 1, 2],
    ///         [6, 4, 5]])
    /// >>> x.roll((1, -1), dims=(0, 1))
    /// tensor([[5, 6, 4],
    ///         [2, 3, 1]])
    #[pyo3(signature = (shifts, dims=None))]
    fn roll(&self, py: Python<'_>, shifts: &Bound<'_, PyAny>, dims: Option<&Bound<'_, PyAny>>) -> PyT {
        let s = int_or_ints(shifts, "shifts")?;
        let d = match dims {
            Some(d) if !d.is_none() => int_or_ints(d, "dims")?,
            _ => vec![],
        };
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.roll(&s, &d)))
    }
    /// `rot90(k=1, dims=(0, 1))`: rotates by 90 degrees k times in the plane of `dims`.
    ///
    /// >>> x = rgrad.tensor([[1, 2], [3, 4]])
    /// >>> x.rot90()
    /// tensor([[2, 4],
    ///         [1, 3]])
    /// >>> x.rot90(2)
    /// tensor([[4, 3],
    ///         [2, 1]])
    #[pyo3(signature = (k=1, dims=None))]
    fn rot90(&self, py: Python<'_>, k: isize, dims: Option<&Bound<'_, PyAny>>) -> PyT {
        let d = match dims {
            Some(d) if !d.is_none() => int_or_ints(d, "dims")?,
            _ => vec![0, 1],
        };
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.rot90(k, &d)))
    }
    /// `repeat(*sizes)`: tiles the tensor along each dim (PyTorch's repeat, NumPy's tile).
    ///
    /// >>> x = rgrad.tensor([1, 2])
    /// >>> x.repeat(2)
    /// tensor([1, 2, 1, 2])
    /// >>> x.repeat(2, 3)
    /// tensor([[1, 2, 1, 2, 1, 2],
    ///         [1, 2, 1, 2, 1, 2]])
    #[pyo3(signature = (*sizes))]
    fn repeat(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyT {
        let s = parse_sizes(sizes)?;
        let a = &self.inner;
        let n = a.numel() * s.iter().map(|&v| v.max(0) as usize).product::<usize>();
        ok(maybe_detach(py, n, || a.repeat(&s)))
    }
    /// `tile(dims)`: `repeat` with missing leading repeat counts taken as 1.
    ///
    /// >>> rgrad.tensor([[1, 2], [3, 4]]).tile((2,))  # as tile((1, 2))
    /// tensor([[1, 2, 1, 2],
    ///         [3, 4, 3, 4]])
    #[pyo3(signature = (*dims))]
    fn tile(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyT {
        let s = parse_sizes(dims)?;
        let a = &self.inner;
        let n = a.numel() * s.iter().map(|&v| v.max(0) as usize).product::<usize>();
        ok(maybe_detach(py, n, || a.tile(&s)))
    }
    /// `repeat_interleave(repeats, dim=None, *, output_size=None)`: repeats each element
    /// (int repeats, or a 1-D tensor of per-element counts).
    ///
    /// >>> x = rgrad.tensor([[1, 2], [3, 4]])
    /// >>> x.repeat_interleave(2)
    /// tensor([1, 1, 2, 2, 3, 3, 4, 4])
    /// >>> x.repeat_interleave(rgrad.tensor([1, 2]), dim=0)
    /// tensor([[1, 2],
    ///         [3, 4],
    ///         [3, 4]])
    #[pyo3(signature = (repeats, dim=None, *, output_size=None))]
    fn repeat_interleave(&self, py: Python<'_>, repeats: &Bound<'_, PyAny>, dim: Option<isize>, output_size: Option<isize>) -> PyT {
        let a = &self.inner;
        if let Ok(r) = repeats.cast::<PyTensor>() {
            let r = r.get().inner.clone();
            return ok(maybe_detach(py, a.numel(), || a.repeat_interleave_tensor(&r, dim, output_size)));
        }
        let r = index_arg(repeats, "repeats")?;
        ok(maybe_detach(py, a.numel() * r.max(0) as usize, || a.repeat_interleave_int(r, dim, output_size)))
    }
    /// `sort(dim=-1, descending=False, *, stable=False)` -> (values, indices); NaN sorts largest.
    ///
    /// >>> x = rgrad.tensor([3.0, 1.0, float('nan'), 2.0])
    /// >>> x.sort()
    /// rgrad.return_types.sort(
    /// values=tensor([ 1.,  2.,  3., nan]),
    /// indices=tensor([1, 3, 0, 2]))
    /// >>> x.sort(descending=True).values
    /// tensor([nan,  3.,  2.,  1.])
    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn sort(&self, py: Python<'_>, dim: isize, descending: bool, stable: bool) -> PyResult<Py<PyAny>> {
        let a = &self.inner;
        let (v, i) = maybe_detach(py, a.numel(), || a.sort(dim, descending, stable))?;
        named(py, "sort", v, i)
    }
    /// `argsort(dim=-1, descending=False, *, stable=False)`: indices that sort the tensor.
    ///
    /// >>> x = rgrad.tensor([[3, 1, 2], [0, 5, 4]])
    /// >>> x.argsort()
    /// tensor([[1, 2, 0],
    ///         [0, 2, 1]])
    /// >>> x.argsort(dim=0, descending=True)
    /// tensor([[0, 1, 1],
    ///         [1, 0, 0]])
    #[pyo3(signature = (dim=-1, descending=false, *, stable=false))]
    fn argsort(&self, py: Python<'_>, dim: isize, descending: bool, stable: bool) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.argsort(dim, descending, stable)))
    }
    /// `msort()`: sorted along dim 0.
    ///
    /// >>> rgrad.tensor([[3, 1], [2, 4], [1, 0]]).msort()
    /// tensor([[1, 0],
    ///         [2, 1],
    ///         [3, 4]])
    fn msort(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.msort()))
    }
    /// `topk(k, dim=-1, largest=True, sorted=True)` -> (values, indices).
    ///
    /// >>> x = rgrad.tensor([1.0, 5.0, 3.0, 4.0])
    /// >>> x.topk(2)
    /// rgrad.return_types.topk(
    /// values=tensor([5., 4.]),
    /// indices=tensor([1, 3]))
    /// >>> x.topk(2, largest=False).indices
    /// tensor([0, 2])
    #[pyo3(signature = (k, dim=-1, largest=true, sorted=true))]
    fn topk(&self, py: Python<'_>, k: &Bound<'_, PyAny>, dim: isize, largest: bool, sorted: bool) -> PyResult<Py<PyAny>> {
        let k = index_arg(k, "k")?;
        let a = &self.inner;
        let (v, i) = maybe_detach(py, a.numel(), || a.topk(k, dim, largest, sorted))?;
        named(py, "topk", v, i)
    }
    /// `kthvalue(k, dim=-1, keepdim=False)` -> (values, indices): the k-th smallest along dim.
    ///
    /// >>> x = rgrad.tensor([[5.0, 1.0, 3.0], [2.0, 6.0, 4.0]])
    /// >>> x.kthvalue(2)
    /// rgrad.return_types.kthvalue(
    /// values=tensor([3., 4.]),
    /// indices=tensor([2, 2]))
    #[pyo3(signature = (k, dim=-1, keepdim=false))]
    fn kthvalue(&self, py: Python<'_>, k: &Bound<'_, PyAny>, dim: isize, keepdim: bool) -> PyResult<Py<PyAny>> {
        let k = index_arg(k, "k")?;
        let a = &self.inner;
        let (v, i) = maybe_detach(py, a.numel(), || a.kthvalue(k, dim, keepdim))?;
        named(py, "kthvalue", v, i)
    }
    /// `unique(sorted=True, return_inverse=False, return_counts=False, dim=None)`.
    ///
    /// >>> x = rgrad.tensor([3, 1, 3, 2, 1])
    /// >>> x.unique()
    /// tensor([1, 2, 3])
    /// >>> x.unique(return_inverse=True, return_counts=True)
    /// (tensor([1, 2, 3]), tensor([2, 0, 2, 1, 0]), tensor([2, 1, 2]))
    #[pyo3(signature = (sorted=true, return_inverse=false, return_counts=false, dim=None))]
    fn unique(&self, py: Python<'_>, sorted: bool, return_inverse: bool, return_counts: bool, dim: Option<isize>) -> PyResult<Py<PyAny>> {
        let _ = sorted;
        let a = &self.inner;
        let u = maybe_detach(py, a.numel(), || a.unique(return_inverse, return_counts, dim))?;
        unique_result(py, u, return_inverse, return_counts)
    }
    /// `unique_consecutive(return_inverse=False, return_counts=False, dim=None)`: collapses runs.
    ///
    /// >>> x = rgrad.tensor([1, 1, 2, 2, 2, 1])
    /// >>> x.unique_consecutive()
    /// tensor([1, 2, 1])
    /// >>> x.unique_consecutive(return_counts=True)
    /// (tensor([1, 2, 1]), tensor([2, 3, 1]))
    #[pyo3(signature = (return_inverse=false, return_counts=false, dim=None))]
    fn unique_consecutive(&self, py: Python<'_>, return_inverse: bool, return_counts: bool, dim: Option<isize>) -> PyResult<Py<PyAny>> {
        let a = &self.inner;
        let u = maybe_detach(py, a.numel(), || a.unique_consecutive(return_inverse, return_counts, dim))?;
        unique_result(py, u, return_inverse, return_counts)
    }
    /// `tril(diagonal=0)`: lower triangle of the last two dims.
    ///
    /// >>> x = rgrad.ones(3, 3)
    /// >>> x.tril()
    /// tensor([[1., 0., 0.],
    ///         [1., 1., 0.],
    ///         [1., 1., 1.]])
    /// >>> x.tril(-1)
    /// tensor([[0., 0., 0.],
    ///         [1., 0., 0.],
    ///         [1., 1., 0.]])
    #[pyo3(signature = (diagonal=0))]
    fn tril(&self, py: Python<'_>, diagonal: isize) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.tril(diagonal)))
    }
    /// `triu(diagonal=0)`: upper triangle of the last two dims.
    ///
    /// >>> x = rgrad.ones(3, 3)
    /// >>> x.triu()
    /// tensor([[1., 1., 1.],
    ///         [0., 1., 1.],
    ///         [0., 0., 1.]])
    /// >>> x.triu(1)
    /// tensor([[0., 1., 1.],
    ///         [0., 0., 1.],
    ///         [0., 0., 0.]])
    #[pyo3(signature = (diagonal=0))]
    fn triu(&self, py: Python<'_>, diagonal: isize) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.triu(diagonal)))
    }
    /// In-place `tril`: zeros above the `diagonal`-th diagonal of the last two dims; returns self.
    ///
    /// >>> x = rgrad.ones(2, 2)
    /// >>> _ = x.tril_()
    /// >>> x
    /// tensor([[1., 0.],
    ///         [1., 1.]])
    #[pyo3(signature = (diagonal=0))]
    fn tril_<'py>(slf: &Bound<'py, Self>, diagonal: isize) -> PyResult<Bound<'py, Self>> {
        super::indexing::inplace(slf, move |x| x.tril(diagonal))
    }
    /// In-place `triu`: zeros below the `diagonal`-th diagonal of the last two dims; returns self.
    ///
    /// >>> x = rgrad.ones(2, 2)
    /// >>> _ = x.triu_()
    /// >>> x
    /// tensor([[1., 1.],
    ///         [0., 1.]])
    #[pyo3(signature = (diagonal=0))]
    fn triu_<'py>(slf: &Bound<'py, Self>, diagonal: isize) -> PyResult<Bound<'py, Self>> {
        super::indexing::inplace(slf, move |x| x.triu(diagonal))
    }
    /// `diag(diagonal=0)`: 1-D -> diagonal matrix; 2-D -> its diagonal.
    ///
    /// >>> rgrad.tensor([1, 2]).diag()
    /// tensor([[1, 0],
    ///         [0, 2]])
    /// >>> rgrad.tensor([[1, 2], [3, 4]]).diag()
    /// tensor([1, 4])
    /// >>> rgrad.tensor([1, 2]).diag(1)
    /// tensor([[0, 1, 0],
    ///         [0, 0, 2],
    ///         [0, 0, 0]])
    #[pyo3(signature = (diagonal=0))]
    fn diag(&self, diagonal: isize) -> PyT {
        ok(self.inner.diag(diagonal))
    }
    /// `diagonal(offset=0, dim1=0, dim2=1)`: a view of a diagonal (appended as the last dim).
    ///
    /// >>> x = rgrad.arange(9).reshape(3, 3)
    /// >>> x.diagonal()
    /// tensor([0, 4, 8])
    /// >>> x.diagonal(offset=1)
    /// tensor([1, 5])
    /// >>> rgrad.arange(8).reshape(2, 2, 2).diagonal(dim1=1, dim2=2)
    /// tensor([[0, 3],
    ///         [4, 7]])
    #[pyo3(signature = (offset=0, dim1=0, dim2=1))]
    fn diagonal(&self, offset: isize, dim1: isize, dim2: isize) -> PyT {
        ok(self.inner.diagonal(offset, dim1, dim2))
    }
    /// `diag_embed(offset=0, dim1=-2, dim2=-1)`: last dim placed on diagonals of new planes.
    ///
    /// >>> rgrad.tensor([1, 2]).diag_embed()
    /// tensor([[1, 0],
    ///         [0, 2]])
    /// >>> rgrad.tensor([1, 2]).diag_embed(offset=1)
    /// tensor([[0, 1, 0],
    ///         [0, 0, 2],
    ///         [0, 0, 0]])
    /// >>> rgrad.zeros(4, 3).diag_embed().shape  # a batch of 4 diagonal 3x3 matrices
    /// rgrad.Size([4, 3, 3])
    #[pyo3(signature = (offset=0, dim1=-2, dim2=-1))]
    fn diag_embed(&self, offset: isize, dim1: isize, dim2: isize) -> PyT {
        ok(self.inner.diag_embed(offset, dim1, dim2))
    }
    /// `trace()`: sum of the main diagonal of a matrix.
    ///
    /// >>> rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]).trace()
    /// tensor(5.)
    fn trace(&self) -> PyT {
        ok(self.inner.trace())
    }
    /// `movedim(source, destination)`: moves dims to new positions (a view).
    ///
    /// >>> x = rgrad.zeros(2, 3, 4)
    /// >>> x.movedim(0, -1).shape
    /// rgrad.Size([3, 4, 2])
    /// >>> x.movedim((0, 1), (2, 0)).shape
    /// rgrad.Size([3, 4, 2])
    fn movedim(&self, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyT {
        ok(self.inner.movedim(&int_or_ints(source, "source")?, &int_or_ints(destination, "destination")?))
    }
    /// `moveaxis(source, destination)`: alias of `movedim`.
    ///
    /// >>> rgrad.zeros(2, 3, 4).moveaxis(-1, 0).shape
    /// rgrad.Size([4, 2, 3])
    fn moveaxis(&self, source: &Bound<'_, PyAny>, destination: &Bound<'_, PyAny>) -> PyT {
        self.movedim(source, destination)
    }
    /// `broadcast_to(size)`: an expanded view.
    ///
    /// >>> rgrad.tensor([1, 2, 3]).broadcast_to((2, 3))
    /// tensor([[1, 2, 3],
    ///         [1, 2, 3]])
    fn broadcast_to(&self, size: &Bound<'_, PyAny>) -> PyT {
        ok(self.inner.broadcast_to(&int_or_ints(size, "size")?))
    }
    /// `split(split_size, dim=0)`: views of size `split_size` (an int) or of the given sizes (a list).
    ///
    /// >>> x = rgrad.arange(5)
    /// >>> x.split(2)
    /// (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    /// >>> x.split([1, 4])
    /// (tensor([0]), tensor([1, 2, 3, 4]))
    #[pyo3(signature = (split_size, dim=0))]
    fn split(&self, py: Python<'_>, split_size: &Bound<'_, PyAny>, dim: isize) -> PyResult<Py<PyAny>> {
        let parts = if split_size.is_instance_of::<PyInt>() || split_size.is_instance_of::<PyTensor>() {
            self.inner.split_size(index_arg(split_size, "split_size")?, dim)?
        } else {
            self.inner.split_with_sizes(&int_or_ints(split_size, "split_size")?, dim)?
        };
        tuple_of(py, parts)
    }
    /// `split_with_sizes(split_sizes, dim=0)`.
    ///
    /// >>> rgrad.arange(6).reshape(3, 2).split_with_sizes([1, 2])
    /// (tensor([[0, 1]]), tensor([[2, 3],
    ///         [4, 5]]))
    #[pyo3(signature = (split_sizes, dim=0))]
    fn split_with_sizes(&self, py: Python<'_>, split_sizes: &Bound<'_, PyAny>, dim: isize) -> PyResult<Py<PyAny>> {
        tuple_of(py, self.inner.split_with_sizes(&int_or_ints(split_sizes, "split_sizes")?, dim)?)
    }
    /// `chunk(chunks, dim=0)`: at most `chunks` views of equal size (the last may be smaller).
    ///
    /// >>> rgrad.arange(5).chunk(2)
    /// (tensor([0, 1, 2]), tensor([3, 4]))
    /// >>> rgrad.zeros(2, 6).chunk(3, dim=1)[0].shape
    /// rgrad.Size([2, 2])
    #[pyo3(signature = (chunks, dim=0))]
    fn chunk(&self, py: Python<'_>, chunks: isize, dim: isize) -> PyResult<Py<PyAny>> {
        tuple_of(py, self.inner.chunk(chunks, dim)?)
    }
    /// `tensor_split(indices_or_sections, dim=0)`: an int of sections, or a list of split indices.
    ///
    /// >>> x = rgrad.arange(7)
    /// >>> x.tensor_split(3)  # sizes differ by at most one
    /// (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
    /// >>> x.tensor_split([1, 5])
    /// (tensor([0]), tensor([1, 2, 3, 4]), tensor([5, 6]))
    #[pyo3(signature = (indices_or_sections, dim=0))]
    fn tensor_split(&self, py: Python<'_>, indices_or_sections: &Bound<'_, PyAny>, dim: isize) -> PyResult<Py<PyAny>> {
        let ios = indices_or_sections;
        if let Ok(t) = ios.cast::<PyTensor>() {
            let t = &t.get().inner;
            if t.dtype().is_float() || t.dtype() == crate::DType::Bool {
                return Err(Error::Runtime(format!(
                    "tensor_split expected tensor_indices_or_sections to have integer dtype, but got {}",
                    t.dtype()
                ))
                .into());
            }
            if t.rank() > 1 {
                return Err(Error::Runtime(format!(
                    "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with {} dims",
                    t.rank()
                ))
                .into());
            }
            if t.rank() == 0 {
                return tuple_of(py, self.inner.tensor_split_sections(t.item()?.to_i64() as isize, dim)?);
            }
            let idx: Vec<isize> = t.to_vec::<i64>()?.into_iter().map(|v| v as isize).collect();
            return tuple_of(py, self.inner.tensor_split_indices(&idx, dim)?);
        }
        if ios.is_instance_of::<PyInt>() {
            return tuple_of(py, self.inner.tensor_split_sections(index_arg(ios, "sections")?, dim)?);
        }
        tuple_of(py, self.inner.tensor_split_indices(&int_or_ints(ios, "indices")?, dim)?)
    }
    /// `unbind(dim=0)`: the slices along `dim` (views).
    ///
    /// >>> rgrad.tensor([[1, 2], [3, 4]]).unbind()
    /// (tensor([1, 2]), tensor([3, 4]))
    /// >>> rgrad.tensor([[1, 2], [3, 4]]).unbind(1)
    /// (tensor([1, 3]), tensor([2, 4]))
    #[pyo3(signature = (dim=0))]
    fn unbind(&self, py: Python<'_>, dim: isize) -> PyResult<Py<PyAny>> {
        tuple_of(py, self.inner.unbind(dim)?)
    }
    /// `bincount(weights=None, minlength=0)`: occurrences of each non-negative int.
    ///
    /// >>> x = rgrad.tensor([0, 1, 1, 3])
    /// >>> x.bincount()
    /// tensor([1, 2, 0, 1])
    /// >>> x.bincount(weights=rgrad.tensor([0.5, 1.0, 1.0, 2.0]), minlength=5)
    /// tensor([0.5000, 2.0000, 0.0000, 2.0000, 0.0000])
    #[pyo3(signature = (weights=None, minlength=0))]
    fn bincount(&self, weights: Option<&Bound<'_, PyAny>>, minlength: isize) -> PyT {
        let w = match weights {
            Some(w) if !w.is_none() => Some(tensor_arg(w, "weights")?),
            _ => None,
        };
        ok(self.inner.bincount(w.as_ref(), minlength))
    }
    /// `histc(bins=100, min=0, max=0)`: equal-width histogram (min == max: the data's range).
    ///
    /// >>> rgrad.tensor([1.0, 2.0, 1.0, 4.0]).histc(bins=4, min=0, max=4)
    /// tensor([0., 2., 1., 1.])
    #[pyo3(signature = (bins=100, min=0.0, max=0.0))]
    fn histc(&self, bins: isize, min: f64, max: f64) -> PyT {
        ok(self.inner.histc(bins, min, max))
    }
}

/// `cat(tensors, dim=0)`: joins tensors along an existing dim (dtypes promote).
///
/// >>> a, b = rgrad.tensor([[1, 2]]), rgrad.tensor([[3, 4], [5, 6]])
/// >>> rgrad.cat([a, b])
/// tensor([[1, 2],
///         [3, 4],
///         [5, 6]])
/// >>> rgrad.cat([b, b], dim=1)
/// tensor([[3, 4, 3, 4],
///         [5, 6, 5, 6]])
/// >>> rgrad.cat([rgrad.tensor([1]), rgrad.tensor([0.5])])  # dtypes promote
/// tensor([1.0000, 0.5000])
#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, axis=None, out=None))]
fn cat(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: isize, axis: Option<isize>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    let ts = tensor_list(tensors, "cat")?;
    let d = axis.unwrap_or(dim);
    let n: usize = ts.iter().map(|t| t.numel()).sum();
    ok(maybe_detach(py, n, || join::cat(&ts, d)))
}

/// `concat(tensors, dim=0)`: alias of `cat`.
///
/// >>> rgrad.concat([rgrad.tensor([1, 2]), rgrad.tensor([3])])
/// tensor([1, 2, 3])
#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, axis=None, out=None))]
fn concat(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: isize, axis: Option<isize>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    cat(py, tensors, dim, axis, out)
}

/// `concatenate(tensors, axis=0)`: alias of `cat` (NumPy's name).
///
/// >>> rgrad.concatenate([rgrad.zeros(2, 1), rgrad.ones(2, 1)], axis=1)
/// tensor([[0., 1.],
///         [0., 1.]])
#[pyfunction]
#[pyo3(signature = (tensors, axis=0, *, dim=None, out=None))]
fn concatenate(py: Python<'_>, tensors: &Bound<'_, PyAny>, axis: isize, dim: Option<isize>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    cat(py, tensors, dim.unwrap_or(axis), None, out)
}

/// `stack(tensors, dim=0)`: joins equal-shaped tensors along a new dim.
///
/// >>> a, b = rgrad.tensor([1, 2]), rgrad.tensor([3, 4])
/// >>> rgrad.stack([a, b])
/// tensor([[1, 2],
///         [3, 4]])
/// >>> rgrad.stack([a, b], dim=1)
/// tensor([[1, 3],
///         [2, 4]])
#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, out=None))]
fn stack(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: isize, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    let ts = tensor_list(tensors, "stack")?;
    let n: usize = ts.iter().map(|t| t.numel()).sum();
    ok(maybe_detach(py, n, || join::stack(&ts, dim)))
}

/// `hstack(tensors)`: column-wise (dim 1; dim 0 for 1-D).
///
/// >>> rgrad.hstack([rgrad.tensor([1, 2]), rgrad.tensor([3])])
/// tensor([1, 2, 3])
/// >>> rgrad.hstack([rgrad.zeros(2, 1), rgrad.ones(2, 2)])
/// tensor([[0., 1., 1.],
///         [0., 1., 1.]])
#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn hstack(tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    ok(join::hstack(&tensor_list(tensors, "hstack")?))
}

/// `vstack(tensors)`: row-wise (dim 0 after atleast_2d).
///
/// >>> rgrad.vstack([rgrad.tensor([1, 2]), rgrad.tensor([3, 4])])
/// tensor([[1, 2],
///         [3, 4]])
#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn vstack(tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    ok(join::vstack(&tensor_list(tensors, "vstack")?))
}

/// `row_stack(tensors)`: alias of `vstack`.
///
/// >>> rgrad.row_stack([rgrad.tensor([1, 2]), rgrad.tensor([[3, 4], [5, 6]])])
/// tensor([[1, 2],
///         [3, 4],
///         [5, 6]])
#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn row_stack(tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    vstack(tensors, out)
}

/// `dstack(tensors)`: depth-wise (dim 2 after atleast_3d).
///
/// >>> rgrad.dstack([rgrad.tensor([1, 2]), rgrad.tensor([3, 4])])
/// tensor([[[1, 3],
///          [2, 4]]])
#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn dstack(tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    ok(join::dstack(&tensor_list(tensors, "dstack")?))
}

/// `column_stack(tensors)`: 1-D inputs become columns.
///
/// >>> rgrad.column_stack([rgrad.tensor([1, 2]), rgrad.tensor([3, 4])])
/// tensor([[1, 3],
///         [2, 4]])
#[pyfunction]
#[pyo3(signature = (tensors, *, out=None))]
fn column_stack(tensors: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    ok(join::column_stack(&tensor_list(tensors, "column_stack")?))
}

fn atleast_n(py: Python<'_>, args: &Bound<'_, PyTuple>, n: usize) -> PyResult<Py<PyAny>> {
    if args.len() == 1 {
        if let Ok(t) = args.get_item(0)?.cast::<PyTensor>() {
            return PyTensor::new(join::atleast(&t.get().inner, n)?).into_py_any(py);
        }
    }
    let ts = tensors_varargs(args, "atleast")?;
    tuple_of(py, ts.iter().map(|t| join::atleast(t, n)).collect::<crate::Result<_>>()?)
}

/// `atleast_1d(*tensors)`: 0-d tensors become 1-d.
///
/// >>> rgrad.atleast_1d(rgrad.tensor(5))
/// tensor([5])
/// >>> rgrad.atleast_1d(rgrad.tensor(1), rgrad.tensor([2, 3]))
/// (tensor([1]), tensor([2, 3]))
#[pyfunction]
#[pyo3(signature = (*tensors))]
fn atleast_1d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast_n(py, tensors, 1)
}

/// `atleast_2d(*tensors)`: leading size-1 dims up to 2-d.
///
/// >>> rgrad.atleast_2d(rgrad.tensor([1, 2]))
/// tensor([[1, 2]])
#[pyfunction]
#[pyo3(signature = (*tensors))]
fn atleast_2d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast_n(py, tensors, 2)
}

/// `atleast_3d(*tensors)`: NumPy's atleast_3d.
///
/// >>> rgrad.atleast_3d(rgrad.tensor([1, 2])).shape
/// rgrad.Size([1, 2, 1])
/// >>> rgrad.atleast_3d(rgrad.zeros(2, 3)).shape
/// rgrad.Size([2, 3, 1])
#[pyfunction]
#[pyo3(signature = (*tensors))]
fn atleast_3d(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    atleast_n(py, tensors, 3)
}

/// `broadcast_tensors(*tensors)`: views of all inputs expanded to their common shape.
///
/// >>> a, b = rgrad.broadcast_tensors(rgrad.tensor([[1], [2]]), rgrad.tensor([10, 20, 30]))
/// >>> a
/// tensor([[1, 1, 1],
///         [2, 2, 2]])
/// >>> b
/// tensor([[10, 20, 30],
///         [10, 20, 30]])
#[pyfunction]
#[pyo3(signature = (*tensors))]
fn broadcast_tensors(py: Python<'_>, tensors: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let ts = tensors_varargs(tensors, "broadcast_tensors")?;
    tuple_of(py, join::broadcast_tensors(&ts)?)
}

/// `meshgrid(*tensors, indexing='ij')`: coordinate grids ('xy' swaps the first two dims).
///
/// >>> xs, ys = rgrad.meshgrid(rgrad.tensor([1, 2, 3]), rgrad.tensor([4, 5]), indexing='ij')
/// >>> xs
/// tensor([[1, 1],
///         [2, 2],
///         [3, 3]])
/// >>> ys
/// tensor([[4, 5],
///         [4, 5],
///         [4, 5]])
#[pyfunction]
#[pyo3(signature = (*tensors, indexing=None))]
fn meshgrid(py: Python<'_>, tensors: &Bound<'_, PyTuple>, indexing: Option<&str>) -> PyResult<Py<PyAny>> {
    let ts = tensors_varargs(tensors, "meshgrid")?;
    tuple_of(py, join::meshgrid(&ts, indexing.unwrap_or("ij"))?)
}

/// `searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None)`.
///
/// >>> edges = rgrad.tensor([1, 3, 5, 7])
/// >>> rgrad.searchsorted(edges, rgrad.tensor([3, 6, 9]))
/// tensor([1, 3, 4])
/// >>> rgrad.searchsorted(edges, rgrad.tensor([3, 6, 9]), right=True)
/// tensor([2, 3, 4])
#[pyfunction]
#[pyo3(signature = (sorted_sequence, input, *, out_int32=false, right=false, side=None, sorter=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn searchsorted(
    py: Python<'_>,
    sorted_sequence: &Bound<'_, PyAny>,
    input: &Bound<'_, PyAny>,
    out_int32: bool,
    right: bool,
    side: Option<&str>,
    sorter: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyT {
    no_out(out)?;
    let seq = tensor_arg(sorted_sequence, "sorted_sequence")?;
    let vals = scalar_or_tensor(input, "input")?;
    let right = match side {
        None => right,
        Some("left") if right => {
            return Err(Error::Runtime("torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True".into()).into())
        }
        Some("left") => false,
        Some("right") => true,
        Some(s) => return Err(Error::Runtime(format!("torch.searchsorted(): side can only be 'left' or 'right' but got {s}")).into()),
    };
    let sorter = match sorter {
        Some(s) if !s.is_none() => Some(tensor_arg(s, "sorter")?),
        _ => None,
    };
    ok(maybe_detach(py, vals.numel(), || sort_ops::searchsorted(&seq, &vals, out_int32, right, sorter.as_ref())))
}

/// A tensor, or a Python number as a 0-d tensor (not a wrapped scalar).
fn scalar_or_tensor(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.get().inner.clone());
    }
    match operand(obj)? {
        Some(t) => Ok(Tensor::scalar(t.item()?, t.dtype())?),
        None => Err(PyTypeError::new_err(format!("{what} must be a Tensor or a number, not {}", obj.get_type().name()?))),
    }
}

/// `bucketize(input, boundaries, *, out_int32=False, right=False)`: bucket indices.
///
/// >>> rgrad.bucketize(rgrad.tensor([0.5, 3.0, 9.0]), rgrad.tensor([1.0, 3.0, 5.0]))
/// tensor([0, 1, 3])
#[pyfunction]
#[pyo3(signature = (input, boundaries, *, out_int32=false, right=false, out=None))]
fn bucketize(py: Python<'_>, input: &Bound<'_, PyAny>, boundaries: &Bound<'_, PyAny>, out_int32: bool, right: bool, out: Option<&Bound<'_, PyAny>>) -> PyT {
    no_out(out)?;
    let x = scalar_or_tensor(input, "input")?;
    let b = tensor_arg(boundaries, "boundaries")?;
    ok(maybe_detach(py, x.numel(), || sort_ops::bucketize(&x, &b, out_int32, right)))
}

/// `repeat_interleave(input, repeats=None, dim=None, *, output_size=None)`; with only a
/// tensor of counts, returns `[0]*r0 + [1]*r1 + ...`.
///
/// >>> rgrad.repeat_interleave(rgrad.tensor([1, 2]), 3)
/// tensor([1, 1, 1, 2, 2, 2])
/// >>> rgrad.repeat_interleave(rgrad.tensor([2, 0, 1]))  # only counts: index i repeated counts[i] times
/// tensor([0, 0, 2])
#[pyfunction]
#[pyo3(signature = (input, repeats=None, dim=None, *, output_size=None))]
fn repeat_interleave(py: Python<'_>, input: &Bound<'_, PyAny>, repeats: Option<&Bound<'_, PyAny>>, dim: Option<isize>, output_size: Option<isize>) -> PyT {
    let x = tensor_arg(input, "input")?;
    match repeats {
        Some(r) if !r.is_none() => {
            let pt = PyTensor::new(x);
            pt.repeat_interleave(py, r, dim, output_size)
        }
        _ => ok(crate::ops::rearrange::repeat_index(&x, output_size)),
    }
}

/// `broadcast_shapes(*shapes)`: the broadcast of several shapes, as an `rgrad.Size`.
///
/// >>> rgrad.broadcast_shapes((2, 1), (3,), (1, 1, 1))
/// rgrad.Size([1, 2, 3])
#[pyfunction]
#[pyo3(signature = (*shapes))]
fn broadcast_shapes<'py>(py: Python<'py>, shapes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
    let mut all: Vec<Vec<usize>> = Vec::new();
    for s in shapes.iter() {
        let v = int_or_ints(&s, "shape")?;
        if v.iter().any(|&x| x < 0) {
            return Err(Error::Runtime(format!("Trying to create tensor with negative dimension {}: {:?}", v.iter().find(|&&x| x < 0).unwrap_or(&-1), v)).into());
        }
        all.push(v.into_iter().map(|x| x as usize).collect());
    }
    let refs: Vec<&[usize]> = all.iter().map(|v| v.as_slice()).collect();
    let shape = crate::shape::broadcast_all(&refs)?;
    super::convert::make_size(py, &shape)
}

/// Private: `index_select` along `dim` by a 1-D int64 index (negatives wrap), differentiable.
/// Backs `rgrad.delete` / `rgrad.insert`.
#[pyfunction]
fn _take_along(input: &Bound<'_, PyAny>, dim: isize, index: &Bound<'_, PyAny>) -> PyT {
    let x = tensor_arg(input, "input")?;
    if x.rank() == 0 {
        return Err(Error::Index("index_select(): cannot select along a dim of a 0-d tensor".into()).into());
    }
    let d = crate::shape::normalize_dim(dim, x.rank())?;
    let idx: Tensor = match index.cast::<PyTensor>() {
        Ok(t) => t.get().inner.detach().cast_raw(crate::dtype::DType::I64)?.reshape_to(&[t.get().inner.numel()])?,
        Err(_) => {
            let l = index.cast::<PyList>().map_err(|_| PyTypeError::new_err("index must be a list or tensor"))?;
            let v: Vec<i64> = l.iter().map(|v| v.extract::<i64>()).collect::<PyResult<_>>()?;
            Tensor::from_slice_on(&v, &[v.len()], x.device())?
        }
    };
    let size = if x.rank() == 0 { 1 } else { x.shape()[d] };
    let it = join::normalized_index(&idx, size)?;
    ok(x.index_select(d as isize, &it))
}

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add_fns {
        ($($f:ident),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add_fns!(
        cat, concat, concatenate, stack, hstack, vstack, row_stack, dstack, column_stack, atleast_1d, atleast_2d,
        atleast_3d, broadcast_tensors, meshgrid, searchsorted, bucketize, repeat_interleave, broadcast_shapes, _take_along,
    );
    let _ = parse_dims;
    Ok(())
}
