//! Tape-based reverse-mode autograd (DESIGN §4).

pub mod engine;
pub mod function;
pub mod gradcheck;
pub mod grad_mode;
pub mod node;
pub mod views;

pub use engine::{backward, grad};
pub use grad_mode::{is_grad_enabled, no_grad, set_grad_enabled, GradModeGuard};
pub use node::{Hook, Node};

use crate::error::Result;
use crate::tensor::Tensor;
use node::{Edge, SavedTensor};
use std::sync::Arc;

/// True when an op on `inputs` must be recorded.
#[inline]
pub fn needs_grad(inputs: &[&Tensor]) -> bool {
    is_grad_enabled() && inputs.iter().any(|t| t.requires_grad())
}

/// Records `out = op(inputs)` on the tape. `saved` are the tensors `backward`
/// receives (their versions are checked); `out` itself may be among them (saved as the
/// node's output, see [`SavedTensor::is_output`]); `backward` maps the output's gradient
/// to one gradient per input (None = no gradient). Gradients are cast and
/// sum-reduced to each input's dtype and shape by the engine.
pub fn record(
    name: &'static str,
    out: &Tensor,
    inputs: &[&Tensor],
    saved: Vec<Tensor>,
    backward: impl Fn(&[Tensor], &Tensor) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
) {
    let next: Vec<Edge> = inputs
        .iter()
        .map(|t| Edge { node: t.grad_edge(), shape: t.shape().into(), dtype: t.dtype() })
        .collect();
    let saved = saved
        .into_iter()
        .map(|t| {
            let is_output = t.ptr_eq(out);
            let tensor = if is_output { t.detach() } else { t };
            SavedTensor { version: tensor.version(), tensor, is_output }
        })
        .collect();
    if let Some(slot) = views::is_inplace_on_view(out, inputs) {
        // an in-place write through a view rewrites the base's history too
        return views::rebase_inplace(out, slot, next, saved, Box::new(backward));
    }
    let node = Node::new_op(name, next, saved, Box::new(backward));
    out.set_grad_fn(Some(Arc::new(node)));
}
