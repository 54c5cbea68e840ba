//! Python bindings for elementwise ops: `#[pymethods]` on Tensor and module functions.

use super::convert::{operand, operand_required, tensor_arg};
use super::object::{ok, PyT};
use super::pytensor::{maybe_detach, PyTensor};
use crate::kinds::{BinaryOp, UnaryOp};
use crate::tensor::Tensor;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

/// An optional bound (`min=`/`max=`): None, a tensor, or a Python number.
fn opt_operand(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Tensor>> {
    match obj {
        Some(o) if !o.is_none() => Ok(Some(operand_required(o, what)?)),
        _ => Ok(None),
    }
}

/// A float keyword argument that may also be given as a one-element tensor.
fn float_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.get().inner.item()?.to_f64());
    }
    obj.extract::<f64>().map_err(|_| pyo3::exceptions::PyTypeError::new_err(format!("{what} must be a number, not {}", obj.get_type().name().map(|n| n.to_string()).unwrap_or_default())))
}

/// `$what` says what the op computes; the examples run `$name` and `$inplace` on
/// `rgrad.tensor($input)` and show what they print, `$out` and `$iout` (the in-place form keeps
/// self's dtype). `tests/test_docstrings.py` runs them.
macro_rules! unary_py {
    ($($name:ident, $inplace:ident => $op:expr, $what:literal, $input:literal, $out:literal, $iout:literal);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("`", stringify!($name), "()`: ", $what, ", elementwise; also `rgrad.", stringify!($name), "(input)`.\n\n>>> rgrad.tensor(", $input, ").", stringify!($name), "()\n", $out)]
                fn $name(&self, py: Python<'_>) -> PyT {
                    let a = &self.inner;
                    ok(maybe_detach(py, a.numel(), || a.unary($op)))
                }
                #[doc = concat!("In-place `", stringify!($inplace), "()`: ", $what, ", written into self; returns self.\n\n>>> x = rgrad.tensor(", $input, ")\n>>> _ = x.", stringify!($inplace), "()\n>>> x\n", $iout)]
                fn $inplace<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    let a = &slf.get().inner;
                    maybe_detach(slf.py(), a.numel(), || a.unary_($op))?;
                    Ok(slf.clone())
                }
            )*
        }
    };
}

