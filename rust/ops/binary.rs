//! Broadcasting binary ops: arithmetic and comparisons, out-of-place and in-place.
//! Each op is declared once in `binary_op` below (forward dtype rules + backward).
//!
//! Arithmetic, broadcasting and type promotion:
//! ```
//! use rgrad::{DType, Tensor};
//! let a = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
//! let row = Tensor::from_slice(&[10.0f32, 20.0, 30.0], &[3]).unwrap();
//! // shapes [2, 3] and [3] broadcast: the row is added to each row of `a`
//! assert_eq!(a.add(&row).unwrap().to_vec::<f32>().unwrap(), vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
//! assert_eq!(a.mul_scalar(2.0).unwrap().to_vec::<f32>().unwrap(), vec![2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
//! // type promotion: int64 / int64 is a float division in the default float dtype
//! let i = Tensor::from_slice(&[1i64, 3], &[2]).unwrap();
//! let q = i.div_scalar(2).unwrap();
//! assert_eq!((q.dtype(), q.to_vec::<f32>().unwrap()), (DType::F32, vec![0.5, 1.5]));
//! // shapes that do not broadcast are an error, not a panic
//! let col = Tensor::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
//! assert!(a.add(&col).is_err());
//! ```

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{default_float, DType, Scalar};
use crate::error::{Error, Result};
use crate::kinds::BinaryOp;
use crate::ops::checks::{check_inplace_allowed, check_inplace_device, check_inplace_dtype, common_device, first_out_of_range, not_implemented, result_type2};
use crate::ops::creation::wrapped;
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::Tensor;

/// The dtype the kernel computes in and the dtype it writes, or PyTorch's error
/// for a dtype the op does not support.
/// `exponent_is_number`: a bool tensor to a Python-number power stays bool (PyTorch has a
/// kernel for that and none for bool ** bool tensor).
fn dtypes_for(op: BinaryOp, common: DType, exponent_is_number: bool) -> Result<(DType, DType)> {
    let not_implemented = || not_implemented(op.kernel_name(), common);
    Ok(match op {
        _ if op.is_bool_output() => (common, DType::Bool),
        // true division and the float-only functions produce floats
        // hypot has no integer kernel in PyTorch (unlike atan2/copysign, which promote)
        BinaryOp::Hypot if !common.is_float() => return Err(not_implemented()),
        BinaryOp::Div | BinaryOp::Atan2 | BinaryOp::Copysign if !common.is_float() => (default_float(), default_float()),
        BinaryOp::Sub if common == DType::Bool => {
            return Err(Error::NotImplemented(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.".into(),
            ))
        }
        BinaryOp::Pow if common == DType::Bool && exponent_is_number => (DType::I64, DType::Bool),
        BinaryOp::Pow if common == DType::Bool => return Err(not_implemented()),
        BinaryOp::DivTrunc | BinaryOp::DivFloor | BinaryOp::Remainder | BinaryOp::Fmod if common == DType::Bool => return Err(not_implemented()),
        BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor if common.is_float() => return Err(not_implemented()),
        BinaryOp::Shl | BinaryOp::Shr if common.is_float() || common == DType::Bool => return Err(not_implemented()),
        _ => (common, common),
    })
}

