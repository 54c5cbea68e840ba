"""``BatchNorm1d`` and ``BatchNorm2d``: batch statistics in training, running ones in eval."""

import rgrad
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _factory
from .module import Module


class _BatchNorm(Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        kw = _factory(device, dtype)
        if affine:
            self.weight = Parameter(rgrad.empty(num_features, **kw))
            self.bias = Parameter(rgrad.empty(num_features, **kw))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", rgrad.zeros(num_features, **kw))
            self.register_buffer("running_var", rgrad.ones(num_features, **kw))
            self.register_buffer("num_batches_tracked", rgrad.tensor(0, dtype=rgrad.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batches counted."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def forward(self, input):
        self._check_input_dim(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input.

    >>> bn = rgrad.nn.BatchNorm1d(2)
    >>> x = rgrad.tensor([[1.0, 10.0], [3.0, 30.0]])  # channel means 2 and 20
    >>> bn(x)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<...>)
    >>> bn.running_mean, bn.running_var  # moved 0.1 of the way to the batch's mean and unbiased variance
    (tensor([0.2000, 2.0000]), tensor([ 1.1000, 20.9000]))
    >>> bn.eval()(x)  # eval mode uses the running statistics
    tensor([[0.7628, 1.7499],
            [2.6697, 6.1247]], grad_fn=<...>)
    """

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input.

    >>> bn = rgrad.nn.BatchNorm2d(3)
    >>> bn(rgrad.arange(24.0).reshape(2, 3, 2, 2)).shape
    rgrad.Size([2, 3, 2, 2])
    >>> bn.running_mean
    tensor([0.7500, 1.1500, 1.5500])
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")
