//! The multi-tensor optimizer steps: every parameter of a group updated in one call, each
//! with its gradient and state tensors (all contiguous, checked by `ops::optim`).

pub use crate::cpu::optim::{Adadelta, Adagrad, Adam, Rmsprop, Sgd};

use super::on_host::{opt, round_trip, Trip};
use crate::cpu::optim;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

fn ptr<T>(t: &Tensor) -> *mut T {
    debug_assert!(t.is_contiguous());
    super::operands::host_ptr(t) as *mut T
}

/// The CPU kernels below take host memory only (GPU tensors took the arm at the top).
fn check_device(ts: &[&Tensor]) -> Result<()> {
    for t in ts {
        if t.device() != Device::Cpu {
            return Err(Error::Runtime(format!("a CPU optimizer kernel was handed a tensor on {}", t.device())));
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
                // SAFETY: every call site passes the contiguous tensors the ops layer checked
                // (same length, this dtype) and nothing else writes them during the step
                unsafe { $body }
            }
            DType::F64 => {
                type $T = f64;
                // SAFETY: as above
                unsafe { $body }
            }
            other => return Err(unsupported(other)),
        }
    };
}

/// SGD on one parameter; `buf` the momentum buffer (`first`: just made, set to the direction).
pub fn sgd(p: &Tensor, g: &Tensor, buf: Option<&Tensor>, first: bool, o: &Sgd) -> Result<()> {
    if p.device() != Device::Cpu {
        return super::gpu_arm!("sgd", gpu::sgd(p, g, buf, first, o));
    }
    check_device(&[p, g])?;
    float_kernel!(p.dtype(), T => optim::sgd::<T>(ptr(p), ptr(g), buf.map(ptr::<T>), first, p.numel(), o));
    Ok(())
}

/// Adam / AdamW on one parameter.
pub fn adam(p: &Tensor, g: &Tensor, m: &Tensor, v: &Tensor, vmax: Option<&Tensor>, o: &Adam) -> Result<()> {
    if p.device() != Device::Cpu {
        return super::gpu_arm!("adam", gpu::adam(p, g, m, v, vmax, o));
    }
    check_device(&[p, g, m, v])?;
    float_kernel!(p.dtype(), T => optim::adam::<T>(ptr(p), ptr(g), ptr(m), ptr(v), vmax.map(ptr::<T>), p.numel(), o));
    Ok(())
}

/// RMSprop on one parameter.
pub fn rmsprop(p: &Tensor, g: &Tensor, sq: &Tensor, ga: Option<&Tensor>, buf: Option<&Tensor>, o: &Rmsprop) -> Result<()> {
    if p.device() != Device::Cpu {
        let mut t = Trip::default();
        let (pi, gi, si, ai, bi) = (t.write(p), t.read(g), t.write(sq), t.write_opt(ga), t.write_opt(buf));
        return t.run("rmsprop", |h| rmsprop(&h[pi], &h[gi], &h[si], opt(h, ai), opt(h, bi), o));
    }
    check_device(&[p, g, sq])?;
    float_kernel!(p.dtype(), T => optim::rmsprop::<T>(ptr(p), ptr(g), ptr(sq), ga.map(ptr::<T>), buf.map(ptr::<T>), p.numel(), o));
    Ok(())
}

/// Adagrad on one parameter.
pub fn adagrad(p: &Tensor, g: &Tensor, sum: &Tensor, o: &Adagrad) -> Result<()> {
    if p.device() != Device::Cpu {
        return round_trip("adagrad", &[p, g, sum], &[true, false, true], |h| adagrad(&h[0], &h[1], &h[2], o));
    }
    check_device(&[p, g, sum])?;
    float_kernel!(p.dtype(), T => optim::adagrad::<T>(ptr(p), ptr(g), ptr(sum), p.numel(), o));
    Ok(())
}

/// Adadelta on one parameter.
pub fn adadelta(p: &Tensor, g: &Tensor, sq: &Tensor, acc: &Tensor, o: &Adadelta) -> Result<()> {
    if p.device() != Device::Cpu {
        return round_trip("adadelta", &[p, g, sq, acc], &[true, false, true, true], |h| adadelta(&h[0], &h[1], &h[2], &h[3], o));
    }
    check_device(&[p, g, sq, acc])?;
    float_kernel!(p.dtype(), T => optim::adadelta::<T>(ptr(p), ptr(g), ptr(sq), ptr(acc), p.numel(), o));
    Ok(())
}

/// The GPU arms of SGD and Adam: the CPU loop's arithmetic, in the same order, as a short
/// sequence of elementwise kernels over the parameter's buffers (a few dispatches per
/// parameter; everything stays on the device).
#[cfg(feature = "gpu")]
mod gpu {
    use super::{Adam, Sgd};
    use crate::backend::gpu_operands::view;
    use crate::dtype::{DType, Scalar};
    use crate::error::{Error, Result};
    use crate::gpu::kernels::map;
    use crate::kinds::{BinaryOp, UnaryOp};
    use crate::tensor::Tensor;

    /// Elementwise arithmetic over same-shaped contiguous tensors of one float dtype.
    struct Ew {
        dtype: DType,
    }

