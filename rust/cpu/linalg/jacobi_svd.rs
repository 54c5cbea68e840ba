//! Singular value decomposition of (batches of) real matrices, with no LAPACK:
//! Householder QR (A = Q R), then one-sided (Hestenes) Jacobi rotations on the
//! columns of R^T until they are mutually orthogonal. Jacobi is
//! simple and accurate (small singular values to high relative accuracy) and, for the
//! tiny matrices of a large batch, faster than faer's bidiagonalization (`svd.rs` picks).
//!
//! A is m x n, k = min(m, n). Results: S (k values, descending), U (m x k, or
//! m x m for full matrices) and Vh (k x n, or n x n), all row-major. Columns of
//! U (rows of Vh) that the data leaves undetermined (zero singular values, the
//! completion to a square basis) are completed to an orthonormal basis.

use super::Real;

/// What to compute besides the singular values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvdMode {
    /// Singular values only.
    Values,
    /// U: m x k, Vh: k x n.
    Reduced,
    /// U: m x m, Vh: n x n.
    Full,
}

#[inline(always)]
fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    // four accumulators: lets the compiler vectorise without reassociation
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [T::ZERO; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (&x, &y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    s
}

/// `(x, y) <- (c x - s y, s x + c y)` elementwise.
#[inline(always)]
fn rotate<T: Real>(x: &mut [T], y: &mut [T], c: T, s: T) {
    for (a, b) in x.iter_mut().zip(y.iter_mut()) {
        let (p, q) = (*a, *b);
        *a = c * p - s * q;
        *b = s * p + c * q;
    }
}

/// Two distinct columns `p < q` of a column-major buffer with `rows` rows.
#[inline(always)]
fn two_cols<T>(buf: &mut [T], rows: usize, p: usize, q: usize) -> (&mut [T], &mut [T]) {
    let (lo, hi) = buf.split_at_mut(q * rows);
    (&mut lo[p * rows..(p + 1) * rows], &mut hi[..rows])
}

/// One-sided Jacobi on the `cols` columns of `w` (column-major, `rows` rows):
/// rotates pairs of columns until all are orthogonal to working precision,
/// applying the same rotations to `v` (column-major `cols` x `cols`) when given.
fn jacobi<T: Real>(w: &mut [T], rows: usize, cols: usize, mut v: Option<&mut [T]>) {
    let tol = T::EPS * T::lit((rows.max(1) as f64).sqrt());
    let mut norms: Vec<T> = (0..cols).map(|j| dot(&w[j * rows..(j + 1) * rows], &w[j * rows..(j + 1) * rows])).collect();
    for _sweep in 0..80 {
        let mut rotated = false;
        for p in 0..cols {
            for q in p + 1..cols {
                let (alpha, beta) = (norms[p], norms[q]);
                if alpha == T::ZERO || beta == T::ZERO {
                    continue;
                }
                let (wp, wq) = two_cols(w, rows, p, q);
                let gamma = dot(wp, wq);
                if gamma.abs() <= tol * alpha.sqrt() * beta.sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (T::lit(2.0) * gamma);
                let root = (T::ONE + zeta * zeta).sqrt();
                let t = if zeta >= T::ZERO { T::ONE / (zeta + root) } else { -T::ONE / (-zeta + root) };
                let c = T::ONE / (T::ONE + t * t).sqrt();
                let s = c * t;
                rotate(wp, wq, c, s);
                if let Some(v) = v.as_deref_mut() {
                    let (vp, vq) = two_cols(v, cols, p, q);
                    rotate(vp, vq, c, s);
                }
                norms[p] = alpha - t * gamma;
                norms[q] = beta + t * gamma;
            }
        }
        if !rotated {
            break;
        }
        // refresh the running norms (they drift by rounding)
        for (j, n) in norms.iter_mut().enumerate() {
            *n = dot(&w[j * rows..(j + 1) * rows], &w[j * rows..(j + 1) * rows]);
        }
    }
}

/// Householder QR of the column-major `rows` x `cols` (rows >= cols) matrix `a`, in place:
/// R in the upper triangle, the reflector vectors below the diagonal (unit leading
/// entry implied) and their scales in the returned `tau`.
fn householder_qr<T: Real>(a: &mut [T], rows: usize, cols: usize) -> Vec<T> {
    let mut tau = vec![T::ZERO; cols];
    for j in 0..cols {
        let (left, right) = a.split_at_mut((j + 1) * rows);
        let col = &mut left[j * rows + j..];
        let x0 = col[0];
        let tail = dot(&col[1..], &col[1..]);
        if tail == T::ZERO {
            continue; // already upper triangular here: H = I
        }
        let norm = (x0 * x0 + tail).sqrt();
        let beta = if x0 >= T::ZERO { -norm } else { norm };
        let scale = T::ONE / (x0 - beta);
        for x in col[1..].iter_mut() {
            *x *= scale;
        }
        tau[j] = (beta - x0) / beta;
        col[0] = beta;
        // apply H = I - tau v v^T to the remaining columns
        let v = &col[1..];
        for c in right.chunks_exact_mut(rows) {
            let y = &mut c[j..];
            let d = (y[0] + dot(v, &y[1..])) * tau[j];
            y[0] -= d;
            for (yi, &vi) in y[1..].iter_mut().zip(v) {
                *yi -= d * vi;
            }
        }
    }
    tau
}

/// `x <- Q x` for the column-major `rows` x `xcols` matrix `x`, where Q is the
/// product of the reflectors `householder_qr` left in `qr`.
fn apply_q<T: Real>(qr: &[T], tau: &[T], rows: usize, x: &mut [T], xcols: usize) {
    for j in (0..tau.len()).rev() {
        if tau[j] == T::ZERO {
            continue;
        }
        let v = &qr[j * rows + j + 1..(j + 1) * rows];
        for c in x.chunks_exact_mut(rows).take(xcols) {
            let y = &mut c[j..];
            let d = (y[0] + dot(v, &y[1..])) * tau[j];
            y[0] -= d;
            for (yi, &vi) in y[1..].iter_mut().zip(v) {
                *yi -= d * vi;
            }
        }
    }
}

/// Replaces the columns of `u` (column-major, `rows` rows) not marked in `done`
/// by unit vectors orthogonal to every other column (Gram-Schmidt on the
/// standard basis vector that leaves the largest residual, twice for accuracy).
fn complete_basis<T: Real>(u: &mut [T], rows: usize, done: &mut [bool]) {
    let cols = done.len();
    let mut r = vec![T::ZERO; rows];
    for j in 0..cols {
        if done[j] {
            continue;
        }
        // residual norm^2 of e_k after projecting out the done columns: 1 - sum_i u_ki^2
        let mut best = (0usize, T::lit(-1.0));
        for k in 0..rows {
            let mut s = T::ONE;
            for i in (0..cols).filter(|&i| done[i]) {
                let x = u[i * rows + k];
                s -= x * x;
            }
            if s > best.1 {
                best = (k, s);
            }
        }
        r.iter_mut().for_each(|x| *x = T::ZERO);
        r[best.0] = T::ONE;
        for _ in 0..2 {
            for i in (0..cols).filter(|&i| done[i]) {
                let ui = &u[i * rows..(i + 1) * rows];
                let d = dot(ui, &r);
                for (x, &y) in r.iter_mut().zip(ui) {
                    *x -= d * y;
                }
            }
        }
        let n = dot(&r, &r).sqrt();
        for (x, &y) in u[j * rows..(j + 1) * rows].iter_mut().zip(&r) {
            *x = y / n;
        }
        done[j] = true;
    }
}

/// The SVD of one tall matrix `w` (column-major `rows` x `cols`, rows >= cols), consumed.
/// Returns S (descending), U column-major (`rows` x `cols`, or `rows` x `rows` when `full`)
/// and V column-major (`cols` x `cols`), the vectors only when `vectors`.
///
/// QR first (A = Q R), then Jacobi on the columns of X = R^T: X V_x = W with orthogonal
/// columns W = U_x S, so A = (Q V_x) S U_x^T. Jacobi converges in fewer sweeps on R^T
/// than on A (Drmac & Veselic), and the square R is all it touches.
fn svd_tall<T: Real>(mut w: Vec<T>, rows: usize, cols: usize, vectors: bool, full: bool) -> (Vec<T>, Vec<T>, Vec<T>) {
    // scale to max |a| = 1: the squared column norms can neither overflow nor underflow
    let amax = w.iter().fold(T::ZERO, |m, &x| if x.abs() > m { x.abs() } else { m });
    let scaled = amax > T::ZERO && amax.to_f64().is_finite();
    if scaled {
        let inv = T::ONE / amax;
        w.iter_mut().for_each(|x| *x *= inv);
    }
    let n = cols;
    let tau = householder_qr(&mut w, rows, cols);
    // X = R^T, column-major: X[i, j] = R[j, i] (nonzero for j <= i)
    let mut x = vec![T::ZERO; n * n];
    for i in 0..n {
        for j in 0..=i {
            x[j * n + i] = w[i * rows + j];
        }
    }
    let mut vx = if vectors {
        let mut v = vec![T::ZERO; n * n];
        for j in 0..n {
            v[j * n + j] = T::ONE;
        }
        Some(v)
    } else {
        None
    };
    jacobi(&mut x, n, n, vx.as_deref_mut());
    // singular values, sorted descending (stable)
    let sig: Vec<T> = (0..n).map(|j| dot(&x[j * n..(j + 1) * n], &x[j * n..(j + 1) * n]).sqrt()).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| sig[b].partial_cmp(&sig[a]).unwrap_or(std::cmp::Ordering::Equal));
    let s: Vec<T> = order.iter().map(|&j| if scaled { sig[j] * amax } else { sig[j] }).collect();
    if !vectors {
        return (s, Vec::new(), Vec::new());
    }
    // V of A: the columns of W normalised, completed where sigma_j = 0
    let mut vs = vec![T::ZERO; n * n];
    let mut done = vec![false; n];
    for (dst, &j) in order.iter().enumerate() {
        let sj = sig[j];
        if sj > T::ZERO && (T::ONE / sj).to_f64().is_finite() {
            let inv = T::ONE / sj;
            for (y, &z) in vs[dst * n..(dst + 1) * n].iter_mut().zip(&x[j * n..(j + 1) * n]) {
                *y = z * inv;
            }
            done[dst] = true;
        }
    }
    complete_basis(&mut vs, n, &mut done);
    // U = Q [[V_x, 0], [0, I]] (V_x's columns in the same order)
    let vx = vx.unwrap_or_default();
    let ucols = if full { rows } else { n };
    let mut u = vec![T::ZERO; rows * ucols];
    for (dst, &j) in order.iter().enumerate() {
        u[dst * rows..dst * rows + n].copy_from_slice(&vx[j * n..(j + 1) * n]);
    }
    for j in n..ucols {
        u[j * rows + j] = T::ONE;
    }
    apply_q(&w, &tau, rows, &mut u, ucols);
    (s, u, vs)
}

