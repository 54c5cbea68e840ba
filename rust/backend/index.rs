//! Indexing primitives: rows gathered / scattered by advanced indices, gather / scatter along
//! one dim (with accumulate and reduce modes), masked selection, `nonzero`, and the small
//! results index checks read back (counts, the first out-of-range index).

use super::no_kernels;
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
    Cpu { p: Offs, b: Vec<isize>, q: Offs },
}

/// Resolves integer index tensors against `view`: `idx[k]` (contiguous int64, each of `nb`
/// elements or one) indexes dim `dims[k]`; `pre` / `post` are the remaining dims before and
/// after the indexed block. Negative indices count from the end. Returns `Err((k, v))` for the
/// first out-of-range value `v` found, in index `k`.
pub fn index_rows(view: &Tensor, pre: &[usize], post: &[usize], dims: &[usize], idx: &[Tensor], nb: usize) -> Result<std::result::Result<IndexedRows, (usize, i64)>> {
    match view.device() {
        Device::Cpu => {
            let l = view.layout();
            let pick = |ds: &[usize]| -> (Vec<usize>, Vec<isize>) { (ds.iter().map(|&d| l.shape[d]).collect(), ds.iter().map(|&d| l.strides[d]).collect()) };
            let (ps, pst) = pick(pre);
            let (qs, qst) = pick(post);
            // SAFETY: the index tensors are contiguous int64 (checked by the ops layer)
            let slices: Vec<&[i64]> = idx.iter().map(|t| unsafe { as_slice::<i64>(t) }).collect();
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "index_rows")),
    }
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
        (d @ Device::Gpu(_), _) => Err(no_kernels(d, "gather_rows")),
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
        (d @ Device::Gpu(_), _) => Err(no_kernels(d, "scatter_rows")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "gather_dim")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "scatter_dim")),
    }
}

/// The number of true elements of the contiguous bool `mask`, as a 0-d int64 tensor on its
/// device (read back with `read_scalar` where an output size depends on it).
pub fn count_true(mask: &Tensor) -> Result<Tensor> {
    debug_assert!(mask.dtype() == DType::Bool && dense(mask));
    let out = Tensor::empty(&[], DType::I64, mask.device())?;
    match mask.device() {
        Device::Cpu => {
            // SAFETY: `mask` is contiguous bool; `out` holds one int64
            unsafe { *(host_ptr(&out) as *mut i64) = kern::count_true(as_slice::<bool>(mask)) as i64 };
            Ok(out)
        }
        d @ Device::Gpu(_) => Err(no_kernels(d, "count_true")),
    }
}

/// Scans the integer tensor `index` in row-major order for a value outside `[lo, hi)`: a
/// two-element int64 tensor `[found, value]` on its device, read back with `read_small`.
pub fn first_out_of_range(index: &Tensor, lo: i64, hi: i64) -> Result<Tensor> {
    let out = Tensor::empty(&[2], DType::I64, index.device())?;
    match index.device() {
        Device::Cpu => {
            let contiguous;
            let idx = if index.is_contiguous() {
                index
            } else {
                contiguous = Tensor::empty(index.shape(), index.dtype(), index.device())?;
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "first_out_of_range")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "mask_select_rows")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "nonzero")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "repeat_index")),
    }
}
