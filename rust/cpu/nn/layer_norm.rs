//! Layer normalisation over the last `n` elements of each of `rows` rows:
//! `y = (x - mean) * rstd * w + b` with `rstd = 1 / sqrt(var + eps)` (biased variance).
//! Row statistics are accumulated in f64 (two passes), so float32 rows of any length keep
//! float32 accuracy.

use super::{tasks, NnFloat, Ptr};
use crate::cpu::par::for_each_task;

/// Rows per task.
fn grain(n: usize) -> usize {
    (1 << 14) / n.max(1) + 1
}

/// Forward: `y`, and each row's mean and rstd (what backward needs).
///
/// # Safety
/// `x` and `y` are `rows * n` contiguous elements, `w` and `b` (if any) `n`, `mean` and
/// `rstd` `rows` writable elements.
// a kernel entry point: one raw pointer per buffer it reads or writes, plus the sizes
#[allow(clippy::too_many_arguments)]
pub unsafe fn forward<T: NnFloat>(x: *const T, w: Option<*const T>, b: Option<*const T>, rows: usize, n: usize, eps: f64, y: *mut T, mean: *mut T, rstd: *mut T) {
    let (xp, yp, mp, rp) = (Ptr(x as *mut T), Ptr(y), Ptr(mean), Ptr(rstd));
    let (wp, bp) = (w.map(|p| Ptr(p as *mut T)), b.map(|p| Ptr(p as *mut T)));
    let g = grain(n);
    let work = |task: usize| {
        for i in task * g..((task + 1) * g).min(rows) {
            let row = std::slice::from_raw_parts(xp.get().add(i * n) as *const T, n);
            let out = std::slice::from_raw_parts_mut(yp.get().add(i * n), n);
            let mu = row.iter().map(|v| v.to_f64()).sum::<f64>() / n as f64;
            let var = row.iter().map(|v| (v.to_f64() - mu) * (v.to_f64() - mu)).sum::<f64>() / n as f64;
            let rs = 1.0 / (var + eps).sqrt();
            *mp.get().add(i) = T::from_f64(mu);
            *rp.get().add(i) = T::from_f64(rs);
            let (m, r) = (T::from_f64(mu), T::from_f64(rs));
            match (wp, bp) {
                (Some(w), Some(b)) => {
                    let w = std::slice::from_raw_parts(w.get() as *const T, n);
                    let b = std::slice::from_raw_parts(b.get() as *const T, n);
                    for j in 0..n {
                        out[j] = (row[j] - m) * r * w[j] + b[j];
                    }
                }
                (Some(w), None) => {
                    let w = std::slice::from_raw_parts(w.get() as *const T, n);
                    for j in 0..n {
                        out[j] = (row[j] - m) * r * w[j];
                    }
                }
                (None, Some(b)) => {
                    let b = std::slice::from_raw_parts(b.get() as *const T, n);
                    for j in 0..n {
                        out[j] = (row[j] - m) * r + b[j];
                    }
                }
                (None, None) => {
                    for j in 0..n {
                        out[j] = (row[j] - m) * r;
                    }
                }
            }
        }
    };
    let nt = tasks(rows, g);
    if rows * n >= crate::cpu::PARALLEL_MIN {
        for_each_task(nt, work);
    } else {
        (0..nt).for_each(work);
    }
}

