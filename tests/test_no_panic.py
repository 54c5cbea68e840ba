"""No panic anywhere: every public function and Tensor method, called with a grid of
tensors (every dtype; 0-d, empty, size-1, non-contiguous) and odd arguments, either
returns or raises an ordinary exception. A Rust panic reaching Python
(`pyo3_runtime.PanicException`, a BaseException) fails the test, with the calls that
panicked listed.

Global state a call may change (default dtype, grad mode, print options, the random
generator) is restored after every call. Sizes in the grid stay small: a number that
could be a size is at most 7 (allocation limits are test_allocation.py's job)."""

import inspect
import operator

import pytest

import rgrad

# odd calls trip rgrad's own deprecation warnings (softmax without dim): expected here
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def tensors():
    """Fresh tensors (in-place methods may write to them): every dtype at a few shapes."""
    out = []
    for dt in (rgrad.bool, rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64):
        base = rgrad.arange(6).reshape(2, 3).to(dt)
        out += [base, base[0, 0].clone(), rgrad.zeros(0, dtype=dt), base[:1, :1], base.t(), base[:, ::-2]]
    return out


def few_tensors():
    return [rgrad.arange(6.0).reshape(2, 3), rgrad.tensor([1, 0, 2]), rgrad.tensor([True, False]), rgrad.tensor(1.5, dtype=rgrad.float64),
            rgrad.zeros(0), rgrad.arange(4.0, dtype=rgrad.float64, requires_grad=True)]


ODD = [None, -1, 0, 1, 2, 7, -2**63, 10**30, 1.5, float("nan"), True, "x", [], [0, 1], (1, 1), slice(None), Ellipsis,
       rgrad.float64, rgrad.int32]
ODD_SMALL = [None, -1, 0, 2, 0.5, True, (0,), rgrad.bool]


def odd_tensor_args():
    return [rgrad.tensor([0, 1]), rgrad.tensor(True), rgrad.tensor([[0.5]]), rgrad.tensor([], dtype=rgrad.int64)]


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path, monkeypatch):
    """Odd calls may write files (``rgrad.save(t, "x")``): into a temporary folder, not the
    checkout."""
    monkeypatch.chdir(tmp_path)


SKIP = {
    # replace the generator's whole state or print settings: covered by their own tests
    "set_rng_state", "set_printoptions",
}


class Sweep:
    def __init__(self):
        self.panics = []
        self.calls = 0

    def restore(self):
        rgrad.set_default_dtype(rgrad.float32)
        rgrad.set_default_device(None)  # a sweep call may have set "gpu"
        rgrad.autograd._set_grad_enabled(True)
        rgrad.manual_seed(0)

    def call(self, label, fn, *args):
        self.calls += 1
        try:
            fn(*args)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001
            if type(e).__name__ == "PanicException":
                self.panics.append(f"{label}{tuple(type(a).__name__ if hasattr(a, 'dtype') and not isinstance(a, type) else a for a in args)}: {e}")
        finally:
            self.restore()


def public_functions():
    mods = {"rgrad": rgrad, "rgrad.linalg": rgrad.linalg, "rgrad.nn.functional": rgrad.nn.functional}
    out = []
    for mname, mod in mods.items():
        for name in sorted(dir(mod)):
            obj = getattr(mod, name)
            if name.startswith("_") or name in SKIP or inspect.isclass(obj) or inspect.ismodule(obj) or not callable(obj):
                continue
            out.append((f"{mname}.{name}", obj))
    return out


OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod, operator.pow,
             operator.matmul, operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift, operator.lt,
             operator.le, operator.eq, operator.ne, operator.gt, operator.ge, operator.getitem, operator.iadd, operator.imul,
             operator.isub, operator.itruediv, operator.ipow, operator.iand]
UNARY = [operator.neg, operator.pos, operator.abs, operator.invert, operator.index, int, float, bool, len, iter, repr, str, hash]


KW_VALUES = [None, -1, 1, 2, 0.5, True, rgrad.bool, rgrad.float64, -2**63]


def keyword_names(fn):
    """The keyword parameters a function or method takes (from its signature, when it has one)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def sweep_keywords(sweep, label, fn, receivers):
    """Each keyword alone, set to each odd value, after each receiver (`round(decimals=1)` on a
    bool tensor was a panic that positional calls never reached)."""
    for kw in keyword_names(fn):
        for t in receivers:
            for v in KW_VALUES:
                sweep.call(f"{label}({kw}=)", lambda t, v, kw=kw: fn(t, **{kw: v}), t, v)


def test_sweep_reports_panics():
    class PanicException(BaseException):  # the name pyo3_runtime's has
        pass

    def panics(*_):
        raise PanicException("boom")

    sweep = Sweep()
    sweep.call("f", panics, 1)
    assert sweep.panics and "boom" in sweep.panics[0]


@pytest.mark.parametrize("chunk", range(4))
def test_functions_never_panic(chunk):
    sweep = Sweep()
    fns = public_functions()
    for label, fn in fns[chunk::4]:
        sweep.call(label, fn)
        for t in tensors():
            sweep.call(label, fn, t)
        for a in ODD + odd_tensor_args():
            sweep.call(label, fn, a)
        for t in few_tensors():
            for a in ODD + odd_tensor_args() + few_tensors():
                sweep.call(label, fn, t, a)
        for t in few_tensors()[:3]:
            for a in ODD_SMALL:
                for b in ODD_SMALL + few_tensors()[:2]:
                    sweep.call(label, fn, t, a, b)
        sweep_keywords(sweep, label, fn, tensors()[::3])
    assert sweep.calls > 1000
    assert not sweep.panics, "\n".join(sweep.panics[:50])


@pytest.mark.parametrize("chunk", range(4))
def test_methods_never_panic(chunk):
    sweep = Sweep()
    names = sorted(n for n in dir(rgrad.Tensor) if not n.startswith("__") and n not in SKIP)[chunk::4]
    for name in names:
        is_method = callable(inspect.getattr_static(rgrad.Tensor, name))  # not a property
        for recv in tensors():
            sweep.call(f"Tensor.{name}", lambda t=recv: getattr(t, name))
            if is_method:
                sweep.call(f"Tensor.{name}", lambda t=recv: getattr(t, name)())
        if not is_method:
            continue
        sweep_keywords(sweep, f"Tensor.{name}", getattr(rgrad.Tensor, name), tensors()[::3])
        for recv in few_tensors():
            for a in ODD + odd_tensor_args() + few_tensors():
                sweep.call(f"Tensor.{name}", lambda a, t=recv: getattr(t, name)(a), a)
        for recv in few_tensors()[:3]:
            for a in ODD_SMALL:
                for b in ODD_SMALL + few_tensors()[:2]:
                    sweep.call(f"Tensor.{name}", lambda a, b, t=recv: getattr(t, name)(a, b), a, b)
    assert sweep.calls > 1000
    assert not sweep.panics, "\n".join(sweep.panics[:50])


def test_operators_never_panic():
    sweep = Sweep()
    for op in OPERATORS:
        for t in tensors():
            for a in ODD + odd_tensor_args() + few_tensors():
                sweep.call(op.__name__, op, t, a)
                sweep.call(op.__name__ + " (reflected)", op, a, t)
    for op in UNARY:
        for t in tensors():
            sweep.call(getattr(op, "__name__", str(op)), op, t)
    for t in tensors():
        for k in ODD + odd_tensor_args():
            for v in ODD_SMALL + few_tensors()[:2]:
                sweep.call("setitem", operator.setitem, t, k, v)
    assert not sweep.panics, "\n".join(sweep.panics[:50])