unary_py! {
    abs, abs_ => UnaryOp::Abs, "the absolute value `|x|`", "[-1.5, 0.0, 2.0]", "tensor([1.5000, 0.0000, 2.0000])", "tensor([1.5000, 0.0000, 2.0000])";
    absolute, absolute_ => UnaryOp::Abs, "the absolute value `|x|` (alias of `abs`)", "[-1.5, 0.0, 2.0]", "tensor([1.5000, 0.0000, 2.0000])", "tensor([1.5000, 0.0000, 2.0000])";
    sign, sign_ => UnaryOp::Sign, "the sign, -1, 0 or 1", "[-1.5, 0.0, 2.0]", "tensor([-1.,  0.,  1.])", "tensor([-1.,  0.,  1.])";
    exp2, exp2_ => UnaryOp::Exp2, "`2 ** x`", "[0.0, 1.0, 3.0]", "tensor([1., 2., 8.])", "tensor([1., 2., 8.])";
    expm1, expm1_ => UnaryOp::Expm1, "`exp(x) - 1`, accurate near 0", "[0.0, 1e-8, 1.0]", "tensor([0.0000e+00, 1.0000e-08, 1.7183e+00])", "tensor([0.0000e+00, 1.0000e-08, 1.7183e+00])";
    log2, log2_ => UnaryOp::Log2, "base-2 logarithm", "[1.0, 2.0, 8.0]", "tensor([0., 1., 3.])", "tensor([0., 1., 3.])";
    log10, log10_ => UnaryOp::Log10, "base-10 logarithm", "[1.0, 10.0, 1000.0]", "tensor([0., 1., 3.])", "tensor([0., 1., 3.])";
    log1p, log1p_ => UnaryOp::Log1p, "`log(1 + x)`, accurate near 0", "[0.0, 1e-8, 1.0]", "tensor([0.0000e+00, 1.0000e-08, 6.9315e-01])", "tensor([0.0000e+00, 1.0000e-08, 6.9315e-01])";
    sqrt, sqrt_ => UnaryOp::Sqrt, "square root", "[1.0, 4.0, 9.0]", "tensor([1., 2., 3.])", "tensor([1., 2., 3.])";
    rsqrt, rsqrt_ => UnaryOp::Rsqrt, "reciprocal square root `1 / sqrt(x)`", "[1.0, 4.0, 16.0]", "tensor([1.0000, 0.5000, 0.2500])", "tensor([1.0000, 0.5000, 0.2500])";
    square, square_ => UnaryOp::Square, "square `x * x`", "[-2.0, 0.5, 3.0]", "tensor([4.0000, 0.2500, 9.0000])", "tensor([4.0000, 0.2500, 9.0000])";
    reciprocal, reciprocal_ => UnaryOp::Reciprocal, "reciprocal `1 / x`", "[1.0, 2.0, 4.0]", "tensor([1.0000, 0.5000, 0.2500])", "tensor([1.0000, 0.5000, 0.2500])";
    sin, sin_ => UnaryOp::Sin, "sine (radians)", "[0.0, 1.0, 3.0]", "tensor([0.0000, 0.8415, 0.1411])", "tensor([0.0000, 0.8415, 0.1411])";
    cos, cos_ => UnaryOp::Cos, "cosine (radians)", "[0.0, 1.0, 3.0]", "tensor([ 1.0000,  0.5403, -0.9900])", "tensor([ 1.0000,  0.5403, -0.9900])";
    tan, tan_ => UnaryOp::Tan, "tangent (radians)", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  1.5574, -1.5574])", "tensor([ 0.0000,  1.5574, -1.5574])";
    asin, asin_ => UnaryOp::Asin, "arcsine", "[0.0, 0.5, 1.0]", "tensor([0.0000, 0.5236, 1.5708])", "tensor([0.0000, 0.5236, 1.5708])";
    arcsin, arcsin_ => UnaryOp::Asin, "arcsine (alias of `asin`)", "[0.0, 0.5, 1.0]", "tensor([0.0000, 0.5236, 1.5708])", "tensor([0.0000, 0.5236, 1.5708])";
    acos, acos_ => UnaryOp::Acos, "arccosine", "[1.0, 0.5, 0.0]", "tensor([0.0000, 1.0472, 1.5708])", "tensor([0.0000, 1.0472, 1.5708])";
    arccos, arccos_ => UnaryOp::Acos, "arccosine (alias of `acos`)", "[1.0, 0.5, 0.0]", "tensor([0.0000, 1.0472, 1.5708])", "tensor([0.0000, 1.0472, 1.5708])";
    atan, atan_ => UnaryOp::Atan, "arctangent", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  0.7854, -0.7854])", "tensor([ 0.0000,  0.7854, -0.7854])";
    arctan, arctan_ => UnaryOp::Atan, "arctangent (alias of `atan`)", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  0.7854, -0.7854])", "tensor([ 0.0000,  0.7854, -0.7854])";
    sinh, sinh_ => UnaryOp::Sinh, "hyperbolic sine", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  1.1752, -1.1752])", "tensor([ 0.0000,  1.1752, -1.1752])";
    cosh, cosh_ => UnaryOp::Cosh, "hyperbolic cosine", "[0.0, 1.0, -1.0]", "tensor([1.0000, 1.5431, 1.5431])", "tensor([1.0000, 1.5431, 1.5431])";
    tanh, tanh_ => UnaryOp::Tanh, "hyperbolic tangent", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  0.7616, -0.7616])", "tensor([ 0.0000,  0.7616, -0.7616])";
    asinh, asinh_ => UnaryOp::Asinh, "inverse hyperbolic sine", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  0.8814, -0.8814])", "tensor([ 0.0000,  0.8814, -0.8814])";
    arcsinh, arcsinh_ => UnaryOp::Asinh, "inverse hyperbolic sine (alias of `asinh`)", "[0.0, 1.0, -1.0]", "tensor([ 0.0000,  0.8814, -0.8814])", "tensor([ 0.0000,  0.8814, -0.8814])";
    acosh, acosh_ => UnaryOp::Acosh, "inverse hyperbolic cosine", "[1.0, 2.0, 10.0]", "tensor([0.0000, 1.3170, 2.9932])", "tensor([0.0000, 1.3170, 2.9932])";
    arccosh, arccosh_ => UnaryOp::Acosh, "inverse hyperbolic cosine (alias of `acosh`)", "[1.0, 2.0, 10.0]", "tensor([0.0000, 1.3170, 2.9932])", "tensor([0.0000, 1.3170, 2.9932])";
    atanh, atanh_ => UnaryOp::Atanh, "inverse hyperbolic tangent", "[0.0, 0.5, -0.5]", "tensor([ 0.0000,  0.5493, -0.5493])", "tensor([ 0.0000,  0.5493, -0.5493])";
    arctanh, arctanh_ => UnaryOp::Atanh, "inverse hyperbolic tangent (alias of `atanh`)", "[0.0, 0.5, -0.5]", "tensor([ 0.0000,  0.5493, -0.5493])", "tensor([ 0.0000,  0.5493, -0.5493])";
    sigmoid, sigmoid_ => UnaryOp::Sigmoid, "logistic sigmoid `1 / (1 + exp(-x))`", "[-2.0, 0.0, 2.0]", "tensor([0.1192, 0.5000, 0.8808])", "tensor([0.1192, 0.5000, 0.8808])";
    relu, relu_ => UnaryOp::Relu, "rectified linear unit `max(x, 0)`", "[-1.0, 0.0, 2.0]", "tensor([0., 0., 2.])", "tensor([0., 0., 2.])";
    erf, erf_ => UnaryOp::Erf, "Gauss error function", "[0.0, 0.5, -1.0]", "tensor([ 0.0000,  0.5205, -0.8427])", "tensor([ 0.0000,  0.5205, -0.8427])";
    floor, floor_ => UnaryOp::Floor, "floor (round towards -inf)", "[-1.5, 0.5, 2.7]", "tensor([-2.,  0.,  2.])", "tensor([-2.,  0.,  2.])";
    ceil, ceil_ => UnaryOp::Ceil, "ceiling (round towards +inf)", "[-1.5, 0.5, 2.7]", "tensor([-1.,  1.,  3.])", "tensor([-1.,  1.,  3.])";
    trunc, trunc_ => UnaryOp::Trunc, "truncation (round towards zero)", "[-1.5, 0.5, 2.7]", "tensor([-1.,  0.,  2.])", "tensor([-1.,  0.,  2.])";
    fix, fix_ => UnaryOp::Trunc, "truncation towards zero (alias of `trunc`)", "[-1.5, 0.5, 2.7]", "tensor([-1.,  0.,  2.])", "tensor([-1.,  0.,  2.])";
    frac, frac_ => UnaryOp::Frac, "fractional part `x - trunc(x)`", "[-1.5, 0.5, 2.75]", "tensor([-0.5000,  0.5000,  0.7500])", "tensor([-0.5000,  0.5000,  0.7500])";
    logical_not, logical_not_ => UnaryOp::LogicalNot, "logical NOT (True where x is zero)", "[0.0, 1.5, -2.0]", "tensor([ True, False, False])", "tensor([1., 0., 0.])";
    bitwise_not, bitwise_not_ => UnaryOp::BitNot, "bitwise NOT (`~x`; logical NOT for bool)", "[0, 5, -3]", "tensor([-1, -6,  2])", "tensor([-1, -6,  2])";
}

