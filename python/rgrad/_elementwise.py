"""Python-level pieces of the elementwise op family.

Most functions are tensor methods in function form (``rgrad.exp(t) == t.exp()``);
the ones below also accept a Python number as the first operand where PyTorch
does (``rgrad.pow(2, t)``, ``rgrad.remainder(5, t)``, ``rgrad.where(c, 1.0, t)``).
"""

import numbers as _numbers

from . import _rgrad
from ._messages import not_implemented
from ._rgrad import Tensor

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "abs", "absolute", "sign", "exp2", "expm1", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
    "reciprocal", "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh",
    "cosh", "tanh", "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "sigmoid", "relu",
    "erf", "floor", "ceil", "round", "trunc", "fix", "frac", "logical_not", "bitwise_not", "positive",
    "isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "nan_to_num", "clamp", "clip",
    "clamp_min", "clamp_max", "true_divide", "floor_divide", "fmod", "maximum", "minimum", "fmax", "fmin",
    "atan2", "arctan2", "hypot", "copysign", "logical_and", "logical_or", "logical_xor",
    "eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge", "greater_equal",
    "isclose", "allclose", "equal", "lerp", "addcmul", "addcdiv", "neg_", "exp_", "relu_", "sigmoid_",
    "tanh_", "sqrt_", "abs_", "clamp_", "clip_",
]

__all__ = [
    "where", "pow", "remainder", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
    "bitwise_right_shift", "float_power",
]


def where(condition, input=None, other=None):
    """``where(condition, input, other)``: elements of input where condition is true, else other.

    Broadcasts all three and promotes input/other like a binary op (Python numbers
    allowed). ``where(condition)`` alone is ``condition.nonzero(as_tuple=True)``.

    >>> x = rgrad.tensor([-1.0, 2.0, -3.0])
    >>> rgrad.where(x > 0, x, 0.0)
    tensor([0., 2., 0.])
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument: both 'input' and 'other' must be given")
    return _rgrad._where(condition, input, other)


def _scalar_first(name, rname):
    method = getattr(Tensor, name)
    rmethod = getattr(Tensor, rname)

    def fn(input, other):
        if isinstance(input, Tensor):
            return method(input, other)
        if isinstance(other, Tensor) and isinstance(input, (_numbers.Number,)):
            return rmethod(other, input)
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = method.__doc__ or f"Elementwise {name} with broadcasting; a Python number may come first."
    return fn


pow = _scalar_first("pow", "__rpow__")  # noqa: A001
pow.__doc__ = """``pow(input, exponent)``: input ** exponent; either may be a Python number.

>>> rgrad.pow(rgrad.tensor([1, 2, 3]), 2)
tensor([1, 4, 9])
>>> rgrad.pow(2, rgrad.tensor([1.0, 0.5]))
tensor([2.0000, 1.4142])
"""
remainder = _scalar_first("remainder", "__rmod__")
remainder.__doc__ = """``remainder(input, other)``: Python's %, the sign of the divisor; input may be a number.

