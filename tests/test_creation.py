"""Creation functions, dtypes, attributes and conversions (core issue)."""

import math

import numpy as np
import pytest

import rgrad
from conftest import DTYPES, NP_OF, assert_close


def test_dtype_objects():
    assert repr(rgrad.float32) == "rgrad.float32"
    assert rgrad.float is rgrad.float32 and rgrad.double is rgrad.float64
    assert rgrad.long is rgrad.int64 and rgrad.int is rgrad.int32
    sizes = {rgrad.bool: 1, rgrad.int32: 4, rgrad.int64: 8, rgrad.float32: 4, rgrad.float64: 8}
    for d, s in sizes.items():
        assert d.itemsize == s
        assert d.is_floating_point == (d in (rgrad.float32, rgrad.float64))
    assert rgrad.ones(2).dtype is rgrad.float32


def test_default_dtype():
    assert rgrad.get_default_dtype() is rgrad.float32
    rgrad.set_default_dtype(rgrad.float64)
    try:
        assert rgrad.tensor([1.5]).dtype is rgrad.float64
        assert rgrad.zeros(2).dtype is rgrad.float64
        assert rgrad.arange(2.0).dtype is rgrad.float64
        assert (rgrad.tensor([1, 2]) / 2).dtype is rgrad.float64
    finally:
        rgrad.set_default_dtype(rgrad.float32)
    with pytest.raises(TypeError):
        rgrad.set_default_dtype(rgrad.int64)


@pytest.mark.parametrize(
    "data,dtype",
    [
        (1, rgrad.int64),
        (1.5, rgrad.float32),
        (True, rgrad.bool),
        ([1, 2, 3], rgrad.int64),
        ([1, 2.0], rgrad.float32),
        ([[True, False]], rgrad.bool),
        ([[1, 2], [3, 4]], rgrad.int64),
        ((1, 2), rgrad.int64),
        ([], rgrad.float32),
        ([[], []], rgrad.float32),
    ],
)
def test_tensor_infers_dtype(data, dtype):
    t = rgrad.tensor(data)
    assert t.dtype is dtype
    expected = np.array(data, dtype=NP_OF[dtype])
    assert_close(t, expected)


def test_tensor_from_numpy_copies_and_keeps_dtype():
    for npd, d in [(np.float64, rgrad.float64), (np.float32, rgrad.float32), (np.int32, rgrad.int32), (np.int64, rgrad.int64), (np.bool_, rgrad.bool)]:
        a = np.arange(6).reshape(2, 3).astype(npd)
        t = rgrad.tensor(a)
        assert t.dtype is d
        a[0, 0] = 1
        assert t[0, 0].item() == 0 if hasattr(rgrad.Tensor, "__getitem__") else True
        assert_close(t, np.arange(6).reshape(2, 3).astype(npd))


def test_tensor_from_tensor_and_scalars():
    a = rgrad.tensor([1.0, 2.0], requires_grad=True)
    b = rgrad.tensor(a)
    assert not b.requires_grad and b.is_leaf
    assert_close(b, np.array([1.0, 2.0], np.float32))
    assert rgrad.tensor([np.float32(1.5), 2]).dtype is rgrad.float32
    assert rgrad.tensor(np.int64(3)).dtype is rgrad.int64
    assert rgrad.tensor([rgrad.tensor(1.0), rgrad.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert rgrad.tensor([1, 2], dtype=rgrad.float64).dtype is rgrad.float64


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [1, [2]], [[1], 2], [[[1, 2]], [[1]]]])
def test_ragged_is_value_error(bad):
    with pytest.raises(ValueError, match="sequence|ragged|expected"):
        rgrad.tensor(bad)


def test_tensor_bad_types():
    with pytest.raises(TypeError):
        rgrad.tensor("abc")
    with pytest.raises(TypeError):
        rgrad.tensor([1, "a"])
    with pytest.raises(TypeError):
        rgrad.tensor({1: 2})


@pytest.mark.parametrize("fn,npfn", [(rgrad.zeros, np.zeros), (rgrad.ones, np.ones)])
def test_zeros_ones(fn, npfn):
    for shape in [(), (3,), (2, 3), (0, 4), (1, 1, 2)]:
        assert_close(fn(*shape), npfn(shape, np.float32))
        assert_close(fn(shape), npfn(shape, np.float32))
        assert_close(fn(list(shape)), npfn(shape, np.float32))
    for d in DTYPES:
        assert fn(2, dtype=d).dtype is d
        assert_close(fn(2, 2, dtype=d), npfn((2, 2), NP_OF[d]))
    assert fn(2, requires_grad=True).requires_grad
    assert fn(rgrad.Size([2, 3])).shape == (2, 3)


