//! The multi-tensor optimizer steps of `rgrad.optim`: one call updates every parameter of a
//! group that has a gradient, with its state tensors, in place (PyTorch's algorithms, see
//! `cpu::optim`). Checks here, loops in the backend; no autograd (the optimizer runs under
//! `no_grad`), but every tensor written gets its version bumped, so a graph that saved one
//! of them refuses to backward through the stale value, as in PyTorch.

use crate::backend::optim::{self as backend, Adadelta, Adagrad, Adam, Rmsprop, Sgd};
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::shape::fmt_shape;
use crate::tensor::{dtype_title, Tensor};

/// The gradient of `p` as the kernels read it (contiguous, same shape and dtype), after the
/// checks PyTorch's optimizers make.
fn checked_grad(i: usize, p: &Tensor, g: &Tensor) -> Result<Tensor> {
    if !p.dtype().is_float() {
        return Err(Error::Runtime(format!("optimizer: parameter {i} has dtype {}; only floating-point parameters can be optimized", dtype_title(p.dtype()))));
    }
    if g.shape() != p.shape() {
        return Err(Error::Runtime(format!("optimizer: the gradient of parameter {i} has shape {} but the parameter has shape {}", fmt_shape(g.shape()), fmt_shape(p.shape()))));
    }
    if g.dtype() != p.dtype() {
        return Err(Error::Runtime(format!("optimizer: the gradient of parameter {i} is {} but the parameter is {}", dtype_title(g.dtype()), dtype_title(p.dtype()))));
    }
    if p.device() != g.device() {
        return Err(Error::Runtime(format!("optimizer: parameter {i} and its gradient are on different devices")));
    }
    super::nn::raw_contiguous(g)
}

/// A state tensor (`exp_avg`, ...) that the step writes in place: it must match its parameter.
fn checked_state(i: usize, name: &str, p: &Tensor, s: &Tensor) -> Result<()> {
    if s.shape() != p.shape() || s.dtype() != p.dtype() || !s.is_contiguous() {
        return Err(Error::Runtime(format!(
            "optimizer: state '{name}' of parameter {i} must be a contiguous {} tensor of shape {} (got {} of shape {}{})",
            dtype_title(p.dtype()),
            fmt_shape(p.shape()),
            dtype_title(s.dtype()),
            fmt_shape(s.shape()),
            if s.is_contiguous() { "" } else { ", not contiguous" }
        )));
    }
    Ok(())
}

/// Runs `f` on `p` itself when it is contiguous, else on a contiguous copy that is written
/// back afterwards; then bumps `p`'s version.
fn update_in_place(p: &Tensor, f: impl FnOnce(&Tensor) -> Result<()>) -> Result<()> {
    if p.is_contiguous() {
        f(p)?;
    } else {
        let work = p.contiguous_raw()?;
        f(&work)?;
        p.copy_from_raw(&work)?;
    }
    p.storage().bump_version();
    Ok(())
}

fn check_lengths(what: &str, n: usize, m: usize) -> Result<()> {
    if n != m {
        return Err(Error::Runtime(format!("optimizer step: {m} {what} for {n} parameters")));
    }
    Ok(())
}

/// Adds one to a step counter (a 0-d tensor, as PyTorch keeps it) and returns the new count.
fn advance(step: &Tensor) -> Result<f64> {
    crate::autograd::no_grad(|| step.add_(&Tensor::wrapped_scalar(Scalar::Int(1))))?;
    match step.item()? {
        Scalar::Float(v) => Ok(v),
        Scalar::Int(v) => Ok(v as f64),
        Scalar::Bool(b) => Ok(b as u8 as f64),
    }
}

/// SGD over a group. `bufs[i]` is parameter i's momentum buffer (None before its first step
/// with momentum); returns the buffers after the step (new ones made where there were none).
pub fn sgd_step(params: &[Tensor], grads: &[Tensor], bufs: &[Option<Tensor>], o: &Sgd) -> Result<Vec<Option<Tensor>>> {
    check_lengths("gradients", params.len(), grads.len())?;
    check_lengths("momentum buffers", params.len(), bufs.len())?;
    let mut out = Vec::with_capacity(params.len());
    for (i, ((p, g), buf)) in params.iter().zip(grads).zip(bufs).enumerate() {
        let g = checked_grad(i, p, g)?;
        let (buf, first) = match (o.momentum != 0.0, buf) {
            (false, _) => (None, false),
            (true, Some(b)) => {
                checked_state(i, "momentum_buffer", p, b)?;
                (Some(b.clone()), false)
            }
            (true, None) => (Some(Tensor::empty_on(p.shape(), p.dtype(), p.device())?), true),
        };
        update_in_place(p, |pc| backend::sgd(pc, &g, buf.as_ref(), first, o))?;
        if let Some(b) = &buf {
            b.storage().bump_version();
        }
        out.push(buf);
    }
    Ok(out)
}

