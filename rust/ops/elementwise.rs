//! Unary elementwise math, clamp, where, isclose and the composite pointwise
//! ops (lerp, addcmul, addcdiv). Each unary op is declared once: its dtype
//! rule in `unary_dtypes`, its kernel chosen by its `UnaryOp` in the backend
//! (`backend::unary`, then `cpu::kernels::unary`), its backward in `unary_grad`
//! (written with Tensor ops, so it is differentiable itself).
//!
//!
//! ```
//! use rgrad::Tensor;
//! let x = Tensor::from_slice(&[0.0f64, 1.0, 4.0], &[3]).unwrap();
//! assert_eq!(x.sqrt().unwrap().to_vec::<f64>().unwrap(), vec![0.0, 1.0, 2.0]);
//! let e = x.exp().unwrap().to_vec::<f64>().unwrap();
//! assert!((e[1] - std::f64::consts::E).abs() < 1e-15);
//! assert_eq!(x.neg().unwrap().relu().unwrap().to_vec::<f64>().unwrap(), vec![0.0; 3]);
//! ```

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{default_float, result_type, DType, Scalar};
use crate::error::{Error, Result};
use crate::kinds::{BinaryOp, UnaryOp};
use crate::ops::binary::{binary_op, one_minus};
use crate::ops::checks::{check_inplace_allowed, check_inplace_dtype, common_device, not_implemented, promotion_of, result_type2};
use crate::ops::creation::wrapped;
use crate::shape::{broadcast_all, broadcast_shapes, fmt_shape};
use crate::tensor::{dtype_title, Tensor};

/// The dtype a unary op computes in and the dtype it writes (or PyTorch's error).
fn unary_dtypes(op: UnaryOp, d: DType) -> Result<(DType, DType)> {
    use UnaryOp::*;
    let float = if d.is_float() { d } else { default_float() };
    Ok(match op {
        _ if op.is_bool_output() => (d, DType::Bool),
        BitNot if d.is_float() => return Err(not_implemented("bitwise_not_cpu", d)),
        Neg if d == DType::Bool => {
            return Err(Error::NotImplemented(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.".into(),
            ))
        }
        Relu if d == DType::Bool => return Err(not_implemented("clamp_min_scalar_cpu", d)),
        // PyTorch has no bool kernels for these (the integer ones are the identity)
        Abs if d == DType::Bool => return Err(not_implemented("abs_cpu", d)),
        Floor | Ceil | Round | Trunc if d == DType::Bool => return Err(not_implemented(&format!("{}_vml_cpu", format!("{op:?}").to_lowercase()), d)),
        Clamp { .. } if d == DType::Bool => return Err(not_implemented("clamp_scalar_cpu", d)),
        // rounding to decimals has a float kernel only
        RoundDecimals(_) if !d.is_float() => return Err(not_implemented("round_cpu", d)),
        Square if d == DType::Bool => (DType::I64, DType::I64),
        Gelu | GeluTanh if !d.is_float() => return Err(not_implemented("GeluKernelImpl", d)),
        Silu if !d.is_float() => return Err(not_implemented("silu_cpu", d)),
        Softplus { .. } if !d.is_float() => return Err(not_implemented("softplus_cpu", d)),
        Frac if !d.is_float() => return Err(not_implemented("frac_cpu", d)),
        Neg | Abs | Sign | Floor | Ceil | Round | RoundDecimals(_) | Trunc | Clamp { .. } | NanToNum { .. } | Relu | Square | BitNot | Gelu | GeluTanh
        | Silu | Softplus { .. } | Frac => (d, d),
        _ => (float, float),
    })
}

/// Forward only: a fresh tensor holding `op(x)`.
pub(crate) fn unary_raw(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    let (compute, out_dtype) = unary_dtypes(op, x.dtype())?;
    let x = x.cast_or_borrow(compute)?;
    let out = Tensor::empty_on(x.shape(), out_dtype, x.device())?;
    backend::unary(op, &out, &x)?;
    Ok(out)
}

/// Does the backward of `op` read the op's output?
fn uses_output(op: UnaryOp) -> bool {
    use UnaryOp::*;
    matches!(op, Exp | Exp2 | Expm1 | Sqrt | Rsqrt | Reciprocal | Tan | Tanh | Sigmoid)
}

/// Ops with a zero (or no) derivative.
fn piecewise_constant(op: UnaryOp) -> bool {
    use UnaryOp::*;
    matches!(op, Sign | Floor | Ceil | Round | RoundDecimals(_) | Trunc)
}

