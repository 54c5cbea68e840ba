//! Scans along one dim (cumsum, cumprod, cummax, cummin) and the gather /
//! scatter-add along a dim that their gradients (and max(dim)'s) use.
//!
//! All kernels see contiguous data viewed as `[outer, n, inner]` with the scanned
//! dim in the middle. For `inner > 1` a whole row of `inner` elements is combined
//! with the previous row at a time (vectorised); `inner == 1` walks each line.

use crate::cpu::iter::SendPtr;
use crate::cpu::reduce::{Arith, Bounded};
use crate::cpu::PARALLEL_MIN;

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