/// PyTorch refuses `-` with any bool operand (a tensor or a Python bool), not only two.
fn check_bool_sub(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<()> {
    if op == BinaryOp::Sub && (a.dtype() == DType::Bool) != (b.dtype() == DType::Bool) {
        return Err(Error::NotImplemented(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.".into(),
        ));
    }
    Ok(())
}

/// Forward only: broadcast, promote, run the kernel into a fresh tensor.
pub(crate) fn binary_forward(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let device = common_device(&[a, b])?;
    check_bool_sub(op, a, b)?;
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let (compute, out_dtype) = dtypes_for(op, result_type2(a, b), b.is_wrapped_number())?;
    let out = Tensor::empty_on(&shape, out_dtype, device)?;
    run_into(op, &out, a, b, compute)?;
    Ok(out)
}

/// Runs `out = op(a, b)` with both inputs converted to `compute`.
fn run_into(op: BinaryOp, out: &Tensor, a: &Tensor, b: &Tensor, compute: DType) -> Result<()> {
    if matches!(op, BinaryOp::Pow) && compute.is_int() && b.is_wrapped_number() {
        // only a Python-number exponent is refused: a tensor of negative integer exponents
        // gives 0 (or +-1 for a base of +-1), as PyTorch
        check_int_pow(b)?;
    }
    let (a, b) = (a.cast_or_borrow(compute)?, b.cast_or_borrow(compute)?);
    let shape = out.shape();
    let overlaps = |x: &Tensor| x.same_storage(out) && (x.layout() != out.layout());
    let want = if op.is_bool_output() { DType::Bool } else { compute };
    if out.dtype() != want || overlaps(&a) || overlaps(&b) {
        // compute in `compute` into a temporary, then convert into `out`
        // (in-place ops on a narrower dtype, or an input that overlaps `out` differently)
        let tmp = Tensor::empty_on(shape, want, out.device())?;
        run_into(op, &tmp, &a, &b, compute)?;
        return out.copy_from_raw(&tmp);
    }
    backend::binary(op, out, &a, &b)
}

/// Integer tensors refuse negative integer exponents: a host read of whether any is negative
/// (one element is read as is; more are scanned by the backend).
fn check_int_pow(exponent: &Tensor) -> Result<()> {
    let negative = match exponent.dtype() {
        DType::I64 | DType::I32 if exponent.numel() == 1 => backend::read_scalar(exponent)?.to_i64() < 0,
        DType::I64 | DType::I32 => first_out_of_range(exponent, 0, i64::MAX)?.is_some(),
        _ => false,
    };
    if negative {
        return Err(Error::Runtime("Integers to negative integer powers are not allowed.".into()));
    }
    Ok(())
}

/// A saved-tensor slot the backward does not read (a fresh 0-d tensor, never modified).
fn placeholder() -> Tensor {
    Tensor::wrapped_scalar(Scalar::Int(0))
}

/// The one declaration of each differentiable binary op: forward, then its backward.
pub(crate) fn binary_op(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = binary_forward(op, a, b)?;
    if op.is_bool_output() || op.is_bitwise() || !needs_grad(&[a, b]) {
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
            // save only what the other side's gradient needs (an unsaved side gets a
            // placeholder, so modifying it in place later does not invalidate this node)
            let saved = vec![if gb { a.clone() } else { placeholder() }, if ga { b.clone() } else { placeholder() }];
            record("MulBackward0", &out, &[a, b], saved, move |s, g| {
                Ok(vec![
                    if ga { Some(g.mul(&s[1])?) } else { None },
                    if gb { Some(g.mul(&s[0])?) } else { None },
                ])
            })
        }
        BinaryOp::Div => record("DivBackward0", &out, &[a, b], vec![if gb { a.clone() } else { placeholder() }, b.clone()], move |s, g| {
            let (a, b) = (&s[0], &s[1]);
            Ok(vec![
                if ga { Some(g.div(b)?) } else { None },
                // d(a/b)/db = -a / b^2
                if gb { Some(g.mul(a)?.div(&b.mul(b)?)?.neg()?) } else { None },
            ])
        }),
        // rounded divisions are piecewise constant: zero gradient, as PyTorch
        BinaryOp::DivTrunc | BinaryOp::DivFloor => record("DivBackward1", &out, &[a, b], vec![], move |_, g| {
            Ok(vec![if ga { Some(g.zeros_like()?) } else { None }, if gb { Some(g.zeros_like()?) } else { None }])
        }),
        BinaryOp::Remainder | BinaryOp::Fmod => {
            let (name, q) = if op == BinaryOp::Remainder { ("RemainderBackward0", BinaryOp::DivFloor) } else { ("FmodBackward0", BinaryOp::DivTrunc) };
            record(name, &out, &[a, b], vec![a.clone(), b.clone()], move |s, g| {
                // a - b * q(a, b): d/da = 1, d/db = -q(a, b)
                Ok(vec![
                    ga.then(|| g.clone()),
                    if gb { Some(g.mul(&binary_op(q, &s[0], &s[1])?)?.neg()?) } else { None },
                ])
            })
        }
        // PyTorch's names: pow(Tensor, Scalar) is PowBackward0, pow(Tensor, Tensor) PowBackward1,
        // pow(Scalar, Tensor) PowBackward2 (a Python number arrives as a wrapped 0-d tensor).
        // The output is saved only for the exponent's gradient (pow(x, 1.5) saves x alone,
        // as PyTorch's pow(Tensor, Scalar): an in-place op on the result doesn't invalidate it)
        BinaryOp::Pow => record(
            if b.is_wrapped_number() { "PowBackward0" } else if a.is_wrapped_number() { "PowBackward2" } else { "PowBackward1" },
            &out, &[a, b], vec![a.clone(), b.clone(), if gb { out.clone() } else { placeholder() }], move |s, g| {
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
                let p = &s[2];
                let d = p.mul(&base.log()?)?;
                let zero_base = base.eq_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?.logical_and(&exp.ge_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?)?;
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
                Ok(vec![
                    if ga { Some(g.mul(&wa)?) } else { None },
                    if gb { Some(g.mul(&one_minus(&wa)?)?) } else { None },
                ])
            })
        }
        BinaryOp::Fmax | BinaryOp::Fmin => {
            let name = if op == BinaryOp::Fmax { "FmaxBackward0" } else { "FminBackward0" };
            record(name, &out, &[a, b], vec![a.clone(), b.clone()], move |s, g| {
                // the whole gradient goes to the side that was picked (self on ties), as PyTorch
                let (a, b) = (&s[0], &s[1]);
                let a_side = if op == BinaryOp::Fmax { a.ge_t(b)? } else { a.le_t(b)? };
                let a_picked = a_side.logical_or(&b.isnan()?)?;
                let zero = wrapped(0.0);
                Ok(vec![
                    if ga { Some(a_picked.where_t(g, &zero)?) } else { None },
                    if gb { Some(a_picked.where_t(&zero, g)?) } else { None },
                ])
            })
        }
        BinaryOp::Atan2 => record("Atan2Backward0", &out, &[a, b], vec![a.clone(), b.clone()], move |s, g| {
            let (a, b) = (&s[0], &s[1]);
            let den = a.mul(a)?.add(&b.mul(b)?)?;
            Ok(vec![
                if ga { Some(g.mul(b)?.div(&den)?) } else { None },
                if gb { Some(g.mul(a)?.div(&den)?.neg()?) } else { None },
            ])
        }),
        BinaryOp::Hypot => record("HypotBackward0", &out, &[a, b], vec![a.clone(), b.clone(), out.clone()], move |s, g| {
            let (a, b, h) = (&s[0], &s[1], &s[2]);
            Ok(vec![
                if ga { Some(g.mul(a)?.div(h)?) } else { None },
                if gb { Some(g.mul(b)?.div(h)?) } else { None },
            ])
        }),
        BinaryOp::Copysign => record("CopysignBackward0", &out, &[a, b], vec![a.clone(), b.clone()], move |s, g| {
            let (a, b) = (&s[0], &s[1]);
            // d/da copysign(a, b) = sign agreement of a and b (0 at a == 0)
            let ratio = a.copysign(b)?.div(a)?;
            let zero = wrapped(0.0);
            let ratio = a.eq_t(&zero)?.where_t(&zero, &ratio)?;
            Ok(vec![if ga { Some(g.mul(&ratio)?) } else { None }, if gb { Some(g.zeros_like()?) } else { None }])
        }),
        _ => unreachable!(),
    }
    Ok(out)
}

