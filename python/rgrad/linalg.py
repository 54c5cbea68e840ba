"""``rgrad.linalg``: norms and matrix functions (as ``torch.linalg``)."""

from . import _elementwise, _indexing, _joining, _matmul, _reduce

for _family in (_elementwise, _reduce, _indexing, _joining, _matmul):
    globals().update(_family.LINALG)
del _family
