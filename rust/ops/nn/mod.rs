//! Ops of the neural-network layers (`rgrad.nn.functional`): the fused cross entropy and
//! layer norm, im2col / col2im (convolution = im2col + matmul) and max pooling. Each checks
//! its arguments, allocates its outputs, calls `crate::backend::nn` once and records its
//! backward, written with Tensor ops when a graph of the backward is wanted
//! (`create_graph=True`) and with the fused backward kernel otherwise.

pub mod activation;
pub mod conv;
pub mod loss;
pub mod norm;
pub mod pool;

use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// How a loss over many elements is summed up (`reduction=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// One loss per element (or per sample), unreduced.
    None,
    /// The mean over the elements (for weighted losses, divided by the sum of the weights).
    Mean,
    /// The sum over the elements.
    Sum,
}

impl Reduction {
    /// PyTorch's names: `"none"`, `"mean"`, `"sum"`.
    pub fn parse(s: &str) -> Result<Reduction> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            other => Err(Error::Value(format!("{other} is not a valid value for reduction"))),
        }
    }
}

/// A contiguous tensor with the same values and no autograd history (the tensor itself,
/// detached, when it already is contiguous): what the kernels read.
pub(crate) fn raw_contiguous(t: &Tensor) -> Result<Tensor> {
    if t.is_contiguous() {
        Ok(t.detach())
    } else {
        t.contiguous_raw()
    }
}

/// PyTorch's error for a float-only kernel given another dtype.
pub(crate) fn require_float(t: &Tensor, kernel: &str) -> Result<()> {
    if t.dtype().is_float() {
        Ok(())
    } else {
        Err(Error::NotImplemented(format!("\"{kernel}\" not implemented for '{}'", dtype_title(t.dtype()))))
    }
}