/// In-place `self = op(self, other)`: the result must fit self's shape and dtype.
pub(crate) fn binary_inplace(op: BinaryOp, name: &'static str, this: &Tensor, other: &Tensor) -> Result<()> {
    check_inplace_device(this, &[other])?;
    check_bool_sub(op, this, other)?;
    check_inplace_allowed(this)?;
    let shape = broadcast_shapes(this.shape(), other.shape())?;
    if shape.as_slice() != this.shape() {
        return Err(Error::Runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(this.shape()),
            fmt_shape(&shape)
        )));
    }
    let (compute, result) = dtypes_for(op, result_type2(this, other), other.is_wrapped_number())?;
    check_inplace_dtype(result, this.dtype())?;
    let record_it = needs_grad(&[this, other]) && !op.is_bool_output() && !op.is_bitwise();
    if record_it && (other.same_storage(this) || !matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div)) {
        // generic path: compute from differentiable copies of the old values, then copy back
        // (`y *= y` must see the old y on both sides)
        let old = this.clone_t()?;
        let other = if other.same_storage(this) { other.clone_t()? } else { other.clone() };
        let r = binary_op(op, &old, &other)?;
        return this.copy_(&r);
    }
    // the old value, when the backward needs it (mul/div)
    // (a differentiable copy, so a create_graph backward sees how it depends on the inputs)
    let old = if record_it && matches!(op, BinaryOp::Mul | BinaryOp::Div) { Some(this.clone_t()?) } else { None };
    run_into(op, this, this, other, compute)?;
    this.storage().bump_version();
    if record_it {
        // `record` reads `this`'s edge (its grad_fn before this op) before installing the new node
        let old_self = this.clone();
        let (gs, go) = (this.requires_grad(), other.requires_grad());
        let old = old.unwrap_or_else(|| this.detach());
        match op {
            BinaryOp::Add => record(name, this, &[&old_self, other], vec![], move |_, g| Ok(vec![gs.then(|| g.clone()), go.then(|| g.clone())])),
            BinaryOp::Sub => record(name, this, &[&old_self, other], vec![], move |_, g| {
                Ok(vec![gs.then(|| g.clone()), if go { Some(g.neg()?) } else { None }])
            }),
            BinaryOp::Mul => record(name, this, &[&old_self, other], vec![old, other.clone()], move |s, g| {
                Ok(vec![if gs { Some(g.mul(&s[1])?) } else { None }, if go { Some(g.mul(&s[0])?) } else { None }])
            }),
            _ => record(name, this, &[&old_self, other], vec![old, other.clone()], move |s, g| {
                let (a, b) = (&s[0], &s[1]);
                Ok(vec![
                    if gs { Some(g.div(b)?) } else { None },
                    if go { Some(g.mul(a)?.div(&b.mul(b)?)?.neg()?) } else { None },
                ])
            }),
        }
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
    ($($name:ident, $inplace:ident, $op:expr, $node:literal);* $(;)?) => {
        impl Tensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "` with broadcasting and PyTorch type promotion.")]
                pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
                    binary_op($op, self, other)
                }
                #[doc = concat!("In-place `", stringify!($name), "`: the result must fit self's shape and dtype.")]
                pub fn $inplace(&self, other: &Tensor) -> Result<()> {
                    binary_inplace($op, $node, self, other)
                }
            )*
        }
    };
}

