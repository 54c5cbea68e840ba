//! LU with partial pivoting (LAPACK's `getrf` conventions: 1-based row interchanges,
//! `info` = first zero pivot), solves with a factorization (`getrs`), and the inverse.

use super::{for_each_matrix, ipiv_to_perm, par_within, perm_to_ipiv, small, Mats, Real, Scratch, Vecs};
use faer::linalg::lu::partial_pivoting as plu;
use faer::perm::PermRef;
use faer::Mat;

/// Matrices with at most this many rows and columns use the hand-written kernels of
/// `small.rs`; larger ones faer's blocked LU. Measured on this machine (AMD EPYC, AVX-512; a
/// batch of 16000 / n^2 matrices, one interleaved run, hand-written / faer time):
/// `solve` 0.55 at n = 4, 0.64 at 8, 0.33 at 12, 0.43-0.72 at 16, 0.9 at 24, 1.0-1.7 at 32;
/// `det` 0.2-0.4 at 4, 0.6 at 8, 0.7 at 16, 1.0 at 24.
pub const SMALL_LU: usize = 16;

/// The same for `inverse` (LU, then solving for the identity): 0.42 at n = 4, 0.72 at 8,
/// 0.24-0.41 at 12, 1.1 at 16.
pub const SMALL_INV: usize = 12;

fn is_small(m: usize, n: usize) -> bool {
    m <= SMALL_LU && n <= SMALL_LU
}

/// Factors each `m x n` matrix of `a` into `lu` (same shape: unit-lower L below the diagonal,
/// U on and above it), the `min(m, n)` row interchanges into `piv` (1-based) and LAPACK's
/// `info` into `info` (0, or the 1-based index of the first zero on U's diagonal).
pub fn lu_factor<T: Real>(a: &Mats<T>, lu: &Mats<T>, piv: &Vecs<i32>, info: &Vecs<i32>) {
    let (m, n) = (a.rows, a.cols);
    let k = m.min(n);
    let count = a.count();
    if is_small(m, n) {
        for_each_matrix(
            count,
            m * n * k,
            || (vec![T::ZERO; m * n], vec![0i32; k]),
            // SAFETY: the descriptors' guarantees (module docs): `b < count` names a live matrix of
            // `a` (read) and of `lu` (written, by this task only), `j < k` a pivot of `piv`'s
            // vector `b` (its length is min(m, n)), and `info` holds one value per matrix
            |b, (buf, ipiv)| unsafe {
                a.gather(b, buf);
                let i = small::lu(buf, m, n, ipiv);
                lu.scatter(b, buf);
                for (j, &p) in ipiv.iter().enumerate() {
                    piv.set(b, j, p);
                }
                info.set(b, 0, i);
            },
        );
        return;
    }
    let par = par_within(count, k);
    let req = plu::factor::lu_in_place_scratch::<usize, T>(m, n, par, Default::default());
    for_each_matrix(
        count,
        m * n * k,
        || (Scratch::new(req), vec![0usize; m], vec![0usize; m], vec![0i32; k]),
        // SAFETY: the descriptors' guarantees (module docs): `lu`'s matrix `b` is fresh, distinct
        // elements written by this task only, so the one mutable view `f` is its only user until
        // the LAPACK-way redo, which comes after the last use of `f`; `a` is only read; `i < k`
        // lies on the diagonal; pivots and `info` as in the small path
        |b, (scratch, perm, perm_inv, ipiv)| unsafe {
            let mut f = lu.mat_mut(b);
            f.copy_from(a.mat(b));
            plu::factor::lu_in_place(f.as_mut(), perm, perm_inv, par, scratch.stack(), Default::default());
            let mut code = 0;
            if (0..k).any(|i| {
                let d = *lu.at(b, i, i);
                d == T::ZERO || d.is_nan()
            }) {
                // faer divides by a zero pivot (inf / NaN below it); LAPACK skips it: redo
                // this (singular or non-finite) matrix with the kernel that follows LAPACK
                let mut buf = vec![T::ZERO; m * n];
                a.gather(b, &mut buf);
                code = small::lu(&mut buf, m, n, ipiv);
                lu.scatter(b, &buf);
            } else {
                perm_to_ipiv(perm, ipiv);
            }
            for (j, &p) in ipiv.iter().enumerate() {
                piv.set(b, j, p);
            }
            info.set(b, 0, code);
        },
    );
}

