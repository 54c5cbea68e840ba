"""Python-level pieces of the matmul op family: einsum's argument forms, linear, multi_dot."""

from . import _rgrad
from . import _out

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "mm", "matmul", "bmm", "mv", "vdot", "inner", "outer", "ger", "kron",
    "addmm", "baddbmm", "addbmm", "addmv",
]

# Functions taking PyTorch's ``out=`` keyword (they win over the method wrappers).
_OUT_GEMM = ["mm", "bmm", "matmul", "mv", "addmm", "baddbmm", "addbmm", "addmv"]
_OUT_DOT = ["dot", "vdot"]
_OUT_MUL = ["outer", "ger", "kron"]
# composite in PyTorch: out= keeps autograd (the result is copied into out, CopyBackwards)
_OUT_TDOT = ["inner"]

# Extra public functions defined here (names listed in __all__) are re-exported by rgrad.
__all__ = ["einsum", "chain_matmul", "tensordot"] + _OUT_GEMM + _OUT_DOT + _OUT_MUL + _OUT_TDOT

# PyTorch's out= dtype rule for each kind of product (see _out.check_dtype)
_RULE = {"gemm": "exact", "dot": "dot", "mul": "cast", "tdot": "tensordot"}


def _with_out(name, kind, method=None, first="input"):
    """``rgrad.NAME(input, *args, out=None, **kw)``: the method, or PyTorch's out= semantics."""
    method = method or getattr(_rgrad.Tensor, name)

    # `out` comes from **kwargs (a keyword-only parameter makes every call parse slowly)
    def fn(input, *args, **kwargs):
        if not isinstance(input, _rgrad.Tensor):
            raise TypeError(f"{name}(): argument '{first}' (position 1) must be Tensor, not {type(input).__name__}")
        if not kwargs:
            return method(input, *args)
        out = kwargs.pop("out", None)
        if out is None:
            return method(input, *args, **kwargs)
        if not isinstance(out, _rgrad.Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        if kind != "tdot":  # composite in PyTorch: autograd goes through the copy into out
            _out.check_grad(name, [input, out, *args, *kwargs.values()])
        result = method(input, *args, **kwargs)
        one_d = name == "matmul" and input.dim() == 1 and args and getattr(args[0], "dim", lambda: 0)() == 1
        return _out.write(name, result, out, "dot" if one_d else _RULE[kind])

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (method.__doc__ or name) + "\n\nWith ``out=``, the result is written into ``out`` (same shape; PyTorch's dtype rules)."
    return fn


for _n in _OUT_GEMM:
    globals()[_n] = _with_out(_n, "gemm")
for _n in _OUT_DOT:
    globals()[_n] = _with_out(_n, "dot")
for _n in _OUT_MUL:
    globals()[_n] = _with_out(_n, "mul")
for _n in _OUT_TDOT:
    globals()[_n] = _with_out(_n, "tdot")
_tensordot_out = _with_out("tensordot", "tdot", _rgrad.tensordot, first="a")


def tensordot(a, b, dims=2, out=None):
    if out is None:
        return _rgrad.tensordot(a, b, dims)
    return _tensordot_out(a, b, dims, out=out)


tensordot.__doc__ = _rgrad.tensordot.__doc__ + "\n\nWith ``out=``, the result is copied into ``out`` (same shape and dtype)."
del _n


def _sublist_to_subscripts(sub):
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        elif isinstance(s, int) and 0 <= s < 52:
            out.append(letters[s])
        else:
            raise ValueError(f"einsum(): subscript in subscript list is not within the valid range [0, 52), got {s}")
    return "".join(out)


def einsum(*args):
    """``einsum(equation, *operands)``: Einstein summation.

    Operands may be given as varargs or as one list/tuple. Supports ``...``,
    repeated subscripts (diagonals and traces), implicit outputs (subscripts
    that appear once, in alphabetical order, uppercase first) and explicit
    ``->`` outputs. Also accepts the sublist form
    ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])``. Contractions run as batched
    matrix products.

    >>> rgrad.einsum('ij,j->i', rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), rgrad.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        eq = args[0]
        ops = args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = ops[0]
        return _rgrad._einsum(eq, list(ops))
    # sublist format: op, sub, op, sub, ..., [out]
    ops, subs = [], []
    rest = list(args)
    while len(rest) >= 2:
        ops.append(rest.pop(0))
        subs.append(_sublist_to_subscripts(rest.pop(0)))
    eq = ",".join(subs)
    if rest:
        eq += "->" + _sublist_to_subscripts(rest[0])
    return _rgrad._einsum(eq, ops)


def chain_matmul(*matrices):
    """Product of two or more 2-D tensors, left to right (deprecated in PyTorch; see ``linalg.multi_dot``).

    >>> rgrad.chain_matmul(rgrad.eye(2), rgrad.tensor([[1.0, 2.0], [3.0, 4.0]]), rgrad.ones(2, 1))
    tensor([[3.],
            [7.]])
    """
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = matrices[0]
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    out = matrices[0]
    for m in matrices[1:]:
        out = out.mm(m)
    return out


def multi_dot(tensors):
    """``linalg.multi_dot(tensors)``: product of a chain of matrices; the first and last may be 1-D.

    >>> rgrad.linalg.multi_dot([rgrad.tensor([1.0, 2.0]), rgrad.eye(2), rgrad.tensor([3.0, 4.0])])
    tensor(11.)
    """
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_1d = tensors[0].dim() == 1
    last_1d = tensors[-1].dim() == 1
    ts = list(tensors)
    if first_1d:
        ts[0] = ts[0].unsqueeze(0)
    if last_1d:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t.dim() != 2:
            which = "first" if i == 0 else ("last" if i == len(ts) - 1 else None)
            if which:
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got {tensors[i].dim()}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    out = ts[0]
    for t in ts[1:]:
        out = out.mm(t)
    if first_1d and last_1d:
        return out.reshape(())
    if first_1d:
        return out.squeeze(0)
    if last_1d:
        return out.squeeze(-1)
    return out


def _linalg_matmul(input, other, *, out=None):
    """``linalg.matmul(input, other, *, out=None)``: same as ``rgrad.matmul``.

    >>> rgrad.linalg.matmul(rgrad.tensor([[1.0, 2.0]]), rgrad.tensor([[3.0], [4.0]]))
    tensor([[11.]])
    """
    return globals()["matmul"](input, other, out=out)


def linear(input, weight, bias=None):
    """``nn.functional.linear(input, weight, bias=None)``: ``input @ weight.T + bias``.

    A 2-D input with a bias runs as one fused ``addmm``.

    >>> F = rgrad.nn.functional
    >>> F.linear(rgrad.tensor([[1.0, 2.0]]), rgrad.tensor([[1.0, 1.0], [0.0, -1.0]]), rgrad.tensor([0.5, 0.0]))
    tensor([[ 3.5000, -2.0000]])
    """
    return _rgrad._linear(input, weight, bias)


# Functions this family adds to rgrad.linalg / rgrad.nn.functional (name -> callable).
LINALG = {"matmul": _linalg_matmul, "multi_dot": multi_dot}
FUNCTIONAL = {"linear": linear}
