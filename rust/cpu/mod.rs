//! CPU kernels. Everything here works on raw pointers + layouts, never on
//! tensors or autograd: the `ops` layer decides shapes and dtypes, the backend
//! (`rust/backend`) turns tensors into pointers and strides and picks the kernel
//! by op enum, and these loops only move numbers, as fast as the memory allows.
//! Nothing here imports `tensor`, `backend` or `ops`.

pub mod alloc;
pub mod count;
pub mod fill;
pub mod gemm;
pub mod iter;
pub mod index;
pub mod isa;
pub mod kernels;
pub mod linalg;
pub mod nn;
pub mod optim;
pub mod par;
pub mod reduce;
pub mod reduce_op;
pub mod reduce_scan;
pub mod reduce_simd;
pub mod reduce_softmax;
pub mod rng;
pub mod simd;
pub mod sort;
pub mod sort_radix;
pub mod stream;
pub mod vmath;

pub use crate::dtype::Element;

/// Elements above which a kernel splits its work across threads.
pub const PARALLEL_MIN: usize = 1 << 15;
