//! Views: new layouts over the same storage (no data moves). A write through a
//! view is seen by every other view of the storage.
//!
//! Backward of a view is either another view (transpose, reshape) or, for views
//! that pick a subset (select, narrow, slicing), "embed": a zero tensor of the
//! input's shape with the gradient written into the same sub-view. Both are
//! differentiable, so higher-order gradients work through views.
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // reshape
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::arange(0.0, 6.0, 1.0, DType::I64).unwrap();
//!     let m = t.reshape(&[2, -1]).unwrap(); // -1: inferred (3)
//!     assert_eq!(m.shape(), &[2, 3]);
//!     assert!(m.same_storage(&t)); // a contiguous input reshapes as a view
//!     assert!(t.reshape(&[4, -1]).is_err()); // 6 elements do not make rows of 4
//! }
//! // transpose
//! {
//!     use rgrad::Tensor;
//!     let m = Tensor::from_slice(&[1i64, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
//!     let t = m.transpose(0, 1).unwrap();
//!     assert_eq!(t.shape(), &[3, 2]);
//!     assert!(t.same_storage(&m) && !t.is_contiguous()); // a view: only the strides change
//!     assert_eq!(t.to_vec::<i64>().unwrap(), vec![1, 4, 2, 5, 3, 6]);
//! }
//! // select
//! {
//!     use rgrad::Tensor;
//!     let m = Tensor::from_slice(&[1i64, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
//!     assert_eq!(m.select(1, -1).unwrap().to_vec::<i64>().unwrap(), vec![3, 6]); // column 2
//!     assert_eq!(m.narrow(1, 0, 2).unwrap().to_vec::<i64>().unwrap(), vec![1, 2, 4, 5]);
//!     assert!(m.select(0, 2).is_err()); // out of range
//! }
//! ```

use crate::autograd::{needs_grad, record};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::{fmt_shape, infer_size, normalize_dim, Shape};
use crate::tensor::Tensor;
use std::sync::Arc;

/// A layout transform, reusable on any layout (the input's, or a fresh gradient's).
pub type ViewFn = Arc<dyn Fn(&Layout) -> Result<Layout> + Send + Sync>;

