//! The backend seam: the primitives `ops/` needs, each taking tensors (plus an op enum or a few
//! parameters) and matching the storage's device once.
//!
//! The layers (docs/architecture.md walks one op through all of them):
//!
//! ```text
//! Python (python/rgrad)  ->  bindings (rust/python)  ->  ops (rust/ops)  ->  backend (rust/backend)  ->  cpu | gpu
//! ```
//!
//! - `rust/ops/<family>.rs`: argument checks, output dtype and shape, output allocated with
//!   `Tensor::empty_on(shape, dtype, input.device())`, one call into `crate::backend`, and the backward
//!   beside the forward, written with Tensor ops. No `unsafe`, no raw pointers, no `crate::cpu`.
//! - `rust/backend/<family>.rs`: one function per primitive. It matches the device of its tensors
//!   once (`Device::Cpu => ...`; the GPU backend adds its arm) and is the only place that turns a
//!   tensor into pointers, strides and lengths for a kernel (`operands.rs`). Which computation
//!   runs is named by an enum from `crate::kinds` (`UnaryOp`, `BinaryOp`, `ReduceOp`, `ScanOp`,
//!   `ScatterOp`), never chosen by which Rust function the ops layer happened to call, so a GPU
//!   backend can be told the same thing.
//! - `rust/cpu/<family>.rs` (and `rust/gpu/`): kernels over raw memory; they never import
//!   `tensor`, `backend` or `ops`.
//!
//! Primitives write into outputs the ops layer allocated (so shapes, dtypes and devices are
//! decided once, above); a few whose output size depends on the data (`unique`, `bincount`'s
//! length is read first) build their outputs themselves, on the input's device.
//!
//! The ops layer sees the data of a tensor on the host only through [`read_scalar`] and
//! [`read_small`] ("read this small result back", see `host.rs` for every caller): a GPU
//! backend answers them with one small readback.
//!
//! # Adding a backend
//!
//! A new device kind adds a `Buffer` variant (`storage.rs`), makes itself available in
//! `Device::check_available` (`device.rs`), and adds its arm to the `match` of every primitive
//! here (the compiler lists the ones missing it). Kernels live in their own module beside
//! `rust/cpu/`. Nothing in `rust/ops` changes.
//!
//! The GPU backend (`rust/gpu`, feature `gpu`) is such a device: each family file ends with a
//! `mod gpu` holding its GPU arms, written with `gpu_arm!`, and `gpu_operands.rs` turns a
//! tensor into a device buffer and a layout. A primitive with no GPU kernel runs its CPU arm on
//! host copies ([`on_host`]); the ones that do are listed in [`HOST_ROUND_TRIP`].

// In a CPU-only build (no `gpu` feature) the GPU arms compile to the no-kernels error, and the
// values only they use (layouts, offsets, scalars) go unused there.
#![cfg_attr(not(feature = "gpu"), allow(unused_variables))]

pub mod copy;
pub mod elementwise;
pub mod fill;
pub mod gemm;
#[cfg(feature = "gpu")]
pub(crate) mod gpu_operands;
pub mod host;
pub mod linalg;
pub mod nn;
pub mod on_host;
pub mod optim;
pub mod index;
pub(crate) mod operands;
pub mod random;
pub mod reduce;
pub mod sort;

pub use copy::{cat_contiguous, copy};
pub use elementwise::{binary, clamp_tensors, isclose, masked_fill, unary, where_select};
pub use fill::{fill, fill_range, fill_triangle, RangeFill};
pub use gemm::gemm;
pub use on_host::HOST_ROUND_TRIP;
pub use host::{synchronize, empty_cache, read_all, read_bytes, read_scalar, read_small, upload, upload_bytes};
pub use index::{count_true, first_out_of_range, gather_dim, gather_rows, index_rows, mask_select_rows, nonzero_coords, repeat_index, scatter_dim, scatter_rows, IndexedRows};
pub use random::{random_fill, RandomFill};
pub use reduce::{cumprod_backward, reduce, scan, softmax};
pub use sort::{bincount, histc, searchsorted, sort, unique, unique_dim, UniqueDim, UniqueOut};


/// The error of a primitive asked to run on a device this build has no kernels for. (No
/// storage can live on such a device, so this is a guard, not a path users reach.)
#[cfg(not(feature = "gpu"))]
pub(crate) fn no_kernels(device: crate::device::Device, primitive: &str) -> crate::error::Error {
    crate::error::Error::Runtime(format!("{primitive}: no kernels for device '{device}' in this build"))
}

/// A primitive's GPU arm: `$body` in builds with the GPU backend (feature `gpu`), else the
/// `no_kernels` error (no storage can be on a GPU then, so that arm is never reached). Each
/// family file keeps its GPU code in a `mod gpu` at its end, beside the CPU arms.
macro_rules! gpu_arm {
    ($name:literal, $body:expr) => {{
        #[cfg(feature = "gpu")]
        {
            $body
        }
        #[cfg(not(feature = "gpu"))]
        {
            Err($crate::backend::no_kernels($crate::device::Device::Gpu(0), $name))
        }
    }};
}
pub(crate) use gpu_arm;
