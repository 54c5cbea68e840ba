//! Python bindings of the neural-network ops (`rgrad._rgrad._cross_entropy`, ...), called by
//! `rgrad.nn.functional` after it has checked and normalised the arguments PyTorch's way.

use super::convert::tensor_arg;
use super::object::Wrap;
use super::object::{ok, PyT};
use super::pytensor::{maybe_detach, PyTensor};
use crate::ops::nn::conv::Window;
use crate::ops::nn::Reduction;
use crate::tensor::Tensor;
use pyo3::prelude::*;

fn opt_tensor(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Tensor>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(tensor_arg(o, what)?)),
        _ => Ok(None),
    }
}

/// `_cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`: the
/// fused cross entropy of (M, C) logits at (M,) int64 class indices.
#[pyfunction]
#[pyo3(signature = (input, target, weight, ignore_index, reduction, label_smoothing))]
fn _cross_entropy(py: Python<'_>, input: PyRef<'_, PyTensor>, target: PyRef<'_, PyTensor>, weight: Option<&Bound<'_, PyAny>>, ignore_index: i64, reduction: &str, label_smoothing: f64) -> PyT {
    let w = opt_tensor(weight, "weight")?;
    let r = Reduction::parse(reduction)?;
    let (x, t) = (&input.inner, &target.inner);
    ok(maybe_detach(py, x.numel(), || x.cross_entropy(t, w.as_ref(), ignore_index, r, label_smoothing)))
}

/// `_layer_norm(input, k, weight, bias, eps)`: layer norm over the last `k` dims.
#[pyfunction]
#[pyo3(signature = (input, k, weight, bias, eps))]
fn _layer_norm(py: Python<'_>, input: PyRef<'_, PyTensor>, k: usize, weight: Option<&Bound<'_, PyAny>>, bias: Option<&Bound<'_, PyAny>>, eps: f64) -> PyT {
    let (w, b) = (opt_tensor(weight, "weight")?, opt_tensor(bias, "bias")?);
    let x = &input.inner;
    ok(maybe_detach(py, x.numel(), || x.layer_norm(k, w.as_ref(), b.as_ref(), eps)))
}

fn window(kernel: (usize, usize), dilation: (usize, usize), padding: (usize, usize), stride: (usize, usize)) -> Window {
    Window { kernel: [kernel.0, kernel.1], dilation: [dilation.0, dilation.1], padding: [padding.0, padding.1], stride: [stride.0, stride.1] }
}

/// `_im2col(input, kernel_size, dilation, padding, stride)`: (N, C, H, W) -> (N, C*kh*kw, L).
#[pyfunction]
fn _im2col(py: Python<'_>, input: PyRef<'_, PyTensor>, kernel_size: (usize, usize), dilation: (usize, usize), padding: (usize, usize), stride: (usize, usize)) -> PyT {
    let x = &input.inner;
    let win = window(kernel_size, dilation, padding, stride);
    ok(maybe_detach(py, x.numel() * kernel_size.0 * kernel_size.1, || x.im2col(win)))
}

/// `_col2im(input, output_size, kernel_size, dilation, padding, stride)`: (N, C*kh*kw, L) ->
/// (N, C, H, W), overlapping windows summed.
#[pyfunction]
fn _col2im(py: Python<'_>, input: PyRef<'_, PyTensor>, output_size: (usize, usize), kernel_size: (usize, usize), dilation: (usize, usize), padding: (usize, usize), stride: (usize, usize)) -> PyT {
    let x = &input.inner;
    let win = window(kernel_size, dilation, padding, stride);
    ok(maybe_detach(py, x.numel(), || x.col2im([output_size.0, output_size.1], win)))
}

/// `_max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)`: `(values, indices)`
/// of (N, C, H, W) input.
#[pyfunction]
fn _max_pool2d(py: Python<'_>, input: PyRef<'_, PyTensor>, kernel_size: (usize, usize), stride: (usize, usize), padding: (usize, usize), dilation: (usize, usize), ceil_mode: bool) -> PyResult<(Wrap, Wrap)> {
    let x = &input.inner;
    let win = window(kernel_size, dilation, padding, stride);
    let (v, i) = maybe_detach(py, x.numel(), || x.max_pool2d_with_indices(win, ceil_mode))?;
    Ok((Wrap(v), Wrap(i)))
}

/// Registers the functions of this family.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_cross_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(_layer_norm, m)?)?;
    m.add_function(wrap_pyfunction!(_im2col, m)?)?;
    m.add_function(wrap_pyfunction!(_col2im, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool2d, m)?)?;
    Ok(())
}