def test_full_empty_eye():
    assert_close(rgrad.full((2, 3), 7), np.full((2, 3), 7, np.int64))
    assert_close(rgrad.full((2,), 1.5), np.full((2,), 1.5, np.float32))
    assert_close(rgrad.full((2,), True), np.full((2,), True))
    assert_close(rgrad.full((2,), 3, dtype=rgrad.float64), np.full((2,), 3.0))
    assert rgrad.empty(2, 3).shape == (2, 3)
    assert rgrad.empty((4,), dtype=rgrad.int32).dtype is rgrad.int32
    assert_close(rgrad.eye(3), np.eye(3, dtype=np.float32))
    assert_close(rgrad.eye(2, 4), np.eye(2, 4, dtype=np.float32))
    assert_close(rgrad.eye(3, dtype=rgrad.int64), np.eye(3, dtype=np.int64))
    assert_close(rgrad.eye(0), np.eye(0, dtype=np.float32))


@pytest.mark.parametrize(
    "args,kw,expected",
    [
        ((4,), {}, np.arange(4)),
        ((4.0,), {}, np.arange(4, dtype=np.float32)),
        ((1, 4), {}, np.arange(1, 4)),
        ((1, 4, 0.5), {}, np.arange(1, 4, 0.5, dtype=np.float32)),
        ((5, 0, -1), {}, np.arange(5, 0, -1)),
        ((0, 1, 0.1), {}, np.arange(0, 1, 0.1, dtype=np.float32)),
        ((3,), {"dtype": rgrad.float64}, np.arange(3, dtype=np.float64)),
        ((0,), {}, np.arange(0)),
    ],
)
def test_arange(args, kw, expected):
    assert_close(rgrad.arange(*args, **kw), expected)


def test_arange_errors():
    with pytest.raises(ValueError, match="step must be nonzero"):
        rgrad.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="bound"):
        rgrad.arange(5, 0, 1)


def test_linspace():
    for s, e, n in [(0, 1, 5), (-2, 3, 7), (1, 1, 3), (0, 1, 1), (0, 1, 0), (10, -10, 11)]:
        assert_close(rgrad.linspace(s, e, n), np.linspace(s, e, n, dtype=np.float32))
    assert_close(rgrad.linspace(0, 1, 5, dtype=rgrad.float64), np.linspace(0, 1, 5))
    assert rgrad.linspace(0, 1, steps=9)[-1].item() == 1.0 if hasattr(rgrad.Tensor, "__getitem__") else True
    with pytest.raises(RuntimeError, match="non-negative"):
        rgrad.linspace(0, 1, -1)


def test_random_reproducible_and_distributed():
    rgrad.manual_seed(42)
    a = rgrad.rand(1000)
    b = rgrad.randn(1000)
    c = rgrad.randint(0, 10, (1000,))
    rgrad.manual_seed(42)
    assert rgrad.rand(1000).tolist() == a.tolist()
    assert rgrad.randn(1000).tolist() == b.tolist()
    assert rgrad.randint(0, 10, (1000,)).tolist() == c.tolist()
    na = a.numpy()
    assert na.min() >= 0 and na.max() < 1 and abs(na.mean() - 0.5) < 0.05
    nb = b.numpy()
    assert abs(nb.mean()) < 0.15 and abs(nb.std() - 1) < 0.1
    nc = c.numpy()
    assert c.dtype is rgrad.int64 and nc.min() == 0 and nc.max() == 9
    assert rgrad.randint(5, (3, 2)).shape == (3, 2)
    assert rgrad.randint(-3, 3, size=(4,)).numpy().min() >= -3
    assert rgrad.rand(2, 3, dtype=rgrad.float64).dtype is rgrad.float64
    with pytest.raises(RuntimeError):
        rgrad.rand(2, dtype=rgrad.int64)
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        rgrad.randint(5, 5, (2,))


