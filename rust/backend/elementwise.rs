//! Elementwise primitives: unary(op), binary(op), where, clamp between tensors, masked fill,
//! isclose. Inputs arrive already converted to the dtype the op computes in and broadcast to
//! the output's shape (by layout: stride 0), so a kernel only ever sees one dtype per role.

use super::gpu_arm;
use super::operands::{operand, operand_as};
use crate::cpu::iter::Plan;
use crate::cpu::{fill, kernels};
use crate::device::Device;
use crate::dispatch_dtype;
use crate::dtype::{scalar_as, Scalar};
use crate::error::{Error, Result};
use crate::kinds::{BinaryOp, UnaryOp};
use crate::tensor::Tensor;

/// `out = op(x)`: `x` of the dtype the op computes in and of `out`'s shape; `out` of that dtype,
/// or bool for predicates. `out` may be `x` itself (in place).
#[inline]
pub fn unary(op: UnaryOp, out: &Tensor, x: &Tensor) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let plan = Plan::<2>::new(x.shape(), [operand(out), operand(x)]);
            kernels::unary(op, x.dtype(), &plan);
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("unary", gpu::unary(op, out, x)),
    }
}

/// The error of an integer division by zero (Python's `ZeroDivisionError` text, as PyTorch's
/// RuntimeError).
fn zero_division() -> Error {
    Error::Runtime("ZeroDivisionError".into())
}

/// Runs `op` over a planned (out, a, b) in the inputs' dtype `compute`.
#[inline(always)]
fn binary_plan(op: BinaryOp, compute: crate::dtype::DType, plan: &Plan<3>) -> Result<()> {
    if op.is_bool_output() {
        kernels::binary_compare(op, compute, plan);
    } else if !kernels::binary_arith(op, compute, plan) {
        return Err(zero_division());
    }
    Ok(())
}

/// `out = op(a, b)`: `a` and `b` of the same (compute) dtype, broadcast to `out`'s shape; `out`
/// of that dtype, or bool for comparisons and logical ops. `out` may be `a` (in place); an
/// integer division by zero is an error.
#[inline]
pub fn binary(op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let shape = out.shape();
            let plan = Plan::<3>::new(shape, [operand(out), operand_as(a, shape)?, operand_as(b, shape)?]);
            binary_plan(op, a.dtype(), &plan)
        }
        Device::Gpu(_) => gpu_arm!("binary", gpu::binary(op, out, a, b)),
    }
}

/// `out = cond ? a : b`: `cond` bool, `a` and `b` of `out`'s dtype, all broadcast to `out`.
pub fn where_select(out: &Tensor, cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let shape = out.shape();
            let plan = Plan::<4>::new(shape, [operand(out), operand_as(cond, shape)?, operand_as(a, shape)?, operand_as(b, shape)?]);
            kernels::where_kernel(out.dtype(), &plan);
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("where", gpu::where_select(out, cond, a, b)),
    }
}

/// `out = clamp(x, lo, hi)` with tensor bounds (at least one given), all of `out`'s dtype and
/// broadcast to its shape; NaN in `x` or a bound propagates.
pub fn clamp_tensors(out: &Tensor, x: &Tensor, lo: Option<&Tensor>, hi: Option<&Tensor>) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let shape = out.shape();
            match (lo, hi) {
                (Some(lo), Some(hi)) => {
                    let plan = Plan::<4>::new(shape, [operand(out), operand_as(x, shape)?, operand_as(lo, shape)?, operand_as(hi, shape)?]);
                    kernels::clamp_tensor(out.dtype(), &plan);
                }
                (Some(b), None) | (None, Some(b)) => {
                    let plan = Plan::<3>::new(shape, [operand(out), operand_as(x, shape)?, operand_as(b, shape)?]);
                    kernels::clamp_tensor_one(out.dtype(), &plan, lo.is_some());
                }
                (None, None) => return Err(Error::Runtime("torch.clamp: At least one of 'min' or 'max' must not be None".into())),
            }
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("clamp", gpu::clamp_tensors(out, x, lo, hi)),
    }
}

