//! Scans along one dim (cumsum, cumprod, cummax, cummin) and the gather /
//! scatter-add along a dim that their gradients (and max(dim)'s) use.
//!
//! All kernels see contiguous data viewed as `[outer, n, inner]` with the scanned
//! dim in the middle. For `inner > 1` a whole row of `inner` elements is combined
//! with the previous row at a time (vectorised); `inner == 1` walks each line.

use crate::cpu::iter::SendPtr;
use crate::cpu::reduce::{Arith, Bounded};
use crate::cpu::PARALLEL_MIN;
use crate::dtype::DType;
use crate::kinds::ScanOp;

/// Columns per task when a scan is split across threads.
const INNER_BLOCK: usize = 1024;

/// Runs `f(o, j0, j1)` for every outer index and block of inner columns, in parallel when large.
fn for_tasks(outer: usize, n: usize, inner: usize, f: impl Fn(usize, usize, usize) + Sync) {
    let blocks = inner.div_ceil(INNER_BLOCK).max(1);
    let tasks = outer * blocks;
    let run = |t: usize| {
        let o = t / blocks;
        let b = t % blocks;
        let j0 = b * INNER_BLOCK;
        f(o, j0, (j0 + INNER_BLOCK).min(inner));
    };
    let threads = crate::cpu::par::threads();
    if tasks > 1 && outer * n * inner >= PARALLEL_MIN && threads > 1 {
        // groups of tasks, about four per thread
        let per = (tasks / (threads * 4)).max(1);
        crate::cpu::par::for_each_task(tasks.div_ceil(per), |g| (g * per..((g + 1) * per).min(tasks)).for_each(run));
    } else {
        (0..tasks).for_each(run);
    }
}

/// Cumulative sum (`prod == false`) or product along the middle dim.
///
/// # Safety
/// `x` and `out` must hold `outer * n * inner` contiguous elements of `T`.
pub unsafe fn scan_arith<T: Arith>(x: SendPtr, out: SendPtr, outer: usize, n: usize, inner: usize, prod: bool) {
    let op = move |a: T, b: T| if prod { a.mul(b) } else { a.add(b) };
    for_tasks(outer, n, inner, |o, j0, j1| {
        let xs = x.get() as *const T;
        let os = out.get() as *mut T;
        let base = o * n * inner;
        if inner == 1 {
            let mut acc = if prod { T::one() } else { T::zero() };
            for i in 0..n {
                acc = op(acc, *xs.add(base + i));
                *os.add(base + i) = acc;
            }
            return;
        }
        if n == 0 {
            return;
        }
        for j in j0..j1 {
            *os.add(base + j) = *xs.add(base + j);
        }
        for i in 1..n {
            let prev = os.add(base + (i - 1) * inner) as *const T;
            let cur = os.add(base + i * inner);
            let xr = xs.add(base + i * inner);
            for j in j0..j1 {
                *cur.add(j) = op(*prev.add(j), *xr.add(j));
            }
        }
    });
}

/// `scan_arith` for float32 with float64 running values, each output rounded once (as
/// PyTorch: a float32 cumsum / cumprod whose partial results leave float32's range, or
/// lose its precision, still ends where the float64 one does).
///
/// # Safety
/// `x` and `out` must hold `outer * n * inner` contiguous `f32`s.
pub unsafe fn scan_arith_f32_wide(x: SendPtr, out: SendPtr, outer: usize, n: usize, inner: usize, prod: bool) {
    let init = if prod { 1.0f64 } else { 0.0 };
    for_tasks(outer, n, inner, |o, j0, j1| {
        let xs = x.get() as *const f32;
        let os = out.get() as *mut f32;
        let base = o * n * inner;
        if inner == 1 {
            // along the last dim: one running value over a contiguous row (the per-element
            // accumulator loop below costs 3x here)
            let (xr, or) = (std::slice::from_raw_parts(xs.add(base), n), std::slice::from_raw_parts_mut(os.add(base), n));
            let mut a = init;
            if prod {
                for (o, &v) in or.iter_mut().zip(xr) {
                    a *= v as f64;
                    *o = a as f32;
                }
            } else {
                for (o, &v) in or.iter_mut().zip(xr) {
                    a += v as f64;
                    *o = a as f32;
                }
            }
            return;
        }
        let mut acc = vec![init; j1 - j0];
        for i in 0..n {
            let row = base + i * inner;
            for (k, a) in acc.iter_mut().enumerate() {
                let v = *xs.add(row + j0 + k) as f64;
                *a = if prod { *a * v } else { *a + v };
                *os.add(row + j0 + k) = *a as f32;
            }
        }
    });
}

/// The running max (`MAX`) or min with its index; ties and NaNs move the index
/// to the latest position, as PyTorch's cummax/cummin.
#[inline(always)]
fn cum_takes<T: Bounded, const MAX: bool>(x: T, cur: T) -> bool {
    x.is_nan() || (!cur.is_nan() && if MAX { x >= cur } else { x <= cur })
}

