//! Eigendecomposition of symmetric matrices (`syevd`): ascending eigenvalues and
//! orthonormal eigenvectors, reading the lower triangle only.

use super::{for_each_matrix, par_within, small, Mats, Real, Scratch, Vecs};
use faer::linalg::evd;
use faer::ColMut;

/// Matrices up to this size use cyclic Jacobi. Measured as `lu::SMALL_LU`: Jacobi / faer
/// 0.25-0.34 at n = 2, 0.67-0.82 at 4, 2.4-4.1 at 8.
pub const SMALL_EIGH: usize = 4;

/// Eigenvalues of each symmetric `n x n` matrix of `a` (its lower triangle) into `w`
/// (ascending) and, when given, the eigenvectors into the columns of `v`. Writes 0 into
/// `info` for each matrix that converged, else a positive code (its outputs are then NaN).
/// A matrix with a NaN or infinity in its lower triangle gets NaN outputs and info 0 (LAPACK
/// returns NaNs there too, and PyTorch raises no error).
pub fn eigh<T: Real>(a: &Mats<T>, w: &Vecs<T>, v: Option<&Mats<T>>, info: &Vecs<i32>) {
    let n = a.rows;
    let count = a.count();
    // SAFETY: called with the `b < count` of the per-matrix closures below: the descriptors'
    // guarantees (module docs) make `w`'s `n` values, `v`'s matrix `b` and `info`'s value `b`
    // writable, by this task only
    let fail = |b: usize, code: i32| unsafe {
        let nan = T::lit(f64::NAN);
        for i in 0..n {
            w.set(b, i, nan);
        }
        if let Some(v) = v {
            for j in 0..n {
                for i in 0..n {
                    *v.at(b, i, j) = nan;
                }
            }
        }
        info.set(b, 0, code);
    };
    // SAFETY: called with the `b < count` of the closures below; `j <= i < n` are elements of `a`'s
    // live matrix `b`, only read
    let finite = |b: usize| unsafe { (0..n).all(|j| (j..n).all(|i| (*a.at(b, i, j)).is_finite())) };
    let flops = if v.is_some() { 9 * n * n * n } else { 4 * n * n * n / 3 };
    if n <= SMALL_EIGH {
        for_each_matrix(
            count,
            flops,
            || (vec![T::ZERO; n * n], vec![T::ZERO; n], vec![T::ZERO; n * n]),
            // SAFETY: the descriptors' guarantees (module docs): `a` is read; `w`, `v` and `info`
            // at batch element `b` are written by this task only
            |b, (f, wb, vb)| unsafe {
                if !finite(b) {
                    return fail(b, 0);
                }
                a.gather(b, f);
                small::eigh_jacobi(f, n, wb, if v.is_some() { Some(vb.as_mut_slice()) } else { None });
                for (i, &x) in wb.iter().enumerate() {
                    w.set(b, i, x);
                }
                if let Some(v) = v {
                    v.scatter(b, vb);
                }
                info.set(b, 0, 0);
            },
        );
        return;
    }
    let par = par_within(count, n);
    let want = if v.is_some() { evd::ComputeEigenvectors::Yes } else { evd::ComputeEigenvectors::No };
    let req = evd::self_adjoint_evd_scratch::<T>(n, want, par, Default::default());
    for_each_matrix(
        count,
        flops,
        || (Scratch::new(req), vec![T::ZERO; n]),
        // SAFETY: the descriptors' guarantees (module docs): `a` is read; `v` is fresh, so its
        // mutable view is the only one of matrix `b` while faer writes it; `w` and `info` values
        // `b` are this task's
        |b, (scratch, wb)| unsafe {
            if !finite(b) {
                return fail(b, 0);
            }
            let s = ColMut::from_slice_mut(wb.as_mut_slice());
            match evd::self_adjoint_evd(a.mat(b), s.as_diagonal_mut(), v.map(|v| v.mat_mut(b)), par, scratch.stack(), Default::default()) {
                Ok(()) => {
                    for (i, &x) in wb.iter().enumerate() {
                        w.set(b, i, x);
                    }
                    info.set(b, 0, 0);
                }
                Err(_) => fail(b, 2),
            }
        },
    );
}
