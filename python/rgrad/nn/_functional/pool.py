"""Pooling and resampling of ``rgrad.nn.functional``: ``max_pool1d/2d``, ``avg_pool1d/2d``,
``adaptive_avg_pool1d/2d`` and ``interpolate`` (nearest, linear, bilinear)."""

import math

import rgrad
from ..._messages import dtype_title
from .conv import _pair, _windows


def _pool_out(size, k, s, p, d, ceil_mode):
    """Output length of a pooling window sweep (PyTorch's pooling_output_shape)."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    # with ceil_mode the last window must start inside the input or its left padding
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_args(input, kernel_size, stride, padding, dilation, name):
    if input.dim() not in (3, 4):
        raise RuntimeError(f"non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _pair(kernel_size, 2)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _pair(stride, 2, "stride")
    p = _pair(padding, 2, "padding")
    d = _pair(dilation, 2, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}: kernel_size must be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{name}: stride must be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{name}: dilation must be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[0] if p[0] > k[0] // 2 else p[1]}, "
                           f"kernel_size={k[0] if p[0] > k[0] // 2 else k[1]} and dilation={d[0] if p[0] > k[0] // 2 else d[1]}")
    return k, s, p, d


def _padded_windows(x, k, s, p, d, oh, ow, fill):
    """(N, C, OH, OW, kh, kw) windows of ``x`` padded with ``fill`` so that every window of
    the OH x OW sweep (ceil_mode's last one too) lies inside."""
    h, w = x.shape[-2:]
    need_h = (oh - 1) * s[0] + d[0] * (k[0] - 1) + 1
    need_w = (ow - 1) * s[1] + d[1] * (k[1] - 1) + 1
    extra_h, extra_w = max(need_h - h - p[0], 0), max(need_w - w - p[1], 0)
    if p[0] or p[1] or extra_h or extra_w:
        from .misc import pad

        x = pad(x, (p[1], extra_w, p[0], extra_h), value=fill)
    return _windows(x, k, d, s)[:, :, :oh, :ow]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """``max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
    return_indices=False)``: the maximum of each window (stride defaults to the kernel size);
    with ``return_indices`` also each maximum's flat index into its input plane (what
    ``max_unpool2d`` takes). Padding counts as -inf.

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> rgrad.nn.functional.max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    >>> rgrad.nn.functional.max_pool2d(x, 3, stride=1).shape
    rgrad.Size([1, 1, 2, 2])
    """
    k, s, p, d = _pool_args(input, kernel_size, stride, padding, dilation, "max_pool2d")
    if not input.dtype.is_floating_point and input.dtype not in (rgrad.int32, rgrad.int64):
        raise RuntimeError(f'"max_pool2d" not implemented for \'{dtype_title(input.dtype)}\'')
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    n, c, h, w = x.shape
    oh, ow = _pool_out(h, k[0], s[0], p[0], d[0], ceil_mode), _pool_out(w, k[1], s[1], p[1], d[1], ceil_mode)
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). Output size is too small")
    values, idx = rgrad._rgrad._max_pool2d(x, k, s, p, d, bool(ceil_mode))
    if unbatched:
        values, idx = values.squeeze(0), idx.squeeze(0)
    return (values, idx) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """``max_pool1d(...)``: max pooling over the last dim of (N, C, L) or (C, L) input.

    >>> rgrad.nn.functional.max_pool1d(rgrad.tensor([[[1.0, 5.0, 2.0, 0.0, 7.0]]]), 2)
    tensor([[[5., 2.]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    k = _pair(kernel_size, 1)[0]
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _pair(stride, 1, "stride")[0]
    out = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, _pair(padding, 1, "padding")[0]),
                     (1, _pair(dilation, 1, "dilation")[0]), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def _avg_divisor(size, k, s, p, out, count_include_pad):
    """Per output position along one dim: how many elements its window averages over."""
    div = []
    for i in range(out):
        start = i * s - p
        end = min(start + k, size + p)
        pool = end - start
        start, end = max(start, 0), min(end, size)
        div.append(pool if count_include_pad else end - start)
    return div


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    """``avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)``: the mean of each window (zero padding
    counted in the divisor unless ``count_include_pad=False``).

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> rgrad.nn.functional.avg_pool2d(x, 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    k, s, p, _ = _pool_args(input, kernel_size, stride, padding, 1, "avg_pool2d")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"avg_pool2d" not implemented for \'{dtype_title(input.dtype)}\'')
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    n, c, h, w = x.shape
    oh, ow = _pool_out(h, k[0], s[0], p[0], 1, ceil_mode), _pool_out(w, k[1], s[1], p[1], 1, ceil_mode)
    if oh <= 0 or ow <= 0:
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). Output size is too small")
    total = _padded_windows(x, k, s, p, (1, 1), oh, ow, 0.0).sum((-2, -1))
    if divisor_override is not None:
        out = total / divisor_override
    else:
        dh = _avg_divisor(h, k[0], s[0], p[0], oh, count_include_pad)
        dw = _avg_divisor(w, k[1], s[1], p[1], ow, count_include_pad)
        div = rgrad.tensor(dh, dtype=input.dtype).reshape(oh, 1) * rgrad.tensor(dw, dtype=input.dtype).reshape(1, ow)
        out = total / div
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """``avg_pool1d(...)``: average pooling over the last dim of (N, C, L) or (C, L) input.

    >>> rgrad.nn.functional.avg_pool1d(rgrad.tensor([[[1.0, 5.0, 2.0, 0.0, 7.0]]]), 2)
    tensor([[[3., 1.]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"avg_pool1d() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    k = _pair(kernel_size, 1)[0]
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _pair(stride, 1, "stride")[0]
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, _pair(padding, 1, "padding")[0]), ceil_mode, count_include_pad)
    return out.squeeze(-2)


def _adaptive_matrix(size, out, dtype, device):
    """(out, size) matrix whose row i averages input positions floor(i*size/out) ..
    ceil((i+1)*size/out) - 1, PyTorch's adaptive windows. Built with tensor ops: a size too
    large to allocate is a MemoryError at once, not a Python list growing until the
    process is killed."""
    i = rgrad.arange(out, device=device).unsqueeze(1)
    j = rgrad.arange(size, device=device).unsqueeze(0)
    start = (i * size).div(out, rounding_mode="floor")
    end = -((-(i + 1) * size).div(out, rounding_mode="floor"))
    inside = (j >= start) & (j < end)
    return inside.to(dtype) / (end - start).to(dtype)


def adaptive_avg_pool2d(input, output_size):
    """``adaptive_avg_pool2d(input, output_size)``: average pooling to a fixed (OH, OW)
    (``None`` keeps that side), windows chosen as PyTorch does.

    >>> x = rgrad.arange(16.0).reshape(1, 1, 4, 4)
    >>> rgrad.nn.functional.adaptive_avg_pool2d(x, 1)
    tensor([[[[7.5000]]]])
    """
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"adaptive_avg_pool2d" not implemented for \'{dtype_title(input.dtype)}\'')
    h, w = input.shape[-2:]
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    oh = h if output_size[0] is None else int(output_size[0])
    ow = w if output_size[1] is None else int(output_size[1])
    if oh < 0 or ow < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {[oh, ow]}")
    if h % max(oh, 1) == 0 and w % max(ow, 1) == 0 and oh and ow:
        # equal windows: a reshape and a mean
        lead = input.shape[:-2]
        return input.reshape(*lead, oh, h // oh, ow, w // ow).mean((-3, -1))
    mh = _adaptive_matrix(h, oh, input.dtype, input.device)
    mw = _adaptive_matrix(w, ow, input.dtype, input.device)
    return mh.matmul(input).matmul(mw.t())


def adaptive_avg_pool1d(input, output_size):
    """``adaptive_avg_pool1d(input, output_size)``: over the last dim of (N, C, L) or (C, L).

    >>> rgrad.nn.functional.adaptive_avg_pool1d(rgrad.tensor([[[1.0, 3.0, 5.0, 7.0]]]), 2)
    tensor([[[2., 6.]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got {list(input.shape)}")
    out = output_size if isinstance(output_size, int) else output_size[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, out)).squeeze(-2)


def _interp_sizes(input, size, scale_factor, nd):
    if (size is None) == (scale_factor is None):
        raise ValueError("either size or scale_factor should be defined" if size is None else "only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        sizes = _pair(size, nd, "size")
        scales = [None] * nd
    else:
        scales = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else [float(scale_factor)] * nd
        if len(scales) != nd:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
                             f"dimensions of {list(spatial)} and scale_factor of shape {scales}. Please provide input tensor in "
                             "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        sizes = tuple(int(math.floor(n * sc)) for n, sc in zip(spatial, scales))
    return sizes, scales


def _nearest_index(n_in, n_out, scale):
    ratio = (1.0 / scale) if scale else n_in / n_out
    return rgrad.tensor([min(int(math.floor(i * ratio)), n_in - 1) for i in range(n_out)], dtype=rgrad.int64)


def _linear_matrix(n_in, n_out, scale, align_corners, dtype):
    """(n_out, n_in) interpolation weights of 1-D linear resampling (PyTorch's source index rule)."""
    rows = []
    for i in range(n_out):
        if align_corners:
            src = i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            ratio = (1.0 / scale) if scale else n_in / n_out
            src = max((i + 0.5) * ratio - 0.5, 0.0)
        i0 = min(int(math.floor(src)), n_in - 1)
        i1 = min(i0 + 1, n_in - 1)
        lam = src - i0
        row = [0.0] * n_in
        row[i0] += 1.0 - lam
        row[i1] += lam
        rows.append(row)
    return rgrad.tensor(rows, dtype=dtype)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None, antialias=False):
    """``interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None)``:
    resamples the spatial dims of (N, C, L) or (N, C, H, W) input; modes ``'nearest'``,
    ``'linear'`` (3-D input) and ``'bilinear'`` (4-D input).

    >>> x = rgrad.tensor([[[1.0, 2.0]]])
    >>> rgrad.nn.functional.interpolate(x, scale_factor=2)  # nearest
    tensor([[[1., 1., 2., 2.]]])
    >>> rgrad.nn.functional.interpolate(x, size=3, mode="linear", align_corners=True)
    tensor([[[1.0000, 1.5000, 2.0000]]])
    >>> rgrad.nn.functional.interpolate(rgrad.zeros(1, 3, 4, 4), size=(8, 6), mode="bilinear").shape
    rgrad.Size([1, 3, 8, 6])
    """
    nd = input.dim() - 2
    if nd not in (1, 2):
        raise NotImplementedError(f"Input Error: Only 3D and 4D input Tensors supported (got {input.dim()}D) for the modes: "
                                  "nearest | linear | bilinear (got {mode})")
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not supported by rgrad")
    sizes, scales = _interp_sizes(input, size, scale_factor, nd)
    if recompute_scale_factor:
        scales = [None] * nd
    x = input
    if mode == "nearest":
        for i in range(nd):
            d = 2 + i
            x = x.index_select(d, _nearest_index(input.shape[d], sizes[i], scales[i]))
        return x
    expect = {"linear": 1, "bilinear": 2}.get(mode)
    if expect is None:
        raise NotImplementedError(f"interpolate: mode '{mode}' is not supported by rgrad (nearest, linear, bilinear are)")
    if expect != nd:
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {expect + 2}D input")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"upsample_{mode}" not implemented for \'{dtype_title(input.dtype)}\'')
    ac = bool(align_corners)
    mw = _linear_matrix(input.shape[-1], sizes[-1], scales[-1], ac, input.dtype)
    x = x.matmul(mw.t())
    if nd == 2:
        mh = _linear_matrix(input.shape[-2], sizes[0], scales[0], ac, input.dtype)
        x = mh.matmul(x)
    return x
