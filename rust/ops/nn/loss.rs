//! `cross_entropy` over class indices: log-softmax and the negative log-likelihood fused,
//! with class weights, `ignore_index`, label smoothing and the three reductions.

use super::{raw_contiguous, require_float, Reduction};
use crate::autograd::{is_grad_enabled, needs_grad, record};
use crate::backend::nn::{self as backend, Ce};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

impl Tensor {
    /// Cross entropy of logits `self` (M, C) at class indices `target` (M,) (int64):
    /// `(1 - e) * w_t * (lse - x_t) + (e / C) * sum_c w_c * (lse - x_c)` per row (0 where
    /// `target == ignore_index`), summed, averaged over the targets' weights (`Mean`) or kept
    /// per row (`None`). One fused kernel each way.
    pub fn cross_entropy(&self, target: &Tensor, weight: Option<&Tensor>, ignore_index: i64, reduction: Reduction, smoothing: f64) -> Result<Tensor> {
        require_float(self, "log_softmax_lastdim_kernel_impl")?;
        if self.rank() != 2 {
            return Err(Error::Runtime(format!("cross_entropy: expected 2-D logits (rows, classes), got {}-D", self.rank())));
        }
        let (m, c) = (self.shape()[0], self.shape()[1]);
        if target.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("expected target dtype to be Long or Byte, but got {}", dtype_title(target.dtype()))));
        }
        if target.rank() != 1 || target.shape()[0] != m {
            return Err(Error::Value(format!("Expected input batch_size ({m}) to match target batch_size ({}).", target.shape().first().copied().unwrap_or(0))));
        }
        if let Some(w) = weight {
            if w.rank() != 1 || w.numel() != c {
                return Err(Error::Runtime(format!(
                    "weight tensor should be defined either for all {c} classes or no classes but got weight tensor of shape: {:?}",
                    w.shape()
                )));
            }
            if w.dtype() != self.dtype() {
                return Err(Error::Runtime(format!("expected scalar type {} but found {}", dtype_title(self.dtype()), dtype_title(w.dtype()))));
            }
        }
        if !(0.0..=1.0).contains(&smoothing) {
            return Err(Error::Runtime(format!("label_smoothing must be between 0.0 and 1.0. Got: {smoothing}")));
        }
        crate::ops::checks::check_same_device(&[self, target])?;
        if let Some(w) = weight {
            crate::ops::checks::check_same_device(&[self, w])?;
        }
        let ce = Ce { rows: m, classes: c, ignore_index, smoothing };
        if self.device() != crate::device::Device::Cpu {
            // The fused kernel returns the mean's divisor to the host; on a GPU that would be
            // a readback every step, so there the loss is composed of tensor ops (its graph is
            // their backward) and stays on the device.
            return cross_entropy_composed(self, target, weight, ce, reduction);
        }
        let x = raw_contiguous(self)?;
        let t = raw_contiguous(target)?;
        let w = weight.map(raw_contiguous).transpose()?;
        let rows = Tensor::empty_on(&[m], self.dtype(), self.device())?;
        let lse = Tensor::empty_on(&[m], self.dtype(), self.device())?;
        let denom = backend::cross_entropy_forward(&x, &t, w.as_ref(), ce, &rows, &lse)?;
        let out = crate::autograd::no_grad(|| -> Result<Tensor> {
            Ok(match reduction {
                Reduction::None => rows,
                Reduction::Sum => rows.sum()?,
                Reduction::Mean => rows.sum()?.div_scalar(denom)?,
            })
        })?;
        if needs_grad(&[self]) {
            let mut saved = vec![self.clone(), t, lse];
            if let Some(w) = w {
                saved.push(w);
            }
            record("NllLossBackward0", &out, &[self], saved, move |s, g| {
                let (xg, t, lse, w) = (&s[0], &s[1], &s[2], s.get(3));
                // the gradient of the loss's sum: one scale per row, or one for all
                let gs = match reduction {
                    Reduction::Mean => g.div_scalar(denom)?,
                    _ => g.clone(),
                };
                if is_grad_enabled() {
                    return Ok(vec![Some(cross_entropy_grad_graph(xg, t, w, ce, &gs)?)]);
                }
                let x = raw_contiguous(xg)?;
                let gs = raw_contiguous(&gs)?;
                let dx = Tensor::empty_on(x.shape(), x.dtype(), x.device())?;
                backend::cross_entropy_backward(&x, t, w, lse, &gs, ce, &dx)?;
                Ok(vec![Some(dx)])
            });
        }
        Ok(out)
    }
}

