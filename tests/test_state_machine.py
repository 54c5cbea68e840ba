"""A Hypothesis state machine: random programs of tensor operations, each step checked
against NumPy, and gradients against finite differences.

The machine keeps a set of live tensors, each with a NumPy mirror that is a view of
another mirror wherever the tensor is a view of another tensor, so an in-place write
through any alias must show in every tensor that shares the memory, in both libraries.
Rules create tensors (every dtype; 0-d, empty, size-1 and larger shapes), take views
(slices with negative steps, transposes, expand, unfold, unsqueeze, select, reshape),
run unary, binary (broadcasting, Python scalars) and reduction ops, index and write
through indices, run in-place ops on views, change dtypes, and differentiate. After every
step every live tensor must equal its mirror (values, dtype, shape); an op must raise
the exception class PyTorch raises where it should, and nothing may panic
(`pyo3_runtime.PanicException` derives from BaseException: it is never caught here).

Each step's oracle is NumPy given the step's actual inputs (the mirrors are re-synced
to rgrad's values after a float step, so ulp-level differences of transcendental
functions do not compound). Dtype rules come from `torch_result_type` below, a
re-implementation of PyTorch's documented promotion. Gradients: every step is also
appended to a replayable program, and `check_gradients` runs `rgrad.autograd.gradcheck`
on the whole program as a function of its float64 leaves.

The default run is bounded (see `SETTINGS`); `RGRAD_HYPOTHESIS=long` runs ten times
as many programs, twice as long, with fresh randomness.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import rgrad
from np_index import torch_getitem, torch_setitem

LONG = os.environ.get("RGRAD_HYPOTHESIS") == "long"
DTYPES = [rgrad.bool, rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64]
NP = {rgrad.bool: np.bool_, rgrad.int32: np.int32, rgrad.int64: np.int64, rgrad.float32: np.float32, rgrad.float64: np.float64}
RANK = {rgrad.bool: 0, rgrad.int32: 1, rgrad.int64: 2, rgrad.float32: 3, rgrad.float64: 4}
MAX_LIVE = 12


# ---------- PyTorch's type promotion (the oracle for dtypes) ----------

def _is_float(d):
    return d in (rgrad.float32, rgrad.float64)


def _promote(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] >= RANK[b] else b


def torch_result_type(*operands):
    """PyTorch's result_type: dimensioned tensors rank above 0-d tensors, which rank above
    Python numbers; a lower class only counts when it is of a higher category (bool < int <
    float), and a Python float then gives the default float dtype."""
    dim = zero = wrapped = None
    for x in operands:
        if isinstance(x, rgrad.Tensor):
            if x.dim() > 0:
                dim = _promote(dim, x.dtype)
            else:
                zero = _promote(zero, x.dtype)
        elif isinstance(x, bool):
            wrapped = _promote(wrapped, rgrad.bool)
        elif isinstance(x, int):
            wrapped = _promote(wrapped, rgrad.int64)
        else:
            wrapped = _promote(wrapped, rgrad.float32)

    def combine(higher, lower):
        if higher is not None and _is_float(higher):
            return higher
        if higher == rgrad.bool or (lower is not None and _is_float(lower)):
            return _promote(higher, lower)
        return higher if higher is not None else lower
    return combine(dim, combine(zero, wrapped))


# ---------- helpers ----------

def as_np(t):
    return np.array(t.detach().numpy())


def may_overlap(t):
    """Whether two elements of t may share memory (the same test rgrad's layout makes)."""
    dims = sorted((abs(s), n) for n, s in zip(t.shape, t.stride()) if n > 1)
    reach = 0
    for s, n in dims:
        if s <= reach:
            return True
        reach += (n - 1) * s
    return False


def close(got, expected, what, tol=None):
    """got (a tensor) against expected (NumPy): dtype, shape, values."""
    g = as_np(got)
    e = np.asarray(expected)
    assert g.dtype == e.dtype, f"{what}: dtype {g.dtype} != {e.dtype}"
    assert g.shape == e.shape, f"{what}: shape {g.shape} != {e.shape}"
    if g.dtype.kind == "f":
        # one step of float32 work is a few ulps (6e-8 each) of the operands' size; float64
        # steps the same at 1.1e-16; `tol` widens it for sums over many elements
        eps = np.finfo(g.dtype).eps
        rtol = 16 * eps if tol is None else tol
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(g, e, err_msg=what)


class Entry:
    """A live tensor, its NumPy mirror, how the program names it, and whether it is a smooth
    function of the leaves (only those are differentiated: finite differences across a kink
    of abs / sign / max would disagree with any subgradient)."""

    def __init__(self, name, t, mirror, smooth):
        self.name, self.t, self.mirror, self.smooth = name, t, mirror, smooth


class TensorPrograms(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.live = []
        self.program = []  # (function of env, for replay)
        self.leaves = []  # (name, numpy value) of float64 leaves that require grad
        self.counter = 0

    # ---------- bookkeeping ----------

    def add(self, t, mirror, replay, smooth=True):
        name = f"t{self.counter}"
        self.counter += 1
        self.live.append(Entry(name, t, mirror, smooth))
        self.program.append((name, replay))
        if len(self.live) > MAX_LIVE:
            self.live.pop(0)
        return name

    def sync(self):
        """Mirrors take rgrad's float values after a step was checked (no compounding)."""
        for e in self.live:
            if e.mirror.dtype.kind == "f" and e.mirror.flags.writeable:
                e.mirror[...] = as_np(e.t)

    def pick(self, data, pred=lambda e: True):
        cands = [e for e in self.live if pred(e)]
        if not cands:
            return None
        return data.draw(st.sampled_from(cands))

    # ---------- creators ----------

    @rule(data=st.data(), dtype=st.sampled_from(DTYPES), shape=st.sampled_from([(), (0,), (1,), (3,), (2, 3), (1, 4), (3, 0), (2, 1, 3), (4, 1)]),
          seed=st.integers(0, 2**16), grad=st.booleans())
    def create(self, data, dtype, shape, seed, grad):
        rng = np.random.default_rng(seed)
        if dtype == rgrad.bool:
            a = rng.random(shape) < 0.5
        elif dtype in (rgrad.int32, rgrad.int64):
            a = rng.integers(-5, 6, shape).astype(NP[dtype])
        else:
            a = rng.uniform(-2, 2, shape).astype(NP[dtype])
        grad = grad and dtype == rgrad.float64 and a.size <= 6
        t = rgrad.tensor(a, requires_grad=grad)
        close(t, a, "tensor()")
        name = self.add(t, a.copy(), None)
        if grad:
            self.leaves.append((name, a.copy()))
        else:
            self.program[-1] = (name, lambda env, a=a.copy(), d=dtype: rgrad.tensor(a, dtype=d))

    @rule(shape=st.sampled_from([(), (1,), (3,), (2, 3), (3, 1)]), seed=st.integers(0, 2**16))
    def create_leaf(self, shape, seed):
        """A float64 leaf that requires grad: what the gradient checks differentiate by."""
        a = np.random.default_rng(seed).uniform(-2, 2, shape)
        name = self.add(rgrad.tensor(a, requires_grad=True), a.copy(), None)
        self.leaves.append((name, a.copy()))

    @rule(kind=st.sampled_from(["zeros", "ones", "arange", "full"]), n=st.integers(0, 5), dtype=st.sampled_from(DTYPES))
    def create_factory(self, kind, n, dtype):
        make = {
            "zeros": lambda: (rgrad.zeros(n, dtype=dtype), np.zeros(n, NP[dtype])),
            "ones": lambda: (rgrad.ones(2, n, dtype=dtype), np.ones((2, n), NP[dtype])),
            "arange": lambda: (rgrad.arange(n, dtype=dtype), np.arange(n).astype(NP[dtype])),
            "full": lambda: (rgrad.full((n, 2), 3, dtype=dtype), np.full((n, 2), 3, NP[dtype])),
        }[kind]
        if kind == "arange" and dtype == rgrad.bool:
            with pytest.raises(NotImplementedError):
                make()
            return
        t, a = make()
        close(t, a, kind)
        self.add(t, a, lambda env, make=make: make()[0])

    # ---------- views ----------

    @rule(data=st.data())
    def view(self, data):
        e = self.pick(data)
        if e is None:
            return
        t, m = e.t, e.mirror
        kinds = ["flip", "unsqueeze"]
        if t.dim() >= 1:
            kinds += ["slice", "select", "expand", "unfold"]
        if t.dim() >= 2:
            kinds += ["transpose", "permute"]
        if t.is_contiguous():
            kinds.append("reshape")
        kind = data.draw(st.sampled_from(kinds))
        if kind == "slice":
            d = data.draw(st.integers(0, t.dim() - 1))
            start = data.draw(st.one_of(st.none(), st.integers(-4, 4)))
            stop = data.draw(st.one_of(st.none(), st.integers(-4, 4)))
            step = data.draw(st.sampled_from([1, 2, -1, -2, 3]))
            idx = (slice(None),) * d + (slice(start, stop, step),)
            fn, npf = (lambda x: x[idx]), (lambda a: a[idx])
        elif kind == "flip":
            idx = (slice(None, None, -1),) * t.dim() + (Ellipsis,)
            fn, npf = (lambda x: x[idx]), (lambda a: a[idx])
        elif kind == "select":
            d = data.draw(st.integers(0, t.dim() - 1))
            if t.shape[d] == 0:
                with pytest.raises(IndexError):
                    t.select(d, 0)
                return
            i = data.draw(st.integers(-t.shape[d], t.shape[d] - 1))
            fn, npf = (lambda x: x.select(d, i)), (lambda a: a[(slice(None),) * d + (i, Ellipsis)])
        elif kind == "unsqueeze":
            d = data.draw(st.integers(-t.dim() - 1, t.dim()))
            fn, npf = (lambda x: x.unsqueeze(d)), (lambda a: np.expand_dims(a, d))
        elif kind == "transpose":
            d0, d1 = data.draw(st.integers(0, t.dim() - 1)), data.draw(st.integers(0, t.dim() - 1))
            fn, npf = (lambda x: x.transpose(d0, d1)), (lambda a: np.swapaxes(a, d0, d1))
        elif kind == "permute":
            p = data.draw(st.permutations(range(t.dim())))
            fn, npf = (lambda x: x.permute(*p)), (lambda a: np.transpose(a, p))
        elif kind == "expand":
            shape = (data.draw(st.integers(0, 3)),) + tuple(s if s != 1 else data.draw(st.integers(1, 3)) for s in t.shape)
            # a writable NumPy view with the same zero strides (broadcast_to's is read-only)
            fn, npf = (lambda x: x.expand(*shape)), (lambda a: np.lib.stride_tricks.as_strided(
                a, shape, (0,) + tuple(st_ if n == s else 0 for n, s, st_ in zip(shape[1:], a.shape, a.strides)), writeable=True))
        elif kind == "unfold":
            d = data.draw(st.integers(0, t.dim() - 1))
            size = data.draw(st.integers(0, max(t.shape[d], 0) + 1))
            step = data.draw(st.integers(1, 3))
            if size > t.shape[d]:
                with pytest.raises(RuntimeError):
                    t.unfold(d, size, step)
                return

            def npf(a, d=d, size=size, step=step):
                w = np.lib.stride_tricks.sliding_window_view(a, size, axis=d, writeable=True) if size > 0 else np.zeros(
                    a.shape[:d] + (a.shape[d] + 1,) + a.shape[d + 1:] + (0,), a.dtype)
                return w[(slice(None),) * d + (slice(None, None, step),)]
            fn = lambda x: x.unfold(d, size, step)  # noqa: E731
        else:  # reshape of a contiguous tensor: a view in both
            shape = (-1,) if data.draw(st.booleans()) else (1, t.numel())
            fn, npf = (lambda x: x.reshape(*shape)), (lambda a: a.reshape(shape))
        out = fn(t)
        expected = npf(m)
        close(out, expected, f"view {kind}")
        # a view (rgrad may hand back the same tensor for a no-op view, as PyTorch's `alias`)
        assert out._base is not None or out.data_ptr() == t.data_ptr(), f"{kind} must be a view"
        self.add(out, expected, lambda env, src=e.name, fn=fn: fn(env[src]), e.smooth)

    # ---------- ops ----------

    @rule(data=st.data(), op=st.sampled_from(["neg", "abs", "exp", "sin", "tanh", "square", "sign", "sqrt"]))
    def unary(self, data, op):
        e = self.pick(data)
        if e is None:
            return
        t, a = e.t, as_np(e.t)
        if t.dtype == rgrad.bool and op in ("neg", "abs"):
            with pytest.raises(NotImplementedError):
                getattr(t, op)()
            return
        out = getattr(t, op)()
        fdt = NP[t.dtype] if _is_float(t.dtype) else np.float32
        with np.errstate(all="ignore"):
            expected = {
                "neg": lambda: -a,
                "abs": lambda: np.abs(a),
                "exp": lambda: np.exp(a.astype(fdt)),
                "sin": lambda: np.sin(a.astype(fdt)),
                "tanh": lambda: np.tanh(a.astype(fdt)),
                "sqrt": lambda: np.sqrt(a.astype(fdt)),
                "square": lambda: np.square(a.astype(np.int64) if a.dtype == np.bool_ else a),
                "sign": lambda: a.copy() if a.dtype == np.bool_ else np.where(np.isnan(a), 0, np.sign(a)).astype(a.dtype) + a.dtype.type(0),
            }[op]()
        close(out, expected, op, tol=4e-6 if fdt == np.float32 else 1e-13)
        smooth = e.smooth and op in ("neg", "exp", "sin", "tanh", "square")
        self.add(out, np.array(as_np(out)), lambda env, src=e.name: getattr(env[src], op)(), smooth)

    @rule(data=st.data(), op=st.sampled_from(["add", "sub", "mul", "div", "maximum", "lt", "eq"]),
          scalar=st.one_of(st.none(), st.sampled_from([2, -1, 0.5, True, 3.0])))
    def binary(self, data, op, scalar):
        e1 = self.pick(data)
        if e1 is None:
            return
        if scalar is None:
            e2 = self.pick(data)
            other, b = e2.t, as_np(e2.t)
        else:
            e2, other, b = None, scalar, np.asarray(scalar)
        t, a = e1.t, as_np(e1.t)
        if op == "maximum" and scalar is not None:
            return
        rt = torch_result_type(t, other)
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            with pytest.raises(RuntimeError):
                getattr(t, op)(other)
            return
        if op == "sub" and (t.dtype == rgrad.bool or isinstance(scalar, bool) or (e2 is not None and other.dtype == rgrad.bool)):
            with pytest.raises(NotImplementedError, match="Subtraction"):
                getattr(t, op)(other)
            return
        out = getattr(t, op)(other)
        ct = NP[rt]
        if op == "div" and not _is_float(rt):
            ct = np.float32
        x, y = a.astype(ct), b.astype(ct)
        with np.errstate(all="ignore"):
            expected = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide, "maximum": np.maximum,
                        "lt": np.less, "eq": np.equal}[op](x, y)
        if op in ("add", "sub", "mul") and rt == rgrad.bool:
            expected = {"add": np.logical_or, "mul": np.logical_and}[op](x, y)
        close(out, np.asarray(expected), f"{op} {t.dtype} {other if e2 is None else other.dtype}")
        src2 = None if e2 is None else e2.name
        # division by a tensor can land near a pole; maximum has a kink at ties
        smooth = e1.smooth and (e2 is None or e2.smooth) and op in ("add", "sub", "mul") + (("div",) if e2 is None else ())
        self.add(out, np.array(as_np(out)), lambda env, s1=e1.name, s2=src2, sc=scalar: getattr(env[s1], op)(env[s2] if s2 else sc), smooth)

    @rule(data=st.data(), op=st.sampled_from(["sum", "sum_dim", "mean", "amax", "cumsum"]))
    def reduce(self, data, op):
        e = self.pick(data)
        if e is None:
            return
        t, a = e.t, as_np(e.t)
        if op in ("sum_dim", "cumsum", "amax") and t.dim() == 0:
            return
        d = data.draw(st.integers(0, t.dim() - 1)) if t.dim() else 0
        if op == "mean" and not _is_float(t.dtype):
            with pytest.raises(RuntimeError):
                t.mean()
            return
        if op == "amax" and a.shape[d] == 0:
            with pytest.raises((RuntimeError, IndexError)):
                t.amax(d)
            return
        acc = a.astype(np.float64) if _is_float(t.dtype) else a.astype(np.int64)
        fn, expected = {
            "sum": (lambda x: x.sum(), acc.sum()),
            "sum_dim": (lambda x: x.sum(d), acc.sum(axis=d) if a.ndim else acc),
            "mean": (lambda x: x.mean(), acc.mean() if a.size else np.float64(np.nan)),
            "amax": (lambda x: x.amax(d), a.max(axis=d) if a.size else np.zeros(a.shape[:d] + a.shape[d + 1:], a.dtype)),
            "cumsum": (lambda x: x.cumsum(d), np.cumsum(acc, axis=d)),
        }[op]
        out = fn(t)
        if _is_float(t.dtype):
            expected = np.asarray(expected).astype(NP[t.dtype])
        elif op != "amax":
            expected = np.asarray(expected).astype(np.int64)
        # recursive summation: |error| <= (n - 1) eps sum|x| (any order, any CPU)
        n = max(a.size, 1)
        tol = n * np.finfo(NP[t.dtype]).eps * 4 if _is_float(t.dtype) else None
        if tol is not None:
            scale = max(float(np.abs(acc).sum()), 1.0)
            with np.errstate(invalid="ignore"):
                g = as_np(out).astype(np.float64)
                assert np.allclose(g, np.asarray(expected, np.float64), rtol=tol, atol=tol * scale, equal_nan=True), f"{op}: {g} vs {expected}"
            assert as_np(out).dtype == np.asarray(expected).dtype and as_np(out).shape == np.asarray(expected).shape
        else:
            close(out, expected, op)
        self.add(out, np.array(as_np(out)), lambda env, src=e.name: fn(env[src]), e.smooth and op != "amax")

    @rule(data=st.data(), dtype=st.sampled_from(DTYPES))
    def to_dtype(self, data, dtype):
        e = self.pick(data)
        if e is None:
            return
        out = e.t.to(dtype)
        if dtype == e.t.dtype:
            assert out is e.t or out.data_ptr() == e.t.data_ptr()  # PyTorch returns self
            return
        a = as_np(e.t)
        if a.dtype.kind == "f" and dtype in (rgrad.int32, rgrad.int64):
            info = np.iinfo(NP[dtype])
            if not (np.isfinite(a).all() and (a >= info.min).all() and (a <= info.max).all()):
                return  # out of range: a C cast, undefined in PyTorch too (rgrad saturates)
        with np.errstate(invalid="ignore"):
            close(out, a.astype(NP[dtype]) if dtype != rgrad.bool else a != 0, f"to({dtype})")
        self.add(out, np.array(as_np(out)), lambda env, src=e.name: env[src].to(dtype), e.smooth and dtype == rgrad.float64)

    # ---------- indexing ----------

    def draw_index(self, data, shape):
        items = []
        for s in shape[: data.draw(st.integers(0, len(shape)))]:
            kind = data.draw(st.sampled_from(["slice", "int", "list", "mask"] if s else ["slice", "mask"]))
            if kind == "int":
                items.append(data.draw(st.integers(-s, s - 1)))
            elif kind == "slice":
                items.append(slice(data.draw(st.one_of(st.none(), st.integers(-s - 1, s + 1))), None, data.draw(st.sampled_from([1, -1, 2]))))
            elif kind == "list":
                # distinct elements: which of two writes to one element wins is unspecified
                items.append(data.draw(st.lists(st.integers(-s, s - 1), min_size=1, max_size=3, unique_by=lambda i, s=s: i % s)))
            else:
                items.append(np.array(data.draw(st.lists(st.booleans(), min_size=s, max_size=s)), dtype=bool))
        if data.draw(st.booleans()):
            items.insert(data.draw(st.integers(0, len(items))), data.draw(st.sampled_from([None, Ellipsis])))
        return tuple(items)

    @staticmethod
    def rg(idx):
        return tuple(rgrad.tensor(x) if isinstance(x, np.ndarray) else x for x in idx)

    @rule(data=st.data())
    def getitem(self, data):
        e = self.pick(data)
        if e is None:
            return
        idx = self.draw_index(data, e.t.shape)
        try:
            expected = torch_getitem(e.mirror, idx)
        except IndexError:
            with pytest.raises(IndexError):
                e.t[self.rg(idx)]
            return
        out = e.t[self.rg(idx)]
        close(out, expected, f"getitem {idx}")
        self.add(out, expected, lambda env, src=e.name, idx=idx: env[src][self.rg(idx)], e.smooth)

    @staticmethod
    def autograd_refuses(t):
        """PyTorch refuses in-place writes to a leaf that requires grad and to its views."""
        return rgrad.is_grad_enabled() and t.requires_grad and (t.is_leaf or (t._base is not None and t._base.is_leaf and t._base.requires_grad))

    @staticmethod
    def stride0(t):
        return any(n > 1 and s == 0 for n, s in zip(t.shape, t.stride()))

    @rule(data=st.data(), scalar=st.sampled_from([0, 1, -3, 2.5, True]))
    def setitem(self, data, scalar):
        e = self.pick(data)
        if e is None:
            return
        idx = self.draw_index(data, e.t.shape)
        try:
            region = torch_getitem(e.mirror, idx)
        except IndexError:
            return
        use_tensor = data.draw(st.booleans())
        advanced = any(isinstance(x, (list, np.ndarray)) for x in idx)
        if use_tensor:
            vals = np.random.default_rng(data.draw(st.integers(0, 99))).uniform(-3, 3, region.shape)
            value_np = vals.astype(e.mirror.dtype) if e.mirror.dtype != np.bool_ else vals > 0
            value = rgrad.tensor(value_np, dtype=e.t.dtype)
            # a copy into memory that elements share is refused (the region for basic
            # indexing, the whole tensor for advanced); a Python number may fill it
            target = e.t if advanced else e.t[self.rg(idx)]
            err = RuntimeError if self.stride0(target) else None
            if err is None and may_overlap(target):
                return  # overlapping unfold windows: the order of the writes would decide
        else:
            if isinstance(scalar, float) and e.t.dtype not in (rgrad.float32, rgrad.float64):
                scalar = 2
            value_np, value, err = scalar, scalar, None
        if self.autograd_refuses(e.t):
            err = RuntimeError
        if err is not None:
            before = as_np(e.t)
            with pytest.raises(err):
                e.t[self.rg(idx)] = value
            close(e.t, before, "refused setitem: unchanged")
            return
        e.t[self.rg(idx)] = value
        torch_setitem(e.mirror, idx, value_np)
        self.program.append((None, lambda env, src=e.name, idx=idx, v=value_np, d=e.t.dtype, tens=use_tensor:
                             env[src].__setitem__(self.rg(idx), rgrad.tensor(v, dtype=d) if tens else v)))

    @rule(data=st.data(), op=st.sampled_from(["add_", "mul_"]), scalar=st.sampled_from([2, -1, 0.5]))
    def inplace(self, data, op, scalar):
        e = self.pick(data)
        if e is None:
            return
        err = None
        if self.stride0(e.t) or self.autograd_refuses(e.t):
            err = RuntimeError
        elif may_overlap(e.t):
            return  # overlapping unfold windows: the order of the writes would decide
        if e.t.dtype == rgrad.bool or (isinstance(scalar, float) and not _is_float(e.t.dtype)):
            err = RuntimeError  # the result type can't be cast back (bool + 2 is int64, int * 0.5 float)
        if err is not None:
            before = as_np(e.t)
            with pytest.raises(err):
                getattr(e.t, op)(scalar)
            close(e.t, before, f"{op} refused: unchanged")
            return
        getattr(e.t, op)(scalar)
        with np.errstate(all="ignore"):
            if op == "add_":
                e.mirror[...] += e.mirror.dtype.type(scalar)
            else:
                e.mirror[...] *= e.mirror.dtype.type(scalar)
        self.program.append((None, lambda env, src=e.name: getattr(env[src], op)(scalar)))

    # ---------- gradients ----------

    @precondition(lambda self: self.leaves)
    @rule(data=st.data())
    def check_gradients(self, data):
        e = self.pick(data, lambda e: e.smooth and e.t.dtype == rgrad.float64 and e.t.requires_grad and e.t.numel() > 0
                      and bool(np.isfinite(as_np(e.t)).all()) and float(np.abs(as_np(e.t)).max()) < 1e6)
        if e is None:
            return
        names = [n for n, _ in self.leaves]
        program = list(self.program)
        w = rgrad.tensor(np.random.default_rng(len(program)).uniform(0.5, 1.5, tuple(e.t.shape)))
        target = e.name

        def replay(*leaves):
            env = dict(zip(names, leaves))
            for name, step in program:
                if step is None:
                    continue
                r = step(env)
                if name is not None:
                    env[name] = r
            return (env[target] * w).sum()

        leaves = tuple(rgrad.tensor(v, requires_grad=True) for _, v in self.leaves)
        event(f"gradcheck over a program of {min(len(program) // 5 * 5, 30)}+ steps")
        assert rgrad.autograd.gradcheck(replay, leaves, atol=1e-5, rtol=1e-3)

    # ---------- the check after every step ----------

    @invariant()
    def everything_matches_its_mirror(self):
        for e in self.live:
            close(e.t, e.mirror, f"live tensor {e.name}", tol=4e-6 if e.mirror.dtype == np.float32 else 1e-12)
        self.sync()


_DEBUG = os.environ.get("RGRAD_SM_DEBUG")  # no shrinking: the first failures, fast
TensorPrograms.TestCase.settings = settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate] if _DEBUG else list(Phase),
    max_examples=400 if LONG else 40,
    stateful_step_count=40 if LONG else 20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
test_tensor_programs = TensorPrograms.TestCase