def test_like_functions():
    x = rgrad.ones(2, 3, dtype=rgrad.float64)
    for fn in (rgrad.zeros_like, rgrad.ones_like, rgrad.empty_like, rgrad.rand_like, rgrad.randn_like):
        y = fn(x)
        assert y.shape == (2, 3) and y.dtype is rgrad.float64
    assert_close(rgrad.zeros_like(x), np.zeros((2, 3)))
    assert_close(rgrad.ones_like(x, dtype=rgrad.int32), np.ones((2, 3), np.int32))
    assert_close(rgrad.full_like(x, 4), np.full((2, 3), 4.0))
    r = rgrad.randint_like(x, 3, 7)
    assert r.dtype is rgrad.float64 and 3 <= r.numpy().min() and r.numpy().max() < 7
    assert rgrad.randint_like(x, 5).numpy().max() < 5
    assert rgrad.zeros_like(x, requires_grad=True).requires_grad


def test_negative_sizes():
    for fn in (rgrad.zeros, rgrad.ones, rgrad.empty, rgrad.rand, rgrad.randn):
        with pytest.raises(ValueError, match="negative dimension"):
            fn(2, -1)
    with pytest.raises(ValueError):
        rgrad.full((-1,), 1.0)
    with pytest.raises(TypeError):
        rgrad.zeros(2.5)
    with pytest.raises(TypeError):
        rgrad.zeros("a")


@pytest.mark.cpu_only  # about CPU tensors' device attributes, no-op moves and reprs
def test_attributes():
    t = rgrad.zeros(2, 3, 4)
    assert isinstance(t.shape, tuple) and isinstance(t.shape, rgrad.Size)
    assert repr(t.shape) == "rgrad.Size([2, 3, 4])"
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.dim() == 3 and t.ndim == 3 and t.numel() == 24 and t.nelement() == 24
    assert t.stride() == (12, 4, 1) and t.stride(0) == 12 and t.stride(-1) == 1
    assert t.storage_offset() == 0 and t.is_contiguous()
    assert t.element_size() == 4 and t.itemsize == 4 and t.nbytes == 96
    assert t.device == rgrad.device("cpu") and str(t.device) == "cpu" and t.device.type == "cpu"
    assert repr(t.device) == "device(type='cpu')"
    assert t.T.shape == (4, 3, 2)
    assert t.mT.shape == (2, 4, 3)
    assert not t.requires_grad and t.grad is None and t.grad_fn is None and t.is_leaf
    assert t.data.shape == (2, 3, 4)
    assert rgrad.zeros(()).dim() == 0 and rgrad.zeros(()).size() == ()
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.size(3)
    with pytest.raises(IndexError):
        t.stride(-4)


def test_type_names_and_legacy_types():
    names = {rgrad.float32: "rgrad.FloatTensor", rgrad.float64: "rgrad.DoubleTensor", rgrad.int64: "rgrad.LongTensor", rgrad.int32: "rgrad.IntTensor", rgrad.bool: "rgrad.BoolTensor"}
    for d, n in names.items():
        assert rgrad.zeros(1, dtype=d).type() == n
    assert rgrad.ones(2).type(rgrad.int64).dtype is rgrad.int64
    assert rgrad.ones(2).type("rgrad.DoubleTensor").dtype is rgrad.float64
    f = rgrad.FloatTensor([1, 2])
    assert f.dtype is rgrad.float32 and f.tolist() == [1.0, 2.0]
    assert rgrad.LongTensor([1, 2]).dtype is rgrad.int64
    assert rgrad.FloatTensor(2, 3).shape == (2, 3)
    assert isinstance(rgrad.ones(2), rgrad.FloatTensor)
    assert not isinstance(rgrad.ones(2), rgrad.DoubleTensor)
    assert isinstance(rgrad.ones(2, dtype=rgrad.bool), rgrad.BoolTensor)
    assert isinstance(rgrad.ones(2), rgrad.Tensor)
    assert rgrad.Tensor([1, 2]).dtype is rgrad.float32
    assert rgrad.Tensor(2, 3).shape == (2, 3)


@pytest.mark.cpu_only  # about CPU tensors' device attributes, no-op moves and reprs
def test_to_and_conversions():
    t = rgrad.tensor([1.7, -2.2, 0.0])
    assert t.to(rgrad.float64).dtype is rgrad.float64
    assert t.to("cpu") is not None and t.to(device="cpu", dtype=rgrad.int32).dtype is rgrad.int32
    assert t.to(rgrad.zeros(1, dtype=rgrad.int64)).dtype is rgrad.int64
    assert_close(t.long(), np.array([1, -2, 0]))
    assert_close(t.int(), np.array([1, -2, 0], np.int32))
    assert_close(t.bool(), np.array([True, True, False]))
    assert_close(t.double(), np.array([1.7, -2.2, 0.0], np.float32).astype(np.float64))
    assert_close(t.long().float(), np.array([1, -2, 0], np.float32))
    assert t.cpu() is t
    assert t.to(rgrad.float32) is not None
    with pytest.raises(RuntimeError, match="not available|Expected one of"):
        t.to("tpu")


