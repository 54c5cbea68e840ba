"""``Identity``, ``Linear`` and ``Bilinear``."""

import math

import rgrad
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def _factory(device, dtype):
    """The ``device=`` / ``dtype=`` keywords every layer takes, for ``rgrad.empty``."""
    kw = {}
    if dtype is not None:
        kw["dtype"] = dtype
    if device is not None:
        kw["device"] = device
    return kw


class Identity(Module):
    """Returns its input (any constructor arguments are ignored, as in PyTorch).

    >>> rgrad.nn.Identity(54, unused="ignored")(rgrad.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``, weight (out_features, in_features).

    Initialised as PyTorch: weight ~ kaiming_uniform(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)),
    and bias ~ U(-1/sqrt(in), 1/sqrt(in)).

    >>> layer = rgrad.nn.Linear(3, 2)
    >>> layer.weight.shape, layer.bias.shape
    (rgrad.Size([2, 3]), rgrad.Size([2]))
    >>> layer(rgrad.ones(4, 3)).shape
    rgrad.Size([4, 2])
    >>> with rgrad.no_grad():
    ...     _ = layer.weight.fill_(1.0)
    ...     _ = layer.bias.fill_(0.5)
    >>> layer(rgrad.tensor([[1.0, 2.0, 3.0]]))
    tensor([[6.5000, 6.5000]], grad_fn=<AddmmBackward0>)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        kw = _factory(device, dtype)
        self.weight = Parameter(rgrad.empty(out_features, in_features, **kw))
        if bias:
            self.bias = Parameter(rgrad.empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draws the weight and bias again from PyTorch's default distributions."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y = x1^T A x2 + b``, weight (out_features, in1_features, in2_features); weight and
    bias ~ U(-1/sqrt(in1), 1/sqrt(in1)).

    >>> m = rgrad.nn.Bilinear(3, 4, 2)
    >>> m.weight.shape
    rgrad.Size([2, 3, 4])
    >>> m(rgrad.ones(5, 3), rgrad.ones(5, 4)).shape
    rgrad.Size([5, 2])
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        kw = _factory(device, dtype)
        self.weight = Parameter(rgrad.empty(out_features, in1_features, in2_features, **kw))
        if bias:
            self.bias = Parameter(rgrad.empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
