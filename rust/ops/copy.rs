//! Conversions and copies: `to(dtype)`, `to(device)`, `clone`, `contiguous`, `copy_`,
//! `fill_` / `zero_`, the raw (unrecorded) copies other ops build on, reading elements back
//! (`to_vec`, `item`), and the in-place-through-a-copy helper the `_` variants use.
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // to_dtype
//! {
//!     use rgrad::{DType, Tensor};
//!     let x = Tensor::from_slice(&[-1.7f32, 0.5, 2.9], &[3]).unwrap();
//!     let i = x.to_dtype(DType::I64).unwrap();
//!     assert_eq!(i.to_vec::<i64>().unwrap(), vec![-1, 0, 2]); // float to integer truncates toward 0
//!     assert_eq!(x.to_dtype(DType::Bool).unwrap().to_vec::<bool>().unwrap(), vec![true, true, true]);
//! }
//! // to_vec
//! {
//!     use rgrad::Tensor;
//!     let t = Tensor::from_slice(&[1i32, 2, 3, 4], &[2, 2]).unwrap();
//!     assert_eq!(t.to_vec::<i32>().unwrap(), vec![1, 2, 3, 4]);
//!     assert_eq!(t.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 3.0, 4.0]); // converted
//!     // a transposed view reads in its own row-major order
//!     assert_eq!(t.t().unwrap().to_vec::<i32>().unwrap(), vec![1, 3, 2, 4]);
//! }
//! ```

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::device::Device;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::ops::checks::check_inplace_allowed;
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::Tensor;

impl Tensor {
    // ---------- raw copies (no autograd) ----------

    /// A converted copy with no autograd (kernel helper).
    pub(crate) fn cast_raw(&self, dtype: DType) -> Result<Tensor> {
        let out = Tensor::empty_on(self.shape(), dtype, self.device())?;
        out.copy_from_raw(self)?;
        Ok(out)
    }

