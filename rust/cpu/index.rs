//! Gather/scatter/index kernels (issue: indexing).
//!
//! Advanced indexing is reduced to three groups of element offsets:
//! `P` (dims before the indexed block), `B` (the broadcast index positions) and
//! `Q` (dims after it). The result is the contiguous `P x B x Q` block
//! `out[(p*nb + b)*nq + q] = src[p_off(p) + b_off[b] + q_off(q)]`; scatters run
//! the same map backwards. Copies move raw elements (dispatched on the element
//! size), accumulating scatters are typed.

use crate::cpu::stream::{self, STREAM_MIN_BYTES, STREAM_MIN_ROW_BYTES};
use crate::cpu::{Element, PARALLEL_MIN};
use crate::dispatch_dtype;
use crate::dtype::DType;
use rayon::prelude::*;

/// A list of element offsets, either arithmetic (`i * stride`) or explicit.
#[derive(Clone, Debug)]
pub enum Offs {
    /// `n` offsets `0, stride, 2 * stride, ...`: a strided dim, without a list in memory.
    Strided {
        /// How many offsets.
        n: usize,
        /// Step between consecutive offsets, in elements (may be negative or zero).
        stride: isize,
    },
    /// Explicit offsets, in elements, in row-major order: several dims whose strides do not
    /// merge into one.
    List(Vec<isize>),
}

impl Offs {
    /// The number of offsets.
    #[inline(always)]
    pub fn len(&self) -> usize {
        match self {
            Offs::Strided { n, .. } => *n,
            Offs::List(v) => v.len(),
        }
    }
    /// Whether there are no offsets.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Offset `i`.
    ///
    /// # Safety
    /// `i < self.len()` (a list is read without a bounds check).
    #[inline(always)]
    pub unsafe fn get(&self, i: usize) -> isize {
        match self {
            Offs::Strided { stride, .. } => i as isize * stride,
            // SAFETY: `get`'s contract: `i < self.len()`, the list's length
            Offs::List(v) => unsafe { *v.get_unchecked(i) },
        }
    }
    /// Offsets of the elements of `shape`/`strides` in row-major order, coalesced.
    pub fn of_dims(shape: &[usize], strides: &[isize]) -> Offs {
        // merge dims that are contiguous with each other
        let mut dims: Vec<(usize, isize)> = Vec::new();
        for (&s, &st) in shape.iter().zip(strides) {
            if s == 1 {
                continue;
            }
            if let Some(last) = dims.last_mut() {
                if last.1 == st * s as isize {
                    last.0 *= s;
                    last.1 = st;
                    continue;
                }
            }
            dims.push((s, st));
        }
        let n: usize = shape.iter().product();
        if n == 0 {
            return Offs::Strided { n: 0, stride: 1 };
        }
        match dims.len() {
            0 => Offs::Strided { n: 1, stride: 1 },
            1 => Offs::Strided { n: dims[0].0, stride: dims[0].1 },
            _ => {
                let mut v = Vec::with_capacity(n);
                v.push(0isize);
                for &(s, st) in dims.iter().rev() {
                    // v holds the offsets of the inner dims; repeat them for each index of this dim
                    let inner = v.len();
                    for i in 1..s {
                        for j in 0..inner {
                            let o = v[j] + i as isize * st;
                            v.push(o);
                        }
                    }
                }
                // the loop above produced outer-major order only when inner dims were processed first
                // (we built from the innermost dim outwards), so v is already row-major.
                Offs::List(v)
            }
        }
    }
}

#[derive(Clone, Copy)]
struct P(*mut u8);
// SAFETY: a `P` is an address; sending it moves no data (the kernels using it say why their tasks'
// accesses don't conflict)
unsafe impl Send for P {}
// SAFETY: sharing the address is harmless by itself; each kernel here gives its tasks disjoint
// output elements (see its `unsafe` blocks)
unsafe impl Sync for P {}
impl P {
    #[inline(always)]
    fn get(self) -> *mut u8 {
        self.0
    }
}

/// Copies one Q-row of `T`s.
#[inline(always)]
unsafe fn copy_row<T: Copy>(dst: *mut T, dst_q: &Offs, src: *const T, src_q: &Offs, nq: usize) {
    match (dst_q, src_q) {
        (Offs::Strided { stride: 1, .. }, Offs::Strided { stride: 1, .. }) => std::ptr::copy_nonoverlapping(src, dst, nq),
        (Offs::Strided { stride: ds, .. }, Offs::Strided { stride: ss, .. }) => {
            for q in 0..nq {
                *dst.offset(q as isize * ds) = *src.offset(q as isize * ss);
            }
        }
        _ => {
            for q in 0..nq {
                *dst.offset(dst_q.get(q)) = *src.offset(src_q.get(q));
            }
        }
    }
}

