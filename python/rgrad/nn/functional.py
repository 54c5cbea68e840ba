"""``rgrad.nn.functional``: stateless neural-network functions (as ``torch.nn.functional``)."""

from .. import _elementwise, _indexing, _joining, _matmul, _reduce

for _family in (_elementwise, _reduce, _indexing, _joining, _matmul):
    globals().update(_family.FUNCTIONAL)
del _family