/// The gradient of `op` at `x` (output `y`) times `g`, in Tensor ops.
fn unary_grad(op: UnaryOp, x: &Tensor, y: &Tensor, g: &Tensor) -> Result<Tensor> {
    use UnaryOp::*;
    let one = wrapped(1.0);
    let zero = wrapped(0.0);
    Ok(match op {
        Neg => g.neg()?,
        Abs => g.mul(&x.sign()?)?,
        Exp => g.mul(y)?,
        Exp2 => g.mul(y)?.mul_scalar(std::f64::consts::LN_2)?,
        Expm1 => g.mul(&y.add(&one)?)?,
        Log => g.div(x)?,
        Log2 => g.div(&x.mul_scalar(std::f64::consts::LN_2)?)?,
        Log10 => g.div(&x.mul_scalar(std::f64::consts::LN_10)?)?,
        Log1p => g.div(&x.add(&one)?)?,
        Sqrt => g.div(&y.mul_scalar(2.0)?)?,
        Rsqrt => g.mul(&y.mul(y)?.mul(y)?)?.mul_scalar(-0.5)?,
        Square => g.mul(&x.mul_scalar(2.0)?)?,
        Reciprocal => g.mul(&y.mul(y)?)?.neg()?,
        Sin => g.mul(&x.cos()?)?,
        Cos => g.mul(&x.sin()?)?.neg()?,
        Tan => g.mul(&y.mul(y)?.add(&one)?)?,
        Asin => g.mul(&one_minus(&x.mul(x)?)?.rsqrt()?)?,
        Acos => g.mul(&one_minus(&x.mul(x)?)?.rsqrt()?)?.neg()?,
        Atan => g.div(&x.mul(x)?.add(&one)?)?,
        Sinh => g.mul(&x.cosh()?)?,
        Cosh => g.mul(&x.sinh()?)?,
        Tanh => g.mul(&one_minus(&y.mul(y)?)?)?,
        Asinh => g.mul(&x.mul(x)?.add(&one)?.rsqrt()?)?,
        Acosh => g.mul(&x.mul(x)?.sub(&one)?.rsqrt()?)?,
        Atanh => g.div(&one_minus(&x.mul(x)?)?)?,
        Sigmoid => g.mul(&y.mul(&one_minus(y)?)?)?,
        // relu'(0) = 0, as PyTorch
        // one fused pass (a NaN input passes the gradient, as PyTorch)
        Relu => x.threshold_backward(g, 0.0)?,
        Gelu => {
            // Phi(x) + x phi(x)
            let cdf = x.mul_scalar(std::f64::consts::FRAC_1_SQRT_2)?.erf()?.add(&one)?.mul_scalar(0.5)?;
            let pdf = x.mul(x)?.mul_scalar(-0.5)?.exp()?.mul_scalar(0.398_942_280_401_432_7)?;
            g.mul(&cdf.add(&x.mul(&pdf)?)?)?
        }
        GeluTanh => {
            const K_BETA: f64 = 0.797_884_560_802_865_4;
            const K_KAPPA: f64 = 0.044_715;
            let x2 = x.mul(x)?;
            let inner = x.add(&x2.mul(x)?.mul_scalar(K_KAPPA)?)?.mul_scalar(K_BETA)?;
            let t = inner.tanh()?;
            let left = x.mul_scalar(0.5)?;
            let right = t.add(&one)?;
            let left_d = right.mul_scalar(0.5)?;
            let right_d = left.mul(&one_minus(&t.mul(&t)?)?)?.mul(&x2.mul_scalar(3.0 * K_KAPPA)?.add(&one)?)?.mul_scalar(K_BETA)?;
            g.mul(&left_d.add(&right_d)?)?
        }
        Silu => {
            let s = x.sigmoid()?;
            g.mul(&s.mul(&x.mul(&one_minus(&s)?)?.add(&one)?)?)?
        }
        Softplus { beta, threshold } => {
            let bx = x.mul_scalar(beta)?;
            let s = bx.sigmoid()?;
            g.mul(&bx.gt_t(&wrapped(threshold))?.where_t(&one, &s)?)?
        }
        Erf => g.mul(&x.mul(x)?.neg()?.exp()?.mul_scalar(std::f64::consts::FRAC_2_SQRT_PI)?)?,
        Frac => g.clone(),
        Clamp { min, max } => {
            // the gradient passes at the boundary, as PyTorch
            let mut mask: Option<Tensor> = None;
            if let Some(lo) = min {
                mask = Some(x.ge_t(&wrapped(lo))?);
            }
            if let Some(hi) = max {
                let m = x.le_t(&wrapped(hi))?;
                mask = Some(match mask {
                    Some(a) => a.logical_and(&m)?,
                    None => m,
                });
            }
            match mask {
                Some(m) => m.where_t(g, &zero)?,
                None => g.clone(),
            }
        }
        NanToNum { .. } => x.isfinite()?.where_t(g, &zero)?,
        _ if piecewise_constant(op) => g.zeros_like()?,
        _ => return Err(Error::Runtime(format!("the derivative of {op:?} is not implemented"))),
    })
}

