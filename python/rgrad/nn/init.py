"""Parameter initialisation (as ``torch.nn.init``): each function fills a tensor in place
without recording gradients and returns it. ``generator=`` takes an ``rgrad.Generator``."""

import math
import warnings

import numpy as np

import rgrad

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
          "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0),
          "selu": 3.0 / 4}


class _no_grad:
    def __enter__(self):
        self.prev = rgrad.is_grad_enabled()
        rgrad._set_grad_enabled(False)

    def __exit__(self, *exc):
        rgrad._set_grad_enabled(self.prev)


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (``'relu'``: sqrt(2), ``'tanh'``: 5/3,
    ``'leaky_relu'``: sqrt(2 / (1 + slope**2)), ``'selu'``: 3/4, linear and convs: 1).

    >>> rgrad.nn.init.calculate_gain("relu")
    1.4142135623730951
    >>> rgrad.nn.init.calculate_gain("tanh")
    1.6666666666666667
    >>> rgrad.nn.init.calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    if nonlinearity in _GAINS:
        return _GAINS[nonlinearity]
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    dimensions = tensor.dim()
    if dimensions < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fills ``tensor`` with values drawn from U(a, b).

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.uniform_(rgrad.empty(1000), a=-0.5, b=0.5)
    >>> bool(((w >= -0.5) & (w < 0.5)).all())
    True
    """
    with _no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fills ``tensor`` with values drawn from N(mean, std**2).

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.normal_(rgrad.empty(10000), mean=3.0, std=0.5)
    >>> round(w.mean().item(), 1), round(w.std().item(), 1)
    (3.0, 0.5)
    """
    with _no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fills ``tensor`` from N(mean, std**2) truncated to [a, b] (inverse-CDF sampling, as
    PyTorch: uniform in [cdf(a), cdf(b)], then erfinv).

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.trunc_normal_(rgrad.empty(1000), std=1.0, a=-1.0, b=1.0)
    >>> bool(((w >= -1.0) & (w <= 1.0)).all())
    True
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.",
                      stacklevel=2)

    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    with _no_grad():
        lo, hi = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
        u = rgrad.empty(tuple(tensor.shape), dtype=rgrad.float64, device=tensor.device).uniform_(2 * lo - 1, 2 * hi - 1, generator=generator)
        # erfinv by Newton steps on erf (rgrad has erf, not erfinv), from a rational start
        x = _erfinv(u)
        x = (x * (std * math.sqrt(2.0)) + mean).clamp(a, b)
        return tensor.copy_(x)


def _erfinv(y):
    """erf^-1 of float64 ``y`` in (-1, 1): Giles' single-precision start, then Newton steps."""
    w = -((1 - y) * (1 + y)).clamp_min(1e-300).log()
    small = w < 5.0
    ws = w - 2.5
    p_small = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
              0.246640727, 1.50140941):
        p_small = p_small * ws + c
    wl = w.sqrt() - 3.0
    p_large = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
              1.00167406, 2.83297682):
        p_large = p_large * wl + c
    x = rgrad.where(small, p_small, p_large) * y
    two_over_sqrt_pi = 2.0 / math.sqrt(math.pi)
    for _ in range(3):
        err = x.erf() - y
        x = x - err / (two_over_sqrt_pi * (-(x * x)).exp())
    return x


def constant_(tensor, val):
    """Fills ``tensor`` with ``val``.

    >>> rgrad.nn.init.constant_(rgrad.empty(2, 3), 0.5)
    tensor([[0.5000, 0.5000, 0.5000],
            [0.5000, 0.5000, 0.5000]])
    """
    with _no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fills ``tensor`` with ones.

    >>> rgrad.nn.init.ones_(rgrad.empty(2, 3))
    tensor([[1., 1., 1.],
            [1., 1., 1.]])
    """
    return constant_(tensor, 1.0)


def zeros_(tensor):
    """Fills ``tensor`` with zeros.

    >>> layer = rgrad.nn.Linear(3, 2)
    >>> rgrad.nn.init.zeros_(layer.bias)
    Parameter containing:
    tensor([0., 0.])
    """
    with _no_grad():
        return tensor.zero_()


def eye_(tensor):
    """Fills a 2-D ``tensor`` with the identity matrix (ones on the diagonal).

    >>> rgrad.nn.init.eye_(rgrad.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with _no_grad():
        return tensor.copy_(rgrad.eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))


