//! General (LU-based) solvers: `linalg.solve(_ex)`, `linalg.inv(_ex)`, `linalg.det`,
//! `linalg.slogdet`, `logdet`. Backwards are PyTorch's, including `det` at singular
//! matrices (the SVD-based adjugate under `create_graph`, a perturbed LU otherwise).
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // linalg_solve
//! {
//!     use rgrad::Tensor;
//!     // 2x + y = 3, x + 3y = 5
//!     let a = Tensor::from_slice(&[2.0f64, 1.0, 1.0, 3.0], &[2, 2]).unwrap();
//!     let b = Tensor::from_slice(&[3.0f64, 5.0], &[2]).unwrap();
//!     let x = a.linalg_solve(&b, true).unwrap().to_vec::<f64>().unwrap();
//!     assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
//!     // a singular matrix is an error (PyTorch's LinAlgError)
//!     let s = Tensor::from_slice(&[1.0f64, 2.0, 2.0, 4.0], &[2, 2]).unwrap();
//!     assert!(s.linalg_solve(&b, true).is_err());
//! }
//! // linalg_det
//! {
//!     use rgrad::Tensor;
//!     let a = Tensor::from_slice(&[2.0f64, 1.0, 1.0, 3.0], &[2, 2]).unwrap();
//!     assert_eq!(a.linalg_det().unwrap().item().unwrap().to_f64(), 5.0);
//!     // batches: one determinant per matrix
//!     let batch = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0], &[2, 2, 2]).unwrap();
//!     assert_eq!(batch.linalg_det().unwrap().to_vec::<f32>().unwrap(), vec![1.0, -1.0]);
//! }
//! ```

use super::lu::{lu_factor_raw, lu_solve_raw};
use super::{batch_of, broadcast_batch, check_float, check_info, check_matrix, check_same_dtype, check_square, check_square_float, col_major, diag_matrix, eps_of, int32, mn, with_tail};
use crate::autograd::{is_grad_enabled, needs_grad, no_grad, record};
use crate::backend::linalg as backend;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::join::cat;
use crate::tensor::Tensor;

/// NumPy's rule (PyTorch's `linalg_solve_is_vector_rhs`): B is a vector right-hand side when
/// it is 1-D, or has A's shape without the last dim.
pub(crate) fn is_vector_rhs(a: &Tensor, b: &Tensor) -> bool {
    b.rank() == 1 || (a.rank() >= 1 && a.rank() - 1 == b.rank() && b.shape() == &a.shape()[..a.rank() - 1])
}

/// `+1` / `-1`: the sign of the row permutation of LAPACK pivots `(*, k)`, in `dtype`.
fn permutation_sign(piv: &Tensor, dtype: DType) -> Result<Tensor> {
    let k = piv.shape()[piv.rank() - 1];
    let steps = Tensor::arange_on(1.0, k as f64 + 1.0, 1.0, DType::I32, piv.device())?;
    let swaps = piv.ne_t(&steps)?.sum_dims(Some(&[-1]), false, Some(dtype))?;
    // 1 - 2 (swaps mod 2)
    swaps.remainder(&Tensor::wrapped_scalar(2.0.into()))?.mul_scalar(-2.0)?.add_scalar(1.0)
}

/// Applies `f_true` to the batch elements where `mask` holds and `f_false` to the others,
/// reassembling one result (PyTorch's `masked_fmap`; differentiable). `a`, `d` are
/// `(*, n, n)`, `g` has the batch shape, `mask` is bool of the batch shape.
fn masked_fmap(mask: &Tensor, f_true: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>, f_false: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>, a: &Tensor, d: &Tensor, g: &Tensor) -> Result<Tensor> {
    let m: Vec<bool> = mask.to_vec::<bool>()?;
    if m.iter().all(|&x| x) {
        return f_true(a, d, g);
    }
    if !m.iter().any(|&x| x) {
        return f_false(a, d, g);
    }
    let n = mn(a).0 as isize;
    let (af, df, gf) = (a.reshape(&[-1, n, n])?, d.reshape(&[-1, n, n])?, g.reshape(&[-1])?);
    let idx = |want: bool| -> Result<Tensor> {
        let v: Vec<i64> = m.iter().enumerate().filter(|&(_, &x)| x == want).map(|(i, _)| i as i64).collect();
        Tensor::from_slice_on(&v, &[v.len()], a.device())
    };
    let (it, ifl) = (idx(true)?, idx(false)?);
    let pick = |x: &Tensor, i: &Tensor| x.index_select(0, i);
    let rt = f_true(&pick(&af, &it)?, &pick(&df, &it)?, &pick(&gf, &it)?)?;
    let rf = f_false(&pick(&af, &ifl)?, &pick(&df, &ifl)?, &pick(&gf, &ifl)?)?;
    let order = cat(&[it, ifl], 0)?.argsort(0, false, true)?;
    cat(&[rt, rf], 0)?.index_select(0, &order)?.reshape(&a.shape().iter().map(|&s| s as isize).collect::<Vec<_>>())
}