    /// `self` converted to `dtype` with no autograd: borrowed when it already has that dtype
    /// (no copy, and no reference-count traffic on the path of a small op).
    pub(crate) fn cast_or_borrow(&self, dtype: DType) -> Result<std::borrow::Cow<'_, Tensor>> {
        Ok(if self.dtype() == dtype { std::borrow::Cow::Borrowed(self) } else { std::borrow::Cow::Owned(self.cast_raw(dtype)?) })
    }

    /// A contiguous copy with no autograd recording.
    pub(crate) fn contiguous_raw(&self) -> Result<Tensor> {
        let out = Tensor::empty_on(self.shape(), self.dtype(), self.device())?;
        out.copy_from_raw(self)?;
        Ok(out)
    }

    /// Elementwise copy (with broadcast and dtype conversion) into `self`, no autograd.
    pub(crate) fn copy_from_raw(&self, src: &Tensor) -> Result<()> {
        backend::copy(self, src)
    }

    /// Writes `value` into every element (no autograd, no version bump).
    pub(crate) fn fill_raw(&self, value: Scalar) -> Result<()> {
        backend::fill(self, value)
    }

    /// The tensor itself when nothing else can see its memory, else a copy
    /// (a leaf's `.grad` must not alias another tensor). Views do not count as references
    /// to their storage (see `StorageRef`), so a root with a view is caught by its own
    /// reference count: the view holds it.
    pub(crate) fn clone_raw_if_shared(&self) -> Result<Tensor> {
        use std::sync::Arc;
        let sole = self.view_base().is_none() && Arc::strong_count(&self.0) == 1 && Arc::strong_count(self.storage()) == 1;
        if sole && self.is_contiguous() && self.storage_offset() == 0 && self.storage().nbytes() == self.numel() * self.dtype().size() {
            Ok(self.clone())
        } else {
            let c = self.contiguous_raw()?;
            Ok(if self.requires_grad() { self.clone_keep_graph(c) } else { c })
        }
    }

    fn clone_keep_graph(&self, _c: Tensor) -> Tensor {
        // under create_graph, keep the graph: a differentiable clone
        self.clone_t().unwrap_or(_c)
    }

    // ---------- conversions ----------

    /// `to(dtype)`: a converted copy, differentiable between float dtypes.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        let out = self.cast_raw(dtype)?;
        if dtype.is_float() && needs_grad(&[self]) {
            let from = self.dtype();
            record("ToCopyBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.to_dtype(from)?)]));
        }
        Ok(out)
    }

    /// `to(device)`: `self` when already there, else a copy on `device` that gradients flow
    /// back through (to `self`'s device).
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if device == self.device() {
            return Ok(self.clone());
        }
        device.check_available()?;
        let out = Tensor::empty_on(self.shape(), self.dtype(), device)?;
        backend::copy(&out, self)?;
        if needs_grad(&[self]) {
            let from = self.device();
            record("ToCopyBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.to_device(from)?)]));
        }
        Ok(out)
    }

    /// `clone()`: a copy (contiguous) that gradients flow through.
    pub fn clone_t(&self) -> Result<Tensor> {
        let out = self.contiguous_raw()?;
        if needs_grad(&[self]) {
            record("CloneBackward0", &out, &[self], vec![], |_, g| Ok(vec![Some(g.clone())]));
        }
        Ok(out)
    }

    /// `contiguous()`: self when already contiguous, else a differentiable copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            Ok(self.clone())
        } else {
            self.clone_t()
        }
    }

    // ---------- reading elements back ----------

    /// Copies the elements out in row-major order, converting to `T`.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let t = if self.dtype() == T::DTYPE { self.clone() } else { crate::autograd::no_grad(|| self.to_dtype(T::DTYPE))? };
        let t = if t.is_contiguous() { t } else { t.contiguous_raw()? };
        backend::read_all(&t)
    }

    /// The single element of a one-element tensor.
    pub fn item(&self) -> Result<Scalar> {
        backend::read_scalar(self)
    }

    // ---------- in-place writes ----------

    /// `fill_(value)`.
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        // one value everywhere: an expanded (overlapping) tensor may be filled, as PyTorch
        crate::ops::checks::check_fill_allowed(self)?;
        self.fill_raw(value)?;
        self.storage().bump_version();
        if needs_grad(&[self]) {
            record("FillBackward0", self, &[self], vec![], |_, g| Ok(vec![Some(g.zeros_like()?)]));
        }
        Ok(())
    }

    /// `zero_()`.
    pub fn zero_(&self) -> Result<()> {
        self.fill_(Scalar::Int(0))
    }

    /// `copy_(src)`: broadcast src into self, converting dtype (and moving across devices).
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        check_inplace_allowed(self)?;
        let shape = broadcast_shapes(self.shape(), src.shape())?;
        if shape.as_slice() != self.shape() {
            return Err(Error::Runtime(format!(
                "The size of tensor a ({}) must match the size of tensor b ({}): cannot copy a tensor of shape {} into one of shape {}",
                self.shape().first().copied().unwrap_or(1),
                src.shape().first().copied().unwrap_or(1),
                fmt_shape(src.shape()),
                fmt_shape(self.shape())
            )));
        }
        // copying from memory self shares needs a temporary, made before the write; with
        // autograd a differentiable one, so the gradient reaches what src was before the write
        let src = if !src.same_storage(self) {
            src.clone()
        } else if needs_grad(&[src]) {
            src.clone_t()?
        } else {
            src.contiguous_raw()?
        };
        self.copy_from_raw(&src)?;
        self.storage().bump_version();
        if needs_grad(&[self, &src]) {
            let gs = src.requires_grad();
            let from = src.device();
            record("CopyBackwards", self, &[self, &src], vec![], move |_, g| Ok(vec![Some(g.zeros_like()?), if gs { Some(g.to_device(from)?) } else { None }]));
        }
        Ok(())
    }

    /// Runs an out-of-place op and writes its result into `self` (the in-place `_` variants).
    /// With autograd the write is a recorded `copy_`, so views of other tensors rebase their
    /// base's history like any in-place op.
    pub fn inplace_from(&self, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<()> {
        check_inplace_allowed(self)?;
        let grad = crate::autograd::is_grad_enabled() && self.requires_grad();
        // the op may save its input: hand it a copy that the write below won't touch
        let src = if grad { self.clone_t()? } else { self.clone() };
        let out = f(&src)?;
        if out.shape() != self.shape() {
            return Err(Error::Runtime(format!(
                "output with shape {} doesn't match the broadcast shape {}",
                fmt_shape(self.shape()),
                fmt_shape(out.shape())
            )));
        }
        if out.requires_grad() && self.dtype().is_float() {
            return self.copy_(&out);
        }
        self.copy_from_raw(&out)?;
        self.storage().bump_version();
        Ok(())
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vals: Vec<f64> = self.to_vec::<f64>().unwrap_or_default();
        write!(f, "Tensor(shape={:?}, dtype={}, data={:?})", self.shape(), self.dtype(), vals)
    }
}
