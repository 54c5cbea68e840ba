//! Functions of a matrix: `linalg.matrix_exp` (a kernel, with PyTorch's backward: the exp of
//! the 2n x 2n block matrix `[[A^T, G], [0, A^T]]`, Mathias 1996), `linalg.matrix_power` and
//! `linalg.vander` (composites of matmul / inv and cumprod, differentiable through those).

use super::{batch_of, check_square_float, col_major, mn};
use crate::autograd::{needs_grad, record};
use crate::backend::linalg as backend;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::join::cat;
use crate::tensor::{dtype_title, Tensor};

impl Tensor {
    /// `linalg.matrix_exp(A)`: the matrix exponential (scaling and squaring with Padé
    /// approximants, Higham 2005). Differentiable, to any order.
    pub fn linalg_matrix_exp(&self) -> Result<Tensor> {
        check_square_float(self, "linalg.matrix_exp")?;
        let n = mn(self).0;
        let out = col_major(self, batch_of(self), n, n)?;
        backend::matrix_exp(self, &out)?;
        if needs_grad(&[self]) {
            record("LinalgMatrixExpBackward0", &out, &[self], vec![self.clone()], |s, g| {
                // d exp(A)^*(G) = [exp([[A^T, G], [0, A^T]])]_{12}
                let at = s[0].mt()?;
                let n = mn(&at).0 as isize;
                let top = cat(&[at.clone(), g.clone()], -1)?;
                let bottom = cat(&[super::zeros_as(&at)?, at], -1)?;
                let e = cat(&[top, bottom], -2)?.linalg_matrix_exp()?;
                Ok(vec![Some(e.narrow(-2, 0, n)?.narrow(-1, n, n)?)])
            });
        }
        Ok(out)
    }

    /// `linalg.matrix_power(A, n)`: `A^n` by repeated squaring (`n < 0`: powers of `inv(A)`;
    /// `n = 0`: the identity). Integer matrices work for `n >= 0`.
    pub fn linalg_matrix_power(&self, n: i64) -> Result<Tensor> {
        const NAME: &str = "linalg.matrix_power";
        super::check_matrix(self, NAME, "A")?;
        super::check_square(self, NAME, "A")?;
        if n == 0 {
            let k = mn(self).0;
            // A constant: a copy of the identity shaped like A (no gradient flows to A)
            return Tensor::eye_on(k, k, self.dtype(), self.device())?.expand_to(self.shape())?.contiguous();
        }
        let a = if n < 0 { self.linalg_inv()? } else { self.clone() };
        let mut e = n.unsigned_abs();
        match e {
            1 => return a.clone_t(),
            2 => return a.matmul(&a),
            3 => return a.matmul(&a)?.matmul(&a),
            _ => {}
        }
        // binary decomposition of n, least significant bit first (PyTorch's order of products)
        let (mut z, mut result): (Option<Tensor>, Option<Tensor>) = (None, None);
        while e > 0 {
            let bit = e % 2;
            e /= 2;
            let zz = match &z {
                Some(z) => z.matmul(z)?,
                None => a.clone(),
            };
            if bit == 1 {
                result = Some(match &result {
                    Some(r) => r.matmul(&zz)?,
                    None => zz.clone(),
                });
            }
            z = Some(zz);
        }
        Ok(result.expect("n != 0 has a set bit"))
    }

    /// `linalg.vander(x, N=None)`: the Vandermonde matrix `[1, x, x^2, ..., x^(N-1)]` along a
    /// new last dim (`N` defaults to `x.size(-1)`). Integer inputs give int64, as `cumprod`.
    pub fn linalg_vander(&self, n: Option<i64>) -> Result<Tensor> {
        let dt = self.dtype();
        if dt == DType::Bool {
            return Err(Error::NotImplemented(format!("linalg.vander supports floating point, complex, and integer tensors, but got {}", dtype_title(dt))));
        }
        let x = if self.rank() == 0 { self.unsqueeze(-1)? } else { self.clone() };
        let n = n.unwrap_or(x.shape()[x.rank() - 1] as i64);
        if n <= 1 {
            return Err(Error::Runtime("N must be greater than 1.".into()));
        }
        let mut shape: Vec<usize> = x.shape().to_vec();
        shape.push(n as usize - 1);
        let powers = x.unsqueeze(-1)?.expand_to(&shape)?.cumprod(-1, None)?;
        *shape.last_mut().expect("rank >= 1") = 1;
        let ones = Tensor::ones_on(&shape, powers.dtype(), powers.device())?;
        cat(&[ones, powers], -1)
    }
}