/// Rows are (p, b) pairs, row-major; `f(p, b0, b1, r0)` is called for segments of rows
/// `(p, b0..b1)` whose first row number is `r0`, in parallel chunks when `parallel` and the
/// total work (`rows * nq`) is large. Each row goes to exactly one call.
fn for_rows(np: usize, nb: usize, nq: usize, parallel: bool, f: impl Fn(usize, usize, usize, usize) + Sync) {
    let rows = np * nb;
    if rows == 0 {
        return;
    }
    let total = rows.saturating_mul(nq.max(1));
    let threads = crate::cpu::par::threads();
    let run = |start: usize, end: usize| {
        let mut r = start;
        while r < end {
            let (p, b0) = (r / nb, r % nb);
            let b1 = nb.min(b0 + (end - r));
            f(p, b0, b1, r);
            r += b1 - b0;
        }
    };
    if !parallel || total < PARALLEL_MIN || threads <= 1 || rows == 1 {
        run(0, rows);
        return;
    }
    let chunks = (threads * 8).min(rows);
    let per = rows.div_ceil(chunks);
    crate::cpu::par::for_each_task(chunks, |c| {
        let start = c * per;
        let end = ((c + 1) * per).min(rows);
        if start < end {
            run(start, end);
        }
    });
}

/// Asks the cache for `nbytes` from `p` (a no-op off x86_64). Used where the next reads are
/// ones the hardware prefetcher cannot predict (a line read in random order). Measured no
/// help for whole rows copied from random places: memcpy streams those well already.
#[inline(always)]
unsafe fn prefetch_bytes(p: *const u8, nbytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        for off in (0..nbytes).step_by(64) {
            _mm_prefetch::<_MM_HINT_T0>(p.add(off) as *const i8);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, nbytes);
}

/// Rows at most this long are prefetched whole (they fit L1/L2 with room to spare).
const PREFETCH_MAX: usize = 64 * 1024;

/// `out[(p*nb + b)*nq + q] = src[p_off(p) + b_off[b] + q_off(q)]`, `out` contiguous.
///
/// # Safety
/// Every offset must be inside `src`'s storage; `out` must hold `np*nb*nq` elements.
pub unsafe fn gather_rows(esize: usize, src: *const u8, out: *mut u8, p: &Offs, b: &[isize], q: &Offs) {
    macro_rules! go {
        ($T:ty) => {{
            let (sp, op) = (P(src as *mut u8), P(out));
            let nq = q.len();
            let (np, nb) = (p.len(), b.len());
            let unit = Offs::Strided { n: nq, stride: 1 };
            if nq == 1 {
                let q0 = q.get(0);
                // SAFETY: `pi < np`, `b0..b1` within `nb`, and rows `r0..r0 + (b1 - b0)` < np * nb:
                // `p.get(pi)` is in range, every `p + b + q0` offset is inside `src` and every row
                // of `out` exists (gather_rows' contract); `for_rows` gives each row to one call,
                // so tasks write disjoint elements of `out`
                for_rows(np, nb, 1, true, |pi, b0, b1, r0| unsafe {
                    let s = (sp.get() as *const $T).offset(p.get(pi) + q0);
                    let o = (op.get() as *mut $T).add(r0);
                    for (k, &bo) in b[b0..b1].iter().enumerate() {
                        *o.add(k) = *s.offset(bo);
                    }
                });
                return;
            }
            // whole contiguous rows into an output too big for the cache: write around it
            let stream = matches!(q, Offs::Strided { stride: 1, .. })
                && nq * esize >= STREAM_MIN_ROW_BYTES
                && (np * nb).saturating_mul(nq * esize) >= STREAM_MIN_BYTES;
            // SAFETY: `pi < np` and `b0..b1` within `nb`, so the offsets are in range and inside
            // `src`, and rows `r0..` of `nq` elements lie in `out` (gather_rows' contract); each
            // row goes to one call, so tasks write disjoint rows; `q` has `nq` offsets
            // (`copy_row`'s `nq`)
            for_rows(np, nb, nq, true, |pi, b0, b1, r0| unsafe {
                let pb = (sp.get() as *const $T).offset(p.get(pi));
                if stream {
                    for (k, &bo) in b[b0..b1].iter().enumerate() {
                        let d = (op.get() as *mut $T).add((r0 + k) * nq);
                        stream::copy_streaming(d as *mut u8, pb.offset(bo) as *const u8, nq * esize);
                    }
                    stream::fence();
                    return;
                }
                for (k, &bo) in b[b0..b1].iter().enumerate() {
                    let d = (op.get() as *mut $T).add((r0 + k) * nq);
                    copy_row::<$T>(d, &unit, pb.offset(bo), q, nq);
                }
            });
        }};
    }
    match esize {
        1 => go!(u8),
        4 => go!(u32),
        8 => go!(u64),
        _ => unreachable!("element size {esize}"),
    }
}

