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

macro_rules! unary_py {
    ($($name:ident, $inplace:ident => $op:expr);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "` (see `rgrad.", stringify!($name), "`).")]
                fn $name(&self, py: Python<'_>) -> PyT {
                    let a = &self.inner;
                    ok(maybe_detach(py, a.numel(), || a.unary($op)))
                }
                #[doc = concat!("In-place `", stringify!($name), "`; returns self.")]
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
    abs, abs_ => UnaryOp::Abs;
    absolute, absolute_ => UnaryOp::Abs;
    sign, sign_ => UnaryOp::Sign;
    exp2, exp2_ => UnaryOp::Exp2;
    expm1, expm1_ => UnaryOp::Expm1;
    log2, log2_ => UnaryOp::Log2;
    log10, log10_ => UnaryOp::Log10;
    log1p, log1p_ => UnaryOp::Log1p;
    sqrt, sqrt_ => UnaryOp::Sqrt;
    rsqrt, rsqrt_ => UnaryOp::Rsqrt;
    square, square_ => UnaryOp::Square;
    reciprocal, reciprocal_ => UnaryOp::Reciprocal;
    sin, sin_ => UnaryOp::Sin;
    cos, cos_ => UnaryOp::Cos;
    tan, tan_ => UnaryOp::Tan;
    asin, asin_ => UnaryOp::Asin;
    arcsin, arcsin_ => UnaryOp::Asin;
    acos, acos_ => UnaryOp::Acos;
    arccos, arccos_ => UnaryOp::Acos;
    atan, atan_ => UnaryOp::Atan;
    arctan, arctan_ => UnaryOp::Atan;
    sinh, sinh_ => UnaryOp::Sinh;
    cosh, cosh_ => UnaryOp::Cosh;
    tanh, tanh_ => UnaryOp::Tanh;
    asinh, asinh_ => UnaryOp::Asinh;
    arcsinh, arcsinh_ => UnaryOp::Asinh;
    acosh, acosh_ => UnaryOp::Acosh;
    arccosh, arccosh_ => UnaryOp::Acosh;
    atanh, atanh_ => UnaryOp::Atanh;
    arctanh, arctanh_ => UnaryOp::Atanh;
    sigmoid, sigmoid_ => UnaryOp::Sigmoid;
    relu, relu_ => UnaryOp::Relu;
    erf, erf_ => UnaryOp::Erf;
    floor, floor_ => UnaryOp::Floor;
    ceil, ceil_ => UnaryOp::Ceil;
    trunc, trunc_ => UnaryOp::Trunc;
    fix, fix_ => UnaryOp::Trunc;
    frac, frac_ => UnaryOp::Frac;
    logical_not, logical_not_ => UnaryOp::LogicalNot;
    bitwise_not, bitwise_not_ => UnaryOp::BitNot;
}

macro_rules! inplace_unary_py {
    ($($name:ident => $op:expr);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("In-place `", stringify!($name), "`; returns self.")]
                fn $name<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
                    let a = &slf.get().inner;
                    maybe_detach(slf.py(), a.numel(), || a.unary_($op))?;
                    Ok(slf.clone())
                }
            )*
        }
    };
}

inplace_unary_py! { neg_ => UnaryOp::Neg; negative_ => UnaryOp::Neg; exp_ => UnaryOp::Exp; log_ => UnaryOp::Log }

macro_rules! inplace_binary_py {
    ($($name:ident => $op:expr);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("In-place `", stringify!($name), "`; returns self.")]
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

inplace_binary_py! { pow_ => BinaryOp::Pow; multiply_ => BinaryOp::Mul }

macro_rules! predicate_py {
    ($($name:ident);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("`", stringify!($name), "`: a bool tensor.")]
                fn $name(&self, py: Python<'_>) -> PyT {
                    let a = &self.inner;
                    ok(maybe_detach(py, a.numel(), || a.$name()))
                }
            )*
        }
    };
}

predicate_py! { isnan; isinf; isfinite; isposinf; isneginf; signbit }