/// In-place unary ops without an out-of-place twin here; the example shows `$name` on
/// `rgrad.tensor($input)` leaving `$out`.
macro_rules! inplace_unary_py {
    ($($name:ident => $op:expr, $what:literal, $input:literal, $out:literal);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("In-place `", stringify!($name), "()`: ", $what, ", written into self; returns self.\n\n>>> x = rgrad.tensor(", $input, ")\n>>> _ = x.", stringify!($name), "()\n>>> x\n", $out)]
                fn $name<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    let a = &slf.get().inner;
                    maybe_detach(slf.py(), a.numel(), || a.unary_($op))?;
                    Ok(slf.clone())
                }
            )*
        }
    };
}

inplace_unary_py! {
    neg_ => UnaryOp::Neg, "negation `-x`", "[-1.5, 1.0, 2.0]", "tensor([ 1.5000, -1.0000, -2.0000])";
    negative_ => UnaryOp::Neg, "negation `-x` (alias of `neg_`)", "[-1.5, 1.0, 2.0]", "tensor([ 1.5000, -1.0000, -2.0000])";
    exp_ => UnaryOp::Exp, "`e ** x`", "[0.0, 1.0, 2.0]", "tensor([1.0000, 2.7183, 7.3891])";
    log_ => UnaryOp::Log, "natural logarithm", "[1.0, 2.0, 10.0]", "tensor([0.0000, 0.6931, 2.3026])";
}

/// In-place binary ops; the example shows `$name($arg)` on `rgrad.tensor($input)` leaving `$out`.
macro_rules! inplace_binary_py {
    ($($name:ident => $op:expr, $what:literal, $input:literal, $arg:literal, $out:literal);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("In-place `", stringify!($name), "(other)`: ", $what, ", written into self; returns self.\n\n>>> x = rgrad.tensor(", $input, ")\n>>> _ = x.", stringify!($name), "(", $arg, ")\n>>> x\n", $out)]
                fn $name<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    let o = operand_required(other, "other")?;
                    let a = &slf.get().inner;
                    maybe_detach(slf.py(), a.numel(), || a.binary_($op, &o))?;
                    Ok(slf.clone())
                }
            )*
        }
    };
}

inplace_binary_py! {
    pow_ => BinaryOp::Pow, "`self ** other`", "[1.0, 2.0, 3.0]", "2", "tensor([1., 4., 9.])";
    multiply_ => BinaryOp::Mul, "`self * other` (alias of `mul_`)", "[1.0, 2.0, 3.0]", "2", "tensor([2., 4., 6.])";
}

/// Elementwise tests; the example shows `$name()` of `rgrad.tensor($input)`, `$out`.
macro_rules! predicate_py {
    ($($name:ident, $what:literal, $input:literal, $out:literal);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("`", stringify!($name), "()`: a bool tensor, ", $what, ".\n\n>>> rgrad.tensor(", $input, ").", stringify!($name), "()\n", $out)]
                fn $name(&self, py: Python<'_>) -> PyT {
                    let a = &self.inner;
                    ok(maybe_detach(py, a.numel(), || a.$name()))
                }
            )*
        }
    };
}

predicate_py! {
    isnan, "True where the element is NaN", "[1.0, float('nan'), float('inf')]", "tensor([False,  True, False])";
    isinf, "True where the element is +inf or -inf", "[1.0, float('inf'), float('-inf')]", "tensor([False,  True,  True])";
    isfinite, "True where the element is neither inf nor NaN", "[1.0, float('inf'), float('nan')]", "tensor([ True, False, False])";
    isposinf, "True where the element is +inf", "[1.0, float('inf'), float('-inf')]", "tensor([False,  True, False])";
    isneginf, "True where the element is -inf", "[1.0, float('inf'), float('-inf')]", "tensor([False, False,  True])";
    signbit, "True where the sign bit is set (negative numbers and -0.0)", "[-1.0, -0.0, 2.0]", "tensor([ True,  True, False])";
}

/// `$what` says what the op computes; the examples run `$name($arg)` and `$inplace($arg)` on
/// `rgrad.tensor($input)` and show what they print, `$out` and `$iout` (the in-place form keeps
/// self's dtype).
macro_rules! binary_py {
    ($($name:ident, $inplace:ident => $op:expr, $what:literal, $input:literal, $arg:literal, $out:literal, $iout:literal);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("`", stringify!($name), "(other)`: ", $what, ", elementwise with broadcasting and type promotion.\n\n>>> rgrad.tensor(", $input, ").", stringify!($name), "(", $arg, ")\n", $out)]
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
                    let o = operand_required(other, "other")?;
                    let a = &self.inner;
                    ok(maybe_detach(py, a.numel().max(o.numel()), || a.binary($op, &o)))
                }
                #[doc = concat!("In-place `", stringify!($inplace), "(other)`: ", $what, ", written into self (the result must fit self's shape and dtype); returns self.\n\n>>> x = rgrad.tensor(", $input, ")\n>>> _ = x.", stringify!($inplace), "(", $arg, ")\n>>> x\n", $iout)]
                fn $inplace<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
                    let o = operand_required(other, "other")?;
                    let a = &slf.get().inner;
                    maybe_detach(slf.py(), a.numel(), || a.binary_($op, &o))?;
                    Ok(slf.clone())
                }
            )*
        }
    };
}

