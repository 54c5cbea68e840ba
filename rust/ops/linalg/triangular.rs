//! Triangular solves and the Cholesky family: `linalg.solve_triangular`,
//! `linalg.cholesky(_ex)`, `cholesky_solve`, `cholesky_inverse`. Backwards are PyTorch's
//! (`linalg_solve_triangular_backward`, `cholesky_backward`, `cholesky_solve_backward`,
//! `cholesky_inverse_backward`).

use super::{batch_of, broadcast_batch, check_info, check_matrix, check_square, check_square_float, col_major, expand_batch, int32, mn, with_tail};
use crate::autograd::{is_grad_enabled, needs_grad, record};
use crate::backend::linalg as backend;
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// The triangle of `g` a triangular argument's gradient lives in.
fn project(g: &Tensor, upper: bool, unit: bool) -> Result<Tensor> {
    let u = unit as isize;
    if upper {
        g.triu(u)
    } else {
        g.tril(-u)
    }
}

/// PyTorch's `cholesky_backward`: the (symmetric) gradient of A from that of its factor.
fn cholesky_backward(gl: &Tensor, upper: bool, l: &Tensor) -> Result<Tensor> {
    let (l, gl) = if upper { (l.mt()?, gl.mt()?) } else { (l.clone(), gl.clone()) };
    let ga = l.mt()?.matmul(&gl)?.tril(0)?;
    // 0.5 (gA + gA^H - diag(gA))
    let ga = ga.add(&ga.tril(-1)?.mt()?)?.mul_scalar(0.5)?;
    let ga = l.mt()?.linalg_solve_triangular(&ga, true, true, false)?;
    l.linalg_solve_triangular(&ga, false, false, false)
}

impl Tensor {
    /// `linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False)`: solves
    /// `T X = B` (`X T = B` when `left=False`) with T the upper or lower triangle of A (its unit
    /// diagonal assumed when `unitriangular`); only that triangle is read. A zero on T's
    /// diagonal gives inf / NaN, not an error. Batch dims broadcast; B is cast to A's dtype.
    pub fn linalg_solve_triangular(&self, b: &Tensor, upper: bool, left: bool, unitriangular: bool) -> Result<Tensor> {
        const NAME: &str = "linalg.solve_triangular";
        let a = self;
        check_matrix(a, NAME, "A")?;
        check_square(a, NAME, "A")?;
        check_matrix(b, NAME, "B")?;
        let n = mn(a).0;
        let (bm, bn) = mn(b);
        if (left && bm != n) || (!left && bn != n) {
            return Err(Error::Runtime(format!(
                "{NAME}: Incompatible shapes of A and B for the equation {} ({n}x{n} and {bm}x{bn})",
                if left { "AX = B" } else { "XA = B" }
            )));
        }
        if !a.dtype().is_float() {
            return Err(Error::NotImplemented(format!("\"triangular_solve_cpu\" not implemented for '{}'", dtype_title(a.dtype()))));
        }
        let b = if b.dtype() != a.dtype() { b.to_dtype(a.dtype())? } else { b.clone() };
        let batch = broadcast_batch(batch_of(a), batch_of(&b))?;
        let (ae, be) = (expand_batch(a, &batch)?, expand_batch(&b, &batch)?);
        let x = if left {
            let x = col_major(&b, &batch, bm, bn)?;
            backend::solve_triangular(&ae, &be, &x, upper, unitriangular)?;
            x
        } else {
            // X T = B  <=>  T^T X^T = B^T
            let x = Tensor::empty_on(&with_tail(&batch, &[bm, bn]), b.dtype(), b.device())?;
            backend::solve_triangular(&ae.mt()?, &be.mt()?, &x.mt()?, !upper, unitriangular)?;
            x
        };
        if needs_grad(&[a, &b]) {
            let saved = vec![a.clone(), b.clone(), x.detach()];
            record("LinalgSolveTriangularBackward0", &x, &[a, &b], saved, move |s, g| {
                let a = &s[0];
                let x = if is_grad_enabled() { a.linalg_solve_triangular(&s[1], upper, left, unitriangular)? } else { s[2].clone() };
                // G_B = A^-H G_X (on the same side); G_A = -G_B X^H (or -X^H G_B), in T's triangle
                let gb = a.mt()?.linalg_solve_triangular(g, !upper, left, unitriangular)?;
                let ga = if left { gb.matmul(&x.mt()?)?.neg()? } else { x.mt()?.matmul(&gb)?.neg()? };
                Ok(vec![Some(project(&ga, upper, unitriangular)?), Some(gb)])
            });
        }
        Ok(x)
    }

    /// `linalg.cholesky_ex(A, upper=False, check_errors=False)` -> `(L, info)`: `A = L L^T`
    /// with L lower triangular (or `A = U^T U` with `U = L^T` when `upper`), reading A's lower
    /// (upper) triangle only. `info` is 0, or the order of the first leading minor that is
    /// not positive definite. Differentiable (PyTorch's `cholesky_backward`).
    pub fn linalg_cholesky_ex(&self, upper: bool, check_errors: bool) -> Result<(Tensor, Tensor)> {
        self.cholesky_impl(upper, if check_errors { Some("linalg.cholesky_ex") } else { None })
    }

    /// `linalg.cholesky(A, upper=False)`: raises `LinAlgError` naming the first leading minor
    /// that is not positive definite.
    pub fn linalg_cholesky(&self, upper: bool) -> Result<Tensor> {
        Ok(self.cholesky_impl(upper, Some("linalg.cholesky"))?.0)
    }

