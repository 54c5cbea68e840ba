//! Broadcasting binary ops: arithmetic and comparisons, out-of-place and in-place.
//! Each op is declared once in `binary_op` below (forward dtype rules + backward).

use crate::autograd::{needs_grad, record};
use crate::cpu::iter::Plan;
use crate::cpu::kernels;
use crate::dtype::{default_float, result_type, DType, Operand, Scalar};
use crate::error::{Error, Result};
use crate::ops::kinds::BinaryOp;
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::{dtype_title, Tensor};

pub(crate) fn promotion_operand(t: &Tensor) -> Operand {
    if t.is_wrapped_number() {
        Operand::Wrapped(t.dtype().category())
    } else if t.rank() == 0 {
        Operand::ZeroDim(t.dtype())
    } else {
        Operand::Dimensioned(t.dtype())
    }
}

/// `torch.result_type(a, b)`.
pub fn result_type2(a: &Tensor, b: &Tensor) -> DType {
    result_type(&[promotion_operand(a), promotion_operand(b)])
}

pub(crate) fn check_same_device(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.device() != b.device() {
        return Err(Error::Runtime(format!(
            "Expected all tensors to be on the same device, but found at least two devices, {} and {}!",
            a.device(),
            b.device()
        )));
    }
    Ok(())
}

/// The dtype the kernel computes in and the dtype it writes.
fn dtypes_for(op: BinaryOp, common: DType) -> Result<(DType, DType)> {
    Ok(match op {
        // true division always produces a float
        BinaryOp::Div if !common.is_float() => (default_float(), default_float()),
        BinaryOp::Sub if common == DType::Bool => {
            return Err(Error::Runtime(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.".into(),
            ))
        }
        BinaryOp::Pow if common == DType::Bool => (DType::I64, DType::I64),
        _ if op.is_comparison() => (common, DType::Bool),
        _ => (common, common),
    })
}

/// Forward only: broadcast, promote, run the kernel into a fresh tensor.
pub(crate) fn binary_forward(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check_same_device(a, b)?;
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let (compute, out_dtype) = dtypes_for(op, result_type2(a, b))?;
    let out = Tensor::empty(&shape, out_dtype, a.device())?;
    run_into(op, &out, a, b, compute)?;
    Ok(out)
}

/// Runs `out = op(a, b)` with both inputs converted to `compute`.
fn run_into(op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor, compute: DType) -> Result<()> {
    let a = if a.dtype() != compute { a.cast_raw(compute)? } else { a.clone() };
    let b = if b.dtype() != compute { b.cast_raw(compute)? } else { b.clone() };
    let shape = out.shape();
    if out.dtype() != compute && !op.is_comparison() {
        // compute in `compute`, then convert into `out` (in-place ops on a narrower dtype)
        let tmp = Tensor::empty(shape, compute, out.device())?;
        run_into(op, &tmp, &a, &b, compute)?;
        return out.copy_from_raw(&tmp);
    }
    if matches!(op, BinaryOp::Pow) && compute.is_int() {
        check_int_pow(&b)?;
    }
    let plan = Plan::<3>::new(shape, [out.operand(), a.operand_as(shape)?, b.operand_as(shape)?]);
    if op.is_comparison() {
        kernels::binary_compare(op, compute, &plan);
    } else {
        kernels::binary_arith(op, compute, &plan);
    }
    Ok(())
}

fn check_int_pow(exponent: &Tensor) -> Result<()> {
    if exponent.numel() == 1 && exponent.item()?.to_i64() < 0 {
        return Err(Error::Runtime("Integers to negative integer powers are not allowed.".into()));
    }
    Ok(())
}

