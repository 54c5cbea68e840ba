"""Loss functions of ``rgrad.nn.functional`` (as ``torch.nn.functional``).

Each takes ``reduction='mean' | 'sum' | 'none'`` (and PyTorch's legacy ``size_average`` /
``reduce``). Cross entropy over class indices runs as one fused Rust op (log-softmax and
the negative log-likelihood in one pass, with its own backward); the others are composed of
tensor ops, so their gradients come from those ops' backwards.
"""

import warnings

import rgrad
from ..._messages import dtype_title
from ..._rgrad import Tensor

_REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce, reduction):
    """PyTorch's mapping of the deprecated ``size_average`` / ``reduce`` to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    _check_reduction(reduction)
    return loss


def _check_float(input, name):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{dtype_title(input.dtype)}\'')


def _warn_broadcast(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({_size(target.shape)}) that is different to the input size ({_size(input.shape)}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3)


def _size(shape):
    return f"rgrad.Size({list(shape)})"


def _as_tensor(x, like):
    return x if isinstance(x, Tensor) else rgrad.tensor(x, dtype=like.dtype)


# ---------- regression losses ----------

def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``mse_loss(input, target, reduction='mean')``: mean of ``(input - target)**2``
    (broadcast, with PyTorch's warning when the shapes differ).

    >>> F = rgrad.nn.functional
    >>> F.mse_loss(rgrad.tensor([1.0, 2.0, 3.0]), rgrad.tensor([1.0, 0.0, 0.0]))
    tensor(4.3333)
    >>> F.mse_loss(rgrad.tensor([1.0, 2.0, 3.0]), rgrad.tensor([1.0, 0.0, 0.0]), reduction="sum")
    tensor(13.)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_broadcast(input, target)
    d = input - target
    loss = d * d
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """``l1_loss(input, target, reduction='mean')``: mean of ``|input - target|``.

    >>> F = rgrad.nn.functional
    >>> F.l1_loss(rgrad.tensor([1.0, 2.0, 3.0]), rgrad.tensor([1.0, 0.0, 0.0]), reduction="none")
    tensor([0., 2., 3.])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_broadcast(input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``smooth_l1_loss(input, target, reduction='mean', beta=1.0)``: ``0.5 d**2 / beta``
    where ``|d| < beta``, else ``|d| - beta / 2`` (``beta=0`` is the L1 loss).

    >>> F = rgrad.nn.functional
    >>> F.smooth_l1_loss(rgrad.tensor([0.5, 3.0]), rgrad.tensor([0.0, 0.0]), reduction="none")  # 0.5 * 0.5**2, 3 - 0.5
    tensor([0.1250, 2.5000])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_broadcast(input, target)
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction)
    loss = rgrad.where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``huber_loss(input, target, reduction='mean', delta=1.0)``: ``0.5 d**2`` where
    ``|d| <= delta``, else ``delta * (|d| - delta / 2)``.

    >>> F = rgrad.nn.functional
    >>> d = rgrad.tensor([0.5, 3.0])
    >>> F.huber_loss(d, rgrad.zeros(2), reduction="none", delta=2.0)  # 0.5 * 0.5**2, 2 * (3 - 1)
    tensor([0.1250, 4.0000])
    """
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, but got delta={delta}")
    _warn_broadcast(input, target)
    d = (input - target).abs()
    loss = rgrad.where(d <= delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---------- classification losses ----------

def _class_dim_last(input):
    """``(N, C, d1, ...)`` -> ``(N * d1 * ..., C)`` (a view when it can be), with the
    target's matching shape, for the kernels that take classes along the last dim."""
    if input.dim() <= 2:
        return input
    return input.movedim(1, -1).reshape(-1, input.shape[1])


def _check_target(input, target, name):
    if target.dtype != rgrad.int64:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {dtype_title(target.dtype)}")
    if input.dim() == 0:
        raise ValueError(f"Expected 1 or more dimensions (got 0)")
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError(
                f"0D or 1D target tensor expected, multi-target not supported (got input: {list(input.shape)}, target: {list(target.shape)})")
        return
    if target.dim() >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({target.shape[0]}).")
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        if input.dim() == 2 and target.dim() != 1:
            raise RuntimeError(
                f"0D or 1D target tensor expected, multi-target not supported (got input: {list(input.shape)}, target: {list(target.shape)})")
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")