binary_py! {
    true_divide, true_divide_ => BinaryOp::Div, "`self / other` (alias of `div` without rounding)", "[1.0, 2.0, 3.0]", "2", "tensor([0.5000, 1.0000, 1.5000])", "tensor([0.5000, 1.0000, 1.5000])";
    floor_divide, floor_divide_ => BinaryOp::DivFloor, "`self // other`, rounded towards -inf", "[7.0, -7.0]", "2", "tensor([ 3., -4.])", "tensor([ 3., -4.])";
    remainder, remainder_ => BinaryOp::Remainder, "Python's `%`: the remainder has the sign of the divisor", "[7.0, -7.0]", "3", "tensor([1., 2.])", "tensor([1., 2.])";
    fmod, fmod_ => BinaryOp::Fmod, "C's `fmod`: the remainder has the sign of the dividend", "[7.0, -7.0]", "3", "tensor([ 1., -1.])", "tensor([ 1., -1.])";
    maximum, maximum_ => BinaryOp::Maximum, "the larger of each pair (NaN if either is NaN)", "[1.0, 5.0, 3.0]", "rgrad.tensor([4.0, 2.0, 3.0])", "tensor([4., 5., 3.])", "tensor([4., 5., 3.])";
    minimum, minimum_ => BinaryOp::Minimum, "the smaller of each pair (NaN if either is NaN)", "[1.0, 5.0, 3.0]", "rgrad.tensor([4.0, 2.0, 3.0])", "tensor([1., 2., 3.])", "tensor([1., 2., 3.])";
    fmax, fmax_ => BinaryOp::Fmax, "the larger of each pair, ignoring a NaN", "[1.0, float('nan'), 3.0]", "rgrad.tensor([2.0, 0.5, float('nan')])", "tensor([2.0000, 0.5000, 3.0000])", "tensor([2.0000, 0.5000, 3.0000])";
    fmin, fmin_ => BinaryOp::Fmin, "the smaller of each pair, ignoring a NaN", "[1.0, float('nan'), 3.0]", "rgrad.tensor([2.0, 0.5, float('nan')])", "tensor([1.0000, 0.5000, 3.0000])", "tensor([1.0000, 0.5000, 3.0000])";
    atan2, atan2_ => BinaryOp::Atan2, "`atan(self / other)` in the right quadrant", "[1.0, 1.0, -1.0]", "rgrad.tensor([1.0, -1.0, 0.0])", "tensor([ 0.7854,  2.3562, -1.5708])", "tensor([ 0.7854,  2.3562, -1.5708])";
    arctan2, arctan2_ => BinaryOp::Atan2, "`atan(self / other)` in the right quadrant (alias of `atan2`)", "[1.0, 1.0, -1.0]", "rgrad.tensor([1.0, -1.0, 0.0])", "tensor([ 0.7854,  2.3562, -1.5708])", "tensor([ 0.7854,  2.3562, -1.5708])";
    hypot, hypot_ => BinaryOp::Hypot, "`sqrt(self ** 2 + other ** 2)`", "[3.0, 5.0]", "rgrad.tensor([4.0, 12.0])", "tensor([ 5., 13.])", "tensor([ 5., 13.])";
    copysign, copysign_ => BinaryOp::Copysign, "the magnitude of self with the sign of other", "[1.0, 2.0, -3.0]", "rgrad.tensor([-1.0, 1.0, 1.0])", "tensor([-1.,  2.,  3.])", "tensor([-1.,  2.,  3.])";
    bitwise_and, bitwise_and_ => BinaryOp::BitAnd, "bitwise AND (`&`) of integer or bool tensors", "[12, 10]", "rgrad.tensor([10, 6])", "tensor([8, 2])", "tensor([8, 2])";
    bitwise_or, bitwise_or_ => BinaryOp::BitOr, "bitwise OR (`|`) of integer or bool tensors", "[12, 10]", "rgrad.tensor([10, 6])", "tensor([14, 14])", "tensor([14, 14])";
    bitwise_xor, bitwise_xor_ => BinaryOp::BitXor, "bitwise XOR (`^`) of integer or bool tensors", "[12, 10]", "rgrad.tensor([10, 6])", "tensor([ 6, 12])", "tensor([ 6, 12])";
    bitwise_left_shift, bitwise_left_shift_ => BinaryOp::Shl, "`self << other` for integer tensors", "[1, 8]", "2", "tensor([ 4, 32])", "tensor([ 4, 32])";
    bitwise_right_shift, bitwise_right_shift_ => BinaryOp::Shr, "`self >> other` for integer tensors", "[1, 8]", "2", "tensor([0, 2])", "tensor([0, 2])";
    logical_and, logical_and_ => BinaryOp::LogicalAnd, "logical AND (nonzero is True)", "[True, True, False]", "rgrad.tensor([True, False, False])", "tensor([ True, False, False])", "tensor([ True, False, False])";
    logical_or, logical_or_ => BinaryOp::LogicalOr, "logical OR (nonzero is True)", "[True, True, False]", "rgrad.tensor([True, False, False])", "tensor([ True,  True, False])", "tensor([ True,  True, False])";
    logical_xor, logical_xor_ => BinaryOp::LogicalXor, "logical XOR (nonzero is True)", "[True, True, False]", "rgrad.tensor([True, False, False])", "tensor([False,  True, False])", "tensor([False,  True, False])";
    eq, eq_ => BinaryOp::Eq, "`self == other`", "[1.0, 2.0, 3.0]", "2", "tensor([False,  True, False])", "tensor([0., 1., 0.])";
    ne, ne_ => BinaryOp::Ne, "`self != other`", "[1.0, 2.0, 3.0]", "2", "tensor([ True, False,  True])", "tensor([1., 0., 1.])";
    not_equal, not_equal_ => BinaryOp::Ne, "`self != other` (alias of `ne`)", "[1.0, 2.0, 3.0]", "2", "tensor([ True, False,  True])", "tensor([1., 0., 1.])";
    lt, lt_ => BinaryOp::Lt, "`self < other`", "[1.0, 2.0, 3.0]", "2", "tensor([ True, False, False])", "tensor([1., 0., 0.])";
    less, less_ => BinaryOp::Lt, "`self < other` (alias of `lt`)", "[1.0, 2.0, 3.0]", "2", "tensor([ True, False, False])", "tensor([1., 0., 0.])";
    le, le_ => BinaryOp::Le, "`self <= other`", "[1.0, 2.0, 3.0]", "2", "tensor([ True,  True, False])", "tensor([1., 1., 0.])";
    less_equal, less_equal_ => BinaryOp::Le, "`self <= other` (alias of `le`)", "[1.0, 2.0, 3.0]", "2", "tensor([ True,  True, False])", "tensor([1., 1., 0.])";
    gt, gt_ => BinaryOp::Gt, "`self > other`", "[1.0, 2.0, 3.0]", "2", "tensor([False, False,  True])", "tensor([0., 0., 1.])";
    greater, greater_ => BinaryOp::Gt, "`self > other` (alias of `gt`)", "[1.0, 2.0, 3.0]", "2", "tensor([False, False,  True])", "tensor([0., 0., 1.])";
    ge, ge_ => BinaryOp::Ge, "`self >= other`", "[1.0, 2.0, 3.0]", "2", "tensor([False,  True,  True])", "tensor([0., 1., 1.])";
    greater_equal, greater_equal_ => BinaryOp::Ge, "`self >= other` (alias of `ge`)", "[1.0, 2.0, 3.0]", "2", "tensor([False,  True,  True])", "tensor([0., 1., 1.])";
}

