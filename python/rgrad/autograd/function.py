"""``rgrad.autograd.Function``: operations with a hand-written backward (as
``torch.autograd.Function``).

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    Exp.apply(x)

``forward`` runs without recording; its tensor outputs are then attached to the graph with
a node that calls ``backward`` (recorded in Rust: ``rgrad._rgrad._record_function``). The
backward runs with gradient recording on under ``create_graph=True``, so a backward written
with differentiable ops gives higher-order gradients.
"""

import functools

import rgrad
from .._rgrad import Tensor


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``: stores tensors for backward and
    any other attributes the function sets on it.

    >>> class Scale(rgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x, k):
    ...         ctx.k = k  # any attribute travels to backward
    ...         return x * k
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         return grad * ctx.k, None  # no gradient for k
    >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> Scale.apply(x, 3.0).sum().backward()
    >>> x.grad
    tensor([3., 3.])
    """

    def save_for_backward(self, *tensors):
        """Keeps tensors (or None) for ``backward`` (``ctx.saved_tensors``); an in-place change
        to one of them before backward is an error there, as in PyTorch."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {tensors.index(t)} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        """Accepted for compatibility (rgrad has no forward-mode AD)."""
        self.saved_for_forward = tensors

    def mark_non_differentiable(self, *args):
        """Marks outputs that get no gradient (e.g. an index output)."""
        self.non_differentiable = {id(a) for a in args}

    def mark_dirty(self, *args):
        """Marks inputs the forward changed in place. rgrad attaches the returned tensor (not
        the input object) to the graph."""
        self.dirty_tensors = args

    def set_materialize_grads(self, value):
        """Accepted; rgrad always passes zeros for outputs that got no gradient (what
        PyTorch does by default), so a backward that handles None works unchanged."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, in order."""
        saved = getattr(self, "_saved_in_backward", None)
        if saved is not None:
            return saved
        if getattr(self, "_freed", False):
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they have "
                "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward.")
        return tuple(getattr(self, "to_save", ()))


class BackwardCFunction(FunctionCtx):
    """The ctx of one ``apply`` call (PyTorch's name for it)."""


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_name = name + "Backward"


