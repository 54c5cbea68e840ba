"""Python-level pieces of the reduce op family: named-tuple results, std_mean /
var_mean, ``rgrad.linalg.vector_norm`` / ``rgrad.linalg.norm`` and the
``nn.functional`` softmax family."""

import builtins as _builtins
import math as _math
import types as _types
import warnings as _warnings

from . import _rgrad

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "aminmax",
    "std", "var", "norm", "all", "any", "count_nonzero", "logsumexp", "softmax", "log_softmax",
    "cumsum", "cumprod", "cummax", "cummin",
]


from . import return_types  # noqa: E402

_rgrad._set_return_types({n: getattr(return_types, n) for n in ("max", "min", "cummax", "cummin", "aminmax")})


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim`` (same arguments as ``Tensor.std``)."""
    if isinstance(dim, _builtins.bool):
        dim, unbiased = None, dim
    s = input.std(dim, unbiased, keepdim, correction=correction)
    m = input.mean(dim, keepdim)
    return (s, m)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim`` (same arguments as ``Tensor.var``)."""
    if isinstance(dim, _builtins.bool):
        dim, unbiased = None, dim
    v = input.var(dim, unbiased, keepdim, correction=correction)
    m = input.mean(dim, keepdim)
    return (v, m)


__all__ = ["std_mean", "var_mean"]


# ---------- rgrad.linalg ----------

def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``linalg.vector_norm``: the ``ord``-norm of ``x`` over ``dim`` (all elements when None).

    ``ord`` may be any float, ``inf``, ``-inf`` or 0 (the number of nonzeros).
    """
    return _rgrad._vector_norm(x, ord, dim, keepdim, dtype=dtype)


def _as_dims(dim, ndim):
    if isinstance(dim, int):
        dim = (dim,)
    return tuple(d + ndim if d < 0 else d for d in dim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """``linalg.matrix_norm``: 'fro', 1, -1, inf, -inf matrix norms over the two ``dim`` s.

    The spectral (2, -2) and nuclear ('nuc') norms need an SVD and are not supported yet.
    """
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as input. Got {_title(A.dtype)}")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = _as_dims(dim, A.dim())
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs an SVD, which rgrad does not have yet")
    if ord in (1, -1):
        s = vector_norm(A, 1, d0, True)  # column sums of |A|
        r = s.amax(d1, keepdim=True) if ord == 1 else s.amin(d1, keepdim=True)
    elif ord in (_math.inf, -_math.inf):
        s = vector_norm(A, 1, d1, True)  # row sums of |A|
        r = s.amax(d0, keepdim=True) if ord > 0 else s.amin(d0, keepdim=True)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if not keepdim:
        r = r.squeeze((d0, d1))
    return r


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``linalg.norm``: a vector norm (1-D input, or ``dim`` an int) or a matrix norm (2-D)."""
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
    if ord is None:
        if dim is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if isinstance(dim, int) or len(dim) == 1:
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
    if dim is None:
        if A.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.dim()}D.")
        dim = (0,) if A.dim() == 1 else (0, 1)
    if isinstance(dim, int) or len(dim) == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: ord must be a number, got '{ord}'" if A.dim() > 1 else "linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype)


def _title(dt):
    return {"bool": "Bool", "int32": "Int", "int64": "Long", "float32": "Float", "float64": "Double"}.get(str(dt).split(".")[-1], str(dt))


LINALG = {"vector_norm": vector_norm, "matrix_norm": matrix_norm, "norm": norm}


# ---------- rgrad.nn.functional ----------

def _softmax_dim(ndim, name):
    _warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``F.softmax``: fused, numerically stable softmax along ``dim``."""
    if dim is None:
        dim = _softmax_dim(input.dim(), "softmax")
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``F.log_softmax``: fused ``x - logsumexp(x, dim)``."""
    if dim is None:
        dim = _softmax_dim(input.dim(), "log_softmax")
    return input.log_softmax(dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``F.softmin``: ``softmax(-input)``."""
    if dim is None:
        dim = _softmax_dim(input.dim(), "softmin")
    return (-input).softmax(dim, dtype=dtype)


FUNCTIONAL = {"softmax": softmax, "log_softmax": log_softmax, "softmin": softmin}
