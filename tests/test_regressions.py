"""Regressions for issue 17 (PyTorch mismatches found by differential testing), bugs 1-15:
the panic, silently wrong values, and wrong dtypes or shapes. Grouped by the issue's
numbering; each oracle is NumPy (computed in float64 where the check is about float32
overflow). The gradient bugs (16-21) are in test_regressions_autograd.py, the missing checks
and exception classes (22-30) in test_regressions_checks.py."""

import math

import numpy as np
import pytest

import rgrad
from conftest import assert_close
from np_index import torch_getitem, torch_setitem

F = rgrad.nn.functional


# ---------- 1. round(decimals=) on bool / integer tensors: PyTorch's error, not a panic ----------

@pytest.mark.parametrize("call", [
    lambda t: t.round(decimals=1), lambda t: t.round_(decimals=1), lambda t: rgrad.round(t, decimals=1),
    lambda t: t.round(decimals=-2),
])
@pytest.mark.parametrize("dtype", [rgrad.bool, rgrad.int32, rgrad.int64])
def test_01_round_decimals_non_float_is_not_implemented(call, dtype):
    t = rgrad.tensor([1, 0, 1], dtype=dtype)
    with pytest.raises(NotImplementedError, match="round"):
        call(t)
    assert t.tolist() == rgrad.tensor([1, 0, 1], dtype=dtype).tolist()  # round_ left it alone


def test_01_round_decimals_zero_on_ints_is_identity():
    assert_close(rgrad.tensor([3, -7]).round(decimals=0), np.array([3, -7]))


# ---------- 2. repeat / tile / repeat_interleave by 1 copy ----------

@pytest.mark.parametrize("make,oracle", [
    (lambda t: t.repeat(1), lambda a: np.tile(a, 1)),
    (lambda t: t.repeat(1, 1), lambda a: np.tile(a, (1, 1))),
    (lambda t: t.tile((1,)), lambda a: np.tile(a, 1)),
    (lambda t: t.repeat_interleave(1), lambda a: np.repeat(a, 1)),
    (lambda t: t.repeat_interleave(1, dim=0), lambda a: np.repeat(a, 1, axis=0)),
])
def test_02_repeat_by_one_is_a_copy(make, oracle):
    a = np.array([1, 2, 3])
    t = rgrad.tensor(a)
    b = make(t)
    assert_close(b, oracle(a))
    b.add_(10)
    assert_close(t, a)  # the source is untouched
    x = rgrad.tensor([1.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda x: make(x) * 3, (x,))


# ---------- 3. an int beside an advanced index is basic indexing ----------

def test_03_int_next_to_list_index():
    a = np.arange(27).reshape(3, 3, 3)
    x = rgrad.tensor(a)
    assert_close(x[0, :, [0, 1, 2]], a[0][:, [0, 1, 2]])  # [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    b = np.arange(24).reshape(2, 3, 4)
    assert rgrad.tensor(b)[0, :, [0, 1]].shape == (3, 2)
    for idx in [(0, slice(None), [0, 1]), (slice(None), 1, [0, 2]), ([0, 1], 2, slice(None)), ([1, 0], slice(None), 1),
                (1, [0, 2], [1, 3]), ([0, 1], 1, [0, 3]), (np.array(1), slice(None), [3, 0])]:
        assert_close(rgrad.tensor(b)[tuple(rgrad.tensor(i) if isinstance(i, np.ndarray) else i for i in idx)], torch_getitem(b, idx))


def test_03_setitem_with_int_next_to_list_index_writes_the_same_elements():
    a = np.arange(24.0).reshape(2, 3, 4)
    x = rgrad.tensor(a)
    v = -np.arange(6.0).reshape(3, 2)
    x[0, :, [1, 3]] = rgrad.tensor(v)
    expected = a.copy()
    torch_setitem(expected, (0, slice(None), [1, 3]), v)
    assert np.array_equal(expected[0][:, [1, 3]], v)
    assert_close(x, expected)


def test_03_gradient_of_mixed_index():
    x = rgrad.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda x: x[1, :, [0, 2, 2]] * 2, (x,))


