//! Unblocked kernels on one small column-major matrix held in a local buffer (leading
//! dimension = its row count). They do the textbook O(n^3) loops with no workspace and no
//! dispatch, which is what wins for the tiny matrices of a large batch (1000 x 4x4), and
//! they follow LAPACK's conventions exactly where faer's differ:
//! - `lu` is LAPACK's `getf2`: a zero pivot is recorded in `info` and its column left
//!   unscaled (faer divides by it), so singular matrices factor into finite L and U;
//! - `cholesky` is `potf2`: at the first non-positive pivot it stores that pivot and stops.
//!
//! These also serve as the fallback of the faer paths when those meet a zero or
//! non-positive pivot, so every size reports the same factors and `info` as LAPACK.

use super::Real;
use std::cmp::Ordering;

/// Evaluates `$body` with `$n` rebound to a literal when it is 2, 3 or 4, the sizes of the
/// big batches of tiny matrices (1000 x 4x4): inlined with a constant size, the loops
/// unroll and most bounds checks fold away (a 4x4 LU went from ~57 to ~15 ns). The
/// operations and their order are the same in every arm, so are the results.
macro_rules! small_sizes {
    ($n:ident => $body:expr) => {
        match $n {
            2 => {
                let $n = 2;
                $body
            }
            3 => {
                let $n = 3;
                $body
            }
            4 => {
                let $n = 4;
                $body
            }
            _ => $body,
        }
    };
}

/// LU with partial pivoting of the `m x n` matrix `a` in place (L unit lower below the
/// diagonal, U on and above it). `ipiv[i]` (1-based) is the row swapped with row `i` at step
/// `i`. Returns LAPACK's `info`: 0, or the 1-based index of the first zero pivot.
pub fn lu<T: Real>(a: &mut [T], m: usize, n: usize, ipiv: &mut [i32]) -> i32 {
    if m == n {
        return small_sizes!(n => lu_sized(a, n, n, ipiv));
    }
    lu_sized(a, m, n, ipiv)
}

/// [`lu`]'s body, inlined where its sizes are constants.
#[inline(always)]
fn lu_sized<T: Real>(a: &mut [T], m: usize, n: usize, ipiv: &mut [i32]) -> i32 {
    let a = &mut a[..m * n];
    let mut info = 0;
    for j in 0..m.min(n) {
        // the first entry of largest magnitude on or below the diagonal (idamax)
        let col = &a[j * m..(j + 1) * m];
        let mut p = j;
        let mut best = col[j].abs();
        for (i, &x) in col.iter().enumerate().skip(j + 1) {
            if x.abs() > best {
                best = x.abs();
                p = i;
            }
        }
        ipiv[j] = p as i32 + 1;
        if a[j * m + p] != T::ZERO {
            if p != j {
                for c in 0..n {
                    a.swap(c * m + j, c * m + p);
                }
            }
            let inv = T::ONE / a[j * m + j];
            for x in &mut a[j * m + j + 1..(j + 1) * m] {
                *x *= inv;
            }
        } else if info == 0 {
            info = j as i32 + 1;
        }
        // rank-1 update of the trailing block (a no-op below a zero pivot: its column is 0)
        for c in j + 1..n {
            let u = a[c * m + j];
            if u != T::ZERO {
                for i in j + 1..m {
                    let l = a[j * m + i];
                    a[c * m + i] -= l * u;
                }
            }
        }
    }
    info
}

/// Applies the interchanges `ipiv` (forward, or backward when `reverse`) to the rows of the
/// `n x k` column-major `b`.
#[inline(always)]
pub fn swap_rows<T: Real>(b: &mut [T], n: usize, k: usize, ipiv: &[i32], reverse: bool) {
    let len = ipiv.len();
    for s in 0..len {
        let i = if reverse { len - 1 - s } else { s };
        let p = ipiv[i] as usize - 1;
        if p != i {
            for c in 0..k {
                b.swap(c * n + i, c * n + p);
            }
        }
    }
}