/// Solves `A X = B` (or `A^T X = B` when `trans`) for each batch element, with `A`'s LU
/// factorization in `lu` (n x n) and `piv`, writing `x` (n x k) from `b`. Returns the first
/// batch element whose pivots are not valid interchanges (each in `i+1..=n`), if any.
pub fn lu_solve<T: Real>(lu: &Mats<T>, piv: &Vecs<i32>, b: &Mats<T>, x: &Mats<T>, trans: bool) -> Option<usize> {
    let n = lu.rows;
    let k = b.cols;
    let count = b.count();
    let bad = parking_lot::Mutex::new(None::<usize>);
    let note_bad = |bi: usize| {
        let mut g = bad.lock();
        *g = Some(g.map_or(bi, |o| o.min(bi)));
    };
    if n <= SMALL_LU {
        for_each_matrix(
            count,
            n * n * k.max(1),
            || (vec![T::ZERO; n * n], vec![T::ZERO; n * k], vec![0i32; n]),
            // SAFETY: the descriptors' guarantees (module docs): `bi < count`, `j < n` pivots of
            // `piv`'s vector (n of them for a square factorization); `lu` and `b` are read, `x`'s
            // matrix `bi` is written by this task only
            |bi, (f, rhs, ipiv)| unsafe {
                for (j, p) in ipiv.iter_mut().enumerate() {
                    *p = piv.get(bi, j);
                }
                if ipiv.iter().enumerate().any(|(j, &p)| p < j as i32 + 1 || p > n as i32) {
                    note_bad(bi);
                    return;
                }
                lu.gather(bi, f);
                b.gather(bi, rhs);
                small::lu_solve(f, n, ipiv, rhs, k, trans);
                x.scatter(bi, rhs);
            },
        );
    } else {
        let par = par_within(count, n);
        let req = plu::solve::solve_in_place_scratch::<usize, T>(n, k, par);
        for_each_matrix(
            count,
            n * n * k.max(1),
            || (Scratch::new(req), vec![0usize; n], vec![0usize; n], vec![0i32; n]),
            // SAFETY: the descriptors' guarantees (module docs) as in the small path; `perm` and
            // `perm_inv` are inverse permutations of 0..n when `ipiv_to_perm` returns true, which
            // `PermRef::new_unchecked` requires; `x` is fresh, so `out` is the only view of its
            // matrix `bi`, and it aliases neither `lu` nor `b`
            |bi, (scratch, perm, perm_inv, ipiv)| unsafe {
                for (j, p) in ipiv.iter_mut().enumerate() {
                    *p = piv.get(bi, j);
                }
                if !ipiv_to_perm(ipiv, perm, perm_inv) {
                    note_bad(bi);
                    return;
                }
                let p = PermRef::new_unchecked(perm, perm_inv, n);
                let f = lu.mat(bi);
                let mut out = x.mat_mut(bi);
                out.copy_from(b.mat(bi));
                if trans {
                    plu::solve::solve_transpose_in_place(f, f, p, out, par, scratch.stack());
                } else {
                    plu::solve::solve_in_place(f, f, p, out, par, scratch.stack());
                }
            },
        );
    }
    bad.into_inner()
}

/// The inverse of each square matrix of `a` into `out` (through an LU factorization, as
/// `getrf` + `getri`), and LAPACK's `info` of that factorization into `info`. A singular
/// matrix (info > 0) gets inf / NaN entries, as LAPACK gives.
pub fn inverse<T: Real>(a: &Mats<T>, out: &Mats<T>, info: &Vecs<i32>) {
    let n = a.rows;
    let count = a.count();
    if n <= SMALL_INV {
        for_each_matrix(
            count,
            2 * n * n * n,
            || (vec![T::ZERO; n * n], vec![T::ZERO; n * n], vec![0i32; n]),
            // SAFETY: the descriptors' guarantees (module docs): `b < count`; `a` is read, `out`'s
            // matrix `b` and `info`'s value `b` are written by this task only
            |b, (f, x, ipiv)| unsafe {
                a.gather(b, f);
                let code = small::lu(f, n, n, ipiv);
                x.iter_mut().for_each(|v| *v = T::ZERO);
                for i in 0..n {
                    x[i * n + i] = T::ONE;
                }
                small::lu_solve(f, n, ipiv, x, n, false);
                out.scatter(b, x);
                info.set(b, 0, code);
            },
        );
        return;
    }
    let par = par_within(count, n);
    let req = plu::factor::lu_in_place_scratch::<usize, T>(n, n, par, Default::default()).or(plu::inverse::inverse_scratch::<usize, T>(n, par));
    for_each_matrix(
        count,
        2 * n * n * n,
        || (Scratch::new(req), Mat::<T>::zeros(n, n), vec![0usize; n], vec![0usize; n], vec![0i32; n]),
        // SAFETY: the descriptors' guarantees (module docs): `a` is read into the owned `f`;
        // `out` is fresh, so its mutable view is the only one of matrix `b`; `info`'s value `b`
        // is this task's; `perm`/`perm_inv` come from faer's factorization or, when singular,
        // from the LAPACK-way pivots (`small::lu` picks each in `i+1..=n`, valid interchanges),
        // either way the inverse permutation pair `PermRef::new_unchecked` requires
        |b, (scratch, f, perm, perm_inv, ipiv)| unsafe {
            f.copy_from(a.mat(b));
            plu::factor::lu_in_place(f.as_mut(), perm, perm_inv, par, scratch.stack(), Default::default());
            let singular = (0..n).any(|i| f[(i, i)] == T::ZERO || f[(i, i)].is_nan());
            let mut code = 0;
            if singular {
                // as in `lu_factor`: refactor the LAPACK way so `info` and the result match
                let mut buf = vec![T::ZERO; n * n];
                a.gather(b, &mut buf);
                code = small::lu(&mut buf, n, n, ipiv);
                for j in 0..n {
                    for i in 0..n {
                        f[(i, j)] = buf[j * n + i];
                    }
                }
                ipiv_to_perm(ipiv, perm, perm_inv);
            }
            let p = PermRef::new_unchecked(perm.as_slice(), perm_inv.as_slice(), n);
            plu::inverse::inverse(out.mat_mut(b), f.as_ref(), f.as_ref(), p, par, scratch.stack());
            info.set(b, 0, code);
        },
    );
}