macro_rules! dunders_py {
    ($($fwd:ident, $rev:ident, $inp:ident => $op:expr);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $fwd(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
                    let a = &self.inner;
                    let r = maybe_detach(py, a.numel().max(o.numel()), || a.binary($op, &o))?;
                    PyTensor::new(r).into_py_any(py)
                }
                fn $rev(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
                    let a = &self.inner;
                    let r = maybe_detach(py, a.numel(), || o.binary($op, a))?;
                    PyTensor::new(r).into_py_any(py)
                }
                fn $inp(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                    let o = operand_required(other, "other")?;
                    let a = &self.inner;
                    maybe_detach(py, a.numel(), || a.binary_($op, &o))?;
                    Ok(())
                }
            )*
        }
    };
}

dunders_py! {
    __floordiv__, __rfloordiv__, __ifloordiv__ => BinaryOp::DivFloor;
    __mod__, __rmod__, __imod__ => BinaryOp::Remainder;
    __and__, __rand__, __iand__ => BinaryOp::BitAnd;
    __or__, __ror__, __ior__ => BinaryOp::BitOr;
    __xor__, __rxor__, __ixor__ => BinaryOp::BitXor;
    __lshift__, __rlshift__, __ilshift__ => BinaryOp::Shl;
    __rshift__, __rrshift__, __irshift__ => BinaryOp::Shr;
}