fn grad_name(op: UnaryOp) -> &'static str {
    use UnaryOp::*;
    match op {
        Neg => "NegBackward0",
        Abs => "AbsBackward0",
        Sign => "SignBackward0",
        Exp => "ExpBackward0",
        Exp2 => "Exp2Backward0",
        Expm1 => "Expm1Backward0",
        Log => "LogBackward0",
        Log2 => "Log2Backward0",
        Log10 => "Log10Backward0",
        Log1p => "Log1pBackward0",
        Sqrt => "SqrtBackward0",
        Rsqrt => "RsqrtBackward0",
        Square => "PowBackward0",
        Reciprocal => "ReciprocalBackward0",
        Sin => "SinBackward0",
        Cos => "CosBackward0",
        Tan => "TanBackward0",
        Asin => "AsinBackward0",
        Acos => "AcosBackward0",
        Atan => "AtanBackward0",
        Sinh => "SinhBackward0",
        Cosh => "CoshBackward0",
        Tanh => "TanhBackward0",
        Asinh => "AsinhBackward0",
        Acosh => "AcoshBackward0",
        Atanh => "AtanhBackward0",
        Sigmoid => "SigmoidBackward0",
        Relu => "ReluBackward0",
        Gelu | GeluTanh => "GeluBackward0",
        Silu => "SiluBackward0",
        Softplus { .. } => "SoftplusBackward0",
        Erf => "ErfBackward0",
        Floor => "FloorBackward0",
        Ceil => "CeilBackward0",
        Round | RoundDecimals(_) => "RoundBackward0",
        Trunc => "TruncBackward0",
        Frac => "FracBackward0",
        Clamp { .. } => "ClampBackward1",
        NanToNum { .. } => "NanToNumBackward0",
        _ => "UnaryBackward0",
    }
}

/// The one declaration of each unary op: forward kernel, then its backward.
pub(crate) fn unary_op(op: UnaryOp, x: &Tensor) -> Result<Tensor> {
    let out = unary_raw(op, x)?;
    if op.is_bool_output() || matches!(op, UnaryOp::BitNot) || !out.dtype().is_float() || !needs_grad(&[x]) {
        return Ok(out);
    }
    // an op whose gradient is written with its output saves only the output (not x: an
    // in-place write to x afterwards must not invalidate a backward that doesn't read it)
    let saved = if uses_output(op) { vec![out.clone()] } else if piecewise_constant(op) || op == UnaryOp::Neg || op == UnaryOp::Frac { vec![] } else { vec![x.clone()] };
    record(grad_name(op), &out, &[x], saved, move |s, g| {
        if s.is_empty() {
            return Ok(vec![Some(unary_grad(op, g, g, g)?)]);
        }
        // (the output comes back attached to this node under create_graph)
        Ok(vec![Some(unary_grad(op, &s[0], &s[0], g)?)])
    });
    Ok(out)
}

/// In-place `x = op(x)`: the result must fit x's dtype.
pub(crate) fn unary_inplace(op: UnaryOp, x: &Tensor) -> Result<()> {
    check_inplace_allowed(x)?;
    let (compute, out_dtype) = unary_dtypes(op, x.dtype())?;
    check_inplace_dtype(out_dtype, x.dtype())?;
    if needs_grad(&[x]) {
        let old = x.clone_t()?;
        let r = unary_op(op, &old)?;
        return x.copy_(&r);
    }
    if compute == x.dtype() && out_dtype == x.dtype() {
        backend::unary(op, x, x)?;
    } else {
        let r = unary_raw(op, x)?;
        x.copy_from_raw(&r)?;
    }
    x.storage().bump_version();
    Ok(())
}

macro_rules! unary_methods {
    ($($name:ident, $inplace:ident, $op:expr, $doc:literal);* $(;)?) => {
        impl Tensor {
            $(
                #[doc = $doc]
                pub fn $name(&self) -> Result<Tensor> {
                    unary_op($op, self)
                }
                #[doc = concat!("In-place `", stringify!($name), "`.")]
                pub fn $inplace(&self) -> Result<()> {
                    unary_inplace($op, self)
                }
            )*
        }
    };
}

