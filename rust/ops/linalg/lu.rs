//! The LU family: `linalg.lu_factor(_ex)`, `linalg.lu`, `lu_unpack`, `linalg.lu_solve`.
//! Factors are LAPACK's: `A = P L U`, pivots int32 1-based row interchanges, `info` the
//! 1-based index of the first zero pivot. Backwards are PyTorch's (`linalg_lu_backward`,
//! `lu_factor_ex_backward`, `lu_unpack_backward`, `linalg_lu_solve_LU`).

use super::{batch_of, broadcast_batch, check_float, check_matrix, check_same_dtype, col_major, expand_batch, first_failure, int32, mn, with_tail};
use crate::autograd::{is_grad_enabled, needs_grad, no_grad, record};
use crate::backend::linalg as backend;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::join::cat;
use crate::tensor::{dtype_title, Tensor};

/// PyTorch's message for a zero pivot seen by `lu_factor` (a plain RuntimeError there).
fn lu_factor_error(api: &str, batched: bool, index: usize, code: i32) -> Error {
    let b = if batched { format!(": (Batch element {index})") } else { String::new() };
    Error::Runtime(format!(
        "{api}{b}: U[{code},{code}] is zero and using it on lu_solve would result in a division by zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
    ))
}

/// The raw (no autograd) LU factorization of `a`: (LU column-major, pivots, info).
pub(crate) fn lu_factor_raw(a: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    let (m, n) = mn(a);
    let batch = batch_of(a);
    let lu = col_major(a, batch, m, n)?;
    let piv = int32(a, &with_tail(batch, &[m.min(n)]))?;
    let info = int32(a, batch)?;
    backend::lu_factor(a, &lu, &piv, &info)?;
    Ok((lu, piv, info))
}

/// `L` (unit lower, `m x k`) and `U` (upper, `k x n`) of a packed factorization (differentiable
/// views and masks, no pivots involved).
fn split_lu(lu: &Tensor) -> Result<(Tensor, Tensor)> {
    let (m, n) = mn(lu);
    let k = m.min(n) as isize;
    let l = lu.narrow(-1, 0, k)?.tril(-1)?.add(&Tensor::eye_on(m, k as usize, lu.dtype(), lu.device())?)?;
    let u = lu.narrow(-2, 0, k)?.triu(0)?;
    Ok((l, u))
}

/// The permutation matrices `P` (`(*, m, m)`, `dtype`) of the pivots of an `m`-row factorization.
fn permutation(piv: &Tensor, m: usize, dtype: DType, name: &str) -> Result<Tensor> {
    let batch = &piv.shape()[..piv.rank() - 1];
    let p = Tensor::empty_on(&with_tail(batch, &[m, m]), dtype, piv.device())?;
    backend::pivots_to_permutation(piv, &p, name)?;
    Ok(p)
}

/// PyTorch's `linalg_lu_backward`: the gradient of A from those of L (`m x k`) and U (`k x n`).
fn lu_backward(gl: Option<&Tensor>, gu: Option<&Tensor>, p: &Tensor, l: &Tensor, u: &Tensor) -> Result<Tensor> {
    let (m, n) = (l.shape()[l.rank() - 2], u.shape()[u.rank() - 1]);
    let k = m.min(n) as isize;
    let ga = if m == n {
        // P L^-H [L^H gL o 1_L + gU U^H o 1_U] U^-H
        let mut ga = match gl {
            Some(g) => Some(l.mt()?.matmul(g)?.tril(-1)?),
            None => None,
        };
        if let Some(g) = gu {
            let t = g.matmul(&u.mt()?)?.triu(0)?;
            ga = Some(match ga {
                Some(x) => x.add(&t)?,
                None => t,
            });
        }
        let ga = ga.expect("one gradient is given");
        let ga = u.mt()?.linalg_solve_triangular(&ga, false, false, false)?;
        l.mt()?.linalg_solve_triangular(&ga, true, true, true)?
    } else if m < n {
        // wide: A1 = P L^-H [U1_grad + (L^H gL o 1_L - gU U^H o 1_U) U1^-H], A2 = P L^-H gU2
        let u1 = u.narrow(-1, 0, k)?;
        let mut ga = match gl {
            Some(g) => Some(l.mt()?.matmul(g)?),
            None => None,
        };
        if let Some(g) = gu {
            let t = g.triu(0)?.matmul(&u.mt()?)?;
            ga = Some(match ga {
                Some(x) => x.sub(&t)?,
                None => t.neg()?,
            });
        }
        let ga = ga.expect("one gradient is given").tril(-1)?;
        let mut ga = u1.mt()?.linalg_solve_triangular(&ga, false, false, false)?;
        if let Some(g) = gu {
            ga = cat(&[ga.add(&g.narrow(-1, 0, k)?.triu(0)?)?, g.narrow(-1, k, n as isize - k)?], -1)?;
        }
        let mut ga = l.mt()?.linalg_solve_triangular(&ga, true, true, true)?;
        if gu.is_none() {
            let z = super::zeros_as(&u.narrow(-1, k, n as isize - k)?)?;
            ga = cat(&[ga, z], -1)?;
        }
        ga
    } else {
        // tall: A1 = P [gL1 + L1^-H (gU U^H o 1_U - L^H gL o 1_L)] U^-H, A2 = P gL2 U^-H
        let l1 = l.narrow(-2, 0, k)?;
        let mut ga = match gu {
            Some(g) => Some(g.matmul(&u.mt()?)?),
            None => None,
        };
        if let Some(g) = gl {
            let t = l.mt()?.matmul(&g.tril(-1)?)?;
            ga = Some(match ga {
                Some(x) => x.sub(&t)?,
                None => t.neg()?,
            });
        }
        let ga = ga.expect("one gradient is given").triu(0)?;
        let mut ga = l1.mt()?.linalg_solve_triangular(&ga, true, true, true)?;
        if let Some(g) = gl {
            ga = cat(&[ga.add(&g.narrow(-2, 0, k)?.tril(-1)?)?, g.narrow(-2, k, m as isize - k)?], -2)?;
        }
        let mut ga = u.mt()?.linalg_solve_triangular(&ga, false, false, false)?;
        if gl.is_none() {
            let z = super::zeros_as(&l.narrow(-2, k, m as isize - k)?)?;
            ga = cat(&[ga, z], -2)?;
        }
        ga
    };
    p.matmul(&ga)
}