/// The cross entropy's input gradient written with Tensor ops (so that it has a graph of its
/// own, for `create_graph=True`): `gs * valid * ((1 - e) * w_t * (p - onehot) + (e / C) *
/// (W p - w))` with `p = softmax(x)`.
fn cross_entropy_grad_graph(x: &Tensor, t: &Tensor, w: Option<&Tensor>, ce: Ce, gs: &Tensor) -> Result<Tensor> {
    let (m, c) = (ce.rows, ce.classes);
    let p = x.softmax(1, None)?;
    let ignore = Tensor::wrapped_scalar(Scalar::Int(ce.ignore_index));
    let valid = t.ne_t(&ignore)?;
    let tsafe = t.masked_fill_scalar(&valid.logical_not()?, 0.0)?;
    let idx = tsafe.unsqueeze(1)?;
    let ones = Tensor::ones_on(&[m, 1], x.dtype(), x.device())?;
    let onehot = Tensor::zeros_on(&[m, c], x.dtype(), x.device())?.scatter_t(1, &idx, &ones)?;
    let (wt, wrow, wsum) = match w {
        Some(w) => (w.index_select(0, &tsafe)?.unsqueeze(1)?, w.unsqueeze(0)?, w.sum()?),
        None => (
            Tensor::ones_on(&[m, 1], x.dtype(), x.device())?,
            Tensor::ones_on(&[1, c], x.dtype(), x.device())?,
            Tensor::scalar(Scalar::Float(c as f64), x.dtype())?,
        ),
    };
    let nll = p.sub(&onehot)?.mul(&wt)?;
    let mut dx = nll.mul_scalar(1.0 - ce.smoothing)?;
    if ce.smoothing > 0.0 {
        let smooth = p.mul(&wsum)?.sub(&wrow)?;
        dx = dx.add(&smooth.mul_scalar(ce.smoothing / c as f64)?)?;
    }
    // one scale per row (reduction none) or one for all, zero on ignored rows
    let scale = valid.to_dtype(x.dtype())?.mul(gs)?;
    dx.mul(&scale.unsqueeze(1)?)
}

/// Cross entropy written with Tensor ops, for devices without the fused kernel: the same
/// formula, `(1 - e) * w_t * (-log p_t) + (e / C) * sum_c w_c * (-log p_c)` per row, 0 on
/// ignored rows, the mean over the valid targets' weights. Autograd differentiates it.
fn cross_entropy_composed(x: &Tensor, t: &Tensor, w: Option<&Tensor>, ce: Ce, reduction: Reduction) -> Result<Tensor> {
    let c = ce.classes;
    let logp = x.log_softmax(1, None)?;
    let ignore = Tensor::wrapped_scalar(Scalar::Int(ce.ignore_index));
    let valid = t.ne_t(&ignore)?;
    let tsafe = t.masked_fill_scalar(&valid.logical_not()?, 0.0)?;
    // gather checks the targets on the device; its out-of-range error becomes cross
    // entropy's own ("Target 5 is out of bounds.", IndexError)
    let picked = logp.gather(1, &tsafe.unsqueeze(1)?).map_err(|e| match &e {
        Error::Runtime(m) => match m.strip_prefix("index ").and_then(|r| r.split_whitespace().next()).and_then(|v| v.parse::<i64>().ok()) {
            Some(v) if m.contains("out of bounds") => Error::Index(format!("Target {v} is out of bounds.")),
            _ => e,
        },
        _ => e,
    })?;
    let nll = picked.squeeze(Some(&[1]))?.neg()?;
    let validf = valid.to_dtype(x.dtype())?;
    let wt = match w {
        Some(w) => w.index_select(0, &tsafe)?.mul(&validf)?,
        None => validf,
    };
    let mut rows = nll.mul(&wt)?.mul_scalar(1.0 - ce.smoothing)?;
    if ce.smoothing > 0.0 {
        let weighted = match w {
            Some(w) => logp.mul(&w.unsqueeze(0)?)?,
            None => logp,
        };
        let smooth = weighted.sum_dims(Some(&[1]), false, None)?.neg()?.mul_scalar(ce.smoothing / c as f64)?;
        rows = rows.add(&smooth.mul(&valid.to_dtype(x.dtype())?)?)?;
    }
    match reduction {
        Reduction::None => Ok(rows),
        Reduction::Sum => rows.sum(),
        Reduction::Mean => rows.sum()?.div(&wt.sum()?),
    }
}
