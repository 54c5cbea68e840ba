//! Indexing: getitem/setitem, gather/scatter, masked ops, nonzero.
//!
//! An index expression (`TensorIndex` list, what `t[...]` receives) is resolved
//! in two parts, as NumPy does:
//! - the *basic* part (ints, slices with any step, None, Ellipsis) is a chain of
//!   layout steps: a view sharing storage, replayable on any layout of the same
//!   shape (so its backward embeds the gradient into zeros through the same view);
//! - the *advanced* part (integer tensors, boolean masks, and ints/bools that
//!   appear beside them) is a gather into a fresh tensor: the index tensors
//!   broadcast together; when they are not adjacent the indexed block moves to
//!   the front. Backward is the matching scatter-add (duplicates accumulate).
//!
//! `setitem_` writes through the same resolution; its autograd node has edges
//! (self's previous grad_fn, value): the overwritten region gets zero gradient
//! and the value gets the gradient of its region.

use crate::autograd::{needs_grad, record};
use crate::cpu::index::{self as kern, Offs, ScatterOp};
use crate::cpu::iter::{Operand, Plan};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::binary::check_inplace_allowed;
use crate::ops::view::ViewFn;
use crate::shape::{broadcast_shapes, fmt_shape, normalize_dim, Shape};
use crate::tensor::{dtype_title, Tensor};
use smallvec::SmallVec;
use std::sync::Arc;

/// One item of an index expression.
#[derive(Clone, Debug)]
pub enum TensorIndex {
    /// An integer (negative counts from the end).
    Int(isize),
    /// A slice with Python's defaults already filled in (see [`TensorIndex::slice`]).
    Slice { start: isize, stop: isize, step: isize },
    /// `None`: a new axis of size 1.
    None,
    /// `...`: as many full slices as needed.
    Ellipsis,
    /// A Python bool: a new axis, kept (True) or emptied (False).
    Bool(bool),
    /// An integer (int32/int64) index tensor or a boolean mask.
    Tensor(Tensor),
}

impl TensorIndex {
    /// `start:stop:step` with Python's defaults for missing parts.
    pub fn slice(start: Option<isize>, stop: Option<isize>, step: Option<isize>) -> Result<TensorIndex> {
        let step = step.unwrap_or(1);
        if step == 0 {
            return Err(Error::Value("slice step cannot be zero".into()));
        }
        let step = step.max(-isize::MAX);
        let start = start.unwrap_or(if step < 0 { isize::MAX } else { 0 });
        let stop = stop.unwrap_or(if step < 0 { isize::MIN } else { isize::MAX });
        Ok(TensorIndex::Slice { start, stop, step })
    }
    /// `:`.
    pub fn full() -> TensorIndex {
        TensorIndex::Slice { start: 0, stop: isize::MAX, step: 1 }
    }
}

/// CPython's `PySlice_AdjustIndices`: the first index and the length of a slice.
pub fn adjust_slice(mut start: isize, mut stop: isize, step: isize, len: usize) -> (isize, usize) {
    let len = len as isize;
    let clamp = |v: &mut isize| {
        if *v < 0 {
            *v = v.saturating_add(len);
            if *v < 0 {
                *v = if step < 0 { -1 } else { 0 };
            }
        } else if *v >= len {
            *v = if step < 0 { len - 1 } else { len };
        }
    };
    clamp(&mut start);
    clamp(&mut stop);
    let n = if step < 0 {
        if stop < start { (start - stop - 1) / (-step) + 1 } else { 0 }
    } else if start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    (start, n as usize)
}

/// A basic-indexing step, replayable on any layout of the same shape.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Step {
    Select(usize, isize),
    Slice(usize, isize, usize, isize),
    Unsqueeze(usize),
}

fn apply_steps(l: &Layout, steps: &[Step]) -> Result<Layout> {
    let mut l = l.clone();
    for s in steps {
        l = match *s {
            Step::Select(d, i) => l.select(d as isize, i)?,
            Step::Slice(d, start, n, step) => l.slice(d, start, n, step),
            Step::Unsqueeze(d) => l.unsqueeze(d as isize)?,
        };
    }
    Ok(l)
}

/// An advanced index found while resolving, placed at a dim of the basic view.
#[derive(Clone, Debug)]
pub(crate) enum Adv {
    /// An integer index tensor (any shape) on dim `dim` (`orig`: the dim in the indexed tensor).
    Int { dim: usize, orig: usize, idx: Tensor },
    /// A boolean mask covering dims `dim..dim+rank`.
    Mask { dim: usize, orig: usize, mask: Tensor },
}

/// The result of resolving an index expression against a tensor.
pub(crate) struct Resolved {
    pub steps: SmallVec<[Step; 4]>,
    pub layout: Layout,
    pub adv: Vec<Adv>,
    /// NumPy's rule: advanced items next to each other in the expression keep their place;
    /// anything between them (even an Ellipsis covering no dims) moves the block to the front.
    pub adjacent: bool,
}

/// Integer indices after masks are expanded: one broadcast `i64` tensor per indexed dim.
#[derive(Clone, Debug)]
pub(crate) struct AdvSpec {
    pub dims: Vec<usize>,
    pub origs: Vec<usize>,
    /// contiguous i64 tensors, each of `bshape` or of one element
    pub idx: Vec<Tensor>,
    pub bshape: Shape,
    pub adjacent: bool,
}

fn check_index_dtype(t: &Tensor) -> Result<()> {
    if t.dtype().is_float() {
        return Err(Error::Index("tensors used as indices must be long, int, byte or bool tensors".into()));
    }
    Ok(())
}