unary_methods! {
    neg, neg_, UnaryOp::Neg, "`-x`.";
    abs, abs_, UnaryOp::Abs, "`|x|`; the gradient at 0 is 0, as PyTorch.";
    sign, sign_, UnaryOp::Sign, "-1, 0 or 1 (NaN stays NaN). Gradient zero.";
    exp, exp_, UnaryOp::Exp, "`e^x` (vectorised, about 1 ulp).";
    exp2, exp2_, UnaryOp::Exp2, "`2^x`.";
    expm1, expm1_, UnaryOp::Expm1, "`e^x - 1`, accurate near 0.";
    log, log_, UnaryOp::Log, "Natural logarithm.";
    log2, log2_, UnaryOp::Log2, "Base-2 logarithm.";
    log10, log10_, UnaryOp::Log10, "Base-10 logarithm.";
    log1p, log1p_, UnaryOp::Log1p, "`ln(1 + x)`, accurate near 0.";
    sqrt, sqrt_, UnaryOp::Sqrt, "Square root.";
    rsqrt, rsqrt_, UnaryOp::Rsqrt, "`1 / sqrt(x)`.";
    square, square_, UnaryOp::Square, "`x * x`.";
    reciprocal, reciprocal_, UnaryOp::Reciprocal, "`1 / x` (a float result for integer inputs).";
    sin, sin_, UnaryOp::Sin, "Sine.";
    cos, cos_, UnaryOp::Cos, "Cosine.";
    tan, tan_, UnaryOp::Tan, "Tangent.";
    asin, asin_, UnaryOp::Asin, "Inverse sine.";
    acos, acos_, UnaryOp::Acos, "Inverse cosine.";
    atan, atan_, UnaryOp::Atan, "Inverse tangent.";
    sinh, sinh_, UnaryOp::Sinh, "Hyperbolic sine.";
    cosh, cosh_, UnaryOp::Cosh, "Hyperbolic cosine.";
    tanh, tanh_, UnaryOp::Tanh, "Hyperbolic tangent.";
    asinh, asinh_, UnaryOp::Asinh, "Inverse hyperbolic sine.";
    acosh, acosh_, UnaryOp::Acosh, "Inverse hyperbolic cosine.";
    atanh, atanh_, UnaryOp::Atanh, "Inverse hyperbolic tangent.";
    sigmoid, sigmoid_, UnaryOp::Sigmoid, "`1 / (1 + e^-x)`.";
    relu, relu_, UnaryOp::Relu, "`max(x, 0)`; the gradient at 0 is 0.";
    silu, silu_, UnaryOp::Silu, "`x * sigmoid(x)`.";
    erf, erf_, UnaryOp::Erf, "The error function.";
    floor, floor_, UnaryOp::Floor, "Round down (integers unchanged).";
    ceil, ceil_, UnaryOp::Ceil, "Round up (integers unchanged).";
    round, round_, UnaryOp::Round, "Round half to even (integers unchanged).";
    trunc, trunc_, UnaryOp::Trunc, "Round toward zero (integers unchanged).";
    frac, frac_, UnaryOp::Frac, "`x - trunc(x)`.";
    logical_not, logical_not_, UnaryOp::LogicalNot, "`x == 0` as a bool tensor.";
    bitwise_not, bitwise_not_, UnaryOp::BitNot, "Bitwise NOT of integers; logical NOT of bools.";
}

macro_rules! predicates {
    ($($name:ident, $op:expr, $doc:literal);* $(;)?) => {
        impl Tensor {
            $(
                #[doc = $doc]
                pub fn $name(&self) -> Result<Tensor> {
                    unary_raw($op, self)
                }
            )*
        }
    };
}

predicates! {
    isnan, UnaryOp::IsNan, "True where x is NaN.";
    isinf, UnaryOp::IsInf, "True where x is +inf or -inf.";
    isfinite, UnaryOp::IsFinite, "True where x is neither NaN nor infinite.";
    isposinf, UnaryOp::IsPosInf, "True where x is +inf.";
    isneginf, UnaryOp::IsNegInf, "True where x is -inf.";
    signbit, UnaryOp::Signbit, "True where the sign bit is set (including -0.0).";
}

fn gelu_op(approximate: &str) -> Result<UnaryOp> {
    match approximate {
        "none" => Ok(UnaryOp::Gelu),
        "tanh" => Ok(UnaryOp::GeluTanh),
        other => Err(Error::Runtime(format!("approximate argument must be either none or tanh, got '{other}'"))),
    }
}

impl Tensor {
    /// Any unary op by kind.
    pub fn unary(&self, op: UnaryOp) -> Result<Tensor> {
        unary_op(op, self)
    }
    /// Any in-place unary op by kind.
    pub fn unary_(&self, op: UnaryOp) -> Result<()> {
        unary_inplace(op, self)
    }

