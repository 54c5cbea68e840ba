"""rgrad: a small, fast tensor library with a PyTorch-shaped API.

Every name a PyTorch tutorial uses works with ``torch.`` replaced by ``rgrad.``::

    import rgrad
    x = rgrad.arange(4.0, requires_grad=True)
    y = 2 * rgrad.dot(x, x)
    y.backward()
    x.grad          # tensor([ 0.,  4.,  8., 12.])
"""

from . import _rgrad
from ._rgrad import *  # noqa: F401,F403  (the extension's public names)
from ._rgrad import Tensor, device, dtype
from ._rgrad import bool, float32, float64, int32, int64  # noqa: A004
from ._tensor_str import set_printoptions, tensor_repr as _tensor_repr

__version__ = "0.1.0"

# dtype aliases, as in PyTorch
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001


class Size(tuple):
    """The shape of a tensor: a tuple of ints, printed as ``rgrad.Size([2, 3])``.

    >>> s = rgrad.zeros(2, 3).shape
    >>> s, s[0], len(s), s.numel()
    (rgrad.Size([2, 3]), 2, 2, 6)
    """

    def __repr__(self):
        return f"rgrad.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n


_rgrad._set_size_class(Size)

Tensor.__repr__ = lambda self: _tensor_repr(self)
Tensor.__str__ = Tensor.__repr__
Tensor.__format__ = lambda self, spec: format(self.item(), spec) if self.dim() == 0 and spec else Tensor.__repr__(self)

from .autograd import enable_grad, inference_mode, is_inference_mode_enabled, no_grad, set_grad_enabled  # noqa: E402
from ._rgrad import is_grad_enabled  # noqa: E402
from . import autograd  # noqa: E402
from . import linalg, nn, optim, return_types  # noqa: E402,F401
from . import cuda, gpu, utils  # noqa: E402,F401
from ._default_device import get_default_device, set_default_device  # noqa: E402,F401
from .serialization import load, save  # noqa: E402,F401
from . import __config__  # noqa: E402,F401
from .__config__ import show_config  # noqa: E402,F401


# ---------- legacy tensor types: rgrad.FloatTensor([1, 2]), isinstance(t, rgrad.FloatTensor) ----------

class _TensorTypeMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls):
        return f"<class 'rgrad.{cls.__name__}'>"


def _legacy_type(name, dt):
    def __new__(cls, *args):
        if len(args) == 1 and not isinstance(args[0], __builtins__["int"] if isinstance(__builtins__, dict) else __builtins__.int):
            return _rgrad.tensor(args[0], dtype=cls.dtype, device="cpu")  # torch.FloatTensor is a CPU type
        return _rgrad.zeros(*args, dtype=cls.dtype, device="cpu")

    return _TensorTypeMeta(name, (), {"dtype": dt, "__new__": __new__, "__doc__": f"A {dt} CPU tensor type (PyTorch's legacy name for ``dtype={dt}``).\n\n"
        f">>> rgrad.{name}([1, 2]).dtype\n{dt}\n>>> isinstance(rgrad.tensor([1, 2], dtype={dt}), rgrad.{name})\nTrue\n"})


FloatTensor = _legacy_type("FloatTensor", float32)
DoubleTensor = _legacy_type("DoubleTensor", float64)
LongTensor = _legacy_type("LongTensor", int64)
IntTensor = _legacy_type("IntTensor", int32)
BoolTensor = _legacy_type("BoolTensor", bool)


# ---------- function forms of tensor methods: rgrad.add(a, b) == a.add(b) ----------