# ---------- 4. xlogy with a Python float and a bool / int tensor ----------

def test_04_xlogy_keeps_the_float_scalar():
    assert_close(rgrad.xlogy(rgrad.tensor([1, 2]), 2.5), np.array([1, 2], np.float32) * np.log(np.float32(2.5)))
    assert_close(rgrad.xlogy(rgrad.tensor([True, False]), 3.0), np.array([np.log(np.float32(3.0)), 0.0], np.float32))
    assert_close(rgrad.xlogy(2, rgrad.tensor([1.0, 2.0])), 2 * np.log(np.array([1.0, 2.0], np.float32)))
    assert_close(rgrad.xlogy(rgrad.tensor([0.0, 1.0]), rgrad.tensor([np.nan, 0.0])), np.array([np.nan, -np.inf], np.float32))


# ---------- 5. addcmul computes in the result dtype ----------

def test_05_addcmul_int32_operands_into_float():
    big = rgrad.tensor([65536], dtype=rgrad.int32)
    out = rgrad.addcmul(rgrad.tensor([1.0]), big, big)
    assert out.dtype == rgrad.float32
    assert_close(out, np.float32(1.0) + np.float32(65536) * np.float32(65536) * np.ones(1, np.float32))


# ---------- 6. sum / prod with dtype=bool convert the input first ----------

@pytest.mark.parametrize("vals", [[0.5, 0.5], [np.nan], [0.0, 0.0], [0.0, 0.25], [-2.0]])
def test_06_sum_prod_dtype_bool(vals):
    a = np.array(vals, dtype=np.float32)
    t = rgrad.tensor(a)
    assert_close(t.sum(dtype=rgrad.bool), np.array(a.astype(bool).any()))
    assert_close(t.prod(dtype=rgrad.bool), np.array(a.astype(bool).all()))
    assert_close(t.reshape(1, -1).sum(1, dtype=rgrad.bool), a.astype(bool).any(keepdims=True))


# ---------- 7. sign of NaN is 0 ----------

@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64])
def test_07_sign_of_nan_and_negative_zero(dtype):
    a = np.array([np.nan, -np.nan, -0.0, 0.0, 3.5, -2.0, np.inf, -np.inf])
    expected = np.where(np.isnan(a), 0.0, np.sign(a)) + 0.0  # + 0.0: no -0.0, as PyTorch
    t = rgrad.tensor(a, dtype=dtype)
    for got in (t.sign(), rgrad.sgn(t), t.sgn(), t.clone().sign_()):
        assert_close(got, expected.astype(t.numpy().dtype))
        g = got.numpy()
        assert not np.signbit(g[g == 0]).any()


# ---------- 8. a Python number that doesn't fit the dtype is an error ----------

@pytest.mark.parametrize("write", [
    lambda x: x.__setitem__(0, 2**33 + 5),
    lambda x: x.__setitem__(slice(None), 2**31),
    lambda x: x.__setitem__([0, 1], 2**31),
    lambda x: x.__setitem__(x == 0, -2**31 - 1),
    lambda x: x.__setitem__(0, float("nan")),
    lambda x: x.__setitem__(0, 1e10),
    lambda x: x.masked_fill_(rgrad.tensor([True, False, False]), 2**31),
    lambda x: x.fill_(2**31),
    lambda x: x.index_fill_(0, rgrad.tensor([1]), 2**40),
    lambda x: x.scatter_(0, rgrad.tensor([1]), 2**31),
])
def test_08_int32_overflowing_writes(write):
    x = rgrad.zeros(3, dtype=rgrad.int32)
    with pytest.raises(RuntimeError, match="value cannot be converted to type int without overflow"):
        write(x)
    assert x.tolist() == [0, 0, 0]


