"""Convolutions of ``rgrad.nn.functional``: ``conv1d``, ``conv2d``, ``conv_transpose1d``,
``conv_transpose2d``, ``unfold`` (im2col) and ``fold`` (col2im).

A convolution is im2col + one matrix product: the input's windows laid out as columns
(``unfold``) times the weight as a matrix. Transposed convolution is the same product read
backwards, with ``fold`` adding the overlapping windows back into an image.
"""

import rgrad
from ..._messages import dtype_title


def _pair(v, n, name="kernel_size"):
    if isinstance(v, int):
        return (v,) * n
    v = tuple(int(x) for x in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the convolution dimensions, but got {name}={list(v)}")
    return v


def _same_padding(kernel, dilation):
    """(before, after) per dim for ``padding='same'``: PyTorch puts the odd extra after."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def _check_window(kernel, dilation, padding, stride):
    """Negative sizes are refused here (the kernels take unsigned sizes)."""
    for name, v in (("kernel_size", kernel), ("dilation", dilation), ("padding", padding), ("stride", stride)):
        if any(x < 0 for x in v):
            raise RuntimeError(f"{name} must be non-negative, but got {name}={list(v)}")


def _windows(x, kernel, dilation, stride):
    """(N, C, OH, OW, kh, kw) strided view of the windows of padded (N, C, H, W) ``x``."""
    (kh, kw), (dh, dw), (sh, sw) = kernel, dilation, stride
    w = x.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)
    if dh > 1 or dw > 1:
        w = w[..., ::dh, ::dw]
    return w


def _check_conv(input, weight, bias, groups, stride, dilation, name, nd, transposed=False):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input of size: {list(input.shape)}")
    if weight.dim() != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight.dim() < 3 else
                           f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input {list(input.shape)}, but got "
                           f"{weight.dim()}-dimensional weight of size {list(weight.shape)} instead")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype_title(input.dtype)}\'')
    if weight.dtype != input.dtype or (bias is not None and bias.dtype != input.dtype):
        other = weight if weight.dtype != input.dtype else bias
        raise RuntimeError(f"Input type ({dtype_title(input.dtype)}) and {'weight' if other is weight else 'bias'} type "
                           f"({dtype_title(other.dtype)}) should be the same")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    c = input.shape[-nd - 1]
    if transposed:
        if c != weight.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
                               f"{weight.shape[0]} channels, but got {c} channels instead")
        out_channels = weight.shape[1] * groups
    else:
        if weight.shape[0] % groups:
            raise RuntimeError("Given groups=%d, expected weight to be divisible by %d at dimension 0, but got weight of size %s instead"
                               % (groups, groups, list(weight.shape)))
        if c != weight.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} to have "
                               f"{weight.shape[1] * groups} channels, but got {c} channels instead")
        out_channels = weight.shape[0]
    if bias is not None and (bias.dim() != 1 or bias.numel() != out_channels):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with {out_channels} "
                           f"elements, but got bias of size {list(bias.shape)} instead")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)``:
    2-D cross-correlation of (N, C, H, W) or (C, H, W) input with (OC, C / groups, kh, kw)
    weight; ``padding`` may be an int, a pair, ``'valid'`` or ``'same'``.

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = rgrad.ones(1, 1, 2, 2)  # sums 2 x 2 windows
    >>> rgrad.nn.functional.conv2d(x, w, stride=2)
    tensor([[[[10., 18.],
              [42., 50.]]]])
    >>> rgrad.nn.functional.conv2d(x, w, padding=1).shape
    rgrad.Size([1, 1, 5, 5])
    """
    stride, dilation = _pair(stride, 2, "stride"), _pair(dilation, 2, "dilation")
    _check_conv(input, weight, bias, groups, stride, dilation, "conv2d", 2)
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0), (0, 0))
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = tuple(_same_padding(kernel, dilation))
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        ph, pw = _pair(padding, 2, "padding")
        if ph < 0 or pw < 0:
            raise RuntimeError("negative padding is not supported")
        pads = ((ph, ph), (pw, pw))
    n, c, h, w = x.shape
    hp, wp = h + sum(pads[0]), w + sum(pads[1])
    eff = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    if hp < eff[0] or wp < eff[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({hp} x {wp}). Kernel size: ({eff[0]} x {eff[1]}). "
                           "Kernel size can't be greater than actual input size")
    (top, bottom), (left, right) = pads
    if bottom != top or right != left:
        # 'same' with an even kernel: the extra row / column goes after, as in PyTorch
        from .misc import pad

        x = pad(x, (0, right - left, 0, bottom - top))
    out = _conv2d_im2col(x, weight, bias, stride, (top, left), dilation, groups)
    return out.squeeze(0) if unbatched else out


