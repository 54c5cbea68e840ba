"""Ops composed in Python from other rgrad ops: ``diff``, ``median`` / ``nanmedian``,
``logaddexp`` / ``logaddexp2``, ``xlogy``, ``deg2rad`` / ``rad2deg``, ``sgn``, ``logit``,
``sinc``, ``heaviside``, ``isin``, ``dist``, ``cdist``, ``fill_diagonal_``,
``cross`` / ``linalg.cross``, ``quantile`` / ``nanquantile`` and ``mode``.

Each is a few lines over ops that already have kernels and backwards in Rust, so
its gradient is the chain rule through those parts (checked with gradcheck in
``tests/test_composites.py``). Dtype rules and errors follow PyTorch.
"""

import math

from . import _rgrad, return_types
from ._messages import dtype_title, not_implemented
from ._rgrad import Tensor

__all__ = [
    "diff", "median", "nanmedian", "logaddexp", "logaddexp2", "xlogy", "deg2rad", "rad2deg", "sgn", "cross",
    "logit", "sinc", "heaviside", "isin", "dist", "cdist", "quantile", "nanquantile", "mode",
]
# tensor methods only (no function form in PyTorch)
_METHODS_ONLY = ["fill_diagonal_"]


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """``diff(input, n=1, dim=-1, prepend=None, append=None)``: ``n``-th forward difference
    along ``dim`` (``logical_xor`` of neighbours for bool), after concatenating ``prepend``
    / ``append``.

    >>> rgrad.diff(rgrad.tensor([1, 4, 9, 16]))
    tensor([3, 5, 7])
    """
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    parts = [t for t in (prepend, input, append) if t is not None]
    if len(parts) > 1:
        one = list(input.shape)
        one[dim] = 1
        # a 0-d prepend / append is one slice of that value
        x = _rgrad.cat([p if p.dim() else p.expand(*one) for p in parts], dim)
    else:
        x = input
    for _ in range(n):
        m = x.shape[dim]
        if m == 0:
            break
        hi, lo = x.narrow(dim, 1, m - 1), x.narrow(dim, 0, m - 1)
        x = hi.logical_xor(lo) if x.dtype == _rgrad.bool else hi - lo
    return x