def _check_weight(weight, n_classes, input):
    if weight is None:
        return None
    if weight.dim() != 1 or weight.numel() != n_classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes but got weight tensor of shape: {list(weight.shape)}")
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {dtype_title(input.dtype)} but found {dtype_title(weight.dtype)}")
    return weight


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """``nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean')``: the
    negative log-likelihood of log-probabilities ``input`` (N, C, ...) at class indices
    ``target`` (N, ...); the mean is weighted by ``weight[target]`` over targets that are
    not ``ignore_index``.

    >>> F = rgrad.nn.functional
    >>> log_probs = rgrad.tensor([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]).log()
    >>> F.nll_loss(log_probs, rgrad.tensor([0, 1]), reduction="none")  # -log(0.5), -log(0.8)
    tensor([0.6931, 0.2231])
    >>> F.nll_loss(log_probs, rgrad.tensor([0, -100]))  # -100 is ignored
    tensor(0.6931)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_float(input, "nll_loss_out_frame")
    _check_target(input, target, "nll_loss")
    n_classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
    weight = _check_weight(weight, n_classes, input)
    out_shape = tuple(target.shape)
    x = _class_dim_last(input) if input.dim() >= 2 else input.unsqueeze(0)
    t = target.reshape(-1)
    loss = _nll(x, t, weight, ignore_index, reduction)
    return loss.reshape(out_shape) if reduction == "none" else loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """``cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean',
    label_smoothing=0.0)``: cross entropy of logits ``input`` (N, C, ...) against class
    indices (N, ...) or class probabilities (the input's shape, a float tensor).

    With class indices it is one fused op (log-softmax + negative log-likelihood, its own
    backward); ``label_smoothing`` mixes in the uniform distribution as PyTorch does.

    >>> F = rgrad.nn.functional
    >>> logits = rgrad.tensor([[0.0, 0.0], [0.0, 0.0]])
    >>> F.cross_entropy(logits, rgrad.tensor([0, 1]))  # log(2)
    tensor(0.6931)
    >>> F.cross_entropy(logits, rgrad.tensor([[0.5, 0.5], [1.0, 0.0]]))  # class probabilities as target
    tensor(0.6931)
    >>> F.cross_entropy(rgrad.tensor([[2.0, 0.0, 0.0]]), rgrad.tensor([0]), label_smoothing=0.3)
    tensor(0.6395)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    _check_float(input, "log_softmax_lastdim_kernel_impl")
    if input.dim() == 0:
        raise RuntimeError("cross_entropy: expected input with at least 1 dimension (got 0)")
    cdim = 1 if input.dim() >= 2 else 0
    n_classes = input.shape[cdim]
    if target.dtype.is_floating_point and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, cdim, n_classes)
    _check_target(input, target, "cross_entropy")
    weight = _check_weight(weight, n_classes, input)
    out_shape = tuple(target.shape)
    x = _class_dim_last(input) if input.dim() >= 2 else input.unsqueeze(0)
    loss = _cross_entropy_indices(x, target.reshape(-1), weight, ignore_index, reduction, float(label_smoothing))
    return loss.reshape(out_shape) if reduction == "none" else loss


def _nll(logp, target, weight, ignore_index, reduction):
    """The negative log-likelihood of rows of ``logp`` (M, C) at ``target`` (M,)."""
    n_classes = logp.shape[-1]
    valid = target != ignore_index
    if target.numel() and bool(((target < 0) | (target >= n_classes)).logical_and(valid).any()):
        bad = target[((target < 0) | (target >= n_classes)).logical_and(valid)][0].item()
        raise IndexError(f"Target {bad} is out of bounds.")
    safe = target.masked_fill(~valid, 0)
    picked = -logp.gather(1, safe.unsqueeze(1)).squeeze(1)
    w = valid.to(logp.dtype) if weight is None else weight[safe] * valid.to(logp.dtype)
    loss = picked * w
    if reduction == "mean":
        return loss.sum() / w.sum()
    return loss.sum() if reduction == "sum" else loss


