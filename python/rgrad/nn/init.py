"""Parameter initialisation (as ``torch.nn.init``); all run without recording gradients."""

import math

from .. import _rgrad


def _fill_from(t, values):
    with _no_grad():
        t.copy_(values)
    return t


class _no_grad:
    def __enter__(self):
        self.prev = _rgrad.is_grad_enabled()
        _rgrad._set_grad_enabled(False)

    def __exit__(self, *exc):
        _rgrad._set_grad_enabled(self.prev)


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fills ``tensor`` with values drawn from U(a, b)."""
    return _fill_from(tensor, _rgrad.rand(*tensor.shape, generator=generator, dtype=tensor.dtype, device=tensor.device) * (b - a) + a)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fills ``tensor`` with values drawn from N(mean, std^2)."""
    return _fill_from(tensor, _rgrad.randn(*tensor.shape, generator=generator, dtype=tensor.dtype, device=tensor.device) * std + mean)


def zeros_(tensor):
    """Fills ``tensor`` with zeros."""
    with _no_grad():
        return tensor.zero_()


def ones_(tensor):
    """Fills ``tensor`` with ones."""
    with _no_grad():
        return tensor.fill_(1.0)


def constant_(tensor, val):
    """Fills ``tensor`` with ``val``."""
    with _no_grad():
        return tensor.fill_(val)


def _fan_in_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform initialisation."""
    fan_in, fan_out = _fan_in_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform initialisation (PyTorch's default for Linear weights uses a=sqrt(5))."""
    fan_in, fan_out = _fan_in_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = math.sqrt(2.0 / (1 + a * a)) if nonlinearity == "leaky_relu" else math.sqrt(2.0)
    bound = gain * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound, generator)
