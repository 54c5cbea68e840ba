//! Reductions over dims (`ReduceOp`), scans along a dim (`ScanOp`), fused softmax, and
//! cumprod's zero-safe gradient.

use super::no_kernels;
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "reduce")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "scan")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "cumprod_backward")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "softmax")),
    }
}