/// The one declaration of each differentiable binary op: forward, then its backward.
fn binary_op(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = binary_forward(op, a, b)?;
    if op.is_comparison() || !needs_grad(&[a, b]) {
        return Ok(out);
    }
    let (ga, gb) = (a.requires_grad(), b.requires_grad());
    match op {
        BinaryOp::Add => record("AddBackward0", &out, &[a, b], vec![], move |_, g| {
            Ok(vec![ga.then(|| g.clone()), gb.then(|| g.clone())])
        }),
        BinaryOp::Sub => record("SubBackward0", &out, &[a, b], vec![], move |_, g| {
            Ok(vec![ga.then(|| g.clone()), if gb { Some(g.neg()?) } else { None }])
        }),
        BinaryOp::Mul => {
            // save only what the other side's gradient needs
            let saved = vec![if gb { a.clone() } else { a.detach() }, if ga { b.clone() } else { b.detach() }];
            record("MulBackward0", &out, &[a, b], saved, move |s, g| {
                Ok(vec![
                    if ga { Some(g.mul(&s[1])?) } else { None },
                    if gb { Some(g.mul(&s[0])?) } else { None },
                ])
            })
        }
        BinaryOp::Div => record("DivBackward0", &out, &[a, b], vec![a.clone(), b.clone()], move |s, g| {
            let (a, b) = (&s[0], &s[1]);
            Ok(vec![
                if ga { Some(g.div(b)?) } else { None },
                // d(a/b)/db = -a / b^2
                if gb { Some(g.mul(a)?.div(&b.mul(b)?)?.neg()?) } else { None },
            ])
        }),
        BinaryOp::Pow => record("PowBackward1", &out, &[a, b], vec![a.clone(), b.clone(), out.detach()], move |s, g| {
            let (base, exp) = (&s[0], &s[1]);
            let ga_v = if ga {
                // d/da a^b = b * a^(b-1); zero where b == 0 (PyTorch's convention at a == 0)
                let one = Tensor::wrapped_scalar(Scalar::Int(1));
                let d = exp.mul(&base.pow(&exp.sub(&one)?)?)?;
                let zero_exp = exp.eq_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?;
                Some(g.mul(&d.masked_fill_scalar(&zero_exp, 0.0)?)?)
            } else {
                None
            };
            let gb_v = if gb {
                // d/db a^b = a^b * ln(a); zero where a == 0 and b >= 0
                let p = if crate::autograd::is_grad_enabled() { base.pow(exp)? } else { s[2].clone() };
                let d = p.mul(&base.log()?)?;
                let zero_base = base.eq_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?;
                Some(g.mul(&d.masked_fill_scalar(&zero_base, 0.0)?)?)
            } else {
                None
            };
            Ok(vec![ga_v, gb_v])
        }),
        BinaryOp::Maximum | BinaryOp::Minimum => {
            let name = if op == BinaryOp::Maximum { "MaximumBackward0" } else { "MinimumBackward0" };
            record(name, &out, &[a, b], vec![a.clone(), b.clone()], move |s, g| {
                // ties split the gradient in half, as PyTorch
                let (a, b) = (&s[0], &s[1]);
                let a_wins = if op == BinaryOp::Maximum { a.gt_t(b)? } else { a.lt_t(b)? };
                let tie = a.eq_t(b)?;
                let half = Tensor::wrapped_scalar(Scalar::Float(0.5));
                let wa = a_wins.to_dtype(g.dtype())?.add(&tie.to_dtype(g.dtype())?.mul(&half)?)?;
                let one = Tensor::wrapped_scalar(Scalar::Int(1));
                Ok(vec![
                    if ga { Some(g.mul(&wa)?) } else { None },
                    if gb { Some(g.mul(&one.rsub_t(&wa)?)?) } else { None },
                ])
            })
        }
        _ => unreachable!(),
    }
    Ok(out)
}