/// `out = mask ? value : x` (`mask` bool, broadcast to `out`; `x` of `out`'s shape and dtype).
/// With `out` the same view as `x` it writes in place, touching only the masked elements.
pub fn masked_fill(out: &Tensor, x: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let shape = out.shape();
            if out.ptr_eq(x) || (out.same_storage(x) && out.layout() == x.layout()) {
                let plan = Plan::<2>::new(shape, [operand(out), operand_as(mask, shape)?]);
                dispatch_dtype!(out.dtype(), T => fill::masked_fill::<T>(&plan, scalar_as::<T>(value)));
            } else {
                let plan = Plan::<3>::new(shape, [operand(out), operand(x), operand_as(mask, shape)?]);
                dispatch_dtype!(out.dtype(), T => {
                    let v: T = scalar_as::<T>(value);
                    kernels::run_map2::<T, bool, T>(&plan, move |x, m| if m { v } else { x })
                });
            }
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("masked_fill", gpu::masked_fill(out, x, mask, value)),
    }
}

/// `out = |a - b| <= atol + rtol * |b|` (bool), `a` and `b` of one dtype, broadcast to `out`.
pub fn isclose(out: &Tensor, a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let shape = out.shape();
            let plan = Plan::<3>::new(shape, [operand(out), operand_as(a, shape)?, operand_as(b, shape)?]);
            kernels::isclose(a.dtype(), &plan, rtol, atol, equal_nan);
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("isclose", gpu::isclose(out, a, b, rtol, atol, equal_nan)),
    }
}

/// The GPU arms: one kernel call each over device buffers and layouts. A 0-d CPU operand (a
/// Python number) travels as a scalar in the dispatch's metadata or is lifted to the device by
/// a fill kernel, never uploaded.
#[cfg(feature = "gpu")]
mod gpu {
    use super::super::gpu_operands::{host_scalar, lift, view, view_as};
    use crate::dtype::{DType, Scalar};
    use crate::error::{Error, Result};
    use crate::gpu::kernels::map;
    use crate::kinds::{BinaryOp, UnaryOp};
    use crate::tensor::Tensor;

    pub(super) fn unary(op: UnaryOp, out: &Tensor, x: &Tensor) -> Result<()> {
        let x = lift(x, out.device())?;
        let ((ob, ol), (xb, xl)) = (view(out)?, view(&x)?);
        map::unary(op, x.dtype(), xb, &xl, ob, &ol)
    }

    pub(super) fn binary(op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
        let shape = out.shape();
        let (ob, ol) = view(out)?;
        let compute = a.dtype();
        // a Python number (or any 0-d host tensor) rides in the metadata
        if let Some(s) = host_scalar(b)? {
            let (ab, al) = view_as(a, shape)?;
            map::binary_scalar(op, compute, ab, &al, s, false, ob, &ol)?;
            return check_int_division(op, compute);
        }
        if let Some(s) = host_scalar(a)? {
            let (bb, bl) = view_as(b, shape)?;
            map::binary_scalar(op, compute, bb, &bl, s, true, ob, &ol)?;
            return check_int_division(op, compute);
        }
        let ((ab, al), (bb, bl)) = (view_as(a, shape)?, view_as(b, shape)?);
        map::binary(op, compute, ab, &al, bb, &bl, ob, &ol)?;
        check_int_division(op, compute)
    }

    /// An integer division by zero is recorded by the kernel; it is read right away (a sync)
    /// so the op raises ZeroDivisionError as the CPU does, not a later readback.
    fn check_int_division(op: BinaryOp, compute: DType) -> Result<()> {
        if compute.is_int() && matches!(op, BinaryOp::Div | BinaryOp::DivTrunc | BinaryOp::DivFloor | BinaryOp::Remainder | BinaryOp::Fmod) {
            return crate::gpu::synchronize();
        }
        Ok(())
    }