>>> rgrad.remainder(rgrad.tensor([-3, 3]), 2)
tensor([1, 1])
>>> rgrad.remainder(7, rgrad.tensor([4, -4]))
tensor([ 3, -1])
"""
bitwise_and = _scalar_first("bitwise_and", "__rand__")
bitwise_or = _scalar_first("bitwise_or", "__ror__")
bitwise_xor = _scalar_first("bitwise_xor", "__rxor__")
bitwise_left_shift = _scalar_first("bitwise_left_shift", "__rlshift__")
bitwise_right_shift = _scalar_first("bitwise_right_shift", "__rrshift__")


def float_power(input, exponent):
    """``float_power(input, exponent)``: the power computed in float64.

    >>> rgrad.float_power(rgrad.tensor([2, 3]), 2)
    tensor([4., 9.], dtype=rgrad.float64)
    """
    from . import float64

    a = input.to(float64) if isinstance(input, Tensor) else input
    b = exponent.to(float64) if isinstance(exponent, Tensor) else exponent
    if not isinstance(a, Tensor):
        return b.__rpow__(float(a))
    return a.pow(float(b) if not isinstance(b, Tensor) else b)


# ---------- rgrad.nn.functional ----------

def relu(input, inplace=False):
    """``relu(input, inplace=False)``: max(input, 0).

    >>> F = rgrad.nn.functional
    >>> F.relu(rgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """
    if inplace:
        return input.relu_()
    return input.relu()


def relu_(input):
    """In-place relu.

    >>> F = rgrad.nn.functional
    >>> t = rgrad.tensor([-1.0, 2.0])
    >>> F.relu_(t)
    tensor([0., 2.])
    >>> t
    tensor([0., 2.])
    """
    return input.relu_()


def gelu(input, approximate="none"):
    """``gelu(input, approximate='none')``: x * Phi(x); ``approximate='tanh'`` uses the tanh formula.

    >>> F = rgrad.nn.functional
    >>> F.gelu(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    >>> F.gelu(rgrad.tensor([-1.0, 0.0, 1.0]), approximate='tanh')
    tensor([-0.1588,  0.0000,  0.8412])
    """
    return _rgrad._gelu(input, approximate)


def silu(input, inplace=False):
    """``silu(input, inplace=False)``: x * sigmoid(x).

    >>> F = rgrad.nn.functional
    >>> F.silu(rgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7311])
    """
    if inplace:
        _rgrad._activation_(input, "silu")
        return input
    return _rgrad._silu(input)


def softplus(input, beta=1.0, threshold=20.0):
    """``softplus(input, beta=1, threshold=20)``: log(1 + exp(beta x)) / beta, linear above threshold.

    >>> F = rgrad.nn.functional
    >>> F.softplus(rgrad.tensor([0.0, 30.0]))
    tensor([ 0.6931, 30.0000])
    """
    return _rgrad._softplus(input, beta, threshold)


def sigmoid(input):
    """``sigmoid(input)``: 1 / (1 + exp(-input)).

    >>> F = rgrad.nn.functional
    >>> F.sigmoid(rgrad.tensor([0.0, 2.0]))
    tensor([0.5000, 0.8808])
    """
    return input.sigmoid()


def tanh(input):
    """``tanh(input)``.

    >>> F = rgrad.nn.functional
    >>> F.tanh(rgrad.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7616])
    """
    return input.tanh()


def _write_back(input, out, inplace):
    """The in-place form of an activation: ``out`` copied into ``input``."""
    if inplace:
        input.copy_(out)
        return input
    return out


def _float_only(kernel, input):
    if not input.dtype.is_floating_point:
        raise not_implemented(kernel, input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``hardtanh(input, min_val=-1, max_val=1)``: clamp to [min_val, max_val]; integer
    tensors stay integer. The gradient is 0 at the bounds themselves (unlike ``clamp``'s).

    >>> F = rgrad.nn.functional
    >>> F.hardtanh(rgrad.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    return _write_back(input, _rgrad._hardtanh(input, min_val, max_val), inplace)


def relu6(input, inplace=False):
    """``relu6(input)``: clamp to [0, 6] (``hardtanh(input, 0, 6)``).

    >>> F = rgrad.nn.functional
    >>> F.relu6(rgrad.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``leaky_relu(input, negative_slope=0.01)``: x for x > 0, negative_slope * x otherwise.

    >>> F = rgrad.nn.functional
    >>> F.leaky_relu(rgrad.tensor([-2.0, 3.0]), negative_slope=0.1)
    tensor([-0.2000,  3.0000])
    """
    return _write_back(input, _rgrad._leaky_relu(input, negative_slope), inplace)


def elu(input, alpha=1.0, inplace=False):
    """``elu(input, alpha=1.0)``: x for x > 0, alpha * (exp(x) - 1) otherwise.

    >>> F = rgrad.nn.functional
    >>> F.elu(rgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.6321,  0.0000,  2.0000])
    """
    _float_only("elu_cpu", input)
    out = where(input > 0, input, input.clamp(max=0.0).expm1() * alpha)
    return _write_back(input, out, inplace)


def mish(input, inplace=False):
    """``mish(input)``: x * tanh(softplus(x)).

    >>> F = rgrad.nn.functional
    >>> F.mish(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.3034,  0.0000,  0.8651])
    """
    out = input * softplus(input).tanh()
    if inplace:
        input.copy_(out)
        return input
    return out


def logsigmoid(input):
    """``logsigmoid(input)``: log(sigmoid(x)) = -softplus(-x).

    >>> F = rgrad.nn.functional
    >>> F.logsigmoid(rgrad.tensor([0.0, -100.0]))
    tensor([  -0.6931, -100.0000])
    """
    return -softplus(-input)


def softsign(input):
    """``softsign(input)``: ``x / (1 + |x|)``.

    >>> F = rgrad.nn.functional
    >>> F.softsign(rgrad.tensor([-1.0, 3.0]))
    tensor([-0.5000,  0.7500])
    """
    return input / (input.abs() + 1)


def hardsigmoid(input, inplace=False):
    """``hardsigmoid(input)``: relu6(x + 3) / 6 (PyTorch's rounding; gradient 1/6 strictly
    between -3 and 3).

    >>> F = rgrad.nn.functional
    >>> F.hardsigmoid(rgrad.tensor([-4.0, 0.0, 1.5, 4.0]))
    tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """
    _float_only("hardsigmoid_cpu", input)
    return _write_back(input, _rgrad._hardtanh(input + 3, 0.0, 6.0) / 6, inplace)


def hardswish(input, inplace=False):
    """``hardswish(input)``: x * relu6(x + 3) / 6. As PyTorch's, the gradient uses the
    middle piece's (2x + 3) / 6 on the closed interval [-3, 3].

    >>> F = rgrad.nn.functional
    >>> F.hardswish(rgrad.tensor([-1.5, 0.0, 1.5, 4.0]))
    tensor([-0.3750,  0.0000,  1.1250,  4.0000])
    """
    _float_only("hardswish_cpu", input)
    middle = input * (input + 3) / 6
    out = where(input < -3, _rgrad.zeros_like(input), where(input > 3, input, middle))
    return _write_back(input, out, inplace)


# Functions this family adds to rgrad.linalg / rgrad.nn.functional (name -> callable).
LINALG = {}
FUNCTIONAL = {
    f.__name__: f
    for f in (relu, relu_, gelu, silu, softplus, sigmoid, tanh, hardtanh, relu6, leaky_relu, elu, mish, logsigmoid,
              softsign, hardsigmoid, hardswish)
}