    impl Ew {
        fn of(p: &Tensor) -> Result<Ew> {
            match p.dtype() {
                DType::F32 | DType::F64 => Ok(Ew { dtype: p.dtype() }),
                other => Err(Error::NotImplemented(format!("optimizer step not implemented for '{}'", crate::tensor::dtype_title(other)))),
            }
        }
        fn tmp(&self, like: &Tensor) -> Result<Tensor> {
            Tensor::empty_on(like.shape(), self.dtype, like.device())
        }
        /// `out = a op b`
        fn bin(&self, op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
            let ((ob, ol), (ab, al), (bb, bl)) = (view(out)?, view(a)?, view(b)?);
            map::binary(op, self.dtype, ab, &al, bb, &bl, ob, &ol)
        }
        /// `out = a op s`
        fn sc(&self, op: BinaryOp, out: &Tensor, a: &Tensor, s: f64) -> Result<()> {
            let ((ob, ol), (ab, al)) = (view(out)?, view(a)?);
            map::binary_scalar(op, self.dtype, ab, &al, Scalar::Float(s), false, ob, &ol)
        }
    }

    pub(super) fn sgd(p: &Tensor, g: &Tensor, buf: Option<&Tensor>, first: bool, o: &Sgd) -> Result<()> {
        let e = Ew::of(p)?;
        let (d, t) = (e.tmp(p)?, e.tmp(p)?);
        // d = sign * g (+ weight_decay * p; skipped at zero so an infinite p stays infinite)
        e.sc(BinaryOp::Mul, &d, g, if o.maximize { -1.0 } else { 1.0 })?;
        if o.weight_decay != 0.0 {
            e.sc(BinaryOp::Mul, &t, p, o.weight_decay)?;
            e.bin(BinaryOp::Add, &d, &d, &t)?;
        }
        if let Some(b) = buf {
            if first {
                map_copy(&e, b, &d)?;
            } else {
                // b = momentum * b + (1 - dampening) * d
                e.sc(BinaryOp::Mul, b, b, o.momentum)?;
                e.sc(BinaryOp::Mul, &t, &d, 1.0 - o.dampening)?;
                e.bin(BinaryOp::Add, b, b, &t)?;
            }
            if o.nesterov {
                // d = d + momentum * b
                e.sc(BinaryOp::Mul, &t, b, o.momentum)?;
                e.bin(BinaryOp::Add, &d, &d, &t)?;
            } else {
                map_copy(&e, &d, b)?;
            }
        }
        // p = p - lr * d
        e.sc(BinaryOp::Mul, &t, &d, o.lr)?;
        e.bin(BinaryOp::Sub, p, p, &t)
    }

    fn map_copy(e: &Ew, dst: &Tensor, src: &Tensor) -> Result<()> {
        let ((db, dl), (sb, sl)) = (view(dst)?, view(src)?);
        map::copy_cast(sb, &sl, e.dtype, db, &dl, e.dtype)
    }

    pub(super) fn adam(p: &Tensor, g: &Tensor, m: &Tensor, v: &Tensor, vmax: Option<&Tensor>, o: &Adam) -> Result<()> {
        let e = Ew::of(p)?;
        let (gv, t) = (e.tmp(p)?, e.tmp(p)?);
        // p = p * (1 - lr * weight_decay)  (AdamW)
        if o.decoupled && o.weight_decay != 0.0 {
            e.sc(BinaryOp::Mul, p, p, 1.0 - o.lr * o.weight_decay)?;
        }
        // gv = sign * g (+ weight_decay * p for Adam's L2)
        e.sc(BinaryOp::Mul, &gv, g, if o.maximize { -1.0 } else { 1.0 })?;
        if !o.decoupled && o.weight_decay != 0.0 {
            e.sc(BinaryOp::Mul, &t, p, o.weight_decay)?;
            e.bin(BinaryOp::Add, &gv, &gv, &t)?;
        }
        // m = m + (1 - beta1) * (gv - m)
        e.bin(BinaryOp::Sub, &t, &gv, m)?;
        e.sc(BinaryOp::Mul, &t, &t, 1.0 - o.beta1)?;
        e.bin(BinaryOp::Add, m, m, &t)?;
        // v = beta2 * v + (1 - beta2) * gv * gv
        e.sc(BinaryOp::Mul, v, v, o.beta2)?;
        e.sc(BinaryOp::Mul, &t, &gv, 1.0 - o.beta2)?;
        e.bin(BinaryOp::Mul, &t, &t, &gv)?;
        e.bin(BinaryOp::Add, v, v, &t)?;
        // the denominator from v, or from the running max of v (amsgrad)
        let den = match vmax {
            Some(x) => {
                e.bin(BinaryOp::Maximum, x, x, v)?;
                x
            }
            None => v,
        };
        // p = p - step_size * m / (sqrt(den) / bc2 + eps)
        let ((tb, tl), (db, dl)) = (view(&t)?, view(den)?);
        map::unary(UnaryOp::Sqrt, e.dtype, db, &dl, tb, &tl)?;
        e.sc(BinaryOp::Div, &t, &t, o.bc2_sqrt)?;
        e.sc(BinaryOp::Add, &t, &t, o.eps)?;
        e.bin(BinaryOp::Div, &t, m, &t)?;
        e.sc(BinaryOp::Mul, &t, &t, o.step_size)?;
        e.bin(BinaryOp::Sub, p, p, &t)
    }
}