def test_python_scalar_conversion():
    assert rgrad.tensor(2.5).item() == 2.5 and isinstance(rgrad.tensor(2.5).item(), float)
    assert rgrad.tensor(3).item() == 3 and isinstance(rgrad.tensor(3).item(), int)
    assert rgrad.tensor(True).item() is True
    assert float(rgrad.tensor([1.5])) == 1.5
    assert int(rgrad.tensor(-2.7)) == -2
    assert bool(rgrad.tensor(0.0)) is False and bool(rgrad.tensor([2])) is True
    assert [1, 2, 3][rgrad.tensor(1)] == 2
    assert rgrad.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert rgrad.tensor(5.0).tolist() == 5.0
    assert len(rgrad.zeros(4, 2)) == 4
    rows = list(rgrad.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(rgrad.ones(2))
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        rgrad.ones(2).item()
    with pytest.raises(TypeError):
        len(rgrad.tensor(1.0))
    with pytest.raises(TypeError):
        iter(rgrad.tensor(1.0))
    with pytest.raises(TypeError):
        [1, 2][rgrad.tensor(1.0)]
    with pytest.raises(ValueError):
        float(rgrad.ones(2))


@pytest.mark.cpu_only  # about CPU tensors' device attributes, no-op moves and reprs
def test_repr_matches_pytorch():
    assert repr(rgrad.tensor([0.0, 4.0, 8.0, 12.0])) == "tensor([ 0.,  4.,  8., 12.])"
    assert repr(rgrad.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"
    assert repr(rgrad.tensor(3.0)) == "tensor(3.)"
    assert repr(rgrad.tensor(5)) == "tensor(5)"
    assert repr(rgrad.tensor([1, 2], dtype=rgrad.int32)) == "tensor([1, 2], dtype=rgrad.int32)"
    assert repr(rgrad.tensor([1.0], dtype=rgrad.float64)) == "tensor([1.], dtype=rgrad.float64)"
    assert repr(rgrad.tensor([True, False])) == "tensor([ True, False])"
    assert repr(rgrad.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"
    assert repr(rgrad.tensor([float("nan"), float("inf"), -1.0])) == "tensor([nan, inf, -1.])"
    assert repr(rgrad.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"
    assert repr(rgrad.zeros(0)) == "tensor([])"
    assert repr(rgrad.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(rgrad.ones(2, requires_grad=True)) == "tensor([1., 1.], requires_grad=True)"
    x = rgrad.ones(2, requires_grad=True)
    assert repr(x + x) == "tensor([2., 2.], grad_fn=<AddBackward0>)"
    assert repr(rgrad.ones(2000)) == "tensor([1., 1., 1.,  ..., 1., 1., 1.])"
    big = repr(rgrad.zeros(100, 100))
    assert "..." in big and big.count("\n") < 12
    assert str(rgrad.tensor([1.0])) == repr(rgrad.tensor([1.0]))
    assert f"{rgrad.tensor(2.5):.1f}" == "2.5"


def test_is_tensor_and_numel():
    assert rgrad.is_tensor(rgrad.ones(1)) and not rgrad.is_tensor([1])
    assert rgrad.numel(rgrad.ones(2, 3)) == 6
    assert rgrad.is_floating_point(rgrad.ones(1)) and not rgrad.is_floating_point(rgrad.ones(1, dtype=rgrad.int64))


def test_promotion_rules():
    i32 = rgrad.ones(2, dtype=rgrad.int32)
    i64 = rgrad.ones(2, dtype=rgrad.int64)
    f32 = rgrad.ones(2)
    f64 = rgrad.ones(2, dtype=rgrad.float64)
    b = rgrad.ones(2, dtype=rgrad.bool)
    assert (i32 + 2).dtype is rgrad.int32
    assert (i32 + 2.5).dtype is rgrad.float32
    assert (i32 / i32).dtype is rgrad.float32
    assert (i32 + i64).dtype is rgrad.int64
    assert (i64 + f32).dtype is rgrad.float32
    assert (f32 + f64).dtype is rgrad.float64
    assert (b + b).dtype is rgrad.bool
    assert (b + 1).dtype is rgrad.int64
    assert (f32 + rgrad.tensor(1.0, dtype=rgrad.float64)).dtype is rgrad.float32
    assert (i32 + rgrad.tensor(1.0, dtype=rgrad.float64)).dtype is rgrad.float64
    assert (2 * i32).dtype is rgrad.int32 and (2.0 * i32).dtype is rgrad.float32
    assert rgrad.promote_types(rgrad.int32, rgrad.float32) is rgrad.float32
    assert rgrad.result_type(i32, 2.5) is rgrad.float32
    assert rgrad.can_cast(rgrad.int32, rgrad.float32) and not rgrad.can_cast(rgrad.float32, rgrad.int32)


# ---------- new_* factories, random fills, randperm, logspace, inference_mode ----------

def test_new_factories_take_self_dtype():
    x = rgrad.ones(2, 3, dtype=rgrad.float64)
    for t in (x.new_zeros(2, 4), x.new_zeros((2, 4)), x.new_ones([2, 4]), x.new_empty(2, 4), x.new_full((2, 4), 7)):
        assert t.dtype == rgrad.float64 and t.shape == (2, 4)
    assert x.new_zeros(2).tolist() == [0, 0] and x.new_ones(2).tolist() == [1, 1]
    assert x.new_full((2,), 7).tolist() == [7, 7]
    # new_tensor keeps self's dtype instead of inferring one
    t = rgrad.zeros(1, dtype=rgrad.int32).new_tensor([1.7, 2.2])
    assert t.dtype == rgrad.int32 and t.tolist() == [1, 2]
    assert x.new_zeros(2, dtype=rgrad.int64).dtype == rgrad.int64
    assert x.new_ones(2, requires_grad=True).requires_grad
    src = rgrad.ones(2, requires_grad=True)
    c = x.new_tensor(src)
    assert not c.requires_grad and c.dtype == rgrad.float64


def test_uniform_and_normal_fills():
    rgrad.manual_seed(3)
    a = rgrad.empty(20000).uniform_(-2, 3)
    rgrad.manual_seed(3)
    assert rgrad.equal(a, rgrad.empty(20000).uniform_(**{"from": -2, "to": 3}))
    v = a.numpy()
    assert v.min() >= -2 and v.max() < 3 and abs(v.mean() - 0.5) < 0.05
    n = rgrad.empty(20000, dtype=rgrad.float64).normal_(1.0, 2.0).numpy()
    assert abs(n.mean() - 1.0) < 0.1 and abs(n.std() - 2.0) < 0.1
    w = rgrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w.uniform_()
    with rgrad.no_grad():
        assert w.normal_() is w
    assert w.is_leaf and w.requires_grad
    with pytest.raises(NotImplementedError, match="\"check_uniform_bounds\" not implemented for 'Long'"):
        rgrad.zeros(3, dtype=rgrad.int64).uniform_()
    with pytest.raises(NotImplementedError, match="\"normal_kernel_cpu\" not implemented for 'Int'"):
        rgrad.zeros(3, dtype=rgrad.int32).normal_()
    with pytest.raises(RuntimeError, match="uniform_ expects to return a \\[from, to\\) range, but found from=1 > to=0"):
        rgrad.zeros(3).uniform_(1, 0)
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        rgrad.zeros(3).normal_(0, -1)


def test_randperm():
    rgrad.manual_seed(0)
    p = rgrad.randperm(1000)
    assert p.dtype == rgrad.int64 and sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))
    rgrad.manual_seed(0)
    assert rgrad.equal(p, rgrad.randperm(1000))
    assert rgrad.randperm(0).shape == (0,)
    assert rgrad.randperm(5, dtype=rgrad.float32).dtype == rgrad.float32
    with pytest.raises(RuntimeError, match="n must be non-negative"):
        rgrad.randperm(-1)
    with pytest.raises(TypeError):
        rgrad.randperm(2.5)


def test_logspace():
    np.testing.assert_allclose(rgrad.logspace(0, 3, 4).numpy(), np.logspace(0, 3, 4), rtol=1e-6)
    np.testing.assert_allclose(rgrad.logspace(-1, 1, 5, base=2.0, dtype=rgrad.float64).numpy(), np.logspace(-1, 1, 5, base=2.0))
    assert rgrad.logspace(0, 3, 4).dtype == rgrad.float32
    assert rgrad.logspace(0, 3, 4, base=2, dtype=rgrad.int64).tolist() == [1, 2, 4, 8]


def test_inference_mode_and_dtype_predicates():
    assert not rgrad.is_inference_mode_enabled()
    with rgrad.inference_mode():
        assert not rgrad.is_grad_enabled() and rgrad.is_inference_mode_enabled()
        assert not (rgrad.ones(2, requires_grad=True) * 2).requires_grad
    assert rgrad.is_grad_enabled() and not rgrad.is_inference_mode_enabled()
    with rgrad.inference_mode(False):
        assert rgrad.is_grad_enabled()

    @rgrad.inference_mode()
    def f():
        return rgrad.is_grad_enabled()

    assert f() is False and rgrad.is_grad_enabled()
    assert rgrad.zeros(1).is_signed() and rgrad.zeros(1, dtype=rgrad.int32).is_signed()
    assert not rgrad.zeros(1, dtype=rgrad.bool).is_signed()
    assert not rgrad.zeros(1).is_complex() and not rgrad.is_complex(rgrad.zeros(1))


def test_bernoulli_normal_multinomial():
    rgrad.manual_seed(5)
    p = rgrad.tensor([0.0, 1.0, 0.3])
    draws = np.stack([rgrad.bernoulli(p).numpy() for _ in range(2000)])
    assert draws[:, 0].sum() == 0 and draws[:, 1].sum() == 2000 and abs(draws[:, 2].mean() - 0.3) < 0.04
    assert set(np.unique(rgrad.zeros(1000).bernoulli_(0.5).numpy())) == {0.0, 1.0}
    with pytest.raises(RuntimeError, match="Expected p_in >= 0 && p_in <= 1"):
        rgrad.bernoulli(rgrad.tensor([2.0]))
    with pytest.raises(NotImplementedError):
        rgrad.bernoulli(rgrad.tensor([1]))

    n = rgrad.normal(2.0, 3.0, (20000,)).numpy()
    assert abs(n.mean() - 2.0) < 0.1 and abs(n.std() - 3.0) < 0.1
    mean = rgrad.zeros(4, dtype=rgrad.float64, requires_grad=True)
    std = rgrad.ones(4, dtype=rgrad.float64, requires_grad=True)
    r = rgrad.normal(mean, std)
    r.sum().backward()
    # d/dmean = 1, d/dstd = the standard-normal draw = (r - mean) / std
    assert_close(mean.grad, np.ones(4))
    assert_close(std.grad, r.detach().numpy())
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0, but found std -1"):
        rgrad.normal(rgrad.zeros(2), -1.0)

    w = rgrad.tensor([0.1, 0.0, 0.6, 0.3])
    s = rgrad.multinomial(w, 20000, replacement=True).numpy()
    freq = np.bincount(s, minlength=4) / s.size
    assert freq[1] == 0 and np.abs(freq - [0.1, 0.0, 0.6, 0.3]).max() < 0.02
    firsts = np.array([rgrad.multinomial(w, 3).tolist() for _ in range(3000)])
    assert all(len(set(row)) == 3 for row in firsts) and 1 not in firsts
    assert np.abs(np.bincount(firsts[:, 0], minlength=4) / 3000 - [0.1, 0.0, 0.6, 0.3]).max() < 0.03
    assert rgrad.multinomial(rgrad.tensor([0.0, 1.0, 0.0]), 2).tolist()[0] == 1  # then a zero-weight one
    rows = rgrad.multinomial(rgrad.tensor([[1.0, 0.0], [0.0, 1.0]]), 3, replacement=True)
    assert rows.dtype == rgrad.int64 and rows.tolist() == [[0, 0, 0], [1, 1, 1]]
    for args, msg in [
        ((rgrad.tensor([0.2, 0.8]), 3), "cannot sample n_sample > prob_dist.size"),
        ((rgrad.tensor([-1.0, 1.0]), 1), "probability tensor contains either `inf`, `nan` or element < 0"),
        ((rgrad.tensor([0.0, 0.0]), 1), "invalid multinomial distribution"),
        ((rgrad.tensor([1, 1]), 1), "multinomial only supports floating-point dtypes for input, got: Long"),
        ((rgrad.ones(2, 2, 2), 1), "prob_dist must be 1 or 2 dim"),
        ((rgrad.tensor([1.0]), 0), "cannot sample n_sample <= 0 samples"),
    ]:
        with pytest.raises(RuntimeError, match=msg):
            rgrad.multinomial(*args)


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda out: rgrad.zeros(2, 3, out=out), np.zeros((2, 3))),
        (lambda out: rgrad.ones((2, 3), out=out), np.ones((2, 3))),
        (lambda out: rgrad.full((2, 3), 7, out=out), np.full((2, 3), 7)),
        (lambda out: rgrad.eye(2, 3, out=out), np.eye(2, 3)),
        (lambda out: rgrad.arange(6, out=out.view(6)).view(2, 3), np.arange(6).reshape(2, 3)),
        (lambda out: rgrad.linspace(0, 5, 6, out=out.view(6)).view(2, 3), np.linspace(0, 5, 6).reshape(2, 3)),
    ],
)
@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64, rgrad.int64, rgrad.int32])
def test_creation_out_writes_and_returns_out(make, expected, dtype):
    # PyTorch: the result takes out's dtype, is written into out, and out itself comes back
    out = rgrad.full((2, 3), -5, dtype=dtype)
    r = make(out)
    assert r.dtype == dtype
    np.testing.assert_array_equal(out.numpy(), expected.astype(out.numpy().dtype))
    np.testing.assert_array_equal(r.numpy(), out.numpy())


