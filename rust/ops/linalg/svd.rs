//! `linalg.svd` and `linalg.svdvals`: one forward (`backend::linalg::svd`) with three
//! differentiable outputs. Its backward (PyTorch's `svd_backward`) is linear in the three
//! output gradients, so each output records its own node holding its share: `U diag(gS) Vh`
//! for S, the skew-symmetric `F`-matrix terms for U and Vh. The engine adds the shares.
//! As in PyTorch the U/Vh gradients assume distinct singular values (repeated ones give
//! inf/NaN) and, for rectangular inputs, full rank; the gradient of the singular values
//! alone is exact everywhere.

use super::{batch_of, check_float, check_matrix, col_major, empty_like_dtype, int32, linalg_error, mn, with_tail};
use crate::autograd::{is_grad_enabled, needs_grad, record};
use crate::backend::linalg as backend;
use crate::error::Result;
use crate::tensor::Tensor;

/// What `svd_raw` computes besides the singular values.
#[derive(Clone, Copy, PartialEq)]
enum SvdMode {
    Values,
    Reduced,
    Full,
}

/// The raw (no autograd) batched SVD of `a` (rank >= 2, float) in `mode`: U column-major
/// (`(*, m, k)` or `(*, m, m)`), S `(*, k)`, Vh row-major (`(*, k, n)` or `(*, n, n)`); U and Vh
/// are empty `(0,)` tensors for `Values`.
fn svd_raw(a: &Tensor, mode: SvdMode) -> Result<(Tensor, Tensor, Tensor)> {
    let (m, n) = mn(a);
    let k = m.min(n);
    let batch = batch_of(a);
    let s = empty_like_dtype(a, &with_tail(batch, &[k]))?;
    let info = int32(a, batch)?;
    let (u, vh) = match mode {
        SvdMode::Values => {
            backend::svd(a, None, &s, None, &info)?;
            (empty_like_dtype(a, &[0])?, empty_like_dtype(a, &[0])?)
        }
        _ => {
            let (uc, vr) = if mode == SvdMode::Full { (m, n) } else { (k, k) };
            // U column-major, Vh row-major: faer writes U and V = Vh^T column-major
            let u = col_major(a, batch, m, uc)?;
            let vh = empty_like_dtype(a, &with_tail(batch, &[vr, n]))?;
            backend::svd(a, Some(&u), &s, Some(&vh), &info)?;
            (u, vh)
        }
    };
    if let Some((i, code)) = super::first_failure(&info)? {
        let msg = if code == 1 {
            "The algorithm failed to converge because the input matrix contained non-finite values.".to_string()
        } else {
            format!("The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values (error code: {}).", k.max(1))
        };
        return Err(linalg_error("linalg.svd", a.rank() > 2, i, &msg));
    }
    Ok((u, s, vh))
}

/// The checks of `linalg.svd` / `svdvals`.
fn check_svd_input(a: &Tensor) -> Result<()> {
    check_matrix(a, "linalg.svd", "A")?;
    check_float(a, "linalg.svd")
}

/// PyTorch's `svd_backward` for the reduced factors (U: m x k, S: k, Vh: k x n):
/// the gradient of A given any of the output gradients.
fn svd_backward(gu: Option<&Tensor>, gs: Option<&Tensor>, gvh: Option<&Tensor>, u: &Tensor, s: &Tensor, vh: &Tensor) -> Result<Tensor> {
    let m = u.shape()[u.rank() - 2];
    let n = vh.shape()[vh.rank() - 1];
    let k = s.shape()[s.rank() - 1];
    if gu.is_none() && gvh.is_none() {
        let gs = match gs {
            Some(g) => g,
            None => return u.matmul(vh)?.mul(&Tensor::wrapped_scalar(0.0.into())),
        };
        return if m >= n { u.matmul(&gs.unsqueeze(-1)?.mul(vh)?) } else { u.mul(&gs.unsqueeze(-2)?)?.matmul(vh) };
    }
    let skew = |x: Tensor| -> Result<Tensor> { x.sub(&x.mt()?) };
    let uhgu = gu.map(|g| skew(u.mt()?.matmul(g)?)).transpose()?;
    let vhgv = gvh.map(|g| skew(vh.matmul(&g.mt()?)?)).transpose()?;
    let s2 = s.mul(s)?;
    // E_ij = s_j^2 - s_i^2, with ones on the diagonal (where the numerators are 0)
    let e = s2.unsqueeze(-2)?.sub(&s2.unsqueeze(-1)?)?.add(&Tensor::eye_on(k, k, s.dtype(), s.device())?)?;
    let mut ret = match (&uhgu, &vhgv) {
        (Some(a), Some(b)) => a.mul(&s.unsqueeze(-2)?)?.add(&s.unsqueeze(-1)?.mul(b)?)?.div(&e)?,
        (Some(a), None) => a.mul(&s.unsqueeze(-2)?.div(&e)?)?,
        (None, Some(b)) => s.unsqueeze(-1)?.mul(&b.div(&e)?)?,
        (None, None) => unreachable!("one of gU, gVh is given here"),
    };
    if let Some(gs) = gs {
        ret = ret.add(&gs.diag_embed(0, -2, -1)?)?;
    }
    match (gu, gvh) {
        (Some(gu), _) if m > n => {
            // gA = [U gA + (I - U U^T) gU S^-1] Vh
            let gusinv = gu.div(&s.unsqueeze(-2)?)?;
            let ga = u.matmul(&ret)?.add(&gusinv)?.sub(&u.matmul(&u.mt()?.matmul(&gusinv)?)?)?;
            ga.matmul(vh)
        }
        (_, Some(gvh)) if m < n => {
            // gA = U [gA Vh + S^-1 gVh (I - V Vh)]
            let sinvgvh = gvh.div(&s.unsqueeze(-1)?)?;
            let ga = ret.matmul(vh)?.add(&sinvgvh)?.sub(&sinvgvh.matmul(&vh.mt()?)?.matmul(vh)?)?;
            u.matmul(&ga)
        }
        _ if m >= n => u.matmul(&ret.matmul(vh)?),
        _ => u.matmul(&ret)?.matmul(vh),
    }
}