#[pymethods]
impl PyTensor {
    fn __invert__(&self) -> PyT {
        if self.inner.dtype().is_float() {
            // the operator's error is a TypeError (the method's a NotImplementedError), as PyTorch
            return Err(pyo3::exceptions::PyTypeError::new_err("~ (operator.invert) is only implemented on integer and Boolean-type tensors"));
        }
        ok(self.inner.bitwise_not())
    }
    fn __ipow__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let _ = modulo;
        let o = operand_required(other, "exponent")?;
        let a = &self.inner;
        maybe_detach(py, a.numel(), || a.pow_(&o))?;
        Ok(())
    }

    /// `multiply(other)`: alias of `mul`.
    ///
    /// >>> rgrad.tensor([1.0, 2.0]).multiply(rgrad.tensor([3.0, 4.0]))
    /// tensor([3., 8.])
    fn multiply(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.mul(&o)))
    }
    /// `subtract(other, *, alpha=1)`: alias of `sub`.
    ///
    /// >>> rgrad.tensor([5.0, 6.0]).subtract(rgrad.tensor([1.0, 2.0]), alpha=2)
    /// tensor([3., 2.])
    #[pyo3(signature = (other, *, alpha=None))]
    fn subtract(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let a = &self.inner;
        let o = super::tensor::scaled(a, operand_required(other, "other")?, alpha)?;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.sub(&o)))
    }
    /// `divide(other, *, rounding_mode=None)`: alias of `div`.
    ///
    /// >>> rgrad.tensor([7.0, -7.0]).divide(2, rounding_mode='floor')
    /// tensor([ 3., -4.])
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<String>) -> PyT {
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.div_mode(&o, rounding_mode.as_deref())))
    }

    /// `positive()`: self (an error for bool tensors, as PyTorch).
    ///
    /// >>> rgrad.tensor([-1.0, 2.0]).positive()
    /// tensor([-1.,  2.])
    fn positive<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        if slf.get().inner.dtype() == crate::DType::Bool {
            return Err(crate::Error::NotImplemented("The `+` operator, on a bool tensor is not supported.".into()).into());
        }
        Ok(slf.clone())
    }

    /// `round(decimals=0)`: round half to even.
    ///
    /// >>> rgrad.tensor([0.5, 1.5, 2.5, -1.7]).round()  # halves to even
    /// tensor([ 0.,  2.,  2., -2.])
    /// >>> rgrad.tensor([1.2345, 6.789]).round(decimals=2)
    /// tensor([1.2300, 6.7900])
    #[pyo3(signature = (*, decimals=0))]
    fn round(&self, py: Python<'_>, decimals: i64) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.round_decimals(decimals)))
    }
    /// In-place `round(decimals=0)`.
    ///
    /// >>> x = rgrad.tensor([0.5, 1.5, 2.7])
    /// >>> _ = x.round_()
    /// >>> x
    /// tensor([0., 2., 3.])
    #[pyo3(signature = (*, decimals=0))]
    fn round_<'py>(slf: &Bound<'py, Self>, decimals: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.round_decimals_(decimals)?;
        Ok(slf.clone())
    }

    /// `clamp(min=None, max=None)`: bounds are numbers or tensors (broadcast).
    ///
    /// >>> x = rgrad.tensor([-2.0, 0.5, 3.0])
    /// >>> x.clamp(min=-1.0, max=1.0)
    /// tensor([-1.0000,  0.5000,  1.0000])
    /// >>> x.clamp(max=0.0)
    /// tensor([-2.,  0.,  0.])
    /// >>> x.clamp(min=rgrad.tensor([0.0, 1.0, 2.0]))
    /// tensor([0., 1., 3.])
    #[pyo3(signature = (min=None, max=None))]
    fn clamp(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyT {
        let (lo, hi) = (opt_operand(min, "min")?, opt_operand(max, "max")?);
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.clamp(lo.as_ref(), hi.as_ref())))
    }
    /// Alias of `clamp`.
    ///
    /// >>> rgrad.tensor([-2.0, 0.5, 3.0]).clip(-1.0, 1.0)
    /// tensor([-1.0000,  0.5000,  1.0000])
    #[pyo3(signature = (min=None, max=None))]
    fn clip(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyT {
        self.clamp(py, min, max)
    }
    /// In-place `clamp_`.
    ///
    /// >>> x = rgrad.tensor([-2.0, 0.5, 3.0])
    /// >>> _ = x.clamp_(min=0.0)
    /// >>> x
    /// tensor([0.0000, 0.5000, 3.0000])
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (lo, hi) = (opt_operand(min, "min")?, opt_operand(max, "max")?);
        let a = &slf.get().inner;
        maybe_detach(slf.py(), a.numel(), || a.clamp_(lo.as_ref(), hi.as_ref()))?;
        Ok(slf.clone())
    }
    /// Alias of `clamp_`.
    ///
    /// >>> x = rgrad.tensor([-2.0, 0.5, 3.0])
    /// >>> _ = x.clip_(-1.0, 1.0)
    /// >>> x
    /// tensor([-1.0000,  0.5000,  1.0000])
    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        Self::clamp_(slf, min, max)
    }
    /// `clamp_min(min)`.
    ///
    /// >>> rgrad.tensor([-2.0, 0.5, 3.0]).clamp_min(0.0)
    /// tensor([0.0000, 0.5000, 3.0000])
    fn clamp_min(&self, py: Python<'_>, min: &Bound<'_, PyAny>) -> PyT {
        self.clamp(py, Some(min), None)
    }
    /// `clamp_max(max)`.
    ///
    /// >>> rgrad.tensor([-2.0, 0.5, 3.0]).clamp_max(1.0)
    /// tensor([-2.0000,  0.5000,  1.0000])
    fn clamp_max(&self, py: Python<'_>, max: &Bound<'_, PyAny>) -> PyT {
        self.clamp(py, None, Some(max))
    }

    /// `nan_to_num(nan=0.0, posinf=None, neginf=None)`.
    ///
    /// >>> x = rgrad.tensor([float('nan'), float('inf'), -float('inf'), 1.0])
    /// >>> x.nan_to_num(posinf=100.0, neginf=-100.0)
    /// tensor([   0.,  100., -100.,    1.])
    /// >>> x.nan_to_num()[1]  # +inf becomes the dtype's largest value
    /// tensor(3.4028e+38)
    #[pyo3(signature = (nan=Some(0.0), posinf=None, neginf=None), text_signature = "($self, /, nan=0.0, posinf=None, neginf=None)")]
    fn nan_to_num(&self, py: Python<'_>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyT {
        // nan=None is the default, 0 (PyTorch)
        let nan = nan.unwrap_or(0.0);
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.nan_to_num(nan, posinf, neginf)))
    }
    /// In-place `nan_to_num_`.
    ///
    /// >>> x = rgrad.tensor([float('nan'), 2.0])
    /// >>> _ = x.nan_to_num_(nan=-1.0)
    /// >>> x
    /// tensor([-1.,  2.])
    #[pyo3(signature = (nan=Some(0.0), posinf=None, neginf=None), text_signature = "($self, /, nan=0.0, posinf=None, neginf=None)")]
    fn nan_to_num_<'py>(slf: &Bound<'py, Self>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.nan_to_num_(nan.unwrap_or(0.0), posinf, neginf)?;
        Ok(slf.clone())
    }

    /// `where(condition, other)`: self where condition is true, else other.
    ///
    /// >>> x = rgrad.tensor([-1.0, 2.0, -3.0])
    /// >>> x.where(x > 0, 0.0)
    /// tensor([0., 2., 0.])
    #[pyo3(name = "where")]
    fn where_method(&self, py: Python<'_>, condition: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyT {
        let c = tensor_arg(condition, "condition")?;
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || c.where_t(a, &o)))
    }

    /// `isclose(other, rtol=1e-05, atol=1e-08, equal_nan=False)`.
    ///
    /// >>> rgrad.tensor([1.0, 2.0, float('nan')]).isclose(rgrad.tensor([1.0 + 1e-7, 2.1, float('nan')]))
    /// tensor([ True, False, False])
    /// >>> rgrad.tensor([float('nan')]).isclose(rgrad.tensor([float('nan')]), equal_nan=True)
    /// tensor([True])
    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn isclose(&self, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyT {
        let o = operand_required(other, "other")?;
        ok(self.inner.isclose(&o, rtol, atol, equal_nan))
    }
    /// `allclose(other, rtol=1e-05, atol=1e-08, equal_nan=False)` -> bool.
    ///
    /// >>> rgrad.tensor([1.0, 2.0]).allclose(rgrad.tensor([1.0, 2.0 + 1e-7]))
    /// True
    /// >>> rgrad.tensor([1.0, 2.0]).allclose(rgrad.tensor([1.0, 2.1]))
    /// False
    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn allclose(&self, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<bool> {
        let o = operand_required(other, "other")?;
        Ok(self.inner.allclose(&o, rtol, atol, equal_nan)?)
    }
    /// `equal(other)` -> bool: same shape and values.
    ///
    /// >>> a = rgrad.tensor([1, 2])
    /// >>> a.equal(rgrad.tensor([1, 2])), a.equal(rgrad.tensor([1, 3])), a.equal(rgrad.tensor([[1, 2]]))
    /// (True, False, False)
    fn equal(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.equal(&tensor_arg(other, "other")?)?)
    }

    /// `lerp(end, weight)`: `self + weight * (end - self)`.
    ///
    /// >>> rgrad.tensor([0.0, 10.0]).lerp(rgrad.tensor([10.0, 20.0]), 0.25)
    /// tensor([ 2.5000, 12.5000])
    fn lerp(&self, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyT {
        let e = tensor_arg(end, "end")?;
        let w = operand_required(weight, "weight")?;
        ok(self.inner.lerp(&e, &w))
    }
    /// In-place `lerp_`.
    ///
    /// >>> x = rgrad.tensor([0.0, 10.0])
    /// >>> _ = x.lerp_(rgrad.tensor([10.0, 20.0]), 0.5)
    /// >>> x
    /// tensor([ 5., 15.])
    fn lerp_<'py>(slf: &Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let e = tensor_arg(end, "end")?;
        let w = operand_required(weight, "weight")?;
        inplace_from(&slf.get().inner, &[&e, &w], |x, a| x.lerp(&a[0], &a[1]))?;
        Ok(slf.clone())
    }
    /// `addcmul(tensor1, tensor2, *, value=1)`.
    ///
    /// >>> x = rgrad.tensor([1.0, 1.0])
    /// >>> x.addcmul(rgrad.tensor([2.0, 3.0]), rgrad.tensor([4.0, 5.0]), value=0.5)  # x + 0.5 * t1 * t2
    /// tensor([5.0000, 8.5000])
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul(&self, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyT {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        ok(self.inner.addcmul(&t1, &t2, &v))
    }
    /// In-place `addcmul_`.
    ///
    /// >>> x = rgrad.tensor([1.0, 1.0])
    /// >>> _ = x.addcmul_(rgrad.tensor([2.0, 3.0]), rgrad.tensor([4.0, 5.0]))
    /// >>> x
    /// tensor([ 9., 16.])
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        inplace_from(&slf.get().inner, &[&t1, &t2, &v], |x, a| x.addcmul(&a[0], &a[1], &a[2]))?;
        Ok(slf.clone())
    }
    /// `addcdiv(tensor1, tensor2, *, value=1)`.
    ///
    /// >>> x = rgrad.tensor([1.0, 1.0])
    /// >>> x.addcdiv(rgrad.tensor([2.0, 3.0]), rgrad.tensor([4.0, 6.0]), value=2)  # x + 2 * t1 / t2
    /// tensor([2., 2.])
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv(&self, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyT {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        ok(self.inner.addcdiv(&t1, &t2, &v))
    }
    /// In-place `addcdiv_`.
    ///
    /// >>> x = rgrad.tensor([1.0, 1.0])
    /// >>> _ = x.addcdiv_(rgrad.tensor([2.0, 3.0]), rgrad.tensor([4.0, 6.0]))
    /// >>> x
    /// tensor([1.5000, 1.5000])
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv_<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        inplace_from(&slf.get().inner, &[&t1, &t2, &v], |x, a| x.addcdiv(&a[0], &a[1], &a[2]))?;
        Ok(slf.clone())
    }
}

