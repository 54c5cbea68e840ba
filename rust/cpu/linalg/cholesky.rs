//! Cholesky factorization `A = L L^T` (LAPACK's `potrf` conventions: the lower triangle is
//! read, `info` is the order of the first leading minor that is not positive definite),
//! solves with the factor (`potrs`) and the inverse from the factor (`potri`).

use super::{for_each_matrix, par_within, small, Mats, Real, Scratch, Vecs};
use faer::linalg::cholesky::llt;

/// Matrices up to this size use the hand-written kernels (`cholesky`, `cholesky_inverse`).
/// Measured as `lu::SMALL_LU`: hand-written / faer 0.46-0.6 at n = 4, 0.7 at 8, 0.9 at 12,
/// 1.1-1.2 at 16. (`cholesky_solve` has no hand-written path: two triangular solves in faer
/// were as fast or faster at every size measured, 1.0-1.6.)
pub const SMALL_CHOL: usize = 12;

/// Zeroes the strict upper triangle of matrix `b` of `l`.
unsafe fn zero_upper<T: Real>(l: &Mats<T>, b: usize) {
    for j in 1..l.cols {
        for i in 0..j.min(l.rows) {
            *l.at(b, i, j) = T::ZERO;
        }
    }
}

/// Factors each symmetric matrix of `a` (its lower triangle) into `l` (lower triangular, the
/// strict upper triangle zeroed) and writes `info`: 0, or the order of the first leading
/// minor that is not positive definite (the factorization then stops there, as LAPACK's).
pub fn cholesky<T: Real>(a: &Mats<T>, l: &Mats<T>, info: &Vecs<i32>) {
    let n = a.rows;
    let count = a.count();
    // SAFETY: called with the `b < count` of the per-matrix closures below: the descriptors'
    // guarantees (module docs) make `a`'s matrix `b` readable and `l`'s matrix `b` and `info`'s
    // value `b` writable, by this task only
    let lapack_way = |b: usize, buf: &mut [T]| unsafe {
        a.gather(b, buf);
        let code = small::cholesky(buf, n);
        l.scatter(b, buf);
        zero_upper(l, b);
        info.set(b, 0, code);
    };
    if n <= SMALL_CHOL {
        for_each_matrix(count, n * n * n / 3, || vec![T::ZERO; n * n], |b, buf| lapack_way(b, buf));
        return;
    }
    let par = par_within(count, n);
    let req = llt::factor::cholesky_in_place_scratch::<T>(n, par, Default::default());
    for_each_matrix(
        count,
        n * n * n / 3,
        || Scratch::new(req),
        // SAFETY: the descriptors' guarantees (module docs): `l` is fresh, so `f` is the only view
        // of its matrix `b` (its last use is the factorization; `zero_upper` and the redo come
        // after), and `a` is only read
        |b, scratch| unsafe {
            let mut f = l.mat_mut(b);
            f.copy_from(a.mat(b));
            match llt::factor::cholesky_in_place(f.as_mut(), Default::default(), par, scratch.stack(), Default::default()) {
                Ok(_) => {
                    zero_upper(l, b);
                    info.set(b, 0, 0);
                }
                // not positive definite: redo the LAPACK way for its `info` and partial factor
                Err(_) => lapack_way(b, &mut vec![T::ZERO; n * n]),
            }
        },
    );
}

/// Solves `L L^T X = B` for each batch element (`l` lower triangular n x n, only its lower
/// triangle read), writing `x` (n x k) from `b`.
pub fn cholesky_solve<T: Real>(l: &Mats<T>, b: &Mats<T>, x: &Mats<T>) {
    let n = l.rows;
    let k = b.cols;
    let count = b.count();
    let par = par_within(count, n);
    for_each_matrix(
        count,
        2 * n * n * k.max(1),
        || Scratch::new(llt::solve::solve_in_place_scratch::<T>(n, k, par)),
        // SAFETY: the descriptors' guarantees (module docs): `x` is fresh, so `out` is the only
        // view of its matrix `bi` and aliases neither `l` nor `b`, which are only read
        |bi, scratch| unsafe {
            let mut out = x.mat_mut(bi);
            out.copy_from(b.mat(bi));
            llt::solve::solve_in_place(l.mat(bi), out, par, scratch.stack());
        },
    );
}

/// `(L L^T)^-1` for each lower-triangular `l` (only its lower triangle read) into `out`
/// (symmetric, both triangles written).
pub fn cholesky_inverse<T: Real>(l: &Mats<T>, out: &Mats<T>) {
    let n = l.rows;
    let count = l.count();
    if n <= SMALL_CHOL {
        for_each_matrix(
            count,
            n * n * n,
            || (vec![T::ZERO; n * n], vec![T::ZERO; n * n]),
            // SAFETY: the descriptors' guarantees (module docs): `l`'s matrix `b` is read, `out`'s
            // matrix `b` written by this task only
            |b, (f, x)| unsafe {
                l.gather(b, f);
                x.iter_mut().for_each(|v| *v = T::ZERO);
                for i in 0..n {
                    x[i * n + i] = T::ONE;
                }
                small::tri_solve(f, n, x, n, false, false, false);
                small::tri_solve(f, n, x, n, false, true, false);
                out.scatter(b, x);
            },
        );
        return;
    }
    let par = par_within(count, n);
    for_each_matrix(
        count,
        n * n * n,
        || Scratch::new(llt::inverse::inverse_scratch::<T>(n, par)),
        // SAFETY: the descriptors' guarantees (module docs): `out` is fresh, so its mutable view is
        // the only one of matrix `b` while faer writes it (then `i, j < n` elements are mirrored),
        // and `l` is only read
        |b, scratch| unsafe {
            // faer writes the lower triangle: mirror it
            llt::inverse::inverse(out.mat_mut(b), l.mat(b), par, scratch.stack());
            for j in 1..n {
                for i in 0..j {
                    *out.at(b, i, j) = *out.at(b, j, i);
                }
            }
        },
    );
}