impl Tensor {
    /// A view given by `f`, whose backward writes the gradient into the same view of zeros.
    pub fn view_fn(&self, name: &'static str, f: ViewFn) -> Result<Tensor> {
        let out = self.with_layout(f(self.layout())?);
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            record(name, &out, &[self], vec![], move |_, g| Ok(vec![Some(g.embed_into_zeros(&shape, f.clone())?)]));
        }
        Ok(out)
    }

    /// Zeros of `shape` with `self` written into `f`'s view of them (the backward of `view_fn`).
    pub fn embed_into_zeros(&self, shape: &[usize], f: ViewFn) -> Result<Tensor> {
        let out = Tensor::zeros_on(shape, self.dtype(), self.device())?;
        let dst = out.with_layout(f(out.layout())?);
        dst.copy_from_raw(self)?;
        if needs_grad(&[self]) {
            record("EmbedBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.view_fn("EmbedViewBackward0", f.clone())?)]));
        }
        Ok(out)
    }

    /// A view whose backward is a reshape back to the input's shape.
    fn reshaped_view(&self, name: &'static str, layout: Layout) -> Tensor {
        let out = self.with_layout(layout);
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            record(name, &out, &[self], vec![], move |_, g| Ok(vec![Some(g.reshape_to(&shape)?)]));
        }
        out
    }

    /// `view(*shape)`: same data, new shape; fails when the strides don't allow it.
    pub fn view(&self, shape: &[isize]) -> Result<Tensor> {
        let new_shape = infer_size(shape, self.numel())?;
        let strides = self.layout().view_strides(&new_shape).ok_or_else(|| {
            Error::Runtime("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.".into())
        })?;
        Ok(self.reshaped_view("ViewBackward0", Layout { shape: new_shape, strides, offset: self.storage_offset() }))
    }

    /// `reshape(*shape)`: a view when the strides allow it, else a copy.
    pub fn reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let new_shape = infer_size(shape, self.numel())?;
        self.reshape_to(&new_shape)
    }

    /// `reshape` to a shape with no `-1`.
    pub fn reshape_to(&self, shape: &[usize]) -> Result<Tensor> {
        if shape == self.shape() {
            return Ok(self.clone());
        }
        if crate::shape::numel(shape) != self.numel() {
            return Err(Error::Runtime(format!(
                "shape '{}' is invalid for input of size {}",
                fmt_shape(shape),
                self.numel()
            )));
        }
        match self.layout().view_strides(shape) {
            Some(strides) => Ok(self.reshaped_view("ViewBackward0", Layout { shape: shape.into(), strides, offset: self.storage_offset() })),
            None => self.clone_t()?.reshape_to(shape),
        }
    }

    /// `flatten(start_dim, end_dim)`.
    pub fn flatten(&self, start: isize, end: isize) -> Result<Tensor> {
        if self.rank() == 0 {
            return self.reshape_to(&[1]);
        }
        let r = self.rank();
        let (s, e) = (normalize_dim(start, r)?, normalize_dim(end, r)?);
        if s > e {
            return Err(Error::Runtime("flatten() has invalid args: start_dim cannot come after end_dim".into()));
        }
        let mut shape: Shape = self.shape()[..s].into();
        shape.push(self.shape()[s..=e].iter().product());
        shape.extend_from_slice(&self.shape()[e + 1..]);
        self.reshape_to(&shape)
    }

    /// `unflatten(dim, sizes)`: splits one dim into several (one may be -1).
    pub fn unflatten(&self, dim: isize, sizes: &[isize]) -> Result<Tensor> {
        if sizes.is_empty() {
            return Err(Error::Runtime("unflatten: sizes must be non-empty".into()));
        }
        if self.rank() == 0 {
            // PyTorch: an out-of-range dim is an IndexError, an in-range one a RuntimeError
            normalize_dim(dim, 0)?;
            return Err(Error::Runtime(format!("unflatten got an unexpected error: Dimension specified as {dim} but tensor has no dimensions")));
        }
        let d = normalize_dim(dim, self.rank())?;
        let inner = infer_size(sizes, self.shape()[d]).map_err(|_| {
            Error::Runtime(format!(
                "unflatten: Provided sizes {:?} don't multiply up to the size of dim {} ({}) in the input tensor",
                sizes, dim, self.shape()[d]
            ))
        })?;
        let mut shape: Shape = self.shape()[..d].into();
        shape.extend_from_slice(&inner);
        shape.extend_from_slice(&self.shape()[d + 1..]);
        self.reshape_to(&shape)
    }

    /// `transpose(d0, d1)` / `swapaxes`.
    pub fn transpose(&self, d0: isize, d1: isize) -> Result<Tensor> {
        let out = self.with_layout(self.layout().transpose(d0, d1)?);
        if needs_grad(&[self]) {
            record("TransposeBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.transpose(d0, d1)?)]));
        }
        Ok(out)
    }

    /// `t()`: transpose of a tensor with at most 2 dims.
    pub fn t(&self) -> Result<Tensor> {
        if self.rank() > 2 {
            return Err(Error::Runtime(format!("t() expects a tensor with <= 2 dimensions, but self is {}D", self.rank())));
        }
        if self.rank() < 2 {
            return self.transpose(0, 0);
        }
        self.transpose(0, 1)
    }

    /// `mT`: transpose of the last two dims (a 0-d tensor is its own, as PyTorch, which
    /// only warns that this is deprecated).
    pub fn mt(&self) -> Result<Tensor> {
        if self.rank() == 0 {
            return self.transpose(0, 0);
        }
        if self.rank() < 2 {
            return Err(Error::Runtime(format!(
                "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
                self.rank()
            )));
        }
        self.transpose(-2, -1)
    }

    /// `T`: all dims reversed.
    pub fn t_all(&self) -> Result<Tensor> {
        let dims: Vec<isize> = (0..self.rank() as isize).rev().collect();
        self.permute(&dims)
    }

    /// `permute(*dims)`.
    pub fn permute(&self, dims: &[isize]) -> Result<Tensor> {
        let out = self.with_layout(self.layout().permute(dims)?);
        if needs_grad(&[self]) {
            let r = self.rank();
            let mut inv = vec![0isize; r];
            for (i, &d) in dims.iter().enumerate() {
                inv[normalize_dim(d, r)?] = i as isize;
            }
            record("PermuteBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.permute(&inv)?)]));
        }
        Ok(out)
    }

    /// `expand(*sizes)`: broadcast with stride 0 (-1 keeps a size).
    pub fn expand(&self, sizes: &[isize]) -> Result<Tensor> {
        let out = self.with_layout(self.layout().expand(sizes)?);
        if needs_grad(&[self]) {
            // the engine sums the gradient back to the input's shape
            record("ExpandBackward0", &out, &[self], vec![], |_, g| Ok(vec![Some(g.clone())]));
        }
        Ok(out)
    }

    /// [`expand`](Tensor::expand) to `shape` given as sizes (no `-1`); `self` itself when the shape
    /// already matches.
    pub fn expand_to(&self, shape: &[usize]) -> Result<Tensor> {
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let sizes: Vec<isize> = shape.iter().map(|&s| s as isize).collect();
        self.expand(&sizes)
    }

    /// [`expand`](Tensor::expand) to `other`'s shape (`expand_as`).
    pub fn expand_as(&self, other: &Tensor) -> Result<Tensor> {
        self.expand_to(other.shape())
    }

    /// `squeeze()` (all size-1 dims) or `squeeze(dims)`.
    pub fn squeeze(&self, dims: Option<&[isize]>) -> Result<Tensor> {
        let l = match dims {
            None => self.layout().squeeze_all(),
            Some(d) => self.layout().squeeze_dims(d)?,
        };
        Ok(self.reshaped_view("SqueezeBackward0", l))
    }

    /// `unsqueeze(dim)`.
    pub fn unsqueeze(&self, dim: isize) -> Result<Tensor> {
        let l = self.layout().unsqueeze(dim)?;
        Ok(self.reshaped_view("UnsqueezeBackward0", l))
    }

    /// `narrow(dim, start, length)`.
    pub fn narrow(&self, dim: isize, start: isize, length: isize) -> Result<Tensor> {
        self.layout().narrow(dim, start, length)?; // check now, report the user's arguments
        self.view_fn("NarrowBackward0", Arc::new(move |l: &Layout| l.narrow(dim, start, length)))
    }

    /// `select(dim, index)`: removes `dim`, keeping one index.
    ///
    /// Like [`narrow`](Tensor::narrow), a view sharing `self`'s storage.
    pub fn select(&self, dim: isize, index: isize) -> Result<Tensor> {
        self.layout().select(dim, index)?;
        self.view_fn("SelectBackward0", Arc::new(move |l: &Layout| l.select(dim, index)))
    }

    /// `unfold(dimension, size, step)`: a view of every window of `size` elements along
    /// `dimension`, `step` apart, indexed by a new last dim (PyTorch's `Tensor.unfold`).
    pub fn unfold(&self, dim: isize, size: isize, step: isize) -> Result<Tensor> {
        let out = self.with_layout(self.layout().unfold(dim, size, step)?);
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            let d = normalize_dim(dim, self.rank().max(1))?;
            let (size, step) = (size as usize, step as usize);
            record("UnfoldBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(unfold_backward(g, &shape, d, size, step)?)]));
        }
        Ok(out)
    }

    /// Basic slice `start:start+len*step:step` on `dim` (step may be negative).
    pub fn slice(&self, dim: usize, start: isize, len: usize, step: isize) -> Result<Tensor> {
        if dim >= self.rank() {
            return Err(Error::Index(format!("too many indices for tensor of dimension {}", self.rank())));
        }
        if step == 0 {
            return Err(Error::Value("slice step cannot be zero".into()));
        }
        self.view_fn("SliceBackward0", Arc::new(move |l: &Layout| Ok(l.slice(dim, start, len, step))))
    }
}

/// The gradient of `unfold(d, size, step)` for an input of `shape`: each window's gradient
/// added into the input elements it covers. Windows that don't overlap (`step >= size`) are
/// one write into zeros; overlapping ones are a sum over the `size` window offsets, each a
/// strided slice of the input (built from differentiable ops, so double backward works).
fn unfold_backward(g: &Tensor, shape: &[usize], d: usize, size: usize, step: usize) -> Result<Tensor> {
    if shape.is_empty() {
        return g.sum_to_shape(shape); // a 0-d input: one window of at most one element
    }
    if step >= size {
        return g.embed_into_zeros(shape, Arc::new(move |l: &Layout| l.unfold(d as isize, size as isize, step as isize)));
    }
    let windows = g.shape()[d];
    let mut acc: Option<Tensor> = None;
    for k in 0..size {
        let part = g.select(-1, k as isize)?.embed_into_zeros(shape, Arc::new(move |l: &Layout| Ok(l.slice(d, k as isize, windows, step as isize))))?;
        acc = Some(match acc {
            None => part,
            Some(a) => a.add(&part)?,
        });
    }
    // size >= 1 here (size > step >= 1)
    acc.ok_or_else(|| Error::Runtime("unfold backward with an empty window".into()))
}

// ---------- view regions of a base-shaped gradient (for CopySlices, see autograd::views) ----------

use crate::autograd::views::ViewGeometry;
use crate::storage::Storage;

impl Tensor {
    /// A fresh buffer laid out like the base in `geom` (zeros, or a copy of `self` when given).
    fn base_buffer(geom: &ViewGeometry, dtype: crate::dtype::DType, device: crate::device::Device, fill_from: Option<&Tensor>) -> Result<Tensor> {
        let n = geom.storage_len;
        let storage = match fill_from {
            Some(_) if geom.base.is_contiguous() && geom.base.offset == 0 && geom.base.numel() == geom.storage_len => Storage::uninit(n, dtype, device)?,
            _ => Storage::zeroed(n, dtype, device)?,
        };
        let buf = Tensor::from_parts(Arc::new(storage), geom.base.clone(), dtype);
        if let Some(src) = fill_from {
            buf.copy_from_raw(src)?;
        }
        Ok(buf)
    }

    /// The elements of base-shaped `self` that the view in `geom` looks at, in the view's
    /// shape. Backward: [`Tensor::embed_view_in_base`].
    pub(crate) fn take_view_region(&self, geom: &Arc<ViewGeometry>) -> Result<Tensor> {
        let buf = Tensor::base_buffer(geom, self.dtype(), self.device(), Some(self))?;
        let out = Tensor::from_parts(buf.storage().clone(), geom.view.clone(), self.dtype());
        if needs_grad(&[self]) {
            let geom = geom.clone();
            record("AsStridedBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.embed_view_in_base(&geom)?)]));
        }
        Ok(out)
    }

    /// Base-shaped zeros with view-shaped `self` written where the view in `geom` sits
    /// (the backward of a view seen through its base). Backward: [`Tensor::take_view_region`].
    /// Where the view overlaps itself (expand, overlapping unfold windows), the gradients of
    /// the elements that share a storage element add up there, as PyTorch's as_strided
    /// backward: a plain write through the view would keep only one of them.
    pub(crate) fn embed_view_in_base(&self, geom: &Arc<ViewGeometry>) -> Result<Tensor> {
        let buf = if geom.view.may_overlap() {
            let flat = crate::autograd::no_grad(|| -> Result<Tensor> {
                // the storage position of each view element, in the view's element order
                let positions = Tensor::arange_on(0.0, geom.storage_len as f64, 1.0, crate::dtype::DType::I64, self.device())?;
                let n = self.numel();
                let pos = Tensor::from_parts(positions.storage().clone(), geom.view.clone(), crate::dtype::DType::I64).contiguous_raw()?.reshape_to(&[n])?;
                let g = self.detach().contiguous_raw()?.reshape_to(&[n])?;
                Tensor::zeros_on(&[geom.storage_len], self.dtype(), self.device())?.index_add_t(0, &pos, &g, None)
            })?;
            Tensor::from_parts(flat.storage().clone(), geom.base.clone(), self.dtype())
        } else {
            let buf = Tensor::base_buffer(geom, self.dtype(), self.device(), None)?;
            Tensor::from_parts(buf.storage().clone(), geom.view.clone(), self.dtype()).copy_from_raw(self)?;
            buf
        };
        if needs_grad(&[self]) {
            let geom = geom.clone();
            record("AsStridedScatterBackward0", &buf, &[self], vec![], move |_, g| Ok(vec![Some(g.take_view_region(&geom)?)]));
        }
        Ok(buf)
    }

    /// Base-shaped `self` with the view's region in `geom` replaced by `value` (zeros when
    /// `None`): how CopySlices merges the in-place op's gradient into the base's.
    pub(crate) fn replace_view_region(&self, geom: &Arc<ViewGeometry>, value: Option<&Tensor>) -> Result<Tensor> {
        let buf = Tensor::base_buffer(geom, self.dtype(), self.device(), Some(self))?;
        let region = Tensor::from_parts(buf.storage().clone(), geom.view.clone(), self.dtype());
        match value {
            Some(v) => region.copy_from_raw(v)?,
            None => region.fill_raw(crate::dtype::Scalar::Int(0))?,
        }
        let inputs: Vec<&Tensor> = std::iter::once(self).chain(value).collect();
        if needs_grad(&inputs) {
            let geom = geom.clone();
            let has_value = value.is_some();
            record("CopySlicesBackward0", &buf, &inputs, vec![], move |_, g| {
                let mut grads = vec![Some(g.replace_view_region(&geom, None)?)];
                if has_value {
                    grads.push(Some(g.take_view_region(&geom)?));
                }
                Ok(grads)
            });
        }
        Ok(buf)
    }
}
