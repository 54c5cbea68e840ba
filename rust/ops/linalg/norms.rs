//! Norms and products of matrices and vectors: `linalg.matrix_norm` (`'fro'`, `'nuc'`, 1,
//! -1, 2, -2, inf, -inf), `linalg.cond` and `linalg.vecdot`. All composites of differentiable
//! ops (the SVD-based ones through `svdvals`).

use super::{check_float, check_matrix};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::normalize_dim;
use crate::tensor::{dtype_title, Tensor};

/// `ord=` of `matrix_norm`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MatrixOrd {
    /// `'fro'`: the Frobenius norm.
    Fro,
    /// `'nuc'`: the nuclear norm (sum of singular values).
    Nuc,
    /// A number: 1, -1, 2, -2, inf or -inf (others are rejected).
    Num(f64),
}

/// `matrix_norm`'s input checks (rank, float).
fn check_float_matrix(a: &Tensor, name: &str) -> Result<()> {
    check_matrix(a, name, "A")?;
    check_float(a, name)
}

impl Tensor {
    /// `linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None)`:
    /// 'fro', 'nuc' (sum of singular values), 2 / -2 (largest / smallest singular value),
    /// 1 / -1 (max / min column abs-sum), inf / -inf (max / min row abs-sum) over the two
    /// `dim`s, batched over the rest. Differentiable; checks and messages as PyTorch.
    pub fn matrix_norm(&self, ord: MatrixOrd, dim: &[isize], keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        const NAME: &str = "linalg.matrix_norm";
        if let MatrixOrd::Num(o) = ord {
            let a = o.abs();
            if !(a == 1.0 || a == 2.0 || a == f64::INFINITY) {
                return Err(Error::Runtime(format!("{NAME}: Order {o} not supported.")));
            }
        }
        check_float_matrix(self, NAME)?;
        if dim.len() != 2 {
            let d: Vec<String> = dim.iter().map(|d| d.to_string()).collect();
            return Err(Error::Runtime(format!("{NAME}: dim must be a 2-tuple. Got {}", d.join(" "))));
        }
        let (d0, d1) = (normalize_dim(dim[0], self.rank())?, normalize_dim(dim[1], self.rank())?);
        if d0 == d1 {
            return Err(Error::Runtime(format!("{NAME}: dims must be different. Got ({d0}, {d1})")));
        }
        if let Some(dt) = dtype {
            if !dt.is_float() {
                return Err(Error::Runtime(format!("{NAME}: dtype should be floating point or complex, but got {}", dtype_title(dt))));
            }
        }
        let (d0i, d1i) = (d0 as isize, d1 as isize);
        match ord {
            MatrixOrd::Fro => self.vector_norm(2.0, Some(&[d0i, d1i]), keepdim, dtype),
            MatrixOrd::Nuc | MatrixOrd::Num(2.0) | MatrixOrd::Num(-2.0) => {
                let a = match dtype {
                    Some(dt) => self.to_dtype(dt)?,
                    None => self.clone(),
                };
                if a.numel() == 0 && ord != MatrixOrd::Num(-2.0) {
                    // no singular values: the norm is 0 (a sum over nothing)
                    return a.sum_dims(Some(&[d0i, d1i]), keepdim, None);
                }
                // move the two dims to the end, keeping the others in order
                let mut perm: Vec<isize> = (0..a.rank() as isize).filter(|&d| d != d0i && d != d1i).collect();
                perm.extend([d0i, d1i]);
                let sv = a.permute(&perm)?.linalg_svdvals()?;
                let r = match ord {
                    MatrixOrd::Nuc => sv.sum_dims(Some(&[-1]), false, None)?,
                    MatrixOrd::Num(o) if o > 0.0 => sv.amax(Some(&[-1]), false)?,
                    _ => sv.amin(Some(&[-1]), false)?,
                };
                if keepdim {
                    r.unsqueeze(d0.min(d1) as isize)?.unsqueeze(d0.max(d1) as isize)
                } else {
                    Ok(r)
                }
            }
            MatrixOrd::Num(o) => {
                // 1: max over columns of the column abs-sums; inf: the same on the transpose
                let (sum_dim, ext_dim) = if o.abs() == 1.0 { (d0, d1) } else { (d1, d0) };
                if self.numel() == 0 && o > 0.0 {
                    return self.sum_dims(Some(&[d0i, d1i]), keepdim, dtype);
                }
                let sums = self.vector_norm(1.0, Some(&[sum_dim as isize]), true, dtype)?;
                let r = if o > 0.0 { sums.amax(Some(&[ext_dim as isize]), true)? } else { sums.amin(Some(&[ext_dim as isize]), true)? };
                if keepdim {
                    Ok(r)
                } else {
                    r.squeeze(Some(&[d0i, d1i]))
                }
            }
        }
    }