/// `dst[p_off(p) + b_off[b] + q_off(q)] = vals[(p*nb + b)*nq + q]` (or the single value
/// `vals[0]` when `scalar`). A repeated index (two rows with one destination): the last row
/// wins, as the rows then run in order on one thread.
///
/// # Safety
/// Every offset must be inside `dst`'s storage; `vals` must hold the rows.
pub unsafe fn scatter_rows(esize: usize, dst: *mut u8, vals: *const u8, scalar: bool, p: &Offs, b: &[isize], q: &Offs) {
    // rows in parallel only when no two share a destination: distinct (p, b, q) of a view
    // are distinct elements, so that is when `b` has no repeated offset
    let parallel = p.len() * b.len() * q.len() >= PARALLEL_MIN && {
        let mut sorted = b.to_vec();
        sorted.sort_unstable();
        sorted.windows(2).all(|w| w[0] != w[1])
    };
    macro_rules! go {
        ($T:ty) => {{
            let (dp, vp) = (P(dst), P(vals as *mut u8));
            let nq = q.len();
            let (np, nb) = (p.len(), b.len());
            let unit = Offs::Strided { n: nq, stride: 1 };
            let zero = Offs::Strided { n: nq, stride: 0 };
            // SAFETY: `pi < np`, `b0..b1` within `nb`: every destination offset is inside `dst` and
            // every row of `vals` exists (scatter_rows' contract). Rows run in parallel only when
            // `b` has no repeated offset, and distinct rows of a view are distinct elements, so
            // tasks write disjoint elements. (A scalar written into a destination whose own
            // elements share memory, which PyTorch allows for one value, can still have two tasks
            // store that value to one address.)
            for_rows(np, nb, nq, parallel, |pi, b0, b1, r0| unsafe {
                let pb = (dp.get() as *mut $T).offset(p.get(pi));
                for (k, &bo) in b[b0..b1].iter().enumerate() {
                    let d = pb.offset(bo);
                    if scalar {
                        copy_row::<$T>(d, q, vp.get() as *const $T, &zero, nq);
                    } else {
                        copy_row::<$T>(d, q, (vp.get() as *const $T).add((r0 + k) * nq), &unit, nq);
                    }
                }
            });
        }};
    }
    match esize {
        1 => go!(u8),
        4 => go!(u32),
        8 => go!(u64),
        _ => unreachable!("element size {esize}"),
    }
}

/// Accumulating scatter: `dst[...] = op(dst[...], vals[row, q])`, deterministic:
/// each destination is updated by one thread, in index order.
///
/// # Safety
/// As `scatter_rows`.
pub unsafe fn scatter_rows_accumulate(dtype: DType, dst: *mut u8, vals: *const u8, scalar: bool, p: &Offs, b: &[isize], q: &Offs) {
    dispatch_dtype!(dtype, T => accumulate_typed::<T>(dst, vals, scalar, p, b, q, add_op::<T>))
}

#[inline(always)]
fn add_op<T: Element>(a: T, b: T) -> T {
    match T::DTYPE {
        DType::Bool => if a.is_nonzero() || b.is_nonzero() { T::one() } else { T::zero() },
        DType::I32 | DType::I64 => T::from_i64(a.to_i64().wrapping_add(b.to_i64())),
        _ => T::from_f64(a.to_f64() + b.to_f64()),
    }
}