def _cross_entropy_indices(x, target, weight, ignore_index, reduction, label_smoothing):
    """Cross entropy of logits (M, C) at class indices (M,): one fused Rust op."""
    return rgrad._rgrad._cross_entropy(x, target, weight, ignore_index, reduction, label_smoothing)


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing, cdim, n_classes):
    """Cross entropy against class probabilities: ``-sum(w_c * p_c * log_softmax(x)_c)``."""
    if target.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {dtype_title(input.dtype)} but found {dtype_title(target.dtype)}")
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    logp = input.log_softmax(cdim)
    prod = logp * target
    if weight is not None:
        weight = _check_weight(weight, n_classes, input)
        prod = prod * weight.reshape([-1] + [1] * (input.dim() - cdim - 1))
    loss = -prod.sum(cdim)
    if reduction == "mean":
        # mean over the batch elements, not weighted (PyTorch's rule for probabilities)
        return loss.sum() / max(input.numel() // n_classes, 1) if input.numel() else loss.sum() / 0.0
    return _reduce(loss, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """``binary_cross_entropy(input, target, weight=None, reduction='mean')``:
    ``-(t log x + (1 - t) log(1 - x))`` with each log clamped to >= -100 (as PyTorch).

    >>> F = rgrad.nn.functional
    >>> probs, target = rgrad.tensor([0.5, 0.8]), rgrad.tensor([1.0, 0.0])
    >>> F.binary_cross_entropy(probs, target, reduction="none")  # -log(0.5), -log(0.2)
    tensor([0.6931, 1.6094])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({_size(target.shape)}) that is different to the input size ({_size(input.shape)}) is deprecated. "
            "Please ensure they have the same size.")
    _check_float(input, "binary_cross_entropy")
    if input.numel() and bool(((input < 0) | (input > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    log_x = input.log().clamp_min(-100.0)
    log_1mx = (1 - input).log().clamp_min(-100.0)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """``binary_cross_entropy_with_logits(input, target, weight=None, reduction='mean',
    pos_weight=None)``: binary cross entropy of ``sigmoid(input)``, computed stably from
    the logits; ``pos_weight`` scales the positive term per class.

    >>> F = rgrad.nn.functional
    >>> logits, target = rgrad.tensor([0.0, 2.0]), rgrad.tensor([1.0, 0.0])
    >>> F.binary_cross_entropy_with_logits(logits, target, reduction="none")  # log(2), log(1 + e**2)
    tensor([0.6931, 2.1269])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({_size(target.shape)}) must be the same as input size ({_size(input.shape)})")
    _check_float(input, "binary_cross_entropy_with_logits")
    # log(1 + exp(-x)) = log1p(exp(-|x|)) + max(-x, 0), finite for every x
    softplus_neg = (-input.abs()).exp().log1p() + (-input).clamp_min(0.0)
    if pos_weight is not None:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * softplus_neg
    else:
        loss = (1 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``kl_div(input, target, reduction='mean', log_target=False)``: pointwise
    ``target * (log target - input)`` (input holds log-probabilities); ``'batchmean'``
    divides the sum by the batch size, the mathematically correct KL divergence.

    >>> F = rgrad.nn.functional
    >>> p = rgrad.tensor([[0.5, 0.5]])
    >>> F.kl_div(p.log(), p, reduction="batchmean")  # a distribution against itself
    tensor(0.)
    >>> F.kl_div(rgrad.tensor([[0.25, 0.75]]).log(), p, reduction="batchmean")
    tensor(0.1438)
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.", stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = rgrad.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """``cosine_embedding_loss(input1, input2, target, margin=0, reduction='mean')``:
    ``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1.

    >>> a, b = rgrad.tensor([[1.0, 0.0], [1.0, 0.0]]), rgrad.tensor([[1.0, 1.0], [1.0, 1.0]])
    >>> rgrad.nn.functional.cosine_embedding_loss(a, b, rgrad.tensor([1, -1]), reduction="none")
    tensor([0.2929, 0.7071])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim():
        raise RuntimeError(f"cosine_embedding_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {_size(input1.shape)}, input2: {_size(input2.shape)}, target: {_size(target.shape)} ")
    if input1.dim() not in (1, 2) or target.dim() != input1.dim() - 1:
        raise RuntimeError(f"{input1.dim()}D target tensor expects {input1.dim() - 1}D input tensors, but found inputs with sizes "
                           f"{_size(input1.shape)} and {_size(input2.shape)}.") if target.dim() != input1.dim() - 1 else \
            RuntimeError(f"cosine_embedding_loss: expected 1D or 2D input tensors, got {input1.dim()}D")
    dim = input1.dim() - 1
    eps = 1e-12  # PyTorch's EPSILON: keeps the norms of all-zero rows from dividing by zero
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = rgrad.zeros_like(cos)
    pos = rgrad.where(target == 1, 1 - cos, zeros)
    neg = rgrad.where(target == -1, (cos - margin).clamp_min(0.0), zeros)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """``margin_ranking_loss(input1, input2, target, margin=0, reduction='mean')``:
    ``max(0, -target * (input1 - input2) + margin)``.

    >>> x1, x2, y = rgrad.tensor([3.0, 1.0]), rgrad.tensor([1.0, 1.0]), rgrad.tensor([1.0, 1.0])
    >>> rgrad.nn.functional.margin_ranking_loss(x1, x2, y, margin=1.0, reduction="none")  # max(0, -y * (x1 - x2) + 1)
    tensor([0., 1.])
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: {_size(input1.shape)}, "
            f"input2: {_size(input2.shape)}, target: {_size(target.shape)} ")
    loss = (-target * (input1 - input2) + margin).clamp_min(0.0)
    return _reduce(loss, reduction)