def test_08_out_of_place_and_creation():
    x = rgrad.zeros(3, dtype=rgrad.int32)
    with pytest.raises(RuntimeError, match="without overflow"):
        x.masked_fill(rgrad.tensor([True, False, False]), 2**31)
    with pytest.raises(RuntimeError, match="outside the representable range"):
        x.clamp(0, -2**33)
    with pytest.raises(RuntimeError, match="outside the representable range"):
        x.clamp(min=2**33)
    with pytest.raises(RuntimeError, match="without overflow"):
        rgrad.where(rgrad.tensor([True]), x[:1], 2**31)
    with pytest.raises(RuntimeError, match="type int without overflow"):
        rgrad.full((2,), 2**31, dtype=rgrad.int32)
    with pytest.raises(RuntimeError, match="type int64_t without overflow"):
        rgrad.full((2,), 2.0**63, dtype=rgrad.int64)
    with pytest.raises(RuntimeError, match="type float without overflow"):
        rgrad.full((2,), 1e39)
    with pytest.raises(RuntimeError, match="without overflow"):
        rgrad.full_like(x, 2**31)
    with pytest.raises(RuntimeError, match="type float without overflow"):
        rgrad.zeros(2).fill_(-1e39)


def test_08_values_that_fit_are_written():
    x = rgrad.zeros(4, dtype=rgrad.int32)
    x[0] = 2**31 - 1
    x[1] = -2**31
    x[2] = 2.9  # floats truncate toward zero
    x[3] = True
    assert_close(x, np.array([2**31 - 1, -2**31, 2, 1], np.int32))
    f = rgrad.zeros(3)
    f[0] = float(np.finfo(np.float32).max)
    f[1] = math.inf  # infinities and NaN fit a float
    f[2] = 2**62  # an int converts to float (rounded), never out of range
    assert_close(f, np.array([np.finfo(np.float32).max, np.inf, 2.0**62], np.float32))
    assert rgrad.full((2,), 5, dtype=rgrad.bool).tolist() == [True, True]
    # arithmetic with a Python number wraps, as PyTorch (only writes are checked)
    assert_close(rgrad.zeros(1, dtype=rgrad.int32) + 2**31, np.array([0], np.int32) + np.int32(-2**31))


# ---------- 9. integer arange / linspace / logspace with float arguments ----------

def test_09_arange_int_truncates_start_and_step():
    # the length from the arguments as given, the values from start and step truncated
    assert_close(rgrad.arange(-1.5, 2.5, 1, dtype=rgrad.int64), np.array([-1, 0, 1, 2]))
    assert_close(rgrad.arange(0.9, 5.2, 2.5, dtype=rgrad.int32), np.array([0, 2], np.int32))
    # a step that truncates to 0: PyTorch 2.15 repeats start (the 2.13 refused it)
    assert_close(rgrad.arange(1, 3, 0.7, dtype=rgrad.int64), np.array([1, 1, 1]))
    n = math.ceil((7.3 - -2.2) / 1.5)
    assert_close(rgrad.arange(-2.2, 7.3, 1.5, dtype=rgrad.int64), np.int64(-2) + np.arange(n) * np.int64(1))


@pytest.mark.parametrize("start,end,steps", [(2.5, 1, 4), (-2.5, 7.9, 6), (0.0, 10.0, 5), (-0.9, 0.9, 3), (3.7, 3.7, 2)])
def test_09_linspace_int_truncates_the_ends(start, end, steps):
    expected = np.trunc(np.linspace(math.trunc(start), math.trunc(end), steps)).astype(np.int64)
    assert_close(rgrad.linspace(start, end, steps, dtype=rgrad.int64), expected)


def test_09_logspace_int():
    assert_close(rgrad.logspace(0.5, 2.5, 3, dtype=rgrad.int64), np.array([1, 10, 100]))
    expected = np.trunc(2.5 ** np.linspace(0, 2, 4)).astype(np.int64)
    assert_close(rgrad.logspace(0.5, 2.7, 4, base=2.5, dtype=rgrad.int64), expected)


# ---------- 10. float32 intermediates that overflowed ----------