/// Adam / AdamW over a group: `steps[i]` (0-d) is advanced, then used for the bias corrections.
#[allow(clippy::too_many_arguments)]
pub fn adam_step(params: &[Tensor], grads: &[Tensor], exp_avgs: &[Tensor], exp_avg_sqs: &[Tensor], max_exp_avg_sqs: Option<&[Tensor]>, steps: &[Tensor], o: &Adam) -> Result<()> {
    check_lengths("gradients", params.len(), grads.len())?;
    check_lengths("exp_avg tensors", params.len(), exp_avgs.len())?;
    check_lengths("exp_avg_sq tensors", params.len(), exp_avg_sqs.len())?;
    check_lengths("step counts", params.len(), steps.len())?;
    if let Some(m) = max_exp_avg_sqs {
        check_lengths("max_exp_avg_sq tensors", params.len(), m.len())?;
    }
    for (i, p) in params.iter().enumerate() {
        let g = checked_grad(i, p, &grads[i])?;
        checked_state(i, "exp_avg", p, &exp_avgs[i])?;
        checked_state(i, "exp_avg_sq", p, &exp_avg_sqs[i])?;
        let vmax = max_exp_avg_sqs.map(|m| &m[i]);
        if let Some(v) = vmax {
            checked_state(i, "max_exp_avg_sq", p, v)?;
        }
        let t = advance(&steps[i])?;
        let o = Adam { step_size: o.lr / (1.0 - o.beta1.powf(t)), bc2_sqrt: (1.0 - o.beta2.powf(t)).sqrt(), ..*o };
        update_in_place(p, |pc| backend::adam(pc, &g, &exp_avgs[i], &exp_avg_sqs[i], vmax, &o))?;
        exp_avgs[i].storage().bump_version();
        exp_avg_sqs[i].storage().bump_version();
        if let Some(v) = vmax {
            v.storage().bump_version();
        }
    }
    Ok(())
}

/// RMSprop over a group.
pub fn rmsprop_step(params: &[Tensor], grads: &[Tensor], square_avgs: &[Tensor], grad_avgs: Option<&[Tensor]>, momentum_buffers: Option<&[Tensor]>, steps: &[Tensor], o: &Rmsprop) -> Result<()> {
    check_lengths("gradients", params.len(), grads.len())?;
    check_lengths("square_avg tensors", params.len(), square_avgs.len())?;
    check_lengths("step counts", params.len(), steps.len())?;
    for (i, p) in params.iter().enumerate() {
        let g = checked_grad(i, p, &grads[i])?;
        checked_state(i, "square_avg", p, &square_avgs[i])?;
        let ga = grad_avgs.map(|a| &a[i]);
        let buf = momentum_buffers.map(|b| &b[i]);
        for (name, s) in [("grad_avg", ga), ("momentum_buffer", buf)] {
            if let Some(s) = s {
                checked_state(i, name, p, s)?;
            }
        }
        advance(&steps[i])?;
        update_in_place(p, |pc| backend::rmsprop(pc, &g, &square_avgs[i], ga, buf, o))?;
        for s in [Some(&square_avgs[i]), ga, buf].into_iter().flatten() {
            s.storage().bump_version();
        }
    }
    Ok(())
}

/// Adagrad over a group (`lr_decay` scales the rate by `1 / (1 + (t - 1) * lr_decay)`).
pub fn adagrad_step(params: &[Tensor], grads: &[Tensor], sums: &[Tensor], steps: &[Tensor], lr: f64, lr_decay: f64, o: &Adagrad) -> Result<()> {
    check_lengths("gradients", params.len(), grads.len())?;
    check_lengths("sum tensors", params.len(), sums.len())?;
    check_lengths("step counts", params.len(), steps.len())?;
    for (i, p) in params.iter().enumerate() {
        let g = checked_grad(i, p, &grads[i])?;
        checked_state(i, "sum", p, &sums[i])?;
        let t = advance(&steps[i])?;
        let o = Adagrad { clr: lr / (1.0 + (t - 1.0) * lr_decay), ..*o };
        update_in_place(p, |pc| backend::adagrad(pc, &g, &sums[i], &o))?;
        sums[i].storage().bump_version();
    }
    Ok(())
}

/// Adadelta over a group.
pub fn adadelta_step(params: &[Tensor], grads: &[Tensor], square_avgs: &[Tensor], acc_deltas: &[Tensor], steps: &[Tensor], o: &Adadelta) -> Result<()> {
    check_lengths("gradients", params.len(), grads.len())?;
    check_lengths("square_avg tensors", params.len(), square_avgs.len())?;
    check_lengths("acc_delta tensors", params.len(), acc_deltas.len())?;
    check_lengths("step counts", params.len(), steps.len())?;
    for (i, p) in params.iter().enumerate() {
        let g = checked_grad(i, p, &grads[i])?;
        checked_state(i, "square_avg", p, &square_avgs[i])?;
        checked_state(i, "acc_delta", p, &acc_deltas[i])?;
        advance(&steps[i])?;
        update_in_place(p, |pc| backend::adadelta(pc, &g, &square_avgs[i], &acc_deltas[i], o))?;
        square_avgs[i].storage().bump_version();
        acc_deltas[i].storage().bump_version();
    }
    Ok(())
}
