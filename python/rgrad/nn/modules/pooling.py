"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d``."""

from .. import functional as F
from .module import Module


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """The maximum of each window of (N, C, H, W) input.

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> rgrad.nn.MaxPool2d(2)(x)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    >>> rgrad.nn.MaxPool2d(3, stride=1, padding=1)(x).shape
    rgrad.Size([1, 1, 4, 4])
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


class MaxPool1d(_MaxPoolNd):
    """The maximum of each window of (N, C, L) input.

    >>> rgrad.nn.MaxPool1d(2)(rgrad.tensor([[[1.0, 5.0, 2.0, 0.0, 7.0]]]))
    tensor([[[5., 2.]]])
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, ceil_mode=self.ceil_mode,
                            return_indices=self.return_indices)


class _AvgPoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """The mean of each window of (N, C, H, W) input.

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> rgrad.nn.AvgPool2d(2)(x)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)


class AvgPool1d(_AvgPoolNd):
    """The mean of each window of (N, C, L) input.

    >>> rgrad.nn.AvgPool1d(2)(rgrad.tensor([[[1.0, 5.0, 2.0, 0.0, 7.0]]]))
    tensor([[[3., 1.]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = kernel_size if isinstance(kernel_size, tuple) else (kernel_size,)
        self.stride = (stride if isinstance(stride, tuple) else (stride,)) if stride is not None else self.kernel_size
        self.padding = padding if isinstance(padding, tuple) else (padding,)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """Average pooling of (N, C, H, W) input to a fixed output size.

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> rgrad.nn.AdaptiveAvgPool2d((1, 2))(x)
    tensor([[[[6.5000, 8.5000]]]])
    >>> rgrad.nn.AdaptiveAvgPool2d(1)(rgrad.zeros(8, 3, 7, 5)).shape  # global average pooling
    rgrad.Size([8, 3, 1, 1])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(Module):
    """Average pooling of (N, C, L) input to a fixed output length.

    >>> rgrad.nn.AdaptiveAvgPool1d(2)(rgrad.tensor([[[1.0, 3.0, 5.0, 7.0]]]))
    tensor([[[2., 6.]]])
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
