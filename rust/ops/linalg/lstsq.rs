//! Least squares and the pseudoinverse: `linalg.lstsq`, `linalg.pinv`, `linalg.matrix_rank`.
//! Forwards through QR (`gels`) or the SVD (`gelsy`, `gelsd`, `gelss`: the minimum-norm
//! solution with singular values `<= rcond * s_max` dropped); backwards are PyTorch's
//! (`linalg_lstsq_backward`, `pinv_backward`), which go through `pinv(A)`.

use super::{batch_of, broadcast_batch, check_matrix, eps_of, expand_batch, mn, with_tail};
use crate::autograd::{is_grad_enabled, needs_grad, no_grad, record};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// `driver=` of `linalg.lstsq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LstsqDriver {
    /// QR, full rank assumed (no rank, no singular values).
    Gels,
    /// Complete orthogonal factorization in LAPACK (here the SVD): rank, no singular values.
    Gelsy,
    /// SVD (divide and conquer): rank and singular values.
    Gelsd,
    /// SVD: rank and singular values.
    Gelss,
}

impl LstsqDriver {
    /// Parses PyTorch's driver names (`None`: gelsy, the CPU default).
    pub fn parse(name: Option<&str>) -> Result<LstsqDriver> {
        match name {
            None | Some("gelsy") => Ok(LstsqDriver::Gelsy),
            Some("gels") => Ok(LstsqDriver::Gels),
            Some("gelsd") => Ok(LstsqDriver::Gelsd),
            Some("gelss") => Ok(LstsqDriver::Gelss),
            Some(_) => Err(Error::Runtime("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)".into())),
        }
    }
}

/// The result of `linalg.lstsq` (PyTorch's field names).
pub struct Lstsq {
    /// The least-squares solutions `(*, n, k)` (`(*, n)` for a vector B).
    pub solution: Tensor,
    /// Squared residual norms per column `(*, k)` when m > n and every matrix has full rank
    /// (not for gelsy); else an empty tensor.
    pub residuals: Tensor,
    /// Effective ranks (int64, batch shape); empty for gels.
    pub rank: Tensor,
    /// Singular values `(*, min(m, n))` for gelsd / gelss; else empty.
    pub singular_values: Tensor,
}

/// PyTorch's `pinv_backward`: the gradient of A from that of `pinv(A)`.
fn pinv_backward(g: &Tensor, pinv: &Tensor, a: &Tensor) -> Result<Tensor> {
    let (m, n) = mn(a);
    let pinvh = pinv.mt()?;
    let gh = g.mt()?;
    if m <= n {
        let k = gh.matmul(pinv)?;
        let kpinvh = k.matmul(&pinvh)?;
        pinv.matmul(&k)?.mt()?.neg()?.add(&kpinvh)?.sub(&a.matmul(pinv)?.matmul(&kpinvh)?)?.add(&pinvh.matmul(pinv)?.matmul(&gh.sub(&k.matmul(a)?)?)?)
    } else {
        let k = pinv.matmul(&gh)?;
        let pinvhk = pinvh.matmul(&k)?;
        k.matmul(pinv)?.mt()?.neg()?.add(&gh.sub(&a.matmul(&k)?)?.matmul(pinv)?.matmul(&pinvh)?)?.add(&pinvhk)?.sub(&pinvhk.matmul(pinv)?.matmul(a)?)
    }
}

/// PyTorch's default tolerances: `atol` 0, `rtol` eps * max(m, n) (0 where `atol` > 0).
fn tolerances(a: &Tensor, atol: Option<&Tensor>, rtol: Option<&Tensor>) -> Result<(Tensor, Tensor)> {
    let (m, n) = mn(a);
    let zero = Tensor::scalar(0.0.into(), DType::F64)?;
    let atol_t = atol.cloned().unwrap_or_else(|| zero.clone());
    let rtol_t = match rtol {
        Some(r) => r.clone(),
        None => {
            let default = Tensor::scalar((eps_of(a.dtype()) * m.max(n) as f64).into(), DType::F64)?;
            match atol {
                Some(at) => at.gt_t(&zero)?.where_t(&zero, &default)?,
                None => default,
            }
        }
    };
    Ok((atol_t, rtol_t))
}

/// `max(atol, rtol * smax)` broadcast against `(*, 1)`, in `dtype`.
fn threshold(atol: &Tensor, rtol: &Tensor, smax: &Tensor, dtype: DType) -> Result<Tensor> {
    atol.unsqueeze(-1)?.to_dtype(dtype)?.maximum(&rtol.unsqueeze(-1)?.to_dtype(dtype)?.mul(smax)?)
}

