//! `layer_norm`: normalisation over the trailing dims, fused forward and backward kernels.

use super::{raw_contiguous, require_float};
use crate::autograd::{is_grad_enabled, needs_grad, record};
use crate::backend::nn as backend;
use crate::error::{Error, Result};
use crate::shape;
use crate::tensor::Tensor;

impl Tensor {
    /// `layer_norm` over the last `k` dims: `(x - mean) / sqrt(var + eps) * weight + bias`
    /// (biased variance; weight and bias of the normalised shape, either may be absent).
    pub fn layer_norm(&self, k: usize, weight: Option<&Tensor>, bias: Option<&Tensor>, eps: f64) -> Result<Tensor> {
        require_float(self, "LayerNormKernelImpl")?;
        let r = self.rank();
        if k == 0 || k > r {
            return Err(Error::Runtime(format!("layer_norm: cannot normalise the last {k} dims of a {r}-D input")));
        }
        let norm_shape = &self.shape()[r - k..];
        for (what, t) in [("weight", weight), ("bias", bias)] {
            if let Some(t) = t {
                if t.shape() != norm_shape {
                    return Err(Error::Runtime(format!(
                        "Expected {what} to be of same shape as normalized_shape, but got {what} of shape {} and normalized_shape = {}",
                        shape::fmt_shape(t.shape()),
                        shape::fmt_shape(norm_shape)
                    )));
                }
                if t.dtype() != self.dtype() {
                    return Err(Error::Runtime(format!(
                        "expected scalar type {} but found {}",
                        crate::tensor::dtype_title(self.dtype()),
                        crate::tensor::dtype_title(t.dtype())
                    )));
                }
            }
        }
        let n: usize = norm_shape.iter().product();
        let rows: usize = self.shape()[..r - k].iter().product();
        let x = raw_contiguous(self)?;
        let w = weight.map(raw_contiguous).transpose()?;
        let b = bias.map(raw_contiguous).transpose()?;
        let y = Tensor::empty_on(self.shape(), self.dtype(), self.device())?;
        let mean = Tensor::empty_on(&[rows], self.dtype(), self.device())?;
        let rstd = Tensor::empty_on(&[rows], self.dtype(), self.device())?;
        backend::layer_norm_forward(&x, w.as_ref(), b.as_ref(), rows, n, eps, &y, &mean, &rstd)?;
        let mut inputs = vec![self];
        if let Some(w) = weight {
            inputs.push(w);
        }
        if let Some(b) = bias {
            inputs.push(b);
        }
        if needs_grad(&inputs) {
            let (has_w, has_b) = (weight.is_some(), bias.is_some());
            let mut saved = vec![self.clone(), mean, rstd];
            if let Some(w) = weight {
                saved.push(w.clone());
            }
            record("NativeLayerNormBackward0", &y, &inputs, saved, move |s, g| {
                let (xg, mean, rstd) = (&s[0], &s[1], &s[2]);
                let w = if has_w { Some(&s[3]) } else { None };
                let (gx, gw, gb) = if is_grad_enabled() {
                    layer_norm_grad_graph(xg, w, g, rows, n, eps)?
                } else {
                    let x = raw_contiguous(xg)?;
                    let gc = raw_contiguous(g)?;
                    let wc = w.map(raw_contiguous).transpose()?;
                    let dx = Tensor::empty_on(x.shape(), x.dtype(), x.device())?;
                    let dw = if has_w { Some(Tensor::empty_on(&[n], x.dtype(), x.device())?) } else { None };
                    let db = if has_b { Some(Tensor::empty_on(&[n], x.dtype(), x.device())?) } else { None };
                    backend::layer_norm_backward(&gc, &x, mean, rstd, wc.as_ref(), rows, n, &dx, dw.as_ref(), db.as_ref())?;
                    (dx, dw, db)
                };
                let nshape = &xg.shape()[xg.rank() - k..];
                let mut out = vec![Some(gx)];
                if has_w {
                    out.push(gw.map(|t| t.reshape_to(nshape)).transpose()?);
                }
                if has_b {
                    out.push(gb.map(|t| t.reshape_to(nshape)).transpose()?);
                }
                Ok(out)
            });
        }
        Ok(y)
    }
}

/// Layer norm's gradients written with Tensor ops (for `create_graph=True`): the statistics
/// are recomputed from `x` so that second derivatives see how they depend on it.
fn layer_norm_grad_graph(x: &Tensor, w: Option<&Tensor>, g: &Tensor, rows: usize, n: usize, eps: f64) -> Result<(Tensor, Option<Tensor>, Option<Tensor>)> {
    let x2 = x.reshape_to(&[rows, n])?;
    let g2 = g.reshape_to(&[rows, n])?;
    let last = [-1isize];
    let mu = x2.mean_dims(Some(&last), true, None)?;
    let xc = x2.sub(&mu)?;
    let var = xc.mul(&xc)?.mean_dims(Some(&last), true, None)?;
    let rstd = var.add_scalar(eps)?.rsqrt()?;
    let xhat = xc.mul(&rstd)?;
    let gw = match w {
        Some(w) => g2.mul(&w.reshape_to(&[1, n])?)?,
        None => g2.clone(),
    };
    let a = gw.mean_dims(Some(&last), true, None)?;
    let c = gw.mul(&xhat)?.mean_dims(Some(&last), true, None)?;
    let dx = rstd.mul(&gw.sub(&a)?.sub(&xhat.mul(&c)?)?)?.reshape_to(x.shape())?;
    let first = [0isize];
    let dw = g2.mul(&xhat)?.sum_dims(Some(&first), false, None)?;
    let db = g2.sum_dims(Some(&first), false, None)?;
    Ok((dx, Some(dw), Some(db)))
}
