"""Normalisation functions of ``rgrad.nn.functional``: ``layer_norm``, ``rms_norm``,
``group_norm``, ``batch_norm``."""

import rgrad
from ..._messages import dtype_title


def _normalized_shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input, shape, weight, bias, name):
    k = len(shape)
    if k == 0:
        raise RuntimeError(f"Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = {list(shape)}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but got {what} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    if input.dim() < k or tuple(input.shape[input.dim() - k:]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f'"{name}" not implemented for \'{dtype_title(input.dtype)}\'')


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """``layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5)``:
    normalises over the last ``len(normalized_shape)`` dims to mean 0 and variance 1
    (biased variance), then scales by ``weight`` and shifts by ``bias``. One fused op with
    its own backward.

    >>> x = rgrad.tensor([[1.0, 1.0, 3.0, 3.0]])
    >>> rgrad.nn.functional.layer_norm(x, (4,))
    tensor([[-1.0000, -1.0000,  1.0000,  1.0000]])
    >>> rgrad.nn.functional.layer_norm(x, (4,), weight=rgrad.full((4,), 2.0), bias=rgrad.ones(4))
    tensor([[-1.0000, -1.0000,  3.0000,  3.0000]])
    """
    shape = _normalized_shape(normalized_shape)
    _check_normalized(input, shape, weight, bias, "LayerNormKernelImpl")
    return rgrad._rgrad._layer_norm(input, len(shape), weight, bias, float(eps))


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``rms_norm(input, normalized_shape, weight=None, eps=None)``: ``x / sqrt(mean(x**2) + eps)``
    over the last dims, times ``weight``; ``eps=None`` is the dtype's machine epsilon.

    >>> rgrad.nn.functional.rms_norm(rgrad.tensor([[2.0, 2.0, -2.0, -2.0]]), (4,))
    tensor([[ 1.,  1., -1., -1.]])
    """
    shape = _normalized_shape(normalized_shape)
    _check_normalized(input, shape, weight, None, "rms_norm")
    if eps is None:
        eps = 1.1920928955078125e-07 if input.dtype == rgrad.float32 else 2.220446049250313e-16
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    out = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """``group_norm(input, num_groups, weight=None, bias=None, eps=1e-5)``: normalises each of
    ``num_groups`` groups of channels of (N, C, ...) input, then a per-channel affine.

    >>> x = rgrad.tensor([[1.0, 3.0, 10.0, 30.0]])
    >>> rgrad.nn.functional.group_norm(x, 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    n, c = input.shape[0], input.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
                           f"{list(input.shape)} and num_groups={num_groups}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number of channels in input, but got "
                               f"{what} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, correction=0)
    out = ((x - mean) * (var + eps).rsqrt()).reshape(input.shape)
    affine = [1, c] + [1] * (input.dim() - 2)
    if weight is not None:
        out = out * weight.reshape(affine)
    if bias is not None:
        out = out + bias.reshape(affine)
    return out


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """``batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
    momentum=0.1, eps=1e-5)``: per-channel (dim 1) normalisation by the batch statistics when
    training (updating the running statistics in place: ``(1 - momentum) * running +
    momentum * batch``, the unbiased variance) and by the running statistics otherwise.

    >>> x = rgrad.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> rgrad.nn.functional.batch_norm(x, None, None, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    >>> rgrad.nn.functional.batch_norm(x, rgrad.tensor([2.0, 20.0]), rgrad.tensor([4.0, 100.0]), eps=0.0)
    tensor([[-0.5000, -1.0000],
            [ 0.5000,  1.0000]])
    """
    if input.dim() < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
    c = input.shape[1]
    for what, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"running_mean should contain {c} elements not {t.numel()}" if what == "running_mean" else
                               f"{what} should contain {c} elements not {t.numel()}")
    dims = [0] + list(range(2, input.dim()))
    shape = [1, c] + [1] * (input.dim() - 2)
    if training:
        count = input.numel() // max(c, 1)
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {_size(input.shape)}")
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, keepdim=True, correction=0)
        if running_mean is not None or running_var is not None:
            with rgrad.autograd.no_grad():
                m = 0.0 if momentum is None else momentum
                if running_mean is not None:
                    running_mean.mul_(1 - m).add_(mean.detach().reshape(-1) * m)
                if running_var is not None:
                    running_var.mul_(1 - m).add_(var.detach().reshape(-1) * (m * count / (count - 1)))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        mean = running_mean.reshape(shape)
        var = running_var.reshape(shape)
    out = (input - mean) * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _size(shape):
    return f"rgrad.Size({list(shape)})"