fn out_of_bounds(v: i64, dim: usize, size: usize) -> Error {
    Error::Index(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
}

/// The same message as a RuntimeError: PyTorch's gather / scatter / index_add family raise
/// that class (and take no negative indices).
fn out_of_bounds_rt(v: i64, dim: usize, size: usize) -> Error {
    Error::Runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
}

/// The first entry of an int index that is negative or `>= size` (ops that, as in PyTorch,
/// take no negative indices, checked before the shared wrapping index machinery runs).
fn first_invalid_index(index: &Tensor, size: usize) -> Result<Option<i64>> {
    Ok(index.to_vec::<i64>()?.into_iter().find(|&v| v < 0 || v >= size as i64))
}

/// Resolves `index` against `t`'s layout: basic steps, the view layout, advanced indices.
pub(crate) fn resolve(t: &Tensor, index: &[TensorIndex]) -> Result<Resolved> {
    let rank = t.rank();
    // 0-d tensors used as indices behave like Python ints / bools (NumPy)
    let mut consumed = 0usize;
    let mut ellipses = 0usize;
    let mut has_adv = false;
    for it in index {
        match it {
            TensorIndex::Int(_) | TensorIndex::Slice { .. } => consumed += 1,
            TensorIndex::Ellipsis => ellipses += 1,
            TensorIndex::Bool(_) => has_adv = true,
            TensorIndex::None => {}
            TensorIndex::Tensor(x) => {
                check_index_dtype(x)?;
                if x.dtype() == DType::Bool {
                    consumed += x.rank();
                    has_adv = true;
                } else {
                    consumed += 1;
                    has_adv |= x.rank() > 0;
                }
            }
        }
    }
    if ellipses > 1 {
        return Err(Error::Index("an index can only have a single ellipsis ('...')".into()));
    }
    if consumed > rank {
        return Err(Error::Index(format!("too many indices for tensor of dimension {rank}")));
    }
    let mut layout = t.layout().clone();
    let mut steps: SmallVec<[Step; 4]> = SmallVec::new();
    let mut adv = Vec::new();
    let (mut cur, mut orig) = (0usize, 0usize);
    let mut adv_pos: SmallVec<[usize; 4]> = SmallVec::new();
    let mut n_prev = 0usize;
    for (pos, it) in index.iter().enumerate() {
        // the previous item was advanced when it added entries
        if adv.len() > n_prev {
            adv_pos.push(pos - 1);
            n_prev = adv.len();
        }
        match it {
            TensorIndex::Int(i) => {
                let size = layout.shape[cur];
                let v = if *i < 0 { *i + size as isize } else { *i };
                if v < 0 || v >= size as isize {
                    return Err(out_of_bounds(*i as i64, orig, size));
                }
                if has_adv {
                    adv.push(Adv::Int { dim: cur, orig, idx: Tensor::scalar(Scalar::Int(v as i64), DType::I64)? });
                    cur += 1;
                } else {
                    layout = layout.select(cur as isize, v)?;
                    steps.push(Step::Select(cur, v));
                }
                orig += 1;
            }
            TensorIndex::Slice { start, stop, step } => {
                let (s, n) = adjust_slice(*start, *stop, *step, layout.shape[cur]);
                layout = layout.slice(cur, s, n, *step);
                steps.push(Step::Slice(cur, s, n, *step));
                cur += 1;
                orig += 1;
            }
            TensorIndex::None => {
                layout = layout.unsqueeze(cur as isize)?;
                steps.push(Step::Unsqueeze(cur));
                cur += 1;
            }
            TensorIndex::Ellipsis => {
                cur += rank - consumed;
                orig += rank - consumed;
            }
            TensorIndex::Bool(b) => {
                layout = layout.unsqueeze(cur as isize)?;
                steps.push(Step::Unsqueeze(cur));
                let idx = if *b { Tensor::from_slice(&[0i64], &[1])? } else { Tensor::empty(&[0], DType::I64, t.device())? };
                adv.push(Adv::Int { dim: cur, orig, idx });
                cur += 1;
            }
            TensorIndex::Tensor(x) if x.dtype() == DType::Bool => {
                if x.rank() == 0 {
                    // a 0-d mask is a Python bool
                    layout = layout.unsqueeze(cur as isize)?;
                    steps.push(Step::Unsqueeze(cur));
                    let b = x.item()?.to_i64() != 0;
                    let idx = if b { Tensor::from_slice(&[0i64], &[1])? } else { Tensor::empty(&[0], DType::I64, t.device())? };
                    adv.push(Adv::Int { dim: cur, orig, idx });
                    cur += 1;
                    continue;
                }
                let k = x.rank();
                let part = &layout.shape[cur..cur + k];
                if x.shape() != part {
                    let j = (0..k).find(|&j| x.shape()[j] != part[j]).unwrap_or(0);
                    return Err(Error::Index(format!(
                        "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                        fmt_shape(x.shape()),
                        j,
                        fmt_shape(part),
                        orig + j
                    )));
                }
                adv.push(Adv::Mask { dim: cur, orig, mask: x.clone() });
                cur += k;
                orig += k;
            }
            TensorIndex::Tensor(x) => {
                if x.rank() == 0 && !has_adv {
                    // a 0-d integer tensor is an int (a view)
                    let i = x.item()?.to_i64() as isize;
                    let size = layout.shape[cur];
                    let v = if i < 0 { i + size as isize } else { i };
                    if v < 0 || v >= size as isize {
                        return Err(out_of_bounds(i as i64, orig, size));
                    }
                    layout = layout.select(cur as isize, v)?;
                    steps.push(Step::Select(cur, v));
                } else {
                    adv.push(Adv::Int { dim: cur, orig, idx: x.clone() });
                    cur += 1;
                }
                orig += 1;
            }
        }
    }
    if adv.len() > n_prev {
        adv_pos.push(index.len() - 1);
    }
    let adjacent = adv_pos.windows(2).all(|w| w[1] == w[0] + 1);
    Ok(Resolved { steps, layout, adv, adjacent })
}

fn as_i64_contig(t: &Tensor) -> Result<Tensor> {
    let t = if t.dtype() != DType::I64 { t.cast_raw(DType::I64)? } else { t.clone() };
    if t.is_contiguous() { Ok(t) } else { t.contiguous_raw() }
}

/// Expands masks into integer indices and broadcasts all index tensors.
pub(crate) fn expand_adv(adv: &[Adv], adjacent: bool) -> Result<AdvSpec> {
    let mut dims = Vec::new();
    let mut origs = Vec::new();
    let mut idx: Vec<Tensor> = Vec::new();
    for a in adv {
        match a {
            Adv::Int { dim, orig, idx: x } => {
                dims.push(*dim);
                origs.push(*orig);
                idx.push(x.clone());
            }
            Adv::Mask { dim, orig, mask } => {
                let cols = mask_columns(mask)?;
                for (j, c) in cols.into_iter().enumerate() {
                    dims.push(dim + j);
                    origs.push(orig + j);
                    idx.push(c);
                }
            }
        }
    }
    let mut bshape = Shape::new();
    for x in &idx {
        bshape = broadcast_shapes(&bshape, x.shape()).map_err(|_| {
            let shapes: Vec<String> = idx.iter().map(|t| fmt_shape(t.shape())).collect();
            Error::Index(format!("shape mismatch: indexing tensors could not be broadcast together with shapes {}", shapes.join(", ")))
        })?;
    }
    let mut out = Vec::with_capacity(idx.len());
    for x in idx {
        let x = if x.numel() == 1 || x.shape() == bshape.as_slice() { x } else { x.expand_to(&bshape)?.detach() };
        out.push(as_i64_contig(&x)?);
    }
    Ok(AdvSpec { dims, origs, idx: out, bshape, adjacent })
}

/// The coordinates of a mask's true elements, one 1-D i64 tensor per mask dim.
fn mask_columns(mask: &Tensor) -> Result<Vec<Tensor>> {
    let m = if mask.is_contiguous() { mask.clone() } else { mask.contiguous_raw()? };
    let ms = unsafe { std::slice::from_raw_parts(m.data_ptr() as *const bool, m.numel()) };
    let coords = kern::nonzero_coords(ms, m.shape());
    let k = m.rank();
    let n = if k == 0 { 0 } else { coords.len() / k };
    (0..k)
        .map(|j| {
            let col: Vec<i64> = (0..n).map(|i| coords[i * k + j]).collect();
            Tensor::from_slice(&col, &[n])
        })
        .collect()
}

/// Offsets for a gather/scatter of `spec` on a view with `layout`: (P, B, Q, result shape).
fn plan_offsets(layout: &Layout, spec: &AdvSpec) -> Result<(Offs, Vec<isize>, Offs, Shape)> {
    let r = layout.rank();
    if spec.dims.is_empty() {
        return Err(Error::Runtime("advanced indexing without index tensors".into()));
    }
    let mut sorted = spec.dims.clone();
    sorted.sort_unstable();
    let consecutive = spec.adjacent && sorted.windows(2).all(|w| w[1] == w[0] + 1);
    let (first, last) = (sorted[0], sorted[sorted.len() - 1]);
    let rest: Vec<usize> = (0..r).filter(|d| !spec.dims.contains(d)).collect();
    let (pre, post): (Vec<usize>, Vec<usize>) = if consecutive {
        (rest.iter().copied().filter(|&d| d < first).collect(), rest.iter().copied().filter(|&d| d > last).collect())
    } else {
        (vec![], rest)
    };
    let pick = |ds: &[usize]| -> (Vec<usize>, Vec<isize>) { (ds.iter().map(|&d| layout.shape[d]).collect(), ds.iter().map(|&d| layout.strides[d]).collect()) };
    let (ps, pst) = pick(&pre);
    let (qs, qst) = pick(&post);
    let nb: usize = spec.bshape.iter().product();
    let slices: Vec<&[i64]> = spec.idx.iter().map(|t| unsafe { std::slice::from_raw_parts(t.data_ptr() as *const i64, t.numel()) }).collect();
    let sizes: Vec<usize> = spec.dims.iter().map(|&d| layout.shape[d]).collect();
    let strides: Vec<isize> = spec.dims.iter().map(|&d| layout.strides[d]).collect();
    let b = if nb == 0 {
        Vec::new()
    } else {
        kern::combine_offsets(&slices, &sizes, &strides, nb).map_err(|(k, v)| out_of_bounds(v, spec.origs[k], sizes[k]))?
    };
    let mut shape: Shape = ps.iter().copied().collect();
    shape.extend_from_slice(&spec.bshape);
    shape.extend_from_slice(&qs);
    Ok((Offs::of_dims(&ps, &pst), b, Offs::of_dims(&qs, &qst), shape))
}

/// Names of nodes whose output is a view of their input's storage.
/// Drops leading size-1 dims so `v` can broadcast into a lower-rank target (NumPy allows it).
fn strip_leading_ones(v: &Tensor, target_rank: usize) -> Result<Tensor> {
    if v.rank() <= target_rank {
        return Ok(v.clone());
    }
    let extra = v.rank() - target_rank;
    if v.shape()[..extra].iter().all(|&s| s == 1) {
        return v.reshape_to(&v.shape()[extra..].to_vec());
    }
    Ok(v.clone())
}

fn shape_mismatch(value: &[usize], target: &[usize]) -> Error {
    Error::Runtime(format!(
        "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
        fmt_shape(value),
        fmt_shape(target)
    ))
}

impl Tensor {
    /// `self[index]` (`__getitem__`): a view for basic indexing, a copy when any
    /// advanced index (integer tensor, mask, bool) is present. Differentiable.
    pub fn getitem(&self, index: &[TensorIndex]) -> Result<Tensor> {
        let r = resolve(self, index)?;
        let v = self.basic_view(r.steps, r.layout)?;
        if r.adv.is_empty() {
            return Ok(v);
        }
        if r.adv.len() == 1 {
            if let Adv::Mask { dim: 0, mask, .. } = &r.adv[0] {
                return v.mask_select_leading(mask);
            }
        }
        let spec = expand_adv(&r.adv, r.adjacent)?;
        v.index_adv("IndexBackward0", &spec)
    }

    /// The view given by basic steps (already applied to give `layout`).
    pub(crate) fn basic_view(&self, steps: SmallVec<[Step; 4]>, layout: Layout) -> Result<Tensor> {
        if steps.is_empty() {
            return Ok(self.clone());
        }
        let out = self.with_layout(layout);
        if needs_grad(&[self]) {
            let name = match steps[steps.len() - 1] {
                Step::Select(..) => "SelectBackward0",
                Step::Slice(..) => "SliceBackward0",
                Step::Unsqueeze(..) => "UnsqueezeBackward0",
            };
            let shape: Shape = self.shape().into();
            let f: ViewFn = Arc::new(move |l: &Layout| apply_steps(l, &steps));
            record(name, &out, &[self], vec![], move |_, g| Ok(vec![Some(g.embed_into_zeros(&shape, f.clone())?)]));
        }
        Ok(out)
    }

    /// Advanced-index gather (a copy), recorded as `name`; backward scatter-adds.
    pub(crate) fn index_adv(&self, name: &'static str, spec: &AdvSpec) -> Result<Tensor> {
        let (p, b, q, shape) = plan_offsets(self.layout(), spec)?;
        let out = Tensor::empty(&shape, self.dtype(), self.device())?;
        if out.numel() > 0 {
            unsafe { kern::gather_rows(self.dtype().size(), self.data_ptr(), out.data_ptr(), &p, &b, &q) };
        }
        if needs_grad(&[self]) {
            let spec = spec.clone();
            let in_shape: Shape = self.shape().into();
            record(name, &out, &[self], vec![], move |_, g| {
                let z = Tensor::zeros(&in_shape, g.dtype(), g.device())?;
                if !needs_grad(&[g]) {
                    // plain backward: accumulate straight into the fresh zeros
                    z.index_put_adv_raw(&spec, g, true)?;
                    return Ok(vec![Some(z)]);
                }
                Ok(vec![Some(z.index_put_adv("IndexPutBackward0", &spec, g, true)?)])
            });
        }
        Ok(out)
    }

    /// Rows of `self` where a mask over its leading dims is true (fast `x[mask]`).
    fn mask_select_leading(&self, mask: &Tensor) -> Result<Tensor> {
        let k = mask.rank();
        let l = self.layout();
        let rows = Offs::of_dims(&l.shape[..k], &l.strides[..k]);
        let q = Offs::of_dims(&l.shape[k..], &l.strides[k..]);
        let m = if mask.is_contiguous() { mask.clone() } else { mask.contiguous_raw()? };
        let ms = unsafe { std::slice::from_raw_parts(m.data_ptr() as *const bool, m.numel()) };
        let n = kern::count_true(ms);
        let mut shape: Shape = SmallVec::from_slice(&[n]);
        shape.extend_from_slice(&l.shape[k..]);
        let out = Tensor::empty(&shape, self.dtype(), self.device())?;
        if out.numel() > 0 {
            unsafe { kern::mask_select_rows(self.dtype().size(), self.data_ptr(), &rows, ms, &q, out.data_ptr()) };
        }
        if needs_grad(&[self]) {
            let in_shape: Shape = self.shape().into();
            let mask = m.clone();
            record("IndexBackward0", &out, &[self], vec![], move |_, g| {
                let spec = expand_adv(&[Adv::Mask { dim: 0, orig: 0, mask: mask.clone() }], true)?;
                let z = Tensor::zeros(&in_shape, g.dtype(), g.device())?;
                if !needs_grad(&[g]) {
                    z.index_put_adv_raw(&spec, g, false)?;
                    return Ok(vec![Some(z)]);
                }
                Ok(vec![Some(z.index_put_adv("IndexPutBackward0", &spec, g, false)?)])
            });
        }
        Ok(out)
    }

    /// Out-of-place advanced-index put: a copy of `self` with `values` written (or added).
    pub(crate) fn index_put_adv(&self, name: &'static str, spec: &AdvSpec, values: &Tensor, accumulate: bool) -> Result<Tensor> {
        let out = self.contiguous_raw()?;
        out.index_put_adv_raw(spec, values, accumulate)?;
        if needs_grad(&[self, values]) {
            let spec = spec.clone();
            let (gs, gv) = (self.requires_grad(), values.requires_grad());
            let vshape: Shape = values.shape().into();
            record(name, &out, &[self, values], vec![], move |_, g| {
                let g_self = if !gs {
                    None
                } else if accumulate {
                    Some(g.clone())
                } else {
                    Some(g.index_put_adv("IndexPutBackward0", &spec, &Tensor::wrapped_scalar(Scalar::Int(0)), false)?)
                };
                let g_val = if gv { Some(fit_value_grad(g.index_adv("IndexBackward0", &spec)?, &vshape)?) } else { None };
                Ok(vec![g_self, g_val])
            });
        }
        Ok(out)
    }

    /// Writes (or adds) `values`, broadcast to the indexed shape, into `self` (no autograd, no version bump).
    pub(crate) fn index_put_adv_raw(&self, spec: &AdvSpec, values: &Tensor, accumulate: bool) -> Result<()> {
        let (p, b, q, shape) = plan_offsets(self.layout(), spec)?;
        let v = if values.dtype() != self.dtype() { values.cast_raw(self.dtype())? } else { values.clone() };
        let v = strip_leading_ones(&v.detach(), shape.len())?;
        let scalar = v.numel() == 1;
        let v = if scalar {
            if v.is_contiguous() { v } else { v.contiguous_raw()? }
        } else {
            let bs = broadcast_shapes(v.shape(), &shape).map_err(|_| shape_mismatch(values.shape(), &shape))?;
            if bs.as_slice() != shape.as_slice() {
                return Err(shape_mismatch(values.shape(), &shape));
            }
            if v.shape() == shape.as_slice() && v.is_contiguous() && !v.same_storage(self) {
                v
            } else {
                v.expand_to(&shape)?.contiguous_raw()?
            }
        };
        if shape.iter().product::<usize>() == 0 {
            return Ok(());
        }
        unsafe {
            if accumulate {
                kern::scatter_rows_accumulate(self.dtype(), self.data_ptr(), v.data_ptr(), scalar, &p, &b, &q);
            } else {
                kern::scatter_rows(self.dtype().size(), self.data_ptr(), v.data_ptr(), scalar, &p, &b, &q);
            }
        }
        Ok(())
    }

    /// `self[index] = value` (`__setitem__`): value (a tensor or wrapped scalar) is cast to
    /// self's dtype and broadcast to the indexed shape. Bumps the version counter.
    pub fn setitem_(&self, index: &[TensorIndex], value: &Tensor) -> Result<()> {
        self.index_put_impl_(index, value, false)
    }

    /// `index_put_(indices, values, accumulate)` over a full index expression.
    pub fn index_put_impl_(&self, index: &[TensorIndex], value: &Tensor, accumulate: bool) -> Result<()> {
        check_inplace_allowed(self)?;
        let record_it = needs_grad(&[self, value]) && self.dtype().is_float();
        let r = resolve(self, index)?;
        let view = self.with_layout(r.layout);
        if r.adv.is_empty() {
            let v = if value.dtype() != self.dtype() { value.cast_raw(self.dtype())? } else { value.detach() };
            let v = strip_leading_ones(&v, view.rank())?;
            let bs = broadcast_shapes(v.shape(), view.shape()).map_err(|_| shape_mismatch(value.shape(), view.shape()))?;
            if bs.as_slice() != view.shape() {
                return Err(shape_mismatch(value.shape(), view.shape()));
            }
            let v = if v.same_storage(self) { v.contiguous_raw()? } else { v };
            if accumulate {
                let sum = crate::autograd::no_grad(|| view.add(&v))?;
                view.copy_from_raw(&sum)?;
            } else {
                view.copy_from_raw(&v)?;
            }
        } else if let (false, true, [Adv::Mask { dim: 0, mask, .. }]) = (accumulate, value.numel() == 1 && value.rank() <= 1, r.adv.as_slice()) {
            // `x[mask] = scalar`: a masked fill of the view, no index lists
            let mut mshape: Shape = mask.shape().into();
            mshape.resize(view.rank(), 1);
            let m = mask.reshape_to(&mshape)?.detach();
            view.masked_fill_raw(&m, &value.detach().reshape_to(&[])?)?;
        } else {
            let spec = expand_adv(&r.adv, r.adjacent)?;
            view.index_put_adv_raw(&spec, value, accumulate)?;
        }
        self.storage().bump_version();
        if record_it {
            let idx: Vec<TensorIndex> = index.to_vec();
            let (gs, gv) = (self.requires_grad(), value.requires_grad());
            let vshape: Shape = value.shape().into();
            let old = self.clone();
            record("IndexPutBackward0", self, &[&old, value], vec![], move |_, g| {
                let g_self = if !gs {
                    None
                } else if accumulate {
                    Some(g.clone())
                } else {
                    let z = g.clone_t()?;
                    z.setitem_(&idx, &Tensor::wrapped_scalar(Scalar::Int(0)))?;
                    Some(z)
                };
                let g_val = if gv { Some(fit_value_grad(g.getitem(&idx)?, &vshape)?) } else { None };
                Ok(vec![g_self, g_val])
            });
        }
        Ok(())
    }

    /// `index_put(indices, values, accumulate)`: out-of-place.
    pub fn index_put_t(&self, index: &[TensorIndex], value: &Tensor, accumulate: bool) -> Result<Tensor> {
        let out = self.clone_t()?;
        out.index_put_impl_(index, value, accumulate)?;
        Ok(out)
    }
}

/// A value's gradient from its indexed region: drops broadcast leading dims the value never had.
fn fit_value_grad(g: Tensor, vshape: &[usize]) -> Result<Tensor> {
    if g.rank() < vshape.len() {
        return g.reshape_to(vshape);
    }
    Ok(g)
}

// ---------- dim-wise functions ----------

fn check_int_index(index: &Tensor, what: &str) -> Result<()> {
    if !index.dtype().is_int() {
        return Err(Error::Runtime(format!(
            "{what}(): Expected dtype int32/int64 for index, but got {}",
            index.dtype()
        )));
    }
    Ok(())
}

/// A one-dim spec: `index` (1-D) on `dim`.
fn dim_spec(index: &Tensor, dim: usize) -> Result<AdvSpec> {
    let idx = as_i64_contig(&index.reshape_to(&[index.numel()])?.detach())?;
    Ok(AdvSpec { dims: vec![dim], origs: vec![dim], bshape: SmallVec::from_slice(&[idx.numel()]), idx: vec![idx], adjacent: true })
}

/// Narrows `src` to `shape` on every dim (a differentiable view).
fn narrow_to(src: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let mut s = if src.rank() == 0 && !shape.is_empty() { src.reshape_to(&vec![1; shape.len()])? } else { src.clone() };
    if s.rank() != shape.len() {
        return Err(Error::Runtime("Index tensor must have the same number of dimensions as src tensor".into()));
    }
    for (d, &n) in shape.iter().enumerate() {
        if s.shape()[d] != n {
            s = s.narrow(d as isize, 0, n as isize)?;
        }
    }
    Ok(s)
}

/// The Plan operand of `t` over `shape` (a prefix box of t) with `dim`'s stride zeroed.
fn box_operand(t: &Tensor, shape: &[usize], zero_dim: Option<usize>) -> Operand {
    let esz = t.dtype().size() as isize;
    let strides = (0..shape.len())
        .map(|d| if Some(d) == zero_dim || t.rank() == 0 { 0 } else { t.strides()[d] * esz })
        .collect();
    let _ = shape;
    Operand { ptr: t.data_ptr(), strides }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    pub fn parse(s: &str) -> Result<ScatterReduce> {
        Ok(match s {
            "sum" | "add" => ScatterReduce::Sum,
            "prod" | "multiply" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => return Err(Error::Runtime(format!("reduce argument must be either sum, prod, mean, amax or amin, got {s}"))),
        })
    }
}

impl Tensor {
    /// Checks shared by gather/scatter: same rank, int64 index, index fits.
    fn check_gather_scatter(&self, dim: usize, index: &Tensor, src: Option<&Tensor>, what: &str) -> Result<()> {
        if index.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("{what}(): Expected dtype int64 for index")));
        }
        let r = self.rank().max(1);
        if index.rank().max(1) != r {
            return Err(Error::Runtime(format!("Index tensor must have the same number of dimensions as {} tensor", if what == "gather" { "input" } else { "self" })));
        }
        if let Some(s) = src {
            if s.rank().max(1) != r {
                return Err(Error::Runtime("Index tensor must have the same number of dimensions as src tensor".into()));
            }
        }
        let sh = |t: &Tensor, d: usize| if t.rank() == 0 { 1 } else { t.shape()[d] };
        for d in 0..r {
            if d != dim && sh(index, d) > sh(self, d) {
                return Err(Error::Runtime(format!(
                    "Size does not match at dimension {d} expected index {} to be smaller than self {} apart from dimension {dim}",
                    fmt_shape(index.shape()),
                    fmt_shape(self.shape())
                )));
            }
            if let Some(s) = src {
                if sh(index, d) > sh(s, d) {
                    return Err(Error::Runtime(format!(
                        "Size does not match at dimension {d} expected index {} to be smaller than src {}",
                        fmt_shape(index.shape()),
                        fmt_shape(s.shape())
                    )));
                }
            }
        }
        Ok(())
    }

    /// `index_select(dim, index)`: the slices at `index` (1-D int) along `dim`.
    pub fn index_select(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        if index.rank() > 1 {
            return Err(Error::Index("index_select(): Index is supposed to be a vector".into()));
        }
        check_int_index(index, "index_select")?;
        if self.rank() == 0 {
            normalize_dim(dim, 0)?;
            let shape: Vec<usize> = if index.rank() == 0 { vec![] } else { vec![index.numel()] };
            return self.reshape_to(&[1])?.index_select(0, index)?.reshape_to(&shape);
        }
        let d = normalize_dim(dim, self.rank())?;
        if let Some(v) = first_invalid_index(index, self.shape()[d])? {
            // PyTorch: RuntimeError, and no negative indices
            return Err(Error::Runtime(format!("index_select(): index {v} is out of bounds for dimension {d} with size {}", self.shape()[d])));
        }
        self.index_adv("IndexSelectBackward0", &dim_spec(index, d)?)
    }

    /// `gather(dim, index)`: `out[i][j] = self[index[i][j]][j]` (dim 0), shape of `index`.
    /// Indices must lie in `[0, size)`: PyTorch's gather takes no negative ones.
    pub fn gather(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        self.gather_impl(dim, index, false)
    }

    /// `gather`, or with `wrap` the `take_along_dim` flavour: negative indices count from the
    /// end and a bad index is an IndexError.
    fn gather_impl(&self, dim: isize, index: &Tensor, wrap: bool) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        self.check_gather_scatter(d, index, None, "gather")?;
        if self.rank() == 0 || index.rank() == 0 {
            // 0-d tensors act as 1-element vectors
            let s = if self.rank() == 0 { self.reshape_to(&[1])? } else { self.clone() };
            let i = index.reshape_to(&[index.numel()])?;
            return s.gather_impl(0, &i, wrap)?.reshape_to(index.shape());
        }
        let out = Tensor::empty(index.shape(), self.dtype(), self.device())?;
        let size = self.shape()[d];
        if out.numel() > 0 {
            let esz = self.dtype().size() as isize;
            let plan = Plan::<3>::new(index.shape(), [out.operand(), index.operand(), box_operand(self, index.shape(), Some(d))]);
            kern::gather_dim(self.dtype().size(), &plan, self.strides()[d] * esz, size as i64, wrap)
                .map_err(|v| if wrap { out_of_bounds(v, d, size) } else { out_of_bounds_rt(v, d, size) })?;
        }
        if needs_grad(&[self]) {
            let (in_shape, index) = (Shape::from(self.shape()), index.detach());
            record("GatherBackward0", &out, &[self], vec![], move |_, g| {
                // the scatter below takes no negative indices
                let index = if wrap { index.remainder(&Tensor::wrapped_scalar(Scalar::Int(size as i64)))? } else { index.clone() };
                let z = Tensor::zeros(&in_shape, g.dtype(), g.device())?;
                Ok(vec![Some(z.scatter_reduce_t(d as isize, &index, g, ScatterReduce::Sum, true)?)])
            });
        }
        Ok(out)
    }

    /// In-place raw scatter of `src` (tensor of self's dtype, or one element) along `dim`.
    fn scatter_raw(&self, d: usize, index: &Tensor, src: &Tensor, op: ScatterOp) -> Result<()> {
        if index.numel() == 0 {
            return Ok(());
        }
        let shape: Shape = index.shape().into();
        let src = if src.dtype() != self.dtype() { src.cast_raw(self.dtype())? } else { src.clone() };
        let src = if src.same_storage(self) { src.contiguous_raw()? } else { src };
        let esz = self.dtype().size() as isize;
        let src_op = if src.numel() == 1 && (src.rank() == 0 || src.is_wrapped_number()) {
            Operand { ptr: src.data_ptr(), strides: SmallVec::from_elem(0, shape.len()) }
        } else {
            box_operand(&src, &shape, None)
        };
        let dst_op = box_operand(self, &shape, Some(d));
        let idx_op = index.operand();
        // split along a dim other than `d`: destinations of different slices never meet
        let split = (0..shape.len()).filter(|&s| s != d).max_by_key(|&s| shape[s]);
        let total: usize = shape.iter().product();
        let threads = crate::cpu::par::threads();
        let mut plans = Vec::new();
        match split {
            Some(s) if total >= crate::cpu::PARALLEL_MIN && threads > 1 && shape[s] > 1 => {
                let parts = (threads * 4).min(shape[s]);
                let per = shape[s].div_ceil(parts);
                let mut start = 0;
                while start < shape[s] {
                    let n = per.min(shape[s] - start);
                    let mut sub = shape.clone();
                    sub[s] = n;
                    let shift = |o: &Operand| Operand { ptr: unsafe { o.ptr.offset(start as isize * o.strides[s]) }, strides: o.strides.clone() };
                    plans.push(Plan::<3>::new(&sub, [shift(&dst_op), shift(&idx_op), shift(&src_op)]));
                    start += n;
                }
            }
            _ => plans.push(Plan::<3>::new(&shape, [dst_op, idx_op, src_op])),
        }
        let size = if self.rank() == 0 { 1 } else { self.shape()[d] };
        let dstride = if self.rank() == 0 { 0 } else { self.strides()[d] * esz };
        kern::scatter_dim(self.dtype(), op, &plans, dstride, size as i64).map_err(|v| out_of_bounds_rt(v, d, size))
    }

    /// `scatter(dim, index, src)`: a copy of self with `src` written at `index` along `dim`.
    pub fn scatter_t(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        let is_value = src.is_wrapped_number();
        self.check_gather_scatter(d, index, if is_value { None } else { Some(src) }, "scatter")?;
        if !is_value && src.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "scatter(): Expected self.dtype to be equal to src.dtype, got {} and {}",
                dtype_title(self.dtype()),
                dtype_title(src.dtype())
            )));
        }
        let src_v = if is_value { src.clone() } else { narrow_to(src, index.shape())? };
        let out = self.contiguous_raw()?;
        out.scatter_raw(d, index, &src_v, ScatterOp::Assign)?;
        if needs_grad(&[self, &src_v]) {
            let index = index.detach();
            let (gs, gv) = (self.requires_grad(), src_v.requires_grad() && !is_value);
            record("ScatterBackward0", &out, &[self, &src_v], vec![], move |_, g| {
                Ok(vec![
                    if gs { Some(g.scatter_t(d as isize, &index, &Tensor::wrapped_scalar(Scalar::Int(0)))?) } else { None },
                    if gv { Some(g.gather(d as isize, &index)?) } else { None },
                ])
            });
        }
        Ok(out)
    }

    /// `scatter_reduce(dim, index, src, reduce, include_self)`; also `scatter_add` (sum) and
    /// `scatter(..., reduce=)`.
    pub fn scatter_reduce_t(&self, dim: isize, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        let is_value = src.is_wrapped_number();
        self.check_gather_scatter(d, index, if is_value { None } else { Some(src) }, "scatter")?;
        if !is_value && src.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "scatter(): Expected self.dtype to be equal to src.dtype, got {} and {}",
                dtype_title(self.dtype()),
                dtype_title(src.dtype())
            )));
        }
        let src_v = if is_value { src.clone() } else { narrow_to(src, index.shape())? };
        let out = self.scatter_reduce_forward(d, index, &src_v, reduce, include_self)?;
        if needs_grad(&[self, &src_v]) {
            let index = index.detach();
            let (gs, gv) = (self.requires_grad(), src_v.requires_grad() && !is_value);
            let saved = vec![self.clone(), src_v.clone(), out.detach()];
            let name = if reduce == ScatterReduce::Sum && include_self { "ScatterAddBackward0" } else { "ScatterReduceBackward0" };
            record(name, &out, &[self, &src_v], saved, move |s, g| {
                let (x, src) = (&s[0], &s[1]);
                let di = d as isize;
                let zero = Tensor::wrapped_scalar(Scalar::Int(0));
                let masked = || g.scatter_t(di, &index, &zero);
                let result = || -> Result<Tensor> {
                    if crate::autograd::is_grad_enabled() { x.scatter_reduce_t(di, &index, src, reduce, include_self) } else { Ok(s[2].clone()) }
                };
                let (g_self, g_src) = match reduce {
                    ScatterReduce::Sum => (if include_self { g.clone() } else { masked()? }, g.gather(di, &index)?),
                    ScatterReduce::Mean => {
                        let n = scatter_counts(x, di, &index, include_self)?;
                        let gn = g.div(&n)?;
                        (if include_self { gn.clone() } else { masked()? }, gn.gather(di, &index)?)
                    }
                    ScatterReduce::Prod => {
                        // PyTorch's formula: each input's gradient is g times the product of the
                        // *other* factors of its output position, computed without dividing by
                        // zero. A zero self is replaced by 1 before reducing again; a src zero
                        // that is the only src zero of its position is replaced by 1 the same
                        // way; with two or more zeros every src gradient there is 0.
                        let one = Tensor::wrapped_scalar(Scalar::Int(1));
                        let g_self = if !gs {
                            None
                        } else if include_self {
                            let masked_self = x.masked_fill_scalar(&x.eq_t(&zero)?, 1.0)?;
                            let prod_others = masked_self.scatter_reduce_t(di, &index, src, ScatterReduce::Prod, true)?;
                            Some(g.mul(&prod_others)?.div(&masked_self)?)
                        } else {
                            Some(masked()?)
                        };
                        let g_src = if !gv {
                            None
                        } else {
                            let res = result()?;
                            let src_zero = src.eq_t(&zero)?;
                            let z = Tensor::zeros(x.shape(), g.dtype(), g.device())?;
                            let zeros_at = z.scatter_reduce_t(di, &index, &src_zero.to_dtype(g.dtype())?, ScatterReduce::Sum, true)?.gather(di, &index)?;
                            let single_zero = src_zero.logical_and(&zeros_at.eq_t(&one)?)?;
                            let masked_src = src.masked_fill_scalar(&single_zero, 1.0)?;
                            let prod_others = x.scatter_reduce_t(di, &index, &masked_src, ScatterReduce::Prod, include_self)?;
                            let at_single = g.mul(&prod_others)?.gather(di, &index)?;
                            let quotient = g.mul(&res)?.gather(di, &index)?.div(&src.masked_fill_scalar(&src_zero, 1.0)?)?;
                            Some(single_zero.where_t(&at_single, &quotient)?)
                        };
                        return Ok(vec![g_self, g_src]);
                    }
                    ScatterReduce::Amax | ScatterReduce::Amin => {
                        // ties share the gradient evenly
                        let res = result()?;
                        let self_is = x.eq_t(&res)?.to_dtype(g.dtype())?;
                        let src_is = src.eq_t(&res.gather(di, &index)?)?.to_dtype(g.dtype())?;
                        let z = Tensor::zeros(x.shape(), g.dtype(), g.device())?;
                        let mut n = z.scatter_reduce_t(di, &index, &src_is, ScatterReduce::Sum, true)?;
                        if include_self {
                            n = n.add(&self_is)?;
                        }
                        let gn = g.div(&n)?;
                        let gs_v = if include_self { gn.mul(&self_is)?.masked_fill_scalar(&n.eq_t(&zero)?, 0.0)? } else { masked()? };
                        (gs_v, gn.gather(di, &index)?.mul(&src_is)?)
                    }
                };
                Ok(vec![gs.then_some(g_self), gv.then_some(g_src)])
            });
        }
        Ok(out)
    }

    fn scatter_reduce_forward(&self, d: usize, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<Tensor> {
        let out = self.contiguous_raw()?;
        if !include_self {
            let dt = self.dtype();
            let ident = match reduce {
                ScatterReduce::Sum | ScatterReduce::Mean => Scalar::Int(0),
                ScatterReduce::Prod => Scalar::Int(1),
                ScatterReduce::Amax => match dt {
                    DType::F32 | DType::F64 => Scalar::Float(f64::NEG_INFINITY),
                    DType::I32 => Scalar::Int(i32::MIN as i64),
                    DType::I64 => Scalar::Int(i64::MIN),
                    DType::Bool => Scalar::Bool(false),
                },
                ScatterReduce::Amin => match dt {
                    DType::F32 | DType::F64 => Scalar::Float(f64::INFINITY),
                    DType::I32 => Scalar::Int(i32::MAX as i64),
                    DType::I64 => Scalar::Int(i64::MAX),
                    DType::Bool => Scalar::Bool(true),
                },
            };
            out.scatter_raw(d, index, &Tensor::scalar(ident, dt)?, ScatterOp::Assign)?;
        }
        let op = match reduce {
            ScatterReduce::Sum | ScatterReduce::Mean => ScatterOp::Add,
            ScatterReduce::Prod => ScatterOp::Mul,
            ScatterReduce::Amax => ScatterOp::Max,
            ScatterReduce::Amin => ScatterOp::Min,
        };
        out.scatter_raw(d, index, &src.detach(), op)?;
        if reduce == ScatterReduce::Mean {
            let n = crate::autograd::no_grad(|| scatter_counts(self, d as isize, index, include_self))?;
            let res = if out.dtype().is_float() {
                crate::autograd::no_grad(|| out.div(&n.to_dtype(out.dtype())?))?
            } else {
                // integer mean: floor division, as PyTorch
                let a = out.to_vec::<i64>()?;
                let c = n.to_vec::<i64>()?;
                let v: Vec<i64> = a.iter().zip(&c).map(|(&x, &k)| x.div_euclid(k.max(1))).collect();
                Tensor::from_slice(&v, out.shape())?.cast_raw(out.dtype())?
            };
            return Ok(res);
        }
        Ok(out)
    }

    /// `scatter_add(dim, index, src)`.
    pub fn scatter_add_t(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_reduce_t(dim, index, src, ScatterReduce::Sum, true)
    }

    /// `index_add(dim, index, source, alpha)`: adds `alpha * source` slices at `index`.
    pub fn index_add_t(&self, dim: isize, index: &Tensor, source: &Tensor, alpha: Option<Scalar>) -> Result<Tensor> {
        let d = self.check_index_family(dim, index, Some(source), "index_add")?;
        let size = if self.rank() == 0 { 1 } else { self.shape()[d] };
        if let Some(v) = first_invalid_index(index, size)? {
            return Err(out_of_bounds_rt(v, d, size));
        }
        let src = match alpha {
            Some(a) if a.to_f64() != 1.0 => source.mul(&Tensor::wrapped_scalar(a))?,
            _ => source.clone(),
        };
        let (s, spec) = self.as_dim_target(d, index)?;
        let src = if self.rank() == 0 { src.reshape_to(&[src.numel()])? } else { src };
        s.index_put_adv("IndexAddBackward0", &spec, &src, true)?.reshape_to(self.shape())
    }

    /// `index_copy(dim, index, source)`.
    pub fn index_copy_t(&self, dim: isize, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        let d = self.check_index_family(dim, index, Some(source), "index_copy")?;
        let size = if self.rank() == 0 { 1 } else { self.shape()[d] };
        if let Some(v) = first_invalid_index(index, size)? {
            return Err(Error::Index(format!("index_copy_(): index {v} is out of bounds for dimension {d} with size {size}")));
        }
        let (s, spec) = self.as_dim_target(d, index)?;
        let src = if self.rank() == 0 { source.reshape_to(&[source.numel()])? } else { source.clone() };
        s.index_put_adv("IndexCopyBackward0", &spec, &src, false)?.reshape_to(self.shape())
    }

    /// `index_fill(dim, index, value)`: value is a scalar or a 0-d tensor.
    pub fn index_fill_t(&self, dim: isize, index: &Tensor, value: &Tensor) -> Result<Tensor> {
        let d = self.check_index_family(dim, index, None, "index_fill")?;
        if value.rank() != 0 {
            return Err(Error::Runtime(format!(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                value.rank()
            )));
        }
        let (s, spec) = self.as_dim_target(d, index)?;
        s.index_put_adv("IndexFillBackward0", &spec, value, false)?.reshape_to(self.shape())
    }

    /// 0-d tensors are indexed as 1-element vectors.
    fn as_dim_target(&self, d: usize, index: &Tensor) -> Result<(Tensor, AdvSpec)> {
        let s = if self.rank() == 0 { self.reshape_to(&[1])? } else { self.clone() };
        Ok((s, dim_spec(index, d)?))
    }

    fn check_index_family(&self, dim: isize, index: &Tensor, source: Option<&Tensor>, what: &str) -> Result<usize> {
        let d = normalize_dim(dim, self.rank())?;
        if index.rank() > 1 {
            return Err(Error::Index(format!("{what}_(): Index is supposed to be a vector")));
        }
        check_int_index(index, what)?;
        if let Some(src) = source {
            if what == "index_copy" && src.dtype() != self.dtype() {
                return Err(Error::Runtime(format!(
                    "index_copy_(): self and source expected to have the same dtype, but got (self) {} and (source) {}",
                    dtype_title(self.dtype()),
                    dtype_title(src.dtype())
                )));
            }
            let mut expect: Shape = self.shape().into();
            if !expect.is_empty() {
                expect[d] = index.numel();
            }
            let ok = if self.rank() == 0 { src.numel() == index.numel() } else { src.shape() == expect.as_slice() };
            if !ok {
                return Err(Error::Runtime(format!(
                    "{what}_(): source tensor shape {} must match self tensor shape {}, excluding the specified dimension {d}, with size {} along it",
                    fmt_shape(src.shape()),
                    fmt_shape(self.shape()),
                    index.numel()
                )));
            }
        }
        Ok(d)
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
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        let x = self.expand_to(&shape)?;
        let out = x.contiguous_raw()?;
        out.masked_fill_raw(mask, value)?;
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
    pub(crate) fn masked_fill_raw(&self, mask: &Tensor, value: &Tensor) -> Result<()> {
        let bs = broadcast_shapes(self.shape(), mask.shape())?;
        if bs.as_slice() != self.shape() {
            return Err(Error::Runtime(format!(
                "masked_fill_: mask of shape {} cannot be broadcast to the tensor's shape {}",
                fmt_shape(mask.shape()),
                fmt_shape(self.shape())
            )));
        }
        let v = value.item()?;
        let plan = Plan::<2>::new(self.shape(), [self.operand(), mask.operand_as(self.shape())?]);
        let st = plan.inner_strides();
        crate::dispatch_dtype!(self.dtype(), T => {
            let vv: T = crate::tensor::scalar_as::<T>(v);
            plan.run(|p, len| unsafe {
                let (mut o, mut m) = (p[0], p[1] as *const u8);
                if st[0] == std::mem::size_of::<T>() as isize && st[1] == 1 {
                    // branchless, vectorisable
                    let (o, m) = (o as *mut T, m as *const bool);
                    for i in 0..len {
                        let x = o.add(i);
                        *x = if *m.add(i) { vv } else { *x };
                    }
                    return;
                }
                for _ in 0..len {
                    if *(m as *const bool) {
                        *(o as *mut T) = vv;
                    }
                    o = o.offset(st[0]);
                    m = m.offset(st[1]);
                }
            });
        });
        Ok(())
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
        let spec = expand_adv(&[Adv::Mask { dim: 0, orig: 0, mask: m }], true)?;
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

    /// `take(index)`: elements of the flattened tensor, in the shape of `index`.
    pub fn take(&self, index: &Tensor) -> Result<Tensor> {
        if index.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("take(): Expected a long tensor for index, but got {}", dtype_title(index.dtype()))));
        }
        let (flat, spec) = self.flat_target(index)?;
        flat.index_adv("TakeBackward0", &spec)
    }

    /// `put(index, source, accumulate=False)`: a copy of self with `source` written (or added)
    /// at the flat, row-major positions `index` (negative ones count from the end).
    pub fn put_t(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Tensor> {
        if index.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("put_(): Expected a long tensor for index, but got {}", dtype_title(index.dtype()))));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}",
                dtype_title(self.dtype()),
                dtype_title(source.dtype())
            )));
        }
        if source.numel() != index.numel() {
            return Err(Error::Index(format!(
                "put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}",
                source.numel(),
                index.numel()
            )));
        }
        let (flat, spec) = self.flat_target(index)?;
        let out = crate::autograd::no_grad(|| flat.index_put_adv("PutBackward0", &spec, &source.reshape_to(index.shape())?, accumulate)?.reshape_to(self.shape()))?;
        if needs_grad(&[self, source]) {
            let (gs, gv, index) = (self.requires_grad(), source.requires_grad(), index.detach());
            let src_shape = Shape::from(source.shape());
            record("PutBackward0", &out, &[self, source], vec![], move |_, g| {
                let g_self = match (gs, accumulate) {
                    (false, _) => None,
                    (true, true) => Some(g.clone()),
                    // overwritten positions get no gradient
                    (true, false) => Some(g.put_t(&index, &Tensor::zeros(index.shape(), g.dtype(), g.device())?, false)?),
                };
                Ok(vec![g_self, if gv { Some(g.take(&index)?.reshape_to(&src_shape)?) } else { None }])
            });
        }
        Ok(out)
    }

    /// `take` / `put`: self flattened and `index` as one advanced index into it, checked
    /// with PyTorch's message.
    fn flat_target(&self, index: &Tensor) -> Result<(Tensor, AdvSpec)> {
        let n = self.numel() as i64;
        let idx = as_i64_contig(&index.detach())?;
        // SAFETY: `idx` is a contiguous int64 tensor of `numel` elements
        let vals = unsafe { std::slice::from_raw_parts(idx.data_ptr() as *const i64, idx.numel()) };
        if let Some(&v) = vals.iter().find(|&&v| v < -n || v >= n) {
            return Err(Error::Index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
        }
        let flat = self.reshape_to(&[self.numel()])?;
        Ok((flat, AdvSpec { dims: vec![0], origs: vec![0], bshape: index.shape().into(), idx: vec![idx], adjacent: true }))
    }

    /// `take_along_dim(indices, dim)`: gather with broadcasting; `dim=None` works on the flattened tensor.
    pub fn take_along_dim(&self, indices: &Tensor, dim: Option<isize>) -> Result<Tensor> {
        if !indices.dtype().is_int() || indices.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("torch.take_along_dim(): dtype of indices should be Long but got {}", indices.dtype())));
        }
        let Some(dim) = dim else {
            return self.reshape_to(&[self.numel()])?.gather_impl(0, &indices.reshape_to(&[indices.numel()])?, true);
        };
        if self.rank() != indices.rank() {
            return Err(Error::Runtime(format!(
                "torch.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices",
                self.rank(),
                indices.rank()
            )));
        }
        let d = normalize_dim(dim, self.rank())?;
        if self.rank() == 0 {
            return self.gather_impl(0, indices, true);
        }
        let mut s1: Shape = self.shape().into();
        s1[d] = indices.shape()[d];
        let ib = broadcast_shapes(&s1, indices.shape())?;
        let mut s2: Shape = indices.shape().into();
        s2[d] = self.shape()[d];
        let sb = broadcast_shapes(&s2, self.shape())?;
        self.expand_to(&sb)?.gather_impl(d as isize, &indices.expand_to(&ib)?, true)
    }

    /// `nonzero()`: an `(n, rank)` int64 tensor of the coordinates of non-zero elements.
    pub fn nonzero(&self) -> Result<Tensor> {
        let m = self.nonzero_mask()?;
        let ms = unsafe { std::slice::from_raw_parts(m.data_ptr() as *const bool, m.numel()) };
        let rank = self.rank();
        if rank == 0 {
            let n = ms.iter().filter(|&&b| b).count();
            return Tensor::empty(&[n, 0], DType::I64, self.device());
        }
        let coords = kern::nonzero_coords(ms, m.shape());
        Tensor::from_slice(&coords, &[coords.len() / rank, rank])
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

/// How many values land on each position of `x` (plus one for self when included).
fn scatter_counts(x: &Tensor, dim: isize, index: &Tensor, include_self: bool) -> Result<Tensor> {
    let dt = if x.dtype().is_float() { x.dtype() } else { DType::I64 };
    let init = if include_self { 1 } else { 0 };
    let n = Tensor::full(x.shape(), Scalar::Int(init), dt, x.device())?;
    let d = normalize_dim(dim, x.rank())?;
    n.scatter_raw(d, index, &Tensor::scalar(Scalar::Int(1), dt)?, ScatterOp::Add)?;
    // positions that nothing reached keep their own value: count 1
    let zero = Tensor::wrapped_scalar(Scalar::Int(0));
    n.masked_fill_raw(&n.eq_t(&zero)?, &Tensor::scalar(Scalar::Int(1), dt)?)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn slices_follow_python() {
        let s = |a: Option<isize>, b: Option<isize>, c: Option<isize>, n: usize| match TensorIndex::slice(a, b, c).unwrap() {
            TensorIndex::Slice { start, stop, step } => adjust_slice(start, stop, step, n),
            _ => unreachable!(),
        };
        assert_eq!(s(None, None, Some(-1), 5), (4, 5));
        assert_eq!(s(Some(1), None, Some(-2), 5), (1, 1));
        assert_eq!(s(Some(-10), Some(10), Some(3), 5), (0, 2));
        assert_eq!(s(None, None, Some(-1), 0).1, 0);
        assert!(TensorIndex::slice(None, None, Some(0)).is_err());
    }
    #[test]
    fn getitem_view_and_copy() {
        let t = Tensor::arange(0.0, 12.0, 1.0, DType::F32).unwrap().reshape(&[3, 4]).unwrap();
        let v = t.getitem(&[TensorIndex::Int(1), TensorIndex::slice(None, None, Some(-1)).unwrap()]).unwrap();
        assert!(v.same_storage(&t));
        assert_eq!(v.to_vec::<f32>().unwrap(), vec![7.0, 6.0, 5.0, 4.0]);
        let idx = Tensor::from_slice(&[2i64, 0], &[2]).unwrap();
        let c = t.getitem(&[TensorIndex::full(), TensorIndex::Tensor(idx)]).unwrap();
        assert!(!c.same_storage(&t));
        assert_eq!(c.to_vec::<f32>().unwrap(), vec![2.0, 0.0, 6.0, 4.0, 10.0, 8.0]);
        assert!(matches!(t.getitem(&[TensorIndex::Int(3)]), Err(Error::Index(_))));
    }
}