/// Solves `L U X = P B` (or `(L U)^T X = B` when `trans`, with the interchanges applied
/// after) in place on the `n x k` column-major `b`, for an `n x n` LU factorization.
pub fn lu_solve<T: Real>(lu: &[T], n: usize, ipiv: &[i32], b: &mut [T], k: usize, trans: bool) {
    small_sizes!(n => lu_solve_sized(lu, n, ipiv, b, k, trans))
}

/// [`lu_solve`]'s body, inlined where `n` is a constant.
#[inline(always)]
fn lu_solve_sized<T: Real>(lu: &[T], n: usize, ipiv: &[i32], b: &mut [T], k: usize, trans: bool) {
    let (lu, ipiv, b) = (&lu[..n * n], &ipiv[..n], &mut b[..n * k]);
    if !trans {
        swap_rows(b, n, k, ipiv, false);
        for c in 0..k {
            let x = &mut b[c * n..(c + 1) * n];
            lower_unit_solve(lu, n, x);
            upper_solve(lu, n, x);
        }
    } else {
        for c in 0..k {
            let x = &mut b[c * n..(c + 1) * n];
            // U^T y = b (forward), then L^T x = y (backward)
            for i in 0..n {
                let mut s = x[i];
                for r in 0..i {
                    s -= lu[i * n + r] * x[r];
                }
                x[i] = s / lu[i * n + i];
            }
            for i in (0..n).rev() {
                let mut s = x[i];
                for r in i + 1..n {
                    s -= lu[i * n + r] * x[r];
                }
                x[i] = s;
            }
        }
        swap_rows(b, n, k, ipiv, true);
    }
}

/// `x <- L^-1 x` for the unit lower triangle of the column-major `n x n` `a`.
#[inline(always)]
fn lower_unit_solve<T: Real>(a: &[T], n: usize, x: &mut [T]) {
    for j in 0..n {
        let xj = x[j];
        if xj != T::ZERO {
            for i in j + 1..n {
                x[i] -= a[j * n + i] * xj;
            }
        }
    }
}

/// `x <- U^-1 x` for the upper triangle of the column-major `n x n` `a`.
#[inline(always)]
fn upper_solve<T: Real>(a: &[T], n: usize, x: &mut [T]) {
    for j in (0..n).rev() {
        x[j] /= a[j * n + j];
        let xj = x[j];
        if xj != T::ZERO {
            for i in 0..j {
                x[i] -= a[j * n + i] * xj;
            }
        }
    }
}

/// Cholesky `A = L L^T` of the `n x n` column-major `a` in place, reading and writing the
/// lower triangle only. Returns 0, or the order of the first leading minor that is not
/// positive definite (that pivot is left in place and the rest untouched, as LAPACK).
pub fn cholesky<T: Real>(a: &mut [T], n: usize) -> i32 {
    small_sizes!(n => cholesky_sized(a, n))
}

/// [`cholesky`]'s body, inlined where `n` is a constant.
#[inline(always)]
fn cholesky_sized<T: Real>(a: &mut [T], n: usize) -> i32 {
    let a = &mut a[..n * n];
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            let l = a[k * n + j];
            d -= l * l;
        }
        // not positive, or NaN
        if d.partial_cmp(&T::ZERO) != Some(Ordering::Greater) {
            a[j * n + j] = d;
            return j as i32 + 1;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        let inv = T::ONE / d;
        for i in j + 1..n {
            let mut s = a[j * n + i];
            for k in 0..j {
                s -= a[k * n + i] * a[k * n + j];
            }
            a[j * n + i] = s * inv;
        }
    }
    0
}

