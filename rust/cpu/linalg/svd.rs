//! The singular value decomposition, dispatched by size: one-sided Jacobi
//! (`jacobi_svd.rs`) for tiny matrices, faer's bidiagonalization + divide and conquer
//! otherwise.

use super::jacobi_svd::{svd_one, SvdMode};
use super::{for_each_matrix, par_within, Mats, Real, Scratch, Vecs};
use faer::linalg::svd::{self as fsvd, ComputeSvdVectors};
use faer::{ColMut, Mat};

/// Matrices with `min(m, n)` up to this use Jacobi. Measured as `lu::SMALL_LU` (Jacobi / faer):
/// `svdvals` 0.5 at n = 2, 0.53-0.6 at 4 (1000 x 4x4), 0.86-1.07 at 8, 1.3-3.2 at 12;
/// `svd` 0.5-0.6 at 4, 0.67-0.88 at 8, 0.8-0.9 at 12, 1.1 at 16.
pub const SMALL_SVD: usize = 8;

/// Writes the SVD of each `m x n` matrix of `a`: the `k = min(m, n)` singular values
/// (descending) into `s`, and when given U (`m x u.cols`: k, or m for full matrices) into `u`
/// and Vh (`vh.rows x n`: k, or n) into `vh`. `info` gets 0, or 1 for a matrix holding a
/// NaN, 2 when the iteration did not converge (those outputs are NaN). A matrix with an
/// infinity but no NaN gives NaN outputs and info 0, as LAPACK.
pub fn svd<T: Real>(a: &Mats<T>, u: Option<&Mats<T>>, s: &Vecs<T>, vh: Option<&Mats<T>>, info: &Vecs<i32>) {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    let count = a.count();
    let (ucols, vhrows) = (u.map_or(0, |u| u.cols), vh.map_or(0, |v| v.rows));
    let vectors = u.is_some();
    let full = ucols == m && vhrows == n && (m != k || n != k);
    let nan = T::lit(f64::NAN);
    // SAFETY: called with the `b < count` of the per-matrix closures below: the descriptors'
    // guarantees (module docs) make `s`'s `k` values and `u` / `vh`'s matrices `b` writable, by
    // this task only
    let fill_nan = |b: usize| unsafe {
        for i in 0..k {
            s.set(b, i, nan);
        }
        for x in [u, vh].into_iter().flatten() {
            for j in 0..x.cols {
                for i in 0..x.rows {
                    *x.at(b, i, j) = nan;
                }
            }
        }
    };
    // 0: finite, 1: a NaN, 3: an infinity (no NaN)
    // SAFETY: called with the `b < count` of the per-matrix closures below; `i < m`, `j < n` are
    // elements of `a`'s live matrix `b`, only read
    let scan = |b: usize| unsafe {
        let mut code = 0;
        for j in 0..n {
            for i in 0..m {
                let x = *a.at(b, i, j);
                if x.is_nan() {
                    return 1;
                }
                if !x.is_finite() {
                    code = 3;
                }
            }
        }
        code
    };
    let flops = if vectors { 12 * m * n * k } else { 4 * m * n * k };
    // the Jacobi kernel works on row-major copies: gather A^T column-major, scatter U^T / V
    let (at, ut, vht) = (a.transposed(), u.map(|u| u.transposed()), vh.map(|v| v.transposed()));
    if k <= SMALL_SVD {
        let mode = if !vectors {
            SvdMode::Values
        } else if full {
            SvdMode::Full
        } else {
            SvdMode::Reduced
        };
        for_each_matrix(
            count,
            flops,
            || (vec![T::ZERO; m * n], vec![T::ZERO; m * ucols], vec![T::ZERO; k], vec![T::ZERO; vhrows * n]),
            // SAFETY: the descriptors' guarantees (module docs): `a` (read through its transpose)
            // and the fresh outputs `u`, `vh` (written through their transposes), `s` and `info`,
            // each at batch element `b`, written by this task only
            |b, (ab, ub, sb, vb)| unsafe {
                match scan(b) {
                    1 => {
                        fill_nan(b);
                        return info.set(b, 0, 1);
                    }
                    3 => {
                        fill_nan(b);
                        return info.set(b, 0, 0);
                    }
                    _ => {}
                }
                at.gather(b, ab);
                ub.iter_mut().chain(vb.iter_mut()).for_each(|x| *x = T::ZERO);
                svd_one(ab, m, n, mode, ub, sb, vb);
                for (i, &x) in sb.iter().enumerate() {
                    s.set(b, i, x);
                }
                if let (Some(ut), Some(vht)) = (&ut, &vht) {
                    ut.scatter(b, ub);
                    vht.scatter(b, vb);
                }
                info.set(b, 0, 0);
            },
        );
        return;
    }
    let par = par_within(count, k);
    let (cu, cv) = match (vectors, full) {
        (false, _) => (ComputeSvdVectors::No, ComputeSvdVectors::No),
        (true, false) => (ComputeSvdVectors::Thin, ComputeSvdVectors::Thin),
        (true, true) => (ComputeSvdVectors::Full, ComputeSvdVectors::Full),
    };
    let req = fsvd::svd_scratch::<T>(m, n, cu, cv, par, Default::default());
    // scale when squares of the entries could overflow or underflow (exactly: a power of 2)
    let (lo, hi) = if std::mem::size_of::<T>() == 4 { (2f64.powi(-40), 2f64.powi(40)) } else { (2f64.powi(-300), 2f64.powi(300)) };
    for_each_matrix(
        count,
        flops,
        || (Scratch::new(req), vec![T::ZERO; k], None::<Mat<T>>),
        // SAFETY: the descriptors' guarantees (module docs): `a` is read; `u` and `vh` are fresh,
        // so their mutable views are the only views of their matrices `b` while faer writes them;
        // `s` and `info` values `b` are this task's
        |b, (scratch, sb, tmp)| unsafe {
            match scan(b) {
                1 => {
                    fill_nan(b);
                    return info.set(b, 0, 1);
                }
                3 => {
                    fill_nan(b);
                    return info.set(b, 0, 0);
                }
                _ => {}
            }
            let src = a.mat(b);
            let amax = (0..n).flat_map(|j| (0..m).map(move |i| (i, j))).fold(0.0f64, |mx, (i, j)| mx.max(src[(i, j)].to_f64().abs()));
            let scale = if amax > 0.0 && !(lo..=hi).contains(&amax) { 2f64.powi(-(amax.log2().round() as i32)) } else { 1.0 };
            let input = if scale != 1.0 {
                let t = tmp.get_or_insert_with(|| Mat::zeros(m, n));
                let sc = T::lit(scale);
                for j in 0..n {
                    for i in 0..m {
                        t[(i, j)] = src[(i, j)] * sc;
                    }
                }
                t.as_ref()
            } else {
                src
            };
            let sv = ColMut::from_slice_mut(sb.as_mut_slice());
            // faer writes V; Vh's transposed view is V
            let v = vht.as_ref().map(|v| v.mat_mut(b));
            match fsvd::svd(input, sv.as_diagonal_mut(), u.map(|u| u.mat_mut(b)), v, par, scratch.stack(), Default::default()) {
                Ok(()) => {
                    let unscale = T::lit(1.0 / scale);
                    for (i, &x) in sb.iter().enumerate() {
                        s.set(b, i, if scale != 1.0 { x * unscale } else { x });
                    }
                    info.set(b, 0, 0);
                }
                Err(_) => {
                    fill_nan(b);
                    info.set(b, 0, 2);
                }
            }
        },
    );
}
