//! Masked ops: `masked_fill`, `masked_select`, `masked_scatter`, and `nonzero` (the
//! coordinates of a mask, which also turn `x[mask]` into integer indices).

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::ops::checks::common_device;
use crate::ops::index::{expand_adv, mask_columns, Adv, TensorIndex};
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::{dtype_title, Tensor};

impl Tensor {
    /// `masked_fill(mask, value)` with a number: `value` where `mask` (broadcast to self's
    /// shape) is true.
    pub fn masked_fill_scalar(&self, mask: &Tensor, value: f64) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype()
            )));
        }
        let device = common_device(&[self, mask])?;
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        if shape.as_slice() != self.shape() {
            return Err(Error::Runtime(format!(
                "masked_fill: mask of shape {} cannot be broadcast to the tensor's shape {}",
                fmt_shape(mask.shape()),
                fmt_shape(self.shape())
            )));
        }
        let out = Tensor::empty_on(self.shape(), self.dtype(), device)?;
        backend::masked_fill(&out, self, mask, Scalar::Float(value))?;
        if needs_grad(&[self]) {
            record("MaskedFillBackward0", &out, &[self], vec![mask.clone()], |s, g| Ok(vec![Some(g.masked_fill_scalar(&s[0], 0.0)?)]));
        }
        Ok(out)
    }

    /// `masked_fill(mask, value)` with `value` a scalar (wrapped) or a 0-d tensor (differentiable).
    pub fn masked_fill_t(&self, mask: &Tensor, value: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!("masked_fill_ only supports boolean masks, but got mask with dtype {}", mask.dtype())));
        }
        if value.rank() != 0 {
            return Err(Error::Runtime(format!(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                value.rank()
            )));
        }
        if value.is_wrapped_number() {
            value.item()?.check_fits(self.dtype())?;
        }
        let device = common_device(&[self, mask, value])?;
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        let x = self.expand_to(&shape)?;
        // one select pass: value (0-d, converted to self's dtype) where the mask is true
        let v = if value.dtype() != self.dtype() { value.cast_raw(self.dtype())? } else { value.detach() };
        let out = Tensor::empty_on(&shape, self.dtype(), device)?;
        backend::where_select(&out, mask, &v, &x)?;
        if needs_grad(&[&x, value]) {
            let (gs, gv) = (x.requires_grad(), value.requires_grad());
            let m = mask.detach();
            record("MaskedFillBackward0", &out, &[&x, value], vec![], move |_, g| {
                Ok(vec![
                    if gs { Some(g.masked_fill_scalar(&m, 0.0)?) } else { None },
                    if gv { Some(g.mul(&m.to_dtype(g.dtype())?)?.sum()?) } else { None },
                ])
            });
        }
        Ok(out)
    }

    /// Writes `value` where `mask` (broadcast to self) is true: no autograd, no version bump.
    pub(crate) fn masked_fill_raw(&self, mask: &Tensor, value: Scalar) -> Result<()> {
        let bs = broadcast_shapes(self.shape(), mask.shape())?;
        if bs.as_slice() != self.shape() {
            return Err(Error::Runtime(format!(
                "masked_fill_: mask of shape {} cannot be broadcast to the tensor's shape {}",
                fmt_shape(mask.shape()),
                fmt_shape(self.shape())
            )));
        }
        common_device(&[self, mask])?;
        backend::masked_fill(self, self, mask, value)
    }

    /// `masked_select(mask)`: the elements where `mask` is true (both broadcast), 1-D.
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!("masked_select: expected BoolTensor for mask, got {}", mask.dtype())));
        }
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        let x = self.expand_to(&shape)?;
        let m = if mask.shape() == shape.as_slice() { mask.clone() } else { mask.expand_to(&shape)?.detach().contiguous_raw()? };
        if shape.is_empty() {
            return x.reshape_to(&[1])?.getitem(&[TensorIndex::Tensor(m.reshape_to(&[1])?)]);
        }
        x.getitem(&[TensorIndex::Tensor(m)])
    }

    /// `masked_scatter(mask, source)`: true positions (row-major) take consecutive source elements.
    pub fn masked_scatter_t(&self, mask: &Tensor, source: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!("masked_scatter_: expected BoolTensor for mask, got {}", mask.dtype())));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "masked_scatter_: expected self and source to have same dtypes but got {} and {}",
                dtype_title(self.dtype()),
                dtype_title(source.dtype())
            )));
        }
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        let x = self.expand_to(&shape)?;
        let x = if shape.is_empty() { x.reshape_to(&[1])? } else { x };
        let m = mask.expand_to(x.shape())?.detach();
        let spec = expand_adv(&[Adv::Mask { dim: 0, orig: 0, mask: m }], true, self.device())?;
        let n = spec.bshape[0];
        if source.numel() < n {
            return Err(Error::Runtime(format!(
                "masked_scatter: expected source to have at least {n} elements (the number of true mask elements), but got {}",
                source.numel()
            )));
        }
        let vals = source.reshape_to(&[source.numel()])?.narrow(0, 0, n as isize)?;
        x.index_put_adv("MaskedScatterBackward0", &spec, &vals, false)?.reshape_to(&shape)
    }

    /// `nonzero()`: an `(n, rank)` int64 tensor of the coordinates of non-zero elements.
    pub fn nonzero(&self) -> Result<Tensor> {
        self.nonzero_mask()?.true_coords()
    }

    /// The coordinates of the true elements of the bool `self`, row-major: an `(n, rank)`
    /// int64 tensor. Its size depends on the data: a host read of the count.
    pub(crate) fn true_coords(&self) -> Result<Tensor> {
        let m = if self.is_contiguous() { self.clone() } else { self.contiguous_raw()? };
        let n = backend::read_scalar(&backend::count_true(&m)?)?.to_i64() as usize;
        let out = Tensor::empty_on(&[n, m.rank()], DType::I64, m.device())?;
        backend::nonzero_coords(&m, &out)?;
        Ok(out)
    }

    /// `nonzero(as_tuple=True)`: one 1-D int64 tensor per dim (a 0-d tensor counts as 1-D).
    pub fn nonzero_tuple(&self) -> Result<Vec<Tensor>> {
        let m = self.nonzero_mask()?;
        let m = if m.rank() == 0 { m.reshape_to(&[1])? } else { m };
        mask_columns(&m)
    }

    /// Contiguous bool `self != 0`.
    fn nonzero_mask(&self) -> Result<Tensor> {
        let m = if self.dtype() == DType::Bool { self.detach() } else { crate::autograd::no_grad(|| self.ne_t(&Tensor::wrapped_scalar(Scalar::Int(0))))? };
        if m.is_contiguous() { Ok(m) } else { m.contiguous_raw() }
    }
}