/// Which output of the SVD a backward node belongs to.
#[derive(Clone, Copy)]
enum Part {
    U,
    S,
    Vh,
}

impl Tensor {
    /// `linalg.svd(A, full_matrices=True)` -> (U, S, Vh) with `A = U[..., :k] diag(S) Vh[..., :k, :]`,
    /// S descending. Batched over leading dims; float32 and float64. Differentiable (PyTorch's
    /// formula: the gradients of the completed columns of a full U/Vh are ignored).
    pub fn linalg_svd(&self, full_matrices: bool) -> Result<(Tensor, Tensor, Tensor)> {
        check_svd_input(self)?;
        let mode = if full_matrices { SvdMode::Full } else { SvdMode::Reduced };
        let (u, s, vh) = svd_raw(self, mode)?;
        if needs_grad(&[self]) {
            let k = s.shape()[s.rank() - 1];
            let saved = vec![self.clone(), u.detach(), s.detach(), vh.detach()];
            for (part, out, name) in [(Part::U, &u, "LinalgSvdBackward0"), (Part::S, &s, "LinalgSvdBackward0"), (Part::Vh, &vh, "LinalgSvdBackward0")] {
                record(name, out, &[self], saved.clone(), move |sv, g| {
                    // under create_graph, recompute the factors differentiably from A
                    let (u, s, vh) = if is_grad_enabled() {
                        sv[0].linalg_svd(full_matrices)?
                    } else {
                        (sv[1].clone(), sv[2].clone(), sv[3].clone())
                    };
                    let (u, vh) = if full_matrices { (u.narrow(-1, 0, k as isize)?, vh.narrow(-2, 0, k as isize)?) } else { (u, vh) };
                    let ga = match part {
                        Part::U => {
                            let g = if full_matrices { g.narrow(-1, 0, k as isize)? } else { g.clone() };
                            svd_backward(Some(&g), None, None, &u, &s, &vh)?
                        }
                        Part::S => svd_backward(None, Some(g), None, &u, &s, &vh)?,
                        Part::Vh => {
                            let g = if full_matrices { g.narrow(-2, 0, k as isize)? } else { g.clone() };
                            svd_backward(None, None, Some(&g), &u, &s, &vh)?
                        }
                    };
                    Ok(vec![Some(ga)])
                });
            }
        }
        Ok((u, s, vh))
    }

    /// `linalg.svdvals(A)`: the singular values, descending, batched. Its gradient
    /// `U diag(gS) Vh` is exact (also at repeated singular values).
    pub fn linalg_svdvals(&self) -> Result<Tensor> {
        check_svd_input(self)?;
        if !needs_grad(&[self]) {
            return Ok(svd_raw(self, SvdMode::Values)?.1);
        }
        let (u, s, vh) = svd_raw(self, SvdMode::Reduced)?;
        record("LinalgSvdBackward0", &s, &[self], vec![self.clone(), u, s.detach(), vh], move |sv, g| {
            let (u, s, vh) = if is_grad_enabled() { sv[0].linalg_svd(false)? } else { (sv[1].clone(), sv[2].clone(), sv[3].clone()) };
            Ok(vec![Some(svd_backward(None, Some(g), None, &u, &s, &vh)?)])
        });
        Ok(s)
    }
}
