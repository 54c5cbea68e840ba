//! Cross entropy of logits at class indices: log-softmax and the negative log-likelihood in
//! one pass over each row, with class weights, an ignored index and label smoothing.
//!
//! Per row i with target t (not ignored), logsumexp `lse`, class weights w (all 1 without):
//! `loss_i = (1 - e) * w_t * (lse - x_t) + (e / C) * sum_c w_c * (lse - x_c)`, and
//! `d loss_i / d x_c = a * p_c - (e / C) * w_c - (1 - e) * w_t * [c == t]` with
//! `p_c = exp(x_c - lse)`, `a = (1 - e) * w_t + (e / C) * sum_c w_c`.

use crate::cpu::simd::Elem;
use super::{tasks, NnFloat, Ptr};
use crate::cpu::par::for_each_task;
use std::sync::atomic::{AtomicI64, Ordering};

/// Shape and options of one cross-entropy call.
#[derive(Clone, Copy)]
pub struct Ce {
    /// Rows of the logits (samples); each is one prediction over `classes`.
    pub rows: usize,
    /// Classes per row (the logits' last dim).
    pub classes: usize,
    /// A target equal to this contributes no loss and no gradient, and its weight stays out of the
    /// mean's divisor.
    pub ignore_index: i64,
    /// Label smoothing in [0, 1]: the target distribution is `1 - smoothing` on the class plus
    /// `smoothing / classes` on every class.
    pub smoothing: f64,
}

/// Rows per task: enough work per task to pay for a thread.
fn grain(classes: usize) -> usize {
    (1 << 14) / classes.max(1) + 1
}

/// `max` then `log(sum(exp(x - max))) + max` of one row.
#[inline]
fn logsumexp<T: NnFloat>(row: &[T]) -> T {
    let mut m = T::NEG_INF;
    for &v in row {
        if v > m || Elem::is_nan(v) {
            m = v;
        }
    }
    if Elem::is_nan(m) || m == T::NEG_INF {
        return m; // NaN row, or every logit -inf
    }
    let mut s = T::ZERO;
    for &v in row {
        s += Elem::exp(v - m);
    }
    s.ln() + m
}

/// Forward: writes each row's loss (0 for ignored rows) and logsumexp; returns the sum of the
/// targets' weights over the rows not ignored (the mean's divisor), or `Err(t)` for the first
/// target found outside `0..classes`.
///
/// # Safety
/// `x` is `rows * classes` contiguous, `target` `rows`, `weight` (if any) `classes`, `loss` and
/// `lse` `rows` writable elements.
pub unsafe fn forward<T: NnFloat>(x: *const T, target: *const i64, weight: Option<*const T>, ce: Ce, loss: *mut T, lse: *mut T) -> Result<f64, i64> {
    let Ce { rows, classes, ignore_index, smoothing } = ce;
    let bad = AtomicI64::new(i64::MIN);
    let (xp, tp, lp, sp) = (Ptr(x as *mut T), Ptr(target as *mut i64), Ptr(loss), Ptr(lse));
    let wp = weight.map(|w| Ptr(w as *mut T));
    let g = grain(classes);
    let n_tasks = tasks(rows, g);
    let partial: Vec<parking_lot::Mutex<f64>> = (0..n_tasks).map(|_| parking_lot::Mutex::new(0.0)).collect();
    let work = |task: usize| {
        let mut denom = 0.0f64;
        for i in task * g..((task + 1) * g).min(rows) {
            let row = std::slice::from_raw_parts(xp.get().add(i * classes) as *const T, classes);
            let l = logsumexp(row);
            *sp.get().add(i) = l;
            let t = *tp.get().add(i);
            if t == ignore_index {
                *lp.get().add(i) = T::ZERO;
                continue;
            }
            if t < 0 || t as usize >= classes {
                bad.compare_exchange(i64::MIN, t, Ordering::Relaxed, Ordering::Relaxed).ok();
                continue;
            }
            let wt = wp.map_or(1.0, |w| (*w.get().add(t as usize)).to_f64());
            denom += wt;
            let mut v = (1.0 - smoothing) * wt * (l - row[t as usize]).to_f64();
            if smoothing > 0.0 {
                // sum_c w_c * (lse - x_c)
                let mut s = 0.0f64;
                for (c, &xc) in row.iter().enumerate() {
                    let wc = wp.map_or(1.0, |w| (*w.get().add(c)).to_f64());
                    s += wc * (l - xc).to_f64();
                }
                v += smoothing / classes as f64 * s;
            }
            *lp.get().add(i) = T::from_f64(v);
        }
        *partial[task].lock() = denom;
    };
    if rows * classes >= crate::cpu::PARALLEL_MIN {
        for_each_task(n_tasks, work);
    } else {
        (0..n_tasks).for_each(work);
    }
    match bad.load(Ordering::Relaxed) {
        i64::MIN => Ok(partial.iter().map(|p| *p.lock()).sum()),
        t => Err(t),
    }
}

