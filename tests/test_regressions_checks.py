"""Regressions for issue 17, bugs 22-30: checks PyTorch makes that rgrad skipped, calls
rgrad refused that PyTorch computes, and exception classes. Values against NumPy."""

import numpy as np
import pytest

import rgrad
from conftest import assert_close

F = rgrad.nn.functional
t = rgrad.tensor


# ---------- 22. bool tensors where PyTorch has no kernel ----------

B = t([True, False])


@pytest.mark.parametrize("call", [
    lambda: B.abs(), lambda: B.abs_(), lambda: B.round(), lambda: B.floor(), lambda: B.ceil(), lambda: B.trunc(), lambda: B.fix(),
    lambda: B.round_(), lambda: B.floor_(), lambda: B ** B, lambda: B - B, lambda: B - True, lambda: True - B, lambda: B.sub(t([1, 2])),
    lambda: B.topk(1), lambda: B.nanmedian(), lambda: B.median(), lambda: rgrad.isin(B, B), lambda: rgrad.isin(t([1, 2]), B),
    lambda: t([1, 2]).cumsum(0, dtype=rgrad.bool), lambda: t([1, 2]).cumprod(0, dtype=rgrad.bool), lambda: rgrad.arange(2, dtype=rgrad.bool),
    lambda: rgrad.linspace(0, 1, 3, dtype=rgrad.bool), lambda: rgrad.logspace(0, 1, 3, dtype=rgrad.bool),
    lambda: B.scatter_reduce(0, t([0, 1]), B, "mean"), lambda: F.relu6(B), lambda: F.hardtanh(B), lambda: F.elu(B),
    lambda: F.hardsigmoid(B), lambda: F.hardswish(B), lambda: F.leaky_relu(B), lambda: -B, lambda: +B, lambda: B.kthvalue(1),
    lambda: rgrad.searchsorted(B, B), lambda: B.clamp(True), lambda: B.clamp(min=t([False]), max=t([True])),
    lambda: t([1, 2]).round(decimals=1), lambda: F.elu(t([1, 2])), lambda: F.hardsigmoid(t([1, 2])), lambda: F.leaky_relu(t([1, 2])),
])
def test_22_no_kernel_is_not_implemented(call):
    with pytest.raises(NotImplementedError):
        call()


def test_22_what_bool_tensors_do_support():
    assert_close(B.sign(), np.array([True, False]))
    assert_close(B ** 2, np.array([1, 0]))
    assert_close(B.cumsum(0), np.array([1, 1]))
    assert_close(B.clamp(t(True)), np.array([True, True]))  # one tensor bound: PyTorch computes it
    assert_close(B.clamp(0), np.array([1, 0]))  # an int bound promotes to int64


# ---------- 23. dtype checks ----------

