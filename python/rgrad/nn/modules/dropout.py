"""Dropout layers: active in training mode, the identity in eval mode."""

from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``.

    >>> _ = rgrad.manual_seed(0)
    >>> drop = rgrad.nn.Dropout(p=0.5)
    >>> y = drop(rgrad.ones(1000))
    >>> sorted(set(y.tolist()))  # zeroed, or scaled by 1 / (1 - p)
    [0.0, 2.0]
    >>> drop.eval()(rgrad.ones(3))  # the identity in eval mode
    tensor([1., 1., 1.])
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of (N, C, L) input.

    >>> _ = rgrad.manual_seed(0)
    >>> y = rgrad.nn.Dropout1d(p=0.5)(rgrad.ones(1, 8, 3))
    >>> sorted(set(y.sum(dim=2).flatten().tolist()))  # whole channels are zeroed, the rest scaled by 2
    [0.0, 6.0]
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of (N, C, H, W) input.

    >>> _ = rgrad.manual_seed(0)
    >>> y = rgrad.nn.Dropout2d(p=0.5)(rgrad.ones(1, 8, 2, 2))
    >>> sorted(set(y.sum(dim=(2, 3)).flatten().tolist()))  # whole channels are zeroed, the rest scaled by 2
    [0.0, 8.0]
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps SELU's self-normalising mean and variance.

    >>> drop = rgrad.nn.AlphaDropout(p=0.2)
    >>> drop(rgrad.zeros(1000)).shape
    rgrad.Size([1000])
    >>> drop.eval()(rgrad.tensor([1.0, -1.0]))  # the identity in eval mode
    tensor([ 1., -1.])
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)