/// The checks of `lu_factor` / `lu`.
fn check_lu_input(a: &Tensor, name: &str, pivot: bool) -> Result<()> {
    if a.rank() < 2 {
        return Err(Error::Runtime(format!("{name}: Expected tensor with 2 or more dimensions. Got size: {:?} instead", a.shape())));
    }
    if !a.dtype().is_float() {
        return Err(Error::NotImplemented(format!("\"lu_cpu\" not implemented for '{}'", dtype_title(a.dtype()))));
    }
    if !pivot {
        return Err(Error::Runtime("linalg.lu_factor: LU without pivoting is not implemented on the CPU".into()));
    }
    Ok(())
}

impl Tensor {
    /// `linalg.lu_factor_ex(A, pivot=True, check_errors=False)` -> `(LU, pivots, info)`:
    /// the packed LU factorization with partial pivoting of `(*, m, n)` matrices (LAPACK's
    /// `getrf`). Differentiable in LU (PyTorch's `lu_factor_ex_backward`).
    pub fn linalg_lu_factor_ex(&self, pivot: bool, check_errors: bool) -> Result<(Tensor, Tensor, Tensor)> {
        check_lu_input(self, "torch.lu_factor", pivot)?;
        let (lu, piv, info) = lu_factor_raw(self)?;
        if check_errors {
            if let Some((i, code)) = first_failure(&info)? {
                return Err(lu_factor_error("torch.linalg.lu_factor_ex", self.rank() > 2, i, code));
            }
        }
        if needs_grad(&[self]) {
            record("LinalgLuFactorExBackward0", &lu, &[self], vec![self.clone(), lu.detach(), piv.clone()], |s, g| {
                let (lu, piv) = if is_grad_enabled() {
                    let (lu, piv, _) = s[0].linalg_lu_factor_ex(true, false)?;
                    (lu, piv)
                } else {
                    (s[1].clone(), s[2].clone())
                };
                let (m, n) = mn(&lu);
                let k = m.min(n) as isize;
                let (l, u) = split_lu(&lu)?;
                let p = permutation(&piv, m, lu.dtype(), "lu_factor")?;
                Ok(vec![Some(lu_backward(Some(&g.narrow(-1, 0, k)?), Some(&g.narrow(-2, 0, k)?), &p, &l, &u)?)])
            });
        }
        Ok((lu, piv, info))
    }

    /// `linalg.lu_factor(A, pivot=True)` -> `(LU, pivots)`; a zero pivot raises PyTorch's error.
    pub fn linalg_lu_factor(&self, pivot: bool) -> Result<(Tensor, Tensor)> {
        check_lu_input(self, "torch.lu_factor", pivot)?;
        let (lu, piv, info) = self.linalg_lu_factor_ex(pivot, false)?;
        if let Some((i, code)) = first_failure(&info)? {
            return Err(lu_factor_error("torch.linalg.lu_factor", self.rank() > 2, i, code));
        }
        Ok((lu, piv))
    }

