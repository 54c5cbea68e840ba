"""``rgrad.nn.functional``: stateless neural-network functions (as ``torch.nn.functional``).

Activations, softmax and ``linear`` come from the op families in ``rgrad`` itself; losses,
convolutions, pooling, normalisation, attention and the rest from ``nn/_functional/``.
"""

from .. import _elementwise, _indexing, _joining, _matmul, _reduce
from ._functional.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from ._functional.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold  # noqa: F401
from ._functional.loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss, cross_entropy, huber_loss, kl_div,
    l1_loss, margin_ranking_loss, mse_loss, nll_loss, smooth_l1_loss,
)
from ._functional.misc import (  # noqa: F401
    alpha_dropout, bilinear, celu, cosine_similarity, dropout, dropout1d, dropout2d, embedding, glu, normalize, one_hot,
    pad, pairwise_distance, selu, threshold,
)
from ._functional.norm import batch_norm, group_norm, layer_norm, rms_norm  # noqa: F401
from ._functional.pool import (  # noqa: F401
    adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, interpolate, max_pool1d, max_pool2d,
)

for _family in (_elementwise, _reduce, _indexing, _joining, _matmul):
    globals().update(_family.FUNCTIONAL)
del _family


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True):
    """``max_pool2d`` returning ``(values, indices)``.

    >>> x = rgrad.tensor([[[[1.0, 5.0], [7.0, 2.0]]]])
    >>> values, indices = rgrad.nn.functional.max_pool2d_with_indices(x, 2)
    >>> values, indices  # the index is into the flattened H * W plane
    (tensor([[[[7.]]]]), tensor([[[[2]]]]))
    """
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``.

    >>> rgrad.nn.functional.upsample(rgrad.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    """
    return interpolate(input, size, scale_factor, mode, align_corners)
