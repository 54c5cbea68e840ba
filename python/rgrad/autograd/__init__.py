"""Automatic differentiation: ``grad``, ``backward``, ``gradcheck``, ``gradgradcheck``, grad mode and ``graph`` (pictures)."""

import functools
import threading

from .._rgrad import _set_grad_enabled, backward, grad, gradcheck, is_grad_enabled  # noqa: F401
from .._rgrad import Node  # noqa: F401
from .graph import Graph, GraphvizNotFound, graph  # noqa: F401,E402  (the function shadows its module's name)
from .._rgrad import tensor as _tensor
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
    and ``@no_grad()`` both work).

    >>> x = rgrad.ones(2, requires_grad=True)
    >>> with rgrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    >>> @rgrad.no_grad()
    ... def double(t):
    ...     return t * 2
    >>> double(x).requires_grad
    False
    """

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
    tensors made inside can later take part in autograd (PyTorch refuses that).

    >>> x = rgrad.ones(2, requires_grad=True)
    >>> with rgrad.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

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
    """Whether the innermost ``inference_mode`` block on this thread is active (with ``mode=True``).

    >>> with rgrad.inference_mode():
    ...     print(rgrad.is_inference_mode_enabled())
    ...
    True
    >>> rgrad.is_inference_mode_enabled()
    False
    """
    return getattr(_INFERENCE, "on", False)


class enable_grad(_DecoratorContext):
    """Enables gradient recording inside the block (or the decorated function).

    >>> x = rgrad.ones(2, requires_grad=True)
    >>> with rgrad.no_grad():
    ...     with rgrad.enable_grad():
    ...         y = x * 2
    >>> y.requires_grad
    True
    """

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
    """Sets grad mode now (as a call) or for a block (as a context manager / decorator).

    >>> x = rgrad.ones(2, requires_grad=True)
    >>> with rgrad.set_grad_enabled(False):
    ...     y = x * 2
    >>> y.requires_grad, rgrad.is_grad_enabled()
    (False, True)
    """

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


def _fixed_grad_outputs(outputs):
    """Deterministic stand-ins for random output gradients: values in [-1, 1) from a fixed
    linear congruential sequence (so a check never depends on the global RNG's state)."""
    state = 12345
    result = []
    for o in outputs:
        vals = []
        for _ in range(o.numel()):
            state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
            vals.append((state >> 11) / float(1 << 52) - 1.0)
        result.append(_tensor(vals, dtype=o.dtype, device=o.device).reshape(o.shape).requires_grad_())
    return result


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Checks second derivatives as ``torch.autograd.gradgradcheck``: runs ``gradcheck`` on the
    function ``(inputs, v) -> d<func(inputs), v>/d inputs``, computed with ``create_graph=True``,
    with respect to both the inputs and the output gradients ``v``. ``v`` defaults to fixed
    pseudo-random values (deterministic). Use float64 inputs.

    >>> x = rgrad.tensor([0.5, 1.5], dtype=rgrad.float64, requires_grad=True)
    >>> rgrad.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    True
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outputs = func(*inputs)
    outputs = tuple(outputs) if isinstance(outputs, (tuple, list)) else (outputs,)
    outputs = [o for o in outputs if o.requires_grad]
    if grad_outputs is None:
        grad_outputs = _fixed_grad_outputs(outputs)
    else:
        grad_outputs = list(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else [grad_outputs]
    n_in = len(inputs)
    diff = [i for i, x in enumerate(inputs) if getattr(x, "requires_grad", False)]

    def first_derivative(*args):
        xs, vs = args[:n_in], args[n_in:]
        with enable_grad():  # the first derivative is built with a graph, whatever the caller's mode
            outs = func(*xs)
            outs = tuple(outs) if isinstance(outs, (tuple, list)) else (outs,)
            outs = [o for o in outs if o.requires_grad]
            gs = grad(outs, [xs[i] for i in diff], list(vs), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_derivative, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
