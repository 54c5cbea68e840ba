//! Indexing primitives: rows gathered / scattered by advanced indices, gather / scatter along
//! one dim (with accumulate and reduce modes), masked selection, `nonzero`, and the small
//! results index checks read back (counts, the first out-of-range index).

use super::gpu_arm;
use super::operands::{as_slice, dense, host_ptr, operand};
use crate::cpu::index::{self as kern, Offs};
use crate::cpu::iter::{Operand, Plan};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kinds::ScatterOp;
use crate::tensor::Tensor;
use smallvec::SmallVec;

/// Where advanced indices point into a view, resolved against the index data: made once by
/// [`index_rows`], then used to gather ([`gather_rows`]) or scatter ([`scatter_rows`]).
///
/// A view is split into the dims before the indexed block (`P`), the broadcast index
/// positions (`B`) and the dims after it (`Q`); the selected elements form the contiguous
/// `P x B x Q` block. The offsets are device data (the CPU's: element offsets).
pub struct IndexedRows {
    rows: Rows,
}

enum Rows {
    /// Element offsets (from the view's element 0) in host memory, for either device.
    Cpu { p: Offs, b: Vec<isize>, q: Offs },
}

/// Resolves integer index tensors against `view`: `idx[k]` (contiguous int64, each of `nb`
/// elements or one) indexes dim `dims[k]`; `pre` / `post` are the remaining dims before and
/// after the indexed block. Negative indices count from the end. Returns `Err((k, v))` for the
/// first out-of-range value `v` found, in index `k`.
pub fn index_rows(view: &Tensor, pre: &[usize], post: &[usize], dims: &[usize], idx: &[Tensor], nb: usize) -> Result<std::result::Result<IndexedRows, (usize, i64)>> {
    // The offsets depend on the view's layout and the index values only, never on the view's
    // data, so they are computed in host memory for either device (a GPU's index tensors are
    // read back for it; the GPU arms then upload the offsets as one list).
    let host: Vec<Tensor> = match view.device() {
        Device::Cpu => idx.to_vec(),
        Device::Gpu(_) => idx.iter().map(super::on_host::host_copy).collect::<Result<_>>()?,
    };
    let l = view.layout();
    let pick = |ds: &[usize]| -> (Vec<usize>, Vec<isize>) { (ds.iter().map(|&d| l.shape[d]).collect(), ds.iter().map(|&d| l.strides[d]).collect()) };
    let (ps, pst) = pick(pre);
    let (qs, qst) = pick(post);
    // SAFETY: the index tensors are contiguous int64 (checked by the ops layer; host copies
    // are made contiguous), and nothing writes them while the slices live
    let slices: Vec<&[i64]> = host.iter().map(|t| unsafe { as_slice::<i64>(t) }).collect();
    let sizes: Vec<usize> = dims.iter().map(|&d| l.shape[d]).collect();
    let strides: Vec<isize> = dims.iter().map(|&d| l.strides[d]).collect();
    let b = if nb == 0 {
        Vec::new()
    } else {
        match kern::combine_offsets(&slices, &sizes, &strides, nb) {
            Ok(b) => b,
            Err(bad) => return Ok(Err(bad)),
        }
    };
    Ok(Ok(IndexedRows { rows: Rows::Cpu { p: Offs::of_dims(&ps, &pst), b, q: Offs::of_dims(&qs, &qst) } }))
}

/// `out = src[rows]`: the `P x B x Q` block of `src` (the view `rows` was resolved against)
/// into the fresh contiguous `out`.
pub fn gather_rows(src: &Tensor, rows: &IndexedRows, out: &Tensor) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    match (out.device(), &rows.rows) {
        (Device::Cpu, Rows::Cpu { p, b, q }) => {
            // SAFETY: the offsets were built from `src`'s layout and checked against its sizes
            unsafe { kern::gather_rows(src.dtype().size(), host_ptr(src), host_ptr(out), p, b, q) };
            Ok(())
        }
        (Device::Gpu(_), Rows::Cpu { p, b, q }) => gpu_arm!("gather_rows", gpu::gather_rows(src, p, b, q, out)),
    }
}

