"""``rgrad.linalg`` (as ``torch.linalg``): decompositions (``lu``, ``cholesky``, ``qr``, ``eigh``,
``svd``), solvers (``solve``, ``solve_triangular``, ``lu_solve``, ``lstsq``), ``inv``, ``det``,
``slogdet``, ``pinv``, ``matrix_rank``, ``matrix_exp``, ``matrix_power``, norms and products;
``LinAlgError`` for singular / not positive-definite inputs."""

from . import _composites, _elementwise, _indexing, _joining, _linalg, _matmul, _reduce

# later families win: _linalg's matrix_norm replaces the reduce family's
for _family in (_elementwise, _reduce, _indexing, _joining, _matmul, _linalg, _composites):
    globals().update(_family.LINALG)
del _family