/// Solves `op(T) X = B` in place on the `n x k` column-major `b`, where `T` is the lower
/// (or, with `upper`, upper) triangle of the column-major `n x n` `a` (unit diagonal when
/// `unit`) and `op` is the transpose when `trans`. Singular triangles give inf / NaN, as
/// LAPACK's `trtrs` without its check.
pub fn tri_solve<T: Real>(a: &[T], n: usize, b: &mut [T], k: usize, upper: bool, trans: bool, unit: bool) {
    // op(T) is lower triangular iff (lower and not trans) or (upper and trans)
    let lower_op = upper == trans;
    // op(T)[i][r] = T[r][i] when transposed
    let at = |i: usize, r: usize| if trans { a[i * n + r] } else { a[r * n + i] };
    for c in 0..k {
        let x = &mut b[c * n..(c + 1) * n];
        if lower_op {
            for i in 0..n {
                let mut s = x[i];
                for (r, &xr) in x[..i].iter().enumerate() {
                    s -= at(i, r) * xr;
                }
                x[i] = if unit { s } else { s / at(i, i) };
            }
        } else {
            for i in (0..n).rev() {
                let mut s = x[i];
                for (r, &xr) in x.iter().enumerate().skip(i + 1) {
                    s -= at(i, r) * xr;
                }
                x[i] = if unit { s } else { s / at(i, i) };
            }
        }
    }
}

/// Eigenvalues (ascending, into `w`) and optionally eigenvectors (columns of the column-major
/// `n x n` `v`) of the symmetric `n x n` column-major `a`, by cyclic Jacobi rotations. Reads
/// the lower triangle only (it is mirrored first); `a` is overwritten.
///
/// Jacobi is backward stable (eigenvalues to about eps * ||A||, like LAPACK's `syevd`) and,
/// for the tiny matrices it is used for, needs a handful of sweeps of n(n-1)/2 rotations.
pub fn eigh_jacobi<T: Real>(a: &mut [T], n: usize, w: &mut [T], mut v: Option<&mut [T]>) {
    for j in 0..n {
        for i in j + 1..n {
            a[i * n + j] = a[j * n + i];
        }
    }
    if let Some(v) = v.as_deref_mut() {
        v.iter_mut().for_each(|x| *x = T::ZERO);
        for i in 0..n {
            v[i * n + i] = T::ONE;
        }
    }
    let frob: T = a.iter().fold(T::ZERO, |s, &x| s + x * x);
    let tol = T::EPS * T::EPS * frob;
    for _sweep in 0..60 {
        let mut off = T::ZERO;
        for q in 0..n {
            for p in 0..q {
                off += a[q * n + p] * a[q * n + p];
            }
        }
        // converged (or NaN: no sweep will help)
        if off.partial_cmp(&tol) != Some(Ordering::Greater) {
            break;
        }
        for q in 1..n {
            for p in 0..q {
                let apq = a[q * n + p];
                if apq == T::ZERO {
                    continue;
                }
                let (app, aqq) = (a[p * n + p], a[q * n + q]);
                // Golub & Van Loan, sym.schur2: the rotation zeroing a[p][q]
                let tau = (aqq - app) / (T::lit(2.0) * apq);
                let t = if tau >= T::ZERO { T::ONE / (tau + (T::ONE + tau * tau).sqrt()) } else { -T::ONE / (-tau + (T::ONE + tau * tau).sqrt()) };
                let c = T::ONE / (T::ONE + t * t).sqrt();
                let s = t * c;
                // A <- J^T A J with J = rotation in the (p, q) plane
                for k in 0..n {
                    let (akp, akq) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * akp - s * akq;
                    a[q * n + k] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * apk - s * aqk;
                    a[k * n + q] = s * apk + c * aqk;
                }
                a[q * n + p] = T::ZERO;
                a[p * n + q] = T::ZERO;
                if let Some(v) = v.as_deref_mut() {
                    for k in 0..n {
                        let (vkp, vkq) = (v[p * n + k], v[q * n + k]);
                        v[p * n + k] = c * vkp - s * vkq;
                        v[q * n + k] = s * vkp + c * vkq;
                    }
                }
            }
        }
    }
    // sort ascending (insertion sort: n is tiny), moving the vectors along
    for i in 0..n {
        w[i] = a[i * n + i];
    }
    for i in 1..n {
        let mut j = i;
        while j > 0 && w[j - 1] > w[j] {
            w.swap(j - 1, j);
            if let Some(v) = v.as_deref_mut() {
                for k in 0..n {
                    v.swap((j - 1) * n + k, j * n + k);
                }
            }
            j -= 1;
        }
    }
}