/// Backward: `dx = dloss_i / dx` scaled by `gscale[i * gs_stride]` (0 on ignored rows).
///
/// # Safety
/// As [`forward`], plus `lse` from it, `gscale` readable at `i * gs_stride` for every row and
/// `dx` `rows * classes` writable elements.
// a kernel entry point: one raw pointer per buffer it reads or writes (and the row scale's
// stride); a struct of them would only move the list to every caller
#[allow(clippy::too_many_arguments)]
pub unsafe fn backward<T: NnFloat>(x: *const T, target: *const i64, weight: Option<*const T>, lse: *const T, gscale: *const T, gs_stride: usize, ce: Ce, dx: *mut T) {
    let Ce { rows, classes, ignore_index, smoothing } = ce;
    let e = T::from_f64(smoothing);
    let e_over_c = T::from_f64(smoothing / classes as f64);
    let w_sum = match weight {
        Some(w) => T::from_f64((0..classes).map(|c| (*w.add(c)).to_f64()).sum()),
        None => T::from_f64(classes as f64),
    };
    let (xp, tp, lp, gp, dp) = (Ptr(x as *mut T), Ptr(target as *mut i64), Ptr(lse as *mut T), Ptr(gscale as *mut T), Ptr(dx));
    let wp = weight.map(|w| Ptr(w as *mut T));
    let g = grain(classes);
    let work = |task: usize| {
        for i in task * g..((task + 1) * g).min(rows) {
            let row = std::slice::from_raw_parts(xp.get().add(i * classes) as *const T, classes);
            let out = std::slice::from_raw_parts_mut(dp.get().add(i * classes), classes);
            let t = *tp.get().add(i);
            if t == ignore_index || t < 0 || t as usize >= classes {
                out.fill(T::ZERO);
                continue;
            }
            let t = t as usize;
            let gs = *gp.get().add(i * gs_stride);
            let l = *lp.get().add(i);
            let wt = wp.map_or(T::ONE, |w| *w.get().add(t));
            let a = ((T::ONE - e) * wt + e_over_c * w_sum) * gs;
            match wp {
                None => {
                    let shift = e_over_c * gs;
                    for (o, &xc) in out.iter_mut().zip(row) {
                        *o = a * Elem::exp(xc - l) - shift;
                    }
                }
                Some(w) => {
                    let w = std::slice::from_raw_parts(w.get() as *const T, classes);
                    let ecg = e_over_c * gs;
                    for ((o, &xc), &wc) in out.iter_mut().zip(row).zip(w) {
                        *o = a * Elem::exp(xc - l) - ecg * wc;
                    }
                }
            }
            out[t] = out[t] - (T::ONE - e) * wt * gs;
        }
    };
    let n_tasks = tasks(rows, g);
    if rows * classes >= crate::cpu::PARALLEL_MIN {
        for_each_task(n_tasks, work);
    } else {
        (0..n_tasks).for_each(work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_and_backward_match_the_formulas() {
        let (rows, classes) = (3, 4);
        let x: Vec<f64> = vec![0.5, -1.0, 2.0, 0.0, 1.0, 1.0, 1.0, 1.0, -3.0, 0.25, 0.5, 4.0];
        let target: Vec<i64> = vec![2, -100, 0];
        let w: Vec<f64> = vec![1.0, 2.0, 0.5, 1.5];
        let ce = Ce { rows, classes, ignore_index: -100, smoothing: 0.1 };
        let (mut loss, mut lse) = (vec![0.0; rows], vec![0.0; rows]);
        // SAFETY: `x` holds `rows * classes` f64, `target` `rows`, `w` `classes`, `loss` and `lse`
        // `rows`
        let denom = unsafe { forward(x.as_ptr(), target.as_ptr(), Some(w.as_ptr()), ce, loss.as_mut_ptr(), lse.as_mut_ptr()) }.unwrap();
        assert_eq!(denom, w[2] + w[0]);
        let wsum: f64 = w.iter().sum();
        for (i, &t) in target.iter().enumerate() {
            let row = &x[i * classes..(i + 1) * classes];
            let l = row.iter().map(|v| v.exp()).sum::<f64>().ln();
            assert!((lse[i] - l).abs() < 1e-12);
            if t < 0 {
                assert_eq!(loss[i], 0.0);
                continue;
            }
            let t = t as usize;
            let smooth: f64 = row.iter().zip(&w).map(|(v, wc)| wc * (l - v)).sum();
            let want = 0.9 * w[t] * (l - row[t]) + 0.1 / 4.0 * smooth;
            assert!((loss[i] - want).abs() < 1e-12);
            // backward with a unit scale: the derivative of `want` by each logit
            let gs = [1.0f64];
            let mut dx = vec![0.0; rows * classes];
            // SAFETY: as for `forward`, plus `lse` from it, one scale read at stride 0, and `dx` of
            // `rows * classes`
            unsafe { backward(x.as_ptr(), target.as_ptr(), Some(w.as_ptr()), lse.as_ptr(), gs.as_ptr(), 0, ce, dx.as_mut_ptr()) };
            for c in 0..classes {
                let p = (row[c] - l).exp();
                let d = 0.9 * w[t] * (p - if c == t { 1.0 } else { 0.0 }) + 0.1 / 4.0 * (wsum * p - w[c]);
                assert!((dx[i * classes + c] - d).abs() < 1e-12);
            }
        }
        let bad = [5i64, 0, 0];
        // SAFETY: the same buffers, `bad` holding `rows` targets, no weight
        assert_eq!(unsafe { forward(x.as_ptr(), bad.as_ptr(), None, ce, loss.as_mut_ptr(), lse.as_mut_ptr()) }, Err(5));
    }
}
