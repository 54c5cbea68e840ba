//! Linear algebra built on the SVD: `linalg.svd`, `linalg.svdvals` and the
//! matrix norms (`'fro'`, `'nuc'`, 1, -1, 2, -2, inf, -inf) of `linalg.matrix_norm`.
//!
//! The SVD is one forward (`cpu::svd`) with three differentiable outputs. Its
//! backward (PyTorch's `svd_backward`) is linear in the three output gradients,
//! so each output records its own node holding its share: `U diag(gS) Vh` for S,
//! the skew-symmetric `F`-matrix terms for U and Vh. The engine adds the shares.
//! As in PyTorch the U/Vh gradients assume distinct singular values (repeated ones
//! give inf/NaN) and, for rectangular inputs, full rank; the gradient of the
//! singular values alone is exact everywhere.

use crate::autograd::{is_grad_enabled, needs_grad, record};
use crate::cpu::svd::{svd_batched, Real, SvdMode};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::{normalize_dim, Shape};
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

fn check_float_matrix(a: &Tensor, name: &str) -> Result<()> {
    if a.rank() < 2 {
        return Err(Error::Runtime(format!("{name}: The input tensor A must have at least 2 dimensions.")));
    }
    if !a.dtype().is_float() {
        // PyTorch raises NotImplementedError here (a RuntimeError subclass)
        return Err(Error::NotImplemented(format!("{name}: Expected a floating point or complex tensor as input. Got {}", dtype_title(a.dtype()))));
    }
    Ok(())
}

/// The raw (no autograd) batched SVD of `a` (rank >= 2, float) in `mode`.
fn svd_raw(a: &Tensor, mode: SvdMode) -> Result<(Tensor, Tensor, Tensor)> {
    let r = a.rank();
    let (m, n) = (a.shape()[r - 2], a.shape()[r - 1]);
    let k = m.min(n);
    let batch_shape = &a.shape()[..r - 2];
    let batch: usize = batch_shape.iter().product();
    let (ucols, vhrows) = match mode {
        SvdMode::Values => (0, 0),
        SvdMode::Reduced => (k, k),
        SvdMode::Full => (m, n),
    };
    let with = |tail: &[usize]| -> Shape {
        let mut s: Shape = batch_shape.into();
        s.extend_from_slice(tail);
        s
    };
    fn run<T: Real>(a: &Tensor, batch: usize, m: usize, n: usize, mode: SvdMode, sizes: (usize, usize, usize)) -> Result<(Vec<T>, Vec<T>, Vec<T>, Option<usize>)> {
        let data = a.to_vec::<T>()?;
        let (mut u, mut s, mut vh) = (vec![T::zero(); sizes.0], vec![T::zero(); sizes.1], vec![T::zero(); sizes.2]);
        let bad = svd_batched(&data, batch, m, n, mode, &mut u, &mut s, &mut vh);
        Ok((u, s, vh, bad))
    }
    let sizes = (batch * m * ucols, batch * k, batch * vhrows * n);
    let (u, s, vh, bad) = match a.dtype() {
        DType::F32 => {
            let (u, s, vh, bad) = run::<f32>(a, batch, m, n, mode, sizes)?;
            (Tensor::from_slice(&u, &with(&[m, ucols]))?, Tensor::from_slice(&s, &with(&[k]))?, Tensor::from_slice(&vh, &with(&[vhrows, n]))?, bad)
        }
        DType::F64 => {
            let (u, s, vh, bad) = run::<f64>(a, batch, m, n, mode, sizes)?;
            (Tensor::from_slice(&u, &with(&[m, ucols]))?, Tensor::from_slice(&s, &with(&[k]))?, Tensor::from_slice(&vh, &with(&[vhrows, n]))?, bad)
        }
        d => return Err(Error::NotImplemented(format!("linalg.svd: Expected a floating point or complex tensor as input. Got {}", dtype_title(d)))),
    };
    if let Some(b) = bad {
        let which = if r > 2 { format!("(Batch element {b}): ") } else { String::new() };
        return Err(Error::Runtime(format!(
            "linalg.svd: {which}The algorithm failed to converge because the input matrix contained non-finite values."
        )));
    }
    Ok((u, s, vh))
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
    let e = s2.unsqueeze(-2)?.sub(&s2.unsqueeze(-1)?)?.add(&Tensor::eye(k, k, s.dtype())?)?;
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
        check_float_matrix(self, "linalg.svd")?;
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
        check_float_matrix(self, "linalg.svd")?;
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
}
