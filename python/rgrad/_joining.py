"""Python-level pieces of the joining op family: named return types, function
forms with PyTorch's argument names, and NumPy's ``delete`` / ``insert``."""

import builtins

from . import _out, _rgrad
from ._rgrad import Tensor

# ---------- rgrad.return_types: named tuples like torch.return_types ----------

from . import return_types  # noqa: E402  (sort, topk, kthvalue)

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "flip", "fliplr", "flipud", "roll", "rot90", "tile", "sort", "argsort", "msort", "topk", "kthvalue",
    "unique_consecutive", "tril", "triu", "diag", "diagonal", "diag_embed", "trace", "movedim", "moveaxis",
    "broadcast_to", "chunk", "tensor_split", "unbind", "bincount", "histc", "split_with_sizes",
]


def split(tensor, split_size_or_sections, dim=0):
    """Splits ``tensor`` into views: chunks of ``split_size_or_sections`` elements
    along ``dim`` (an int; the last chunk may be smaller) or pieces of the given
    sizes (a list that must sum to the dim's size).

    >>> rgrad.split(rgrad.arange(5), 2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    >>> rgrad.split(rgrad.arange(5), [1, 4])
    (tensor([0]), tensor([1, 2, 3, 4]))
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"split(): argument 'tensor' must be Tensor, not {type(tensor).__name__}")
    return tensor.split(split_size_or_sections, dim)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """Unique elements (always sorted), optionally with the inverse indices and counts;
    with ``dim``, unique slices along that dim. Each NaN counts as distinct.

    >>> rgrad.unique(rgrad.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    (tensor([1, 2, 3]), tensor([2, 0, 2, 1]), tensor([1, 1, 2]))
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"unique(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.unique(sorted=sorted, return_inverse=return_inverse, return_counts=return_counts, dim=dim)


def _axis_of(arr, axis):
    """NumPy's axis=None flattens; returns (array, normalised axis)."""
    if axis is None:
        return arr.reshape(-1), 0
    nd = arr.dim()
    if not -nd <= axis < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {axis})")
    return arr, axis % nd


def _index_list(obj, n, what):
    """An int, slice, bool mask or sequence/tensor of ints as a list of ints."""
    if isinstance(obj, slice):
        return list(range(*obj.indices(n))), False
    if isinstance(obj, Tensor):
        if obj.dtype == _rgrad.bool:
            vals = obj.tolist()
            if obj.dim() != 1 or len(vals) != n:
                raise ValueError(f"boolean array argument obj to {what} must be one dimensional and match the axis length of {n}")
            return [i for i, b in enumerate(vals) if b], False
        if obj.dtype.is_floating_point:
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        if obj.dim() > 1:
            raise ValueError(f"index array argument obj to {what} must be one dimensional or scalar")
        return ([obj.item()] if obj.dim() == 0 else obj.tolist()), obj.dim() == 0
    if isinstance(obj, builtins.bool):
        raise IndexError("boolean index is not supported here; use a list of indices")
    if isinstance(obj, builtins.int) or hasattr(obj, "__index__") and not isinstance(obj, (list, tuple)):
        return [obj.__index__()], True
    vals = list(obj)
    if vals and all(type(v).__name__ in ("bool", "bool_") for v in vals):
        if len(vals) != n:
            raise ValueError(f"boolean array argument obj to {what} must be one dimensional and match the axis length of {n}")
        return [i for i, b in enumerate(vals) if b], False
    for v in vals:
        if isinstance(v, builtins.float):
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
    return [int(v) for v in vals], False


