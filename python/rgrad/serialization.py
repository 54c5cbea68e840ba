"""``rgrad.save`` / ``rgrad.load``: tensors and state dicts in the safetensors format.

Nothing is pickled: a file holds named tensors and a string-to-string metadata map, so loading
an untrusted file cannot run code, and a malformed or truncated one raises an error that says
so. A flat ``{name: tensor}`` dict (a model's ``state_dict()``) is stored under its own keys,
so the file reads as the same dict with the ``safetensors`` package (and PyTorch through it).
Anything else (a single tensor; an optimizer's or scheduler's state dict, with its step
counts and hyper-parameters) is stored as its tensors plus a JSON description of the
structure in the metadata (key ``rgrad.structure``).

Also here: ``copy.deepcopy`` and pickling of tensors (pickle support is for the standard
library's own uses, e.g. ``multiprocessing``; ``rgrad.save`` never pickles).
"""

import json
import math
import os

import numpy as np

import rgrad
from ._rgrad import Tensor

_STRUCTURE = "rgrad.structure"
_ORDER = "rgrad.order"


def _encode(obj, path, tensors, seen):
    """A JSON-able description of ``obj``; its tensors are added to ``tensors`` by key."""
    if isinstance(obj, Tensor):
        key = seen.get(id(obj))
        if key is None:
            key = path or "tensor"
            while key in tensors:
                key += "_"
            tensors[key] = obj
            seen[id(obj)] = key
        return {"__tensor__": key}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return _encode(obj.item(), path, tensors, seen)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(f"rgrad.save: cannot store a dict key of type {type(k).__name__} (at '{path}')")
            items.append([_encode(k, path, {}, {}), _encode(v, _join(path, k), tensors, seen)])
        return {"__dict__": items}
    if isinstance(obj, (list, tuple)):
        enc = [_encode(v, _join(path, i), tensors, seen) for i, v in enumerate(obj)]
        return enc if isinstance(obj, list) else {"__tuple__": enc}
    if isinstance(obj, (set, frozenset)):
        return {"__set__": [_encode(v, path, {}, {}) for v in obj]}
    raise TypeError(f"rgrad.save: cannot store a value of type {type(obj).__name__} (at '{path or '<top>'}'): "
                    "a file holds tensors, numbers, strings, booleans, None, lists, tuples, sets and dicts; "
                    "nothing is pickled")


def _join(path, key):
    return f"{path}.{key}" if path else str(key)


def _decode(obj, tensors):
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__float__" in obj:
        return float(obj["__float__"])
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors) for v in obj["__tuple__"])
    if "__set__" in obj:
        return set(_decode(v, tensors) for v in obj["__set__"])
    if "__dict__" in obj:
        return {_decode(k, tensors): _decode(v, tensors) for k, v in obj["__dict__"]}
    raise ValueError(f"rgrad.load: unknown entry in the file's structure: {obj!r}")


def _is_flat_state_dict(obj):
    return (isinstance(obj, dict) and len(obj) > 0 and all(isinstance(k, str) for k in obj)
            and all(isinstance(v, Tensor) for v in obj.values()))


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """``save(obj, f)``: writes a tensor, a ``state_dict()`` or a nested dict/list of tensors
    and plain values (an optimizer's state dict) to ``f`` (a path or a binary file object) in
    the safetensors format. The pickle-related arguments of ``torch.save`` are accepted and
    ignored: nothing is pickled.

    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "weights.safetensors")
    ...     rgrad.save({"w": rgrad.tensor([1.0, 2.0]), "b": rgrad.tensor([0.5])}, path)
    ...     rgrad.load(path)
    {'w': tensor([1., 2.]), 'b': tensor([0.5000])}
    """
    if _is_flat_state_dict(obj):
        names = list(obj)
        tensors = [obj[k].detach() for k in names]
        metadata = {"format": "pt", _ORDER: json.dumps(names)}
    else:
        found = {}
        structure = _encode(obj, "", found, {})
        names = list(found)
        tensors = [found[k].detach() for k in names]
        metadata = {"format": "pt", _STRUCTURE: json.dumps(structure)}
    if hasattr(f, "write"):
        f.write(rgrad._rgrad._safetensors_bytes(names, tensors, metadata))
    else:
        rgrad._rgrad._save_safetensors(os.fspath(f), names, tensors, metadata)


def _check_map_location(map_location):
    if map_location is None or callable(map_location) or isinstance(map_location, dict):
        return
    # raises the library's clear error for a device that is not available
    rgrad.empty(0, device=map_location)


def _placer(map_location):
    """What ``load`` does to each tensor read (into host memory, its saved location "cpu"):
    nothing, move it to a device, look its location up in a dict, or call ``map_location(t,
    "cpu")`` as PyTorch calls it with a storage."""
    if map_location is None:
        return lambda t: t
    if callable(map_location):
        return lambda t: map_location(t, "cpu")
    if isinstance(map_location, dict):
        target = map_location.get("cpu")
        return (lambda t: t) if target is None else (lambda t: t.to(target))
    return lambda t: t.to(map_location)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """``load(f, map_location=None)``: reads what ``save`` wrote (or any safetensors file: a
    dict of its tensors) from a path or a binary file object. ``map_location`` may be
    a device (``"cpu"``, ``"gpu"``; one that is not available raises), a dict from saved location
    (always ``"cpu"``) to device, or a function ``(tensor, "cpu") -> tensor``. A malformed, truncated or pickle
    file raises RuntimeError saying so; nothing in the file is executed.

    >>> import io
    >>> buffer = io.BytesIO()
    >>> rgrad.save(rgrad.tensor([[1, 2], [3, 4]]), buffer)
    >>> _ = buffer.seek(0)
    >>> rgrad.load(buffer)
    tensor([[1, 2],
            [3, 4]])
    """
    _check_map_location(map_location)
    if hasattr(f, "read"):
        items, metadata = rgrad._rgrad._load_safetensors_bytes(f.read())
    else:
        items, metadata = rgrad._rgrad._load_safetensors(os.fspath(f))
    place = _placer(map_location)
    tensors = {k: place(v) for k, v in items}
    if _STRUCTURE in metadata:
        try:
            structure = json.loads(metadata[_STRUCTURE])
        except ValueError as e:
            raise RuntimeError(f"rgrad.load: the file's '{_STRUCTURE}' metadata is not valid JSON ({e})") from None
        try:
            return _decode(structure, tensors)
        except KeyError as e:
            raise RuntimeError(f"rgrad.load: the file's structure names a tensor {e} that the file does not hold") from None
    if _ORDER in metadata:
        try:
            order = json.loads(metadata[_ORDER])
            if sorted(order) == sorted(tensors):
                return {k: tensors[k] for k in order}
        except ValueError:
            pass
    return tensors


# ---------- copy.deepcopy and pickling of tensors ----------

def _tensor_deepcopy(self, memo):
    if id(self) in memo:
        return memo[id(self)]
    out = self.detach().clone()
    if self.requires_grad:
        out.requires_grad_(True)
    if self.grad is not None:
        out.grad = self.grad.detach().clone()
    memo[id(self)] = out
    return out


def _rebuild_tensor(array, requires_grad):
    t = rgrad.from_numpy(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _tensor_reduce_ex(self, protocol):
    if self.grad_fn is not None:
        raise RuntimeError("Can't pickle a tensor that is not a leaf of the autograd graph: detach() it first")
    return (_rebuild_tensor, (np.array(self.detach().numpy()), self.requires_grad))


Tensor.__deepcopy__ = _tensor_deepcopy
Tensor.__reduce_ex__ = _tensor_reduce_ex
