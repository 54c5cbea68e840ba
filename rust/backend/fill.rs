//! Fills: a constant into any view, arithmetic ranges into a fresh vector, and the zeroed
//! triangles of `tril` / `triu`.

use super::gpu_arm;
use super::operands::{dense, host_ptr, operand};
use crate::cpu::iter::Plan;
use crate::cpu::{fill as kern, kernels};
use crate::device::Device;
use crate::dispatch_dtype;
use crate::dtype::{scalar_as, Scalar};
use crate::error::Result;
use crate::tensor::Tensor;

/// Writes `value`, converted to `t`'s dtype, into every element of the view `t`.
pub fn fill(t: &Tensor, value: Scalar) -> Result<()> {
    match t.device() {
        Device::Cpu => {
            if t.numel() == 1 {
                // one element (a Python number becoming an operand): a single store
                // SAFETY: the view's one element is at its host address
                dispatch_dtype!(t.dtype(), T => unsafe { *(host_ptr(t) as *mut T) = scalar_as::<T>(value) });
                return Ok(());
            }
            let plan = Plan::<1>::new(t.shape(), [operand(t)]);
            dispatch_dtype!(t.dtype(), T => kernels::fill::<T>(&plan, scalar_as::<T>(value)));
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("fill", {
            let (b, l) = super::gpu_operands::view(t)?;
            crate::gpu::kernels::map::fill_value(b, &l, t.dtype(), value)
        }),
    }
}

/// The values of a range fill, element `i` of a contiguous vector.
#[derive(Clone, Copy, Debug)]
pub enum RangeFill {
    /// `start + i * step` (`arange`).
    Arange {
        /// Element 0.
        start: f64,
        /// Difference between neighbours (nonzero; negative counts down).
        step: f64,
    },
    /// `steps` values from `start` to `end` inclusive (`linspace`), the last one exactly `end`.
    Linspace {
        /// The first value.
        start: f64,
        /// The last value (when there are at least two).
        end: f64,
    },
}

/// Fills the contiguous vector `t` with a range.
pub fn fill_range(t: &Tensor, range: RangeFill) -> Result<()> {
    debug_assert!(dense(t));
    match t.device() {
        Device::Cpu => {
            let n = t.numel();
            // SAFETY: `t` is a fresh contiguous vector of `n` elements of its dtype
            dispatch_dtype!(t.dtype(), T => unsafe {
                let p = host_ptr(t) as *mut T;
                match range {
                    RangeFill::Arange { start, step } => kern::arange::<T>(p, n, start, step),
                    RangeFill::Linspace { start, end } => kern::linspace::<T>(p, n, start, end),
                }
            });
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("fill_range", {
            use crate::dtype::{DType, Scalar};
            use crate::gpu::kernels::map;
            // Computed in float64 and converted, as the CPU's range fills are (float32 where the
            // adapter has no float64).
            let wide = if crate::gpu::has_f64() { DType::F64 } else { DType::F32 };
            let (b, l) = super::gpu_operands::view(t)?;
            let f = if t.dtype() == wide { t.clone() } else { Tensor::empty_on(t.shape(), wide, t.device())? };
            let (fb, fl) = super::gpu_operands::view(&f)?;
            match range {
                RangeFill::Arange { start, step } => map::arange(fb, &fl, wide, Scalar::Float(start), Scalar::Float(step))?,
                // one point is `start` (the kernel's two-ended formula would give `end`)
                RangeFill::Linspace { start, .. } if t.numel() == 1 => map::fill_value(fb, &fl, wide, Scalar::Float(start))?,
                RangeFill::Linspace { start, end } => map::linspace(fb, &fl, wide, start, end)?,
            }
            map::copy_cast(fb, &fl, wide, b, &l, t.dtype())
        }),
    }
}

/// Zeros, in the contiguous `t` (rank >= 2), what `tril(diagonal)` (`lower`) or
/// `triu(diagonal)` drops from each matrix of its last two dims.
pub fn fill_triangle(t: &Tensor, diagonal: isize, lower: bool) -> Result<()> {
    debug_assert!(dense(t) && t.rank() >= 2);
    match t.device() {
        Device::Cpu => {
            let r = t.rank();
            let (rows, cols) = (t.shape()[r - 2], t.shape()[r - 1]);
            let mats = t.numel().checked_div(rows * cols).unwrap_or(0);
            // SAFETY: `t` is contiguous with `mats * rows * cols` elements
            dispatch_dtype!(t.dtype(), T => unsafe { kern::zero_triangle::<T>(host_ptr(t), mats, rows, cols, diagonal, lower) });
            Ok(())
        }
        Device::Gpu(_) => super::on_host::round_trip("fill_triangle", &[t], &[true], |h| fill_triangle(&h[0], diagonal, lower)),
    }
}