plain_binary! {
    pow, pow_, BinaryOp::Pow, "PowBackward1";
    div_trunc, div_trunc_, BinaryOp::DivTrunc, "DivBackward1";
    floor_divide, floor_divide_, BinaryOp::DivFloor, "DivBackward1";
    remainder, remainder_, BinaryOp::Remainder, "RemainderBackward0";
    fmod, fmod_, BinaryOp::Fmod, "FmodBackward0";
    maximum, maximum_, BinaryOp::Maximum, "MaximumBackward0";
    minimum, minimum_, BinaryOp::Minimum, "MinimumBackward0";
    fmax, fmax_, BinaryOp::Fmax, "FmaxBackward0";
    fmin, fmin_, BinaryOp::Fmin, "FminBackward0";
    atan2, atan2_, BinaryOp::Atan2, "Atan2Backward0";
    hypot, hypot_, BinaryOp::Hypot, "HypotBackward0";
    copysign, copysign_, BinaryOp::Copysign, "CopysignBackward0";
    bitwise_and, bitwise_and_, BinaryOp::BitAnd, "";
    bitwise_or, bitwise_or_, BinaryOp::BitOr, "";
    bitwise_xor, bitwise_xor_, BinaryOp::BitXor, "";
    bitwise_left_shift, bitwise_left_shift_, BinaryOp::Shl, "";
    bitwise_right_shift, bitwise_right_shift_, BinaryOp::Shr, "";
    logical_and, logical_and_, BinaryOp::LogicalAnd, "";
    logical_or, logical_or_, BinaryOp::LogicalOr, "";
    logical_xor, logical_xor_, BinaryOp::LogicalXor, "";
    eq_t, eq_, BinaryOp::Eq, "";
    ne_t, ne_, BinaryOp::Ne, "";
    lt_t, lt_, BinaryOp::Lt, "";
    le_t, le_, BinaryOp::Le, "";
    gt_t, gt_, BinaryOp::Gt, "";
    ge_t, ge_, BinaryOp::Ge, "";
}

impl Tensor {
    /// `other - self` (Python's `__rsub__`).
    pub fn rsub_t(&self, other: &Tensor) -> Result<Tensor> {
        other.sub(self)
    }
    /// `self ** e` with a Python-number exponent (wrapped, so it does not promote `self`'s dtype
    /// beyond what PyTorch's `pow(tensor, scalar)` does).
    pub fn pow_scalar(&self, e: impl Into<Scalar>) -> Result<Tensor> {
        self.pow(&Tensor::wrapped_scalar(e.into()))
    }
    /// `div(other, rounding_mode=None|"trunc"|"floor")`.
    pub fn div_mode(&self, other: &Tensor, rounding_mode: Option<&str>) -> Result<Tensor> {
        match rounding_mode {
            None => self.div(other),
            Some(m) => binary_op(rounding_op(m)?, self, other),
        }
    }
    /// In-place `div_(other, rounding_mode=...)`.
    pub fn div_mode_(&self, other: &Tensor, rounding_mode: Option<&str>) -> Result<()> {
        match rounding_mode {
            None => self.div_(other),
            Some(m) => binary_inplace(rounding_op(m)?, "DivBackward1", self, other),
        }
    }
    /// Any binary op by kind (for bindings that pick the op at run time).
    pub fn binary(&self, op: BinaryOp, other: &Tensor) -> Result<Tensor> {
        binary_op(op, self, other)
    }
    /// Any in-place binary op by kind.
    pub fn binary_(&self, op: BinaryOp, other: &Tensor) -> Result<()> {
        binary_inplace(op, "InplaceBackward", self, other)
    }
}

fn rounding_op(mode: &str) -> Result<BinaryOp> {
    match mode {
        "trunc" => Ok(BinaryOp::DivTrunc),
        "floor" => Ok(BinaryOp::DivFloor),
        _ => Err(Error::Value(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'"
        ))),
    }
}

/// `1 - t`.
pub(crate) fn one_minus(t: &Tensor) -> Result<Tensor> {
    wrapped(1.0).sub(t)
}
