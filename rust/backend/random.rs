//! Random fills, and the generator state they draw from (one seeded generator per device, as
//! PyTorch: today the CPU's; `manual_seed` makes every random op reproducible).

use super::no_kernels;
use super::operands::{dense, host_ptr};
use crate::cpu::rng;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use crate::{dispatch_dtype, dispatch_float};

pub use crate::cpu::rng::{default_generator, drawing_from, fresh_seed, initial_seed, manual_seed, Generator, Seeded, SharedGenerator, DEFAULT_SEED};

/// The distribution of a random fill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RandomFill {
    /// Uniform on [0, 1) (float dtypes).
    Uniform,
    /// Standard normal (float dtypes).
    Normal,
    /// Uniform integers in `[low, low + span)`.
    Int { low: i64, span: u64 },
}

/// Fills the contiguous `t` with draws from the current generator (the `generator=` one while
/// `drawing_from` runs, else the default). The ops layer checks the dtype fits the distribution.
pub fn random_fill(t: &Tensor, dist: RandomFill) -> Result<()> {
    debug_assert!(dense(t));
    match t.device() {
        Device::Cpu => {
            let n = t.numel();
            let p = host_ptr(t);
            // SAFETY: `t` is contiguous with `n` elements of its dtype
            unsafe {
                match dist {
                    RandomFill::Uniform => dispatch_float!(t.dtype(), T => rng::fill_uniform::<T>(p as *mut T, n), _ => return Err(not_float(t.dtype()))),
                    RandomFill::Normal => dispatch_float!(t.dtype(), T => rng::fill_normal::<T>(p as *mut T, n), _ => return Err(not_float(t.dtype()))),
                    RandomFill::Int { low, span } => dispatch_dtype!(t.dtype(), T => rng::fill_int::<T>(p as *mut T, n, low, span)),
                }
            }
            Ok(())
        }
        d @ Device::Gpu(_) => Err(no_kernels(d, "random_fill")),
    }
}

/// A float distribution asked of a non-float tensor (the ops layer refuses it first, with
/// PyTorch's message).
fn not_float(d: DType) -> Error {
    Error::NotImplemented(format!("random_fill: a float distribution for {d}"))
}