/// Householder QR of the `m x n` column-major `a` in place: R on and above the diagonal,
/// the reflectors' vectors below it (leading 1 implied) and their factors in `tau`
/// (`min(m, n)` of them), as LAPACK's `geqr2`: `H = I - tau v v^T`, `beta = -sign(alpha) ||x||`.
pub fn qr<T: Real>(a: &mut [T], m: usize, n: usize, tau: &mut [T]) {
    for j in 0..m.min(n) {
        let x0 = a[j * m + j];
        let mut tail = T::ZERO;
        for i in j + 1..m {
            tail += a[j * m + i] * a[j * m + i];
        }
        if tail == T::ZERO {
            tau[j] = T::ZERO;
            continue;
        }
        let norm = (x0 * x0 + tail).sqrt();
        let beta = if x0 >= T::ZERO { -norm } else { norm };
        let scale = T::ONE / (x0 - beta);
        for i in j + 1..m {
            a[j * m + i] *= scale;
        }
        let t = (beta - x0) / beta;
        tau[j] = t;
        a[j * m + j] = beta;
        for c in j + 1..n {
            let mut d = a[c * m + j];
            for i in j + 1..m {
                d += a[j * m + i] * a[c * m + i];
            }
            d *= t;
            a[c * m + j] -= d;
            for i in j + 1..m {
                let vi = a[j * m + i];
                a[c * m + i] -= d * vi;
            }
        }
    }
}