def test_creation_out_identity_and_rules():
    out = rgrad.full((3,), 9.0)
    assert rgrad.zeros(3, out=out) is out
    assert rgrad.empty(3, out=out) is out and out.tolist() == [0.0, 0.0, 0.0]  # empty leaves it
    strided = rgrad.zeros(6)[::2]
    assert rgrad.ones(3, out=strided) is strided
    assert strided._base.tolist() == [1, 0, 1, 0, 1, 0]
    rgrad.manual_seed(4)
    a = rgrad.rand(3, dtype=rgrad.float64)
    rgrad.manual_seed(4)
    o = rgrad.empty(3, dtype=rgrad.float64)
    assert rgrad.rand(3, out=o) is o and o.tolist() == a.tolist()
    assert rgrad.randint(0, 4, (3,), out=rgrad.empty(3)).dtype == rgrad.float32
    fresh = rgrad.empty(3)
    rgrad.zeros(3, out=fresh, requires_grad=True)
    assert fresh.requires_grad and fresh.is_leaf


def test_creation_out_errors():
    with pytest.raises(RuntimeError, match=r"dtype Float does not match dtype of out parameter \(Long\)"):
        rgrad.zeros(3, dtype=rgrad.float32, out=rgrad.empty(3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match=r"zeros\(\): out= tensor has shape \[3\] but the result has shape \[2\]"):
        rgrad.zeros(2, out=rgrad.empty(3))
    with pytest.raises(RuntimeError, match=r"arange\(\): out= tensor has shape \[4\] but the result has shape \[5\]"):
        rgrad.arange(5, out=rgrad.empty(4))
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        rgrad.ones(3, out=rgrad.empty(3, requires_grad=True))
    with rgrad.no_grad():
        leaf = rgrad.empty(3, requires_grad=True)
        assert rgrad.ones(3, out=leaf) is leaf
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
        rgrad.ones(3, out=[1])
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        rgrad.rand(3, out=rgrad.empty(3, dtype=rgrad.int64))


def test_randperm_and_logspace_out_follow_the_creation_rules():
    out = rgrad.empty(6, dtype=rgrad.float32)
    assert rgrad.randperm(6, out=out) is out
    assert sorted(out.tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    out64 = rgrad.empty(4, dtype=rgrad.float64)
    assert rgrad.logspace(0, 3, 4, out=out64) is out64
    np.testing.assert_allclose(out64.numpy(), np.logspace(0, 3, 4), rtol=1e-12)
    with pytest.raises(RuntimeError, match=r"dtype Long does not match dtype of out parameter \(Float\)"):
        rgrad.randperm(6, dtype=rgrad.int64, out=out)
    with pytest.raises(RuntimeError, match=r"logspace\(\): out= tensor has shape \[4\] but the result has shape \[3\]"):
        rgrad.logspace(0, 2, 3, out=out64)
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        rgrad.randperm(4, out=rgrad.empty(4, requires_grad=True))