/// `dst[rows] = values` (or `+=` with `accumulate`, duplicates adding up): `values` contiguous
/// of `dst`'s dtype, either one element (broadcast) or the whole `P x B x Q` block.
pub fn scatter_rows(dst: &Tensor, rows: &IndexedRows, values: &Tensor, accumulate: bool) -> Result<()> {
    let scalar = values.numel() == 1;
    match (dst.device(), &rows.rows) {
        (Device::Cpu, Rows::Cpu { p, b, q }) => {
            // SAFETY: the offsets were built from `dst`'s layout; `values` holds one element or
            // the whole block
            unsafe {
                if accumulate {
                    kern::scatter_rows_accumulate(dst.dtype(), host_ptr(dst), host_ptr(values), scalar, p, b, q);
                } else {
                    kern::scatter_rows(dst.dtype().size(), host_ptr(dst), host_ptr(values), scalar, p, b, q);
                }
            }
            Ok(())
        }
        (Device::Gpu(_), Rows::Cpu { p, b, q }) => gpu_arm!("scatter_rows", gpu::scatter_rows(dst, p, b, q, values, accumulate)),
    }
}

/// The operand of `t` over `shape` (a prefix box of `t`) with `zero_dim`'s stride zeroed.
fn box_operand(t: &Tensor, shape: &[usize], zero_dim: Option<usize>) -> Operand {
    let esz = t.dtype().size() as isize;
    let strides = (0..shape.len()).map(|d| if Some(d) == zero_dim || t.rank() == 0 { 0 } else { t.strides()[d] * esz }).collect();
    Operand { ptr: host_ptr(t), strides }
}

/// `out = src[..., index, ...]` along `dim` (`torch.gather`): `index` int64 of `out`'s shape,
/// no larger than `src` off `dim`. Negative indices count from the end when `wrap`
/// (`take_along_dim`), else are out of range. Returns the first bad index found, if any
/// (`out` is then unspecified).
pub fn gather_dim(out: &Tensor, src: &Tensor, dim: usize, index: &Tensor, wrap: bool) -> Result<Option<i64>> {
    if out.numel() == 0 {
        return Ok(None);
    }
    match out.device() {
        Device::Cpu => {
            let esz = src.dtype().size() as isize;
            let size = src.shape()[dim] as i64;
            let plan = Plan::<3>::new(index.shape(), [operand(out), operand(index), box_operand(src, index.shape(), Some(dim))]);
            Ok(kern::gather_dim(src.dtype().size(), &plan, src.strides()[dim] * esz, size, wrap).err())
        }
        Device::Gpu(_) => gpu_arm!("gather_dim", gpu::gather_dim(out, src, dim, index, wrap)),
    }
}

/// `dst[..., index, ...] op= src` along `dim` (`scatter`, `scatter_reduce`): `index` int64,
/// `src` of `dst`'s dtype with at least `index`'s extent (or one element, broadcast), and not
/// overlapping `dst`. Negative indices are out of range. Returns the first bad index found.
pub fn scatter_dim(dst: &Tensor, dim: usize, index: &Tensor, src: &Tensor, op: ScatterOp) -> Result<Option<i64>> {
    if index.numel() == 0 {
        return Ok(None);
    }
    match dst.device() {
        Device::Cpu => {
            let shape: SmallVec<[usize; 6]> = index.shape().into();
            let esz = dst.dtype().size() as isize;
            let src_op = if src.numel() == 1 && (src.rank() == 0 || src.is_wrapped_number()) {
                Operand { ptr: host_ptr(src), strides: SmallVec::from_elem(0, shape.len()) }
            } else {
                box_operand(src, &shape, None)
            };
            let dst_op = box_operand(dst, &shape, Some(dim));
            let idx_op = operand(index);
            // split along a dim other than `dim`: destinations of different slices never meet
            let split = (0..shape.len()).filter(|&s| s != dim).max_by_key(|&s| shape[s]);
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
                        // SAFETY: `start < shape[s]`, so the shifted base stays inside each view
                        let shift = |o: &Operand| Operand { ptr: unsafe { o.ptr.offset(start as isize * o.strides[s]) }, strides: o.strides.clone() };
                        plans.push(Plan::<3>::new(&sub, [shift(&dst_op), shift(&idx_op), shift(&src_op)]));
                        start += n;
                    }
                }
                _ => plans.push(Plan::<3>::new(&shape, [dst_op, idx_op, src_op])),
            }
            let size = if dst.rank() == 0 { 1 } else { dst.shape()[dim] };
            let dstride = if dst.rank() == 0 { 0 } else { dst.strides()[dim] * esz };
            Ok(kern::scatter_dim(dst.dtype(), op, &plans, dstride, size as i64).err())
        }
        Device::Gpu(_) => gpu_arm!("scatter_dim", gpu::scatter_dim(dst, dim, index, src, op)),
    }
}

