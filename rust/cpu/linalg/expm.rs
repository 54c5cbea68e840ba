//! The matrix exponential by scaling and squaring with Padé approximants (Higham, "The
//! scaling and squaring method for the matrix exponential revisited", SIAM J. Matrix Anal.
//! Appl. 26(4), 2005; the algorithm of MATLAB's and SciPy's `expm`): the lowest Padé degree
//! whose error bound holds for ||A||_1, else degree 13 on A / 2^s, squared s times.

use super::{for_each_matrix, lu::solve_dense, Mats, Real};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

/// Padé coefficients b_0..b_m of degrees 3, 5, 7, 9, 13.
const B3: [f64; 4] = [120.0, 60.0, 12.0, 1.0];
const B5: [f64; 6] = [30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0];
const B7: [f64; 8] = [17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0];
const B9: [f64; 10] = [17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0, 2162160.0, 110880.0, 3960.0, 90.0, 1.0];
const B13: [f64; 14] = [
    64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
    33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0,
];
/// The largest ||A||_1 for which degree 3, 5, 7, 9, 13 is accurate to double precision
/// (Higham 2005, table 2.3). Used for float32 too: more accurate than needed there.
const THETA: [f64; 5] = [1.495585217958292e-2, 2.53939833006323e-1, 9.504178996162932e-1, 2.097847961257068e0, 5.371920351148152e0];

fn mul<T: Real>(a: &[T], b: &[T], n: usize) -> Vec<T> {
    let mut c = vec![T::ZERO; n * n];
    matmul(MatMut::from_column_major_slice_mut(&mut c, n, n), Accum::Replace, MatRef::from_column_major_slice(a, n, n), MatRef::from_column_major_slice(b, n, n), T::ONE, Par::Seq);
    c
}

/// `sum_i c_i X_i` (+ `c_id` on the diagonal).
fn comb<T: Real>(n: usize, terms: &[(f64, &[T])], c_id: f64) -> Vec<T> {
    let mut out = vec![T::ZERO; n * n];
    for &(c, x) in terms {
        let c = T::lit(c);
        for (o, &v) in out.iter_mut().zip(x) {
            *o += c * v;
        }
    }
    let c = T::lit(c_id);
    for i in 0..n {
        out[i * n + i] += c;
    }
    out
}

/// exp of one column-major `n x n` matrix.
fn expm_one<T: Real>(mut a: Vec<T>, n: usize) -> Vec<T> {
    let norm1 = (0..n).map(|j| a[j * n..(j + 1) * n].iter().map(|x| x.to_f64().abs()).sum::<f64>()).fold(0.0, f64::max);
    if !norm1.is_finite() {
        return vec![T::lit(f64::NAN); n * n];
    }
    let a2 = mul(&a, &a, n);
    // (U, V) with exp(A) ~ (V - U)^-1 (V + U)
    let (u, v, squarings) = if norm1 <= THETA[3] {
        let (b, pows): (&[f64], usize) = if norm1 <= THETA[0] {
            (&B3, 1)
        } else if norm1 <= THETA[1] {
            (&B5, 2)
        } else if norm1 <= THETA[2] {
            (&B7, 3)
        } else {
            (&B9, 4)
        };
        // A^2, A^4, ... up to A^(2 pows)
        let mut even = vec![a2.clone()];
        for _ in 1..pows {
            let next = mul(even.last().expect("one power"), &a2, n);
            even.push(next);
        }
        let odd_terms: Vec<(f64, &[T])> = even.iter().enumerate().map(|(i, p)| (b[2 * i + 3], p.as_slice())).collect();
        let even_terms: Vec<(f64, &[T])> = even.iter().enumerate().map(|(i, p)| (b[2 * i + 2], p.as_slice())).collect();
        let inner = comb(n, &odd_terms, b[1]);
        (mul(&a, &inner, n), comb(n, &even_terms, b[0]), 0)
    } else {
        let s = (norm1 / THETA[4]).log2().ceil().max(0.0) as i32;
        let (a, a2) = if s > 0 {
            let f = T::lit(2f64.powi(-s));
            a.iter_mut().for_each(|x| *x *= f);
            let f2 = f * f;
            (a, a2.iter().map(|&x| x * f2).collect::<Vec<T>>())
        } else {
            (a, a2)
        };
        let a4 = mul(&a2, &a2, n);
        let a6 = mul(&a4, &a2, n);
        let b = &B13;
        let u_in = comb(n, &[(b[13], &a6), (b[11], &a4), (b[9], &a2)], 0.0);
        let u_tail = comb(n, &[(b[7], &a6), (b[5], &a4), (b[3], &a2)], b[1]);
        let mut inner = mul(&a6, &u_in, n);
        inner.iter_mut().zip(&u_tail).for_each(|(x, &y)| *x += y);
        let u = mul(&a, &inner, n);
        let v_in = comb(n, &[(b[12], &a6), (b[10], &a4), (b[8], &a2)], 0.0);
        let v_tail = comb(n, &[(b[6], &a6), (b[4], &a4), (b[2], &a2)], b[0]);
        let mut v = mul(&a6, &v_in, n);
        v.iter_mut().zip(&v_tail).for_each(|(x, &y)| *x += y);
        (u, v, s)
    };
    let mut q: Vec<T> = v.iter().zip(&u).map(|(&v, &u)| v - u).collect();
    let mut r: Vec<T> = v.iter().zip(&u).map(|(&v, &u)| v + u).collect();
    solve_dense(&mut q, n, &mut r, n);
    for _ in 0..squarings {
        r = mul(&r, &r, n);
    }
    r
}

/// `exp(A)` of each square matrix of `a` into `out`.
pub fn matrix_exp<T: Real>(a: &Mats<T>, out: &Mats<T>) {
    let n = a.rows;
    for_each_matrix(
        a.count(),
        20 * n * n * n,
        || (),
        // SAFETY: the descriptors' guarantees (module docs): `a`'s matrix `b` is read, `out`'s
        // matrix `b` (fresh) written by this task only
        |b, _| unsafe {
            let mut buf = vec![T::ZERO; n * n];
            a.gather(b, &mut buf);
            out.scatter(b, &expm_one(buf, n));
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_of_known_matrices() {
        // exp of a rotation generator [[0, -t], [t, 0]] is the rotation by t, for small and large t
        for &t in &[1e-3f64, 0.5, 2.0, 30.0] {
            let a = vec![0.0, t, -t, 0.0];
            let e = expm_one(a, 2);
            let want = [t.cos(), t.sin(), -t.sin(), t.cos()];
            for (x, w) in e.iter().zip(want) {
                assert!((x - w).abs() < 1e-13 * (1.0 + t), "t = {t}: {e:?}");
            }
        }
        // diagonal: exp of the diagonal
        let e = expm_one(vec![1.0, 0.0, 0.0, -2.0], 2);
        assert!((e[0] - 1f64.exp()).abs() < 1e-14 && (e[3] - (-2f64).exp()).abs() < 1e-15 && e[1] == 0.0);
    }
}
