"""Elementwise ops: unary math, binary arithmetic with broadcasting and promotion,
comparisons, logical and bitwise ops, where/clamp/isclose, in-place variants,
gradients (gradcheck) and errors. NumPy is the oracle for values."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rgrad
from conftest import DTYPES, NP_OF, assert_close, rand_np, to_np

F = rgrad.nn.functional
FLOATS = [rgrad.float32, rgrad.float64]
INTS = [rgrad.int32, rgrad.int64]
_erf = np.vectorize(math.erf, otypes=[np.float64])


def t_of(a):
    return rgrad.tensor(a)


def np_float(x):
    """The dtype a float op gives an integer/bool input: the default float (float32)."""
    return x if x.dtype.kind == "f" else x.astype(np.float32)


def _gelu(x):
    return 0.5 * x * (1 + _erf(x / np.sqrt(2.0)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))


# name -> (numpy reference, domain (low, high))
UNARY_FLOAT = {
    "exp": (np.exp, (-5, 5)),
    "exp2": (np.exp2, (-5, 5)),
    "expm1": (np.expm1, (-3, 3)),
    "log": (np.log, (0.1, 5)),
    "log2": (np.log2, (0.1, 5)),
    "log10": (np.log10, (0.1, 5)),
    "log1p": (np.log1p, (-0.5, 5)),
    "sqrt": (np.sqrt, (0, 5)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), (0.2, 5)),
    "reciprocal": (np.reciprocal, (0.5, 5)),
    "sin": (np.sin, (-4, 4)),
    "cos": (np.cos, (-4, 4)),
    "tan": (np.tan, (-1.2, 1.2)),
    "asin": (np.arcsin, (-0.9, 0.9)),
    "acos": (np.arccos, (-0.9, 0.9)),
    "atan": (np.arctan, (-4, 4)),
    "sinh": (np.sinh, (-3, 3)),
    "cosh": (np.cosh, (-3, 3)),
    "tanh": (np.tanh, (-4, 4)),
    "asinh": (np.arcsinh, (-4, 4)),
    "acosh": (np.arccosh, (1.1, 5)),
    "atanh": (np.arctanh, (-0.9, 0.9)),
    "sigmoid": (_sigmoid, (-8, 8)),
    "erf": (_erf, (-3, 3)),
}
ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh"}


def _data(shape, dtype, lo, hi, seed=0):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(NP_OF[dtype])


# ---------------- unary ----------------

@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_float_values(name, dtype):
    ref, (lo, hi) = UNARY_FLOAT[name]
    x = _data((3, 17), dtype, lo, hi)
    got = getattr(rgrad, name)(t_of(x))
    want = ref(x.astype(np.float64)).astype(x.dtype)
    assert_close(got, want, rtol=2e-6 if dtype == rgrad.float32 else 1e-12, atol=1e-6 if dtype == rgrad.float32 else 1e-13)
    # method form and 0-d / empty inputs
    assert_close(getattr(t_of(x), name)(), want, rtol=2e-6, atol=1e-6)
    assert getattr(rgrad, name)(rgrad.tensor(x[0, 0])).shape == ()
    assert getattr(rgrad, name)(rgrad.zeros(0, 3, dtype=dtype)).shape == (0, 3)


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_unary_aliases(name):
    x = _data((5,), rgrad.float64, 0.1, 0.9)
    if name == "arccosh":
        x = x + 1
    assert_close(getattr(rgrad, name)(t_of(x)), getattr(rgrad, ALIASES[name])(t_of(x)).numpy())


@pytest.mark.parametrize("name", ["exp", "sqrt", "sin", "sigmoid", "log1p", "reciprocal"])
@pytest.mark.parametrize("dtype", [rgrad.bool, rgrad.int32, rgrad.int64])
def test_unary_float_ops_promote_ints(name, dtype):
    x = rand_np((4, 3), NP_OF[dtype], low=1, high=4) | (dtype == rgrad.bool)
    got = getattr(rgrad, name)(t_of(x))
    assert got.dtype == rgrad.float32
    assert_close(got, UNARY_FLOAT[name][0](x.astype(np.float64)).astype(np.float32) if name in UNARY_FLOAT else None, rtol=2e-6)


def test_exp_full_range_and_special_values():
    for dtype, npd in ((rgrad.float32, np.float32), (rgrad.float64, np.float64)):
        x = np.concatenate([np.linspace(-120, 120, 20001), np.linspace(-760, 720, 3001),
                            [0.0, -0.0, np.inf, -np.inf, np.nan, 88.72, 88.73, -87.3, -103.9, 709.7, 709.8, -745.1]]).astype(npd)
        got = to_np(rgrad.tensor(x).exp())
        with np.errstate(over="ignore"):
            want = np.exp(x.astype(np.float64)).astype(npd)
        # about 1 ulp, also through the subnormals
        np.testing.assert_allclose(got, want, rtol=3 * np.finfo(npd).eps, atol=2 * np.finfo(npd).smallest_subnormal, equal_nan=True)
        assert np.isnan(got[-8])


def test_sigmoid_tanh_silu_extremes():
    x = np.array([-1e4, -100, -30, -1e-8, 0, 1e-8, 30, 100, 1e4, np.inf, -np.inf, np.nan], dtype=np.float32)
    s = to_np(rgrad.tensor(x).sigmoid())
    with np.errstate(over="ignore"):
        # exp(100) overflows float32, so sigmoid(-100) is 0 (PyTorch's kernel gives 0 as well)
        np.testing.assert_allclose(s, _sigmoid(x.astype(np.float64)).astype(np.float32), rtol=1e-6, atol=1e-38, equal_nan=True)
    np.testing.assert_allclose(to_np(rgrad.tensor(x).tanh()), np.tanh(x), rtol=2e-6, equal_nan=True)
    xs = np.linspace(-10, 10, 4001).astype(np.float32)
    np.testing.assert_allclose(to_np(rgrad.tensor(xs).tanh()), np.tanh(xs.astype(np.float64)), rtol=3e-7, atol=1e-30)
    sl = to_np(F.silu(rgrad.tensor(xs)))
    np.testing.assert_allclose(sl, xs / (1 + np.exp(-xs.astype(np.float64))), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sign_abs_neg_square(dtype):
    x = rand_np((6, 5), NP_OF[dtype])
    t = t_of(x)
    if dtype == rgrad.bool:
        with pytest.raises(NotImplementedError, match="Negation"):
            -t
        with pytest.raises(NotImplementedError, match="abs_cpu"):
            t.abs()  # PyTorch has no bool abs kernel
        assert rgrad.square(t).dtype == rgrad.int64
        return
    assert_close(-t, -x)
    assert_close(rgrad.neg(t), -x)
    assert_close(rgrad.negative(t), -x)
    assert_close(t.abs(), np.abs(x))
    assert_close(abs(t), np.abs(x))
    assert_close(t.sign(), np.sign(x))
    assert_close(rgrad.square(t), x * x)


def test_rounding_family():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.2, 3.14159, -0.0, np.nan, np.inf], dtype=np.float64)
    t = t_of(x)
    assert_close(t.floor(), np.floor(x))
    assert_close(t.ceil(), np.ceil(x))
    assert_close(t.round(), np.round(x))
    assert_close(t.trunc(), np.trunc(x))
    assert_close(rgrad.fix(t), np.trunc(x))
    with np.errstate(invalid="ignore"):
        assert_close(t.frac(), x - np.trunc(x))
    assert_close(t.round(decimals=2), np.round(x, 2))
    assert_close(rgrad.round(t * 100, decimals=-2), np.round(x * 100, -2))
    i = rgrad.tensor([1, -2, 3])
    assert_close(i.floor(), np.array([1, -2, 3]))
    assert i.round().dtype == rgrad.int64
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        i.frac()


@pytest.mark.parametrize("dtype", DTYPES)
def test_predicates(dtype):
    if dtype.is_floating_point:
        x = np.array([1.0, np.nan, np.inf, -np.inf, -0.0, -2.0], dtype=NP_OF[dtype])
    else:
        x = rand_np((6,), NP_OF[dtype])
    t = t_of(x)
    assert_close(t.isnan(), np.isnan(x))
    assert_close(rgrad.isinf(t), np.isinf(x))
    assert_close(rgrad.isfinite(t), np.isfinite(x))
    assert_close(rgrad.isposinf(t), np.isposinf(x))
    assert_close(rgrad.isneginf(t), np.isneginf(x))
    assert_close(rgrad.signbit(t), np.signbit(x))
    assert_close(rgrad.logical_not(t), np.logical_not(x))


def test_nan_to_num():
    x = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    assert_close(t_of(x).nan_to_num(), np.nan_to_num(x))
    assert_close(rgrad.nan_to_num(t_of(x), nan=2.0, posinf=9.0, neginf=-9.0), np.nan_to_num(x, nan=2.0, posinf=9.0, neginf=-9.0))
    y = t_of(x.copy())
    y.nan_to_num_()
    assert_close(y, np.nan_to_num(x))
    assert_close(rgrad.tensor([1, 2]).nan_to_num(), np.array([1, 2]))


# ---------------- activations ----------------

def test_activations():
    x = _data((4, 9), rgrad.float64, -4, 4)
    t = t_of(x)
    assert_close(F.relu(t), np.maximum(x, 0))
    assert_close(rgrad.relu(t), np.maximum(x, 0))
    assert_close(F.gelu(t), _gelu(x), rtol=1e-12)
    assert_close(F.gelu(t, approximate="tanh"), _gelu_tanh(x), rtol=1e-12)
    assert_close(F.silu(t), x * _sigmoid(x), rtol=1e-12)
    assert_close(F.softplus(t), _softplus(x), rtol=1e-12)
    assert_close(F.softplus(t, beta=2.0, threshold=3.0), np.where(2 * x > 3, x, np.log1p(np.exp(2 * x)) / 2), rtol=1e-12)
    assert_close(F.sigmoid(t), _sigmoid(x), rtol=1e-12)
    assert_close(F.tanh(t), np.tanh(x), rtol=1e-12)
    assert_close(rgrad.relu(rgrad.tensor([-1, 2])), np.array([0, 2]))
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(t, approximate="fast")
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        F.gelu(rgrad.tensor([1, 2]))
    u = t.clone()
    assert F.relu(u, inplace=True) is u
    assert_close(u, np.maximum(x, 0))
    f32 = _data((1000,), rgrad.float32, -10, 10)
    assert_close(F.gelu(t_of(f32), approximate="tanh"), _gelu_tanh(f32.astype(np.float64)).astype(np.float32), rtol=1e-5, atol=1e-6)


# ---------------- binary ----------------

ARITH = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "maximum": np.maximum, "minimum": np.minimum,
    "fmax": np.fmax, "fmin": np.fmin,
}


@pytest.mark.parametrize("name", sorted(ARITH))
@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("db", DTYPES)
def test_binary_arith_dtypes(name, da, db):
    a = rand_np((3, 4), NP_OF[da])
    b = rand_np((4,), NP_OF[db], rng=np.random.default_rng(1))
    if name == "sub" and rgrad.bool in (da, db):
        # PyTorch refuses `-` with any bool operand (NotImplementedError, a RuntimeError)
        with pytest.raises(NotImplementedError, match="Subtraction"):
            rgrad.sub(t_of(a), t_of(b))
        return
    got = getattr(rgrad, name)(t_of(a), t_of(b))
    # NumPy's promotion differs (int32 + float32 -> float64): cast to PyTorch's result type
    want = ARITH[name](a, b).astype(NP_OF[rgrad.promote_types(da, db)])
    assert_close(got, want)


@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("db", DTYPES)
def test_true_division_and_comparisons(da, db):
    a = rand_np((3, 4), NP_OF[da])
    b = rand_np((3, 1), NP_OF[db], rng=np.random.default_rng(1), low=1, high=4)
    ta, tb = t_of(a), t_of(b)
    q = ta / tb
    assert q.dtype == (rgrad.float64 if rgrad.float64 in (da, db) else rgrad.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        assert_close(q, (a.astype(np.float64) / b).astype(to_np(q).dtype), rtol=1e-6)
    for op, ref in ((rgrad.eq, np.equal), (rgrad.ne, np.not_equal), (rgrad.lt, np.less), (rgrad.le, np.less_equal),
                    (rgrad.gt, np.greater), (rgrad.ge, np.greater_equal)):
        assert_close(op(ta, tb), ref(a, b))
    assert_close(ta == tb, a == b)
    assert_close(ta < tb, a < b)
    assert_close(ta >= tb, a >= b)
    for op, ref in ((rgrad.logical_and, np.logical_and), (rgrad.logical_or, np.logical_or), (rgrad.logical_xor, np.logical_xor)):
        assert_close(op(ta, tb), ref(a, b))


def test_comparison_aliases_and_scalars():
    a = rgrad.tensor([1.0, 2.0, 3.0])
    assert_close(rgrad.greater(a, 2), np.array([False, False, True]))
    assert_close(rgrad.greater_equal(a, 2), np.array([False, True, True]))
    assert_close(rgrad.less(a, 2), np.array([True, False, False]))
    assert_close(rgrad.less_equal(a, 2), np.array([True, True, False]))
    assert_close(rgrad.not_equal(a, 2), np.array([True, False, True]))
    assert_close(2 < a, np.array([False, False, True]))
    assert_close(a.eq(2.0), np.array([False, True, False]))
    assert (a == None) is False  # noqa: E711
    assert rgrad.equal(a, rgrad.tensor([1.0, 2.0, 3.0]))
    assert not rgrad.equal(a, rgrad.tensor([1.0, 2.0]))
    assert not a.equal(rgrad.tensor([1.0, 2.0, 4.0]))


@settings(max_examples=60, deadline=None)
@given(
    sa=st.lists(st.integers(1, 4), min_size=0, max_size=4),
    sb=st.lists(st.integers(1, 4), min_size=0, max_size=4),
    ones=st.lists(st.booleans(), min_size=8, max_size=8),
    op=st.sampled_from(["add", "sub", "mul", "div", "maximum", "atan2", "remainder", "fmod", "pow", "hypot", "copysign"]),
)
def test_broadcasting_hypothesis(sa, sb, ones, op):
    # make the shapes broadcastable by putting 1s in some positions
    n = max(len(sa), len(sb))
    sa = [1 if ones[i] else s for i, s in enumerate(sa)]
    sb = list(sb)
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1:
            sb[-i] = 1 if ones[(i + 3) % 8] else sa[-i]
    rng = np.random.default_rng(n)
    a = rng.uniform(0.5, 3, size=sa)
    b = rng.uniform(0.5, 3, size=sb) * (1 if op not in ("copysign", "atan2") else rng.choice([-1, 1], size=sb))
    ref = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "maximum": np.maximum,
           "atan2": np.arctan2, "remainder": np.remainder, "fmod": np.fmod, "pow": np.power, "hypot": np.hypot,
           "copysign": np.copysign}[op]
    got = getattr(rgrad, op)(rgrad.tensor(a, dtype=rgrad.float64), rgrad.tensor(b, dtype=rgrad.float64))
    assert_close(got, np.asarray(ref(a, b)), rtol=1e-12, atol=1e-12)


def test_broadcast_error_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"\[2, 3\] and \[4\]"):
        rgrad.zeros(2, 3) + rgrad.zeros(4)
    with pytest.raises(RuntimeError, match=r"\[2, 3\].*\[4\]"):
        rgrad.maximum(rgrad.zeros(2, 3), rgrad.zeros(4))


NONCONTIG = ["transposed", "sliced", "expanded", "negative"]


@pytest.mark.parametrize("kind", NONCONTIG)
def test_non_contiguous_inputs(kind):
    a = _data((6, 7), rgrad.float64, -3, 3)
    b = _data((6, 7), rgrad.float64, -3, 3, seed=1)
    if kind == "negative":
        ta, tb = rgrad.tensor(a)[::-1], rgrad.tensor(b)
        a = a[::-1]
    elif kind == "transposed":
        a, b = a[:, :6], b[:, :6]
        ta, tb = rgrad.tensor(a).T, rgrad.tensor(b)
        a = a.T
    elif kind == "sliced":
        a, b = a[::2, 1::3], b[::2, 1::3]
        ta, tb = rgrad.from_numpy(a), rgrad.from_numpy(b)
    else:
        ta, tb = rgrad.tensor(a).narrow(0, 0, 1).expand(5, 7), rgrad.tensor(b).narrow(0, 0, 5)
        a, b = np.broadcast_to(a[:1], (5, 7)), b[:5]
    assert not ta.is_contiguous()
    assert_close(ta + tb, a + b)
    assert_close(ta * tb, a * b)
    assert_close(rgrad.maximum(ta, tb), np.maximum(a, b))
    assert_close(ta.exp(), np.exp(a), rtol=1e-13)
    assert_close(ta.sigmoid(), _sigmoid(a), rtol=1e-13)
    assert_close(rgrad.where(ta > 0, ta, tb), np.where(a > 0, a, b))
    assert_close(ta.clamp(-1, 1), np.clip(a, -1, 1))


def test_transposed_large_tiled_path():
    m = np.random.default_rng(0).standard_normal((300, 520)).astype(np.float32)
    t = rgrad.tensor(m)
    mm = rgrad.tensor(np.ascontiguousarray(m.T))
    assert_close(t.T + mm, m.T + m.T)
    assert_close(mm + t.T, m.T + m.T)
    assert_close(rgrad.where(t.T > 0, t.T, mm), np.where(m.T > 0, m.T, m.T))
    assert_close(t.T.exp(), np.exp(m.T), rtol=1e-6)
    r = rgrad.tensor(m[:, :300])
    assert_close(r.T * r, m[:, :300].T * m[:, :300])


def test_scalars_promote_like_pytorch():
    i32 = rgrad.tensor([1, 2], dtype=rgrad.int32)
    assert (i32 + 1).dtype == rgrad.int32
    assert (i32 + 1.5).dtype == rgrad.float32
    assert (1.5 * i32).dtype == rgrad.float32
    assert (i32 / 2).dtype == rgrad.float32
    assert (rgrad.tensor([1.0]) + rgrad.tensor(1.0, dtype=rgrad.float64)).dtype == rgrad.float32
    assert (i32 + rgrad.tensor(1.0, dtype=rgrad.float64)).dtype == rgrad.float64
    assert (rgrad.tensor([True]) + True).dtype == rgrad.bool
    assert (rgrad.tensor([True]) + 1).dtype == rgrad.int64
    assert_close(2 - i32, np.array([1, 0], dtype=np.int32))
    assert_close(6 / rgrad.tensor([2.0, 3.0]), np.array([3.0, 2.0], dtype=np.float32))
    assert_close(2 ** rgrad.tensor([1.0, 3.0]), np.array([2.0, 8.0], dtype=np.float32))
    assert_close(rgrad.pow(2, rgrad.tensor([1, 3])), np.array([2, 8]))
    assert_close(rgrad.add(i32, i32, alpha=2), np.array([3, 6], dtype=np.int32))
    assert_close(rgrad.sub(i32, i32, alpha=2), np.array([-1, -2], dtype=np.int32))


# ---------------- integer division family ----------------

@pytest.mark.parametrize("dtype", INTS)
def test_integer_division_semantics(dtype):
    a = np.array([7, -7, 7, -7, 0, 5], dtype=NP_OF[dtype])
    b = np.array([2, 2, -2, -2, 3, 5], dtype=NP_OF[dtype])
    ta, tb = t_of(a), t_of(b)
    assert_close(ta // tb, a // b)
    assert_close(rgrad.floor_divide(ta, tb), a // b)
    assert_close(rgrad.div(ta, tb, rounding_mode="floor"), a // b)
    assert_close(rgrad.div(ta, tb, rounding_mode="trunc"), np.trunc(a / b).astype(a.dtype))
    assert_close(ta % tb, np.remainder(a, b))
    assert_close(rgrad.remainder(ta, tb), np.remainder(a, b))
    assert_close(rgrad.fmod(ta, tb), np.fmod(a, b))
    assert_close(rgrad.remainder(7, tb), np.remainder(7, b))
    assert_close(7 // tb, 7 // b)
    assert_close(7 % tb, 7 % b)
    for f in (lambda: ta // 0, lambda: ta % 0, lambda: rgrad.fmod(ta, 0), lambda: rgrad.div(ta, 0, rounding_mode="trunc")):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            f()


def test_float_division_semantics():
    a = np.array([7.5, -7.5, 7.5, -7.5, 1.0, -1.0, 0.0, np.nan, np.inf, 5.0], dtype=np.float64)
    b = np.array([2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, 1.0, 2.0, np.inf])
    ta, tb = t_of(a), t_of(b)
    with np.errstate(all="ignore"):
        assert_close(ta / tb, a / b)
        assert_close(ta // tb, np.floor_divide(a, b))
        assert_close(ta % tb, np.remainder(a, b))
        assert_close(rgrad.fmod(ta, tb), np.fmod(a, b))
        assert_close(rgrad.div(ta, tb, rounding_mode="trunc"), np.trunc(a / b))
    with pytest.raises(ValueError, match="rounding_mode"):
        rgrad.div(ta, tb, rounding_mode="round")


def test_integer_overflow_wraps():
    big = rgrad.tensor([2**31 - 1], dtype=rgrad.int32)
    assert (big + 1).item() == -(2**31)
    assert (rgrad.tensor([2**62]) * 4).item() == 0
    assert (-rgrad.tensor([-(2**63)])).item() == -(2**63)
    assert (rgrad.tensor([3]) ** 40).item() == np.int64(3) ** np.int64(40)


def test_pow_rules():
    assert_close(rgrad.tensor([2, 3]) ** 2, np.array([4, 9]))
    assert_close(rgrad.tensor([2.0, 3.0]) ** 0.5, np.sqrt([2.0, 3.0]).astype(np.float32))
    assert_close(rgrad.tensor([2, 4]) ** -1.0, np.array([0.5, 0.25], dtype=np.float32))
    with pytest.raises(RuntimeError, match="negative integer powers"):
        rgrad.tensor([2, 3]) ** -1
    # a negative exponent *tensor* is computed (1 / 2 truncates to 0), as PyTorch
    assert_close(rgrad.tensor([2, 3, 1, -1]) ** rgrad.tensor([1, -1, -3, -3]), np.array([2, 0, 1, -1]))
    assert (rgrad.tensor([True]) ** 2).dtype == rgrad.int64
    assert (rgrad.tensor([True]) ** True).dtype == rgrad.bool
    assert_close(rgrad.float_power(rgrad.tensor([2, 3]), 2), np.array([4.0, 9.0]))


# ---------------- bitwise ----------------

@pytest.mark.parametrize("dtype", [rgrad.bool, rgrad.int32, rgrad.int64])
def test_bitwise(dtype):
    a = rand_np((5, 4), NP_OF[dtype], low=-50, high=50)
    b = rand_np((4,), NP_OF[dtype], rng=np.random.default_rng(3), low=-50, high=50)
    ta, tb = t_of(a), t_of(b)
    assert_close(ta & tb, a & b)
    assert_close(ta | tb, a | b)
    assert_close(ta ^ tb, a ^ b)
    assert_close(~ta, ~a)
    assert_close(rgrad.bitwise_and(ta, tb), a & b)
    assert_close(rgrad.bitwise_or(ta, tb), a | b)
    assert_close(rgrad.bitwise_xor(ta, tb), a ^ b)
    assert_close(rgrad.bitwise_not(ta), ~a)
    if dtype != rgrad.bool:
        s = np.array([0, 1, 3, 5], dtype=NP_OF[dtype])
        assert_close(ta << t_of(s), a << s)
        assert_close(ta >> t_of(s), a >> s)
        assert_close(rgrad.bitwise_left_shift(ta, 2), a << 2)
        assert_close(rgrad.bitwise_right_shift(ta, 2), a >> 2)
        bits = 32 if dtype == rgrad.int32 else 64
        assert_close(t_of(np.array([5, -5], dtype=NP_OF[dtype])) << bits, np.array([0, 0], dtype=NP_OF[dtype]))
        assert_close(t_of(np.array([5, -5], dtype=NP_OF[dtype])) >> bits, np.array([0, -1], dtype=NP_OF[dtype]))
        assert_close(3 & ta, 3 & a)


def test_bitwise_on_floats_raises():
    f = rgrad.tensor([1.0])
    for fn in (lambda: f & f, lambda: f | 1, lambda: f ^ f, lambda: f.bitwise_not(), lambda: f << 1, lambda: f >> 1):
        with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
            fn()
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~f  # the operator's error is a TypeError, as PyTorch


def test_inplace_bitwise():
    a = rgrad.tensor([12, 10])
    a &= 6
    assert a.tolist() == [4, 2]
    a |= 1
    assert a.tolist() == [5, 3]
    a ^= rgrad.tensor([1, 1])
    assert a.tolist() == [4, 2]
    a <<= 1
    assert a.tolist() == [8, 4]
    a >>= 2
    assert a.tolist() == [2, 1]


# ---------------- where / clamp / isclose / lerp / addc* ----------------

@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("db", [rgrad.int64, rgrad.float32, rgrad.float64])
def test_where(da, db):
    c = rand_np((3, 1, 4), np.bool_)
    a = rand_np((1, 5, 4), NP_OF[da])
    b = rand_np((5, 1), NP_OF[db], rng=np.random.default_rng(2))
    got = rgrad.where(t_of(c), t_of(a), t_of(b))
    want = np.where(c, a, b).astype(NP_OF[rgrad.promote_types(da, db)])
    assert_close(got, want)
    assert_close(t_of(a).where(t_of(c), t_of(b)), want)


def test_where_scalars_and_one_arg():
    c = rgrad.tensor([True, False, True])
    x = rgrad.tensor([1.0, 2.0, 3.0])
    assert_close(rgrad.where(c, x, 0.0), np.array([1.0, 0.0, 3.0], dtype=np.float32))
    assert_close(rgrad.where(c, 1.0, 0.0), np.array([1.0, 0.0, 1.0], dtype=np.float32))
    assert_close(rgrad.where(c, 1, 0), np.array([1, 0, 1]))
    assert_close(rgrad.where(c, rgrad.tensor([1, 2, 3], dtype=rgrad.int32), 0.5), np.array([1.0, 0.5, 3.0], dtype=np.float32))
    with pytest.raises(RuntimeError, match="boolean"):
        rgrad.where(x, x, x)

    class FakeCond:
        def nonzero(self, as_tuple=False):
            return ("nz", as_tuple)

    assert rgrad.where(FakeCond()) == ("nz", True)


@pytest.mark.parametrize("dtype", [rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64])
def test_clamp(dtype):
    x = rand_np((4, 5), NP_OF[dtype], low=-5, high=5)
    t = t_of(x)
    assert_close(t.clamp(-2, 3), np.clip(x, -2, 3))
    assert_close(rgrad.clamp(t, min=-1), np.maximum(x, -1).astype(x.dtype))
    assert_close(rgrad.clamp(t, max=1), np.minimum(x, 1).astype(x.dtype))
    assert_close(rgrad.clip(t, -1, 1), np.clip(x, -1, 1))
    assert_close(t.clamp_min(0), np.maximum(x, 0).astype(x.dtype))
    assert_close(t.clamp_max(0), np.minimum(x, 0).astype(x.dtype))
    lo = rand_np((5,), NP_OF[dtype], low=-5, high=0)
    hi = rand_np((4, 1), NP_OF[dtype], low=0, high=5)
    assert_close(t.clamp(t_of(lo), t_of(hi)), np.minimum(np.maximum(x, lo), hi))
    assert_close(t.clamp(min=t_of(lo)), np.maximum(x, lo))
    assert_close(t.clamp(max=t_of(hi)), np.minimum(x, hi))
    u = t.clone()
    u.clamp_(-1, 1)
    assert_close(u, np.clip(x, -1, 1))
    with pytest.raises(RuntimeError, match="At least one"):
        t.clamp()


def test_clamp_promotion_and_nan():
    i = rgrad.tensor([1, 5, 9])
    assert i.clamp(2, 6).dtype == rgrad.int64
    assert_close(i.clamp(2.5, 6.5), np.array([2.5, 5.0, 6.5], dtype=np.float32))
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.clamp_(0.5, 1.5)
    x = rgrad.tensor([np.nan, 1.0, -3.0])
    assert_close(x.clamp(-1, 1), np.array([np.nan, 1.0, -1.0], dtype=np.float32))
    assert_close(x.clamp(2, 1), np.array([np.nan, 1.0, 1.0], dtype=np.float32))


def test_isclose_allclose():
    a = np.array([1.0, 1.0 + 1e-9, np.nan, np.inf, -np.inf, 1.0])
    b = np.array([1.0, 1.0, np.nan, np.inf, np.inf, 1.1])
    assert_close(rgrad.isclose(t_of(a), t_of(b)), np.isclose(a, b))
    assert_close(rgrad.isclose(t_of(a), t_of(b), equal_nan=True), np.isclose(a, b, equal_nan=True))
    assert_close(t_of(a).isclose(t_of(b), rtol=0.2), np.isclose(a, b, rtol=0.2))
    assert rgrad.allclose(t_of(a[:2]), t_of(b[:2]))
    assert not rgrad.allclose(t_of(a), t_of(b))
    assert rgrad.allclose(rgrad.tensor([1, 2]), rgrad.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Double did not match Float"):
        rgrad.isclose(t_of(a), rgrad.tensor([1.0]))


def test_lerp_addcmul_addcdiv():
    rng = np.random.default_rng(0)
    s, e, w = (rng.standard_normal((3, 4)) for _ in range(3))
    assert_close(rgrad.lerp(t_of(s), t_of(e), 0.3), s + 0.3 * (e - s))
    assert_close(t_of(s).lerp(t_of(e), t_of(w)), s + w * (e - s))
    assert_close(rgrad.addcmul(t_of(s), t_of(e), t_of(w), value=0.5), s + 0.5 * e * w)
    assert_close(rgrad.addcdiv(t_of(s), t_of(e), t_of(w), value=2), s + 2 * e / w)
    u = t_of(s)
    u.addcmul_(t_of(e), t_of(w))
    assert_close(u, s + e * w)
    u = t_of(s)
    u.lerp_(t_of(e), 0.5)
    assert_close(u, s + 0.5 * (e - s))


# ---------------- in-place rules ----------------

def test_inplace_dtype_and_shape_rules():
    i = rgrad.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.mul_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        i.exp_()
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        i /= 2
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        i.add_(rgrad.zeros(2, 3, dtype=rgrad.int64))
    f = rgrad.tensor([1.0, 2.0])
    f += rgrad.tensor([1, 1])
    assert_close(f, np.array([2.0, 3.0], dtype=np.float32))
    f //= 2
    assert_close(f, np.array([1.0, 1.0], dtype=np.float32))
    f.sqrt_().sigmoid_()
    assert_close(f, _sigmoid(np.array([1.0, 1.0])).astype(np.float32))
    b = rgrad.tensor([1.0, -2.0])
    b.eq_(1.0)
    assert b.dtype == rgrad.float32 and b.tolist() == [1.0, 0.0]
    x = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    x.add_(x.T)
    assert_close(x, np.array([[2.0, 5.0], [5.0, 8.0]], dtype=np.float32))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        rgrad.tensor([1.0], requires_grad=True).exp_()


def test_inplace_with_self_aliasing_operand():
    x = rgrad.tensor([1.5], dtype=rgrad.float64, requires_grad=True)
    y = x * 2
    y += 1
    y *= y
    y.backward()
    assert x.grad.tolist() == [16.0]
    x.grad = None
    z = x * 1
    z.addcmul_(z, z)  # z + z * z
    z.backward()
    assert x.grad.tolist() == [4.0]
    x.grad = None
    a = x * 1
    b = (a * 2) / 4  # a scalar mul/div saves nothing about a
    a.add_(1)
    b.backward()
    assert x.grad.tolist() == [0.5]
    x.grad = None
    w = x * 1
    w.clamp_(max=w * 0.5)
    w.backward()
    assert x.grad.tolist() == [0.5]


def test_inplace_autograd():
    x = rgrad.tensor([0.5, -1.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    y = x * 1
    y.exp_()
    y.clamp_(max=3.0)
    y.pow_(2)
    y.sum().backward()
    e = np.exp([0.5, -1.0, 2.0])
    want = np.where(e <= 3.0, 2 * e * e, 0.0)
    assert_close(x.grad, want, rtol=1e-12)


# ---------------- gradients ----------------

def _leaf(shape, lo, hi, seed=0):
    return rgrad.tensor(np.random.default_rng(seed).uniform(lo, hi, size=shape), dtype=rgrad.float64, requires_grad=True)


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT) + ["abs", "neg", "square", "relu", "frac", "floor", "round", "sign"])
def test_unary_gradcheck(name):
    lo, hi = UNARY_FLOAT[name][1] if name in UNARY_FLOAT else (-2, 2)
    x = _leaf((2, 3), lo, hi)
    if name in ("abs", "relu", "frac", "floor", "round", "sign"):
        # stay away from kinks
        x = rgrad.tensor(np.array([[-1.3, 0.7, 1.6], [-0.4, 2.2, -1.8]]), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda t: getattr(rgrad, name)(t), (x,))


@pytest.mark.parametrize("fn", [
    lambda t: F.gelu(t), lambda t: F.gelu(t, approximate="tanh"), lambda t: F.silu(t), lambda t: F.softplus(t),
    lambda t: F.softplus(t, beta=2.0, threshold=1.0), lambda t: t.clamp(-0.5, 0.5), lambda t: t.clamp(min=0.1),
    lambda t: t.nan_to_num(), lambda t: t.round(decimals=1), lambda t: F.sigmoid(t), lambda t: F.tanh(t),
])
def test_activation_gradcheck(fn):
    x = rgrad.tensor(np.array([[-1.37, 0.73, 1.61], [-0.41, 2.23, -2.87]]), requires_grad=True)
    assert rgrad.autograd.gradcheck(fn, (x,))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "fmax", "fmin", "atan2", "hypot",
                                  "remainder", "fmod", "copysign", "floor_divide"])
def test_binary_gradcheck(name):
    a = _leaf((3, 4), 0.5, 2.0)
    b = _leaf((4,), 0.3, 1.5, seed=1)  # broadcast: gradient is sum-reduced
    assert rgrad.autograd.gradcheck(lambda x, y: getattr(rgrad, name)(x, y), (a, b))


def test_ternary_gradcheck():
    c = rgrad.tensor([[True, False, True, False]] * 3)
    a = _leaf((3, 4), -1, 1)
    b = _leaf((4,), -1, 1, seed=1)
    assert rgrad.autograd.gradcheck(lambda x, y: rgrad.where(c, x, y), (a, b))
    lo = _leaf((4,), -0.9, -0.1, seed=2)
    hi = _leaf((3, 1), 0.1, 0.9, seed=3)
    assert rgrad.autograd.gradcheck(lambda x, l, h: x.clamp(l, h), (a, lo, hi))
    assert rgrad.autograd.gradcheck(lambda x, l: x.clamp(min=l), (a, lo))
    w = _leaf((4,), 0, 1, seed=4)
    assert rgrad.autograd.gradcheck(lambda s, e, w: rgrad.lerp(s, e, w), (a, b, w))
    assert rgrad.autograd.gradcheck(lambda s, e, w: rgrad.addcmul(s, e, w, value=0.5), (a, b, w))
    assert rgrad.autograd.gradcheck(lambda s, e, w: rgrad.addcdiv(s, e, w + 2), (a, b, w))


def test_second_order_gradients():
    x = rgrad.tensor([0.3, -0.7, 1.2], dtype=rgrad.float64, requires_grad=True)
    for f, d2 in ((lambda t: t.exp(), np.exp), (lambda t: t.sigmoid(), lambda v: _sigmoid(v) * (1 - _sigmoid(v)) * (1 - 2 * _sigmoid(v))),
                  (lambda t: t.tanh(), lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2))):
        (g,) = rgrad.autograd.grad(f(x).sum(), x, create_graph=True)
        (h,) = rgrad.autograd.grad(g.sum(), x)
        assert_close(h, d2(np.array([0.3, -0.7, 1.2])), rtol=1e-10)


def test_subgradients_at_kinks_follow_pytorch():
    x = rgrad.tensor([0.0, 1.0, -1.0], dtype=rgrad.float64, requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    x.grad = None
    x.abs().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, -1.0]
    x.grad = None
    x.clamp(-1.0, 1.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    a = rgrad.tensor([1.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    b = rgrad.tensor([1.0, 1.0], dtype=rgrad.float64, requires_grad=True)
    rgrad.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]
    c = rgrad.tensor([np.nan, 1.0], dtype=rgrad.float64, requires_grad=True)
    d = rgrad.tensor([2.0, 1.0], dtype=rgrad.float64, requires_grad=True)
    rgrad.fmax(c, d).sum().backward()
    assert d.grad.tolist() == [1.0, 0.0] and c.grad.tolist() == [0.0, 1.0]


def test_nan_propagation():
    n = float("nan")
    x = rgrad.tensor([n, 1.0])
    y = rgrad.tensor([2.0, n])
    assert np.isnan(to_np(rgrad.maximum(x, y))).all()
    assert np.isnan(to_np(rgrad.minimum(x, y))).all()
    assert_close(rgrad.fmax(x, y), np.array([2.0, 1.0], dtype=np.float32))
    assert_close(rgrad.fmin(x, y), np.array([2.0, 1.0], dtype=np.float32))
    assert np.isnan(to_np(x.relu())[0])
    assert np.isnan(to_np(x.exp())[0]) and np.isnan(to_np(x.sigmoid())[0]) and np.isnan(to_np(x.tanh())[0])
    assert (x == x).tolist() == [False, True]
    assert_close(rgrad.tensor([1.0, -1.0, 0.0]) / 0, np.array([np.inf, -np.inf, np.nan], dtype=np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_dim_and_empty_everywhere(dtype):
    z = rgrad.tensor(rand_np((), NP_OF[dtype], low=1, high=3))
    e = rgrad.zeros(0, 2, dtype=dtype)
    assert (z * z).shape == () and (z + e).shape == (0, 2)
    assert (e == e).shape == (0, 2)
    assert rgrad.where(e.bool(), e, z).shape == (0, 2)
    if dtype != rgrad.bool:
        assert rgrad.maximum(z, e).shape == (0, 2)
        assert (e.abs()).shape == (0, 2)
    assert rgrad.sqrt(e).shape == (0, 2) and rgrad.sqrt(z).shape == ()
    if dtype in INTS:
        assert (e // z).shape == (0, 2) and (e % z).shape == (0, 2)


def test_functional_names_exported():
    for name in ("relu", "gelu", "silu", "softplus", "sigmoid", "tanh"):
        assert callable(getattr(F, name)) and getattr(F, name).__doc__
    for name in ("exp", "sigmoid", "where", "clamp", "clip", "isclose", "allclose", "equal", "atan2", "hypot", "lerp",
                 "addcmul", "addcdiv", "bitwise_and", "logical_xor", "remainder", "fmod", "floor_divide", "true_divide"):
        assert callable(getattr(rgrad, name)), name
    assert rgrad.Tensor.exp.__doc__ and rgrad.Tensor.clamp.__doc__


@pytest.mark.parametrize("da,db,name", [(rgrad.int64, rgrad.int64, "Long"), (rgrad.int32, rgrad.int32, "Int"),
                                        (rgrad.bool, rgrad.bool, "Bool"), (rgrad.int32, rgrad.int64, "Long")])
def test_hypot_integer_inputs_not_implemented(da, db, name):
    a, b = rgrad.tensor([3, 5], dtype=da), rgrad.tensor([4, 12], dtype=db)
    with pytest.raises(NotImplementedError, match=f"\"hypot_cpu\" not implemented for '{name}'"):
        rgrad.hypot(a, b)
    with pytest.raises(NotImplementedError, match="hypot_cpu"):
        a.hypot(b)
    with pytest.raises(RuntimeError):  # NotImplementedError is a RuntimeError, as in PyTorch
        a.hypot_(b)


def test_hypot_mixed_int_float_promotes():
    i, f = rgrad.tensor([3, 5]), rgrad.tensor([4.0, 12.0])
    assert_close(rgrad.hypot(i, f), np.array([5.0, 13.0], dtype=np.float32))
    assert_close(rgrad.hypot(f, i), np.array([5.0, 13.0], dtype=np.float32))
    assert rgrad.hypot(f, i).dtype == rgrad.float32
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.hypot_(f)


def test_activation_names_exposed_like_torch():
    # PyTorch has gelu / silu / softplus only in nn.functional (no torch.gelu, no Tensor.gelu)
    for name in ("gelu", "silu", "softplus", "mish", "elu"):
        assert callable(getattr(F, name))
        assert not hasattr(rgrad.Tensor, name), name
    for name in ("gelu", "silu", "softplus", "mish", "elu"):
        assert not hasattr(rgrad, name), name
    for name in ("relu", "sigmoid", "tanh"):
        assert callable(getattr(rgrad, name)) and hasattr(rgrad.Tensor, name) and callable(getattr(F, name))
