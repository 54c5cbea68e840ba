"""PyTorch's ``out=`` keyword for the function forms of ops (``rgrad.add(a, b, out=c)``).

The op runs as usual, then its result is checked against ``out`` and copied in, and ``out``
itself is returned, as PyTorch does. Going through a temporary costs a copy but lets ``out``
overlap the inputs freely. One difference is visible: a result of another shape is refused
where PyTorch would resize ``out`` (rgrad tensors can't change shape in place).
"""

from . import _rgrad
from ._messages import cannot_resize_out, dtype_title

# PyTorch's dtype categories (bool < integer < float): a result may go into an out of its own
# or a higher category (can_cast), and a 0-d tensor promotes only across them (result_type)
_CATEGORY = {"bool": 0, "int32": 1, "int64": 1, "float32": 2, "float64": 2}


def category(dtype):
    """``dtype``'s type-promotion category: 0 bool, 1 integer, 2 floating."""
    return _CATEGORY[_name(dtype)]
# C type names, as PyTorch's "Expected out tensor to have dtype ..." message prints them
_C_NAME = {"bool": "bool", "int32": "int", "int64": "long int", "float32": "float", "float64": "double"}


def _name(dt):
    return str(dt).replace("rgrad.", "")


def check_grad(name, tensors):
    """Ops with ``out=`` record no autograd history: PyTorch refuses when an argument requires grad."""
    flat = [x for t in tensors for x in (t if isinstance(t, (list, tuple)) else [t])]
    if _rgrad.is_grad_enabled() and any(isinstance(t, _rgrad.Tensor) and t.requires_grad for t in flat):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad."
        )


def check_dtype(result, out, rule="cast"):
    """The dtype rules PyTorch's kernels apply to ``out``: ``cast`` (the result's dtype must cast
    to out's), ``exact`` (index results and matrix products), ``dot`` and ``tensordot``."""
    rd, od = _name(result.dtype), _name(out.dtype)
    if rd == od:
        return
    rt, ot = dtype_title(result.dtype), dtype_title(out.dtype)
    if rule == "dot":
        raise RuntimeError(f"result dtype {ot} does not match input dtype {rt}")
    if rule == "tensordot":
        raise RuntimeError(
            f"tensordot: Expected the output tensor to have dtype {rt}, but got an output tensor with dtype {ot}"
        )
    if rule == "exact":
        raise RuntimeError(f"Expected out tensor to have dtype {_C_NAME[rd]}, but got {_C_NAME[od]} instead")
    if _CATEGORY[od] < _CATEGORY[rd]:
        raise RuntimeError(f"result type {rt} can't be cast to the desired output type {ot}")


def write(name, result, out, rule="cast"):
    """Copies ``result`` (a tensor, or a tuple of them for ops such as ``max(dim)``) into
    ``out`` after PyTorch's checks; returns ``out``."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(
                f"{name}(): argument 'out' must be a tuple of {len(result)} Tensors, not {type(out).__name__}"
            )
        # PyTorch's two-result kernels (max(dim), sort, topk, ...) want both dtypes exactly
        for r, o in zip(result, out):
            write(name, r, o, "exact" if rule == "cast" else rule)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    if not isinstance(out, _rgrad.Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    check_dtype(result, out, rule)
    if out.device != result.device and result.dim() > 0:
        raise RuntimeError(f"Expected out tensor to have device {result.device}, but got {out.device} instead")
    if tuple(out.shape) != tuple(result.shape):
        raise cannot_resize_out(name, out, result.shape)
    out.copy_(result)
    return out


def creation_dtype(name, out, dtype):
    """The dtype a creation function's result takes with ``out=``: ``out``'s, unless ``dtype=``
    names one, which must then match (as the Rust creation functions check it)."""
    if not isinstance(out, _rgrad.Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if dtype is not None and dtype != out.dtype:
        raise RuntimeError(f"dtype {dtype_title(dtype)} does not match dtype of out parameter ({dtype_title(out.dtype)})")
    check_grad(name, [out])
    return out.dtype


def outputs(out):
    """The tensors of an ``out=`` argument (one, or a tuple of them)."""
    return list(out) if isinstance(out, (tuple, list)) else [out]


def with_out(name, fn, rule="cast"):
    """``fn`` with an ``out=`` keyword as PyTorch's: no autograd through it, the result copied in."""

    # `out` is read from **kwargs, not declared: a keyword-only parameter sends every call
    # through CPython's slow argument parsing
    def wrapper(*args, **kwargs):
        if not kwargs:
            return fn(*args)
        out = kwargs.pop("out", None)
        if out is None:
            return fn(*args, **kwargs)
        check_grad(name, list(args) + list(kwargs.values()) + outputs(out))
        return write(name, fn(*args, **kwargs), out, rule)

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = (fn.__doc__ or name) + "\n\nWith ``out=``, the result is written into ``out`` (same shape; PyTorch's dtype rules)."
    wrapper.__wrapped__ = fn
    return wrapper


# The function forms that take ``out=`` in PyTorch, with the dtype rule their kernels apply
# (checked name by name against torch 2.15). Others refuse the keyword, as there.
_CAST_OPS = """
abs absolute sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square reciprocal sin cos tan
asin arcsin acos arccos atan arctan sinh cosh tanh asinh arcsinh acosh arccosh atanh arctanh sigmoid
logit erf floor ceil round trunc fix frac neg negative logical_not bitwise_not isposinf isneginf signbit
nan_to_num clamp clip clamp_min clamp_max deg2rad rad2deg sinc
add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow float_power
maximum minimum fmax fmin atan2 arctan2 hypot copysign lerp addcmul addcdiv xlogy logaddexp logaddexp2
heaviside logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor bitwise_left_shift
bitwise_right_shift eq ne not_equal lt less le less_equal gt greater ge greater_equal where
sum nansum mean nanmean prod max min amax amin aminmax std var std_mean var_mean norm all any
logsumexp softmax log_softmax cumsum cumprod cummax cummin median nanmedian mode
index_select gather scatter scatter_add index_add index_copy masked_select take take_along_dim nonzero
sort msort topk kthvalue tril triu diag histc diff cross
cat concat concatenate stack hstack vstack dstack column_stack row_stack
""".split()
# quantile: "quantile() out tensor must be same dtype as the input tensor"
OPS = {**{n: "cast" for n in _CAST_OPS}, **{n: "exact" for n in ("argmax", "argmin", "searchsorted", "bucketize", "quantile", "nanquantile")}}