    /// `linalg.cond(A, p=None)`: the condition number in the `p` norm. `None`, 2, -2 through
    /// the singular values (any shape); 'fro', 'nuc', 1, -1, inf, -inf as
    /// `norm(A) * norm(inv(A))` (square matrices; inf for singular ones). 0 for empty matrices.
    pub fn linalg_cond(&self, p: Option<MatrixOrd>) -> Result<Tensor> {
        if self.rank() < 2 {
            return Err(Error::Runtime("linalg.cond: The input tensor must have at least 2 dimensions.".into()));
        }
        let ord = p.unwrap_or(MatrixOrd::Num(2.0));
        if let MatrixOrd::Num(o) = ord {
            if ![1.0, 2.0, f64::INFINITY].contains(&o.abs()) {
                return Err(Error::Value(format!("linalg.cond got an invalid norm type: {o}")));
            }
        }
        let two_norm = matches!(ord, MatrixOrd::Num(o) if o.abs() == 2.0);
        if !two_norm {
            let label = match ord {
                MatrixOrd::Fro => "fro".to_string(),
                MatrixOrd::Nuc => "nuc".to_string(),
                MatrixOrd::Num(o) if o.is_infinite() => if o > 0.0 { "inf".into() } else { "-inf".into() },
                MatrixOrd::Num(o) => format!("{}", o as i64),
            };
            super::check_square(self, &format!("linalg.cond(ord={label})"), "A")?;
        }
        if self.numel() == 0 {
            let real = if self.dtype().is_float() { self.dtype() } else { DType::F32 };
            return Tensor::zeros_on(super::batch_of(self), real, self.device());
        }
        match ord {
            MatrixOrd::Num(o) if o.abs() == 2.0 => {
                let s = self.linalg_svdvals()?;
                let k = s.shape()[s.rank() - 1] as isize;
                let (smax, smin) = (s.narrow(-1, 0, 1)?, s.narrow(-1, k - 1, 1)?);
                let r = if o < 0.0 { smin.div(&smax)? } else { smax.div(&smin)? };
                r.squeeze(Some(&[-1]))
            }
            MatrixOrd::Nuc => {
                // the definition directly: matrix_norm('nuc') of an inverse holding inf would fail
                let s = self.linalg_svdvals()?;
                s.sum_dims(Some(&[-1]), false, None)?.mul(&s.reciprocal()?.sum_dims(Some(&[-1]), false, None)?)
            }
            _ => {
                let (inv, info) = self.linalg_inv_ex(false)?;
                let singular = info.gt_t(&Tensor::wrapped_scalar(0i64.into()))?.unsqueeze(-1)?.unsqueeze(-1)?;
                let inv = singular.where_t(&Tensor::wrapped_scalar(f64::INFINITY.into()), &inv)?;
                let dims = [-2isize, -1];
                let r = self.matrix_norm(ord, &dims, false, None)?.mul(&inv.matrix_norm(ord, &dims, false, None)?)?;
                // 0 * inf -> inf, as NumPy
                r.nan_to_num(f64::INFINITY, Some(f64::INFINITY), Some(f64::NEG_INFINITY))
            }
        }
    }

    /// `linalg.vecdot(x, y, dim=-1)`: `sum(x * y, dim)` with broadcasting (floats only, one dtype).
    pub fn linalg_vecdot(&self, y: &Tensor, dim: isize) -> Result<Tensor> {
        check_float(self, "linalg.vecdot")?;
        if self.dtype() != y.dtype() {
            return Err(Error::Runtime(format!(
                "linalg.vecdot: Expected x and y to have the same dtype, but found x of type {} and y of type {} instead",
                dtype_title(self.dtype()),
                dtype_title(y.dtype())
            )));
        }
        self.mul(y)?.sum_dims(Some(&[dim]), false, None)
    }
}
