"""Tensor factories and random fills built from the core creation ops.

``t.new_zeros(...)`` and friends (a tensor like ``t``: its dtype and device unless
given), ``t.uniform_`` / ``t.normal_`` (in-place random fills, drawing from the same
generator as ``rgrad.rand`` / ``rgrad.randn``, so ``manual_seed`` covers them),
``rgrad.randperm`` and ``rgrad.logspace``. Each is a short composition of ops
that already live in Rust; the fills go through ``copy_``, so autograd treats them
like PyTorch does (a leaf that requires grad refuses them outside ``no_grad``).
"""

import math

from . import _rgrad
from . import _out
from ._messages import dtype_title, not_implemented
from ._rgrad import Tensor

__all__ = ["randperm", "logspace", "is_complex", "bernoulli", "normal", "multinomial"]



def _new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    """``new_empty(size)``: an uninitialised tensor with ``self``'s dtype and device unless given.

    >>> rgrad.tensor([1, 2], dtype=rgrad.int32).new_empty(2, 3).shape
    rgrad.Size([2, 3])
    """
    return _rgrad.empty(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    """``new_zeros(size)``: zeros with ``self``'s dtype and device unless given.

    >>> rgrad.tensor([1, 2]).new_zeros((2, 2))
    tensor([[0, 0],
            [0, 0]])
    """
    return _rgrad.zeros(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    """``new_ones(size)``: ones with ``self``'s dtype and device unless given.

    >>> rgrad.tensor([1.0], dtype=rgrad.float64).new_ones(2)
    tensor([1., 1.], dtype=rgrad.float64)
    """
    return _rgrad.ones(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """``new_full(size, fill_value)``: ``fill_value`` everywhere, ``self``'s dtype and device unless given.

    >>> rgrad.tensor([1, 2], dtype=rgrad.int32).new_full((2,), 7)
    tensor([7, 7], dtype=rgrad.int32)
    """
    return _rgrad.full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    """``new_tensor(data)``: a copy of ``data`` with ``self``'s dtype (not inferred) and device unless given.

    >>> rgrad.tensor([1.0], dtype=rgrad.float64).new_tensor([1, 2])
    tensor([1., 2.], dtype=rgrad.float64)
    """
    if isinstance(data, Tensor):
        data = data.detach()
    return _rgrad.tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _check_float_fill(self, kernel):
    if not self.dtype.is_floating_point:
        raise not_implemented(kernel, self)


def _uniform_(self, *args, generator=None, **kwargs):
    """``uniform_(from=0, to=1, *, generator=None)``: fills ``self`` with values uniform on [from, to).

    >>> _ = rgrad.manual_seed(0)
    >>> rgrad.empty(3).uniform_(-1.0, 1.0)
    tensor([ 0.2025,  0.4955, -0.7940])
    """
    names = ["from", "to"]
    if len(args) > 2:
        raise TypeError(f"uniform_() takes at most 2 positional arguments ({len(args)} given)")
    vals = dict(zip(names, args))
    for k, v in kwargs.items():
        if k not in names or k in vals:
            raise TypeError(f"uniform_() got an unexpected keyword argument '{k}'")
        vals[k] = v
    lo, hi = float(vals.get("from", 0.0)), float(vals.get("to", 1.0))
    _check_float_fill(self, "check_uniform_bounds")
    if lo > hi:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={lo:g} > to={hi:g}")
    r = _rgrad.rand(*self.shape, generator=generator, dtype=self.dtype, device=self.device)
    return self.copy_(r * (hi - lo) + lo)


def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    """``normal_(mean=0, std=1, *, generator=None)``: fills ``self`` with normal samples.

    >>> _ = rgrad.manual_seed(0)
    >>> rgrad.empty(3).normal_(mean=10.0, std=0.01).round()
    tensor([10., 10., 10.])
    """
    _check_float_fill(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    r = _rgrad.randn(*self.shape, generator=generator, dtype=self.dtype, device=self.device)
    return self.copy_(r * float(std) + float(mean))


def _bernoulli_(self, p=0.5, *, generator=None):
    """``bernoulli_(p=0.5)``: fills ``self`` with 1 (probability ``p``, a number or a tensor
    broadcastable to ``self``) or 0.

    >>> _ = rgrad.manual_seed(0)
    >>> rgrad.empty(4).bernoulli_(0.5)
    tensor([0., 0., 1., 1.])
    """
    _check_float_fill(self, "bernoulli_scalar_cpu_")
    prob = p if isinstance(p, Tensor) else _rgrad.full(self.shape, float(p), dtype=_rgrad.float64, device=self.device)
    _check_probability(prob)
    draws = _rgrad.rand(*self.shape, generator=generator, dtype=_rgrad.float64, device=self.device)
    return self.copy_((draws < prob).to(self.dtype))


def _check_probability(p):
    if p.numel() and not bool(((p >= 0) & (p <= 1)).all()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")


def _is_signed(self):
    """True unless the dtype is bool (every other rgrad dtype is signed).

    >>> rgrad.tensor([1, 2]).is_signed(), rgrad.tensor([True]).is_signed()
    (True, False)
    """
    return str(self.dtype) != "rgrad.bool"


def _is_complex(self):
    """False: rgrad has no complex dtypes.

    >>> rgrad.ones(2).is_complex()
    False
    """
    return False


for _name, _fn in [
    ("new_empty", _new_empty), ("new_zeros", _new_zeros), ("new_ones", _new_ones), ("new_full", _new_full),
    ("new_tensor", _new_tensor), ("uniform_", _uniform_), ("normal_", _normal_), ("is_signed", _is_signed),
    ("is_complex", _is_complex), ("bernoulli_", _bernoulli_),
]:
    _fn.__name__ = _fn.__qualname__ = _name
    setattr(Tensor, _name, _fn)
del _name, _fn


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """``randperm(n)``: a random permutation of ``0..n-1`` (int64 unless ``dtype``).

    >>> _ = rgrad.manual_seed(0)
    >>> rgrad.randperm(5)
    tensor([2, 3, 0, 4, 1])
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    _check_device(device)
    dtype = _out.creation_dtype("randperm", out, dtype) if out is not None else dtype or _rgrad.int64
    if requires_grad and not dtype.is_floating_point:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    # float64 keys: ties (which would still give a permutation) are vanishingly rare
    perm = _rgrad.rand(n, generator=generator, dtype=_rgrad.float64, device=device).argsort().to(dtype)
    if out is not None:
        _out.write("randperm", perm, out)
        return out.requires_grad_() if requires_grad else out
    return perm.requires_grad_() if requires_grad else perm


def _trunc(v):
    """A number (or one-element tensor) truncated toward zero, as a float."""
    return float(math.trunc(float(v)))


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``logspace(start, end, steps, base=10)``: ``base ** linspace(start, end, steps)``.

    >>> rgrad.logspace(0, 3, steps=4)
    tensor([   1.,   10.,  100., 1000.])
    """
    _check_device(device)
    if out is not None:
        dtype = _out.creation_dtype("logspace", out, dtype)
    dtype = dtype or _rgrad.get_default_dtype()
    if dtype == _rgrad.bool:
        raise NotImplementedError("\"logspace_cpu\" not implemented for 'Bool'")
    if not dtype.is_floating_point:
        # integer ends are truncated first, as PyTorch (logspace(0.5, 2.5, 3, dtype=int64) is [1, 10, 100])
        start, end = _trunc(start), _trunc(end)
    exps = _rgrad.linspace(start, end, steps, dtype=_rgrad.float64, device=device)
    vals = (float(base) ** exps).to(dtype)
    if out is not None:
        _out.write("logspace", vals, out)
        return out.requires_grad_() if requires_grad else out
    return vals.requires_grad_() if requires_grad else vals


def bernoulli(input, *, generator=None, out=None):
    """``bernoulli(input)``: 1 with probability ``input[i]`` (each in [0, 1]), else 0, in
    ``input``'s float dtype.

    >>> rgrad.bernoulli(rgrad.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    if not input.dtype.is_floating_point:
        raise not_implemented("bernoulli_tensor_cpu_p_", input)
    _check_probability(input)
    draws = _rgrad.rand(*input.shape, generator=generator, dtype=_rgrad.float64, device=input.device)
    r = (draws < input.detach()).to(input.dtype)
    return r if out is None else out.copy_(r)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``normal(mean, std, size=None)``: samples of N(mean, std**2). ``mean`` / ``std`` are
    numbers (then ``size`` gives the shape) or tensors (broadcast together; the result is
    differentiable in both, as in PyTorch).

    >>> _ = rgrad.manual_seed(0)
    >>> rgrad.normal(0.0, 1.0, size=(2,))
    tensor([-0.0190, -0.4037])
    >>> rgrad.normal(rgrad.tensor([0.0, 100.0]), 0.001).round()
    tensor([  0., 100.])
    """
    _check_device(device)
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal(): with number mean and std, size is required")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        r = _rgrad.randn(*size, generator=generator, dtype=dtype, device=device) * float(std) + float(mean)
        r = r.requires_grad_() if requires_grad else r
        return r if out is None else out.copy_(r)
    if not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if isinstance(std, Tensor) and std.numel() and bool((std < 0).any()):
        raise RuntimeError(f"normal expects all elements of std >= 0.0, but found std {float(std.min()):g}")
    ref = mean if isinstance(mean, Tensor) else std
    shape = _rgrad.broadcast_shapes(*[t.shape for t in (mean, std) if isinstance(t, Tensor)])
    r = mean + std * _rgrad.randn(*shape, generator=generator, dtype=ref.dtype, device=ref.device)
    return r if out is None else out.copy_(r)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """``multinomial(input, num_samples, replacement=False)``: category indices (int64) drawn
    with weights ``input`` (1-D, or 2-D for one draw per row). Without replacement, each
    category is drawn at most once (Gumbel top-k); with it, by inverse CDF.

    >>> _ = rgrad.manual_seed(0)
    >>> rgrad.multinomial(rgrad.tensor([0.0, 1.0, 3.0]), 2)
    tensor([1, 2])
    """
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {dtype_title(input.dtype)}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    p = input.detach().to(_rgrad.float64)
    if p.numel() and not bool((p.isfinite() & (p >= 0)).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = p.sum(-1, keepdim=True)
    if p.numel() == 0 or bool((total <= 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rows = p if p.dim() == 2 else p.unsqueeze(0)
    u = _rgrad.rand(rows.shape[0], num_samples if replacement else n, generator=generator, dtype=_rgrad.float64, device=input.device)
    if replacement:
        cdf = (rows / total.reshape(-1, 1)).cumsum(-1)
        picks = _rgrad.searchsorted(cdf, u, right=True).clamp_max(n - 1)
    else:
        # Gumbel top-k: log p + Gumbel noise, the k largest keys are a weighted draw
        # without replacement (zero weights give -inf keys and come last)
        keys = rows.log() - (-(u.clamp_min(1e-300)).log()).log()
        picks = keys.topk(num_samples, dim=-1).indices
    picks = picks if input.dim() == 2 else picks.squeeze(0)
    return picks if out is None else out.copy_(picks)


def is_complex(input):
    """False: rgrad has no complex dtypes.

    >>> rgrad.is_complex(rgrad.ones(2))
    False
    """
    return False


def _check_device(device):
    """The core factories' device check (an unknown or unavailable device raises there)."""
    if device is not None:
        _rgrad.empty(0, device=device)