def _function_of_method(name, rule=None):
    """``rgrad.NAME(input, ...)`` calling ``Tensor.NAME``; with an ``out=`` dtype ``rule`` (see
    ``_out``) it also takes PyTorch's ``out=``, else the method refuses the keyword, as there."""
    method = getattr(Tensor, name)

    # `out` is read from **kwargs, not declared: a keyword-only parameter sends every call
    # through CPython's slow argument parsing (measured ~250 ns more per call than this);
    # forwarding `**kwargs` to a builtin copies the dict, so only when there is one
    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        if not kwargs:
            return method(input, *args) if args else method(input)
        out = kwargs.pop("out", None) if rule is not None else None
        if out is None:
            return method(input, *args, **kwargs)
        _out.check_grad(name, [input, *args, *kwargs.values(), *_out.outputs(out)])
        return _out.write(name, method(input, *args, **kwargs), out, rule)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = method.__doc__
    if rule is not None:
        fn.__doc__ = (method.__doc__ or name) + "\n\nWith ``out=``, the result is written into ``out`` (same shape; PyTorch's dtype rules)."
    return fn


_METHOD_FUNCTIONS = [
    "add", "sub", "mul", "div", "pow", "neg", "negative", "exp", "log", "dot", "sum", "mean",
    "reshape", "flatten", "unflatten", "t", "transpose", "swapaxes", "swapdims", "permute",
    "squeeze", "unsqueeze", "narrow", "select", "clone", "detach", "numel", "is_floating_point",
]
from . import _elementwise, _indexing, _joining, _linalg, _matmul, _out, _reduce  # noqa: E402
from ._factories import bernoulli, is_complex, logspace, multinomial, normal, randperm  # noqa: E402,F401  (also adds Tensor.new_zeros, uniform_, ...)
from ._composites import (  # noqa: E402,F401
    cdist, cross, deg2rad, diff, dist, heaviside, isin, logaddexp, logaddexp2, logit, median, mode, nanmedian,
    nanquantile, quantile, rad2deg, sgn, sinc, xlogy,
)

for _family in (_elementwise, _reduce, _indexing, _joining, _matmul, _linalg):
    _METHOD_FUNCTIONS += _family.METHOD_FUNCTIONS
for _name in _METHOD_FUNCTIONS:
    globals()[_name] = _function_of_method(_name, _out.OPS.get(_name))
# a family's own functions win over the generic method wrappers (e.g. rgrad.pow(2, t))
for _family in (_elementwise, _reduce, _indexing, _joining, _matmul, _linalg):
    for _name in _family.__all__:
        globals()[_name] = getattr(_family, _name)
subtract = _function_of_method("sub", "cast")
multiply = _function_of_method("mul", "cast")
divide = _function_of_method("div", "cast")
true_divide = _function_of_method("div", "cast")
# the families' own functions and the composites with out= in PyTorch (cat, where, pow, ...)
for _name in (*(_n for _f in (_elementwise, _reduce, _indexing, _joining) for _n in _f.__all__),
              "cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "row_stack",
              "xlogy", "logaddexp", "logaddexp2", "deg2rad", "rad2deg", "logit", "sinc", "heaviside", "sgn",
              "median", "nanmedian", "mode", "quantile", "nanquantile", "diff", "cross", "searchsorted", "bucketize"):
    if _name in _out.OPS and _name in globals():
        globals()[_name] = _out.with_out(_name, globals()[_name], _out.OPS[_name])
del _name


def numel(input):
    """Number of elements of ``input``.

    >>> rgrad.numel(rgrad.zeros(2, 3))
    6
    """
    return input.numel()


def is_floating_point(input):
    """True for float32 and float64 tensors.

    >>> rgrad.is_floating_point(rgrad.tensor([1.0])), rgrad.is_floating_point(rgrad.tensor([1]))
    (True, False)
    """
    return input.dtype.is_floating_point


def is_nonzero(input):
    """The truth value of a one-element tensor.

    >>> rgrad.is_nonzero(rgrad.tensor([0.5]))
    True
    >>> rgrad.is_nonzero(rgrad.tensor(0))
    False
    """
    return builtins_bool(input)


import builtins as _builtins  # noqa: E402

builtins_bool = _builtins.bool
