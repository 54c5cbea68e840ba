//! Reductions over dims (`ReduceOp`), scans along a dim (`ScanOp`), fused softmax, and
//! cumprod's zero-safe gradient.

use super::gpu_arm;
use super::operands::{dense, host_ptr, operand};
use crate::cpu::iter::SendPtr;
use crate::cpu::{reduce_op, reduce_scan, reduce_softmax};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kinds::{ReduceOp, ScanOp};
use crate::tensor::Tensor;

fn no_kernel_for(what: &str, op: impl std::fmt::Debug, d: DType) -> Error {
    Error::NotImplemented(format!("{what} {op:?} has no kernel for {d}"))
}

/// Reduces `x` over the dims where `mask` is true into the fresh contiguous `out` (one element
/// per kept position, row-major; `keepdim` is only a shape). `Max`/`Min` also write the int64
/// index of each extreme into `indices` when given; `ArgMax`/`ArgMin` write indices into `out`.
/// `out`'s dtype: the input's (Sum, Prod, Max, Min, SumAbs, SumSquare), int64 (arg), bool
/// (Any, All).
pub fn reduce(op: ReduceOp, x: &Tensor, mask: &[bool], out: &Tensor, indices: Option<&Tensor>) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let idx = indices.map_or(std::ptr::null_mut(), host_ptr);
            // SAFETY: the operand describes `x`'s view; `out` / `indices` are fresh and hold
            // one element per kept position
            let ok = unsafe { reduce_op::reduce_op(op, x.dtype(), x.shape(), mask, &operand(x), host_ptr(out), idx) };
            if ok { Ok(()) } else { Err(no_kernel_for("reduction", op, x.dtype())) }
        }
        Device::Gpu(_) => gpu_arm!("reduce", gpu::reduce(op, x, mask, out, indices)),
    }
}

/// `[outer, n, inner]` around dim `d` (a 0-d tensor is `[1, 1, 1]`).
pub(crate) fn split3(shape: &[usize], d: usize) -> (usize, usize, usize) {
    if shape.is_empty() {
        return (1, 1, 1);
    }
    (shape[..d].iter().product(), shape[d], shape[d + 1..].iter().product())
}

/// Scans the contiguous `x` along `dim` into the fresh contiguous `out` (same shape and dtype);
/// `Max`/`Min` also write int64 indices into `indices` (required for them).
pub fn scan(op: ScanOp, x: &Tensor, dim: usize, out: &Tensor, indices: Option<&Tensor>) -> Result<()> {
    debug_assert!(dense(x));
    if matches!(op, ScanOp::Max | ScanOp::Min) && indices.is_none() {
        return Err(Error::Runtime(format!("scan {op:?} needs an index output")));
    }
    match out.device() {
        Device::Cpu => {
            let (o, n, i) = split3(x.shape(), dim);
            let idx = SendPtr(indices.map_or(std::ptr::null_mut(), host_ptr));
            // SAFETY: all three are contiguous with `o * n * i` elements
            let ok = unsafe { reduce_scan::scan_op(op, x.dtype(), SendPtr(host_ptr(x)), SendPtr(host_ptr(out)), idx, o, n, i) };
            if ok { Ok(()) } else { Err(no_kernel_for("scan", op, x.dtype())) }
        }
        Device::Gpu(_) => gpu_arm!("scan", {
            use crate::gpu::kernels::scan::{scan, Scan};
            use super::gpu_operands::view;
            let s = match op {
                ScanOp::Sum => Scan::Sum,
                ScanOp::Prod => Scan::Prod,
                ScanOp::Max => Scan::Max,
                ScanOp::Min => Scan::Min,
            };
            if x.rank() == 0 {
                // a 0-d scan is the value itself (index 0)
                super::copy(out, x)?;
                return indices.map_or(Ok(()), |i| super::fill(i, crate::dtype::Scalar::Int(0)));
            }
            let ((xb, xl), (ob, ol)) = (view(x)?, view(out)?);
            let idx = indices.map(view).transpose()?;
            scan(s, x.dtype(), xb, &xl, dim, out.dtype(), ob, &ol, idx.as_ref().map(|(b, l)| (*b, l)))
        }),
    }
}

/// cumprod's gradient along `dim` when some inputs are zero: `x` and `g` contiguous float64 of
/// one shape, into the fresh contiguous float64 `out` (see `cpu::reduce_scan::cumprod_backward`).
pub fn cumprod_backward(x: &Tensor, g: &Tensor, dim: usize, out: &Tensor) -> Result<()> {
    debug_assert!(dense(x) && dense(g) && [x.dtype(), g.dtype(), out.dtype()] == [DType::F64; 3]);
    match out.device() {
        Device::Cpu => {
            let (o, n, i) = split3(x.shape(), dim);
            // SAFETY: the three are contiguous float64 with `o * n * i` elements
            unsafe { reduce_scan::cumprod_backward(host_ptr(x) as *const f64, host_ptr(g) as *const f64, host_ptr(out) as *mut f64, o, n, i) };
            Ok(())
        }
        Device::Gpu(_) => super::on_host::round_trip("cumprod_backward", &[x, g, out], &[false, false, true], |h| cumprod_backward(&h[0], &h[1], dim, &h[2])),
    }
}