unsafe fn accumulate_typed<T: Element>(dst: *mut u8, vals: *const u8, scalar: bool, p: &Offs, b: &[isize], q: &Offs, op: fn(T, T) -> T) {
    let (dp, vp) = (P(dst), P(vals as *mut u8));
    let nq = q.len();
    let (np, nb) = (p.len(), b.len());
    let threads = crate::cpu::par::threads();
    let total = np * nb * nq;
    // SAFETY: `pi < np`, `bi < nb`, `qi < nq`: offsets in range and inside `dst`, rows of `vals`
    // present (scatter_rows' contract); the parallel schedules below give each destination to one
    // task (distinct p rows, or a range of b offsets per task), so no element is updated by two
    // tasks
    let row = move |pi: usize, bi: usize| unsafe {
        let d = (dp.get() as *mut T).offset(p.get(pi) + b[bi]);
        let r = pi * nb + bi;
        for qi in 0..nq {
            let v = if scalar { *(vp.get() as *const T) } else { *(vp.get() as *const T).add(r * nq + qi) };
            let x = d.offset(q.get(qi));
            *x = op(*x, v);
        }
    };
    if total < PARALLEL_MIN || threads <= 1 {
        for pi in 0..np {
            for bi in 0..nb {
                row(pi, bi);
            }
        }
        return;
    }
    if np >= threads {
        // distinct p rows never share a destination
        crate::cpu::par::for_each_task(np, |pi| {
            for bi in 0..nb {
                row(pi, bi);
            }
        });
        return;
    }
    // partition by destination offset: each thread owns a range of b offsets
    let (lo, hi) = b.iter().fold((isize::MAX, isize::MIN), |(l, h), &o| (l.min(o), h.max(o)));
    if lo > hi {
        return;
    }
    let parts = threads * 2;
    let span = ((hi - lo) as usize + 1).div_ceil(parts) as isize;
    for pi in 0..np {
        crate::cpu::par::for_each_task(parts, |t| {
            let (a, z) = (lo + t as isize * span, lo + (t as isize + 1) * span);
            for (bi, &o) in b.iter().enumerate() {
                if o >= a && o < z {
                    row(pi, bi);
                }
            }
        });
    }
}