def dirac_(tensor, groups=1):
    """Fills a 3-, 4- or 5-D ``tensor`` with the Dirac delta (convolutions that keep their input).

    >>> w = rgrad.nn.init.dirac_(rgrad.empty(2, 2, 3))  # a Conv1d weight that passes its input through
    >>> w[:, :, 1]
    tensor([[1., 0.],
            [0., 1.]])
    >>> rgrad.nn.functional.conv1d(rgrad.tensor([[[1.0, 2.0], [3.0, 4.0]]]), w, padding=1)
    tensor([[[1., 2.],
             [3., 4.]]])
    """
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tensor.shape
    if sizes[0] % groups:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = sizes[0] // groups
    min_dim = min(out_per_group, sizes[1])
    with _no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min_dim):
                idx = (g * out_per_group + d, d) + tuple(s // 2 for s in sizes[2:])
                tensor[idx] = 1
    return tensor


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.xavier_uniform_(rgrad.empty(30, 20))  # U(-b, b), b = sqrt(6 / (20 + 30))
    >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
    True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.xavier_normal_(rgrad.empty(300, 200))  # N(0, 2 / (200 + 300))
    >>> round(w.std().item(), 2)
    0.06
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)`` (PyTorch's default for Linear
    and Conv weights, with ``a = sqrt(5)``).

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.kaiming_uniform_(rgrad.empty(16, 24), nonlinearity="relu")  # U(-b, b), b = sqrt(6 / 24)
    >>> bool(w.abs().max() <= 0.5)
    True
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan)``.

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.kaiming_normal_(rgrad.empty(400, 200), nonlinearity="relu")  # N(0, 2 / 200)
    >>> round(w.std().item(), 2)
    0.1
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    """Fills ``tensor`` (at least 2-D, flattened to rows x cols) with a (semi-)orthogonal
    matrix: the Q of a QR of a normal matrix, sign-corrected so it is uniformly distributed.

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.orthogonal_(rgrad.empty(3, 5))
    >>> rgrad.allclose(w @ w.T, rgrad.eye(3), atol=1e-5)
    True
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = rgrad.empty(rows, cols, dtype=rgrad.float64, device="cpu").normal_(0.0, 1.0, generator=generator).numpy()
    if rows < cols:
        flat = flat.T
    # QR through NumPy (rgrad's dependency; rgrad has no qr yet), R's diagonal made positive
    # so that Q is uniformly distributed, as PyTorch does
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with _no_grad():
        return tensor.copy_(rgrad.tensor(np.ascontiguousarray(q) * gain, device=tensor.device).reshape(tuple(tensor.shape)))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fills a 2-D ``tensor`` from N(0, std**2) with a fraction ``sparsity`` of each column zeroed.

    >>> _ = rgrad.manual_seed(0)
    >>> w = rgrad.nn.init.sparse_(rgrad.empty(10, 4), sparsity=0.3)
    >>> (w == 0).sum(dim=0)  # ceil(0.3 * 10) zeros in each column
    tensor([3, 3, 3, 3])
    """
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = int(math.ceil(sparsity * rows))
    with _no_grad():
        tensor.normal_(0, std, generator=generator)
        for c in range(cols):
            idx = rgrad.randperm(rows, generator=generator)[:num_zeros]
            tensor[idx, c] = 0
    return tensor


# PyTorch's deprecated aliases without the trailing underscore
uniform = uniform_
normal = normal_
constant = constant_
xavier_uniform = xavier_uniform_
xavier_normal = xavier_normal_
kaiming_uniform = kaiming_uniform_
kaiming_normal = kaiming_normal_
orthogonal = orthogonal_