macro_rules! binary_py {
    ($($name:ident, $inplace:ident => $op:expr);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "(other)` with broadcasting and type promotion.")]
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
                    let o = operand_required(other, "other")?;
                    let a = &self.inner;
                    ok(maybe_detach(py, a.numel().max(o.numel()), || a.binary($op, &o)))
                }
                #[doc = concat!("In-place `", stringify!($name), "`; the result must fit self's shape and dtype.")]
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
    true_divide, true_divide_ => BinaryOp::Div;
    floor_divide, floor_divide_ => BinaryOp::DivFloor;
    remainder, remainder_ => BinaryOp::Remainder;
    fmod, fmod_ => BinaryOp::Fmod;
    maximum, maximum_ => BinaryOp::Maximum;
    minimum, minimum_ => BinaryOp::Minimum;
    fmax, fmax_ => BinaryOp::Fmax;
    fmin, fmin_ => BinaryOp::Fmin;
    atan2, atan2_ => BinaryOp::Atan2;
    arctan2, arctan2_ => BinaryOp::Atan2;
    hypot, hypot_ => BinaryOp::Hypot;
    copysign, copysign_ => BinaryOp::Copysign;
    bitwise_and, bitwise_and_ => BinaryOp::BitAnd;
    bitwise_or, bitwise_or_ => BinaryOp::BitOr;
    bitwise_xor, bitwise_xor_ => BinaryOp::BitXor;
    bitwise_left_shift, bitwise_left_shift_ => BinaryOp::Shl;
    bitwise_right_shift, bitwise_right_shift_ => BinaryOp::Shr;
    logical_and, logical_and_ => BinaryOp::LogicalAnd;
    logical_or, logical_or_ => BinaryOp::LogicalOr;
    logical_xor, logical_xor_ => BinaryOp::LogicalXor;
    eq, eq_ => BinaryOp::Eq;
    ne, ne_ => BinaryOp::Ne;
    not_equal, not_equal_ => BinaryOp::Ne;
    lt, lt_ => BinaryOp::Lt;
    less, less_ => BinaryOp::Lt;
    le, le_ => BinaryOp::Le;
    less_equal, less_equal_ => BinaryOp::Le;
    gt, gt_ => BinaryOp::Gt;
    greater, greater_ => BinaryOp::Gt;
    ge, ge_ => BinaryOp::Ge;
    greater_equal, greater_equal_ => BinaryOp::Ge;
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
    fn multiply(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.mul(&o)))
    }
    /// `subtract(other, *, alpha=1)`: alias of `sub`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn subtract(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let a = &self.inner;
        let o = super::tensor::scaled(a, operand_required(other, "other")?, alpha)?;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.sub(&o)))
    }
    /// `divide(other, *, rounding_mode=None)`: alias of `div`.
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn divide(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<String>) -> PyT {
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.div_mode(&o, rounding_mode.as_deref())))
    }

    /// `positive()`: self (an error for bool tensors, as PyTorch).
    fn positive<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        if slf.get().inner.dtype() == crate::DType::Bool {
            return Err(crate::Error::NotImplemented("The `+` operator, on a bool tensor is not supported.".into()).into());
        }
        Ok(slf.clone())
    }

    /// `round(decimals=0)`: round half to even.
    #[pyo3(signature = (*, decimals=0))]
    fn round(&self, py: Python<'_>, decimals: i64) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.round_decimals(decimals)))
    }
    /// In-place `round(decimals=0)`.
    #[pyo3(signature = (*, decimals=0))]
    fn round_<'py>(slf: &Bound<'py, Self>, decimals: i64) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.round_decimals_(decimals)?;
        Ok(slf.clone())
    }

    /// `clamp(min=None, max=None)`: bounds are numbers or tensors (broadcast).
    #[pyo3(signature = (min=None, max=None))]
    fn clamp(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyT {
        let (lo, hi) = (opt_operand(min, "min")?, opt_operand(max, "max")?);
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.clamp(lo.as_ref(), hi.as_ref())))
    }
    /// Alias of `clamp`.
    #[pyo3(signature = (min=None, max=None))]
    fn clip(&self, py: Python<'_>, min: Option<&Bound<'_, PyAny>>, max: Option<&Bound<'_, PyAny>>) -> PyT {
        self.clamp(py, min, max)
    }
    /// In-place `clamp_`.
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (lo, hi) = (opt_operand(min, "min")?, opt_operand(max, "max")?);
        let a = &slf.get().inner;
        maybe_detach(slf.py(), a.numel(), || a.clamp_(lo.as_ref(), hi.as_ref()))?;
        Ok(slf.clone())
    }
    /// Alias of `clamp_`.
    #[pyo3(signature = (min=None, max=None))]
    fn clip_<'py>(slf: &Bound<'py, Self>, min: Option<&Bound<'py, PyAny>>, max: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        Self::clamp_(slf, min, max)
    }
    /// `clamp_min(min)`.
    fn clamp_min(&self, py: Python<'_>, min: &Bound<'_, PyAny>) -> PyT {
        self.clamp(py, Some(min), None)
    }
    /// `clamp_max(max)`.
    fn clamp_max(&self, py: Python<'_>, max: &Bound<'_, PyAny>) -> PyT {
        self.clamp(py, None, Some(max))
    }

    /// `nan_to_num(nan=0.0, posinf=None, neginf=None)`.
    #[pyo3(signature = (nan=Some(0.0), posinf=None, neginf=None), text_signature = "($self, /, nan=0.0, posinf=None, neginf=None)")]
    fn nan_to_num(&self, py: Python<'_>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyT {
        // nan=None is the default, 0 (PyTorch)
        let nan = nan.unwrap_or(0.0);
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.nan_to_num(nan, posinf, neginf)))
    }
    /// In-place `nan_to_num_`.
    #[pyo3(signature = (nan=Some(0.0), posinf=None, neginf=None), text_signature = "($self, /, nan=0.0, posinf=None, neginf=None)")]
    fn nan_to_num_<'py>(slf: &Bound<'py, Self>, nan: Option<f64>, posinf: Option<f64>, neginf: Option<f64>) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.nan_to_num_(nan.unwrap_or(0.0), posinf, neginf)?;
        Ok(slf.clone())
    }

    /// `where(condition, other)`: self where condition is true, else other.
    #[pyo3(name = "where")]
    fn where_method(&self, py: Python<'_>, condition: &Bound<'_, PyAny>, other: &Bound<'_, PyAny>) -> PyT {
        let c = tensor_arg(condition, "condition")?;
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || c.where_t(a, &o)))
    }

    /// `isclose(other, rtol=1e-05, atol=1e-08, equal_nan=False)`.
    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn isclose(&self, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyT {
        let o = operand_required(other, "other")?;
        ok(self.inner.isclose(&o, rtol, atol, equal_nan))
    }
    /// `allclose(other, rtol=1e-05, atol=1e-08, equal_nan=False)` -> bool.
    #[pyo3(signature = (other, rtol=1e-05, atol=1e-08, equal_nan=false))]
    fn allclose(&self, other: &Bound<'_, PyAny>, rtol: f64, atol: f64, equal_nan: bool) -> PyResult<bool> {
        let o = operand_required(other, "other")?;
        Ok(self.inner.allclose(&o, rtol, atol, equal_nan)?)
    }
    /// `equal(other)` -> bool: same shape and values.
    fn equal(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.equal(&tensor_arg(other, "other")?)?)
    }

    /// `lerp(end, weight)`: `self + weight * (end - self)`.
    fn lerp(&self, end: &Bound<'_, PyAny>, weight: &Bound<'_, PyAny>) -> PyT {
        let e = tensor_arg(end, "end")?;
        let w = operand_required(weight, "weight")?;
        ok(self.inner.lerp(&e, &w))
    }
    /// In-place `lerp_`.
    fn lerp_<'py>(slf: &Bound<'py, Self>, end: &Bound<'py, PyAny>, weight: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let e = tensor_arg(end, "end")?;
        let w = operand_required(weight, "weight")?;
        inplace_from(&slf.get().inner, &[&e, &w], |x, a| x.lerp(&a[0], &a[1]))?;
        Ok(slf.clone())
    }
    /// `addcmul(tensor1, tensor2, *, value=1)`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul(&self, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyT {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        ok(self.inner.addcmul(&t1, &t2, &v))
    }
    /// In-place `addcmul_`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcmul_<'py>(slf: &Bound<'py, Self>, tensor1: &Bound<'py, PyAny>, tensor2: &Bound<'py, PyAny>, value: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        inplace_from(&slf.get().inner, &[&t1, &t2, &v], |x, a| x.addcmul(&a[0], &a[1], &a[2]))?;
        Ok(slf.clone())
    }
    /// `addcdiv(tensor1, tensor2, *, value=1)`.
    #[pyo3(signature = (tensor1, tensor2, *, value=None))]
    fn addcdiv(&self, tensor1: &Bound<'_, PyAny>, tensor2: &Bound<'_, PyAny>, value: Option<&Bound<'_, PyAny>>) -> PyT {
        let (t1, t2) = (tensor_arg(tensor1, "tensor1")?, tensor_arg(tensor2, "tensor2")?);
        let v = value_arg(value)?;
        ok(self.inner.addcdiv(&t1, &t2, &v))
    }
    /// In-place `addcdiv_`.
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