/// The number of true elements of the contiguous bool `mask`, as a 0-d int64 tensor on its
/// device (read back with `read_scalar` where an output size depends on it).
pub fn count_true(mask: &Tensor) -> Result<Tensor> {
    debug_assert!(mask.dtype() == DType::Bool && dense(mask));
    let out = Tensor::empty_on(&[], DType::I64, mask.device())?;
    match mask.device() {
        Device::Cpu => {
            // SAFETY: `mask` is contiguous bool; `out` holds one int64
            unsafe { *(host_ptr(&out) as *mut i64) = kern::count_true(as_slice::<bool>(mask)) as i64 };
            Ok(out)
        }
        Device::Gpu(_) => gpu_arm!("count_true", gpu::count_true(mask, out)),
    }
}

/// Scans the integer tensor `index` in row-major order for a value outside `[lo, hi)`: a
/// two-element int64 tensor `[found, value]`, read back with `read_small`. (For a GPU index the
/// check runs on the device and its answer comes back with the stream's status, so the result
/// is in host memory and reading it is no transfer; the value is then one of the bad indices,
/// not necessarily the first.)
pub fn first_out_of_range(index: &Tensor, lo: i64, hi: i64) -> Result<Tensor> {
    match index.device() {
        Device::Cpu => {
            let out = Tensor::empty_on(&[2], DType::I64, Device::Cpu)?;
            let contiguous;
            let idx = if index.is_contiguous() {
                index
            } else {
                contiguous = Tensor::empty_on(index.shape(), index.dtype(), index.device())?;
                super::copy(&contiguous, index)?;
                &contiguous
            };
            // SAFETY: `idx` is contiguous of its dtype
            let bad = unsafe {
                match idx.dtype() {
                    DType::I64 => kern::first_out_of_range(as_slice::<i64>(idx), lo, hi),
                    DType::I32 => kern::first_out_of_range(as_slice::<i32>(idx), lo, hi),
                    d => return Err(Error::Runtime(format!("first_out_of_range: {d} is not an index dtype"))),
                }
            };
            // SAFETY: `out` holds two int64
            unsafe {
                let o = host_ptr(&out) as *mut i64;
                *o = bad.is_some() as i64;
                *o.add(1) = bad.unwrap_or(0);
            }
            Ok(out)
        }
        Device::Gpu(_) => gpu_arm!("first_out_of_range", gpu::first_out_of_range(index, lo, hi)),
    }
}

/// `out` = the rows of `src` where the contiguous bool `mask` over `src`'s leading
/// `mask.rank()` dims is true, each row the remaining dims (`x[mask]`): `out` fresh and
/// contiguous with `count_true(mask)` rows.
pub fn mask_select_rows(src: &Tensor, mask: &Tensor, out: &Tensor) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    match out.device() {
        Device::Cpu => {
            let k = mask.rank();
            let l = src.layout();
            let rows = Offs::of_dims(&l.shape[..k], &l.strides[..k]);
            let q = Offs::of_dims(&l.shape[k..], &l.strides[k..]);
            // SAFETY: the offsets describe `src`'s view; `out` holds one row per true element
            unsafe { kern::mask_select_rows(src.dtype().size(), host_ptr(src), &rows, as_slice::<bool>(mask), &q, host_ptr(out)) };
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("mask_select_rows", gpu::mask_select_rows(src, mask, out)),
    }
}