impl Tensor {
    /// `linalg.pinv(A, atol=None, rtol=None, hermitian=False)`: the Moore-Penrose
    /// pseudoinverse through the SVD (the eigendecomposition when `hermitian`), singular values
    /// `<= max(atol, rtol * s_max)` treated as zero. Differentiable (`pinv_backward`).
    pub fn linalg_pinv(&self, atol: Option<&Tensor>, rtol: Option<&Tensor>, hermitian: bool) -> Result<Tensor> {
        if self.rank() < 2 || !self.dtype().is_float() {
            return Err(Error::Runtime(format!(
                "linalg.pinv({}{:?}): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types",
                dtype_title(self.dtype()),
                self.shape()
            )));
        }
        let (m, n) = mn(self);
        let batch = batch_of(self);
        let out = no_grad(|| -> Result<Tensor> {
            if m == 0 || n == 0 {
                return Tensor::zeros_on(&with_tail(batch, &[n, m]), self.dtype(), self.device());
            }
            let (atol, rtol) = tolerances(self, atol, rtol)?;
            let zero = Tensor::wrapped_scalar(0.0.into());
            if !hermitian {
                let (u, s, vh) = self.linalg_svd(false)?;
                let tol = threshold(&atol, &rtol, &s.narrow(-1, 0, 1)?, s.dtype())?;
                let sinv = s.gt_t(&tol)?.where_t(&s.reciprocal()?, &zero)?;
                vh.mt()?.mul(&sinv.unsqueeze(-2)?)?.matmul(&u.mt()?)
            } else {
                let (w, u) = self.linalg_eigh("L")?;
                let wabs = w.abs()?;
                let tol = threshold(&atol, &rtol, &wabs.amax(Some(&[-1]), true)?, w.dtype())?;
                let winv = wabs.gt_t(&tol)?.where_t(&w.reciprocal()?, &zero)?;
                u.mul(&winv.unsqueeze(-2)?)?.matmul(&u.mt()?)
            }
        })?;
        if needs_grad(&[self]) {
            let (atol, rtol) = (atol.cloned(), rtol.cloned());
            record("LinalgPinvBackward0", &out, &[self], vec![self.clone(), out.detach()], move |s, g| {
                let pinv = if is_grad_enabled() { s[0].linalg_pinv(atol.as_ref(), rtol.as_ref(), hermitian)? } else { s[1].clone() };
                Ok(vec![Some(pinv_backward(g, &pinv, &s[0])?)])
            });
        }
        Ok(out)
    }

    /// `linalg.matrix_rank(A, atol=None, rtol=None, hermitian=False)`: the number of singular
    /// values (|eigenvalues| when `hermitian`) above `max(atol, rtol * s_max)`, int64.
    pub fn linalg_matrix_rank(&self, atol: Option<&Tensor>, rtol: Option<&Tensor>, hermitian: bool) -> Result<Tensor> {
        check_matrix(self, "torch.linalg.matrix_rank", "input")?;
        if !self.dtype().is_float() {
            return Err(Error::Runtime("This function doesn't handle types other than float and double".into()));
        }
        let (m, n) = mn(self);
        no_grad(|| {
            if m == 0 || n == 0 {
                return Tensor::zeros_on(batch_of(self), DType::I64, self.device());
            }
            let (atol, rtol) = tolerances(self, atol, rtol)?;
            let s = if hermitian { self.linalg_eigvalsh("L")?.abs()? } else { self.linalg_svdvals()? };
            let tol = threshold(&atol, &rtol, &s.amax(Some(&[-1]), true)?, s.dtype())?;
            s.gt_t(&tol)?.sum_dims(Some(&[-1]), false, Some(DType::I64))
        })
    }

