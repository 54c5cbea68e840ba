"""Loss layers: each holds its options (``reduction=`` and the loss's own) and calls the
function of the same name in ``rgrad.nn.functional``."""

from .. import functional as F
from .._functional.loss import legacy_reduction
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error ``(input - target)**2``.

    >>> loss = rgrad.nn.MSELoss()
    >>> loss(rgrad.tensor([1.0, 2.0, 3.0]), rgrad.tensor([1.0, 0.0, 0.0]))
    tensor(4.3333)
    >>> rgrad.nn.MSELoss(reduction="none")(rgrad.tensor([1.0, 2.0, 3.0]), rgrad.tensor([1.0, 0.0, 0.0]))
    tensor([0., 4., 9.])
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``.

    >>> loss = rgrad.nn.L1Loss()
    >>> loss(rgrad.tensor([1.0, 2.0, 3.0]), rgrad.tensor([1.0, 0.0, 0.0]))
    tensor(1.6667)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error below ``beta``, absolute error above it.

    >>> rgrad.nn.SmoothL1Loss()(rgrad.tensor([0.5, 3.0]), rgrad.zeros(2))  # mean of 0.125 and 2.5
    tensor(1.3125)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Squared error up to ``delta``, ``delta``-scaled absolute error above it.

    >>> rgrad.nn.HuberLoss(delta=2.0)(rgrad.tensor([0.5, 3.0]), rgrad.zeros(2))  # mean of 0.125 and 4
    tensor(2.0625)
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at class indices.

    >>> log_probs = rgrad.tensor([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]]).log()
    >>> rgrad.nn.NLLLoss(reduction="none")(log_probs, rgrad.tensor([0, 1]))  # -log(0.5), -log(0.8)
    tensor([0.6931, 0.2231])
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy of logits against class indices (``ignore_index``) or class
    probabilities, with ``weight`` and ``label_smoothing``.

    >>> loss = rgrad.nn.CrossEntropyLoss()
    >>> logits = rgrad.tensor([[0.0, 0.0], [0.0, 0.0]])  # two samples, two classes, uniform
    >>> loss(logits, rgrad.tensor([0, 1]))  # log(2)
    tensor(0.6931)
    >>> rgrad.nn.CrossEntropyLoss(reduction="none")(rgrad.tensor([[2.0, 0.0, 0.0]]), rgrad.tensor([0]))
    tensor([0.2395])
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities.

    >>> probs = rgrad.tensor([0.5, 0.5, 0.5])
    >>> rgrad.nn.BCELoss()(probs, rgrad.tensor([1.0, 0.0, 1.0]))  # log(2)
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of logits (sigmoid folded in, numerically stable), with
    ``weight`` and ``pos_weight``.

    >>> logits = rgrad.tensor([0.0, 0.0])
    >>> rgrad.nn.BCEWithLogitsLoss()(logits, rgrad.tensor([1.0, 0.0]))  # log(2)
    tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``.

    >>> loss = rgrad.nn.KLDivLoss(reduction="batchmean")
    >>> target = rgrad.tensor([[0.5, 0.5]])
    >>> loss(rgrad.tensor([[0.25, 0.75]]).log(), target)
    tensor(0.1438)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos`` for similar pairs (target 1), ``max(0, cos - margin)`` for dissimilar (-1).

    >>> a = rgrad.tensor([[1.0, 0.0], [1.0, 0.0]])
    >>> b = rgrad.tensor([[1.0, 1.0], [1.0, 1.0]])  # cos 0.7071 with a
    >>> rgrad.nn.CosineEmbeddingLoss(reduction="none")(a, b, rgrad.tensor([1, -1]))
    tensor([0.2929, 0.7071])
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """``max(0, -target * (input1 - input2) + margin)``.

    >>> loss = rgrad.nn.MarginRankingLoss(margin=1.0, reduction="none")
    >>> loss(rgrad.tensor([3.0, 1.0]), rgrad.tensor([1.0, 1.0]), rgrad.tensor([1.0, 1.0]))  # max(0, -(x1 - x2) + 1)
    tensor([0., 1.])
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)