/// Solves `A X = B` in place for one column-major `n x n` `a` (overwritten by its LU
/// factorization) and `n x k` `b`, with the kernel `lu_factor` would pick; for callers
/// building on LU (the matrix exponential). Returns LAPACK's `info`.
pub fn solve_dense<T: Real>(a: &mut [T], n: usize, b: &mut [T], k: usize) -> i32 {
    let mut ipiv = vec![0i32; n];
    if n <= SMALL_LU {
        let info = small::lu(a, n, n, &mut ipiv);
        small::lu_solve(a, n, &ipiv, b, k, false);
        return info;
    }
    let req = plu::factor::lu_in_place_scratch::<usize, T>(n, n, faer::Par::Seq, Default::default()).or(plu::solve::solve_in_place_scratch::<usize, T>(n, k, faer::Par::Seq));
    let mut scratch = Scratch::new(req);
    let (mut perm, mut perm_inv) = (vec![0usize; n], vec![0usize; n]);
    let mut f = faer::MatMut::from_column_major_slice_mut(a, n, n);
    let (_, p) = plu::factor::lu_in_place(f.as_mut(), &mut perm, &mut perm_inv, faer::Par::Seq, scratch.stack(), Default::default());
    let rhs = faer::MatMut::from_column_major_slice_mut(b, n, k);
    plu::solve::solve_in_place(f.as_ref(), f.as_ref(), p, rhs, faer::Par::Seq, scratch.stack());
    (0..n).position(|i| f[(i, i)] == T::ZERO).map_or(0, |i| i as i32 + 1)
}

/// Writes the permutation matrix P with `A = P L U` (`out`: m x m per batch element) for the
/// row interchanges `piv` (1-based, `piv.len` of them). Returns the first batch element whose
/// pivots are not valid interchanges of m rows, if any.
pub fn permutation_matrix<T: Real>(piv: &Vecs<i32>, out: &Mats<T>) -> Option<usize> {
    let m = out.rows;
    let kk = piv.len;
    let bad = parking_lot::Mutex::new(None::<usize>);
    for_each_matrix(
        out.count(),
        m * m,
        || (vec![0i32; kk], vec![0usize; m], vec![0usize; m]),
        // SAFETY: the descriptors' guarantees (module docs): `j < kk` pivots of `piv`'s vector `b`,
        // and `i, j < m` elements of `out`'s m x m matrix `b`, written by this task only
        |b, (ipiv, perm, perm_inv)| unsafe {
            for (j, p) in ipiv.iter_mut().enumerate() {
                *p = piv.get(b, j);
            }
            let ok = ipiv_to_perm(ipiv, perm, perm_inv);
            if !ok {
                let mut g = bad.lock();
                *g = Some(g.map_or(b, |o| o.min(b)));
            }
            // P^T A = L U: row i of L U is row perm[i] of A, so P[perm[i], i] = 1
            for (j, &pj) in perm.iter().enumerate() {
                for i in 0..m {
                    *out.at(b, i, j) = if ok && pj == i { T::ONE } else { T::ZERO };
                }
            }
        },
    );
    bad.into_inner()
}