    /// `linalg.lu(A, pivot=True)` -> `(P, L, U)` with `A = P L U`: P `(*, m, m)`, L unit lower
    /// `(*, m, k)`, U upper `(*, k, n)`. Singular matrices factor without error (LAPACK's
    /// factors). Differentiable in L and U (PyTorch's `linalg_lu_backward`).
    pub fn linalg_lu(&self, pivot: bool) -> Result<(Tensor, Tensor, Tensor)> {
        check_lu_input(self, "linalg.lu", pivot)?;
        let (m, _) = mn(self);
        let (p, l, u) = no_grad(|| -> Result<_> {
            let (lu, piv, _) = lu_factor_raw(self)?;
            let (l, u) = split_lu(&lu)?;
            Ok((permutation(&piv, m, self.dtype(), "linalg.lu")?, l, u))
        })?;
        if needs_grad(&[self]) {
            let saved = vec![self.clone(), p.clone(), l.detach(), u.detach()];
            for (which_l, out) in [(true, &l), (false, &u)] {
                record("LinalgLuBackward0", out, &[self], saved.clone(), move |s, g| {
                    let (p, l, u) = if is_grad_enabled() { s[0].linalg_lu(true)? } else { (s[1].clone(), s[2].clone(), s[3].clone()) };
                    let ga = if which_l { lu_backward(Some(g), None, &p, &l, &u)? } else { lu_backward(None, Some(g), &p, &l, &u)? };
                    Ok(vec![Some(ga)])
                });
            }
        }
        Ok((p, l, u))
    }

    /// `lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True)` -> `(P, L, U)`
    /// from a packed factorization (empty tensors for the parts not asked for).
    /// Differentiable in `LU_data` (PyTorch's `lu_unpack_backward`).
    pub fn lu_unpack(&self, pivots: &Tensor, unpack_data: bool, unpack_pivots: bool) -> Result<(Tensor, Tensor, Tensor)> {
        const NAME: &str = "torch.lu_unpack";
        check_matrix(self, NAME, "LU_data")?;
        if pivots.dtype() != DType::I32 {
            return Err(Error::Runtime(format!(
                "{NAME}: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\nNote: this function is intended to be used with the output produced by torch.linalg.lu_factor"
            )));
        }
        let (m, n) = mn(self);
        let k = m.min(n);
        if pivots.rank() < 1 || pivots.shape()[pivots.rank() - 1] != k || &pivots.shape()[..pivots.rank() - 1] != batch_of(self) {
            return Err(Error::Runtime(format!(
                "{NAME}: LU_pivots must have shape {:?} to match LU_data {:?}, got {:?}",
                with_tail(batch_of(self), &[k]).as_slice(),
                self.shape(),
                pivots.shape()
            )));
        }
        let empty = || Tensor::empty_on(&[0], self.dtype(), self.device());
        let p = if unpack_pivots {
            if !self.dtype().is_float() {
                check_float(self, NAME)?;
            }
            permutation(pivots, m, self.dtype(), NAME).map_err(|_| {
                Error::Runtime("pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.Did you properly pass the result of lu_factor?".into())
            })?
        } else {
            empty()?
        };
        if !unpack_data {
            return Ok((p, empty()?, empty()?));
        }
        // L and U are masks of LU: their gradients flow back by autograd (lu_unpack_backward)
        let (l, u) = split_lu(self)?;
        Ok((p, l, u))
    }