/// Cumulative max / min with indices along the middle dim.
///
/// # Safety
/// `x` and `vals` must hold `outer * n * inner` elements of `T`, `idx` as many i64.
pub unsafe fn scan_extreme<T: Bounded, const MAX: bool>(x: SendPtr, vals: SendPtr, idx: SendPtr, outer: usize, n: usize, inner: usize) {
    for_tasks(outer, n, inner, |o, j0, j1| {
        let xs = x.get() as *const T;
        let vs = vals.get() as *mut T;
        let is = idx.get() as *mut i64;
        let base = o * n * inner;
        if n == 0 {
            return;
        }
        for j in j0..j1 {
            *vs.add(base + j) = *xs.add(base + j);
            *is.add(base + j) = 0;
        }
        for i in 1..n {
            let p = base + (i - 1) * inner;
            let c = base + i * inner;
            for j in j0..j1 {
                let v = *xs.add(c + j);
                let cur = *vs.add(p + j);
                if cum_takes::<T, MAX>(v, cur) {
                    *vs.add(c + j) = v;
                    *is.add(c + j) = i as i64;
                } else {
                    *vs.add(c + j) = cur;
                    *is.add(c + j) = *is.add(p + j);
                }
            }
        }
    });
}


/// Runs scan `op` over contiguous `[outer, n, inner]` data of `dtype` (the CPU arm of
/// `backend::scan`): `Sum`/`Prod` write `out`; `Max`/`Min` write values to `out` and int64
/// indices to `idx`. Returns false when `op` has no kernel for `dtype` (sums and products of
/// bool run in int64, converted by the ops layer).
///
/// # Safety
/// `x` and `out` must hold `outer * n * inner` contiguous elements of `dtype`, `idx` as many
/// i64 for `Max`/`Min`.
// a kernel entry point: the op, the dtype, three buffers and the `[outer, n, inner]` shape
#[allow(clippy::too_many_arguments)]
pub unsafe fn scan_op(op: ScanOp, dtype: DType, x: SendPtr, out: SendPtr, idx: SendPtr, outer: usize, n: usize, inner: usize) -> bool {
    match op {
        ScanOp::Sum | ScanOp::Prod => {
            let prod = op == ScanOp::Prod;
            match dtype {
                // float64 running values, as PyTorch
                DType::F32 => scan_arith_f32_wide(x, out, outer, n, inner, prod),
                DType::F64 => scan_arith::<f64>(x, out, outer, n, inner, prod),
                DType::I64 => scan_arith::<i64>(x, out, outer, n, inner, prod),
                DType::I32 => scan_arith::<i32>(x, out, outer, n, inner, prod),
                DType::Bool => return false,
            }
        }
        ScanOp::Max => crate::dispatch_dtype!(dtype, T => scan_extreme::<T, true>(x, out, idx, outer, n, inner)),
        ScanOp::Min => crate::dispatch_dtype!(dtype, T => scan_extreme::<T, false>(x, out, idx, outer, n, inner)),
    }
    true
}

/// cumprod's gradient along the middle dim of contiguous `[outer, n, inner]` float64 data,
/// exact when some inputs are zero: for position `k` of a line whose first zero is at `z`,
/// `k < z` gets `(sum_{i >= k} g_i out_i) / x_k` (where `out_i` is 0 from `z` on), `k == z`
/// gets `sum_{i >= z} g_i prod_{j <= i, j != z} x_j`, and `k > z` gets 0.
///
/// # Safety
/// `x`, `g` and `out` must hold `outer * n * inner` contiguous f64.
pub unsafe fn cumprod_backward(x: *const f64, g: *const f64, out: *mut f64, outer: usize, n: usize, inner: usize) {
    if outer * n * inner == 0 {
        return;
    }
    let xs = std::slice::from_raw_parts(x, outer * n * inner);
    let gs = std::slice::from_raw_parts(g, outer * n * inner);
    let out = std::slice::from_raw_parts_mut(out, outer * n * inner);
    out.fill(0.0);
    let mut outs = vec![0.0; n];
    for o in 0..outer {
        for j in 0..inner {
            let at = |i: usize| (o * n + i) * inner + j;
            let z = (0..n).find(|&i| xs[at(i)] == 0.0).unwrap_or(n);
            let mut prefix = 1.0;
            outs.iter_mut().for_each(|v| *v = 0.0);
            for i in 0..z {
                prefix *= xs[at(i)];
                outs[i] = prefix;
            }
            let mut tail = 0.0;
            for k in (0..z).rev() {
                tail += gs[at(k)] * outs[k];
                out[at(k)] = tail / xs[at(k)];
            }
            if z < n {
                let mut running = if z == 0 { 1.0 } else { outs[z - 1] };
                let mut acc = gs[at(z)] * running;
                for i in z + 1..n {
                    running *= xs[at(i)];
                    acc += gs[at(i)] * running;
                }
                out[at(z)] = acc;
            }
        }
    }
}