def test_10_acosh_asinh_of_huge_float32():
    a = np.array([3e38, 1e30, 2.0], np.float32)
    assert_close(rgrad.tensor(a).acosh(), np.arccosh(a.astype(np.float64)).astype(np.float32))
    assert_close(rgrad.tensor(a).asinh(), np.arcsinh(a.astype(np.float64)).astype(np.float32))
    assert_close(rgrad.tensor(-a).asinh(), np.arcsinh(-a.astype(np.float64)).astype(np.float32))


def test_10_std_var_of_float32_with_huge_deviations():
    a = np.array([1e20, 2.0], np.float32)
    # float64 oracle rounded once to float32: the std is finite, the variance is not
    assert_close(rgrad.tensor(a).std(), np.float32(np.std(a.astype(np.float64), ddof=1)), rtol=1e-6)
    assert_close(rgrad.tensor(a).var(), np.float32(np.inf))
    s, m = rgrad.std_mean(rgrad.tensor(a))
    assert_close(s, np.float32(np.std(a.astype(np.float64), ddof=1)), rtol=1e-6)
    # squared deviations of 2e19 overflow float32; their mean over 1000 elements does not
    b = np.zeros(1000, np.float32)
    b[0] = 2e19
    assert_close(rgrad.tensor(b).var(), np.float32(np.var(b.astype(np.float64), ddof=1)), rtol=1e-6)
    assert_close(rgrad.tensor(b).reshape(10, 100).std(1), np.std(b.reshape(10, 100).astype(np.float64), 1, ddof=1).astype(np.float32), rtol=1e-6)


def test_10_norm_of_one_element():
    for p in [2, 1, 3, 0.5, math.inf, -math.inf]:
        assert_close(rgrad.tensor([3e38]).norm(p), np.float32(3e38))
    assert_close(rgrad.tensor([[3e38, 1.0]]).norm(dim=0), np.array([3e38, 1.0], np.float32))
    assert_close(rgrad.tensor([-1e-30]).norm(), np.float32(1e-30))
    assert_close(rgrad.tensor([-2.0]).norm(0), np.float32(1.0))


@pytest.mark.cpu_only  # PyTorch's CPU kernel's float64 accumulator; on a GPU (as on CUDA) float32 accumulates
def test_10_cumsum_cumprod_float32_accumulate_in_float64():
    a = np.array([3e38, 3e38, -3e38], np.float32)
    with np.errstate(over="ignore"):
        assert_close(rgrad.tensor(a).cumsum(0), np.cumsum(a.astype(np.float64)).astype(np.float32))
        b = np.array([1e30, 1e30, 1e-30], np.float32)
        assert_close(rgrad.tensor(b).cumprod(0), np.cumprod(b.astype(np.float64)).astype(np.float32))
    # rows and columns: each output rounded once from the float64 running value
    c = np.random.default_rng(10).standard_normal((7, 300)).astype(np.float32) * 1e3
    for d in (0, 1):
        assert_close(rgrad.tensor(c).cumsum(d), np.cumsum(c.astype(np.float64), d).astype(np.float32), rtol=0, atol=0)


# ---------- 11/12. addcmul / addcdiv / xlogy promotion ----------

def test_11_zero_dim_tensors_rank_below_dimensioned_ones():
    out = rgrad.addcdiv(rgrad.ones(2), rgrad.tensor(2.0, dtype=rgrad.float64), rgrad.tensor([4]))
    assert out.dtype == rgrad.float32
    assert_close(out, np.float32(1) + np.float32(2.0) / np.float32(4) * np.ones(2, np.float32))
    out = rgrad.xlogy(rgrad.ones(2), rgrad.tensor(2.0, dtype=rgrad.float64))
    assert out.dtype == rgrad.float32
    assert_close(out, np.full(2, np.log(np.float32(2.0)), np.float32))
    assert rgrad.addcmul(rgrad.ones(2), rgrad.ones(2, dtype=rgrad.int32), rgrad.tensor(2.0, dtype=rgrad.float64)).dtype == rgrad.float32