def test_23_dtype_checks():
    x = rgrad.zeros(3, dtype=rgrad.float64)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        x[[1]] = t([1.0], dtype=rgrad.float32)
    with pytest.raises(RuntimeError, match="Index put requires"):
        x[t([True, False, True])] = t([1.0, 2.0], dtype=rgrad.float32)
    with pytest.raises(RuntimeError, match="Index put requires"):
        rgrad.zeros(2, 3, dtype=rgrad.float64)[0, [1]] = t([1.0], dtype=rgrad.float32)
    x[0:1] = t([1.0], dtype=rgrad.float32)  # basic indexing converts
    x[t([False, True, False])] = t(2.0, dtype=rgrad.float32)  # a one-element value through a mask too
    x[[2]] = 3  # a Python number always converts
    assert_close(x, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="for `weight`"):
        rgrad.lerp(t([1.0]), t([2.0]), t([0.5], dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="for `end`"):
        rgrad.lerp(t([1.0]), t([2.0], dtype=rgrad.float64), 0.5)
    assert_close(rgrad.lerp(t([1.0]), t([3.0]), 0.25), np.array([1.5], np.float32))
    with pytest.raises(RuntimeError, match="expected scalar type Double but found Bool"):
        rgrad.cross(t([[1.0, 2, 3]], dtype=rgrad.float64), t([[True, False, True]]), dim=1)
    with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean results"):
        t([1, 2]).add(t([1, 2]), alpha=True)
    with pytest.raises(RuntimeError, match="Boolean alpha"):
        t([1.0, 2]).sub(t([1.0, 2]), alpha=False)
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        t([1, 2]).add(t([1, 2]), alpha=0.5)
    with pytest.raises(RuntimeError, match="without overflow"):
        t([1], dtype=rgrad.int32).add(t([1], dtype=rgrad.int32), alpha=2**40)


# ---------- 24. dims and bounds on 0-d tensors, bounds of empty results ----------

def test_24_zero_dim_checks():
    with pytest.raises(IndexError, match="no dimensions"):
        t(1).size(-1)
    with pytest.raises(IndexError, match="no dimensions"):
        t(1).size(0)
    assert t([1, 2]).size(-1) == 2
    with pytest.raises(RuntimeError, match="Index to scalar can have only 1 value, got 2"):
        t(1.0).index_select(0, t([0, 0]))
    with pytest.raises(RuntimeError, match="got 0 value"):
        t(1.0).index_select(0, t([], dtype=rgrad.int64))
    with pytest.raises(IndexError, match="no dimensions"):
        rgrad.take_along_dim(t(1.0), t(0), 0)
    assert_close(rgrad.take_along_dim(t(1.0), t([0, 0])), np.array([1.0, 1.0], np.float32))
    with pytest.raises(TypeError):
        t(1.0).permute()
    assert t(1.0).permute(()).shape == ()
    with pytest.raises(IndexError, match="index -2 is out of bounds for dimension 0 with size 1"):
        t([[1.0, 2.0]])[t(-2), False]
    with pytest.raises(IndexError, match="out of bounds"):
        t([[1.0, 2.0]])[3, []]


# ---------- 25. logaddexp with an integer and a float operand ----------

@pytest.mark.parametrize("fn,oracle", [(rgrad.logaddexp, np.logaddexp), (rgrad.logaddexp2, np.logaddexp2)])
def test_25_logaddexp_promotes(fn, oracle):
    i, f = np.array([1, 2, -3]), np.array([1.5, -2.0, 0.25], np.float32)
    assert_close(fn(t(i), t(f)), oracle(i.astype(np.float32), f))
    assert_close(fn(t(f), t([True, False, True])), oracle(f, np.array([1, 0, 1], np.float32)))
    assert fn(t(i, dtype=rgrad.int32), t(2.0, dtype=rgrad.float64)).dtype == rgrad.float64
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        fn(t(i), t(i))
    with pytest.raises(TypeError):
        fn(t(f), 2.0)


# ---------- 26. int32 index tensors ----------

def test_26_int32_indices():
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    i = np.array([[0, 3], [1, 1], [2, 0]])
    x, i32 = t(a), t(i, dtype=rgrad.int32)
    assert_close(rgrad.gather(x, 1, i32), np.take_along_axis(a, i, 1))
    assert_close(rgrad.take_along_dim(x, i32, 1), np.take_along_axis(a, i, 1))
    src = np.ones((3, 2), np.float32)
    expected = np.zeros((3, 4), np.float32)
    np.add.at(expected, (np.arange(3)[:, None], i), src)
    assert_close(rgrad.zeros(3, 4).scatter_add(1, i32, t(src)), expected)
    assert_close(rgrad.zeros(3, 4).scatter_add_(1, i32, t(src)), expected)
    assert_close(rgrad.zeros(3, 4).scatter_reduce(1, i32, t(src), "sum"), expected)
    out = rgrad.zeros(3, 4).scatter(1, i32, t(src) * 2)
    assert_close(out, np.where(expected > 0, 2.0, 0.0).astype(np.float32))
    g = t(a.astype(np.float64), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda g: g.gather(1, i32), (g,))


# ---------- 27. integer pow with a negative exponent tensor ----------

def _int_pow(b, e):
    """C-style integer power (PyTorch's): a negative exponent gives 0, except for bases +-1."""
    if e < 0:
        return 1 if b == 1 else ((-1) ** (-e) if b == -1 else 0)
    return b ** e


def test_27_int_pow_negative_exponent_tensor():
    base, exp = np.array([2, 3, 1, -1, -1, 0]), np.array([-1, -2, -5, -3, -2, 2])
    assert_close(rgrad.pow(t(base), t(exp)), np.array([_int_pow(b, e) for b, e in zip(base, exp)]))
    assert_close(rgrad.pow(t([2, 3]), t(-1)), np.array([0, 0]))
    assert_close(2 ** t([-2, -1, 0, 3]), np.array([0, 0, 1, 8]))
    with pytest.raises(RuntimeError, match="negative integer powers"):
        t([2, 3]) ** -1  # a Python-number exponent is still refused
    with pytest.raises(RuntimeError, match="negative integer powers"):
        t([2, 3], dtype=rgrad.int32).pow_(-2)


# ---------- 28. mT of a 0-d tensor ----------

def test_28_mT_of_zero_dim():
    x = t(3.0)
    assert x.mT.shape == () and x.mT.item() == 3.0
    y = t(2.0, dtype=rgrad.float64, requires_grad=True)
    y.mT.backward()
    assert y.grad.item() == 1.0
    with pytest.raises(RuntimeError, match="Got 1-D"):
        t([1.0]).mT


# ---------- 29. calls PyTorch computes ----------

@pytest.mark.parametrize("dtype", [rgrad.int64, rgrad.int32, rgrad.bool])
def test_29_empty_int_and_bool_operands(dtype):
    z = lambda *s: rgrad.zeros(*s, dtype=dtype)  # noqa: E731
    for fn in (rgrad.softmax, rgrad.log_softmax):
        out = fn(z(0), 0)
        assert out.dtype == dtype and out.shape == (0,)
    zero = np.zeros((2, 3), dtype=z(1).numpy().dtype)
    assert_close(rgrad.matmul(z(2, 0), z(0, 3)), zero)
    assert_close(rgrad.tensordot(z(2, 0), z(0, 3), 1), zero)
    assert_close(rgrad.mv(z(2, 0), z(0)), np.zeros(2, zero.dtype))
    assert_close(rgrad.matmul(z(2, 0), z(0)), np.zeros(2, zero.dtype))
    if dtype == rgrad.bool:
        # vectors go through dot, which has no bool kernel even when empty (PyTorch)
        for fn in (rgrad.inner, rgrad.dot, rgrad.matmul):
            with pytest.raises(NotImplementedError, match="dot"):
                fn(z(0), z(0))
    else:
        assert_close(rgrad.inner(z(0), z(0)), np.zeros((), zero.dtype))
        assert_close(rgrad.dot(z(0), z(0)), np.zeros((), zero.dtype))
    if dtype != rgrad.bool:
        assert_close(rgrad.baddbmm(rgrad.ones(1, 2, 3, dtype=dtype), z(1, 2, 0), z(1, 0, 3)), np.ones((1, 2, 3), zero.dtype))


def test_29_other_calls():
    x = rgrad.zeros(2, 3)
    x[False] = rgrad.ones(5)  # writes nothing and checks no shapes (PyTorch)
    assert_close(x, np.zeros((2, 3), np.float32))
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x[t([False, False])] = rgrad.ones(5)
    assert_close(rgrad.nan_to_num(t([np.nan, np.inf]), None, 3), np.array([0.0, 3.0], np.float32))
    assert_close(t([np.nan]).nan_to_num(nan=None), np.array([0.0], np.float32))
    for dim in (1, 5, -3):
        assert rgrad.cat([rgrad.zeros(0), rgrad.zeros(0)], dim=dim).shape == (0,)
    with pytest.raises(IndexError):
        rgrad.zeros(0).cummax(1)


# ---------- 30. exception classes ----------

def test_30_exception_classes():
    for conv in (int, float):
        with pytest.raises(ValueError, match="only one element tensors"):
            conv(t([1, 2]))
    with pytest.raises(IndexError, match="out of range in self"):
        t([1.0, 2.0]).index_select(0, t([5]))
    with pytest.raises(IndexError, match="out of range in self"):
        t(1.0).index_select(0, t([1]))
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~t([1.0])
    with pytest.raises(NotImplementedError):
        t([1.0]).bitwise_not()  # the method keeps PyTorch's NotImplementedError
    with pytest.raises(TypeError, match="must be Tensor, not float"):
        rgrad.heaviside(t([1.0]), 0.5)
    with pytest.raises(TypeError):
        t([1.0]).reshape()
    with pytest.raises(TypeError):
        t([1.0]).view()
    assert t([1.0]).reshape(()).shape == ()
    with pytest.raises(RuntimeError, match="no dimensions"):
        t(1.0).unflatten(0, (1,))
    with pytest.raises(IndexError, match="Dimension out of range"):
        t(1.0).unflatten(1, (1,))
    with pytest.raises(IndexError, match="out of bounds"):
        t(1.0).index_add(0, t([1]), t(1.0))
    with pytest.raises(IndexError, match="Dimension out of range"):
        t(1.0).index_add(1, t([0]), t(1.0))
    assert t(1.0).index_add(0, t([0]), t(1.0)).item() == 2.0