def _conv2d_im2col(x, weight, bias, stride, padding, dilation, groups):
    """Convolution as im2col (a Rust op, col2im its backward) + one batched matrix product."""
    n = x.shape[0]
    oc, cg, kh, kw = weight.shape
    cols = rgrad._rgrad._im2col(x, (kh, kw), tuple(dilation), tuple(padding), tuple(stride))  # (N, C*kh*kw, L)
    oh = (x.shape[2] + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (x.shape[3] + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    if groups == 1:
        out = weight.reshape(oc, cg * kh * kw).matmul(cols)  # (N, OC, L)
    else:
        cols = cols.reshape(n, groups, cg * kh * kw, oh * ow)
        out = weight.reshape(groups, oc // groups, cg * kh * kw).matmul(cols)  # (N, G, OC/G, L)
    out = out.reshape(n, oc, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, oc, 1, 1)
    return out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """``conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)``:
    1-D cross-correlation of (N, C, L) or (C, L) input with (OC, C / groups, k) weight.

    >>> x = rgrad.tensor([[[1.0, 2.0, 3.0, 4.0]]])
    >>> rgrad.nn.functional.conv1d(x, rgrad.tensor([[[1.0, -1.0]]]))  # x[i] - x[i + 1]
    tensor([[[-1., -1., -1.]]])
    >>> rgrad.nn.functional.conv1d(x, rgrad.ones(1, 1, 3), padding=1)
    tensor([[[3., 6., 9., 7.]]])
    """
    stride, dilation = _pair(stride, 1, "stride"), _pair(dilation, 1, "dilation")
    _check_conv(input, weight, bias, groups, stride, dilation, "conv1d", 1)
    if isinstance(padding, str):
        pad2 = padding
    else:
        pad2 = (0, _pair(padding, 1, "padding")[0])
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, stride[0]), pad2, (1, dilation[0]), groups)
    return out.squeeze(-2)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """``unfold(input, kernel_size, dilation=1, padding=0, stride=1)`` (im2col): the sliding
    windows of (N, C, H, W) input as columns, (N, C * kh * kw, L).

    >>> x = rgrad.arange(9.0).reshape(1, 1, 3, 3)
    >>> rgrad.nn.functional.unfold(x, kernel_size=2)  # four 2x2 windows, one per column
    tensor([[[0., 1., 3., 4.],
             [1., 2., 4., 5.],
             [3., 4., 6., 7.],
             [4., 5., 7., 8.]]])
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    kernel = _pair(kernel_size, 2)
    dilation, stride = _pair(dilation, 2, "dilation"), _pair(stride, 2, "stride")
    ph, pw = _pair(padding, 2, "padding")
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    _check_window(kernel, dilation, (ph, pw), stride)
    cols = rgrad._rgrad._im2col(x, tuple(kernel), tuple(dilation), (ph, pw), tuple(stride))
    return cols.squeeze(0) if unbatched else cols


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """``fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1)`` (col2im):
    adds columns (N, C * kh * kw, L) back into (N, C, H, W), overlapping windows summed.

    >>> cols = rgrad.ones(1, 4, 4)  # four 2x2 windows of ones
    >>> rgrad.nn.functional.fold(cols, output_size=(3, 3), kernel_size=2)  # windows per pixel
    tensor([[[[1., 2., 1.],
              [2., 4., 2.],
              [1., 2., 1.]]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {input.dim()}D)")
    out_hw = _pair(output_size, 2, "output_size")
    kernel = _pair(kernel_size, 2)
    dilation, stride = _pair(dilation, 2, "dilation"), _pair(stride, 2, "stride")
    ph, pw = _pair(padding, 2, "padding")
    unbatched = input.dim() == 2
    cols = input.unsqueeze(0) if unbatched else input
    _check_window(kernel, dilation, (ph, pw), stride)
    if any(v < 0 for v in out_hw):
        raise RuntimeError(f"output_size must be non-negative, got {list(out_hw)}")
    out = rgrad._rgrad._col2im(cols, tuple(out_hw), tuple(kernel), tuple(dilation), (ph, pw), tuple(stride))
    return out.squeeze(0) if unbatched else out


def _output_padding(output_padding, stride, dilation, nd):
    op = _pair(output_padding, nd, "output_padding")
    for o, s, d in zip(op, stride, dilation):
        if o >= s and o >= d:
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got output_padding={list(op)}, "
                               f"stride={list(stride)}, dilation={list(dilation)}")
    return op


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """``conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
    groups=1, dilation=1)``: the gradient of conv2d with respect to its input, as a layer;
    weight is (C, OC / groups, kh, kw) and each side of the output is
    ``(H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.

    >>> x = rgrad.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> rgrad.nn.functional.conv_transpose2d(x, rgrad.ones(1, 1, 2, 2))
    tensor([[[[ 1.,  3.,  2.],
              [ 4., 10.,  6.],
              [ 3.,  7.,  4.]]]])
    >>> rgrad.nn.functional.conv_transpose2d(x, rgrad.ones(1, 1, 2, 2), stride=2).shape
    rgrad.Size([1, 1, 4, 4])
    """
    stride, dilation = _pair(stride, 2, "stride"), _pair(dilation, 2, "dilation")
    _check_conv(input, weight, bias, groups, stride, dilation, "conv_transpose2d", 2, transposed=True)
    if isinstance(padding, str):
        raise RuntimeError("conv_transpose2d: padding must be an int or a tuple of ints, not a string")
    padding = _pair(padding, 2, "padding")
    op = _output_padding(output_padding, stride, dilation, 2)
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    n, c, h, w = x.shape
    _, ocg, kh, kw = weight.shape
    oc = ocg * groups
    out_h = (h - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + op[0] + 1
    out_w = (w - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + op[1] + 1
    if out_h <= 0 or out_w <= 0:
        raise RuntimeError(f"Given input size per channel: ({h} x {w}). Calculated output size per channel: ({out_h} x {out_w}). Output size is too small")
    cg = c // groups
    xm = x.reshape(n, groups, cg, h * w)
    wm = weight.reshape(groups, cg, ocg * kh * kw).transpose(1, 2)  # (G, OC/G*kh*kw, C/G)
    cols = wm.matmul(xm).reshape(n, oc * kh * kw, h * w)
    # col2im into the output (its padding crops the border; output_padding is in out_h/out_w)
    out = rgrad._rgrad._col2im(cols, (out_h, out_w), (kh, kw), tuple(dilation), tuple(padding), tuple(stride))
    if bias is not None:
        out = out + bias.reshape(1, oc, 1, 1)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """``conv_transpose1d(...)``: the 1-D transposed convolution (conv_transpose2d over a
    height of 1).

    >>> x = rgrad.tensor([[[1.0, 2.0, 3.0]]])
    >>> rgrad.nn.functional.conv_transpose1d(x, rgrad.ones(1, 1, 2))
    tensor([[[1., 3., 5., 3.]]])
    >>> rgrad.nn.functional.conv_transpose1d(x, rgrad.ones(1, 1, 2), stride=2)
    tensor([[[1., 1., 2., 2., 3., 3.]]])
    """
    s, p = _pair(stride, 1, "stride")[0], _pair(padding, 1, "padding")[0]
    op, d = _pair(output_padding, 1, "output_padding")[0], _pair(dilation, 1, "dilation")[0]
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv_transpose1d, but got input of size: {list(input.shape)}")
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, s), (0, p), (0, op), groups, (1, d))
    return out.squeeze(-2)