def test_12_addcmul_int_with_float_value_stays_int():
    t = rgrad.tensor([3, 4])
    out = rgrad.addcmul(t, t, t, value=0.5)
    assert out.dtype == rgrad.int64
    assert_close(out, np.array([3, 4]) + int(0.5) * np.array([9, 16]))  # value truncated, as PyTorch
    assert_close(rgrad.addcmul(t, t, t, value=2.7), np.array([3, 4]) + 2 * np.array([9, 16]))
    u = t.clone()
    u.addcmul_(t, t, value=2)
    assert_close(u, np.array([21, 36]))


def test_12_addcmul_addcdiv_gradients():
    x, a, b = (rgrad.tensor(np.random.default_rng(i).standard_normal(3) + 2, dtype=rgrad.float64, requires_grad=True) for i in range(3))
    assert rgrad.autograd.gradcheck(lambda x, a, b: rgrad.addcmul(x, a, b, value=0.5), (x, a, b))
    assert rgrad.autograd.gradcheck(lambda x, a, b: rgrad.addcdiv(x, a, b, value=-1.5), (x, a, b))
    h = rgrad.ones(3, dtype=rgrad.float32, requires_grad=True)
    rgrad.addcmul(h, a, b).sum().backward()  # float64 operands promote; h's gradient comes back float32
    assert h.grad.dtype == rgrad.float32


# ---------- 13. hardtanh / relu6 keep integer dtypes ----------

@pytest.mark.parametrize("dtype", [rgrad.int32, rgrad.int64])
def test_13_hardtanh_relu6_on_ints(dtype):
    a = np.array([-3, 0, 3, 8], dtype=np.int32 if dtype == rgrad.int32 else np.int64)
    t = rgrad.tensor(a)
    assert_close(F.hardtanh(t), np.clip(a, -1, 1))
    assert_close(F.relu6(t), np.clip(a, 0, 6))
    assert_close(F.hardtanh(t, -1.5, 2.5), np.clip(a, -1, 2))  # bounds truncated toward zero
    u = rgrad.tensor(a)
    F.relu6(u, inplace=True)
    assert_close(u, np.clip(a, 0, 6))


# ---------- 14. bool results stay bool ----------

def test_14_bool_pow_and_add_alpha():
    b = rgrad.tensor([True, False])
    assert_close(b ** True, np.array([True, False]))
    assert_close(b ** False, np.array([True, True]))
    assert_close(b.add(rgrad.tensor([True, True]), alpha=-1), np.array([True, True]))
    assert_close(b.add(rgrad.tensor([False, False]), alpha=0), np.array([True, False]))
    assert_close(rgrad.tensor([1, 2]).add(3, alpha=2), np.array([7, 8]))
    i32 = rgrad.tensor([1, 2], dtype=rgrad.int32)
    assert i32.add(2, alpha=3).dtype == rgrad.int32 and i32.add(2.5, alpha=2).dtype == rgrad.float32
    assert_close(i32.sub(rgrad.tensor([1, 1], dtype=rgrad.int32), alpha=2), np.array([-1, 0], np.int32))


# ---------- 15. 0-d index_select, empty tensors are contiguous ----------

def test_15_index_select_on_zero_dim_and_empty_contiguity():
    t = rgrad.tensor(2.5)
    for idx in (rgrad.tensor([0]), rgrad.tensor(0), rgrad.tensor([0], dtype=rgrad.int32)):
        out = t.index_select(0, idx)
        assert out.shape == () and out.item() == 2.5
    assert rgrad.tensor([1.0, 2.0]).index_select(0, rgrad.tensor(1)).shape == (1,)
    for shape in [(3, 2, 0), (0,), (0, 5), (4, 0, 1)]:
        assert rgrad.zeros(*shape).is_contiguous()
        assert rgrad.zeros(*shape).t().is_contiguous() if len(shape) == 2 else True
