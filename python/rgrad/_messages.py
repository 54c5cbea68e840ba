"""PyTorch's wording for errors that several Python-level op families raise."""

# PyTorch's scalar-type names, as its messages print them ("... for 'Long'")
_TITLE = {"bool": "Bool", "int32": "Int", "int64": "Long", "float32": "Float", "float64": "Double"}


def dtype_title(dtype):
    """``rgrad.int64`` -> ``"Long"``."""
    return _TITLE[str(dtype).replace("rgrad.", "")]


def not_implemented(kernel, t):
    """PyTorch's error for an op with no kernel at ``t``'s dtype (``"exp_cpu" not implemented for 'Long'``)."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{dtype_title(t.dtype)}\'')


def cannot_resize_out(name, out, shape):
    """rgrad tensors can't change shape in place, so an ``out=`` of another shape is refused
    (PyTorch resizes it)."""
    return RuntimeError(
        f"{name}(): out= tensor has shape {list(out.shape)} but the result has shape {list(shape)}; "
        "rgrad can't resize out= tensors yet, pass one of the result's shape"
    )
