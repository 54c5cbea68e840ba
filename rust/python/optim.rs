//! Python bindings of the multi-tensor optimizer steps (`rgrad._rgrad._adam_step`, ...):
//! `rgrad.optim`'s optimizers hand each parameter group to one of these per `step()`.

use super::autograd::tensor_list;
use super::tensor::PyTensor;
use crate::backend::optim::{Adadelta, Adagrad, Adam, Rmsprop, Sgd};
use crate::ops::optim;
use crate::tensor::Tensor;
use pyo3::prelude::*;
use pyo3::types::PyList;

/// A list of tensors, or None.
fn opt_list(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<Tensor>>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(tensor_list(o)?)),
        _ => Ok(None),
    }
}

/// `_sgd_step(params, grads, momentum_buffers, lr, momentum, dampening, weight_decay,
/// nesterov, maximize)`: returns the momentum buffers (new ones where None was given).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _sgd_step<'py>(py: Python<'py>, params: &Bound<'py, PyAny>, grads: &Bound<'py, PyAny>, momentum_buffers: &Bound<'py, PyAny>, lr: f64, momentum: f64, dampening: f64, weight_decay: f64, nesterov: bool, maximize: bool) -> PyResult<Bound<'py, PyList>> {
    let (p, g) = (tensor_list(params)?, tensor_list(grads)?);
    let mut bufs = Vec::new();
    for b in momentum_buffers.try_iter()? {
        let b = b?;
        bufs.push(if b.is_none() { None } else { Some(b.cast::<PyTensor>()?.get().inner.clone()) });
    }
    let o = Sgd { lr, momentum, dampening, weight_decay, nesterov, maximize };
    let out = py.detach(|| optim::sgd_step(&p, &g, &bufs, &o))?;
    let items: Vec<Py<PyAny>> = out.into_iter().map(|b| -> PyResult<Py<PyAny>> {
        Ok(match b {
            Some(t) => Py::new(py, PyTensor::new(t))?.into_any(),
            None => py.None(),
        })
    }).collect::<PyResult<_>>()?;
    PyList::new(py, items)
}

/// `_adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2,
/// eps, weight_decay, decoupled, maximize)`: Adam (AdamW with `decoupled`) over a group.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adam_step(py: Python<'_>, params: &Bound<'_, PyAny>, grads: &Bound<'_, PyAny>, exp_avgs: &Bound<'_, PyAny>, exp_avg_sqs: &Bound<'_, PyAny>, max_exp_avg_sqs: Option<&Bound<'_, PyAny>>, steps: &Bound<'_, PyAny>, lr: f64, beta1: f64, beta2: f64, eps: f64, weight_decay: f64, decoupled: bool, maximize: bool) -> PyResult<()> {
    let (p, g, m, v, s) = (tensor_list(params)?, tensor_list(grads)?, tensor_list(exp_avgs)?, tensor_list(exp_avg_sqs)?, tensor_list(steps)?);
    let vmax = opt_list(max_exp_avg_sqs)?;
    let o = Adam { lr, beta1, beta2, eps, weight_decay, decoupled, maximize, step_size: 0.0, bc2_sqrt: 1.0 };
    Ok(py.detach(|| optim::adam_step(&p, &g, &m, &v, vmax.as_deref(), &s, &o))?)
}

/// `_rmsprop_step(params, grads, square_avgs, grad_avgs, momentum_buffers, steps, lr, alpha,
/// eps, weight_decay, momentum, centered, maximize)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _rmsprop_step(py: Python<'_>, params: &Bound<'_, PyAny>, grads: &Bound<'_, PyAny>, square_avgs: &Bound<'_, PyAny>, grad_avgs: Option<&Bound<'_, PyAny>>, momentum_buffers: Option<&Bound<'_, PyAny>>, steps: &Bound<'_, PyAny>, lr: f64, alpha: f64, eps: f64, weight_decay: f64, momentum: f64, centered: bool, maximize: bool) -> PyResult<()> {
    let (p, g, sq, s) = (tensor_list(params)?, tensor_list(grads)?, tensor_list(square_avgs)?, tensor_list(steps)?);
    let (ga, buf) = (opt_list(grad_avgs)?, opt_list(momentum_buffers)?);
    let o = Rmsprop { lr, alpha, eps, weight_decay, momentum, centered, maximize };
    Ok(py.detach(|| optim::rmsprop_step(&p, &g, &sq, ga.as_deref(), buf.as_deref(), &s, &o))?)
}

/// `_adagrad_step(params, grads, sums, steps, lr, lr_decay, eps, weight_decay, maximize)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adagrad_step(py: Python<'_>, params: &Bound<'_, PyAny>, grads: &Bound<'_, PyAny>, sums: &Bound<'_, PyAny>, steps: &Bound<'_, PyAny>, lr: f64, lr_decay: f64, eps: f64, weight_decay: f64, maximize: bool) -> PyResult<()> {
    let (p, g, su, s) = (tensor_list(params)?, tensor_list(grads)?, tensor_list(sums)?, tensor_list(steps)?);
    let o = Adagrad { clr: lr, eps, weight_decay, maximize };
    Ok(py.detach(|| optim::adagrad_step(&p, &g, &su, &s, lr, lr_decay, &o))?)
}

/// `_adadelta_step(params, grads, square_avgs, acc_deltas, steps, lr, rho, eps, weight_decay,
/// maximize)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _adadelta_step(py: Python<'_>, params: &Bound<'_, PyAny>, grads: &Bound<'_, PyAny>, square_avgs: &Bound<'_, PyAny>, acc_deltas: &Bound<'_, PyAny>, steps: &Bound<'_, PyAny>, lr: f64, rho: f64, eps: f64, weight_decay: f64, maximize: bool) -> PyResult<()> {
    let (p, g, sq, acc, s) = (tensor_list(params)?, tensor_list(grads)?, tensor_list(square_avgs)?, tensor_list(acc_deltas)?, tensor_list(steps)?);
    let o = Adadelta { lr, rho, eps, weight_decay, maximize };
    Ok(py.detach(|| optim::adadelta_step(&p, &g, &sq, &acc, &s, &o))?)
}

/// Registers the functions of this family.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_sgd_step, m)?)?;
    m.add_function(wrap_pyfunction!(_adam_step, m)?)?;
    m.add_function(wrap_pyfunction!(_rmsprop_step, m)?)?;
    m.add_function(wrap_pyfunction!(_adagrad_step, m)?)?;
    m.add_function(wrap_pyfunction!(_adadelta_step, m)?)?;
    Ok(())
}