fn value_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
    match value {
        Some(v) if !v.is_none() => operand_required(v, "value"),
        _ => Ok(Tensor::wrapped_scalar(crate::Scalar::Int(1))),
    }
}

/// In-place version of an out-of-place op: checks shape/dtype, then copies the result in.
fn inplace_from(x: &Tensor, args: &[&Tensor], f: impl Fn(&Tensor, &[Tensor]) -> crate::Result<Tensor>) -> crate::Result<()> {
    crate::ops::checks::check_inplace_allowed(x)?;
    let grad = crate::autograd::is_grad_enabled() && (x.requires_grad() || args.iter().any(|a| a.requires_grad()));
    let src = if grad { x.clone_t()? } else { x.clone() };
    // arguments that share x's memory are copied before x is overwritten
    let args: Vec<Tensor> = args.iter().map(|a| if a.same_storage(x) { a.clone_t() } else { Ok((*a).clone()) }).collect::<crate::Result<_>>()?;
    let r = f(&src, &args)?;
    if !crate::ops::can_cast(r.dtype(), x.dtype()) {
        return Err(crate::Error::Runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            crate::tensor::dtype_title(r.dtype()),
            crate::tensor::dtype_title(x.dtype())
        )));
    }
    if r.shape() != x.shape() {
        return Err(crate::Error::Runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            crate::shape::fmt_shape(x.shape()),
            crate::shape::fmt_shape(r.shape())
        )));
    }
    x.copy_(&r)
}

