"""Automatic differentiation: ``grad``, ``backward``, ``gradcheck`` and grad mode."""

import functools
import threading

from .._rgrad import _set_grad_enabled, backward, grad, gradcheck, is_grad_enabled  # noqa: F401
from .._rgrad import Node  # noqa: F401
from . import function  # noqa: F401
from .function import Function, FunctionCtx, Variable, once_differentiable  # noqa: F401


class _DecoratorContext:
    """A context manager that also works as a decorator."""

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__.__new__(self.__class__)._clone(self):
                return fn(*args, **kwargs)

        return wrapper

    def _clone(self, other):
        self.__dict__.update(other.__dict__)
        return self


class no_grad(_DecoratorContext):
    """Disables gradient recording inside the block (or the decorated function; ``@no_grad``
    and ``@no_grad()`` both work)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = is_grad_enabled()
        _set_grad_enabled(False)

    def __exit__(self, *exc):
        _set_grad_enabled(self.prev)
        return False


# per thread, like grad mode itself
_INFERENCE = threading.local()


class inference_mode(_DecoratorContext):
    """``inference_mode(mode=True)``: turns gradient recording off in the block (or the
    decorated function), as ``no_grad``. rgrad has no separate inference tensors, so
    tensors made inside can later take part in autograd (PyTorch refuses that)."""

    def __new__(cls, mode=True):
        if callable(mode):  # used as a bare decorator: @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.prev = (True, False)

    def __enter__(self):
        self.prev = (is_grad_enabled(), is_inference_mode_enabled())
        if self.mode:
            _set_grad_enabled(False)
        _INFERENCE.on = self.mode

    def __exit__(self, *exc):
        _set_grad_enabled(self.prev[0])
        _INFERENCE.on = self.prev[1]
        return False


def is_inference_mode_enabled():
    """Whether the innermost ``inference_mode`` block on this thread is active (with ``mode=True``)."""
    return getattr(_INFERENCE, "on", False)


class enable_grad(_DecoratorContext):
    """Enables gradient recording inside the block (or the decorated function)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        self.prev = True

    def __enter__(self):
        self.prev = is_grad_enabled()
        _set_grad_enabled(True)

    def __exit__(self, *exc):
        _set_grad_enabled(self.prev)
        return False


class set_grad_enabled(_DecoratorContext):
    """Sets grad mode now (as a call) or for a block (as a context manager / decorator)."""

    def __init__(self, mode):
        self.prev = is_grad_enabled()
        self.mode = bool(mode)
        _set_grad_enabled(self.mode)

    def __call__(self, fn):
        # used as a decorator: undo the immediate switch made by __init__
        _set_grad_enabled(self.prev)
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set_grad_enabled(self.prev)
        return False
