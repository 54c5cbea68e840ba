//! Fills that depend on the position or a mask: arithmetic ranges (`arange`, `linspace`), the
//! zeroed triangles of `tril` / `triu`, and the in-place masked fill. (Constant fills are
//! `kernels::fill`; random ones are in `rng`.)

use crate::cpu::iter::{Plan, SendPtr};
use crate::cpu::{Element, PARALLEL_MIN};

/// `out[i] = start + i * step` for `n` contiguous elements.
///
/// # Safety
/// `out` must hold `n` elements of `T`.
pub unsafe fn arange<T: Element>(out: *mut T, n: usize, start: f64, step: f64) {
    for i in 0..n {
        *out.add(i) = T::from_f64(start + i as f64 * step);
    }
}

/// `n` evenly spaced values from `start` to `end` inclusive, evaluated from both ends as
/// PyTorch does, so that the last value is exactly `end`.
///
/// # Safety
/// `out` must hold `n` elements of `T`.
pub unsafe fn linspace<T: Element>(out: *mut T, n: usize, start: f64, end: f64) {
    let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
    let half = n / 2;
    for i in 0..n {
        let v = if i < half || n == 1 { start + step * i as f64 } else { end - step * (n - 1 - i) as f64 };
        *out.add(i) = T::from_f64(v);
    }
}

/// Zeros the part of each `rows x cols` matrix of a contiguous batch of `mats` that
/// `tril(diagonal)` (`lower`) or `triu(diagonal)` drops: tril keeps `j <= i + diagonal`,
/// triu keeps `j >= i + diagonal`.
///
/// # Safety
/// `base` must hold `mats * rows * cols` elements of `T`.
pub unsafe fn zero_triangle<T: Element>(base: *mut u8, mats: usize, rows: usize, cols: usize, diagonal: isize, lower: bool) {
    let base = SendPtr(base);
    // SAFETY: `m < mats` and `i < rows`, `j < cols`, so every element written lies in the
    // `mats * rows * cols` elements of `T` `zero_triangle`'s caller guarantees at `base`; each task
    // zeros its own matrix `m`.
    let zero_mat = |m: usize| unsafe {
        let p = (base.get() as *mut T).add(m * rows * cols);
        for i in 0..rows {
            let row = p.add(i * cols);
            let edge = i as isize + diagonal;
            if lower {
                let from = (edge + 1).clamp(0, cols as isize) as usize;
                for j in from..cols {
                    *row.add(j) = T::default();
                }
            } else {
                let to = edge.clamp(0, cols as isize) as usize;
                for j in 0..to {
                    *row.add(j) = T::default();
                }
            }
        }
    };
    if mats * rows * cols >= PARALLEL_MIN && mats > 1 {
        crate::cpu::par::for_each_task(mats, zero_mat);
    } else {
        (0..mats).for_each(zero_mat);
    }
}

/// `x = v` where the mask is true, in place. Plan operands: (x, mask as bool).
pub fn masked_fill<T: Copy + Send + Sync>(plan: &Plan<2>, v: T) {
    let st = plan.inner_strides();
    // SAFETY: the plan's operands are the live view `x` of `T`s and its mask of bools (the
    // backend's `masked_fill`); each run is `len` elements of each at the inner strides.
    // `Plan::run` gives each task its own elements of `x` (and keeps an `x` whose elements share
    // memory on one thread); the mask is only read.
    plan.run(|p, len| unsafe {
        let (mut o, mut m) = (p[0], p[1] as *const u8);
        if st[0] == std::mem::size_of::<T>() as isize && st[1] == 1 {
            // branchless, vectorisable
            let (o, m) = (o as *mut T, m as *const bool);
            for i in 0..len {
                let x = o.add(i);
                *x = if *m.add(i) { v } else { *x };
            }
            return;
        }
        for _ in 0..len {
            if *(m as *const bool) {
                *(o as *mut T) = v;
            }
            // wrapping: after the last element they may leave the views
            o = o.wrapping_offset(st[0]);
            m = m.wrapping_offset(st[1]);
        }
    });
}