/// The coordinates of the true elements of the contiguous bool `mask`, row-major, into the
/// fresh contiguous int64 `out` of shape `(count_true(mask), mask.rank())`.
pub fn nonzero_coords(mask: &Tensor, out: &Tensor) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            // SAFETY: `mask` is contiguous bool
            let coords = kern::nonzero_coords(unsafe { as_slice::<bool>(mask) }, mask.shape());
            if coords.len() != out.numel() {
                return Err(Error::Runtime(format!("nonzero: {} coordinates for an output of {}", coords.len(), out.numel())));
            }
            super::upload(out, &coords)
        }
        Device::Gpu(_) => gpu_arm!("nonzero", gpu::nonzero_coords(mask, out)),
    }
}

/// `repeat_interleave`'s index: `i` repeated `counts[i]` times into the fresh int64 vector
/// `out`, whose length is the counts' sum (`counts` contiguous int64, none negative).
pub fn repeat_index(counts: &Tensor, out: &Tensor) -> Result<()> {
    if out.numel() == 0 {
        return Ok(());
    }
    match out.device() {
        Device::Cpu => {
            // SAFETY: both are contiguous int64; `out` holds the sum of the counts
            unsafe {
                let o = std::slice::from_raw_parts_mut(host_ptr(out) as *mut i64, out.numel());
                kern::repeat_index(as_slice::<i64>(counts), o);
            }
            Ok(())
        }
        Device::Gpu(_) => super::on_host::round_trip("repeat_index", &[counts, out], &[false, true], |h| repeat_index(&h[0], &h[1])),
    }
}

/// The GPU arms. Index kernels check bounds as they run and record the first bad index in the
/// stream's status; the arms here read it right after them (a sync and a 32-byte readback), so
/// the op that caused it raises the same error as on the CPU, not some later readback.
#[cfg(feature = "gpu")]
mod gpu {
    use super::super::gpu_operands::{buf, host_scalar, view};
    use super::super::host::from_host;
    use crate::cpu::index::Offs;
    use crate::dtype::{DType, Scalar};
    use crate::error::{Error, Result};
    use crate::gpu::kernels::{index as kern, map, reduce, select};
    use crate::kinds::ScatterOp;
    use crate::layout::Layout;
    use crate::tensor::Tensor;

    /// The flat element offsets (from storage element 0) of a `P x B x Q` block, row-major.
    fn flat_offsets(base: usize, p: &Offs, b: &[isize], q: &Offs) -> Result<Vec<i64>> {
        let mut v = Vec::with_capacity(p.len() * b.len() * q.len());
        for pi in 0..p.len() {
            // SAFETY: `pi < p.len()`
            let po = unsafe { p.get(pi) };
            for &bo in b {
                for qi in 0..q.len() {
                    // SAFETY: `qi < q.len()`
                    v.push(base as i64 + (po + bo + unsafe { q.get(qi) }) as i64);
                }
            }
        }
        Ok(v)
    }

    /// The whole storage of `t` as a 1-D view (what flat offsets index).
    fn flat(t: &Tensor) -> Result<(&crate::gpu::GpuBuffer, Layout)> {
        let b = buf(t)?;
        let n = (b.len_bytes() as usize) / crate::gpu::source::gpu_elem_size(t.dtype());
        Ok((b, Layout::contiguous(&[n])))
    }

    /// The out-of-range index a kernel just recorded, if any: read now (one small status
    /// readback) so the op raises the CPU's error for it, not a later readback.
    fn recorded_bad_index() -> Result<Option<i64>> {
        crate::gpu::transfer::take_index_error()
    }

