"""``LayerNorm``, ``RMSNorm`` and ``GroupNorm``."""

import rgrad
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _factory
from .module import Module


def _shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(normalized_shape)


class LayerNorm(Module):
    """Normalises over the last ``len(normalized_shape)`` dims; with ``elementwise_affine``
    a learnt weight (ones) and, unless ``bias=False``, bias (zeros).

    >>> norm = rgrad.nn.LayerNorm(4)
    >>> norm(rgrad.tensor([[1.0, 1.0, 3.0, 3.0]]))
    tensor([[-1.0000, -1.0000,  1.0000,  1.0000]],
           grad_fn=<NativeLayerNormBackward0>)
    >>> norm.weight, norm.bias
    (Parameter containing:
    tensor([1., 1., 1., 1.]), Parameter containing:
    tensor([0., 0., 0., 0.]))
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        kw = _factory(device, dtype)
        if elementwise_affine:
            self.weight = Parameter(rgrad.empty(self.normalized_shape, **kw))
            if bias:
                self.bias = Parameter(rgrad.empty(self.normalized_shape, **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class RMSNorm(Module):
    """``x / sqrt(mean(x**2) + eps)`` over the last dims, times a learnt weight (ones).

    >>> norm = rgrad.nn.RMSNorm(4)
    >>> norm(rgrad.tensor([[2.0, 2.0, -2.0, -2.0]]))  # root mean square 2
    tensor([[ 1.,  1., -1., -1.]], grad_fn=<...>)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(rgrad.empty(self.normalized_shape, **_factory(device, dtype)))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalises ``num_groups`` groups of channels, then a per-channel affine (ones, zeros).

    >>> gn = rgrad.nn.GroupNorm(2, 4)  # two groups of two channels
    >>> gn(rgrad.tensor([[1.0, 3.0, 10.0, 30.0]]))
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]], grad_fn=<...>)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        kw = _factory(device, dtype)
        if affine:
            self.weight = Parameter(rgrad.empty(num_channels, **kw))
            self.bias = Parameter(rgrad.empty(num_channels, **kw))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
