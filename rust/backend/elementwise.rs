//! Elementwise primitives: unary(op), binary(op), where, clamp between tensors, masked fill,
//! isclose. Inputs arrive already converted to the dtype the op computes in and broadcast to
//! the output's shape (by layout: stride 0), so a kernel only ever sees one dtype per role.

use super::no_kernels;
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "unary")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "binary")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "where")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "clamp")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "masked_fill")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "isclose")),
    }
}