/// `x <- Q x` for the `m x k` column-major `x`, Q the product of the reflectors `qr` left in
/// the `m x r` column-major `a` (r = `tau.len()`).
pub fn apply_q<T: Real>(a: &[T], m: usize, tau: &[T], x: &mut [T], k: usize) {
    for j in (0..tau.len()).rev() {
        let t = tau[j];
        if t == T::ZERO {
            continue;
        }
        for c in 0..k {
            let y = &mut x[c * m..(c + 1) * m];
            let mut d = y[j];
            for i in j + 1..m {
                d += a[j * m + i] * y[i];
            }
            d *= t;
            y[j] -= d;
            for i in j + 1..m {
                y[i] -= d * a[j * m + i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rnd(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((x >> 11) as f64 / (1u64 << 53) as f64) - 0.5
            })
            .collect()
    }

    fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for j in 0..n {
            for p in 0..k {
                for i in 0..m {
                    c[j * m + i] += a[p * m + i] * b[j * k + p];
                }
            }
        }
        c
    }

    #[test]
    fn constant_sizes_give_the_general_loops_bits() {
        // `small_sizes!` only lets the compiler see the size: the 2x2..4x4 arms must match the
        // general loops (sizes hidden behind black_box) bit for bit, singular matrices included
        use std::hint::black_box;
        for n in 2..=4 {
            for seed in 0..20u64 {
                let mut a = rnd(n * n, seed + 7);
                if seed % 4 == 1 {
                    for i in 0..n {
                        a[i * n + 1] = 0.0; // a zero column: a zero pivot
                    }
                }
                let (mut f1, mut f2, mut p1, mut p2) = (a.clone(), a.clone(), vec![0; n], vec![0; n]);
                let i1 = lu(&mut f1, n, n, &mut p1);
                let i2 = lu_sized(&mut f2, black_box(n), black_box(n), &mut p2);
                assert_eq!((i1, &p1), (i2, &p2));
                assert_eq!(f1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), f2.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
                for trans in [false, true] {
                    let (mut x1, mut x2) = (rnd(n * 2, seed), rnd(n * 2, seed));
                    lu_solve(&f1, n, &p1, &mut x1, 2, trans);
                    lu_solve_sized(&f1, black_box(n), &p1, &mut x2, 2, trans);
                    assert_eq!(x1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), x2.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
                }
                let spd = matmul(&a, &a.iter().enumerate().map(|(i, _)| a[(i % n) * n + i / n]).collect::<Vec<_>>(), n, n, n);
                let (mut c1, mut c2) = (spd.clone(), spd);
                assert_eq!(cholesky(&mut c1, n), cholesky_sized(&mut c2, black_box(n)));
                assert_eq!(c1.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), c2.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn lu_solves_and_reports_zero_pivots() {
        let n = 5;
        let a = rnd(n * n, 3);
        let mut lu_ = a.clone();
        let mut ipiv = vec![0; n];
        assert_eq!(lu(&mut lu_, n, n, &mut ipiv), 0);
        let xs = rnd(n * 2, 4);
        let b = matmul(&a, &xs, n, n, 2);
        let mut x = b.clone();
        lu_solve(&lu_, n, &ipiv, &mut x, 2, false);
        for (p, q) in x.iter().zip(&xs) {
            assert!((p - q).abs() < 1e-12);
        }
        // transposed solve: A^T x = b
        let mut at = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                at[j * n + i] = a[i * n + j];
            }
        }
        let bt = matmul(&at, &xs, n, n, 2);
        let mut x = bt.clone();
        lu_solve(&lu_, n, &ipiv, &mut x, 2, true);
        for (p, q) in x.iter().zip(&xs) {
            assert!((p - q).abs() < 1e-12);
        }
        let mut z = vec![0.0; 9];
        let mut ipiv = vec![0; 3];
        assert_eq!(lu(&mut z, 3, 3, &mut ipiv), 1);
        assert!(z.iter().all(|x| *x == 0.0));
        assert_eq!(ipiv, vec![1, 2, 3]);
    }

    #[test]
    fn cholesky_and_jacobi() {
        let n = 6;
        let g = rnd(n * n, 9);
        let mut a = matmul(&g, &g.iter().enumerate().map(|(i, _)| g[(i % n) * n + i / n]).collect::<Vec<_>>(), n, n, n);
        for i in 0..n {
            a[i * n + i] += 1.0;
        }
        let mut l = a.clone();
        assert_eq!(cholesky(&mut l, n), 0);
        let mut w = vec![0.0; n];
        let mut v = vec![0.0; n * n];
        eigh_jacobi(&mut a.clone(), n, &mut w, Some(&mut v));
        assert!(w.windows(2).all(|p| p[0] <= p[1]));
        // A v_j = w_j v_j
        let av = matmul(&a, &v, n, n, n);
        for j in 0..n {
            for i in 0..n {
                assert!((av[j * n + i] - w[j] * v[j * n + i]).abs() < 1e-12);
            }
        }
        let mut bad = vec![1.0, 2.0, 2.0, 1.0];
        assert_eq!(cholesky(&mut bad, 2), 2);
        assert_eq!(bad[3], -3.0);
    }

    #[test]
    fn qr_reconstructs() {
        for &(m, n) in &[(5, 3), (3, 5), (4, 4)] {
            let a = rnd(m * n, (m * 7 + n) as u64);
            let mut f = a.clone();
            let mut tau = vec![0.0; m.min(n)];
            qr(&mut f, m, n, &mut tau);
            let mut r = vec![0.0; m * n];
            for j in 0..n {
                for i in 0..=j.min(m - 1) {
                    r[j * m + i] = f[j * m + i];
                }
            }
            apply_q(&f, m, &tau, &mut r, n);
            for (p, q) in r.iter().zip(&a) {
                assert!((p - q).abs() < 1e-12);
            }
        }
    }
}