/// In-place `self = op(self, other)`: the result must fit self's shape and dtype.
fn binary_inplace(op: BinaryOp, name: &'static str, this: &Tensor, other: &Tensor) -> Result<()> {
    check_same_device(this, other)?;
    check_inplace_allowed(this)?;
    let shape = broadcast_shapes(this.shape(), other.shape())?;
    if shape.as_slice() != this.shape() {
        return Err(Error::Runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(this.shape()),
            fmt_shape(&shape)
        )));
    }
    let (compute, result) = dtypes_for(op, result_type2(this, other))?;
    if !can_cast(result, this.dtype()) {
        return Err(Error::Runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            dtype_title(result),
            dtype_title(this.dtype())
        )));
    }
    let record_it = needs_grad(&[this, other]);
    // the old value, when the backward needs it (mul/div)
    let old = if record_it && matches!(op, BinaryOp::Mul | BinaryOp::Div) { Some(this.clone_raw()?) } else { None };
    run_into(op, this, this, other, compute)?;
    this.storage().bump_version();
    if record_it {
        // `record` reads `this`'s edge (its grad_fn before this op) before installing the new node
        let old_self = this.clone();
        let (gs, go) = (this.requires_grad(), other.requires_grad());
        match op {
            BinaryOp::Add => record(name, this, &[&old_self, other], vec![], move |_, g| Ok(vec![gs.then(|| g.clone()), go.then(|| g.clone())])),
            BinaryOp::Sub => record(name, this, &[&old_self, other], vec![], move |_, g| {
                Ok(vec![gs.then(|| g.clone()), if go { Some(g.neg()?) } else { None }])
            }),
            BinaryOp::Mul => record(name, this, &[&old_self, other], vec![old.unwrap(), other.clone()], move |s, g| {
                Ok(vec![if gs { Some(g.mul(&s[1])?) } else { None }, if go { Some(g.mul(&s[0])?) } else { None }])
            }),
            BinaryOp::Div => record(name, this, &[&old_self, other], vec![old.unwrap(), other.clone()], move |s, g| {
                let (a, b) = (&s[0], &s[1]);
                Ok(vec![
                    if gs { Some(g.div(b)?) } else { None },
                    if go { Some(g.mul(a)?.div(&b.mul(b)?)?.neg()?) } else { None },
                ])
            }),
            _ => return Err(Error::Runtime(format!("{name}: in-place autograd not supported"))),
        }
    }
    Ok(())
}

/// PyTorch's `can_cast`: no float -> int, no non-bool -> bool.
pub fn can_cast(from: DType, to: DType) -> bool {
    !(from.is_float() && !to.is_float()) && !(from != DType::Bool && to == DType::Bool)
}

/// In-place ops on a leaf that requires grad are refused outside `no_grad`.
pub(crate) fn check_inplace_allowed(t: &Tensor) -> Result<()> {
    if crate::autograd::is_grad_enabled() && t.is_leaf() && t.requires_grad() {
        return Err(Error::Runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.".into(),
        ));
    }
    if !t.storage().writeable() {
        return Err(Error::Runtime("cannot write to a tensor whose memory is read-only (from a read-only NumPy array)".into()));
    }
    Ok(())
}

macro_rules! binary_methods {
    ($($name:ident, $scalar:ident, $inplace:ident, $op:expr, $node:literal);* $(;)?) => {
        impl Tensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "` with broadcasting and PyTorch type promotion.")]
                pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
                    binary_op($op, self, other)
                }
                #[doc = concat!("`", stringify!($name), "` with a scalar right operand.")]
                pub fn $scalar(&self, other: impl Into<Scalar>) -> Result<Tensor> {
                    binary_op($op, self, &Tensor::wrapped_scalar(other.into()))
                }
                #[doc = concat!("In-place `", stringify!($name), "`.")]
                pub fn $inplace(&self, other: &Tensor) -> Result<()> {
                    binary_inplace($op, $node, self, other)
                }
            )*
        }
    };
}

binary_methods! {
    add, add_scalar, add_, BinaryOp::Add, "AddBackward0";
    sub, sub_scalar, sub_, BinaryOp::Sub, "SubBackward0";
    mul, mul_scalar, mul_, BinaryOp::Mul, "MulBackward0";
    div, div_scalar, div_, BinaryOp::Div, "DivBackward0";
}

macro_rules! plain_binary {
    ($($name:ident, $op:expr);* $(;)?) => {
        impl Tensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($op), "` with broadcasting.")]
                pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
                    binary_op($op, self, other)
                }
            )*
        }
    };
}

plain_binary! {
    pow, BinaryOp::Pow;
    maximum, BinaryOp::Maximum;
    minimum, BinaryOp::Minimum;
    eq_t, BinaryOp::Eq;
    ne_t, BinaryOp::Ne;
    lt_t, BinaryOp::Lt;
    le_t, BinaryOp::Le;
    gt_t, BinaryOp::Gt;
    ge_t, BinaryOp::Ge;
}

impl Tensor {
    /// `other - self` (Python's `__rsub__`).
    pub fn rsub_t(&self, other: &Tensor) -> Result<Tensor> {
        other.sub(self)
    }
    pub fn pow_scalar(&self, e: impl Into<Scalar>) -> Result<Tensor> {
        self.pow(&Tensor::wrapped_scalar(e.into()))
    }
}