/// `where(condition, input, other)` (the three-argument form).
#[pyfunction]
fn _where(py: Python<'_>, condition: &Bound<'_, PyAny>, input: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyT {
    let c = tensor_arg(condition, "condition")?;
    let a = operand_required(input, "input")?;
    let b = operand_required(other, "other")?;
    ok(maybe_detach(py, c.numel().max(a.numel()).max(b.numel()), || c.where_t(&a, &b)))
}

/// `gelu(input, approximate='none')`.
#[pyfunction]
#[pyo3(signature = (input, approximate="none"))]
fn _gelu(py: Python<'_>, input: &Bound<'_, PyAny>, approximate: &str) -> PyT {
    let x = tensor_arg(input, "input")?;
    ok(maybe_detach(py, x.numel(), || x.gelu(approximate)))
}

/// `silu(input)`.
#[pyfunction]
fn _silu(py: Python<'_>, input: &Bound<'_, PyAny>) -> PyT {
    let x = tensor_arg(input, "input")?;
    ok(maybe_detach(py, x.numel(), || x.silu()))
}

/// `softplus(input, beta=1.0, threshold=20.0)`.
#[pyfunction]
#[pyo3(signature = (input, beta=None, threshold=None))]
fn _softplus(py: Python<'_>, input: &Bound<'_, PyAny>, beta: Option<&Bound<'_, PyAny>>, threshold: Option<&Bound<'_, PyAny>>) -> PyT {
    let x = tensor_arg(input, "input")?;
    let beta = match beta { Some(b) => float_arg(b, "beta")?, None => 1.0 };
    let threshold = match threshold { Some(t) => float_arg(t, "threshold")?, None => 20.0 };
    ok(maybe_detach(py, x.numel(), || x.softplus(beta, threshold)))
}

/// `hardtanh(input, min_val, max_val)` (relu6 and hardsigmoid build on it).
#[pyfunction]
fn _hardtanh(py: Python<'_>, input: &Bound<'_, PyAny>, min_val: &Bound<'_, PyAny>, max_val: &Bound<'_, PyAny>) -> PyT {
    let x = tensor_arg(input, "input")?;
    let (lo, hi) = (float_arg(min_val, "min_val")?, float_arg(max_val, "max_val")?);
    ok(maybe_detach(py, x.numel(), || x.hardtanh(lo, hi)))
}

/// `leaky_relu(input, negative_slope)`.
#[pyfunction]
fn _leaky_relu(py: Python<'_>, input: &Bound<'_, PyAny>, negative_slope: &Bound<'_, PyAny>) -> PyT {
    let x = tensor_arg(input, "input")?;
    let slope = float_arg(negative_slope, "negative_slope")?;
    ok(maybe_detach(py, x.numel(), || x.leaky_relu(slope)))
}

/// In-place `relu_`/`sigmoid_`/`tanh_`/`silu_`/`gelu_` used by `nn.functional(..., inplace=True)`.
#[pyfunction]
#[pyo3(signature = (input, name, approximate="none"))]
fn _activation_(input: &Bound<'_, PyAny>, name: &str, approximate: &str) -> PyResult<()> {
    let x = tensor_arg(input, "input")?;
    match name {
        "relu" => x.relu_()?,
        "silu" => x.silu_()?,
        "gelu" => x.gelu_(approximate)?,
        "sigmoid" => x.sigmoid_()?,
        "tanh" => x.tanh_()?,
        other => return Err(crate::Error::Value(format!("unknown activation {other}")).into()),
    }
    Ok(())
}

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_where, m)?)?;
    m.add_function(wrap_pyfunction!(_gelu, m)?)?;
    m.add_function(wrap_pyfunction!(_silu, m)?)?;
    m.add_function(wrap_pyfunction!(_softplus, m)?)?;
    m.add_function(wrap_pyfunction!(_hardtanh, m)?)?;
    m.add_function(wrap_pyfunction!(_leaky_relu, m)?)?;
    m.add_function(wrap_pyfunction!(_activation_, m)?)?;
    Ok(())
}
