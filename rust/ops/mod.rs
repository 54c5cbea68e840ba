//! Ops: one declaration each (checks, output dtype/shape, forward dispatch,
//! backward beside it). Implemented as methods on `Tensor`, one file per family.

pub mod binary;
pub mod einsum;
pub mod elementwise;
pub mod index;
pub mod join;
pub mod linalg;
pub mod matmul;
pub mod nn;
pub mod optim;
pub mod reduce;
pub mod reduce_scan;
pub mod reduce_stats;
pub mod sort_ops;
pub mod unary;
pub mod view;

pub use binary::{can_cast, result_type2};