    pub(super) fn gather_rows(src: &Tensor, p: &Offs, b: &[isize], q: &Offs, out: &Tensor) -> Result<()> {
        let offs = flat_offsets(src.storage_offset(), p, b, q)?;
        let n = offs.len();
        let index = from_host(&offs, &[n], src.device())?;
        let (sb, sl) = flat(src)?;
        let (ib, il) = view(&index)?;
        let (ob, ol) = view(out)?;
        let ol = Layout { offset: ol.offset, ..Layout::contiguous(&[n]) };
        kern::gather(src.dtype(), sb, &sl, 0, ib, &il, ob, &ol, false)
    }

    pub(super) fn scatter_rows(dst: &Tensor, p: &Offs, b: &[isize], q: &Offs, values: &Tensor, accumulate: bool) -> Result<()> {
        let offs = flat_offsets(dst.storage_offset(), p, b, q)?;
        let n = offs.len();
        if n == 0 {
            return Ok(());
        }
        let index = from_host(&offs, &[n], dst.device())?;
        let (db, dl) = flat(dst)?;
        let (ib, il) = view(&index)?;
        let op = if accumulate { if dst.dtype() == DType::Bool { ScatterOp::Max } else { ScatterOp::Add } } else { ScatterOp::Assign };
        match host_scalar(values)? {
            Some(v) => kern::scatter(op, dst.dtype(), db, &dl, 0, ib, &il, None, v, None, false),
            None => {
                let vb = buf(values)?;
                // one element repeats (stride 0); else the contiguous block, element by element
                let vl = Layout { shape: [n].as_slice().into(), strides: [if values.numel() == 1 { 0 } else { 1 }].as_slice().into(), offset: values.storage_offset() };
                kern::scatter(op, dst.dtype(), db, &dl, 0, ib, &il, Some((vb, &vl)), Scalar::Int(0), None, false)
            }
        }
    }

    /// A 0-d layout as the 1-element 1-D one the index kernels take.
    fn at_least_1d(l: Layout) -> Layout {
        if l.rank() > 0 {
            return l;
        }
        Layout { shape: [1usize].as_slice().into(), strides: [1isize].as_slice().into(), offset: l.offset }
    }

    pub(super) fn gather_dim(out: &Tensor, src: &Tensor, dim: usize, index: &Tensor, wrap: bool) -> Result<Option<i64>> {
        let index = super::super::gpu_operands::lift(index, out.device())?;
        let ((sb, sl), (ib, il), (ob, ol)) = (view(src)?, view(&index)?, view(out)?);
        let (sl, il, ol) = (at_least_1d(sl), at_least_1d(il), at_least_1d(ol));
        kern::gather(src.dtype(), sb, &sl, dim, ib, &il, ob, &ol, wrap)?;
        recorded_bad_index()
    }

    pub(super) fn scatter_dim(dst: &Tensor, dim: usize, index: &Tensor, src: &Tensor, op: ScatterOp) -> Result<Option<i64>> {
        let index = super::super::gpu_operands::lift(index, dst.device())?;
        let ((db, dl), (ib, il)) = (view(dst)?, view(&index)?);
        let (dl, il) = (at_least_1d(dl), at_least_1d(il));
        let scalar = src.numel() == 1 && (src.rank() == 0 || src.is_wrapped_number());
        let value = if scalar { host_scalar(src)? } else { None };
        match value {
            Some(v) => kern::scatter(op, dst.dtype(), db, &dl, dim, ib, &il, None, v, None, false)?,
            None => {
                let sb = buf(src)?;
                // `src` read over `index`'s box (its prefix), or one element repeated
                let sl = if scalar {
                    Layout { shape: il.shape.clone(), strides: std::iter::repeat_n(0, il.rank()).collect(), offset: src.storage_offset() }
                } else {
                    let full = at_least_1d(src.layout().clone());
                    Layout { shape: il.shape.clone(), strides: full.strides.clone(), offset: full.offset }
                };
                kern::scatter(op, dst.dtype(), db, &dl, dim, ib, &il, Some((sb, &sl)), Scalar::Int(0), None, false)?
            }
        }
        recorded_bad_index()
    }

