//! The backend seam: the primitives `ops/` needs, each taking tensors (plus an op enum or a few
//! parameters) and matching the storage's device once.
//!
//! The layers (docs/architecture.md once it exists):
//!
//! ```text
//! Python (python/rgrad)  ->  bindings (rust/python)  ->  ops (rust/ops)  ->  backend (rust/backend)  ->  cpu | gpu
//! ```
//!
//! - `rust/ops/<family>.rs`: argument checks, output dtype and shape, output allocated with
//!   `Tensor::empty(shape, dtype, input.device())`, one call into `crate::backend`, and the backward
//!   beside the forward, written with Tensor ops. No `unsafe`, no raw pointers, no `crate::cpu`.
//! - `rust/backend/<family>.rs`: one function per primitive. It matches the device of its tensors
//!   once (`Device::Cpu => ...`; the GPU backend adds its arm) and is the only place that turns a
//!   tensor into pointers, strides and lengths for a kernel.
//! - `rust/cpu/<family>.rs` (and `rust/gpu/`): kernels over raw memory; they never import
//!   `tensor` or `ops`.

pub mod nn;
pub mod optim;
