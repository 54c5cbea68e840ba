//! Indexing with an index expression: `t[...]` (getitem) and `t[...] = v` (setitem,
//! index_put). The dim-wise functions (gather, scatter, index_select, take, ...) are in
//! `gather_scatter.rs`, the masked ones and `nonzero` in `masked.rs`.
//!
//! An index expression (`TensorIndex` list, what `t[...]` receives) is resolved
//! in two parts, as PyTorch does:
//! - the *basic* part (ints and 0-d integer tensors, slices with any step, None,
//!   Ellipsis) is a chain of layout steps: a view sharing storage, replayable on any
//!   layout of the same shape (so its backward embeds the gradient into zeros through
//!   the same view). An int stays basic beside an advanced index (NumPy would count it
//!   as advanced: `x[0, :, [0, 1]]` differs);
//! - the *advanced* part (integer tensors, boolean masks, bools) is a gather into a
//!   fresh tensor: the index tensors broadcast together; when the dims they index (in
//!   the basic view) are not adjacent the indexed block moves to the front. Backward is
//!   the matching scatter-add (duplicates accumulate).
//!
//! `setitem_` writes through the same resolution; its autograd node has edges
//! (self's previous grad_fn, value): the overwritten region gets zero gradient
//! and the value gets the gradient of its region.

use crate::autograd::{needs_grad, record};
use crate::backend::{self, IndexedRows};
use crate::device::Device;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::view::ViewFn;
use crate::shape::{broadcast_shapes, fmt_shape, Shape};
use crate::tensor::{dtype_title, Tensor};
use smallvec::SmallVec;
use std::sync::Arc;