    pub(super) fn first_out_of_range(index: &Tensor, lo: i64, hi: i64) -> Result<Tensor> {
        let span = hi.saturating_sub(lo);
        let n = index.numel();
        // (a span past what the kernel's 32-bit sizes hold, e.g. a negativity check against
        // i64::MAX, is checked on the host)
        if n == 0 || span <= 0 || span > (1 << 30) {
            // nothing to check, nothing allowed, or too wide a span: decided on the host
            let h = super::super::on_host::host_copy(index)?;
            return super::first_out_of_range(&h, lo, hi);
        }
        // the index as int64, shifted to count from `lo`, gathered from a dummy source of
        // `span` elements: the kernel checks 0 <= i < span and records a bad one
        let idx = Tensor::empty_on(&[n], DType::I64, index.device())?;
        let ((xb, xl), (ib, il)) = (view(index)?, view(&idx)?);
        map::copy_cast(xb, &xl, index.dtype(), ib, &Layout { offset: il.offset, ..Layout::contiguous(index.shape()) }, DType::I64)?;
        if lo != 0 {
            map::binary_scalar(crate::kinds::BinaryOp::Sub, DType::I64, ib, &il, Scalar::Int(lo), false, ib, &il)?;
        }
        let scratch = Tensor::empty_on(&[n], DType::I64, index.device())?;
        let (sb, sl) = view(&scratch)?;
        let dummy = Layout { shape: [span as usize].as_slice().into(), strides: [0isize].as_slice().into(), offset: il.offset };
        kern::gather(DType::I64, ib, &dummy, 0, ib, &il, sb, &sl, false)?;
        let bad = recorded_bad_index()?.map(|v| v + lo);
        from_host(&[bad.is_some() as i64, bad.unwrap_or(0)], &[2], crate::device::Device::Cpu)
    }

    pub(super) fn count_true(mask: &Tensor, out: Tensor) -> Result<Tensor> {
        let wide = Tensor::empty_on(mask.shape(), DType::I64, mask.device())?;
        let ((mb, ml), (wb, wl), (ob, ol)) = (view(mask)?, view(&wide)?, view(&out)?);
        map::copy_cast(mb, &ml, DType::Bool, wb, &wl, DType::I64)?;
        let all = vec![true; mask.rank()];
        reduce::reduce(reduce::Reduction::Sum, DType::I64, wb, &wl, &all, DType::I64, ob, &ol, None)?;
        Ok(out)
    }

    pub(super) fn mask_select_rows(src: &Tensor, mask: &Tensor, out: &Tensor) -> Result<()> {
        let mask = super::super::gpu_operands::lift(mask, src.device())?;
        // the mask over the leading dims, repeated along the rest: selecting elements then
        // gives whole rows, row-major
        let (mb, ml) = view(&mask)?;
        let mut full = ml.clone();
        for &n in &src.shape()[mask.rank()..] {
            full.shape.push(n);
            full.strides.push(0);
        }
        let (sb, sl) = view(src)?;
        let (picked, count) = select::masked_select(src.dtype(), sb, &sl, mb, &full)?;
        if count != out.numel() {
            return Err(Error::Runtime(format!("boolean index: {count} elements selected for an output of {}", out.numel())));
        }
        let (ob, ol) = view(out)?;
        map::copy_cast(&picked, &Layout::contiguous(&[count]), src.dtype(), ob, &Layout { offset: ol.offset, ..Layout::contiguous(&[count]) }, src.dtype())
    }

    pub(super) fn nonzero_coords(mask: &Tensor, out: &Tensor) -> Result<()> {
        let (mb, ml) = view(mask)?;
        let (coords, count) = select::nonzero(mask.dtype(), mb, &ml)?;
        let n = count * mask.rank();
        if n != out.numel() {
            return Err(Error::Runtime(format!("nonzero: {count} coordinates for an output of {} elements", out.numel())));
        }
        if n == 0 {
            return Ok(());
        }
        let (ob, ol) = view(out)?;
        map::copy_cast(&coords, &Layout::contiguous(&[n]), DType::I64, ob, &Layout { offset: ol.offset, ..Layout::contiguous(&[n]) }, DType::I64)
    }
}
