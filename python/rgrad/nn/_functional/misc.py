"""``rgrad.nn.functional``: activations not in the elementwise family, dropout, embedding,
one_hot, pad, normalize, distances and ``bilinear`` (as ``torch.nn.functional``)."""

import rgrad
from ..._messages import dtype_title
from ..._rgrad import Tensor

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _inplace(input, out, inplace):
    if inplace:
        input.copy_(out)
        return input
    return out


def selu(input, inplace=False):
    """``selu(input)``: ``scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))`` with
    PyTorch's alpha and scale.

    >>> rgrad.nn.functional.selu(rgrad.tensor([-1.0, 0.0, 1.0]))
    tensor([-1.1113,  0.0000,  1.0507])
    """
    out = rgrad.where(input > 0, input, input.clamp(max=0.0).expm1() * _SELU_ALPHA) * _SELU_SCALE
    return _inplace(input, out, inplace)


def celu(input, alpha=1.0, inplace=False):
    """``celu(input, alpha=1.0)``: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    >>> rgrad.nn.functional.celu(rgrad.tensor([-2.0, 0.0, 2.0]), alpha=2.0)
    tensor([-1.2642,  0.0000,  2.0000])
    """
    out = rgrad.where(input > 0, input, (input.clamp(max=0.0) / alpha).expm1() * alpha)
    return _inplace(input, out, inplace)


def glu(input, dim=-1):
    """``glu(input, dim=-1)``: first half times sigmoid of the second half along ``dim``.

    >>> rgrad.nn.functional.glu(rgrad.tensor([[1.0, 2.0, 0.0, 0.0]]))  # [1, 2] * sigmoid([0, 0])
    tensor([[0.5000, 1.0000]])
    """
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size {n}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def threshold(input, threshold, value, inplace=False):
    """``threshold(input, threshold, value)``: x where x > threshold, else value.

    >>> rgrad.nn.functional.threshold(rgrad.tensor([0.0, 0.5, 2.0]), 0.5, -1.0)
    tensor([-1., -1.,  2.])
    """
    out = rgrad.where(input > threshold, input, rgrad.full_like(input, value))
    return _inplace(input, out, inplace)


# ---------- dropout ----------

def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_with_mask_shape(input, p, mask_shape, inplace):
    if p == 1.0:
        return _inplace(input, input * 0.0, inplace)
    keep = rgrad.empty(mask_shape, dtype=input.dtype).bernoulli_(1.0 - p)
    out = input * keep.div_(1.0 - p)
    return _inplace(input, out, inplace)


