"""PyTorch's indexing rules computed with NumPy (the oracle for `t[idx]` and `t[idx] = v`).

NumPy and PyTorch agree except where an int sits beside an advanced index: NumPy counts
the int as advanced (so `a[0, :, [0, 1]]` moves the indexed dims to the front), while
PyTorch selects with the int first (basic indexing) and then places the advanced block by
the dims it indexes in that view: adjacent dims keep their place, others go to the front.
PyTorch's algorithm in two NumPy steps:

1. the basic part: ints and 0-d int arrays, slices, None, Ellipsis; each advanced item
   (int array, bool mask, Python bool) becomes full slices (a new axis for a bool) and is
   remembered with the dim it lands on in this view;
2. the advanced part: the view indexed with those arrays at their dims and `:` elsewhere,
   where NumPy's adjacency rule is PyTorch's.
"""

import numpy as np


def _split(a, idx):
    """(basic index, [(dim in the basic view, advanced array)]) for `a[idx]`."""
    if not isinstance(idx, tuple):
        idx = (idx,)

    def is_int(x):
        return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_)) or (
            isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype != bool)

    def is_bool(x):
        return isinstance(x, (bool, np.bool_)) or (isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype == bool)

    consumed = 0
    for x in idx:
        if is_int(x) or isinstance(x, slice):
            consumed += 1
        elif x is not None and x is not Ellipsis and not is_bool(x):
            arr = np.asarray(x)  # an int array or list: one dim; a mask: as many as it has
            consumed += arr.ndim if arr.dtype == bool else 1
    basic, adv, out_dim = [], [], 0
    for x in idx:
        if is_int(x):
            basic.append(int(x))
        elif isinstance(x, slice):
            basic.append(x)
            out_dim += 1
        elif x is None:
            basic.append(None)
            out_dim += 1
        elif x is Ellipsis:
            basic.append(Ellipsis)
            out_dim += max(a.ndim - consumed, 0)
        elif is_bool(x):
            basic.append(None)
            adv.append((out_dim, np.array([0] if bool(x) else [], dtype=np.int64)))
            out_dim += 1
        else:
            x = np.asarray(x)
            k = x.ndim if x.dtype == bool else 1
            basic.extend([slice(None)] * k)
            adv.append((out_dim, x))
            out_dim += k
    if Ellipsis not in basic:
        basic.append(Ellipsis)  # a trailing `...` changes nothing but keeps NumPy's result a view (0-d too)
    return tuple(basic), adv


def _advanced(view, adv):
    """The index for step 2: the arrays at their dims, `:` elsewhere."""
    items, d, starts = [], 0, dict(adv)
    while d < view.ndim:
        if d in starts:
            x = starts[d]
            items.append(x)
            d += x.ndim if x.dtype == bool else 1
        else:
            items.append(slice(None))
            d += 1
    return tuple(items)


def torch_getitem(a, idx):
    """`a[idx]` with PyTorch's rules (a NumPy array: a view of `a` for basic indexing, as
    rgrad's; IndexError where PyTorch raises one)."""
    basic, adv = _split(a, idx)
    view = a[basic]
    if not adv:
        return view
    return np.asarray(view[_advanced(view, adv)])


def torch_setitem(a, idx, value):
    """`a[idx] = value` in place with PyTorch's rules."""
    basic, adv = _split(a, idx)
    view = a[basic]
    if not adv:
        view[...] = value
        return
    view[_advanced(view, adv)] = value
