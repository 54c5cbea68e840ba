//! Orthogonal decompositions: `linalg.qr` (Householder) and the symmetric eigendecomposition
//! `linalg.eigh` / `linalg.eigvalsh`. Backwards are PyTorch's (`linalg_qr_backward`,
//! `linalg_eig_backward` for the Hermitian case): like PyTorch's, the eigenvector gradient
//! divides by eigenvalue gaps, so repeated eigenvalues give inf / NaN there, while the
//! eigenvalues' gradient `V diag(gL) V^T` is exact everywhere.

use super::{batch_of, check_float, check_info, check_matrix, check_square, col_major, diag_matrix, empty_like_dtype, int32, mn, with_tail};
use crate::autograd::{is_grad_enabled, needs_grad, record};
use crate::backend::linalg as backend;
use crate::error::{Error, Result};
use crate::ops::join::cat;
use crate::tensor::{dtype_title, Tensor};

/// `mode=` of `linalg.qr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrMode {
    /// Q `(*, m, k)`, R `(*, k, n)`.
    Reduced,
    /// Q `(*, m, m)`, R `(*, m, n)`.
    Complete,
    /// R only (Q is an empty tensor).
    R,
}

impl QrMode {
    /// Parses PyTorch's mode strings.
    pub fn parse(mode: &str) -> Result<QrMode> {
        match mode {
            "reduced" => Ok(QrMode::Reduced),
            "complete" => Ok(QrMode::Complete),
            "r" => Ok(QrMode::R),
            m => Err(Error::Runtime(format!("qr received unrecognized mode '{m}' but expected one of 'reduced' (default), 'r', or 'complete'"))),
        }
    }
}

/// PyTorch's `linalg_qr_backward` for one of gQ / gR (the formula is linear in the pair).
fn qr_backward(gq: Option<&Tensor>, gr: Option<&Tensor>, q: &Tensor, r: &Tensor) -> Result<Tensor> {
    let (m, n) = (q.shape()[q.rank() - 2], r.shape()[r.rank() - 1]);
    let ga = match (gq, gr) {
        (Some(gq), Some(gr)) => gr.matmul(&r.mt()?)?.sub(&q.mt()?.matmul(gq)?)?,
        (Some(gq), None) => q.mt()?.matmul(gq)?.neg()?,
        (None, Some(gr)) => gr.matmul(&r.mt()?)?,
        (None, None) => unreachable!("one gradient is given"),
    };
    if m >= n {
        // syminvadj(X) = X + X^H - diag(X)
        let t = ga.triu(0)?;
        let sym = t.add(&t.mt()?)?.sub(&diag_matrix(&t.diagonal(0, -2, -1)?)?)?;
        let mut ga = q.matmul(&sym)?;
        if let Some(gq) = gq {
            ga = ga.add(gq)?;
        }
        r.mt()?.linalg_solve_triangular(&ga, false, false, false)
    } else {
        // Q trilImInvAdjSkew(-gA) R1^-H, padded with zeros, + Q gR
        let x = ga.neg()?;
        let skew = x.sub(&x.mt()?)?.tril(0)?;
        let ga = q.matmul(&skew)?;
        let r1 = r.narrow(-1, 0, m as isize)?;
        let ga = r1.mt()?.linalg_solve_triangular(&ga, false, false, false)?;
        let zeros = Tensor::zeros_on(&with_tail(batch_of(&ga), &[m, n - m]), ga.dtype(), ga.device())?;
        let mut ga = cat(&[ga, zeros], -1)?;
        if let Some(gr) = gr {
            ga = ga.add(&q.matmul(gr)?)?;
        }
        Ok(ga)
    }
}

/// PyTorch's `linalg_eig_backward` for a symmetric A: the gradient from gL (`Some(gl)`,
/// `V diag(gL) V^T`) or from gV (`V (skew(V^T gV) / E) V^T`, `E_ij = L_j - L_i`).
fn eigh_backward(gl: Option<&Tensor>, gv: Option<&Tensor>, l: &Tensor, v: &Tensor) -> Result<Tensor> {
    let inner = match (gl, gv) {
        (Some(gl), None) => diag_matrix(gl)?,
        (None, Some(gv)) => {
            let x = v.mt()?.matmul(gv)?;
            let skew = x.sub(&x.mt()?)?.mul_scalar(0.5)?;
            let n = l.shape()[l.rank() - 1];
            let e = l.unsqueeze(-2)?.sub(&l.unsqueeze(-1)?)?.add(&Tensor::eye_on(n, n, l.dtype(), l.device())?)?;
            skew.div(&e)?
        }
        _ => unreachable!("exactly one gradient is given"),
    };
    v.matmul(&inner.matmul(&v.mt()?)?)
}

/// `"linalg_eigh_cpu" not implemented for 'Long'` and the other checks of eigh / eigvalsh.
fn check_eigh_input(a: &Tensor, uplo: &str) -> Result<()> {
    check_matrix(a, "linalg.eigh", "A")?;
    check_square(a, "linalg.eigh", "A")?;
    if uplo != "L" && uplo != "U" {
        return Err(Error::Runtime(format!("Expected UPLO argument to be 'L' or 'U', but got {uplo}")));
    }
    if !a.dtype().is_float() {
        return Err(Error::NotImplemented(format!("\"linalg_eigh_cpu\" not implemented for '{}'", dtype_title(a.dtype()))));
    }
    Ok(())
}