/// Element offsets `sum_k stride_k * idx_k[b]` for broadcast index tensors (already
/// contiguous `i64`, each of length `nb` or 1), bounds-checked. On failure returns
/// `(k, bad value)`.
pub fn combine_offsets(idx: &[&[i64]], sizes: &[usize], strides: &[isize], nb: usize) -> std::result::Result<Vec<isize>, (usize, i64)> {
    let mut out: Vec<isize> = vec![0; nb];
    for (k, ix) in idx.iter().enumerate() {
        let (size, stride) = (sizes[k] as i64, strides[k]);
        let bad = std::sync::atomic::AtomicBool::new(false);
        let body = |start: usize, chunk: &mut [isize]| {
            let mut ok = true;
            if ix.len() == 1 {
                let mut v = ix[0];
                if v < 0 {
                    v += size;
                }
                ok = v >= 0 && v < size;
                let o = v as isize * stride;
                for c in chunk.iter_mut() {
                    *c += o;
                }
            } else {
                for (i, c) in chunk.iter_mut().enumerate() {
                    let mut v = ix[start + i];
                    if v < 0 {
                        v += size;
                    }
                    ok &= v >= 0 && v < size;
                    *c += v as isize * stride;
                }
            }
            if !ok {
                bad.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        };
        if nb >= PARALLEL_MIN && crate::cpu::par::threads() > 1 {
            let per = PARALLEL_MIN / 2;
            crate::cpu::par::install(|| out.par_chunks_mut(per).enumerate().for_each(|(c, chunk)| body(c * per, chunk)));
        } else {
            body(0, &mut out);
        }
        if bad.load(std::sync::atomic::Ordering::Relaxed) {
            let v = ix.iter().copied().find(|&v| v < -size || v >= size).unwrap_or(0);
            return Err((k, v));
        }
    }
    Ok(out)
}

/// Chunk boundaries for a two-pass parallel compaction over `n` mask bytes.
fn compaction_chunks(n: usize) -> usize {
    let threads = crate::cpu::par::threads();
    if n < PARALLEL_MIN || threads <= 1 {
        1
    } else {
        (threads * 4).min(n / (PARALLEL_MIN / 4)).max(1)
    }
}

/// Number of true bytes in a contiguous bool mask, per chunk.
fn count_chunks(mask: &[bool], chunks: usize) -> Vec<usize> {
    let per = mask.len().div_ceil(chunks.max(1)).max(1);
    if chunks <= 1 {
        return vec![mask.iter().map(|&m| m as usize).sum()];
    }
    crate::cpu::par::install(|| mask.par_chunks(per).map(|c| c.iter().map(|&m| m as usize).sum()).collect())
}

/// Number of true bytes in a contiguous mask.
pub fn count_true(mask: &[bool]) -> usize {
    count_chunks(mask, compaction_chunks(mask.len())).iter().sum()
}

/// `out[k] = src[row_off(i) + q_off(q)]` for the k-th true `mask[i]` (rows of `nq`).
/// Returns the number of rows written (`out` must hold `count_true(mask) * nq`).
///
/// # Safety
/// `rows` has one offset per mask element, each (plus every `q` offset) inside `src`; `out`
/// large enough.
pub unsafe fn mask_select_rows(esize: usize, src: *const u8, rows: &Offs, mask: &[bool], q: &Offs, out: *mut u8) -> usize {
    let n = mask.len();
    let chunks = compaction_chunks(n);
    let per = n.div_ceil(chunks.max(1)).max(1);
    let counts = count_chunks(mask, chunks);
    let mut starts = Vec::with_capacity(counts.len());
    let mut acc = 0;
    for c in &counts {
        starts.push(acc);
        acc += c;
    }
    let total = acc;
    macro_rules! go {
        ($T:ty) => {{
            let (sp, op) = (P(src as *mut u8), P(out));
            let nq = q.len();
            let unit = Offs::Strided { n: nq, stride: 1 };
            // SAFETY: chunk `c` covers mask elements `s..e` (< n, the mask's length) and owns
            // output rows `starts[c]..starts[c] + counts[c]` (its true count, by the same
            // chunking), and `k` stays below that end, so tasks write disjoint rows inside `out`;
            // `rows` has an offset per mask element, inside `src` (mask_select_rows' contract)
            crate::cpu::par::for_each_task(counts.len(), |c| unsafe {
                let (s, e) = (c * per, ((c + 1) * per).min(n));
                let mut k = starts[c];
                let kend = k + counts[c];
                let src = sp.get() as *const $T;
                let out = op.get() as *mut $T;
                if nq == 1 {
                    if let Offs::Strided { stride, .. } = rows {
                        // branchless compaction while a write slot is guaranteed
                        let mut i = s;
                        while i < e && k < kend {
                            *out.add(k) = *src.offset(i as isize * stride);
                            k += *mask.get_unchecked(i) as usize;
                            i += 1;
                        }
                        return;
                    }
                }
                for i in s..e {
                    if k >= kend {
                        break;
                    }
                    if mask[i] {
                        copy_row::<$T>(out.add(k * nq), &unit, src.offset(rows.get(i)), q, nq);
                        k += 1;
                    }
                }
            });
        }};
    }
    match esize {
        1 => go!(u8),
        4 => go!(u32),
        8 => go!(u64),
        _ => unreachable!(),
    }
    total
}

/// Coordinates of the true elements of a contiguous mask of `shape`, row-major:
/// `out` gets `count * rank` i64s.
pub fn nonzero_coords(mask: &[bool], shape: &[usize]) -> Vec<i64> {
    let n = mask.len();
    let rank = shape.len();
    let chunks = compaction_chunks(n);
    let per = n.div_ceil(chunks.max(1)).max(1);
    let counts = count_chunks(mask, chunks);
    let total: usize = counts.iter().sum();
    let mut out: Vec<i64> = vec![0; total * rank];
    if rank == 0 {
        return out;
    }
    let mut starts = Vec::with_capacity(counts.len());
    let mut acc = 0;
    for c in &counts {
        starts.push(acc);
        acc += c;
    }
    let op = P(out.as_mut_ptr() as *mut u8);
    crate::cpu::par::for_each_task(counts.len(), |c| {
        let (s, e) = (c * per, ((c + 1) * per).min(n));
        if s >= e {
            return;
        }
        let out = op.get() as *mut i64;
        // coordinates of s
        let mut coord = vec![0usize; rank];
        let mut rem = s;
        for d in (0..rank).rev() {
            coord[d] = rem % shape[d];
            rem /= shape[d];
        }
        let mut k = starts[c];
        for &m in &mask[s..e] {
            if m {
                for (d, &x) in coord.iter().enumerate() {
                    // SAFETY: chunk `c` holds `counts[c]` true elements, so
                    // `k < starts[c] + counts[c] <= total` and `d < rank`: the element is inside
                    // `out` (`total * rank` i64s, alive until the tasks return), and chunks own
                    // disjoint ranges of `k`
                    unsafe { *out.add(k * rank + d) = x as i64 };
                }
                k += 1;
            }
            // advance coord
            let mut d = rank;
            while d > 0 {
                d -= 1;
                coord[d] += 1;
                if coord[d] < shape[d] {
                    break;
                }
                coord[d] = 0;
            }
        }
    });
    out
}

// ---------- gather / scatter along one dim (torch.gather / scatter) ----------

use crate::cpu::iter::Plan;

pub use crate::kinds::ScatterOp;

/// Records the first out-of-range index seen by a parallel kernel.
struct BadIndex(std::sync::atomic::AtomicI64, std::sync::atomic::AtomicBool);
impl BadIndex {
    fn new() -> Self {
        BadIndex(std::sync::atomic::AtomicI64::new(0), std::sync::atomic::AtomicBool::new(false))
    }
    #[inline(always)]
    fn set(&self, v: i64) {
        if !self.1.swap(true, std::sync::atomic::Ordering::Relaxed) {
            self.0.store(v, std::sync::atomic::Ordering::Relaxed);
        }
    }
    fn get(&self) -> Option<i64> {
        self.1.load(std::sync::atomic::Ordering::Relaxed).then(|| self.0.load(std::sync::atomic::Ordering::Relaxed))
    }
}

/// `out = src[..., index, ...]` along one dim. Plan operands: [out, index (i64), src with the
/// dim's stride zeroed]; `dim_stride` is the src dim's stride in bytes, `size` its length.
/// Negative indices count from the end when `wrap` (else they are out of range, as in
/// PyTorch's gather). Returns the first bad index on failure (nothing else is guaranteed then).
pub fn gather_dim(esize: usize, plan: &Plan<3>, dim_stride: isize, size: i64, wrap: bool) -> std::result::Result<(), i64> {
    let bad = BadIndex::new();
    let st = plan.inner_strides();
    let es = esize as isize;
    // The common case (contiguous out and index along the run) as element-indexed slices:
    // the general loop re-reads its byte strides from memory after every store (they might
    // alias the output), which cost ~30% on gather(x, 1, idx) of 4096x1024.
    let unit = st[0] == es && st[1] == 8 && st[2] % es == 0 && dim_stride % es == 0;
    macro_rules! go {
        ($T:ty) => {
            if unit {
                let (ss, ds) = (st[2] / es, dim_stride / es);
                // A run reads one source line (the gathered dim) in random order: its cache
                // lines would each be a demand miss the hardware prefetcher cannot predict.
                // Asking for the whole line up front (when it is contiguous and fits L1-L2)
                // turns that into one sequential burst (gather(x, 1, idx) of 4096x1024 float32:
                // 14 -> 8 ms single-threaded here).
                let line_bytes = size as usize * esize;
                let prefetch = ds == 1 && line_bytes <= PREFETCH_MAX;
                // SAFETY: unit strides: each run is `len` contiguous output elements and `len`
                // contiguous i64 indices, and `p[2]` the source at the run's start with the
                // gathered dim's stride zeroed; a read happens only for `0 <= v < size`, so
                // `k * ss + v * ds` is an element of the source (a line of `size` elements when
                // prefetched). The backend built the plan from live views (`backend::index`);
                // `Plan::run` gives each task its own output elements.
                plan.run(|p, len| unsafe {
                    let (ss, ds) = (ss, ds);
                    let out = std::slice::from_raw_parts_mut(p[0] as *mut $T, len);
                    let index = std::slice::from_raw_parts(p[1] as *const i64, len);
                    let s = p[2] as *const $T;
                    if prefetch && ss == 0 {
                        prefetch_bytes(s as *const u8, line_bytes);
                    }
                    for (k, (o, &i)) in out.iter_mut().zip(index).enumerate() {
                        let v = if i < 0 && wrap { i.wrapping_add(size) } else { i };
                        if (v as u64) < size as u64 {
                            *o = *s.offset(k as isize * ss + v as isize * ds);
                        } else {
                            bad.set(i);
                        }
                    }
                })
            } else {
                // SAFETY: each run is `len` elements of each operand at the inner strides, inside
                // their views (the backend's plan); the source is read only at `0 <= v < size`
                // along the gathered dim, an element of the source; `Plan::run` gives each task its
                // own output elements.
                plan.run(|p, len| unsafe {
                    let (mut o, mut ix, mut s) = (p[0], p[1] as *const u8, p[2] as *const u8);
                    for _ in 0..len {
                        let mut v = *(ix as *const i64);
                        if v < 0 && wrap {
                            v += size;
                        }
                        if v < 0 || v >= size {
                            bad.set(*(ix as *const i64));
                        } else {
                            *(o as *mut $T) = *(s.offset(v as isize * dim_stride) as *const $T);
                        }
                        // wrapping: after the last element they may leave the views
                        o = o.wrapping_offset(st[0]);
                        ix = ix.wrapping_offset(st[1]);
                        s = s.wrapping_offset(st[2]);
                    }
                })
            }
        };
    }
    match esize {
        1 => go!(u8),
        4 => go!(u32),
        8 => go!(u64),
        _ => unreachable!(),
    }
    bad.get().map_or(Ok(()), Err)
}

/// `dst[..., index, ...] op= src` along one dim. Plan operands: [dst with the dim's stride
/// zeroed, index (i64), src (of `dtype`)]. Each plan runs serially; the plans (disjoint
/// destination slices) run in parallel. `Assign` with duplicate indices: unspecified winner.
/// Negative indices are out of range, as in PyTorch's scatter family.
pub fn scatter_dim(dtype: DType, op: ScatterOp, plans: &[Plan<3>], dim_stride: isize, size: i64) -> std::result::Result<(), i64> {
    let bad = BadIndex::new();
    dispatch_dtype!(dtype, T => {
        let f = scatter_fn::<T>(op);
        let line_bytes = size.max(0) as usize * std::mem::size_of::<T>();
        let body = |plan: &Plan<3>| {
            let st = plan.inner_strides();
            // a run updates one destination line in random order: fetch it first (see gather_dim)
            let prefetch = st[0] == 0 && dim_stride == std::mem::size_of::<T>() as isize && line_bytes <= PREFETCH_MAX;
            // SAFETY: each run is `len` elements of each operand at the inner strides (the
            // backend's plans); the destination is touched only at `0 <= v < size` along the
            // scattered dim, an element of it. Each plan runs on one thread, and plans running in
            // parallel cover disjoint destination slices, so no element is updated by two tasks.
            plan.for_each_run_in(0, plan.numel(), &mut |p, len| unsafe {
                let (mut d, mut ix, mut s) = (p[0], p[1] as *const u8, p[2] as *const u8);
                if prefetch {
                    prefetch_bytes(d, line_bytes);
                }
                for _ in 0..len {
                    let v = *(ix as *const i64);
                    if v < 0 || v >= size {
                        bad.set(v);
                    } else {
                        let x = d.offset(v as isize * dim_stride) as *mut T;
                        *x = f(*x, *(s as *const T));
                    }
                    // wrapping: after the last element they may leave the views
                    d = d.wrapping_offset(st[0]);
                    ix = ix.wrapping_offset(st[1]);
                    s = s.wrapping_offset(st[2]);
                }
            });
        };
        if plans.len() == 1 {
            body(&plans[0]);
        } else {
            crate::cpu::par::for_each_task(plans.len(), |i| body(&plans[i]));
        }
    });
    bad.get().map_or(Ok(()), Err)
}

fn scatter_fn<T: Element>(op: ScatterOp) -> fn(T, T) -> T {
    match op {
        ScatterOp::Assign => |_, b| b,
        ScatterOp::Add => add_op::<T>,
        ScatterOp::Mul => |a: T, b: T| {
            if T::DTYPE == DType::Bool {
                if a.is_nonzero() && b.is_nonzero() { T::one() } else { T::zero() }
            } else if T::DTYPE.is_int() {
                T::from_i64(a.to_i64().wrapping_mul(b.to_i64()))
            } else {
                T::from_f64(a.to_f64() * b.to_f64())
            }
        },
        // NaN propagates, as torch's amax/amin reductions
        ScatterOp::Max => |a: T, b: T| if a.is_nan() { a } else if b.is_nan() || b > a { b } else { a },
        ScatterOp::Min => |a: T, b: T| if a.is_nan() { a } else if b.is_nan() || b < a { b } else { a },
    }
}

/// Concatenation of contiguous blocks (`cat` of contiguous inputs of the output's dtype):
/// for every outer row `o` and part `i`, copies `bytes[i]` bytes from `srcs[i] + o * bytes[i]`
/// to `dst + o * row + offs[i]`, where `row` is the sum of `bytes` and `offs` its prefix sums.
/// Large copies run as one parallel pass of `memcpy`s: rows in parallel chunks when there
/// are many rows, otherwise each block is cut into pieces.
///
/// # Safety
/// `dst` must hold `outer * sum(bytes)` bytes, each `srcs[i]` `outer * bytes[i]` bytes, and
/// no source may overlap `dst`.
pub unsafe fn cat_blocks(dst: *mut u8, outer: usize, srcs: &[*const u8], bytes: &[usize]) {
    let row: usize = bytes.iter().sum();
    let total = row.saturating_mul(outer);
    if total == 0 {
        return;
    }
    let mut offs = Vec::with_capacity(bytes.len());
    let mut acc = 0usize;
    for &b in bytes {
        offs.push(acc);
        acc += b;
    }
    let dp = P(dst);
    let sp: Vec<P> = srcs.iter().map(|&s| P(s as *mut u8)).collect();
    // an output too big for the cache is written around it (each task fences its stores)
    let stream = total >= STREAM_MIN_BYTES && bytes.iter().all(|&b| b == 0 || b >= STREAM_MIN_ROW_BYTES);
    // SAFETY: `o < outer` and `offs[i] + b <= row`: `o * row + offs[i]` starts `b` bytes inside
    // `dst`'s `outer * row`, and `o * b` starts `b` bytes inside `srcs[i]`'s `outer * b`
    // (cat_blocks' contract: sizes held, sources not overlapping `dst`); each `o` goes to one task,
    // so tasks write disjoint bytes
    let copy_row = |o: usize| unsafe {
        for (i, &b) in bytes.iter().enumerate() {
            if b > 0 {
                stream::copy_bytes(dp.get().add(o * row + offs[i]), sp[i].get().add(o * b) as *const u8, b, stream);
            }
        }
    };
    let threads = crate::cpu::par::threads();
    if total < PARALLEL_MIN * 8 || threads <= 1 {
        (0..outer).for_each(copy_row);
        stream::fence();
        return;
    }
    if outer >= threads * 4 {
        let chunks = (threads * 8).min(outer);
        let per = outer.div_ceil(chunks);
        crate::cpu::par::for_each_task(chunks, |c| {
            (c * per..((c + 1) * per).min(outer)).for_each(copy_row);
            stream::fence();
        });
        return;
    }
    // few rows: cut every block into pieces so that all threads get a share
    let piece = (total / (threads * 4)).max(1 << 16);
    let mut jobs: Vec<(usize, usize, usize)> = Vec::new(); // (dst offset, src address, bytes)
    for o in 0..outer {
        for (i, &b) in bytes.iter().enumerate() {
            let mut k = 0;
            while k < b {
                let n = piece.min(b - k);
                jobs.push((o * row + offs[i] + k, sp[i].get() as usize + o * b + k, n));
                k += n;
            }
        }
    }
    crate::cpu::par::for_each_task(jobs.len(), |j| {
        let (d, s, n) = jobs[j];
        // SAFETY: each job is a piece `n` bytes long of one block row (`k + n <= b`), so both
        // ranges lie inside `dst` and that source (cat_blocks' contract); the jobs cut the output
        // into disjoint pieces, one per task
        unsafe { stream::copy_bytes(dp.get().add(d), s as *const u8, n, stream) };
        stream::fence();
    });
}

/// The first value of `idx`, in order, outside `[lo, hi)` (what an index bounds check reports).
pub fn first_out_of_range<T: Element>(idx: &[T], lo: i64, hi: i64) -> Option<i64> {
    idx.iter().map(|v| v.to_i64()).find(|&v| v < lo || v >= hi)
}

/// Writes `i` `counts[i]` times, in order, into `out` (`repeat_interleave`'s index:
/// `[0] * c0 + [1] * c1 + ...`). The counts are non-negative and sum to `out.len()`.
pub fn repeat_index(counts: &[i64], out: &mut [i64]) {
    let mut k = 0;
    for (i, &c) in counts.iter().enumerate() {
        let c = c.max(0) as usize;
        out[k..k + c].fill(i as i64);
        k += c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn offsets_of_dims_are_row_major() {
        match Offs::of_dims(&[2, 3], &[1, 2]) {
            Offs::List(v) => assert_eq!(v, vec![0, 2, 4, 1, 3, 5]),
            o => panic!("{o:?}"),
        }
        assert!(matches!(Offs::of_dims(&[2, 3], &[3, 1]), Offs::Strided { n: 6, stride: 1 }));
        assert!(matches!(Offs::of_dims(&[], &[]), Offs::Strided { n: 1, .. }));
    }
    #[test]
    fn combine_checks_bounds() {
        let a = [0i64, -1, 2];
        assert_eq!(combine_offsets(&[&a], &[3], &[10], 3).unwrap(), vec![0, 20, 20]);
        assert_eq!(combine_offsets(&[&[3i64][..]], &[3], &[1], 1), Err((0, 3)));
    }
    #[test]
    fn mask_compaction() {
        let src: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let mask: Vec<bool> = (0..10).map(|i| i % 3 == 0).collect();
        let mut out = vec![0f32; 4];
        // SAFETY: `src` has 10 elements at stride 1, `mask` 10 bools with 4 true, and `out` 4
        // elements of f32 (`esize` 4): the offsets and the output fit
        let n = unsafe { mask_select_rows(4, src.as_ptr() as *const u8, &Offs::Strided { n: 10, stride: 1 }, &mask, &Offs::Strided { n: 1, stride: 1 }, out.as_mut_ptr() as *mut u8) };
        assert_eq!((n, out), (4, vec![0.0, 3.0, 6.0, 9.0]));
        assert_eq!(nonzero_coords(&[false, true, true, false], &[2, 2]), vec![0, 1, 1, 0]);
    }
}