/// PyTorch's `prod_safe_zeros_backward` along the last dim: `grad * prod_{j != i} x_j`
/// without dividing (exclusive products from both ends), so zeros in `x` are fine.
fn prod_safe_zeros_backward(grad: &Tensor, x: &Tensor) -> Result<Tensor> {
    let k = x.shape()[x.rank() - 1];
    if x.numel() == 0 {
        return grad.expand_to(x.shape());
    }
    if k == 1 {
        return grad.expand_to(x.shape());
    }
    let mut ones_shape = x.shape().to_vec();
    *ones_shape.last_mut().expect("rank >= 1") = 1;
    let ones = Tensor::ones_on(&ones_shape, x.dtype(), x.device())?;
    let km = k as isize - 1;
    let normal = cat(&[ones.clone(), x.narrow(-1, 0, km)?], -1)?.cumprod(-1, None)?;
    let reverse = cat(&[ones, x.narrow(-1, 1, km)?.flip(&[-1])?], -1)?.cumprod(-1, None)?.flip(&[-1])?;
    grad.mul(&normal.mul(&reverse)?)
}

/// PyTorch's `linalg_det_backward` (see the module docs).
fn det_backward(g: &Tensor, a: &Tensor, saved_det: &Tensor, lu: &Tensor, piv: &Tensor) -> Result<Tensor> {
    if a.numel() == 0 {
        return super::zeros_as(a);
    }
    let n = mn(a).0;
    let eps = eps_of(a.dtype());
    if !is_grad_enabled() {
        // A^-T (grad det) through the LU, a zero pivot nudged to eps: det is C^1, so this is the
        // limit of the gradient at nearby invertible matrices
        let d = diag_matrix(&g.mul(saved_det)?.unsqueeze(-1)?.expand_to(&with_tail(batch_of(a), &[n]))?)?;
        let dg = lu.diagonal(0, -2, -1)?;
        let bump = dg.eq_t(&Tensor::wrapped_scalar(0.0.into()))?.to_dtype(a.dtype())?.mul_scalar(eps)?;
        let lu_ = lu.add(&diag_matrix(&bump)?)?;
        return lu_solve_raw(&lu_, piv, &d, true, true);
    }
    let det = a.linalg_det()?;
    let d = diag_matrix(&g.mul(&det)?.unsqueeze(-1)?.expand_to(&with_tail(batch_of(a), &[n]))?)?;
    let nonsingular = |a: &Tensor, d: &Tensor, _g: &Tensor| a.mt()?.linalg_solve(d, true);
    // the adjugate through the SVD (https://nhigham.com/2020/06/16/what-is-the-adjugate-of-a-matrix/)
    let singular = |a: &Tensor, _d: &Tensor, g: &Tensor| -> Result<Tensor> {
        let (u, s, vh) = a.linalg_svd(true)?;
        let alpha = u.linalg_det()?.mul(&vh.linalg_det()?)?.mul(g)?;
        let dd = prod_safe_zeros_backward(&alpha.unsqueeze(-1)?, &s)?;
        u.mul(&dd.unsqueeze(-2)?)?.matmul(&vh)
    };
    let mask = det.detach().abs()?.lt_t(&Tensor::wrapped_scalar((100.0 * eps).into()))?;
    masked_fmap(&mask, singular, nonsingular, a, &d, g)
}