/// The raw eigendecomposition: ascending eigenvalues and (when `vectors`) column-major
/// eigenvectors of the triangle `uplo` of `a`.
fn eigh_raw(a: &Tensor, uplo: &str, vectors: bool) -> Result<(Tensor, Option<Tensor>)> {
    let n = mn(a).0;
    let batch = batch_of(a);
    let w = empty_like_dtype(a, &with_tail(batch, &[n]))?;
    let v = if vectors { Some(col_major(a, batch, n, n)?) } else { None };
    let info = int32(a, batch)?;
    // UPLO='U' reads the upper triangle: the lower triangle of A^T
    let src = if uplo == "U" { a.mt()? } else { a.clone() };
    backend::eigh(&src, &w, v.as_ref(), &info)?;
    check_info(&info, "linalg.eigh", a.rank() > 2, |_| {
        format!("The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated eigenvalues (error code: {}).", n.max(1))
    })?;
    Ok((w, v))
}

impl Tensor {
    /// `linalg.qr(A, mode='reduced')` -> `(Q, R)`: Householder QR of `(*, m, n)` matrices, R's
    /// diagonal signs as LAPACK's. Differentiable for 'reduced', and for 'complete' when
    /// m <= n (PyTorch's rules; the errors come at backward).
    pub fn linalg_qr(&self, mode: QrMode) -> Result<(Tensor, Tensor)> {
        check_matrix(self, "linalg.qr", "A")?;
        check_float(self, "linalg.qr")?;
        let (m, n) = mn(self);
        let k = m.min(n);
        let batch = batch_of(self);
        let (qcols, rrows) = match mode {
            QrMode::Reduced => (k, k),
            QrMode::Complete => (m, m),
            QrMode::R => (0, k),
        };
        let r = col_major(self, batch, rrows, n)?;
        let q = if mode == QrMode::R {
            backend::qr(self, None, &r)?;
            empty_like_dtype(self, &[0])?
        } else {
            let q = col_major(self, batch, m, qcols)?;
            backend::qr(self, Some(&q), &r)?;
            q
        };
        if needs_grad(&[self]) {
            let saved = vec![self.clone(), q.detach(), r.detach()];
            for (is_q, out) in [(true, &q), (false, &r)] {
                record("LinalgQrBackward0", out, &[self], saved.clone(), move |s, g| {
                    if mode == QrMode::R {
                        return Err(Error::Runtime(
                            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.".into(),
                        ));
                    }
                    if mode == QrMode::Complete && m > n {
                        return Err(Error::Runtime("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.".into()));
                    }
                    let (q, r) = if is_grad_enabled() { s[0].linalg_qr(mode)? } else { (s[1].clone(), s[2].clone()) };
                    let ga = if is_q { qr_backward(Some(g), None, &q, &r)? } else { qr_backward(None, Some(g), &q, &r)? };
                    Ok(vec![Some(ga)])
                });
            }
        }
        Ok((q, r))
    }

    /// `linalg.eigh(A, UPLO='L')` -> `(eigenvalues, eigenvectors)`: ascending eigenvalues and
    /// orthonormal eigenvectors (columns) of symmetric matrices, from the `UPLO` triangle.
    /// Eigenvector signs are arbitrary, as in LAPACK. Differentiable (see the module docs).
    pub fn linalg_eigh(&self, uplo: &str) -> Result<(Tensor, Tensor)> {
        check_eigh_input(self, uplo)?;
        let (w, v) = eigh_raw(self, uplo, true)?;
        let v = v.expect("vectors were asked for");
        if needs_grad(&[self]) {
            let saved = vec![self.clone(), w.detach(), v.detach()];
            let uplo = uplo.to_string();
            for (is_l, out) in [(true, &w), (false, &v)] {
                let uplo = uplo.clone();
                record("LinalgEighBackward0", out, &[self], saved.clone(), move |s, g| {
                    let (w, v) = if is_grad_enabled() { s[0].linalg_eigh(&uplo)? } else { (s[1].clone(), s[2].clone()) };
                    let ga = if is_l { eigh_backward(Some(g), None, &w, &v)? } else { eigh_backward(None, Some(g), &w, &v)? };
                    Ok(vec![Some(ga)])
                });
            }
        }
        Ok((w, v))
    }

    /// `linalg.eigvalsh(A, UPLO='L')`: the ascending eigenvalues of symmetric matrices. Its
    /// gradient `V diag(gL) V^T` is exact, also at repeated eigenvalues.
    pub fn linalg_eigvalsh(&self, uplo: &str) -> Result<Tensor> {
        check_eigh_input(self, uplo)?;
        if !needs_grad(&[self]) {
            return Ok(eigh_raw(self, uplo, false)?.0);
        }
        let (w, v) = eigh_raw(self, uplo, true)?;
        let v = v.expect("vectors were asked for");
        let uplo = uplo.to_string();
        record("LinalgEighBackward0", &w, &[self], vec![self.clone(), v], move |s, g| {
            let v = if is_grad_enabled() { s[0].linalg_eigh(&uplo)?.1 } else { s[1].clone() };
            let l = g.clone();
            Ok(vec![Some(eigh_backward(Some(g), None, &l, &v)?)])
        });
        Ok(w)
    }
}