def _along(input, dim, name=None):
    """``(x, d)``: ``input`` (a 0-d one as one element) and ``dim`` wrapped, for an op that
    works along one dim; with ``name``, an empty dim is refused as PyTorch's reductions do."""
    nd = max(input.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    d = dim % nd
    x = input if input.dim() else input.reshape(1)
    if name is not None and x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return x, d


def _median(input, dim, keepdim, ignore_nan, name):
    if input.dtype == _rgrad.bool:
        raise not_implemented("median_cpu", input)
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return _rgrad.tensor(float("nan"), dtype=input.dtype, device=input.device)
        return _median(flat, 0, False, ignore_nan, name).values
    x, d = _along(input, dim, name)
    n = x.shape[d]
    values_sorted, order = x.sort(d)  # NaN sorts last, as in PyTorch
    is_float = input.dtype.is_floating_point
    nan = x.isnan() if is_float else None
    if is_float and ignore_nan:
        # lower median of the non-NaN values; all-NaN slices give NaN (the last position)
        count = (~nan).sum(d, keepdim=True)
        k = ((count - 1).clamp_min(0) // 2).where(count > 0, _rgrad.full_like(count, n - 1))
    else:
        k = _rgrad.full([*x.shape[:d], 1, *x.shape[d + 1:]], (n - 1) // 2, dtype=_rgrad.int64, device=x.device)
    values = values_sorted.gather(d, k)
    indices = order.gather(d, k)
    if is_float and not ignore_nan:
        # any NaN makes the median NaN, at the first NaN's index
        has_nan = nan.any(d, keepdim=True)
        values = values.where(~has_nan, _rgrad.full_like(values, float("nan")))
        indices = indices.where(~has_nan, nan.int().argmax(d, keepdim=True))
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    if input.dim() == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return getattr(return_types, name)(values, indices)


def median(input, dim=None, keepdim=False):
    """``median(input)``: the lower median (NaN if any element is NaN); with ``dim``, the
    named tuple ``(values, indices)`` along it.

    >>> rgrad.median(rgrad.tensor([4.0, 1.0, 3.0, 2.0]))
    tensor(2.)
    >>> rgrad.tensor([[1, 5, 3], [2, 2, 9]]).median(dim=1)
    rgrad.return_types.median(
    values=tensor([3, 2]),
    indices=tensor([2, 1]))
    """
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim=False):
    """``nanmedian(input)``: ``median`` of the non-NaN elements (NaN only if all are NaN).

    >>> rgrad.nanmedian(rgrad.tensor([1.0, float('nan'), 3.0, 2.0]))
    tensor(2.)
    """
    return _median(input, dim, keepdim, True, "nanmedian")


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest, when several are equally frequent)
    and the index of its last occurrence there, as the named tuple ``(values, indices)``.
    Differentiable in ``values`` (the gradient goes to the element at ``indices``).

    >>> rgrad.mode(rgrad.tensor([3, 1, 3, 2, 1]))
    rgrad.return_types.mode(
    values=tensor(1),
    indices=tensor(4))
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"mode(): argument 'input' must be Tensor, not {type(input).__name__}")
    x, d = _along(input, dim, "mode")
    n = x.shape[d]
    # a stable sort puts equal values in runs, each in its original order
    s, order = x.sort(d, stable=True)
    s, order = s.movedim(d, -1), order.movedim(d, -1)
    starts = _rgrad.ones_like(s, dtype=_rgrad.int64)
    if n > 1:
        starts[..., 1:] = (s[..., 1:] != s[..., :-1]).long()
    run = starts.cumsum(-1) - 1  # run number of each sorted position
    lengths = _rgrad.zeros_like(run).scatter_add(-1, run, _rgrad.ones_like(run))
    best = lengths.argmax(-1, keepdim=True)  # first of the longest runs: the smallest value
    # its last position in sorted order holds its last occurrence
    pos = ((run == best).long() * _rgrad.arange(n, dtype=_rgrad.int64, device=s.device)).argmax(-1, keepdim=True)
    values, indices = s.gather(-1, pos).squeeze(-1), order.gather(-1, pos).squeeze(-1)
    if keepdim:
        values, indices = values.unsqueeze(d), indices.unsqueeze(d)
    if input.dim() == 0:
        values, indices = values.reshape(()), indices.reshape(())
    return return_types.mode(values, indices)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    """Shared by ``quantile`` / ``nanquantile``: sort along ``dim`` (NaN last), place each q at
    rank ``q * (count - 1)`` and read or interpolate the sorted values there. The gradient
    flows through ``sort`` and ``gather`` to the elements read."""
    if not isinstance(input, Tensor):
        raise TypeError(f"quantile(): argument 'input' must be Tensor, not {type(input).__name__}")
    if isinstance(q, Tensor):
        q_scalar = q.dim() == 0
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        q_dtype = input.dtype if input.dtype.is_floating_point else None
        q, q_scalar = _rgrad.tensor(float(q), dtype=q_dtype, device=input.device), True
    else:
        raise TypeError(f"quantile(): argument 'q' must be float or Tensor, not {type(q).__name__}")
    if input.numel() == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q.dim() > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input.dtype not in (_rgrad.float32, _rgrad.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q.dtype != input.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"quantile() interpolation must be one of linear, lower, higher, midpoint or nearest. Got {interpolation}")
    if q.numel() and bool(((q < 0) | (q > 1)).any()):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        x, d = _along(input, dim)
    s = x.sort(d).values.movedim(d, -1)  # [..., n], NaN last
    n = s.shape[-1]
    nan = s.isnan()
    count = (~nan).sum(-1, keepdim=True) if ignore_nan else _rgrad.full([*s.shape[:-1], 1], n, dtype=_rgrad.int64, device=s.device)
    qs = q.reshape(-1)
    # ranks: [Q, ..., 1], one per quantile and slice
    ranks = qs.reshape(-1, *([1] * s.dim())) * (count - 1).to(input.dtype)
    if interpolation == "lower":
        lo = hi = ranks.floor()
    elif interpolation == "higher":
        lo = hi = ranks.ceil()
    elif interpolation == "nearest":
        lo = hi = ranks.round()  # half to even, as PyTorch and NumPy
    else:
        lo, hi = ranks.floor(), ranks.ceil()
    sq = s.unsqueeze(0).expand(qs.shape[0], *s.shape)

    def at(r):
        return sq.gather(-1, r.clamp(0, n - 1).long())

    v_lo = at(lo)
    if interpolation in ("linear", "midpoint"):
        w = ranks - lo if interpolation == "linear" else _rgrad.full_like(ranks, 0.5)
        v_lo = v_lo.lerp(at(hi), w)
    # NaN where a slice has a NaN (quantile) or nothing but NaN (nanquantile)
    undefined = (count == 0) if ignore_nan else nan.any(-1, keepdim=True)
    out = v_lo.where(~undefined.unsqueeze(0), _rgrad.full_like(v_lo, float("nan"))).squeeze(-1)
    if keepdim:
        out = out.reshape(qs.shape[0], *([1] * input.dim())) if dim is None else out.unsqueeze(1 + d)
    if input.dim() == 0:
        out = out.reshape(qs.shape[0])
    return out.squeeze(0) if q_scalar else out


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The ``q``-th quantiles (a float or a 0-/1-D tensor in [0, 1], same dtype as ``input``)
    of ``input`` over ``dim`` (``None``: all elements). A 1-D ``q`` adds a leading dim of
    its size. ``interpolation`` between the two neighbouring sorted values: ``linear``,
    ``lower``, ``higher``, ``midpoint`` or ``nearest``. NaN where a slice has a NaN.
    Float tensors only; differentiable.

    >>> rgrad.quantile(rgrad.tensor([1.0, 2.0, 3.0, 4.0]), rgrad.tensor([0.25, 0.5]))
    tensor([1.7500, 2.5000])
    """
    return _quantile(input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """``quantile`` ignoring NaN: each slice's quantiles are those of its non-NaN values
    (NaN only for a slice with nothing else).

    >>> rgrad.nanquantile(rgrad.tensor([1.0, float('nan'), 3.0]), 0.5)
    tensor(2.)
    """
    return _quantile(input, q, dim, keepdim, interpolation, True)


def _float_pair(name, input, other):
    """Both operands in their promoted dtype, which must be a float one (PyTorch's
    logaddexp has float kernels only: int with float promotes, int with int is refused)."""
    for pos, (arg, t) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(t).__name__}")
    dt = _rgrad.result_type(input, other)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{dtype_title(dt)}\'')
    return input.to(dt), other.to(dt)


def logaddexp(input, other):
    """``logaddexp(input, other)``: ``log(exp(input) + exp(other))`` without overflow.

    >>> rgrad.logaddexp(rgrad.tensor([1000.0]), rgrad.tensor([1000.0]))
    tensor([1000.6932])
    """
    input, other = _float_pair("logaddexp", input, other)
    m = input.maximum(other)
    # inf + inf stays inf (the difference below would be nan)
    m_safe = m.where(m.isfinite(), _rgrad.zeros_like(m))
    return m_safe + ((input - m_safe).exp() + (other - m_safe).exp()).log()


def logaddexp2(input, other):
    """``logaddexp2(input, other)``: ``log2(2**input + 2**other)`` without overflow.

    >>> rgrad.logaddexp2(rgrad.tensor([1.0]), rgrad.tensor([1.0]))
    tensor([2.])
    """
    input, other = _float_pair("logaddexp2", input, other)
    m = input.maximum(other)
    m_safe = m.where(m.isfinite(), _rgrad.zeros_like(m))
    return m_safe + ((input - m_safe).exp2() + (other - m_safe).exp2()).log2()


def xlogy(input, other):
    """``xlogy(input, other)``: ``input * log(other)``, 0 where ``input`` is 0 (unless
    ``other`` is NaN); integer inputs give float results.

    >>> rgrad.xlogy(rgrad.tensor([0.0, 2.0]), rgrad.tensor([0.0, 3.0]))
    tensor([0.0000, 2.1972])
    """
    # PyTorch's promotion of the two (a Python number or 0-d tensor only changes the
    # category), then float: xlogy(int tensor, 2.5) is computed in float32, not at 2
    dt = _rgrad.result_type(input, other)
    if not dt.is_floating_point:
        dt = _rgrad.get_default_dtype()
    # a number is made on the other argument's device
    device = next((t.device for t in (input, other) if isinstance(t, Tensor)), None)
    x = input.to(dt) if isinstance(input, Tensor) else _rgrad.tensor(input, dtype=dt, device=device)
    y = other.to(dt) if isinstance(other, Tensor) else _rgrad.tensor(other, dtype=dt, device=device)
    keep = (x != 0) | y.isnan()
    # log(1) = 0 where the result is 0 anyway: keeps 0 * log(0) = NaN out of the gradient
    prod = x * y.where(keep, _rgrad.ones_like(y)).log()
    return prod.where(keep, _rgrad.zeros_like(prod))


def deg2rad(input):
    """``deg2rad(input)``: degrees to radians (integer inputs give float32).

    >>> rgrad.deg2rad(rgrad.tensor([180.0, 90.0]))
    tensor([3.1416, 1.5708])
    """
    x = input if input.dtype.is_floating_point else input.float()
    return x * (math.pi / 180.0)


def rad2deg(input):
    """``rad2deg(input)``: radians to degrees (integer inputs give float32).

    >>> rgrad.rad2deg(rgrad.tensor([3.141592653589793]))
    tensor([180.])
    """
    x = input if input.dtype.is_floating_point else input.float()
    return x * (180.0 / math.pi)


def sgn(input):
    """``sgn(input)``: ``sign`` (the same for real tensors; PyTorch's complex ``x/|x|`` has no
    rgrad counterpart).

    >>> rgrad.sgn(rgrad.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return input.sign()


def cross(input, other, dim=None):
    """``cross(input, other, dim=None)``: 3-vector cross product along ``dim`` (with no
    ``dim``, the first dim of size 3, as PyTorch's deprecated default).

    >>> rgrad.cross(rgrad.tensor([1.0, 0.0, 0.0]), rgrad.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    if dim is None:
        shape = _rgrad.broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input; shapes {list(input.shape)} and {list(other.shape)}")
    return _linalg_cross(input, other, dim=dim, name="cross")


def _linalg_cross(input, other, dim=-1, name="linalg.cross"):
    if input.dtype != other.dtype:
        # PyTorch computes in input's dtype and refuses another
        raise RuntimeError(f"expected scalar type {dtype_title(input.dtype)} but found {dtype_title(other.dtype)}")
    if input.dim() != other.dim():
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    a_n, b_n = input.shape[dim], other.shape[dim]
    if a_n != 3 or b_n != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got {a_n} and {b_n}")
    a = [input.select(dim, i) for i in range(3)]
    b = [other.select(dim, i) for i in range(3)]
    comps = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    return _rgrad.stack(comps, dim)


def linalg_cross(input, other, *, dim=-1):
    """``linalg.cross(input, other, dim=-1)``: 3-vector cross product along ``dim``.

    >>> rgrad.linalg.cross(rgrad.tensor([1.0, 0.0, 0.0]), rgrad.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    return _linalg_cross(input, other, dim=dim)


def _floating(x):
    return x if x.dtype.is_floating_point else x.float()


def logit(input, eps=None):
    """``logit(input, eps=None)``: ``log(z / (1 - z))`` with ``z = input`` clamped to
    ``[eps, 1 - eps]`` when ``eps`` is given (integer inputs give float32).

    >>> rgrad.logit(rgrad.tensor([0.5, 0.75]))
    tensor([0.0000, 1.0986])
    """
    z = _floating(input)
    if eps is not None:
        z = z.clamp(eps, 1.0 - eps)
        return (z / (1.0 - z)).log()
    # outside [0, 1] the value is NaN and so, as PyTorch's, is the gradient: a term that is
    # 0 inside (value and gradient) and NaN outside (the chain rule through log alone would
    # give a finite 1 / (z (1 - z)) there)
    outside = ((z < 0) | (z > 1)).detach()
    nan_outside = _rgrad.zeros_like(z).masked_fill(outside, float("nan"))
    return (z / (1.0 - z)).log() + z * nan_outside


def sinc(input):
    """``sinc(input)``: ``sin(pi x) / (pi x)``, 1 at 0 (with derivative 0 there).

    >>> rgrad.sinc(rgrad.tensor([0.0, 0.5]))
    tensor([1.0000, 0.6366])
    """
    x = _floating(input)
    zero = x == 0
    # a safe denominator in the unused branch keeps NaN out of the gradient at 0
    px = x.where(~zero, _rgrad.ones_like(x)) * math.pi
    return (px.sin() / px).where(~zero, _rgrad.ones_like(x))


def heaviside(input, values):
    """``heaviside(input, values)``: 0 where ``input < 0``, ``values`` where it is 0, 1
    where it is positive. Both must have one dtype; not differentiable (as in PyTorch).

    >>> rgrad.heaviside(rgrad.tensor([-1.0, 0.0, 2.0]), rgrad.tensor(0.5))
    tensor([0.0000, 0.5000, 1.0000])
    """
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x, v = input.detach(), values.detach()
    return (x > 0).to(x.dtype).where(x != 0, v)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """``isin(elements, test_elements, invert=False)``: whether each element occurs in
    ``test_elements`` (either may be a number).

    >>> rgrad.isin(rgrad.tensor([1, 2, 3, 4]), rgrad.tensor([2, 4]))
    tensor([False,  True, False,  True])
    """
    # a number is made on the other argument's device
    device = next((t.device for t in (elements, test_elements) if isinstance(t, Tensor)), None)
    el = elements if isinstance(elements, Tensor) else _rgrad.tensor(elements, device=device)
    te = test_elements if isinstance(test_elements, Tensor) else _rgrad.tensor(test_elements, device=device)
    if _rgrad.bool in (el.dtype, te.dtype):
        raise NotImplementedError("Unsupported input type encountered for isin(): Bool")
    te = te.detach().reshape(-1)
    if te.numel() == 0:
        found = _rgrad.zeros(el.shape, dtype=_rgrad.bool, device=el.device)
    else:
        dt = _rgrad.promote_types(el.dtype, te.dtype)
        ref = te.to(dt).sort().values
        x = el.detach().to(dt)
        at = _rgrad.searchsorted(ref, x.reshape(-1)).clamp_max(ref.numel() - 1)
        found = (ref[at] == x.reshape(-1)).reshape(el.shape)
    return ~found if invert else found


def dist(input, other, p=2):
    """``dist(input, other, p=2)``: the p-norm of ``input - other`` (broadcast).

    >>> rgrad.dist(rgrad.tensor([0.0, 0.0]), rgrad.tensor([3.0, 4.0]))
    tensor(5.)
    """
    return (input - other).norm(p)


def cdist(x1, x2, p=2.0, compute_mode=None):
    """``cdist(x1, x2, p=2)``: p-norm distances between the rows of ``x1`` (…, P, M) and
    ``x2`` (…, R, M), shape (…, P, R).

    >>> rgrad.cdist(rgrad.tensor([[0.0, 0.0], [1.0, 1.0]]), rgrad.tensor([[3.0, 4.0]]))
    tensor([[5.0000],
            [3.6056]])
    """
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {dtype_title(x.dtype)}")
        if x.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


def fill_diagonal_(self, fill_value, wrap=False):
    """``fill_diagonal_(fill_value, wrap=False)``: writes ``fill_value`` on the main diagonal
    (a 2-D tensor, or any rank with all dims equal); with ``wrap``, a tall matrix's diagonal
    restarts below every square block, as in NumPy.

    >>> rgrad.zeros(2, 3).fill_diagonal_(7.0)
    tensor([[7., 0., 0.],
            [0., 7., 0.]])
    """
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = self.numel()
    if n == 0:
        return self
    # flat (row-major) positions of the diagonal: a fixed step
    step = sum(math.prod(self.shape[d + 1:]) for d in range(self.dim()))
    count = min(self.shape) if not (wrap and self.dim() == 2) else (n - 1) // step + 1
    idx = _rgrad.arange(0, count * step, step, dtype=_rgrad.int64, device=self.device)
    return self.put_(idx, _rgrad.full((count,), fill_value, dtype=self.dtype, device=self.device))


def _method(fn, name):
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    m.__name__ = m.__qualname__ = name
    m.__doc__ = fn.__doc__
    return m


for _name in __all__:
    if _name not in ("cdist",):  # function only in PyTorch
        setattr(Tensor, _name, _method(globals()[_name], _name))
for _name in _METHODS_ONLY:
    setattr(Tensor, _name, _method(globals()[_name], _name))
del _name

# Functions this family adds to rgrad.linalg / rgrad.nn.functional (name -> callable).
LINALG = {"cross": linalg_cross}
FUNCTIONAL = {}
METHOD_FUNCTIONS = []