/// The SVD of one row-major m x n matrix `a` into row-major `u`, `s`, `vh` (sized for `mode`).
/// Returns false when `a` holds a NaN (the outputs are then NaN).
pub fn svd_one<T: Real>(a: &[T], m: usize, n: usize, mode: SvdMode, u: &mut [T], s: &mut [T], vh: &mut [T]) -> bool {
    let k = m.min(n);
    let vectors = mode != SvdMode::Values;
    let full = mode == SvdMode::Full;
    if a.iter().any(|x| x.is_nan() || !x.to_f64().is_finite()) {
        let nan = T::lit(f64::NAN);
        s.iter_mut().chain(u.iter_mut()).chain(vh.iter_mut()).for_each(|x| *x = nan);
        return !a.iter().any(|x| x.is_nan());
    }
    if k == 0 {
        // no singular values; full bases of an empty matrix are the identity
        if full {
            for i in 0..m {
                u[i * m + i] = T::ONE;
            }
            for i in 0..n {
                vh[i * n + i] = T::ONE;
            }
        }
        return true;
    }
    if m >= n {
        // column-major copy of A
        let mut w = vec![T::ZERO; m * n];
        for i in 0..m {
            for j in 0..n {
                w[j * m + i] = a[i * n + j];
            }
        }
        let (sv, uc, vc) = svd_tall(w, m, n, vectors, full);
        s.copy_from_slice(&sv);
        if vectors {
            let ucols = uc.len() / m;
            for i in 0..m {
                for j in 0..ucols {
                    u[i * ucols + j] = uc[j * m + i];
                }
            }
            vh.copy_from_slice(&vc); // Vh row-major == V column-major
        }
    } else {
        // A^T (n x m, tall) column-major is A row-major; A = V_b S U_b^T
        let (sv, ub, vb) = svd_tall(a.to_vec(), n, m, vectors, full);
        s.copy_from_slice(&sv);
        if vectors {
            for i in 0..m {
                for j in 0..m {
                    u[i * m + j] = vb[j * m + i];
                }
            }
            vh.copy_from_slice(&ub); // Vh row-major == U_b column-major
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(m: usize, n: usize, mode: SvdMode, seed: u64) {
        let mut x = seed;
        let a: Vec<f64> = (0..m * n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((x >> 11) as f64 / (1u64 << 53) as f64) - 0.5
            })
            .collect();
        let k = m.min(n);
        let (uc, vr) = if mode == SvdMode::Full { (m, n) } else { (k, k) };
        let (mut u, mut s, mut vh) = (vec![0.0; m * uc], vec![0.0; k], vec![0.0; vr * n]);
        assert!(svd_one(&a, m, n, mode, &mut u, &mut s, &mut vh));
        for w in s.windows(2) {
            assert!(w[0] >= w[1]);
        }
        // reconstruction A = U[:, :k] diag(S) Vh[:k, :]
        for i in 0..m {
            for j in 0..n {
                let r: f64 = (0..k).map(|l| u[i * uc + l] * s[l] * vh[l * n + j]).sum();
                assert!((r - a[i * n + j]).abs() < 1e-12, "{m}x{n} ({i},{j}): {r} vs {}", a[i * n + j]);
            }
        }
        // orthonormal columns of U, rows of Vh
        for p in 0..uc {
            for q in 0..uc {
                let d: f64 = (0..m).map(|i| u[i * uc + p] * u[i * uc + q]).sum();
                assert!((d - if p == q { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        for p in 0..vr {
            for q in 0..vr {
                let d: f64 = (0..n).map(|j| vh[p * n + j] * vh[q * n + j]).sum();
                assert!((d - if p == q { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn shapes() {
        for &(m, n) in &[(1, 1), (3, 3), (5, 3), (3, 5), (8, 1), (1, 8), (17, 9), (9, 17), (32, 32)] {
            check(m, n, SvdMode::Reduced, (m * 31 + n) as u64);
            check(m, n, SvdMode::Full, (m * 17 + n) as u64);
        }
    }

    #[test]
    fn rank_deficient() {
        // rank 1: every row the same
        let (m, n) = (4, 3);
        let a: Vec<f64> = (0..m * n).map(|i| (i % n) as f64 + 1.0).collect();
        let (mut u, mut s, mut vh) = (vec![0.0; m * m], vec![0.0; 3], vec![0.0; 9]);
        svd_one(&a, m, n, SvdMode::Full, &mut u, &mut s, &mut vh);
        assert!((s[0] - (4.0f64 * 14.0).sqrt()).abs() < 1e-12);
        assert!(s[1].abs() < 1e-12 && s[2].abs() < 1e-12);
        for p in 0..m {
            for q in 0..m {
                let d: f64 = (0..m).map(|i| u[i * m + p] * u[i * m + q]).sum();
                assert!((d - if p == q { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }
}
