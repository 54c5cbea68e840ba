//! Random fills, and the generator state they draw from (one seeded generator per device, as
//! PyTorch: today the CPU's; `manual_seed` makes every random op reproducible).

use super::gpu_arm;
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
    Int {
        /// The smallest value drawn.
        low: i64,
        /// How many values can be drawn (`high - low`; a u64, so the whole i64 range fits).
        span: u64,
    },
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
        Device::Gpu(_) => gpu_arm!("random_fill", {
            use crate::gpu::kernels::map::{random, Distribution};
            let dist = match dist {
                RandomFill::Uniform | RandomFill::Normal if !t.dtype().is_float() => return Err(not_float(t.dtype())),
                RandomFill::Uniform => Distribution::Uniform { low: 0.0, high: 1.0 },
                RandomFill::Normal => Distribution::Normal { mean: 0.0, std: 1.0 },
                RandomFill::Int { low, span } => match i64::try_from(span).ok().and_then(|s| low.checked_add(s)) {
                    Some(high) if span > 0 => Distribution::RandInt { low, high },
                    _ => return Err(Error::NotImplemented(format!("random_ over a range of {span} values on the GPU (at most 2^63 - 1)"))),
                },
            };
            // One draw from rgrad's generator seeds the GPU's counter-based Philox stream, so
            // manual_seed makes GPU fills reproducible (their values differ from the CPU's).
            let seed = rng::with_generator(|g| g.next_u64());
            let (b, l) = super::gpu_operands::view(t)?;
            random(dist, t.dtype(), b, &l, seed)
        }),
    }
}

/// A float distribution asked of a non-float tensor (the ops layer refuses it first, with
/// PyTorch's message).
fn not_float(d: DType) -> Error {
    Error::NotImplemented(format!("random_fill: a float distribution for {d}"))
}