def dropout(input, p=0.5, training=True, inplace=False):
    """``dropout(input, p=0.5, training=True, inplace=False)``: zeroes each element with
    probability ``p`` and scales the rest by ``1 / (1 - p)``; identity when not training.

    >>> _ = rgrad.manual_seed(0)
    >>> y = rgrad.nn.functional.dropout(rgrad.ones(1000), p=0.5)
    >>> sorted(set(y.tolist()))  # zeroed, or scaled by 1 / (1 - p)
    [0.0, 2.0]
    >>> rgrad.nn.functional.dropout(rgrad.ones(3), p=0.5, training=False)
    tensor([1., 1., 1.])
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    return _dropout_with_mask_shape(input, p, tuple(input.shape), inplace)


def _feature_dropout(input, p, training, inplace, name, batched_dim):
    _check_p(p)
    if input.dim() not in (batched_dim - 1, batched_dim):
        raise RuntimeError(
            f"{name}: Expected {batched_dim - 1}D or {batched_dim}D input, but received a {input.dim()}D input. "
            f"Note that {name} exists to provide channel-wise dropout on inputs with {batched_dim - 2} spatial dimension"
            f"{'s' if batched_dim > 3 else ''}, a channel dimension, and an optional batch dimension "
            f"(i.e. {batched_dim - 1}D or {batched_dim}D inputs).")
    if not training or p == 0.0:
        return input
    keep_dims = 2 if input.dim() == batched_dim else 1
    mask_shape = tuple(input.shape[:keep_dims]) + (1,) * (input.dim() - keep_dims)
    return _dropout_with_mask_shape(input, p, mask_shape, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """``dropout1d(input)``: zeroes whole channels of (N, C, L) or (C, L) input.

    >>> _ = rgrad.manual_seed(0)
    >>> y = rgrad.nn.functional.dropout1d(rgrad.ones(1, 8, 3), p=0.5)
    >>> sorted(set(y.sum(dim=2).flatten().tolist()))  # whole channels are zeroed, the rest scaled by 2
    [0.0, 6.0]
    """
    return _feature_dropout(input, p, training, inplace, "dropout1d", 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """``dropout2d(input)``: zeroes whole channels of (N, C, H, W) or (C, H, W) input.

    >>> _ = rgrad.manual_seed(0)
    >>> y = rgrad.nn.functional.dropout2d(rgrad.ones(1, 8, 2, 2), p=0.5)
    >>> sorted(set(y.sum(dim=(2, 3)).flatten().tolist()))  # whole channels are zeroed, the rest scaled by 2
    [0.0, 8.0]
    """
    return _feature_dropout(input, p, training, inplace, "dropout2d", 4)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """``alpha_dropout(input, p)``: dropout that keeps SELU's mean and variance.

    >>> rgrad.nn.functional.alpha_dropout(rgrad.tensor([1.0, -1.0]), p=0.2)  # training=False by default: the identity
    tensor([ 1., -1.])
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _inplace(input, input * 0.0, inplace)
    alpha_p = -_SELU_ALPHA * _SELU_SCALE
    a = ((1 - p) * (1 + p * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * p
    keep = rgrad.empty(tuple(input.shape), dtype=input.dtype).bernoulli_(1.0 - p)
    out = (input * keep + (1 - keep) * alpha_p) * a + b
    return _inplace(input, out, inplace)


# ---------- embedding, one_hot ----------

def _check_indices(input, what):
    if input.dtype not in (rgrad.int64, rgrad.int32):
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got rgrad.{dtype_title(input.dtype)}Tensor instead (while checking arguments for {what})")


def _renorm_rows_(weight, input, max_norm, norm_type):
    """Scales the looked-up rows of ``weight`` whose norm exceeds ``max_norm`` down to it, in place."""
    with rgrad.autograd.no_grad():
        rows = input.reshape(-1).unique()
        picked = weight.index_select(0, rows)
        norms = picked.norm(p=norm_type, dim=1, keepdim=True)
        scale = rgrad.where(norms > max_norm, max_norm / (norms + 1e-7), rgrad.ones_like(norms))
        weight.index_copy_(0, rows, picked * scale)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """``embedding(input, weight, padding_idx=None, max_norm=None)``: rows of ``weight`` at
    the integer indices ``input``; the row at ``padding_idx`` gets no gradient, and with
    ``max_norm`` the looked-up rows are renormalised in place first (as PyTorch).

    >>> weight = rgrad.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    >>> rgrad.nn.functional.embedding(rgrad.tensor([2, 0, 2]), weight)
    tensor([[3., 4.],
            [0., 0.],
            [3., 4.]])
    >>> rgrad.nn.functional.embedding(rgrad.tensor([[2, 1], [0, 2]]), weight).shape
    rgrad.Size([2, 2, 2])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' must be Tensor, not {type(input).__name__}")
    _check_indices(input, "embedding")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.shape[0] + padding_idx
    if sparse:
        raise NotImplementedError("rgrad has no sparse gradients: embedding(sparse=True) is not supported")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding(scale_grad_by_freq=True) is not supported by rgrad yet")
    if max_norm is not None:
        _renorm_rows_(weight, input, max_norm, norm_type)
    flat = input.reshape(-1)
    try:
        # index_select checks the range (on the device, for GPU tensors: no readback here)
        out = weight.index_select(0, flat)
    except IndexError:
        raise IndexError("index out of range in self") from None
    if padding_idx is not None and weight.requires_grad and rgrad.is_grad_enabled():
        # the padding row gets no gradient: its lookups are taken from a detached copy
        out = rgrad.where((flat == padding_idx).unsqueeze(1), out.detach(), out)
    return out.reshape(*input.shape, weight.shape[1])


def one_hot(tensor, num_classes=-1):
    """``one_hot(tensor, num_classes=-1)``: int64 indices to one-hot rows along a new last
    dim of ``num_classes`` (default: the largest index + 1).

    >>> rgrad.nn.functional.one_hot(rgrad.tensor([0, 2, 1]))
    tensor([[1, 0, 0],
            [0, 0, 1],
            [0, 1, 0]])
    >>> rgrad.nn.functional.one_hot(rgrad.tensor([0, 2]), num_classes=4)
    tensor([[1, 0, 0, 0],
            [0, 0, 1, 0]])
    """
    if tensor.dtype != rgrad.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return rgrad.zeros(*tensor.shape, num_classes, dtype=rgrad.int64)
    lo, hi = int(tensor.min()), int(tensor.max())
    if lo < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = hi + 1
    elif hi >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = rgrad.zeros(*tensor.shape, num_classes, dtype=rgrad.int64)
    return out.scatter_(-1, tensor.unsqueeze(-1), 1)


# ---------- pad ----------

def _pad_index(n, before, after, mode):
    """Source indices along one dim of size ``n`` for a non-constant pad."""
    idx = []
    for i in range(-before, n + after):
        if mode == "reflect":
            j = i
            while j < 0 or j >= n:  # (PyTorch requires pads < n, so this loops at most twice)
                j = -j if j < 0 else 2 * (n - 1) - j
        elif mode == "replicate":
            j = min(max(i, 0), n - 1)
        else:  # circular
            j = i % n
        idx.append(j)
    return rgrad.tensor(idx, dtype=rgrad.int64)


def pad(input, pad, mode="constant", value=None):
    """``pad(input, pad, mode='constant', value=None)``: pads the last ``len(pad) // 2``
    dims, ``pad = (last_before, last_after, prev_before, ...)``. Modes ``'constant'``
    (negative pads crop), ``'reflect'``, ``'replicate'``, ``'circular'``.

    >>> x = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> rgrad.nn.functional.pad(x, (1, 0))  # one zero before the last dim
    tensor([[0., 1., 2.],
            [0., 3., 4.]])
    >>> rgrad.nn.functional.pad(x.unsqueeze(0), (1, 1), mode="reflect")
    tensor([[[2., 1., 2., 1.],
             [4., 3., 4., 3.]]])
    """
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(pad)} and input of dimension {input.dim()}")
    if mode == "constant":
        x = input
        shape = list(input.shape)
        for i in range(k):
            d = input.dim() - 1 - i
            lo, hi = pad[2 * i], pad[2 * i + 1]
            # negative pads crop first
            start, stop = max(-lo, 0), x.shape[d] - max(-hi, 0)
            if stop < start:
                raise RuntimeError(f"The input size {input.shape[d]}, plus negative padding {lo} and {hi} resulted in a "
                                   f"negative output size, which is invalid. Check dimension {d} of your input.")
            x = x.narrow(d, start, stop - start)
            shape[d] = x.shape[d] + max(lo, 0) + max(hi, 0)
        if all(p <= 0 for p in pad):
            return x.clone() if x is input else x
        out = rgrad.full(shape, 0.0 if value is None else value, dtype=input.dtype)
        region = out
        for i in range(k):
            d = input.dim() - 1 - i
            region = region.narrow(d, max(pad[2 * i], 0), x.shape[d])
        # a write through a view: autograd records it as the copy's backward (CopySlices)
        region.copy_(x)
        return out
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise AssertionError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    if not (k + 1 <= input.dim() <= k + 2) or k > 3:
        raise NotImplementedError(
            f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now (got a {input.dim()}D input "
            f"with {len(pad)} pads)")
    x = input
    for i in range(k):
        d = input.dim() - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = x.shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                               f"padding ({lo}, {hi}) at dimension {d} of input {list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if lo < 0 or hi < 0:
            x = x.narrow(d, max(-lo, 0), n - max(-lo, 0) - max(-hi, 0))
            lo, hi, n = max(lo, 0), max(hi, 0), x.shape[d]
        if lo or hi:
            x = x.index_select(d, _pad_index(n, lo, hi, mode))
    return x


# ---------- normalisation helpers, distances ----------

def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``normalize(input, p=2.0, dim=1, eps=1e-12)``: ``input / max(||input||_p, eps)``
    along ``dim``.

    >>> rgrad.nn.functional.normalize(rgrad.tensor([[3.0, 4.0], [0.0, 2.0]]))
    tensor([[0.6000, 0.8000],
            [0.0000, 1.0000]])
    """
    denom = input.norm(p=p, dim=dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``cosine_similarity(x1, x2, dim=1, eps=1e-8)``: ``x1 . x2 / (max(|x1|, eps) max(|x2|, eps))``
    along ``dim`` (broadcast), PyTorch's formula.

    >>> x = rgrad.tensor([[1.0, 0.0], [1.0, 1.0]])
    >>> rgrad.nn.functional.cosine_similarity(x, rgrad.tensor([[0.0, 1.0], [2.0, 2.0]]))
    tensor([0.0000, 1.0000])
    """
    x1, x2 = rgrad.broadcast_tensors(x1, x2)
    n1 = x1.norm(dim=dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(dim=dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``pairwise_distance(x1, x2, p=2.0, eps=1e-6)``: ``||x1 - x2 + eps||_p`` along the last dim.

    >>> x = rgrad.tensor([[0.0, 0.0], [1.0, 1.0]])
    >>> rgrad.nn.functional.pairwise_distance(x, rgrad.tensor([[3.0, 4.0], [4.0, 5.0]]))  # eps=1e-6 is added to x1 - x2
    tensor([5.0000, 5.0000])
    """
    d = x1 - x2 + eps
    if d.dim() == 0:
        return d.abs()
    return d.norm(p=p, dim=-1, keepdim=keepdim)


def bilinear(input1, input2, weight, bias=None):
    """``bilinear(input1, input2, weight, bias=None)``: ``y_k = x1 W_k x2 + b_k``.

    >>> x1, x2 = rgrad.tensor([[1.0, 2.0]]), rgrad.tensor([[3.0, 4.0, 5.0]])
    >>> weight = rgrad.ones(1, 2, 3)  # one output: sum(x1) * sum(x2)
    >>> rgrad.nn.functional.bilinear(x1, x2, weight, rgrad.tensor([0.5]))
    tensor([[36.5000]])
    """
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    if weight.dim() != 3 or weight.shape[1] != input1.shape[-1] or weight.shape[2] != input2.shape[-1]:
        raise RuntimeError(
            f"bilinear(): weight of shape {list(weight.shape)} does not match input sizes {input1.shape[-1]} and {input2.shape[-1]}")
    lead = input1.shape[:-1]
    a = input1.reshape(-1, input1.shape[-1])
    b = input2.reshape(-1, input2.shape[-1])
    # (B, i) @ (i, k*j) -> (B, k, j), then dot with x2 over j
    t = a.matmul(weight.permute(1, 0, 2).reshape(weight.shape[1], -1)).reshape(a.shape[0], weight.shape[0], weight.shape[2])
    y = (t * b.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, weight.shape[0])