    pub(super) fn where_select(out: &Tensor, cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<()> {
        let shape = out.shape();
        let d = out.device();
        let (cond, a, b) = (lift(cond, d)?, lift(a, d)?, lift(b, d)?);
        let (ob, ol) = view(out)?;
        let ((cb, cl), (ab, al), (bb, bl)) = (view_as(&cond, shape)?, view_as(&a, shape)?, view_as(&b, shape)?);
        map::where_(out.dtype(), cb, &cl, ab, &al, bb, &bl, ob, &ol)
    }

    pub(super) fn clamp_tensors(out: &Tensor, x: &Tensor, lo: Option<&Tensor>, hi: Option<&Tensor>) -> Result<()> {
        if lo.is_none() && hi.is_none() {
            return Err(Error::Runtime("torch.clamp: At least one of 'min' or 'max' must not be None".into()));
        }
        let shape = out.shape();
        let d = out.device();
        let x = lift(x, d)?;
        let lo = lo.map(|t| lift(t, d)).transpose()?;
        let hi = hi.map(|t| lift(t, d)).transpose()?;
        let (ob, ol) = view(out)?;
        let (xb, xl) = view_as(&x, shape)?;
        let lo = lo.as_ref().map(|t| view_as(t, shape)).transpose()?;
        let hi = hi.as_ref().map(|t| view_as(t, shape)).transpose()?;
        map::clamp_tensor(out.dtype(), xb, &xl, lo.as_ref().map(|(b, l)| (*b, l)), hi.as_ref().map(|(b, l)| (*b, l)), ob, &ol)
    }

    pub(super) fn masked_fill(out: &Tensor, x: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
        let shape = out.shape();
        let mask = lift(mask, out.device())?;
        let ((ob, ol), (xb, xl), (mb, ml)) = (view(out)?, view_as(x, shape)?, view_as(&mask, shape)?);
        map::masked_fill(out.dtype(), xb, &xl, mb, &ml, value, ob, &ol)
    }

    /// `|a - b| <= atol + rtol * |b|`, with NaN == NaN when `equal_nan` and infinities equal
    /// only to themselves: composed from elementwise kernels in the inputs' float dtype.
    pub(super) fn isclose(out: &Tensor, a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<()> {
        let shape = out.shape();
        let d = out.device();
        let (a, b) = (lift(a, d)?, lift(b, d)?);
        let dt = a.dtype();
        if !matches!(dt, DType::F32 | DType::F64) {
            // integers and bools: exact equality up to the tolerance, computed in float64 as
            // the CPU does
            let (af, bf) = (Tensor::empty_on(shape, DType::F64, d)?, Tensor::empty_on(shape, DType::F64, d)?);
            super::super::copy(&af, &a)?;
            super::super::copy(&bf, &b)?;
            return isclose(out, &af, &bf, rtol, atol, equal_nan);
        }
        let ((ab, al), (bb, bl)) = (view_as(&a, shape)?, view_as(&b, shape)?);
        let tmp = |dtype| -> Result<Tensor> { Tensor::empty_on(shape, dtype, d) };
        let (diff, tol, close, eq) = (tmp(dt)?, tmp(dt)?, tmp(DType::Bool)?, tmp(DType::Bool)?);
        let (db, dl) = view(&diff)?;
        let (tb, tl) = view(&tol)?;
        let (cb, cl) = view(&close)?;
        let (eb, el) = view(&eq)?;
        // close = |a - b| <= atol + rtol * |b|  (NaN anywhere makes it false)
        map::binary(BinaryOp::Sub, dt, ab, &al, bb, &bl, db, &dl)?;
        map::unary(UnaryOp::Abs, dt, db, &dl, db, &dl)?;
        map::unary(UnaryOp::Abs, dt, bb, &bl, tb, &tl)?;
        map::binary_scalar(BinaryOp::Mul, dt, tb, &tl, Scalar::Float(rtol), false, tb, &tl)?;
        map::binary_scalar(BinaryOp::Add, dt, tb, &tl, Scalar::Float(atol), false, tb, &tl)?;
        map::binary(BinaryOp::Le, dt, db, &dl, tb, &tl, cb, &cl)?;
        // close = close `combine` (pred(a) and pred(b))
        let both = |pred: UnaryOp, combine: BinaryOp| -> Result<()> {
            let (pa, pb) = (tmp(DType::Bool)?, tmp(DType::Bool)?);
            let ((pab, pal), (pbb, pbl)) = (view(&pa)?, view(&pb)?);
            map::unary(pred, dt, ab, &al, pab, &pal)?;
            map::unary(pred, dt, bb, &bl, pbb, &pbl)?;
            map::binary(BinaryOp::LogicalAnd, DType::Bool, pab, &pal, pbb, &pbl, pab, &pal)?;
            map::binary(combine, DType::Bool, cb, &cl, pab, &pal, cb, &cl)
        };
        // ... for finite values only (inf - inf is NaN, but -inf vs inf would pass with inf <= inf)
        both(UnaryOp::IsFinite, BinaryOp::LogicalAnd)?;
        // exact equality (infinities of one sign) also counts
        map::binary(BinaryOp::Eq, dt, ab, &al, bb, &bl, eb, &el)?;
        map::binary(BinaryOp::LogicalOr, DType::Bool, cb, &cl, eb, &el, cb, &cl)?;
        if equal_nan {
            both(UnaryOp::IsNan, BinaryOp::LogicalOr)?;
        }
        let (ob, ol) = view(out)?;
        map::copy_cast(cb, &cl, DType::Bool, ob, &ol, DType::Bool)
    }
}