    /// `linalg.lstsq(A, B, rcond=None, driver=None)`: least-squares solutions of `A X = B`
    /// (minimum norm when A is rank deficient, except for gels), batch dims broadcast; B may be
    /// a vector (one dim fewer than A). Differentiable in A and B through `solution` and
    /// `residuals` (PyTorch's formulas, through `pinv(A)`).
    pub fn linalg_lstsq(&self, b: &Tensor, rcond: Option<f64>, driver: LstsqDriver) -> Result<Lstsq> {
        const NAME: &str = "torch.linalg.lstsq";
        let a = self;
        if a.rank() < 2 {
            return Err(Error::Runtime(format!("{NAME}: input must have at least 2 dimensions.")));
        }
        if b.rank() < 1 {
            return Err(Error::Runtime(format!("{NAME}: other must have at least 1 dimension.")));
        }
        if a.dtype() != b.dtype() {
            return Err(Error::Runtime(format!(
                "{NAME}: Expected input and other to have the same dtype, but got input's dtype {} and other's dtype {}",
                dtype_title(a.dtype()),
                dtype_title(b.dtype())
            )));
        }
        let diff = a.rank() as isize - b.rank() as isize;
        if !(0..=1).contains(&diff) {
            return Err(Error::Runtime(format!("{NAME}: input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1")));
        }
        let vector = diff == 1;
        let b_ = if vector { b.unsqueeze(-1)? } else { b.clone() };
        let (m, n) = mn(a);
        if b_.shape()[b_.rank() - 2] != m {
            return Err(Error::Runtime(format!("{NAME}: input.size(-2) should match other.size({})", if vector { -1 } else { -2 })));
        }
        if !a.dtype().is_float() {
            return Err(Error::Runtime("This function doesn't handle types other than float and double".into()));
        }
        let batch = broadcast_batch(batch_of(a), batch_of(&b_))?;
        let (ae, be) = (expand_batch(a, &batch)?, expand_batch(&b_, &batch)?);
        let k = mn(&b_).1;
        let eps = eps_of(a.dtype());
        let rcond = match rcond {
            Some(r) if r >= 0.0 => r,
            Some(_) => eps,
            None => eps * m.max(n) as f64,
        };
        let empty = |dt: DType| Tensor::empty_on(&[0], dt, a.device());
        let (x_, rank, sv) = no_grad(|| -> Result<(Tensor, Option<Tensor>, Option<Tensor>)> {
            if m == 0 || n == 0 {
                let x = Tensor::zeros_on(&with_tail(&batch, &[n, k]), a.dtype(), a.device())?;
                return Ok((x, Some(Tensor::zeros_on(&batch, DType::I64, a.device())?), Some(Tensor::zeros_on(&with_tail(&batch, &[0]), a.dtype(), a.device())?)));
            }
            if driver == LstsqDriver::Gels {
                let x = if m >= n {
                    let (q, r) = ae.linalg_qr(super::qr_eigh::QrMode::Reduced)?;
                    r.linalg_solve_triangular(&q.mt()?.matmul(&be)?, true, true, false)?
                } else {
                    // A^T = Q R: the minimum-norm solution Q R^-T B
                    let (q, r) = ae.mt()?.linalg_qr(super::qr_eigh::QrMode::Reduced)?;
                    q.matmul(&r.mt()?.linalg_solve_triangular(&be, false, true, false)?)?
                };
                return Ok((x, None, None));
            }
            let (u, s, vh) = ae.linalg_svd(false)?;
            let tol = s.narrow(-1, 0, 1)?.mul_scalar(rcond)?;
            let keep = s.gt_t(&tol)?;
            let sinv = keep.where_t(&s.reciprocal()?, &Tensor::wrapped_scalar(0.0.into()))?;
            let x = vh.mt()?.matmul(&sinv.unsqueeze(-1)?.mul(&u.mt()?.matmul(&be)?)?)?;
            let rank = keep.sum_dims(Some(&[-1]), false, Some(DType::I64))?;
            Ok((x, Some(rank), Some(s)))
        })?;
        let full_rank = match &rank {
            Some(r) => r.to_vec::<i64>()?.iter().all(|&v| v == n as i64),
            None => true,
        };
        let residuals = if m > n && full_rank && driver != LstsqDriver::Gelsy {
            no_grad(|| ae.matmul(&x_)?.sub(&be)?.square()?.sum_dims(Some(&[-2]), false, None))?
        } else {
            empty(a.dtype())?
        };
        let solution = if vector { x_.squeeze(Some(&[-1]))? } else { x_.clone() };
        if needs_grad(&[a, b]) {
            let saved = vec![a.clone(), b.clone(), x_.detach()];
            record("LinalgLstsqBackward0", &solution, &[a, b], saved.clone(), move |s, g| {
                let (a, b) = (&s[0], &s[1]);
                let b_ = if vector { b.unsqueeze(-1)? } else { b.clone() };
                let gx = if vector { g.unsqueeze(-1)? } else { g.clone() };
                let pinv = a.linalg_pinv(None, None, false)?;
                let ga = pinv_backward(&gx.matmul(&b_.mt()?)?, &pinv, a)?;
                let gb = pinv.mt()?.matmul(&gx)?;
                Ok(vec![Some(ga), Some(if vector { gb.squeeze(Some(&[-1]))? } else { gb })])
            });
            if residuals.numel() > 0 {
                record("LinalgLstsqBackward0", &residuals, &[a, b], saved, move |s, gl| {
                    let (a, b) = (&s[0], &s[1]);
                    let b_ = if vector { b.unsqueeze(-1)? } else { b.clone() };
                    let x = if is_grad_enabled() {
                        let x = a.linalg_lstsq(b, Some(rcond), driver)?.solution;
                        if vector { x.unsqueeze(-1)? } else { x }
                    } else {
                        s[2].clone()
                    };
                    let r = a.matmul(&x)?.sub(&b_)?;
                    let gl = gl.unsqueeze(-2)?;
                    let ga = gl.mul(&r)?.matmul(&x.mt()?)?.mul_scalar(2.0)?;
                    let gb = gl.mul(&r)?.mul_scalar(-2.0)?;
                    Ok(vec![Some(ga), Some(if vector { gb.squeeze(Some(&[-1]))? } else { gb })])
                });
            }
        }
        let (rank, singular_values) = match driver {
            LstsqDriver::Gels => (empty(DType::I64)?, empty(a.dtype())?),
            LstsqDriver::Gelsy => (rank.expect("svd drivers give a rank"), empty(a.dtype())?),
            _ => (rank.expect("svd drivers give a rank"), sv.expect("svd drivers give singular values")),
        };
        Ok(Lstsq { solution, residuals, rank, singular_values })
    }
}