    /// `linalg.lu_solve(LU, pivots, B, left=True, adjoint=False)`: solves `A X = B` (`X A = B`
    /// when `left=False`; with `A^H` when `adjoint`) from `A`'s packed factorization, batch
    /// dims broadcast. Differentiable in LU and B (PyTorch's formulas).
    pub fn linalg_lu_solve(&self, pivots: &Tensor, b: &Tensor, left: bool, adjoint: bool) -> Result<Tensor> {
        const NAME: &str = "linalg.lu_solve";
        let lu = self;
        check_matrix(lu, NAME, "LU")?;
        check_matrix(b, NAME, "B")?;
        super::check_square(lu, "torch.linalg.lu_solve", "A")?;
        check_same_dtype(lu, b, NAME, "LU", "B")?;
        check_float(lu, NAME)?;
        let n = mn(lu).0;
        let (bm, bn) = mn(b);
        if (left && bm != n) || (!left && bn != n) {
            return Err(Error::Runtime(format!(
                "{NAME}: Incompatible shapes of A and B for the equation {} ({n}x{n} and {bm}x{bn})",
                if left { "AX = B" } else { "XA = B" }
            )));
        }
        if pivots.dtype() != DType::I32 {
            return Err(Error::Runtime(format!("{NAME}: pivots should be a Tensor of scalar type torch.int32")));
        }
        if pivots.rank() < 1 || pivots.shape()[pivots.rank() - 1] != n {
            return Err(Error::Runtime(format!("{NAME}: Number of pivots per batch should be same as the dimension of the matrix")));
        }
        if &pivots.shape()[..pivots.rank() - 1] != batch_of(lu) {
            return Err(Error::Runtime(format!("{NAME}: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots with shape {:?} instead", pivots.shape())));
        }
        let x = lu_solve_raw(lu, pivots, b, left, adjoint)?;
        if needs_grad(&[lu, b]) {
            let saved = vec![lu.clone(), pivots.clone(), x.detach(), b.clone()];
            record("LinalgLuSolveBackward0", &x, &[lu, b], saved, move |s, g| {
                let (lu, piv) = (&s[0], &s[1]);
                // under create_graph X is recomputed, so its dependence on LU and B is seen
                let x = if is_grad_enabled() { lu.linalg_lu_solve(piv, &s[3], left, adjoint)? } else { s[2].clone() };
                let x = &x;
                // gB = lu_solve(LU, pivots, gX, left, !adjoint)
                let gb = lu.linalg_lu_solve(piv, g, left, !adjoint)?;
                let glu = lu_solve_lu_grad(g, lu, piv, x, left, adjoint)?;
                Ok(vec![Some(glu), Some(gb)])
            });
        }
        Ok(x)
    }
}

/// The raw lu_solve (no autograd) with broadcast batch dims.
pub(crate) fn lu_solve_raw(lu: &Tensor, piv: &Tensor, b: &Tensor, left: bool, adjoint: bool) -> Result<Tensor> {
    let batch = broadcast_batch(batch_of(lu), batch_of(b))?;
    let n = mn(lu).0;
    let lu_e = expand_batch(lu, &batch)?;
    let piv_e = if batch_of(lu) == batch.as_slice() { piv.clone() } else { piv.expand_to(&with_tail(&batch, &[n]))? };
    let b_e = expand_batch(b, &batch)?;
    let (bm, bn) = mn(b);
    if left {
        // A X = B, or A^T X = B
        let x = col_major(b, &batch, bm, bn)?;
        backend::lu_solve(&lu_e, &piv_e, &b_e, &x, adjoint, "linalg.lu_solve")?;
        Ok(x)
    } else {
        // X A = B  <=>  A^T X^T = B^T (and X A^T = B <=> A X^T = B^T)
        let x = Tensor::empty_on(&with_tail(&batch, &[bm, bn]), b.dtype(), b.device())?;
        backend::lu_solve(&lu_e, &piv_e, &b_e.mt()?, &x.mt()?, !adjoint, "linalg.lu_solve")?;
        Ok(x)
    }
}

/// PyTorch's `linalg_lu_solve_LU`: the gradient of the packed LU of `lu_solve`.
fn lu_solve_lu_grad(gx: &Tensor, lu: &Tensor, piv: &Tensor, x: &Tensor, left: bool, adjoint: bool) -> Result<Tensor> {
    let n = mn(lu).0;
    let (l, u) = split_lu(lu)?;
    if left != adjoint {
        // gR = U^-H op2(-gX) op2(X)^H; gL = (L^-H gR U^H).tril(-1)
        let rhs = if left { gx.neg()?.matmul(&x.mt()?)? } else { gx.mt()?.neg()?.matmul(x)? };
        let gr = u.mt()?.linalg_solve_triangular(&rhs, false, true, false)?;
        let gl = l.mt()?.linalg_solve_triangular(&gr.matmul(&u.mt()?)?, true, true, true)?.tril(-1)?;
        gl.add(&gr.triu(0)?)
    } else {
        // gR = -P^T op3(X) op1(op2(gX)) P L^-H; gU = (L^H gR U^-H).triu()
        let p = permutation(piv, n, lu.dtype(), "linalg.lu_solve")?;
        let left_x = if left { x.clone() } else { x.mt()? };
        let right_g = if left { gx.mt()? } else { gx.clone() };
        let gr = p.mt()?.matmul(&left_x)?.matmul(&right_g)?.matmul(&p)?.neg()?;
        let gr = l.mt()?.linalg_solve_triangular(&gr, true, false, true)?;
        let gu = u.mt()?.linalg_solve_triangular(&l.mt()?.matmul(&gr)?, false, false, false)?.triu(0)?;
        gr.tril(-1)?.add(&gu)
    }
}