def delete(input, index, dim=None):
    """NumPy's ``np.delete``: ``input`` without the entries at ``index`` (an int, a
    slice, a list/tensor of ints or a bool mask) along ``dim``; ``dim=None`` works on
    the flattened tensor. Differentiable (it is an index_select of the kept entries).

    >>> t = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    >>> rgrad.delete(t, 1, dim=1)
    tensor([[1, 3],
            [4, 6]])
    >>> rgrad.delete(t, [0, 2])
    tensor([2, 4, 5, 6])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"delete(): argument 'input' must be Tensor, not {type(input).__name__}")
    arr, axis = _axis_of(input, dim)
    n = arr.shape[axis] if arr.dim() else 1
    idx, _ = _index_list(index, n, "delete")
    drop = set()
    for i in idx:
        if i < -n or i >= n:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        drop.add(i % n if n else i)
    keep = [i for i in range(n) if i not in drop]
    return _rgrad._take_along(arr, axis, keep)


def insert(input, index, values, dim=None):
    """NumPy's ``np.insert``: ``values`` inserted before ``index`` along ``dim``
    (``dim=None``: the flattened tensor). ``index`` is an int, a slice or a sequence of
    ints (several insertion points follow NumPy's rules: each refers to the original
    positions). ``values`` broadcast like NumPy's; they are cast to ``input``'s dtype.
    Differentiable with respect to both ``input`` and ``values``.

    >>> rgrad.insert(rgrad.tensor([1, 2, 3]), 1, 9)
    tensor([1, 9, 2, 3])
    >>> rgrad.insert(rgrad.tensor([[1, 2], [3, 4]]), 0, rgrad.tensor([7, 8]), dim=1)
    tensor([[7, 1, 2],
            [8, 3, 4]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"insert(): argument 'input' must be Tensor, not {type(input).__name__}")
    arr, axis = _axis_of(input, dim)
    n = arr.shape[axis]
    idx, scalar = _index_list(index, n, "insert")
    if not isinstance(values, Tensor):
        values = _rgrad.tensor(values, dtype=arr.dtype, device=arr.device)
    elif values.dtype != arr.dtype:
        values = values.to(arr.dtype)
    nd = arr.dim()
    if len(idx) == 1:
        i = idx[0]
        if i < -n or i > n:
            raise IndexError(f"index {index} is out of bounds for axis {axis} with size {n}")
        if i < 0:
            i += n
        v = values
        while v.dim() < nd:  # ndmin=arr.ndim
            v = v.unsqueeze(0)
        if scalar:
            v = v.movedim(0, axis)
        numnew = v.shape[axis]
        shape = list(arr.shape)
        shape[axis] = numnew
        v = v.broadcast_to(shape)
        before = arr.narrow(axis, 0, i)
        after = arr.narrow(axis, i, n - i)
        return _rgrad.cat([before, v, after], axis)
    numnew = len(idx)
    pos = []
    for i in idx:
        if i < -n or i > n:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
        pos.append(i + n if i < 0 else i)
    order = builtins.sorted(range(numnew), key=lambda k: pos[k])  # stable
    for rank, k in enumerate(order):
        pos[k] += rank
    shape = list(arr.shape)
    shape[axis] = numnew
    v = values.broadcast_to(shape)
    total = n + numnew
    perm = [-1] * total
    for k, p in enumerate(pos):
        perm[p] = n + k
    old = iter(range(n))
    perm = [p if p >= 0 else next(old) for p in perm]
    return _rgrad._take_along(_rgrad.cat([arr, v], axis), axis, perm)


def cartesian_prod(*tensors):
    """Cartesian product of 1-D tensors of one dtype, in ``itertools.product`` order: an
    ``(N, len(tensors))`` tensor whose rows are the combinations. With one tensor, that
    tensor itself. Differentiable (it is ``meshgrid`` + ``stack``).

    >>> rgrad.cartesian_prod(rgrad.tensor([1, 2]), rgrad.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"cartesian_prod(): expected Tensor as element {tensors.index(t)}, but got {type(t).__name__}")
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = _rgrad.meshgrid(*tensors, indexing="ij")
    return _rgrad.stack([g.reshape(-1) for g in grids], 1)


def _result_type_of(tensors):
    """``torch.result_type`` of a list of tensors: tensors with dims decide, a 0-d tensor
    only when it is of a higher category (float over int), as in PyTorch's promotion."""
    def fold(dtypes):
        out = dtypes[0]
        for d in dtypes[1:]:
            out = _rgrad.promote_types(out, d)
        return out

    dimmed = [t.dtype for t in tensors if t.dim() > 0]
    zero_dim = [t.dtype for t in tensors if t.dim() == 0]
    if not dimmed:
        return fold(zero_dim)
    out = fold(dimmed)
    if zero_dim:
        z = fold(zero_dim)
        if _out.category(z) > _out.category(out):
            out = _rgrad.promote_types(out, z)
    return out


def block_diag(*tensors):
    """A block-diagonal matrix of ``tensors`` (each 0-, 1- or 2-D: a scalar is a 1x1 block,
    a vector one row), in order from the top left, zeros elsewhere. The dtype is the
    promoted dtype of all blocks; no tensors give a 1x0 tensor. Differentiable.

    >>> rgrad.block_diag(rgrad.tensor([[1, 2]]), rgrad.tensor(3))
    tensor([[1, 2, 0],
            [0, 0, 3]])
    """
    blocks = []
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"block_diag(): argument 'tensors' must be tuple of Tensors, but found element of type {type(t).__name__} at pos {k}")
        if t.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {k} has {t.dim()} dimensions")
        blocks.append(t.reshape(1, -1) if t.dim() < 2 else t)
    if not blocks:
        return _rgrad.empty(1, 0)
    dtype = _result_type_of(tensors)
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        r, c = b.shape
        # each block's rows: zeros, the block, zeros (cat keeps the gradient path to b)
        pad_l = _rgrad.zeros(r, left, dtype=dtype, device=b.device)
        pad_r = _rgrad.zeros(r, width - left - c, dtype=dtype, device=b.device)
        rows.append(_rgrad.cat([pad_l, b.to(dtype), pad_r], 1))
        left += c
    return _rgrad.cat(rows, 0)


# Extra public functions defined here (names listed in __all__) are re-exported by rgrad.
__all__ = ["split", "unique", "delete", "insert", "cartesian_prod", "block_diag"]

# Functions this family adds to rgrad.linalg / rgrad.nn.functional (name -> callable).
LINALG = {}
FUNCTIONAL = {}