    fn cholesky_impl(&self, upper: bool, check: Option<&str>) -> Result<(Tensor, Tensor)> {
        check_square_float(self, "linalg.cholesky")?;
        let n = mn(self).0;
        let batch = batch_of(self);
        let l = col_major(self, batch, n, n)?;
        let info = int32(self, batch)?;
        // upper: A = U^T U reads A's upper triangle, the lower triangle of A^T = L L^T
        let src = if upper { self.mt()? } else { self.clone() };
        backend::cholesky(&src, &l, &info)?;
        if let Some(api) = check {
            check_info(&info, api, self.rank() > 2, |c| {
                format!("The factorization could not be completed because the input is not positive-definite (the leading minor of order {c} is not positive-definite).")
            })?;
        }
        let out = if upper { l.mt()? } else { l };
        if needs_grad(&[self]) {
            record("LinalgCholeskyExBackward0", &out, &[self], vec![self.clone(), out.detach()], move |s, g| {
                let f = if is_grad_enabled() { s[0].linalg_cholesky(upper)? } else { s[1].clone() };
                Ok(vec![Some(cholesky_backward(g, upper, &f)?)])
            });
        }
        Ok((out, info))
    }

    /// `cholesky_solve(B, L, upper=False)`: solves `A X = B` with `A = L L^T` (`U^T U`) from the
    /// factor (only its triangle read). Batch dims broadcast. Differentiable in B and the factor
    /// (PyTorch's `cholesky_solve_backward`, which treats the factor as a full matrix).
    pub fn cholesky_solve(&self, factor: &Tensor, upper: bool) -> Result<Tensor> {
        let b = self;
        if b.rank() < 2 {
            return Err(Error::Runtime(format!("b should have at least 2 dimensions, but has {} dimensions instead", b.rank())));
        }
        if factor.rank() < 2 {
            return Err(Error::Runtime(format!("u should have at least 2 dimensions, but has {} dimensions instead", factor.rank())));
        }
        if b.dtype() != factor.dtype() {
            return Err(Error::Runtime(format!(
                "Expected b and A to have the same dtype, but found b of type {} and A of type {} instead.",
                dtype_title(b.dtype()),
                dtype_title(factor.dtype())
            )));
        }
        let (fm, fn_) = mn(factor);
        if fm != fn_ {
            return Err(Error::Runtime(format!("A must be batches of square matrices, but they are {fm} by {fn_} matrices")));
        }
        let (bm, bn) = mn(b);
        if fm != bm {
            return Err(Error::Runtime(format!("Incompatible matrix sizes for cholesky_solve: each A matrix is {fm} by {fm} but each b matrix is {bm} by {bn}")));
        }
        if !b.dtype().is_float() {
            return Err(Error::NotImplemented(format!("\"cholesky_solve_cpu\" not implemented for '{}'", dtype_title(b.dtype()))));
        }
        let batch = broadcast_batch(batch_of(b), batch_of(factor))?;
        let (fe, be) = (expand_batch(factor, &batch)?, expand_batch(b, &batch)?);
        let x = col_major(b, &batch, bm, bn)?;
        backend::cholesky_solve(&if upper { fe.mt()? } else { fe }, &be, &x)?;
        if needs_grad(&[b, factor]) {
            let saved = vec![b.clone(), factor.clone(), x.detach()];
            record("CholeskySolveBackward0", &x, &[b, factor], saved, move |s, g| {
                let factor = &s[1];
                let x = if is_grad_enabled() { s[0].cholesky_solve(factor, upper)? } else { s[2].clone() };
                let gb = g.cholesky_solve(factor, upper)?;
                let common = gb.matmul(&x.mt()?)?;
                let common = common.add(&common.mt()?)?;
                let gf = if upper { factor.matmul(&common)?.neg()? } else { common.matmul(factor)?.neg()? };
                Ok(vec![Some(gb), Some(gf)])
            });
        }
        Ok(x)
    }

    /// `cholesky_inverse(L, upper=False)`: `(L L^T)^-1` (`(U^T U)^-1`) from a Cholesky factor
    /// (only its triangle read). Differentiable (PyTorch's `cholesky_inverse_backward`).
    pub fn cholesky_inverse(&self, upper: bool) -> Result<Tensor> {
        const NAME: &str = "cholesky_inverse";
        check_matrix(self, NAME, "A")?;
        check_square(self, NAME, "A")?;
        if !self.dtype().is_float() {
            return Err(Error::NotImplemented(format!("\"cholesky_inverse_out_cpu\" not implemented for '{}'", dtype_title(self.dtype()))));
        }
        let n = mn(self).0;
        let out = col_major(self, batch_of(self), n, n)?;
        backend::cholesky_inverse(&if upper { self.mt()? } else { self.clone() }, &out)?;
        if needs_grad(&[self]) {
            record("CholeskyInverseBackward0", &out, &[self], vec![self.clone(), out.detach()], move |s, g| {
                let f = &s[0];
                let inv = if is_grad_enabled() { f.cholesky_inverse(upper)? } else { s[1].clone() };
                let common = inv.matmul(&g.add(&g.mt()?)?.matmul(&inv)?)?;
                let gf = if upper { f.matmul(&common)?.neg()? } else { common.matmul(f)?.neg()? };
                Ok(vec![Some(gf)])
            });
        }
        Ok(out)
    }
}