class Function(metaclass=_FunctionMeta):
    """Base class of custom operations: subclass it with static ``forward(ctx, *args)`` and
    ``backward(ctx, *grad_outputs)`` (or ``forward(*args)`` plus ``setup_context(ctx, inputs,
    output)``), and call ``MyFunction.apply(*args)``.

    >>> class Square(rgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> x = rgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = Square.apply(x)
    >>> y
    tensor([1., 4., 9.], grad_fn=<SquareBackward>)
    >>> y.sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    # as PyTorch: True would let vmap handle it; kept for code that reads it
    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd "
            "function with static forward method. (Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function "
                                  "to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = BackwardCFunction()
        tensor_args = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        separate_setup = cls.setup_context is not Function.setup_context
        with rgrad.no_grad():
            if separate_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        record = rgrad.is_grad_enabled() and any(a.requires_grad for _, a in tensor_args)
        if not record:
            return output
        return _attach(cls, ctx, args, tensor_args, output)


def _attach(cls, ctx, args, tensor_args, output):
    """Attaches the tensor outputs of ``forward`` to the graph with ``cls.backward``."""
    single = not isinstance(output, tuple)
    outs = (output,) if single else output
    non_diff = getattr(ctx, "non_differentiable", set())
    input_ids = {id(a) for _, a in tensor_args}
    # fresh handles for the outputs that get a gradient: an output may be an input itself, or
    # have a history of its own, and the graph node has to be its own
    attached = []
    for o in outs:
        if isinstance(o, Tensor) and id(o) not in non_diff and o.dtype.is_floating_point:
            attached.append(o.detach() if (id(o) in input_ids or o.grad_fn is not None or o.requires_grad) else o)
        else:
            attached.append(o)
    tensor_outs = [(k, o) for k, o in enumerate(attached) if isinstance(o, Tensor)]
    differentiable = [id(outs[k]) not in non_diff and o.dtype.is_floating_point for k, o in tensor_outs]
    # tensors to save: inputs as they are; outputs (which will carry this node) detached, so
    # that the node does not keep itself alive through them (Rust re-attaches them to their
    # node for a backward under create_graph)
    to_save = getattr(ctx, "to_save", ())
    # position of each output among the tensor outputs handed to Rust
    out_pos = {id(outs[k]): j for j, (k, _) in enumerate(tensor_outs)}
    saved, saved_layout, saved_output = [], [], []
    for t in to_save:
        if t is None:
            saved_layout.append(None)
            continue
        saved_layout.append(len(saved))
        if id(t) in out_pos:
            j = out_pos[id(t)]
            saved.append(tensor_outs[j][1].detach())
            saved_output.append(j)
        else:
            saved.append(t)
            saved_output.append(-1)
    # the saved tensors travel with the graph node (version-checked, freed after backward);
    # ctx keeps none of them, so that no output keeps its own node alive through ctx
    ctx.to_save = ()
    n_args, n_outs = len(args), len(attached)
    positions = [i for i, _ in tensor_args]
    input_shapes = {i: tuple(a.shape) for i, a in tensor_args}
    out_slots = [k for k, _ in tensor_outs]
    name = cls._backward_name

    def backward(saved_list, grads):
        ctx._saved_in_backward = tuple(None if s is None else saved_list[s] for s in saved_layout)
        try:
            full = [None] * n_outs  # outputs that are not tensors get None
            for k, g in zip(out_slots, grads):
                full[k] = g
            result = cls.backward(ctx, *full)
        finally:
            ctx._saved_in_backward = None
            ctx._freed = True
        return _check_grads(name, result, n_args, positions, input_shapes)

    rgrad._rgrad._record_function(name, [a for _, a in tensor_args], [o for _, o in tensor_outs], differentiable, saved,
                                  saved_output, backward)
    return attached[0] if single else tuple(attached)


def _check_grads(name, result, n_args, positions, input_shapes):
    """The gradients ``backward`` returned, one per tensor input, after PyTorch's checks."""
    if not isinstance(result, tuple):
        result = (result,)
    if len(result) != n_args:
        if len(result) > n_args and all(r is None for r in result[n_args:]):
            result = result[:n_args]
        else:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected {n_args}, got {len(result)})")
    out = []
    for i in positions:
        g = result[i]
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"function {name} returned a gradient different than None at position {i + 1}, but the "
                            "corresponding forward input was not a Variable")
        if g is not None and tuple(g.shape) != input_shapes[i]:
            try:
                ok = rgrad.broadcast_shapes(input_shapes[i], tuple(g.shape)) == tuple(g.shape)
            except RuntimeError:
                ok = False
            if not ok:
                raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got {list(g.shape)} but "
                                   f"expected shape compatible with {list(input_shapes[i])}")
        out.append(g)
    return out


def once_differentiable(fn):
    """Decorates a ``backward`` that is not itself differentiable: it runs without recording.

    >>> class Cube(rgrad.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     @rgrad.autograd.once_differentiable
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x ** 2 * grad
    >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> Cube.apply(x).sum().backward()
    >>> x.grad
    tensor([ 3., 12.])
    """

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with rgrad.no_grad():
            return fn(ctx, *args)

    return wrapper


def Variable(data=None, requires_grad=False, volatile=False):
    """The legacy ``Variable`` wrapper: returns a tensor sharing ``data``'s memory (PyTorch's
    Variables and Tensors are one type since 0.4).

    >>> v = rgrad.autograd.Variable(rgrad.tensor([1.0, 2.0]), requires_grad=True)
    >>> v
    tensor([1., 2.], requires_grad=True)
    >>> isinstance(v, rgrad.Tensor)
    True
    """
    if data is None:
        return rgrad.tensor([], requires_grad=requires_grad)
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    out = data.detach()
    if requires_grad:
        out.requires_grad_(True)
    return out