/// One item of an index expression.
#[derive(Clone, Debug)]
pub enum TensorIndex {
    /// An integer (negative counts from the end).
    Int(isize),
    /// A slice with Python's defaults already filled in (see [`TensorIndex::slice`]).
    Slice {
        /// First position taken (negative counts from the end; clamped to the dim as in Python).
        start: isize,
        /// Position where the slice stops, exclusive (negative counts from the end).
        stop: isize,
        /// Distance between positions taken: nonzero, negative to walk backwards (Python's
        /// meaning).
        step: isize,
    },
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
    /// Whether the indexed block may keep its place; PyTorch decides by the indexed dims
    /// alone (adjacent dims of the basic view keep their place), so this is always true
    /// here and `plan_offsets` checks the dims.
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

/// PyTorch's IndexError for an index out of range.
pub(crate) fn out_of_bounds(v: i64, dim: usize, size: usize) -> Error {
    Error::Index(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
}

/// Resolves `index` against `t`'s layout: basic steps, the view layout, advanced indices.
pub(crate) fn resolve(t: &Tensor, index: &[TensorIndex]) -> Result<Resolved> {
    let rank = t.rank();
    // 0-d tensors used as indices behave like Python ints / bools
    let mut consumed = 0usize;
    let mut ellipses = 0usize;
    for it in index {
        match it {
            TensorIndex::Int(_) | TensorIndex::Slice { .. } => consumed += 1,
            TensorIndex::Ellipsis => ellipses += 1,
            TensorIndex::Bool(_) | TensorIndex::None => {}
            TensorIndex::Tensor(x) => {
                check_index_dtype(x)?;
                consumed += if x.dtype() == DType::Bool { x.rank() } else { 1 };
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
    for it in index {
        match it {
            TensorIndex::Int(i) => {
                let size = layout.shape[cur];
                let v = if *i < 0 { *i + size as isize } else { *i };
                if v < 0 || v >= size as isize {
                    return Err(out_of_bounds(*i as i64, orig, size));
                }
                // always basic indexing, even beside an advanced index (PyTorch; NumPy would
                // count the int as advanced and move the indexed dims)
                layout = layout.select(cur as isize, v)?;
                steps.push(Step::Select(cur, v));
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
                let idx = bool_index(*b, t.device())?;
                adv.push(Adv::Int { dim: cur, orig, idx });
                cur += 1;
            }
            TensorIndex::Tensor(x) if x.dtype() == DType::Bool => {
                if x.rank() == 0 {
                    // a 0-d mask is a Python bool
                    layout = layout.unsqueeze(cur as isize)?;
                    steps.push(Step::Unsqueeze(cur));
                    // a host read: whether the axis is kept
                    let b = backend::read_scalar(x)?.to_i64() != 0;
                    let idx = bool_index(b, t.device())?;
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
                if x.rank() == 0 {
                    // a 0-d integer tensor is an int (a view): a host read
                    let i = backend::read_scalar(x)?.to_i64() as isize;
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
    Ok(Resolved { steps, layout, adv, adjacent: true })
}

/// An int32 index as int64 (the kernels read int64; PyTorch takes either).
pub(crate) fn as_i64(index: &Tensor) -> Result<Tensor> {
    if index.dtype() == DType::I32 { index.cast_raw(DType::I64) } else { Ok(index.clone()) }
}

/// A Python bool as an index: one position (True) or none (False).
fn bool_index(b: bool, device: Device) -> Result<Tensor> {
    if b {
        Tensor::zeros_on(&[1], DType::I64, device)
    } else {
        Tensor::empty_on(&[0], DType::I64, device)
    }
}

/// `t` as a contiguous int64 tensor on `device` (index tensors may come from the CPU, as
/// PyTorch allows for indexing a tensor on another device).
pub(crate) fn as_i64_contig(t: &Tensor, device: Device) -> Result<Tensor> {
    let t = if t.dtype() != DType::I64 { t.cast_raw(DType::I64)? } else { t.clone() };
    let t = if t.is_contiguous() { t } else { t.contiguous_raw()? };
    t.to_device(device)
}

/// Expands masks into integer indices and broadcasts all index tensors (moved to `device`,
/// the indexed tensor's).
pub(crate) fn expand_adv(adv: &[Adv], adjacent: bool, device: Device) -> Result<AdvSpec> {
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
        out.push(as_i64_contig(&x, device)?);
    }
    Ok(AdvSpec { dims, origs, idx: out, bshape, adjacent })
}

/// The coordinates of a mask's true elements, one 1-D int64 tensor per mask dim.
pub(crate) fn mask_columns(mask: &Tensor) -> Result<Vec<Tensor>> {
    let coords = mask.true_coords()?;
    (0..mask.rank()).map(|j| coords.select(1, j as isize)?.contiguous_raw()).collect()
}

/// The dims of `layout` before and after the block an advanced index `spec` selects, and the
/// result's shape (before, the broadcast index shape, after). NumPy's rule: the block stays
/// in place when the indexed dims are consecutive and adjacent in the expression, else it
/// moves to the front.
fn block_dims(layout: &Layout, spec: &AdvSpec) -> Result<(Vec<usize>, Vec<usize>, Shape)> {
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
    let mut shape: Shape = pre.iter().map(|&d| layout.shape[d]).collect();
    shape.extend_from_slice(&spec.bshape);
    shape.extend(post.iter().map(|&d| layout.shape[d]));
    Ok((pre, post, shape))
}

/// Resolves `spec` against the view `t` in the backend (bounds-checked: an IndexError names
/// the first bad index and its dim) and gives the result's shape.
fn index_rows(t: &Tensor, spec: &AdvSpec) -> Result<(IndexedRows, Shape)> {
    let (pre, post, shape) = block_dims(t.layout(), spec)?;
    let nb = spec.bshape.iter().product();
    match backend::index_rows(t, &pre, &post, &spec.dims, &spec.idx, nb)? {
        Ok(rows) => Ok((rows, shape)),
        Err((k, v)) => Err(out_of_bounds(v, spec.origs[k], t.shape()[spec.dims[k]])),
    }
}

/// A bool mask as a contiguous tensor on `device`.
pub(crate) fn as_mask(mask: &Tensor, device: Device) -> Result<Tensor> {
    let m = if mask.is_contiguous() { mask.clone() } else { mask.contiguous_raw()? };
    m.to_device(device)
}

/// Drops leading size-1 dims so `v` can broadcast into a lower-rank target (NumPy allows it).
fn strip_leading_ones(v: &Tensor, target_rank: usize) -> Result<Tensor> {
    if v.rank() <= target_rank {
        return Ok(v.clone());
    }
    let extra = v.rank() - target_rank;
    if v.shape()[..extra].iter().all(|&s| s == 1) {
        return v.reshape_to(&v.shape()[extra..]);
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
    ///
    /// ```
    /// use rgrad::Tensor;
    /// use rgrad::ops::index::TensorIndex;
    /// let m = Tensor::from_slice(&[1i64, 2, 3, 4, 5, 6, 7, 8, 9], &[3, 3]).unwrap();
    /// // m[1:, ::2]
    /// let idx = [TensorIndex::slice(Some(1), None, None).unwrap(), TensorIndex::slice(None, None, Some(2)).unwrap()];
    /// assert_eq!(m.getitem(&idx).unwrap().to_vec::<i64>().unwrap(), vec![4, 6, 7, 9]);
    /// // m[[2, 0]]: an integer tensor picks rows (a copy)
    /// let rows = Tensor::from_slice(&[2i64, 0], &[2]).unwrap();
    /// assert_eq!(m.getitem(&[TensorIndex::Tensor(rows)]).unwrap().to_vec::<i64>().unwrap(), vec![7, 8, 9, 1, 2, 3]);
    /// ```
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
        let spec = expand_adv(&r.adv, r.adjacent, self.device())?;
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
        let (rows, shape) = index_rows(self, spec)?;
        let out = Tensor::empty_on(&shape, self.dtype(), self.device())?;
        backend::gather_rows(self, &rows, &out)?;
        if needs_grad(&[self]) {
            let spec = spec.clone();
            let in_shape: Shape = self.shape().into();
            record(name, &out, &[self], vec![], move |_, g| {
                let z = Tensor::zeros_on(&in_shape, g.dtype(), g.device())?;
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
        let m = as_mask(mask, self.device())?;
        // the output size depends on the data: a host read of the count
        let n = backend::read_scalar(&backend::count_true(&m)?)?.to_i64() as usize;
        let mut shape: Shape = SmallVec::from_slice(&[n]);
        shape.extend_from_slice(&self.shape()[k..]);
        let out = Tensor::empty_on(&shape, self.dtype(), self.device())?;
        backend::mask_select_rows(self, &m, &out)?;
        if needs_grad(&[self]) {
            let in_shape: Shape = self.shape().into();
            let mask = m.clone();
            record("IndexBackward0", &out, &[self], vec![], move |_, g| {
                let spec = expand_adv(&[Adv::Mask { dim: 0, orig: 0, mask: mask.clone() }], true, g.device())?;
                let z = Tensor::zeros_on(&in_shape, g.dtype(), g.device())?;
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
        let (rows, shape) = index_rows(self, spec)?;
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
        backend::scatter_rows(self, &rows, &v, accumulate)
    }

    /// `self[index] = value` (`__setitem__`): value (a tensor or wrapped scalar) is cast to
    /// self's dtype and broadcast to the indexed shape. Bumps the version counter.
    pub fn setitem_(&self, index: &[TensorIndex], value: &Tensor) -> Result<()> {
        self.index_put_impl_(index, value, false)
    }

    /// `index_put_(indices, values, accumulate)` over a full index expression.
    pub fn index_put_impl_(&self, index: &[TensorIndex], value: &Tensor, accumulate: bool) -> Result<()> {
        // a Python number is one value written everywhere: self may be expanded (PyTorch
        // allows it); a tensor is copied, so the region written must not overlap itself
        crate::ops::checks::check_fill_allowed(self)?;
        if value.is_wrapped_number() {
            value.item()?.check_fits(self.dtype())?;
        }
        let record_it = needs_grad(&[self, value]) && self.dtype().is_float();
        // a value sharing self's memory is read through a copy made before the write (a
        // differentiable one when recording, so its gradient goes to what it was then)
        let value = &if !value.same_storage(self) {
            value.clone()
        } else if record_it && value.requires_grad() {
            value.clone_t()?
        } else {
            value.contiguous_raw()?
        };
        let r = resolve(self, index)?;
        let view = self.with_layout(r.layout);
        if !value.is_wrapped_number() || accumulate {
            crate::autograd::views::check_no_internal_overlap(if r.adv.is_empty() { &view } else { self })?;
        }
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
            // a CPU mask (a NumPy or list index) moves to the indexed tensor's device
            let m = mask.reshape_to(&mshape)?.detach().to_device(self.device())?;
            // a host read of the value (one element)
            view.masked_fill_raw(&m, backend::read_scalar(value)?)?;
        } else {
            if !value.is_wrapped_number() && value.dtype() != self.dtype() {
                // PyTorch's index_put_ converts only Python numbers
                return Err(Error::Runtime(format!(
                    "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                    dtype_title(self.dtype()),
                    dtype_title(value.dtype())
                )));
            }
            let spec = expand_adv(&r.adv, r.adjacent, self.device())?;
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
