"""``default_collate`` and ``default_convert`` (as ``torch.utils.data._utils.collate``):
how a list of samples becomes a batch."""

import collections.abc
import re

import numpy as np

import rgrad
from ...._rgrad import Tensor

_NP_STR = re.compile(r"[SaUO]")
_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def default_convert(data):
    """NumPy arrays and numbers inside ``data`` to tensors, structure kept (what the loader
    does with ``batch_size=None``)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        if data.dtype.kind in "SaUO":
            return data
        return rgrad.as_tensor(data)
    if isinstance(data, np.generic):
        return rgrad.as_tensor(data) if data.dtype.kind not in "SaUO" else data
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()}) if not isinstance(data, dict) or type(data) is not dict else {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch):
    """Stacks a list of samples into a batch: tensors and NumPy arrays are stacked along a new
    first dim, Python floats become a float64 tensor, ints an int64 tensor, strings stay a
    list; dicts, named tuples and sequences are collated field by field (a sequence becomes
    a list)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return rgrad.stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if _NP_STR.search(elem.dtype.str) is not None:
            raise TypeError(_ERR.format(elem.dtype))
        return default_collate([rgrad.as_tensor(b) for b in batch])
    if isinstance(elem, np.generic):
        if _NP_STR.search(elem.dtype.str) is not None:
            raise TypeError(_ERR.format(elem.dtype))
        return rgrad.as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return rgrad.tensor(batch, dtype=rgrad.bool)
    if isinstance(elem, float):
        return rgrad.tensor(batch, dtype=rgrad.float64)
    if isinstance(elem, int):
        return rgrad.tensor(batch, dtype=rgrad.int64)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(collated) if type(elem) is not dict else collated
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        size = len(next(it))
        if not all(len(e) == size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        return [default_collate(samples) for samples in transposed]
    raise TypeError(_ERR.format(type(elem)))
