//! The multi-tensor optimizer steps: every parameter of a group updated in one call, each
//! with its gradient and state tensors (all contiguous, checked by `ops::optim`).

pub use crate::cpu::optim::{Adadelta, Adagrad, Adam, Rmsprop, Sgd};

use crate::cpu::optim;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

fn ptr<T>(t: &Tensor) -> *mut T {
    debug_assert!(t.is_contiguous());
    super::operands::host_ptr(t) as *mut T
}

fn check_device(ts: &[&Tensor]) -> Result<()> {
    for t in ts {
        match t.device() {
            Device::Cpu => {}
            d @ Device::Gpu(_) => return Err(super::no_kernels(d, "this kernel")),
        }
    }
    Ok(())
}

fn unsupported(dtype: DType) -> Error {
    Error::NotImplemented(format!("optimizer step not implemented for '{}'", crate::tensor::dtype_title(dtype)))
}

macro_rules! float_kernel {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::F32 => {
                type $T = f32;
                unsafe { $body }
            }
            DType::F64 => {
                type $T = f64;
                unsafe { $body }
            }
            other => return Err(unsupported(other)),
        }
    };
}

/// SGD on one parameter; `buf` the momentum buffer (`first`: just made, set to the direction).
pub fn sgd(p: &Tensor, g: &Tensor, buf: Option<&Tensor>, first: bool, o: &Sgd) -> Result<()> {
    check_device(&[p, g])?;
    float_kernel!(p.dtype(), T => optim::sgd::<T>(ptr(p), ptr(g), buf.map(ptr::<T>), first, p.numel(), o));
    Ok(())
}

/// Adam / AdamW on one parameter.
pub fn adam(p: &Tensor, g: &Tensor, m: &Tensor, v: &Tensor, vmax: Option<&Tensor>, o: &Adam) -> Result<()> {
    check_device(&[p, g, m, v])?;
    float_kernel!(p.dtype(), T => optim::adam::<T>(ptr(p), ptr(g), ptr(m), ptr(v), vmax.map(ptr::<T>), p.numel(), o));
    Ok(())
}

/// RMSprop on one parameter.
pub fn rmsprop(p: &Tensor, g: &Tensor, sq: &Tensor, ga: Option<&Tensor>, buf: Option<&Tensor>, o: &Rmsprop) -> Result<()> {
    check_device(&[p, g, sq])?;
    float_kernel!(p.dtype(), T => optim::rmsprop::<T>(ptr(p), ptr(g), ptr(sq), ga.map(ptr::<T>), buf.map(ptr::<T>), p.numel(), o));
    Ok(())
}

/// Adagrad on one parameter.
pub fn adagrad(p: &Tensor, g: &Tensor, sum: &Tensor, o: &Adagrad) -> Result<()> {
    check_device(&[p, g, sum])?;
    float_kernel!(p.dtype(), T => optim::adagrad::<T>(ptr(p), ptr(g), ptr(sum), p.numel(), o));
    Ok(())
}

/// Adadelta on one parameter.
pub fn adadelta(p: &Tensor, g: &Tensor, sq: &Tensor, acc: &Tensor, o: &Adadelta) -> Result<()> {
    check_device(&[p, g, sq, acc])?;
    float_kernel!(p.dtype(), T => optim::adadelta::<T>(ptr(p), ptr(g), ptr(sq), ptr(acc), p.numel(), o));
    Ok(())
}
