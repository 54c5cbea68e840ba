"""Python-level pieces of the reduce op family: named-tuple results, std_mean /
var_mean, ``rgrad.linalg.vector_norm`` / ``rgrad.linalg.norm`` and the
``nn.functional`` softmax family."""

import builtins as _builtins
import types as _types
import warnings as _warnings

from . import _linalg, _rgrad

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "aminmax",
    "std", "var", "norm", "all", "any", "count_nonzero", "logsumexp", "softmax", "log_softmax",
    "cumsum", "cumprod", "cummax", "cummin",
]


from . import return_types  # noqa: E402

_rgrad._set_return_types({n: getattr(return_types, n) for n in ("max", "min", "cummax", "cummin", "aminmax")})


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim`` (same arguments as ``Tensor.std``).

    >>> rgrad.std_mean(rgrad.tensor([1.0, 2.0, 3.0]))
    (tensor(1.), tensor(2.))
    """
    if isinstance(dim, _builtins.bool):
        dim, unbiased = None, dim
    s = input.std(dim, unbiased, keepdim, correction=correction)
    m = input.mean(dim, keepdim)
    return (s, m)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim`` (same arguments as ``Tensor.var``).

    >>> rgrad.var_mean(rgrad.tensor([1.0, 2.0, 3.0]))
    (tensor(1.), tensor(2.))
    """
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

    >>> rgrad.linalg.vector_norm(rgrad.tensor([3.0, -4.0]))
    tensor(5.)
    >>> rgrad.linalg.vector_norm(rgrad.tensor([3.0, -4.0]), ord=1)
    tensor(7.)
    """
    return _rgrad._vector_norm(x, ord, dim, keepdim, dtype=dtype)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """``linalg.norm``: a vector norm (1-D input, or ``dim`` an int) or a matrix norm (2-D, or two ``dim`` s).

    >>> rgrad.linalg.norm(rgrad.tensor([3.0, 4.0]))
    tensor(5.)
    >>> rgrad.linalg.norm(rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), ord='fro')
    tensor(5.4772)
    """
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
    if isinstance(ord, str):
        if dim is None:
            if A.dim() not in (1, 2):
                raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.dim()}D.")
            dim = (0, 1)
        elif not isinstance(dim, int) and len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
        return _rgrad._matrix_norm(A, ord, (dim,) if isinstance(dim, int) else dim, keepdim, dtype=dtype)
    if dim is not None and not isinstance(dim, int) and len(dim) not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.dim()}D.")
        if A.dim() == 2:
            return _linalg.matrix_norm(A, ord, (0, 1), keepdim, dtype=dtype)
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if isinstance(dim, int) or len(dim) == 1:
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return _linalg.matrix_norm(A, ord, dim, keepdim, dtype=dtype)


LINALG = {"vector_norm": vector_norm, "norm": norm}


# ---------- rgrad.nn.functional ----------

def _softmax_dim(ndim, name):
    _warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``F.softmax``: fused, numerically stable softmax along ``dim``.

    >>> F = rgrad.nn.functional
    >>> F.softmax(rgrad.tensor([[1.0, 1.0], [0.0, 2.0]]), dim=1)
    tensor([[0.5000, 0.5000],
            [0.1192, 0.8808]])
    """
    if dim is None:
        dim = _softmax_dim(input.dim(), "softmax")
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``F.log_softmax``: fused ``x - logsumexp(x, dim)``.

    >>> F = rgrad.nn.functional
    >>> F.log_softmax(rgrad.tensor([0.0, 0.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    if dim is None:
        dim = _softmax_dim(input.dim(), "log_softmax")
    return input.log_softmax(dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``F.softmin``: ``softmax(-input)``.

    >>> F = rgrad.nn.functional
    >>> F.softmin(rgrad.tensor([0.0, 2.0]), dim=0)
    tensor([0.8808, 0.1192])
    """
    if dim is None:
        dim = _softmax_dim(input.dim(), "softmin")
    return (-input).softmax(dim, dtype=dtype)


FUNCTIONAL = {"softmax": softmax, "log_softmax": log_softmax, "softmin": softmin}
