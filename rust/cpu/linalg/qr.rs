//! Householder QR (`geqrf` + `orgqr`): `A = Q R` with Q's columns orthonormal and R upper
//! triangular, R's diagonal signs as LAPACK's reflectors give them (`beta = -sign(alpha) ||x||`).

use super::{for_each_matrix, par_within, small, Mats, Real, Scratch};
use faer::linalg::householder;
use faer::linalg::qr::no_pivoting as hqr;
use faer::{Conj, Mat};

/// Matrices up to this many rows and columns use the hand-written kernel. Measured as
/// `lu::SMALL_LU`: hand-written / faer 0.3 at n = 4 and 8, 0.25-0.6 at 12 and 16, 0.75-0.86 at
/// 24, 1.1 at 32.
pub const SMALL_QR: usize = 24;

/// Factors each `m x n` matrix of `a`: R (its first `r.rows` rows: k = min(m, n), or m for the
/// complete factorization) into `r`, and, when given, Q's first `q.cols` columns (k, or m)
/// into `q`.
pub fn qr<T: Real>(a: &Mats<T>, q: Option<&Mats<T>>, r: &Mats<T>) {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    let qcols = q.map_or(0, |q| q.cols);
    let count = a.count();
    // SAFETY: called with the `b < count` of the per-matrix closures below; `i < r.rows`, `j < n`
    // are elements of `r`'s matrix `b`, fresh and written by this task only (the descriptors'
    // guarantees, module docs)
    let write_r = |b: usize, f: &dyn Fn(usize, usize) -> T| unsafe {
        for j in 0..n {
            for i in 0..r.rows {
                *r.at(b, i, j) = if i <= j && i < k { f(i, j) } else { T::ZERO };
            }
        }
    };
    let flops = 2 * m * n * k + 2 * m * qcols * k;
    if (m <= SMALL_QR && n <= SMALL_QR) || k == 0 {
        for_each_matrix(
            count,
            flops,
            || (vec![T::ZERO; m * n], vec![T::ZERO; k], vec![T::ZERO; m * qcols]),
            // SAFETY: the descriptors' guarantees (module docs): `a` is read; `q`'s matrix `b` is
            // fresh and written by this task only
            |b, (f, tau, qb)| unsafe {
                a.gather(b, f);
                small::qr(f, m, n, tau);
                write_r(b, &|i, j| f[j * m + i]);
                if let Some(q) = q {
                    qb.iter_mut().for_each(|x| *x = T::ZERO);
                    for i in 0..qcols.min(m) {
                        qb[i * m + i] = T::ONE;
                    }
                    small::apply_q(f, m, tau, qb, qcols);
                    q.scatter(b, qb);
                }
            },
        );
        return;
    }
    let par = par_within(count, k);
    let bs = hqr::factor::recommended_block_size::<T>(m, n);
    let req = hqr::factor::qr_in_place_scratch::<T>(m, n, bs, par, Default::default())
        .or(householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<T>(m, bs, qcols.max(1)));
    for_each_matrix(
        count,
        flops,
        || (Scratch::new(req), Mat::<T>::zeros(m, n), Mat::<T>::zeros(bs, k)),
        // SAFETY: the descriptors' guarantees (module docs): `a` is read into the owned `f`; `q` is
        // fresh, so `qm` is the only view of its matrix `b`
        |b, (scratch, f, hf)| unsafe {
            f.copy_from(a.mat(b));
            hqr::factor::qr_in_place(f.as_mut(), hf.as_mut(), par, scratch.stack(), Default::default());
            write_r(b, &|i, j| f[(i, j)]);
            if let Some(q) = q {
                let mut qm = q.mat_mut(b);
                qm.fill(T::ZERO);
                for i in 0..qcols.min(m) {
                    qm[(i, i)] = T::ONE;
                }
                householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(f.as_ref(), hf.as_ref(), Conj::No, qm, par, scratch.stack());
            }
        },
    );
}
