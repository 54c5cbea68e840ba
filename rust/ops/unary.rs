//! Dtype conversion, copies, masked_fill, fill/zero/copy_ (the unary math ops live in `elementwise`).

use crate::autograd::{needs_grad, record};
use crate::cpu::iter::Plan;
use crate::cpu::kernels;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::ops::binary::{can_cast, check_inplace_allowed, check_same_device};
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::{dtype_title, Tensor};

impl Tensor {
    pub fn zeros_like(&self) -> Result<Tensor> {
        Tensor::zeros(self.shape(), self.dtype(), self.device())
    }
    pub fn ones_like(&self) -> Result<Tensor> {
        Tensor::ones(self.shape(), self.dtype(), self.device())
    }

    // ---------- conversion and copies ----------

    /// A converted copy with no autograd (kernel helper).
    pub(crate) fn cast_raw(&self, dtype: DType) -> Result<Tensor> {
        let out = Tensor::empty(self.shape(), dtype, self.device())?;
        out.copy_from_raw(self)?;
        Ok(out)
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

    /// `masked_fill(mask, value)`: value where mask is true.
    pub fn masked_fill_scalar(&self, mask: &Tensor, value: f64) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype()
            )));
        }
        check_same_device(self, mask)?;
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        if shape.as_slice() != self.shape() {
            return Err(Error::Runtime(format!(
                "masked_fill: mask of shape {} cannot be broadcast to the tensor's shape {}",
                fmt_shape(mask.shape()),
                fmt_shape(self.shape())
            )));
        }
        let out = Tensor::empty(self.shape(), self.dtype(), self.device())?;
        let plan = Plan::<3>::new(&shape, [out.operand(), self.operand(), mask.operand_as(&shape)?]);
        crate::dispatch_dtype!(self.dtype(), T => {
            let v: T = crate::tensor::scalar_as::<T>(Scalar::Float(value));
            kernels::run_map2::<T, bool, T>(&plan, move |x, m| if m { v } else { x })
        });
        if needs_grad(&[self]) {
            record("MaskedFillBackward0", &out, &[self], vec![mask.clone()], |s, g| Ok(vec![Some(g.masked_fill_scalar(&s[0], 0.0)?)]));
        }
        Ok(out)
    }

    // ---------- in-place writes ----------

    /// `fill_(value)`.
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        // one value everywhere: an expanded (overlapping) tensor may be filled, as PyTorch
        crate::ops::binary::check_fill_allowed(self)?;
        self.fill_raw(value);
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

    /// `copy_(src)`: broadcast src into self, converting dtype.
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
            record("CopyBackwards", self, &[self, &src], vec![], move |_, g| Ok(vec![Some(g.zeros_like()?), gs.then(|| g.clone())]));
        }
        Ok(())
    }
}

/// Checks an in-place result dtype (shared by in-place ops outside `binary`).
pub fn check_inplace_dtype(result: DType, target: DType) -> Result<()> {
    if !can_cast(result, target) {
        return Err(Error::Runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            dtype_title(result),
            dtype_title(target)
        )));
    }
    Ok(())
}
