//! `threshold_backward`: ReLU's backward as one pass (the gradient where the input is above
//! the threshold, 0 elsewhere), itself differentiable in the gradient (for create_graph).

use super::raw_contiguous;
use crate::autograd::{needs_grad, record};
use crate::backend::nn as backend;
use crate::error::{Error, Result};
use crate::shape::fmt_shape;
use crate::tensor::Tensor;

impl Tensor {
    /// `threshold_backward(grad, self, threshold)`: `grad` where `self > threshold`, else 0
    /// (a NaN in `self` passes the gradient, as in PyTorch).
    pub fn threshold_backward(&self, grad: &Tensor, threshold: f64) -> Result<Tensor> {
        if grad.shape() != self.shape() || grad.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "threshold_backward: the gradient ({} {}) must match the input ({} {})",
                grad.dtype().name(),
                fmt_shape(grad.shape()),
                self.dtype().name(),
                fmt_shape(self.shape())
            )));
        }
        let (g, x) = (raw_contiguous(grad)?, raw_contiguous(self)?);
        let out = Tensor::empty_on(self.shape(), self.dtype(), self.device())?;
        backend::threshold_backward(&g, &x, threshold, &out)?;
        if needs_grad(&[grad, self]) {
            // linear in the gradient; the input only chooses where it passes (its own gradient
            // is zero, but it is an input, as PyTorch's: under create_graph relu's first-order
            // gradient then requires grad, and differentiating it again gives zeros)
            record("ThresholdBackwardBackward0", &out, &[grad, self], vec![x], move |s, gg| {
                Ok(vec![Some(s[0].threshold_backward(gg, threshold)?), Some(gg.zeros_like()?)])
            });
        }
        Ok(out)
    }
}
