"""``rgrad.linalg``: norms and matrix functions (as ``torch.linalg``)."""

from . import _composites, _elementwise, _indexing, _joining, _linalg, _matmul, _reduce

# later families win: _linalg's matrix_norm replaces the reduce family's
for _family in (_elementwise, _reduce, _indexing, _joining, _matmul, _linalg, _composites):
    globals().update(_family.LINALG)
del _family
