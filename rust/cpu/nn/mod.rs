//! Kernels of the neural-network layers (`rgrad.nn`): cross entropy, layer norm, im2col /
//! col2im for convolutions, max pooling. Raw pointers to contiguous data only; the
//! backend (`crate::backend::nn`) hands them over, the ops layer decides shapes and dtypes.

pub mod activation;
pub mod cross_entropy;
pub mod im2col;
pub mod layer_norm;
pub mod pool;

use crate::cpu::reduce_softmax::SoftFloat;
use crate::cpu::Element;
use std::ops::{AddAssign, Neg};

/// A float element of these kernels (f32 or f64).
pub trait NnFloat: Element + SoftFloat + AddAssign + Neg<Output = Self> {
    /// Square root (the std's own, correctly rounded), which `Element` does not offer; layer
    /// norm's `1 / sqrt(var + eps)` and the optimizers' denominators use it.
    fn sqrt(self) -> Self;
}

impl NnFloat for f32 {
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

impl NnFloat for f64 {
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

/// A raw pointer that may cross into worker threads: every kernel here writes disjoint
/// parts of its outputs from each task.
#[derive(Clone, Copy)]
pub(crate) struct Ptr<T>(pub *mut T);
// SAFETY: an address; sending it moves no data.
unsafe impl<T> Send for Ptr<T> {}
// SAFETY: the kernels of this module share these with their tasks, which write disjoint
// parts of the outputs (rows, images or planes) and only read the inputs.
unsafe impl<T> Sync for Ptr<T> {}

impl<T> Ptr<T> {
    /// Use inside closures, so that they capture the whole (Send) wrapper.
    #[inline(always)]
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// Splits `n` items into tasks of about `grain` items (at least one task).
#[inline]
pub(crate) fn tasks(n: usize, grain: usize) -> usize {
    n.div_ceil(grain.max(1)).max(1)
}
