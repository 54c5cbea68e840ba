//! The GPU backend's host round trip, and the one list of primitives that use it.
//!
//! A primitive with no GPU kernel yet runs its CPU arm on host copies of its GPU tensors: each
//! tensor is read back (a counted download), the CPU kernel runs, and the tensors it wrote are
//! uploaded back into the GPU views (counted uploads). So every op works on `device="gpu"` and
//! gives the CPU's answer, but these are not GPU ops: they are listed in [`HOST_ROUND_TRIP`]
//! (and in docs/gpu.md), `rgrad.gpu.transfer_counts()` shows each crossing, and the test of a
//! GPU training step asserts that it takes none of them.

use crate::device::Device;
use crate::error::Result;
use crate::tensor::Tensor;

/// Every primitive that computes on the host for GPU tensors (the allow-list the issue asks
/// for; `rgrad.gpu.host_round_trip_ops()` returns it). Linear algebra is here by design (LAPACK-
/// style factorizations run in faer on the host); the rest wait for kernels of their own.
pub const HOST_ROUND_TRIP: &[&str] = &[
    // linear algebra (faer)
    "lu_factor",
    "lu_solve",
    "inverse",
    "pivots_to_permutation",
    "cholesky",
    "cholesky_solve",
    "cholesky_inverse",
    "solve_triangular",
    "qr",
    "eigh",
    "svd",
    "matrix_exp",
    // output size depends on the data
    "unique",
    "unique_dim",
    "bincount",
    "histc",
    // indexing with tensor indices (advanced indexing, index_put_)
    "index_rows",
    "gather_rows",
    "scatter_rows",
    "repeat_index",
    // fused nn kernels and optimizer steps without a GPU version yet
    "cross_entropy_forward",
    "cross_entropy_backward",
    "rmsprop",
    "adagrad",
    "adadelta",
    "layer_norm_forward",
    "layer_norm_backward",
    "im2col",
    "col2im",
    "max_pool2d",
    "max_pool2d_backward",
    // the rest
    "cumprod_backward",
    "fill_triangle",
];

/// A host copy of `t`: `t` itself when it is in host memory, else a contiguous CPU tensor
/// holding its values (one download).
pub(crate) fn host_copy(t: &Tensor) -> Result<Tensor> {
    if t.device() == Device::Cpu {
        return Ok(t.clone());
    }
    let h = Tensor::empty_on(t.shape(), t.dtype(), Device::Cpu)?;
    super::copy(&h, t)?;
    Ok(h)
}

/// Runs `cpu` (the primitive's CPU arm, called again on host tensors) over host copies of
/// `tensors`, then copies back into the GPU tensors the ones `written` marks. `name` must be in
/// [`HOST_ROUND_TRIP`].
pub(crate) fn round_trip<R>(name: &'static str, tensors: &[&Tensor], written: &[bool], cpu: impl FnOnce(&[Tensor]) -> Result<R>) -> Result<R> {
    debug_assert!(HOST_ROUND_TRIP.contains(&name), "{name} computes on the host but is not in HOST_ROUND_TRIP");
    debug_assert_eq!(tensors.len(), written.len());
    let host: Vec<Tensor> = tensors.iter().map(|t| host_copy(t)).collect::<Result<_>>()?;
    let r = cpu(&host)?;
    for ((t, h), &w) in tensors.iter().zip(&host).zip(written) {
        if w && t.device() != Device::Cpu {
            super::copy(t, h)?;
        }
    }
    Ok(r)
}

/// The tensors of a round trip, gathered one by one (for primitives with optional tensors):
/// each `read` / `write` returns the position of its host copy in the slice the CPU arm gets.
#[derive(Default)]
pub(crate) struct Trip<'a> {
    tensors: Vec<&'a Tensor>,
    written: Vec<bool>,
}

impl<'a> Trip<'a> {
    /// An input: copied to the host only.
    pub(crate) fn read(&mut self, t: &'a Tensor) -> usize {
        self.tensors.push(t);
        self.written.push(false);
        self.tensors.len() - 1
    }
    /// An output (or an in-place operand): copied back after the CPU arm ran.
    pub(crate) fn write(&mut self, t: &'a Tensor) -> usize {
        self.read(t);
        self.written[self.tensors.len() - 1] = true;
        self.tensors.len() - 1
    }
    pub(crate) fn read_opt(&mut self, t: Option<&'a Tensor>) -> Option<usize> {
        t.map(|t| self.read(t))
    }
    pub(crate) fn write_opt(&mut self, t: Option<&'a Tensor>) -> Option<usize> {
        t.map(|t| self.write(t))
    }
    /// Runs the CPU arm over the host copies (see [`round_trip`]).
    pub(crate) fn run<R>(self, name: &'static str, cpu: impl FnOnce(&[Tensor]) -> Result<R>) -> Result<R> {
        round_trip(name, &self.tensors, &self.written, cpu)
    }
}

/// The host copy at position `i`, for an optional tensor of a [`Trip`].
pub(crate) fn opt(host: &[Tensor], i: Option<usize>) -> Option<&Tensor> {
    i.map(|i| &host[i])
}
