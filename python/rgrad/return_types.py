"""Named tuples returned by ops, like ``torch.return_types``: ``t.max(dim)`` gives
``return_types.max(values, indices)``, indexable and unpackable as a tuple."""

import collections as _collections


def _structseq(name, fields):
    cls = _collections.namedtuple(name, fields)
    cls.__module__ = "rgrad.return_types"
    cls.__qualname__ = name

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"rgrad.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    cls.__doc__ = f"The result of ``{name}``: a named tuple ({', '.join(fields)})."
    return cls


max = _structseq("max", ["values", "indices"])  # noqa: A001
min = _structseq("min", ["values", "indices"])  # noqa: A001
cummax = _structseq("cummax", ["values", "indices"])
cummin = _structseq("cummin", ["values", "indices"])
aminmax = _structseq("aminmax", ["min", "max"])
sort = _structseq("sort", ["values", "indices"])
topk = _structseq("topk", ["values", "indices"])
kthvalue = _structseq("kthvalue", ["values", "indices"])
median = _structseq("median", ["values", "indices"])
nanmedian = _structseq("nanmedian", ["values", "indices"])
mode = _structseq("mode", ["values", "indices"])
linalg_svd = _structseq("linalg_svd", ["U", "S", "Vh"])
svd = _structseq("svd", ["U", "S", "V"])
# rgrad.linalg (and the legacy top-level forms)
linalg_solve_ex = _structseq("linalg_solve_ex", ["result", "info"])
linalg_inv_ex = _structseq("linalg_inv_ex", ["inverse", "info"])
linalg_slogdet = _structseq("linalg_slogdet", ["sign", "logabsdet"])
slogdet = _structseq("slogdet", ["sign", "logabsdet"])
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ["L", "info"])
linalg_qr = _structseq("linalg_qr", ["Q", "R"])
qr = _structseq("qr", ["Q", "R"])
linalg_eigh = _structseq("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_lu_factor = _structseq("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = _structseq("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = _structseq("linalg_lu", ["P", "L", "U"])
lu_unpack = _structseq("lu_unpack", ["P", "L", "U"])
linalg_lstsq = _structseq("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
triangular_solve = _structseq("triangular_solve", ["solution", "cloned_coefficient"])