impl Tensor {
    /// `linalg.solve_ex(A, B, left=True, check_errors=False)` -> `(result, info)`: solves
    /// `A X = B` (`X A = B` when `left=False`) through an LU factorization of A; B may be a
    /// vector (1-D, or A's shape without the last dim); batch dims broadcast. `info` is the
    /// LU's (0, or the first zero pivot). Differentiable in A and B.
    pub fn linalg_solve_ex(&self, b: &Tensor, left: bool, check_errors: bool) -> Result<(Tensor, Tensor)> {
        self.solve_impl(b, left, if check_errors { Some("torch.linalg.solve_ex") } else { None })
    }

    /// `linalg.solve(A, B, left=True)`: as `solve_ex`, raising `LinAlgError` for a singular A.
    ///
    /// `left`: solve `A X = B` (true) or `X A = B` (false).
    pub fn linalg_solve(&self, b: &Tensor, left: bool) -> Result<Tensor> {
        Ok(self.solve_impl(b, left, Some("torch.linalg.solve"))?.0)
    }

    fn solve_impl(&self, b: &Tensor, left: bool, check: Option<&str>) -> Result<(Tensor, Tensor)> {
        const NAME: &str = "linalg.solve";
        let a = self;
        check_float(a, NAME)?;
        check_same_dtype(a, b, NAME, "A", "B")?;
        let vector = is_vector_rhs(a, b);
        let b_ = if vector { b.unsqueeze(-1)? } else { b.clone() };
        check_square(a, NAME, "A")?;
        check_matrix(&b_, NAME, "B")?;
        let n = mn(a).0;
        let (bm, bn) = mn(&b_);
        if (left && bm != n) || (!left && bn != n) {
            return Err(Error::Runtime(format!(
                "{NAME}: Incompatible shapes of A and B for the equation {} ({n}x{n} and {bm}x{bn})",
                if left { "AX = B" } else { "XA = B" }
            )));
        }
        let batch = broadcast_batch(batch_of(a), batch_of(&b_))?;
        if !left && vector {
            return Err(Error::Runtime(format!(
                "{NAME}: Vector broadcasting of the left hand side is not supported for left=False. In this case linalg.solve is equivalent to B / A.squeeze(-1)"
            )));
        }
        let (lu, piv, info) = lu_factor_raw(a)?;
        let info = if batch_of(a) == batch.as_slice() { info } else { info.expand_to(&batch)?.contiguous()? };
        if let Some(api) = check {
            check_info(&info, api, a.rank() > 2, |_| "The solver failed because the input matrix is singular.".into())?;
        }
        let x_ = lu_solve_raw(&lu, &piv, &b_, left, false)?;
        let x = if vector { x_.squeeze(Some(&[-1]))? } else { x_.clone() };
        if needs_grad(&[a, b]) {
            let saved = vec![a.clone(), b.clone(), lu, piv, x_.detach()];
            record("LinalgSolveExBackward0", &x, &[a, b], saved, move |s, g| {
                let (a, b) = (&s[0], &s[1]);
                let g_ = if vector { g.unsqueeze(-1)? } else { g.clone() };
                let (gb, x) = if is_grad_enabled() {
                    // recompute X and solve with A^T differentiably, for higher-order gradients
                    let x = a.linalg_solve(b, left)?;
                    let x = if vector { x.unsqueeze(-1)? } else { x };
                    (a.mt()?.linalg_solve(&g_, left)?, x)
                } else {
                    (lu_solve_raw(&s[2], &s[3], &g_, left, true)?, s[4].clone())
                };
                let ga = if left { gb.matmul(&x.mt()?)?.neg()? } else { x.mt()?.matmul(&gb)?.neg()? };
                let gb = if vector { gb.squeeze(Some(&[-1]))? } else { gb };
                Ok(vec![Some(ga), Some(gb)])
            });
        }
        Ok((x, info))
    }

    /// `linalg.inv_ex(A, check_errors=False)` -> `(inverse, info)` (through LU: `getrf`, then
    /// the inverse; a singular A gives inf / NaN entries and its first zero pivot in `info`).
    pub fn linalg_inv_ex(&self, check_errors: bool) -> Result<(Tensor, Tensor)> {
        self.inv_impl(if check_errors { Some("linalg.inv_ex") } else { None })
    }

    /// `linalg.inv(A)`: raises `LinAlgError` naming the zero pivot of a singular A.
    pub fn linalg_inv(&self) -> Result<Tensor> {
        Ok(self.inv_impl(Some("linalg.inv"))?.0)
    }