    /// `gelu(approximate='none'|'tanh')`.
    pub fn gelu(&self, approximate: &str) -> Result<Tensor> {
        unary_op(gelu_op(approximate)?, self)
    }
    /// In-place `gelu`.
    pub fn gelu_(&self, approximate: &str) -> Result<()> {
        unary_inplace(gelu_op(approximate)?, self)
    }

    /// `softplus(beta=1, threshold=20)`: `ln(1 + e^(beta x)) / beta`, linear above the threshold.
    pub fn softplus(&self, beta: f64, threshold: f64) -> Result<Tensor> {
        unary_op(UnaryOp::Softplus { beta, threshold }, self)
    }

    /// `round(decimals=d)`: round half to even at 10^-d.
    pub fn round_decimals(&self, decimals: i64) -> Result<Tensor> {
        if decimals == 0 {
            return self.round();
        }
        unary_op(UnaryOp::RoundDecimals(decimals), self)
    }
    /// In-place `round(decimals=d)`.
    pub fn round_decimals_(&self, decimals: i64) -> Result<()> {
        unary_inplace(if decimals == 0 { UnaryOp::Round } else { UnaryOp::RoundDecimals(decimals) }, self)
    }

    /// `nan_to_num(nan=0, posinf=None, neginf=None)`: defaults are the dtype's largest finite values.
    pub fn nan_to_num(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Result<Tensor> {
        unary_op(UnaryOp::NanToNum { nan, posinf, neginf }, self)
    }
    /// In-place `nan_to_num`.
    pub fn nan_to_num_(&self, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Result<()> {
        unary_inplace(UnaryOp::NanToNum { nan, posinf, neginf }, self)
    }

    /// `clamp(min, max)` with tensor or scalar (wrapped-number) bounds, either may be None.
    /// NaN in x propagates; the gradient passes at the bounds (PyTorch's rule).
    pub fn clamp(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            return Err(Error::Runtime("torch.clamp: At least one of 'min' or 'max' must not be None".into()));
        }
        let mut ops = vec![promotion_of(self)];
        ops.extend(min.iter().chain(max.iter()).map(|t| promotion_of(t)));
        let dtype = result_type(&ops);
        // bounds given as Python numbers (host reads of 0-d CPU tensors)
        let scalar = |t: Option<&Tensor>| -> Result<Option<f64>> {
            match t {
                Some(t) => Ok(Some(backend::read_scalar(t)?.to_f64())),
                None => Ok(None),
            }
        };
        let all_wrapped = min.is_none_or(|t| t.is_wrapped_number()) && max.is_none_or(|t| t.is_wrapped_number());
        if dtype == DType::Bool && (all_wrapped || (min.is_some() && max.is_some())) {
            // PyTorch's bool clamp takes one tensor bound only
            let kernel = match (all_wrapped, min.is_some(), max.is_some()) {
                (false, _, _) => "clamp_cpu",
                (true, true, true) => "clamp_scalar_cpu",
                (true, true, false) => "clamp_min_scalar_cpu",
                _ => "clamp_max_scalar_cpu",
            };
            return Err(not_implemented(kernel, dtype));
        }
        if dtype.is_int() {
            // an integer bound the dtype cannot hold (PyTorch checks before clamping)
            for (what, b) in [("min", min), ("max", max)] {
                if let Some(v) = b.filter(|t| t.is_wrapped_number()).map(|t| t.item()).transpose()? {
                    if v.check_fits(dtype).is_err() {
                        return Err(Error::Runtime(format!("Clamp {what} value {} is outside the representable range of {}", v.to_f64(), dtype_title(dtype))));
                    }
                }
            }
        }
        if all_wrapped && dtype != DType::Bool {
            let x = if dtype != self.dtype() { self.to_dtype(dtype)? } else { self.clone() };
            return unary_op(UnaryOp::Clamp { min: scalar(min)?, max: scalar(max)? }, &x);
        }
        clamp_tensors(self, min, max, dtype)
    }

    /// In-place `clamp_`: the result must fit self's shape and dtype.
    pub fn clamp_(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<()> {
        check_inplace_allowed(self)?;
        let mut inputs: Vec<&Tensor> = vec![self];
        inputs.extend(min.iter().chain(max.iter()).copied());
        let record_it = needs_grad(&inputs);
        // with autograd, clamp a differentiable copy of the old value and copy back
        let src = if record_it { self.clone_t()? } else { self.clone() };
        // a bound that shares self's memory is read before self is overwritten
        let own = |b: Option<&Tensor>| -> Result<Option<Tensor>> {
            match b {
                Some(b) if record_it && b.same_storage(self) => Ok(Some(b.clone_t()?)),
                other => Ok(other.cloned()),
            }
        };
        let (min, max) = (own(min)?, own(max)?);
        let (min, max) = (min.as_ref(), max.as_ref());
        let r = if record_it { src.clamp(min, max)? } else { crate::autograd::no_grad(|| src.clamp(min, max))? };
        check_inplace_dtype(r.dtype(), self.dtype())?;
        if r.shape() != self.shape() {
            return Err(Error::Runtime(format!(
                "output with shape {} doesn't match the broadcast shape {}",
                fmt_shape(self.shape()),
                fmt_shape(r.shape())
            )));
        }
        if record_it {
            return self.copy_(&r);
        }
        self.copy_from_raw(&r)?;
        self.storage().bump_version();
        Ok(())
    }

    /// `where(cond, self, other)`: self where cond is true, else other (broadcast, promoted).
    pub fn where_t(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        where_op(self, a, b)
    }

    /// `isclose(other, rtol, atol, equal_nan)`: `|a - b| <= atol + rtol * |b|`, elementwise.
    pub fn isclose(&self, other: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
        if self.dtype() != other.dtype() && !other.is_wrapped_number() && !self.is_wrapped_number() {
            return Err(Error::Runtime(format!(
                "{} did not match {}",
                dtype_title(self.dtype()),
                dtype_title(other.dtype())
            )));
        }
        if rtol < 0.0 {
            return Err(Error::Runtime(format!("rtol must be greater than or equal to zero, but got {rtol}")));
        }
        if atol < 0.0 {
            return Err(Error::Runtime(format!("atol must be greater than or equal to zero, but got {atol}")));
        }
        let device = common_device(&[self, other])?;
        let shape = broadcast_shapes(self.shape(), other.shape())?;
        let dtype = result_type2(self, other);
        let (a, b) = (self.cast_or_borrow(dtype)?, other.cast_or_borrow(dtype)?);
        let out = Tensor::empty_on(&shape, DType::Bool, device)?;
        backend::isclose(&out, &a, &b, rtol, atol, equal_nan)?;
        Ok(out)
    }

    /// `allclose`: every element `isclose` (an `all` reduction read back).
    pub fn allclose(&self, other: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<bool> {
        let all = self.isclose(other, rtol, atol, equal_nan)?.all_dims(None, false)?;
        Ok(backend::read_scalar(&all)?.to_i64() != 0)
    }

    /// `equal(other)`: same shape and the same values.
    pub fn equal(&self, other: &Tensor) -> Result<bool> {
        if self.shape() != other.shape() {
            return Ok(false);
        }
        let all = crate::autograd::no_grad(|| self.eq_t(other)?.all_dims(None, false))?;
        Ok(backend::read_scalar(&all)?.to_i64() != 0)
    }

    /// `lerp(end, weight)`: `self + weight * (end - self)`.
    /// `end` and a tensor `weight` must have self's dtype (PyTorch checks them first); a
    /// Python-number weight converts.
    pub fn lerp(&self, end: &Tensor, weight: &Tensor) -> Result<Tensor> {
        for (what, t) in [("end", end), ("weight", weight)] {
            if !t.is_wrapped_number() && t.dtype() != self.dtype() {
                return Err(Error::Runtime(format!("expected dtype {} for `{what}` but got dtype {}", self.dtype(), t.dtype())));
            }
        }
        if !self.dtype().is_float() {
            return Err(not_implemented(if weight.is_wrapped_number() { "lerp_kernel_scalar" } else { "lerp_kernel_tensor" }, self.dtype()));
        }
        self.add(&weight.mul(&end.sub(self)?)?)
    }

    /// `addcmul(t1, t2, value=1)`: `self + value * t1 * t2`, computed in the dtype the three
    /// tensors promote to (a 0-d one ranks below the others, as in any PyTorch op), with
    /// `value` converted to it (truncated for an integer result, as PyTorch).
    pub fn addcmul(&self, t1: &Tensor, t2: &Tensor, value: &Tensor) -> Result<Tensor> {
        let (s, a, b, v) = pointwise3_operands(self, t1, t2, value)?;
        let prod = a.mul(&b)?;
        let prod = match v {
            Some(v) => prod.mul(&v)?,
            None => prod,
        };
        s.add(&prod)
    }

    /// `addcdiv(t1, t2, value=1)`: `self + value * t1 / t2` (promotion as `addcmul`).
    pub fn addcdiv(&self, t1: &Tensor, t2: &Tensor, value: &Tensor) -> Result<Tensor> {
        if !t1.dtype().is_float() && !t2.dtype().is_float() {
            return Err(Error::Runtime(
                "Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.".into(),
            ));
        }
        let (s, a, b, v) = pointwise3_operands(self, t1, t2, value)?;
        let q = a.div(&b)?;
        let q = match v {
            Some(v) => q.mul(&v)?,
            None => q,
        };
        s.add(&q)
    }
}

/// `addcmul` / `addcdiv` operands: the three tensors in their common dtype (differentiable
/// casts) and `value` as a number of that dtype (`None` when it is 1).
fn pointwise3_operands(x: &Tensor, t1: &Tensor, t2: &Tensor, value: &Tensor) -> Result<(Tensor, Tensor, Tensor, Option<Tensor>)> {
    let dtype = result_type(&[promotion_of(x), promotion_of(t1), promotion_of(t2)]);
    let cast = |t: &Tensor| if t.dtype() != dtype { t.to_dtype(dtype) } else { Ok(t.clone()) };
    let v = value.item()?;
    let v = match dtype {
        DType::Bool => Scalar::Bool(v.to_f64() != 0.0),
        d if d.is_int() => Scalar::Int(v.to_i64()),
        _ => Scalar::Float(v.to_f64()),
    };
    let v = if v.to_f64() == 1.0 && value.is_wrapped_number() { None } else { Some(Tensor::wrapped_scalar(v)) };
    Ok((cast(x)?, cast(t1)?, cast(t2)?, v))
}

/// `clamp` with at least one tensor bound: one fused kernel, then the backward
/// (x gets the gradient inside the bounds, a bound where it was the one picked).
fn clamp_tensors(x: &Tensor, min: Option<&Tensor>, max: Option<&Tensor>, dtype: DType) -> Result<Tensor> {
    let mut shapes: Vec<&[usize]> = vec![x.shape()];
    shapes.extend(min.iter().chain(max.iter()).map(|t| t.shape()));
    let shape = broadcast_all(&shapes)?;
    let cast = |t: &Tensor| -> Result<Tensor> { if t.dtype() != dtype { t.cast_raw(dtype) } else { Ok(t.clone()) } };
    let mut inputs: Vec<&Tensor> = vec![x];
    inputs.extend(min.iter().chain(max.iter()).copied());
    let device = common_device(&inputs)?;
    let xc = cast(x)?;
    let (lo, hi) = (min.map(cast).transpose()?, max.map(cast).transpose()?);
    let out = Tensor::empty_on(&shape, dtype, device)?;
    backend::clamp_tensors(&out, &xc, lo.as_ref(), hi.as_ref())?;
    if !dtype.is_float() || !needs_grad(&inputs) {
        return Ok(out);
    }
    let (has_min, has_max) = (min.is_some(), max.is_some());
    let wants: Vec<bool> = inputs.iter().map(|t| t.requires_grad()).collect();
    let saved: Vec<Tensor> = inputs.iter().map(|t| t.detach()).collect();
    record("ClampBackward0", &out, &inputs, saved, move |s, g| {
        let zero = wrapped(0.0);
        let x = &s[0];
        let lo = if has_min { Some(&s[1]) } else { None };
        let hi = if has_max { Some(&s[s.len() - 1]) } else { None };
        let mut mask: Option<Tensor> = None;
        if let Some(lo) = lo {
            mask = Some(x.ge_t(lo)?);
        }
        if let Some(hi) = hi {
            let m = x.le_t(hi)?;
            mask = Some(match mask {
                Some(a) => a.logical_and(&m)?,
                None => m,
            });
        }
        let mut grads = vec![if wants[0] { Some(mask.clone().ok_or_else(|| Error::Runtime("clamp: no bound".into()))?.where_t(g, &zero)?) } else { None }];
        if let Some(lo) = lo {
            // min gets the gradient where it was picked: x < min (and min <= max)
            let mut m = x.lt_t(lo)?;
            if let Some(hi) = hi {
                m = m.logical_and(&lo.le_t(hi)?)?;
            }
            grads.push(if wants[1] { Some(m.where_t(g, &zero)?) } else { None });
        }
        if let Some(hi) = hi {
            let mut m = x.gt_t(hi)?;
            if let Some(lo) = lo {
                m = m.logical_or(&hi.lt_t(lo)?)?;
            }
            grads.push(if *wants.last().unwrap_or(&false) { Some(m.where_t(g, &zero)?) } else { None });
        }
        Ok(grads)
    });
    Ok(out)
}

/// `where(cond, a, b)` with broadcasting and promotion of a and b.
fn where_op(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if cond.dtype() != DType::Bool {
        return Err(Error::Runtime(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            dtype_title(cond.dtype())
        )));
    }
    let device = common_device(&[cond, a, b])?;
    let shape = broadcast_all(&[cond.shape(), a.shape(), b.shape()])?;
    let dtype = result_type2(a, b);
    for t in [a, b] {
        if t.is_wrapped_number() {
            t.item()?.check_fits(dtype)?;
        }
    }
    let (ac, bc) = (a.cast_or_borrow(dtype)?, b.cast_or_borrow(dtype)?);
    let out = Tensor::empty_on(&shape, dtype, device)?;
    backend::where_select(&out, cond, &ac, &bc)?;
    if dtype.is_float() && needs_grad(&[a, b]) {
        let (ga, gb) = (a.requires_grad(), b.requires_grad());
        record("WhereBackward0", &out, &[a, b], vec![cond.clone()], move |s, g| {
            let zero = wrapped(0.0);
            Ok(vec![
                if ga { Some(s[0].where_t(g, &zero)?) } else { None },
                if gb { Some(s[0].where_t(&zero, g)?) } else { None },
            ])
        });
    }
    Ok(out)
}

/// `binary_op` re-exported for bindings that build ops by kind.
pub fn binary_kind(op: BinaryOp, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary_op(op, a, b)
}

/// The gradient of a piecewise-linear op at `x`: `g` where `keep`, else `g * slope`.
///
/// Recorded as a function of `g` *and* `x`, as PyTorch's threshold_backward /
/// hardtanh_backward / leaky_relu_backward: under `create_graph` the first-order gradient
/// of relu, relu6, hardtanh or leaky_relu then requires grad, and differentiating it again
/// gives the same mask for `g` and zeros for `x` (a plain `where` would cut `x` out, and a
/// second `autograd.grad` would fail). clamp's gradient is a plain `where`, as in PyTorch.
pub(crate) fn piecewise_linear_grad(name: &'static str, g: &Tensor, x: &Tensor, keep: &Tensor, slope: f64) -> Result<Tensor> {
    fn apply(keep: &Tensor, g: &Tensor, slope: f64) -> Result<Tensor> {
        if slope == 0.0 {
            keep.where_t(g, &wrapped(0.0))
        } else {
            keep.where_t(g, &g.mul_scalar(slope)?)
        }
    }
    let out = crate::autograd::no_grad(|| apply(keep, g, slope))?;
    if needs_grad(&[g, x]) {
        let keep = keep.detach();
        record(name, &out, &[g, x], vec![], move |_, gg| Ok(vec![Some(apply(&keep, gg, slope)?), Some(gg.zeros_like()?)]));
    }
    Ok(out)
}

impl Tensor {
    /// `hardtanh(min_val, max_val)` (also relu6 and hardsigmoid's clamp): clamped to the
    /// bounds; an integer tensor stays integer, with the bounds truncated (PyTorch). The
    /// gradient passes strictly inside the bounds only (unlike clamp's, which passes at
    /// them), as PyTorch's hardtanh_backward.
    pub fn hardtanh(&self, min_val: f64, max_val: f64) -> Result<Tensor> {
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("Bool inputs not supported for hardtanh".into()));
        }
        if min_val > max_val {
            return Err(Error::Value("min_val cannot be greater than max_val".into()));
        }
        if !self.dtype().is_float() {
            let (lo, hi) = (Scalar::Int(min_val.trunc() as i64), Scalar::Int(max_val.trunc() as i64));
            return unary_raw(UnaryOp::Clamp { min: Some(lo.to_f64()), max: Some(hi.to_f64()) }, self);
        }
        let out = unary_raw(UnaryOp::Clamp { min: Some(min_val), max: Some(max_val) }, self)?;
        if needs_grad(&[self]) {
            record("HardtanhBackward0", &out, &[self], vec![self.clone()], move |s, g| {
                let x = &s[0];
                let keep = x.gt_t(&wrapped(min_val))?.logical_and(&x.lt_t(&wrapped(max_val))?)?;
                Ok(vec![Some(piecewise_linear_grad("HardtanhBackwardBackward0", g, x, &keep, 0.0)?)])
            });
        }
        Ok(out)
    }

    /// `leaky_relu(negative_slope)`: `x` where `x > 0`, else `negative_slope * x` (float
    /// tensors only, as PyTorch); its gradient is `negative_slope` at 0.
    pub fn leaky_relu(&self, negative_slope: f64) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(not_implemented("leaky_relu_cpu", self.dtype()));
        }
        let zero = wrapped(0.0);
        let out = crate::autograd::no_grad(|| self.gt_t(&zero)?.where_t(self, &self.mul_scalar(negative_slope)?))?;
        if needs_grad(&[self]) {
            record("LeakyReluBackward0", &out, &[self], vec![self.clone()], move |s, g| {
                let x = &s[0];
                Ok(vec![Some(piecewise_linear_grad("LeakyReluBackwardBackward0", g, x, &x.gt_t(&wrapped(0.0))?, negative_slope)?)])
            });
        }
        Ok(out)
    }
}