/// Softmax (or log_softmax) of the contiguous float `x` along `dim` into the fresh `out`.
pub fn softmax(x: &Tensor, dim: usize, log: bool, out: &Tensor) -> Result<()> {
    debug_assert!(dense(x));
    match out.device() {
        Device::Cpu => {
            let (o, n, i) = split3(x.shape(), dim);
            let (sp, op) = (SendPtr(host_ptr(x)), SendPtr(host_ptr(out)));
            // SAFETY: both are contiguous with `o * n * i` elements of the dtype
            unsafe {
                match x.dtype() {
                    DType::F32 => reduce_softmax::softmax::<f32>(sp, op, o, n, i, log),
                    DType::F64 => reduce_softmax::softmax::<f64>(sp, op, o, n, i, log),
                    other => return Err(no_kernel_for("softmax", log, other)),
                }
            }
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("softmax", {
            use super::gpu_operands::view;
            if !x.dtype().is_float() {
                return Err(no_kernel_for("softmax", log, x.dtype()));
            }
            if x.rank() == 0 {
                // one element: softmax 1, log_softmax 0 (NaN stays NaN through x - x)
                let ((xb, xl), (ob, ol)) = (view(x)?, view(out)?);
                let lit = crate::dtype::Scalar::Float(if log { 0.0 } else { 1.0 });
                crate::gpu::kernels::map::binary_scalar(crate::kinds::BinaryOp::Mul, x.dtype(), xb, &xl, crate::dtype::Scalar::Float(0.0), false, ob, &ol)?;
                return crate::gpu::kernels::map::binary_scalar(crate::kinds::BinaryOp::Add, x.dtype(), ob, &ol, lit, false, ob, &ol);
            }
            let ((xb, xl), (ob, ol)) = (view(x)?, view(out)?);
            crate::gpu::kernels::softmax::softmax(log, x.dtype(), xb, &xl, dim, ob, &ol)
        }),
    }
}

/// The GPU arm of [`reduce`]: rgrad's reductions mapped onto the GPU's (`SumAbs` is the
/// 1-norm's body; `SumSquare` squares into a scratch tensor first, so no root is taken and
/// undone; arg-reductions get a scratch tensor for the values the GPU kernel also writes).
#[cfg(feature = "gpu")]
mod gpu {
    use super::super::gpu_operands::view;
    use crate::error::Result;
    use crate::gpu::kernels::map;
    use crate::gpu::kernels::reduce::{reduce as run, Reduction};
    use crate::kinds::{BinaryOp, ReduceOp};
    use crate::layout::Layout;
    use crate::shape::Shape;
    use crate::tensor::Tensor;

    pub(super) fn reduce(op: ReduceOp, x: &Tensor, mask: &[bool], out: &Tensor, indices: Option<&Tensor>) -> Result<()> {
        let kept: Shape = x.shape().iter().zip(mask).filter(|(_, &m)| !m).map(|(&n, _)| n).collect();
        // `out` (and `indices`) are fresh and contiguous: one element per kept position
        fn at<'t>(t: &'t Tensor, kept: &[usize]) -> Result<(&'t crate::gpu::GpuBuffer, Layout)> {
            let (b, l) = view(t)?;
            Ok((b, Layout { offset: l.offset, ..Layout::contiguous(kept) }))
        }
        let (ob, ol) = at(out, &kept)?;
        let (xb, xl) = view(x)?;
        let plain = |r: Reduction| run(r, x.dtype(), xb, &xl, mask, out.dtype(), ob, &ol, None);
        match op {
            ReduceOp::Sum => plain(Reduction::Sum),
            ReduceOp::Prod => plain(Reduction::Prod),
            ReduceOp::Mean => plain(Reduction::Mean),
            ReduceOp::Any => plain(Reduction::Any),
            ReduceOp::All => plain(Reduction::All),
            ReduceOp::SumAbs => plain(Reduction::Norm(1.0)),
            ReduceOp::SumSquare => {
                let sq = Tensor::empty_on(x.shape(), x.dtype(), x.device())?;
                let (sb, sl) = view(&sq)?;
                map::binary(BinaryOp::Mul, x.dtype(), xb, &xl, xb, &xl, sb, &sl)?;
                run(Reduction::Sum, x.dtype(), sb, &sl, mask, out.dtype(), ob, &ol, None)
            }
            ReduceOp::Max | ReduceOp::Min => match indices {
                None => plain(if op == ReduceOp::Max { Reduction::Max } else { Reduction::Min }),
                Some(i) => {
                    let (ib, il) = at(i, &kept)?;
                    let r = if op == ReduceOp::Max { Reduction::ArgMax } else { Reduction::ArgMin };
                    run(r, x.dtype(), xb, &xl, mask, x.dtype(), ob, &ol, Some((ib, &il)))
                }
            },
            ReduceOp::ArgMax | ReduceOp::ArgMin => {
                let values = Tensor::empty_on(&kept, x.dtype(), x.device())?;
                let (vb, vl) = view(&values)?;
                let r = if op == ReduceOp::ArgMax { Reduction::ArgMax } else { Reduction::ArgMin };
                run(r, x.dtype(), xb, &xl, mask, x.dtype(), vb, &vl, Some((ob, &ol)))
            }
        }
    }
}
