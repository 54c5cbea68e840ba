"""Activation layers: each holds its options and calls the function of the same name in
``rgrad.nn.functional``."""

from .. import functional as F
from .module import Module


class ReLU(Module):
    """``max(x, 0)``.

    >>> rgrad.nn.ReLU()(rgrad.tensor([-1.0, 0.0, 2.0]))
    tensor([0., 0., 2.])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class ReLU6(Module):
    """``min(max(x, 0), 6)``.

    >>> rgrad.nn.ReLU6()(rgrad.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu6(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``x`` for x >= 0, ``negative_slope * x`` otherwise.

    >>> rgrad.nn.LeakyReLU(0.1)(rgrad.tensor([-2.0, 0.0, 2.0]))
    tensor([-0.2000,  0.0000,  2.0000])
    """

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise.

    >>> rgrad.nn.ELU()(rgrad.tensor([-1.0, 0.0, 2.0]))  # exp(-1) - 1 for -1
    tensor([-0.6321,  0.0000,  2.0000])
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(Module):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> rgrad.nn.CELU(alpha=2.0)(rgrad.tensor([-2.0, 0.0, 2.0]))  # 2 * (exp(-1) - 1) for -2
    tensor([-1.2642,  0.0000,  2.0000])
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(Module):
    """Scaled ELU with PyTorch's self-normalising constants.

    >>> rgrad.nn.SELU()(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-1.1113,  0.0000,  1.0507])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.selu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class GELU(Module):
    """``x * Phi(x)``; ``approximate='tanh'`` uses the tanh formula.

    >>> rgrad.nn.GELU()(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    >>> rgrad.nn.GELU(approximate="tanh")(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1588,  0.0000,  0.8412])
    """

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)`` (swish).

    >>> rgrad.nn.SiLU()(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.2689,  0.0000,  0.7311])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Mish(Module):
    """``x * tanh(softplus(x))``.

    >>> rgrad.nn.Mish()(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.3034,  0.0000,  0.8651])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``.

    >>> rgrad.nn.Sigmoid()(rgrad.tensor([-2.0, 0.0, 2.0]))
    tensor([0.1192, 0.5000, 0.8808])
    """

    def forward(self, input):
        return input.sigmoid()


class Tanh(Module):
    """``tanh(x)``.

    >>> rgrad.nn.Tanh()(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.7616,  0.0000,  0.7616])
    """

    def forward(self, input):
        return input.tanh()


class Hardtanh(Module):
    """``clamp(x, min_val, max_val)``.

    >>> rgrad.nn.Hardtanh()(rgrad.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    >>> rgrad.nn.Hardtanh(0.0, 6.0)(rgrad.tensor([-2.0, 0.5, 8.0]))
    tensor([0.0000, 0.5000, 6.0000])
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if max_val <= min_val:
            raise ValueError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, linear above ``threshold``.

    >>> rgrad.nn.Softplus()(rgrad.tensor([-1.0, 0.0, 30.0]))  # log(2) at 0; linear above 20
    tensor([ 0.3133,  0.6931, 30.0000])
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """``softmax`` along ``dim``.

    >>> rgrad.nn.Softmax(dim=1)(rgrad.tensor([[0.0, 0.0], [0.0, 2.0]]))
    tensor([[0.5000, 0.5000],
            [0.1192, 0.8808]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``log_softmax`` along ``dim``.

    >>> rgrad.nn.LogSoftmax(dim=1)(rgrad.tensor([[0.0, 0.0], [0.0, 2.0]]))
    tensor([[-0.6931, -0.6931],
            [-2.1269, -0.1269]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(Module):
    """``softmax(-x)`` along ``dim``.

    >>> rgrad.nn.Softmin(dim=1)(rgrad.tensor([[0.0, 0.0], [0.0, 2.0]]))
    tensor([[0.5000, 0.5000],
            [0.8808, 0.1192]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Hardsigmoid(Module):
    """``clamp(x / 6 + 1/2, 0, 1)``.

    >>> rgrad.nn.Hardsigmoid()(rgrad.tensor([-4.0, 0.0, 1.5, 4.0]))
    tensor([0.0000, 0.5000, 0.7500, 1.0000])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """``x * hardsigmoid(x)``.

    >>> rgrad.nn.Hardswish()(rgrad.tensor([-4.0, 0.0, 1.5, 4.0]))
    tensor([0.0000, 0.0000, 1.1250, 4.0000])
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class LogSigmoid(Module):
    """``log(sigmoid(x))``.

    >>> rgrad.nn.LogSigmoid()(rgrad.tensor([0.0, 2.0]))  # log(1/2), -log(1 + exp(-2))
    tensor([-0.6931, -0.1269])
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``.

    >>> rgrad.nn.Softsign()(rgrad.tensor([-3.0, 0.0, 1.0]))
    tensor([-0.7500,  0.0000,  0.5000])
    """

    def forward(self, input):
        return F.softsign(input)


class GLU(Module):
    """First half of ``dim`` times the sigmoid of the second half.

    >>> rgrad.nn.GLU()(rgrad.tensor([[1.0, 2.0, 0.0, 0.0]]))  # [1, 2] * sigmoid([0, 0])
    tensor([[0.5000, 1.0000]])
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``.

    >>> rgrad.nn.Threshold(0.5, -1.0)(rgrad.tensor([0.0, 0.5, 2.0]))
    tensor([-1., -1.,  2.])
    """

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")
