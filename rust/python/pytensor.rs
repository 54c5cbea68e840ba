//! The `rgrad.Tensor` class itself: the Rust value a Python tensor object holds. Its methods
//! are added by `#[pymethods]` blocks in the other files of this module (`tensor.rs` for the
//! core ones, one file per op family); objects are made and freed by `object.rs`.

use crate::tensor::Tensor;
use pyo3::prelude::*;

/// Above this many elements a kernel runs with the GIL released.
pub const RELEASE_GIL_MIN: usize = 1 << 16;

/// A multi-dimensional array of one dtype, with strided views and autograd.
///
/// Build one with `rgrad.tensor(data)`, `rgrad.zeros(...)`, `rgrad.arange(...)` etc.
///
/// >>> t = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
/// >>> t.shape, t.dtype, t.device
/// (rgrad.Size([2, 2]), rgrad.float32, device(type='cpu'))
/// >>> (t * t).sum().backward()
/// >>> t.grad
/// tensor([[2., 4.],
///         [6., 8.]])
#[pyclass(name = "Tensor", module = "rgrad", subclass, frozen, weakref)]
pub struct PyTensor {
    pub inner: Tensor,
}

impl PyTensor {
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor { inner: t }
    }
}

/// Runs `f`, releasing the GIL when the tensors involved are large.
pub fn maybe_detach<R: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> R + Send) -> R {
    if numel >= RELEASE_GIL_MIN {
        py.detach(f)
    } else {
        f()
    }
}