    fn inv_impl(&self, check: Option<&str>) -> Result<(Tensor, Tensor)> {
        check_square_float(self, "linalg.inv")?;
        let n = mn(self).0;
        let batch = batch_of(self);
        let out = col_major(self, batch, n, n)?;
        let info = int32(self, batch)?;
        backend::inverse(self, &out, &info)?;
        if let Some(api) = check {
            check_info(&info, api, self.rank() > 2, |c| format!("The diagonal element {c} is zero, the inversion could not be completed because the input matrix is singular."))?;
        }
        if needs_grad(&[self]) {
            record("LinalgInvExBackward0", &out, &[self], vec![self.clone(), out.detach()], |s, g| {
                let inv = if is_grad_enabled() { s[0].linalg_inv()? } else { s[1].clone() };
                // d(A^-1) = -A^-1 dA A^-1
                let it = inv.mt()?;
                Ok(vec![Some(it.matmul(&g.matmul(&it)?)?.neg()?)])
            });
        }
        Ok((out, info))
    }

    /// `linalg.det(A)` (through LU). Its gradient is PyTorch's: `det A^-T` scaled by the
    /// output gradient, and at singular matrices the adjugate (zero where the LU has an exact
    /// zero pivot and no higher order is asked; through the SVD under `create_graph`).
    pub fn linalg_det(&self) -> Result<Tensor> {
        check_square_float(self, "linalg.det")?;
        let (det, lu, piv) = no_grad(|| -> Result<_> {
            let (lu, piv, _) = lu_factor_raw(self)?;
            let det = lu.diagonal(0, -2, -1)?.prod_dims(Some(&[-1]), false, None)?.mul(&permutation_sign(&piv, self.dtype())?)?;
            Ok((det, lu, piv))
        })?;
        if needs_grad(&[self]) {
            record("LinalgDetBackward0", &det, &[self], vec![self.clone(), det.detach(), lu, piv], |s, g| Ok(vec![Some(det_backward(g, &s[0], &s[1], &s[2], &s[3])?)]));
        }
        Ok(det)
    }

    /// `linalg.slogdet(A)` -> `(sign, logabsdet)` (through LU; a singular A gives sign 0 and
    /// logabsdet -inf). `logabsdet` is differentiable (`A^-T` scaled by its gradient).
    pub fn linalg_slogdet(&self) -> Result<(Tensor, Tensor)> {
        self.slogdet_impl("linalg.slogdet")
    }

    fn slogdet_impl(&self, name: &str) -> Result<(Tensor, Tensor)> {
        check_square_float(self, name)?;
        let (sign, logabs, lu, piv) = no_grad(|| -> Result<_> {
            let (lu, piv, _) = lu_factor_raw(self)?;
            let diag = lu.diagonal(0, -2, -1)?;
            let sign = diag.sign()?.prod_dims(Some(&[-1]), false, None)?.mul(&permutation_sign(&piv, self.dtype())?)?;
            let logabs = diag.abs()?.log()?.sum_dims(Some(&[-1]), false, None)?;
            Ok((sign, logabs, lu, piv))
        })?;
        if needs_grad(&[self]) {
            record("LinalgSlogdetBackward0", &logabs, &[self], vec![self.clone(), lu, piv], |s, g| {
                let n = mn(&s[0]).0;
                let d = diag_matrix(&g.unsqueeze(-1)?.expand_to(&with_tail(batch_of(&s[0]), &[n]))?)?;
                let ga = if is_grad_enabled() { s[0].mt()?.linalg_solve(&d, true)? } else { lu_solve_raw(&s[1], &s[2], &d, true, true)? };
                Ok(vec![Some(ga)])
            });
        }
        Ok((sign, logabs))
    }

    /// `logdet(A)`: `log det A`, NaN for a negative determinant and -inf for a singular A.
    pub fn logdet(&self) -> Result<Tensor> {
        check_matrix(self, "logdet", "A")?;
        check_square(self, "logdet", "A")?;
        check_float(self, "logdet")?;
        let (sign, logabs) = self.slogdet_impl("logdet")?;
        let negative = sign.detach().eq_t(&Tensor::wrapped_scalar((-1.0).into()))?;
        negative.where_t(&Tensor::wrapped_scalar(f64::NAN.into()).to_dtype(logabs.dtype())?, &logabs)
    }
}
