"""Bad input never crashes: random arguments only raise the expected exception classes.

A Rust panic surfaces in Python as pyo3's PanicException (a BaseException, not an
Exception), so `pytest.raises(ALLOWED)` below fails loudly if one ever happens.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rgrad

ALLOWED = (RuntimeError, ValueError, TypeError, IndexError, MemoryError, OverflowError)

small_ints = st.integers(min_value=-5, max_value=6)
dims = st.integers(min_value=-6, max_value=6)
shapes = st.lists(st.integers(min_value=0, max_value=4), min_size=0, max_size=4)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=10),
    st.sampled_from([2**62, -(2**63), 2**70, 2**40]),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.tuples(small_ints, small_ints),
)


def call(fn, *args, **kwargs):
    """Runs fn; returns its result or None when it raised an allowed exception."""
    try:
        return fn(*args, **kwargs)
    except ALLOWED:
        return None


fuzz = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(st.sampled_from(["zeros", "ones", "empty", "rand", "randn"]), st.lists(st.one_of(small_ints, junk), max_size=4), st.sampled_from([None, rgrad.float32, rgrad.int64, rgrad.bool, "float64", 3]))
def test_creators_with_random_arguments(name, args, dtype):
    t = call(getattr(rgrad, name), *args, dtype=dtype)
    if t is not None:
        assert isinstance(t, rgrad.Tensor)


@fuzz
@given(st.one_of(junk, st.lists(st.one_of(junk, st.lists(junk, max_size=3)), max_size=3)), st.sampled_from([None, rgrad.float32, rgrad.int32, rgrad.bool]))
def test_tensor_from_random_data(data, dtype):
    call(rgrad.tensor, data, dtype=dtype)


@fuzz
@given(junk, junk, junk)
def test_arange_linspace_full_eye_randint(a, b, c):
    call(rgrad.arange, a, b, c)
    call(rgrad.linspace, a, b, c)
    call(rgrad.full, a, b)
    call(rgrad.eye, a, b)
    call(rgrad.randint, a, b, c)


VIEW_OPS = {
    "view": lambda t, a, b: t.view(a, b),
    "reshape": lambda t, a, b: t.reshape(a, b),
    "transpose": lambda t, a, b: t.transpose(a, b),
    "permute": lambda t, a, b: t.permute(a, b),
    "expand": lambda t, a, b: t.expand(a, b),
    "squeeze": lambda t, a, b: t.squeeze(a),
    "unsqueeze": lambda t, a, b: t.unsqueeze(a),
    "narrow": lambda t, a, b: t.narrow(a, b, 1),
    "select": lambda t, a, b: t.select(a, b),
    "flatten": lambda t, a, b: t.flatten(a, b),
    "unflatten": lambda t, a, b: t.unflatten(a, (b, -1)),
    "size": lambda t, a, b: t.size(a),
    "stride": lambda t, a, b: t.stride(a),
    "sum": lambda t, a, b: t.sum(a),
    "mean": lambda t, a, b: t.mean((a, b)),
}


@fuzz
@given(shapes, st.sampled_from(sorted(VIEW_OPS)), st.one_of(dims, junk), st.one_of(dims, junk))
def test_views_with_random_arguments(shape, op, a, b):
    t = rgrad.zeros(*shape) if shape else rgrad.zeros(())
    out = call(VIEW_OPS[op], t, a, b)
    if isinstance(out, rgrad.Tensor):
        assert len(out.shape) == len(out.stride()) == out.dim()
        if out.numel() < 10**6 and all(s < 2**31 for s in out.shape):
            np.asarray(out).sum()  # the result is a valid view NumPy can read


BINARY = ["__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__radd__", "__rsub__", "__rtruediv__", "__rpow__", "add_", "sub_", "mul_", "div_", "copy_", "dot", "__eq__", "__lt__"]


@fuzz
@given(shapes, shapes, st.sampled_from(rgrad_dtypes := [rgrad.bool, rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64]), st.sampled_from(rgrad_dtypes), st.sampled_from(BINARY), st.one_of(st.none(), junk))
def test_binary_ops_with_random_shapes_and_dtypes(sa, sb, da, db, op, scalar):
    a = rgrad.ones(*sa, dtype=da) if sa else rgrad.ones((), dtype=da)
    b = rgrad.ones(*sb, dtype=db) if sb else rgrad.ones((), dtype=db)
    other = b if scalar is None else scalar
    out = call(getattr(a, op), other)
    if isinstance(out, rgrad.Tensor):
        expected = np.broadcast_shapes(tuple(sa), tuple(sb)) if scalar is None and not op.endswith("_") and op != "dot" else None
        if expected is not None:
            assert out.shape == expected


@fuzz
@given(st.lists(junk, max_size=3), junk, junk)
def test_backward_and_grad_with_bad_arguments(grads, retain, inputs):
    x = rgrad.ones(2, requires_grad=True)
    y = x * 2
    call(y.backward, grads, retain_graph=retain if isinstance(retain, bool) else None)
    call(rgrad.autograd.grad, y, inputs)
    call(rgrad.autograd.grad, [y], [x], grads)


def test_error_messages_name_the_problem():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"):
        rgrad.ones(2, 3) + rgrad.ones(4)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-2, 1\], but got 5"):
        rgrad.ones(2, 3).sum(5)
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 1D tensors"):
        rgrad.dot(rgrad.ones(2, 2), rgrad.ones(2))
    with pytest.raises(RuntimeError, match="expected both vectors to have same dtype, but found Float and Double"):
        rgrad.dot(rgrad.ones(2), rgrad.ones(2, dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        rgrad.dot(rgrad.ones(2), rgrad.ones(3))
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        rgrad.ones(2, dtype=rgrad.int64).mean()
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool tensors"):
        rgrad.ones(2, dtype=rgrad.bool) - rgrad.ones(2, dtype=rgrad.bool)
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor"):
        -rgrad.ones(2, dtype=rgrad.bool)
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed"):
        rgrad.tensor([2]) ** -1
    with pytest.raises(TypeError, match="must be Tensor"):
        rgrad.add(1, 2)
    with pytest.raises(TypeError):
        rgrad.ones(2) + "a"
    with pytest.raises(TypeError, match="dtype must be"):
        rgrad.zeros(2, dtype=5)
    with pytest.raises(TypeError, match="unknown dtype"):
        rgrad.zeros(2, dtype="float16")
    with pytest.raises(RuntimeError, match="Expected one of cpu, gpu"):
        rgrad.zeros(2, device="tpu")
    with pytest.raises(RuntimeError, match="overflow|Overflow"):
        rgrad.ones(2) + 2**80
    with pytest.raises(MemoryError, match="too large"):
        rgrad.empty(2**40, 2**40)
