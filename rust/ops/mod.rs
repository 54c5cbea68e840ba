//! Ops: one declaration each (checks, output dtype/shape, one call into `crate::backend`,
//! backward beside it). Implemented as methods on `Tensor`, one file per family. No file here
//! touches memory: see `rust/backend/mod.rs` for the rule.

pub mod binary;
pub mod checks;
pub mod copy;
pub mod creation;
pub mod diagonal;
pub mod einsum;
pub mod elementwise;
pub mod gather_scatter;
pub mod index;
pub mod join;
pub mod linalg;
pub mod masked;
pub mod matmul;
pub mod random;
pub mod rearrange;
pub mod nn;
pub mod optim;
pub mod reduce;
pub mod reduce_scan;
pub mod reduce_stats;
pub mod sort_ops;
pub mod split;
pub mod view;

pub use checks::{can_cast, result_type2};