/// Backward: `dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))` with `gw = g * w`,
/// `xhat = (x - mean) * rstd`; `dw = sum over rows of g * xhat`, `db = sum of g`.
///
/// # Safety
/// `g`, `x` and `dx` are `rows * n` contiguous elements, `mean`/`rstd` `rows` (from
/// [`forward`]), `w`, `dw` and `db` (if any) `n`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn backward<T: NnFloat>(g: *const T, x: *const T, mean: *const T, rstd: *const T, w: Option<*const T>, rows: usize, n: usize, dx: *mut T, dw: Option<*mut T>, db: Option<*mut T>) {
    let (gp, xp, mp, rp, dp) = (Ptr(g as *mut T), Ptr(x as *mut T), Ptr(mean as *mut T), Ptr(rstd as *mut T), Ptr(dx));
    let wp = w.map(|p| Ptr(p as *mut T));
    let gr = grain(n);
    let nt = tasks(rows, gr);
    let want_params = dw.is_some() || db.is_some();
    // per task partial sums of dw and db (f64), added up at the end
    let partial: Vec<parking_lot::Mutex<(Vec<f64>, Vec<f64>)>> =
        (0..nt).map(|_| parking_lot::Mutex::new((Vec::new(), Vec::new()))).collect();
    let work = |task: usize| {
        let mut pdw = if want_params { vec![0.0f64; n] } else { Vec::new() };
        let mut pdb = if want_params { vec![0.0f64; n] } else { Vec::new() };
        let mut gw = vec![T::ZERO; n];
        for i in task * gr..((task + 1) * gr).min(rows) {
            let row = std::slice::from_raw_parts(xp.get().add(i * n) as *const T, n);
            let gr_ = std::slice::from_raw_parts(gp.get().add(i * n) as *const T, n);
            let out = std::slice::from_raw_parts_mut(dp.get().add(i * n), n);
            let (m, r) = (*mp.get().add(i), *rp.get().add(i));
            match wp {
                Some(w) => {
                    let w = std::slice::from_raw_parts(w.get() as *const T, n);
                    for j in 0..n {
                        gw[j] = gr_[j] * w[j];
                    }
                }
                None => gw.copy_from_slice(gr_),
            }
            let mut s1 = 0.0f64;
            let mut s2 = 0.0f64;
            for j in 0..n {
                let xh = (row[j] - m) * r;
                s1 += gw[j].to_f64();
                s2 += (gw[j] * xh).to_f64();
                if want_params {
                    pdw[j] += (gr_[j] * xh).to_f64();
                    pdb[j] += gr_[j].to_f64();
                }
            }
            let (a, c) = (T::from_f64(s1 / n as f64), T::from_f64(s2 / n as f64));
            for j in 0..n {
                let xh = (row[j] - m) * r;
                out[j] = r * (gw[j] - a - xh * c);
            }
        }
        *partial[task].lock() = (pdw, pdb);
    };
    if rows * n >= crate::cpu::PARALLEL_MIN {
        for_each_task(nt, work);
    } else {
        (0..nt).for_each(work);
    }
    if want_params {
        let mut sw = vec![0.0f64; n];
        let mut sb = vec![0.0f64; n];
        for p in &partial {
            let p = p.lock();
            for j in 0..n {
                sw[j] += p.0[j];
                sb[j] += p.1[j];
            }
        }
        if let Some(dw) = dw {
            for (j, v) in sw.iter().enumerate() {
                *dw.add(j) = T::from_f64(*v);
            }
        }
        if let Some(db) = db {
            for (j, v) in sb.iter().enumerate() {
                *db.add(j) = T::from_f64(*v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backward_matches_finite_differences() {
        let (rows, n) = (2, 5);
        let x: Vec<f64> = vec![0.3, -1.2, 2.0, 0.7, 0.1, 1.0, 4.0, -2.0, 0.5, 0.0];
        let w: Vec<f64> = vec![1.0, 0.5, -1.0, 2.0, 1.5];
        let g: Vec<f64> = vec![0.2, -0.4, 1.0, 0.3, -0.1, 0.5, 0.5, -1.0, 0.0, 2.0];
        let loss = |x: &[f64]| -> f64 {
            let (mut y, mut m, mut r) = (vec![0.0; rows * n], vec![0.0; rows], vec![0.0; rows]);
            // SAFETY: `x` (the perturbed copy) and `y` hold `rows * n` f64, `w` `n`, `m` and `r`
            // `rows`; no bias
            unsafe { forward(x.as_ptr(), Some(w.as_ptr()), None, rows, n, 1e-5, y.as_mut_ptr(), m.as_mut_ptr(), r.as_mut_ptr()) };
            y.iter().zip(&g).map(|(a, b)| a * b).sum()
        };
        let (mut y, mut m, mut r) = (vec![0.0; rows * n], vec![0.0; rows], vec![0.0; rows]);
        // SAFETY: `x` and `y` hold `rows * n` f64, `w` `n`, `m` and `r` `rows`; no bias
        unsafe { forward(x.as_ptr(), Some(w.as_ptr()), None, rows, n, 1e-5, y.as_mut_ptr(), m.as_mut_ptr(), r.as_mut_ptr()) };
        let (mut dx, mut dw) = (vec![0.0; rows * n], vec![0.0; n]);
        // SAFETY: `g`, `x` and `dx` hold `rows * n` f64, `m` and `r` `rows` (from `forward`), `w`
        // and `dw` `n`; no bias gradient
        unsafe { backward(g.as_ptr(), x.as_ptr(), m.as_ptr(), r.as_ptr(), Some(w.as_ptr()), rows, n, dx.as_mut_ptr(), Some(dw.as_mut_ptr()), None) };
        for i in 0..rows * n {
            let (mut a, mut b) = (x.clone(), x.clone());
            a[i] += 1e-6;
            b[i] -= 1e-6;
            let fd = (loss(&a) - loss(&b)) / 2e-6;
            assert!((dx[i] - fd).abs() < 1e-6, "dx[{i}] = {} vs {fd}", dx[i]);
        }
        // dw_j = sum over rows of g * xhat
        for j in 0..n {
            let want: f64 = (0..rows).map(|i| g[i * n + j] * (x[i * n + j] - m[i]) * r[i]).sum();
            assert!((dw[j] - want).abs() < 1e-12);
        }
    }
}
