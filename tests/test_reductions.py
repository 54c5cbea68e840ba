"""Reductions: values against NumPy over dtypes, dims, keepdim and layouts;
0-d and empty tensors; NaN handling; gradients (gradcheck); errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rgrad
from conftest import DTYPES, NP_OF, assert_close, rand_np, to_np

F = rgrad.nn.functional
FLOATS = [rgrad.float32, rgrad.float64]
DIMS_3D = [None, 0, 1, -1, (0, 2), (-1, -3), (0, 1, 2), ()]


def mk(a, layout="contiguous"):
    """A tensor with a's values: contiguous, permuted (non-contiguous) or expanded."""
    a = np.asarray(a)
    if layout == "contiguous" or a.ndim < 2:
        return rgrad.from_numpy(np.ascontiguousarray(a).copy())
    if layout == "permuted":
        perm = list(range(1, a.ndim)) + [0]  # store with axis 0 last, view back
        base = rgrad.from_numpy(np.ascontiguousarray(a.transpose(perm)).copy())
        inv = [a.ndim - 1] + list(range(a.ndim - 1))
        t = base.permute(*inv)
        return t
    raise ValueError(layout)


def np_axis(dim):
    if dim is None:
        return None
    if isinstance(dim, tuple):
        return dim if dim else None
    return dim


def np_sum_dtype(dt):
    return np.int64 if dt in (np.bool_, np.int32, np.int64) else dt


# ---------- sum / mean / prod / nansum / nanmean ----------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", DIMS_3D)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_sum_prod_against_numpy(dtype, dim, keepdim, layout):
    a = rand_np((3, 4, 5), NP_OF[dtype], low=-2, high=3)
    x = mk(a, layout)
    acc = np_sum_dtype(NP_OF[dtype])
    kw = {} if dim is None else {"dim": dim}
    assert_close(x.sum(**kw, keepdim=keepdim), np.sum(a, axis=np_axis(dim), keepdims=keepdim, dtype=acc), rtol=1e-5)
    if dim is None or isinstance(dim, int):
        assert_close(x.prod(**kw, keepdim=keepdim), np.prod(a, axis=np_axis(dim), keepdims=keepdim, dtype=acc), rtol=1e-4)
    if dtype in FLOATS:
        assert_close(x.mean(**kw, keepdim=keepdim), np.mean(a, axis=np_axis(dim), keepdims=keepdim), rtol=1e-5)
        assert_close(rgrad.sum(x, **kw, keepdim=keepdim), np.sum(a, axis=np_axis(dim), keepdims=keepdim), rtol=1e-5)


def test_sum_dtype_argument_and_function_forms():
    a = rand_np((4, 5), np.float32)
    x = mk(a)
    assert_close(x.sum(dtype=rgrad.float64), a.sum(dtype=np.float64))
    assert x.sum(1, dtype=rgrad.int32).dtype == rgrad.int32
    assert_close(rgrad.mean(mk(np.arange(6)), dtype=rgrad.float32), np.float32(2.5))
    assert_close(rgrad.prod(x, 1), a.prod(1), rtol=1e-5)
    assert rgrad.tensor([True, True]).prod().dtype == rgrad.int64


def test_expanded_and_narrowed_inputs():
    a = rand_np((1, 6), np.float64)
    x = mk(a).expand(5, 6)
    e = np.broadcast_to(a, (5, 6))
    for d in (0, 1, None):
        kw = {} if d is None else {"dim": d}
        assert_close(x.sum(**kw), e.sum(axis=d))
        assert_close(x.amax(**kw) if d is not None else x.amax(), e.max(axis=d))
    b = rand_np((6, 8), np.float32)
    y = mk(b).narrow(1, 2, 5).transpose(0, 1)
    assert_close(y.sum(0), b[:, 2:7].T.sum(0))
    assert_close(y.sum(1), b[:, 2:7].T.sum(1))
    assert_close(y.max(1).values, b[:, 2:7].T.max(1))
    assert_close(y.argmax(0), b[:, 2:7].T.argmax(0))


def test_nansum_nanmean():
    a = rand_np((4, 5), np.float64)
    a[1, 2] = np.nan
    a[3, :] = np.nan
    x = mk(a)
    assert_close(x.nansum(), np.nansum(a))
    assert_close(x.nansum(1), np.nansum(a, 1))
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanmean(a, 1)
    assert_close(x.nanmean(1), expected)
    assert_close(rgrad.nanmean(x, 0, keepdim=True), np.nanmean(a, 0, keepdims=True))
    assert_close(mk(np.arange(5)).nansum(), np.int64(10))
    with pytest.raises(RuntimeError, match="nanmean\\(\\): expected input to have floating point"):
        mk(np.arange(5)).nanmean()


def test_sum_numerics():
    ones = rgrad.ones(10_000_000)
    assert ones.sum().item() == 1e7
    a = np.random.default_rng(1).random(10_000_000).astype(np.float32)
    m = mk(a).mean().item()
    ref = a.astype(np.float64).mean()
    assert abs(m - ref) / ref < 1e-6
    big = rgrad.ones(4096, 4096)
    assert (big.sum(0) == 4096).all().item()
    assert (big.sum(1) == 4096).all().item()


def test_int_bool_sums_in_int64():
    for dt in (rgrad.bool, rgrad.int32, rgrad.int64):
        x = rgrad.ones(3, 4, dtype=dt)
        assert x.sum().dtype == rgrad.int64
        assert x.sum(1).dtype == rgrad.int64
        assert x.cumsum(0).dtype == rgrad.int64
    # int sums wrap like PyTorch
    x = rgrad.tensor([2**62, 2**62, 2**62], dtype=rgrad.int64)
    assert x.sum().item() == np.array([2**62] * 3, dtype=np.int64).sum()


def test_mean_of_ints_errors():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"):
        mk(np.arange(4)).mean()
    with pytest.raises(RuntimeError, match="Got: Bool"):
        rgrad.tensor([True]).mean()


# ---------- max / min / amax / amin / argmax / argmin ----------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", DIMS_3D)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_amax_amin_all_any(dtype, dim, keepdim, layout):
    a = rand_np((3, 4, 5), NP_OF[dtype], low=-2, high=3)
    x = mk(a, layout)
    kw = {} if dim is None else {"dim": dim}
    ax = np_axis(dim)
    assert_close(x.amax(**kw, keepdim=keepdim), np.max(a, axis=ax, keepdims=keepdim))
    assert_close(x.amin(**kw, keepdim=keepdim), np.min(a, axis=ax, keepdims=keepdim))
    assert_close(x.all(**kw, keepdim=keepdim), np.all(a, axis=ax, keepdims=keepdim))
    assert_close(x.any(**kw, keepdim=keepdim), np.any(a, axis=ax, keepdims=keepdim))
    if not keepdim:
        assert_close(x.count_nonzero(**kw), np.count_nonzero(a, axis=ax).astype(np.int64))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1, -3])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_max_min_dim_and_arg(dtype, dim, keepdim, layout):
    a = rand_np((3, 4, 5), NP_OF[dtype], low=-2, high=3)  # many ties: first index wins
    x = mk(a, layout)
    r = x.max(dim, keepdim)
    assert isinstance(r, tuple) and r._fields == ("values", "indices")
    assert_close(r.values, np.max(a, axis=dim, keepdims=keepdim))
    assert_close(r.indices, np.argmax(a, axis=dim, keepdims=keepdim).astype(np.int64))
    v, i = rgrad.min(x, dim=dim, keepdim=keepdim)
    assert_close(v, np.min(a, axis=dim, keepdims=keepdim))
    assert_close(i, np.argmin(a, axis=dim, keepdims=keepdim).astype(np.int64))
    if dtype != rgrad.bool:
        assert_close(x.argmax(dim, keepdim), np.argmax(a, axis=dim, keepdims=keepdim).astype(np.int64))
        assert_close(rgrad.argmin(x, dim=dim, keepdim=keepdim), np.argmin(a, axis=dim, keepdims=keepdim).astype(np.int64))


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != rgrad.bool])
def test_argmax_flat(dtype):
    a = rand_np((4, 6), NP_OF[dtype], low=-3, high=3)
    for layout in ("contiguous", "permuted"):
        x = mk(a, layout)
        assert x.argmax().item() == np.argmax(a)
        assert x.argmin().item() == np.argmin(a)
        assert x.argmax(keepdim=True).shape == (1, 1)
        assert x.max().item() == a.max() and x.min().item() == a.min()


def test_nan_propagation():
    a = np.array([[1.0, np.nan, 3.0, np.nan], [4.0, 5.0, 6.0, -1.0]], dtype=np.float32)
    x = mk(a)
    assert math.isnan(x.max().item()) and math.isnan(x.min().item())
    assert_close(x.amax(1), np.max(a, 1))
    assert_close(x.amin(0), np.min(a, 0))
    assert_close(x.argmax(1), np.argmax(a, 1))
    assert_close(x.argmin(1), np.argmin(a, 1))
    assert x.argmax().item() == 1 and x.argmin().item() == 1
    r = x.max(1)
    assert_close(r.indices, np.array([1, 2]))
    assert_close(x.t().argmax(0), np.argmax(a, 1))  # column path
    big = np.random.default_rng(0).random(100_000).astype(np.float32)
    big[77_777] = np.nan
    big[88_888] = np.nan
    assert mk(big).argmax().item() == 77_777
    assert math.isnan(mk(big).amax().item())


def test_argmax_large_parallel_paths():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((300, 2000)).astype(np.float32)
    x = mk(a)
    assert_close(x.argmax(1), a.argmax(1))
    assert_close(x.argmax(0), a.argmax(0))
    assert_close(x.max(0).values, a.max(0))
    b = rng.standard_normal((3, 400_000)).astype(np.float32)
    assert_close(mk(b).argmax(1), b.argmax(1))
    assert_close(mk(b).amin(1), b.min(1))
    assert_close(mk(b).sum(1), b.sum(1), rtol=1e-4, atol=1e-2)
    assert_close(mk(b.T.copy()).argmax(0), b.argmax(1))
    c = rng.integers(-5, 5, size=1_000_003).astype(np.int64)
    assert mk(c).argmax().item() == c.argmax()
    assert mk(c).prod().item() == c.prod()


def test_max_with_other_tensor():
    a, b = rand_np((3, 4), np.float32), rand_np((4,), np.float32, rng=np.random.default_rng(1))
    assert_close(mk(a).max(mk(b)), np.maximum(a, b))
    assert_close(rgrad.min(mk(a), mk(b)), np.minimum(a, b))


def test_aminmax():
    a = rand_np((3, 4), np.int64)
    r = rgrad.aminmax(mk(a))
    assert r._fields == ("min", "max")
    assert_close(r.min, a.min())
    assert_close(r.max, a.max())
    lo, hi = mk(a).aminmax(dim=1, keepdim=True)
    assert_close(lo, a.min(1, keepdims=True))
    assert_close(hi, a.max(1, keepdims=True))
    with pytest.raises(RuntimeError, match="aminmax\\(\\): cannot compute aminmax over an empty dimension"):
        rgrad.zeros(0).aminmax()


@pytest.mark.cpu_only  # the exact repr of CPU tensors
def test_return_type_repr():
    r = rgrad.tensor([1.0, 3.0]).max(0)
    assert repr(r).startswith("rgrad.return_types.max(\nvalues=tensor(3.)")
    assert type(r) is rgrad.return_types.max
    assert type(rgrad.tensor([1.0]).cummin(0)) is rgrad.return_types.cummin


# ---------- 0-d and empty ----------

def test_zero_dim_tensors():
    s = rgrad.tensor(3.0)
    for d in (0, -1):
        assert s.sum(d).item() == 3.0
        assert s.max(d).values.item() == 3.0 and s.max(d).indices.item() == 0
        assert s.argmax(d).item() == 0
        assert s.amax(d).item() == 3.0
        assert s.cumsum(d).item() == 3.0
        assert s.softmax(d).item() == 1.0
        assert s.logsumexp(d).item() == pytest.approx(3.0)
        assert s.prod(d).item() == 3.0
    assert s.max(0, keepdim=True).values.shape == ()
    assert s.std(correction=0).item() == 0.0
    with pytest.raises(IndexError, match="Dimension out of range \\(expected to be in range of \\[-1, 0\\], but got 1\\)"):
        s.sum(1)


def test_empty_tensors():
    e = rgrad.zeros(0)
    assert e.sum().item() == 0.0
    assert e.prod().item() == 1.0
    assert math.isnan(e.mean().item())
    assert e.all().item() is True and e.any().item() is False
    assert rgrad.zeros(0, dtype=rgrad.int64).sum().dtype == rgrad.int64
    e2 = rgrad.zeros(2, 0)
    assert_close(e2.sum(1), np.zeros(2, np.float32))
    assert e2.sum(0).shape == (0,)
    r = e2.max(0)
    assert r.values.shape == (0,) and r.indices.dtype == rgrad.int64
    assert e2.cumsum(1).shape == (2, 0)
    assert e2.softmax(1).shape == (2, 0)
    with pytest.raises(RuntimeError, match="max\\(\\): Expected reduction dim to be specified for input.numel\\(\\) == 0. Specify the reduction dim with the 'dim' argument."):
        e.max()
    with pytest.raises(RuntimeError, match="amax\\(\\): Expected reduction dim to be specified for input.numel\\(\\) == 0"):
        e.amax()
    with pytest.raises(IndexError, match="max\\(\\): Expected reduction dim 1 to have non-zero size."):
        e2.max(1)
    with pytest.raises(IndexError, match="amin\\(\\): Expected reduction dim 1 to have non-zero size."):
        e2.amin(1)
    with pytest.raises(IndexError, match="argmax\\(\\): Expected reduction dim to be specified for input.numel\\(\\) == 0."):
        e.argmax()
    with pytest.raises(IndexError, match="argmin\\(\\): Expected reduction dim 1 to have non-zero size."):
        e2.argmin(1)


# ---------- std / var ----------

@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("keepdim", [False, True])
def test_std_var(dim, correction, keepdim):
    a = rand_np((5, 6), np.float64)
    x = mk(a, "permuted")
    kw = {} if dim is None else {"dim": dim}
    assert_close(x.var(**kw, correction=correction, keepdim=keepdim), np.var(a, axis=dim, ddof=correction, keepdims=keepdim))
    assert_close(x.std(**kw, correction=correction, keepdim=keepdim), np.std(a, axis=dim, ddof=correction, keepdims=keepdim))
    s, m = rgrad.std_mean(x, **kw, correction=correction, keepdim=keepdim)
    assert_close(s, np.std(a, axis=dim, ddof=correction, keepdims=keepdim))
    assert_close(m, np.mean(a, axis=dim, keepdims=keepdim))
    v, m = rgrad.var_mean(x, **kw, correction=correction, keepdim=keepdim)
    assert_close(v, np.var(a, axis=dim, ddof=correction, keepdims=keepdim))


def test_std_var_unbiased_forms():
    a = rand_np((4, 5), np.float32)
    x = mk(a)
    assert_close(x.var(), np.var(a, ddof=1), rtol=1e-5)
    assert_close(x.var(False), np.var(a), rtol=1e-5)
    assert_close(x.std(1, False), np.std(a, 1), rtol=1e-5)
    assert_close(x.std(1, True, True), np.std(a, 1, ddof=1, keepdims=True), rtol=1e-5)
    assert_close(x.var(0, unbiased=False), np.var(a, 0), rtol=1e-5)
    assert math.isnan(rgrad.ones(1).var().item())
    with pytest.raises(RuntimeError, match="std and var only support floating point and complex dtypes"):
        mk(np.arange(3)).std()


# ---------- norms ----------

@pytest.mark.parametrize("p", [1, 2, 3, 0.5, 0, math.inf, -math.inf, "fro"])
@pytest.mark.parametrize("dim", [None, 1, (0, 1), -1])
def test_norm(p, dim):
    a = rand_np((4, 5), np.float64)
    a[0, 0] = 0.0
    x = mk(a)
    kw = {} if dim is None else {"dim": dim}
    ax = dim
    pv = 2 if p == "fro" else p
    flat = np.abs(a) if ax is None else np.abs(a)

    def ref(keep):
        if pv == math.inf:
            return flat.max(axis=ax, keepdims=keep)
        if pv == -math.inf:
            return flat.min(axis=ax, keepdims=keep)
        if pv == 0:
            return (flat != 0).sum(axis=ax, keepdims=keep).astype(np.float64)
        return (flat ** pv).sum(axis=ax, keepdims=keep) ** (1 / pv)

    assert_close(x.norm(p, **kw), ref(False))
    assert_close(rgrad.norm(x, p, **kw, keepdim=True), ref(True))
    if p != "fro":
        assert_close(rgrad.linalg.vector_norm(x, p, **kw), ref(False))


def test_linalg_norm():
    a = rand_np((4, 5), np.float64)
    x = mk(a)
    assert_close(rgrad.linalg.norm(x), np.linalg.norm(a))
    assert_close(rgrad.linalg.norm(x, "fro"), np.linalg.norm(a, "fro"))
    for o in (1, -1, math.inf, -math.inf):
        assert_close(rgrad.linalg.norm(x, o), np.linalg.norm(a, o))
        assert_close(rgrad.linalg.matrix_norm(x, o, keepdim=True), np.linalg.norm(a, o, keepdims=True))
    assert_close(rgrad.linalg.norm(x, 3, dim=1), np.linalg.norm(a, 3, axis=1))
    assert_close(rgrad.linalg.norm(mk(a[0]), 1), np.linalg.norm(a[0], 1))
    b = rand_np((2, 3, 4), np.float64)
    assert_close(rgrad.linalg.norm(mk(b), dim=(1, 2)), np.linalg.norm(b, axis=(1, 2)))
    assert_close(rgrad.linalg.norm(mk(b), 1, dim=(2, 1)), np.linalg.norm(b, 1, axis=(2, 1)))
    assert_close(rgrad.linalg.vector_norm(mk(b)), np.linalg.norm(b.ravel()))
    assert rgrad.linalg.vector_norm(x.float(), dtype=rgrad.float64).dtype == rgrad.float64
    with pytest.raises(RuntimeError, match="linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."):
        rgrad.linalg.norm(mk(b), 2)
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.vector_norm(mk(np.arange(3)))
    with pytest.raises(RuntimeError, match="cannot compute the inf norm on an empty tensor"):
        rgrad.linalg.vector_norm(rgrad.zeros(0), math.inf)
    assert_close(x.norm("nuc"), np.linalg.norm(a, "nuc"))  # more in test_linalg.py


# ---------- logsumexp / softmax / log_softmax ----------

def np_softmax(a, axis):
    m = a.max(axis=axis, keepdims=True)
    e = np.exp(a - m)
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("dim", [0, 1, 2, -1])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_softmax_log_softmax(dtype, dim, layout):
    a = rand_np((3, 4, 37), NP_OF[dtype], low=-20, high=20)
    x = mk(a, layout)
    sm = np_softmax(a.astype(np.float64), dim)
    tol = dict(rtol=1e-5, atol=1e-7) if dtype == rgrad.float32 else dict(rtol=1e-12, atol=1e-14)
    assert_close(x.softmax(dim), sm.astype(a.dtype), **tol)
    assert_close(F.softmax(x, dim=dim), sm.astype(a.dtype), **tol)
    assert_close(rgrad.softmax(x, dim), sm.astype(a.dtype), **tol)
    assert_close(x.log_softmax(dim), np.log(sm).astype(a.dtype), rtol=1e-5, atol=1e-5)
    assert_close(F.log_softmax(x, dim), np.log(sm).astype(a.dtype), rtol=1e-5, atol=1e-5)


def test_softmax_extremes_and_dtype():
    x = rgrad.tensor([[-math.inf, 0.0, 1.0], [1000.0, 1000.0, -1000.0], [-math.inf, -math.inf, -math.inf]])
    s = to_np(x.softmax(1))
    assert s[0, 0] == 0.0
    np.testing.assert_allclose(s[0, 1:], np_softmax(np.array([0.0, 1.0]), 0), rtol=1e-6)
    np.testing.assert_allclose(s[1], [0.5, 0.5, 0.0], atol=1e-7)
    assert np.isnan(s[2]).all()
    assert x.softmax(1, dtype=rgrad.float64).dtype == rgrad.float64
    t = rgrad.tensor([float("nan"), 1.0])
    assert np.isnan(to_np(t.softmax(0))).all()
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        F.softmax(rgrad.ones(2, 3))
    with pytest.raises(RuntimeError, match="\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"):
        mk(np.arange(3)).softmax(0)
    # fast exp accuracy over a wide range
    v = np.linspace(-87, 88, 100_001).astype(np.float32)
    got = to_np(rgrad.from_numpy(v.reshape(1, -1)).log_softmax(0))  # log_softmax over size-1 dim = 0
    assert (got == 0).all()
    e = to_np(rgrad.from_numpy(np.stack([v, np.zeros_like(v)])).softmax(0))[0]
    ref = 1 / (1 + np.exp(-v.astype(np.float64)))
    np.testing.assert_allclose(e, ref, rtol=3e-6, atol=1e-30)


@pytest.mark.parametrize("dim", [0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp(dim, keepdim):
    a = rand_np((4, 5), np.float64, low=-50, high=50)
    x = mk(a, "permuted")
    m = a.max(axis=dim, keepdims=True)
    ref = np.log(np.exp(a - m).sum(axis=dim, keepdims=True)) + m
    if not keepdim:
        ref = ref.squeeze(axis=dim)
    assert_close(x.logsumexp(dim, keepdim), ref)
    assert_close(rgrad.logsumexp(x, dim=dim, keepdim=keepdim), ref)
    assert rgrad.tensor([-math.inf, -math.inf]).logsumexp(0).item() == -math.inf
    assert rgrad.tensor([math.inf, 1.0]).logsumexp(0).item() == math.inf
    assert mk(np.arange(3)).logsumexp(0).dtype == rgrad.float32


# ---------- scans ----------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_cumsum_cumprod(dtype, dim, layout):
    a = rand_np((3, 4, 5), NP_OF[dtype], low=-2, high=3)
    x = mk(a, layout)
    acc = np_sum_dtype(NP_OF[dtype])
    assert_close(x.cumsum(dim), np.cumsum(a, axis=dim, dtype=acc), rtol=1e-5)
    assert_close(rgrad.cumprod(x, dim), np.cumprod(a, axis=dim, dtype=acc), rtol=1e-5)
    if dtype != rgrad.bool:
        assert_close(x.cumsum(dim, dtype=rgrad.float64), np.cumsum(a.astype(np.float64), axis=dim))


def np_cum_extreme(a, axis, is_max):
    a = np.moveaxis(a, axis, -1)
    vals = np.empty_like(a)
    idx = np.empty(a.shape, np.int64)
    for pos in np.ndindex(a.shape[:-1]):
        cur, ci = a[pos][0], 0
        for i, v in enumerate(a[pos]):
            take = i == 0 or (v != v) or (cur == cur and (v >= cur if is_max else v <= cur))
            if take:
                cur, ci = v, i
            vals[pos + (i,)] = cur
            idx[pos + (i,)] = ci
    return np.moveaxis(vals, -1, axis), np.moveaxis(idx, -1, axis)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 2, -2])
def test_cummax_cummin(dtype, dim):
    a = rand_np((3, 4, 5), NP_OF[dtype], low=-2, high=3)
    for layout in ("contiguous", "permuted"):
        x = mk(a, layout)
        for is_max, fn in ((True, x.cummax), (False, x.cummin)):
            r = fn(dim)
            v, i = np_cum_extreme(a, dim, is_max)
            assert_close(r.values, v)
            assert_close(r.indices, i)
    f = np.array([1.0, np.nan, 2.0, np.nan, 0.0])
    r = mk(f).cummax(0)
    assert_close(r.indices, np.array([0, 1, 1, 3, 3]))


# ---------- Hypothesis ----------

@st.composite
def shape_and_dims(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=4)))
    nd = len(shape)
    dims = draw(st.lists(st.integers(-nd, nd - 1), min_size=0, max_size=nd, unique_by=lambda d: d % nd))
    return shape, tuple(dims)


@settings(max_examples=60, deadline=None)
@given(shape_and_dims(), st.booleans(), st.sampled_from(["contiguous", "permuted"]))
def test_hypothesis_reductions(sd, keepdim, layout):
    shape, dims = sd
    a = rand_np(shape, np.float64)
    x = mk(a, layout)
    ax = dims if dims else None
    assert_close(x.sum(dims, keepdim), a.sum(axis=ax, keepdims=keepdim))
    assert_close(x.amax(dims, keepdim), a.max(axis=ax, keepdims=keepdim))
    assert_close(x.amin(dims, keepdim), a.min(axis=ax, keepdims=keepdim))
    assert_close(x.mean(dims, keepdim), a.mean(axis=ax, keepdims=keepdim))
    assert_close(x.norm(2, dims, keepdim), np.sqrt((a * a).sum(axis=ax, keepdims=keepdim)))
    if len(dims) == 1:
        d = dims[0]
        assert_close(x.argmax(d, keepdim), a.argmax(axis=d, keepdims=keepdim))
        assert_close(x.prod(d, keepdim), a.prod(axis=d, keepdims=keepdim))
        assert_close(x.cumsum(d), a.cumsum(axis=d))
        assert_close(x.softmax(d), np_softmax(a, d))


# ---------- gradients ----------

def leaf(a):
    return rgrad.tensor(np.asarray(a, dtype=np.float64)).requires_grad_()


def gc(fn, *arrays):
    assert rgrad.autograd.gradcheck(fn, tuple(leaf(a) for a in arrays))


@pytest.fixture
def R():
    """Each test's own generator (a module-level one would draw differently with test order)."""
    return np.random.default_rng(7)


def test_gradcheck_sum_family(R):
    a = R.standard_normal((3, 4))
    gc(lambda x: x.sum(), a)
    gc(lambda x: x.sum((0, 1), keepdim=True), a)
    gc(lambda x: x.mean(1), a)
    gc(lambda x: x.nansum(0), a)
    gc(lambda x: x.nanmean(1), a)
    gc(lambda x: x.prod(1), a)
    gc(lambda x: x.prod(), R.standard_normal(5))
    gc(lambda x: x.var(1), a)
    gc(lambda x: x.std(0, correction=0), a)
    gc(lambda x: x.std(), a)
    gc(lambda x: rgrad.var_mean(x, 1), a)
    gc(lambda x: x.logsumexp(1), a)
    gc(lambda x: x.logsumexp((0, 1), keepdim=True), a)


def test_gradcheck_prod_with_zeros():
    gc(lambda x: x.prod(1), np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, 2.0, -1.0]]))
    gc(lambda x: x.prod(), np.array([2.0, 0.0, -1.5]))
    x = leaf([2.0, 0.0, 3.0])
    x.prod().backward()
    assert_close(x.grad, np.array([0.0, 6.0, 0.0]))
    x = leaf([2.0, 0.0, 0.0])
    x.prod().backward()
    assert_close(x.grad, np.zeros(3))


def test_gradcheck_extremes(R):
    a = R.standard_normal((3, 4))
    gc(lambda x: x.amax(1), a)
    gc(lambda x: x.amin((0, 1)), a)
    gc(lambda x: x.max(), a)
    gc(lambda x: x.min(0).values, a)
    gc(lambda x: x.max(1, keepdim=True)[0], a)
    gc(lambda x: rgrad.aminmax(x, dim=0), a)
    # ties: amax/max() split evenly, max(dim) goes to the returned index
    x = leaf([1.0, 3.0, 3.0])
    x.amax().backward()
    assert_close(x.grad, np.array([0.0, 0.5, 0.5]))
    x = leaf([1.0, 3.0, 3.0])
    x.max().backward()
    assert_close(x.grad, np.array([0.0, 0.5, 0.5]))
    x = leaf([1.0, 3.0, 3.0])
    x.max(0).values.backward()
    assert_close(x.grad, np.array([0.0, 1.0, 0.0]))


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, math.inf, -math.inf, "fro"])
def test_gradcheck_norm(p, R):
    a = R.standard_normal((3, 4)) + 0.1
    gc(lambda x: x.norm(p), a)
    gc(lambda x: x.norm(p, dim=1, keepdim=True), a)
    gc(lambda x: rgrad.linalg.vector_norm(x, p if p != "fro" else 2, dim=0), a)


def test_norm_gradient_at_zero(R):
    x = leaf(np.zeros(3))
    x.norm().backward()
    assert_close(x.grad, np.zeros(3))
    x = leaf([0.0, -2.0, 2.0])
    x.norm(0.5).backward()
    assert to_np(x.grad)[0] == 0.0
    x = leaf([1.0, -2.0, 2.0])
    x.norm(math.inf).backward()
    assert_close(x.grad, np.array([0.0, -0.5, 0.5]))
    x = leaf([1.0, 2.0])
    x.norm(0).backward()
    assert x.grad is None  # the 0-"norm" counts: no gradient at all, as PyTorch
    gc(lambda x: rgrad.linalg.norm(x, 1), R.standard_normal((3, 4)))
    gc(lambda x: rgrad.linalg.norm(x, -math.inf), R.standard_normal((3, 4)))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradcheck_softmax(dim, R):
    a = R.standard_normal((3, 5))
    gc(lambda x: x.softmax(dim), a)
    gc(lambda x: x.log_softmax(dim), a)
    gc(lambda x: F.softmax(x, dim) * x, a)
    b = R.standard_normal((2, 3, 4))
    gc(lambda x: x.log_softmax(1), b)


def test_softmax_double_backward(R):
    x = leaf(R.standard_normal((2, 4)))
    w = leaf(R.standard_normal((2, 4)))
    (g,) = rgrad.autograd.grad((x.softmax(1) * w).sum(), (x,), create_graph=True)
    (g * g).sum().backward()
    assert x.grad is not None and w.grad is not None
    # second derivatives of softmax / log_softmax against finite differences of the first
    a0, w0, v0 = R.standard_normal((2, 3)), R.standard_normal((2, 3)), R.standard_normal((2, 3))
    for op in (lambda t: t.softmax(1), lambda t: t.log_softmax(0)):
        def first(arr, graph=False):
            x = leaf(arr)
            (g,) = rgrad.autograd.grad((op(x) * leaf(w0)).sum(), (x,), create_graph=graph)
            return x, g

        x, g = first(a0, True)
        (g * leaf(v0)).sum().backward()
        eps = 1e-6
        fd = np.zeros_like(a0)
        for i in np.ndindex(a0.shape):
            hi, lo = a0.copy(), a0.copy()
            hi[i] += eps
            lo[i] -= eps
            fd[i] = ((to_np(first(hi)[1]) - to_np(first(lo)[1])) * v0).sum() / (2 * eps)
        np.testing.assert_allclose(to_np(x.grad), fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gradcheck_scans(dim, R):
    a = R.standard_normal((3, 4))
    gc(lambda x: x.cumsum(dim), a)
    gc(lambda x: x.cumprod(dim), a)
    gc(lambda x: x.cummax(dim).values, a)
    gc(lambda x: x.cummin(dim)[0], a)
    z = a.copy()
    z[1, 1] = 0.0
    z[2, 0] = 0.0
    z[2, 2] = 0.0
    gc(lambda x: x.cumprod(dim), z)


def test_gradcheck_zero_dim():
    s = np.array(1.5)
    for fn in (lambda x: x.sum(0), lambda x: x.max(0).values, lambda x: x.amax(-1), lambda x: x.prod(0),
               lambda x: x.cumsum(0), lambda x: x.cumprod(0), lambda x: x.cummax(0).values, lambda x: x.norm(),
               lambda x: x.softmax(0), lambda x: x.logsumexp(0)):
        gc(fn, s)


# ---------- errors ----------

def test_dim_errors():
    x = rgrad.zeros(2, 3)
    for fn in (lambda: x.sum(2), lambda: x.amax(2), lambda: x.max(2), lambda: x.argmax(-3), lambda: x.cumsum(5),
               lambda: x.softmax(2), lambda: x.std(2), lambda: x.norm(2, dim=3), lambda: x.logsumexp(2),
               lambda: x.prod(-3), lambda: x.all(2), lambda: x.cummax(2)):
        with pytest.raises(IndexError, match="Dimension out of range \\(expected to be in range of \\[-2, 1\\], but got -?\\d\\)"):
            fn()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        x.sum((0, 0))
    with pytest.raises(RuntimeError, match="dim 1 appears multiple times in the list of dims"):
        x.amax((1, -1))
    with pytest.raises(TypeError):
        x.max((0, 1))
    with pytest.raises(TypeError):
        x.cumsum()
    with pytest.raises(TypeError):
        x.logsumexp()
    with pytest.raises(RuntimeError, match="argmax\\(\\): does not support bool input"):
        rgrad.tensor([True]).argmax()
    with pytest.raises(TypeError, match="dim must be an integer"):
        x.argmax(1.5)


def test_small_ops_return_python_scalars_fast_path():
    x = rgrad.arange(100.0)
    assert x.sum().item() == 4950.0
    assert x.max().item() == 99.0
    assert x.argmax().item() == 99
    assert x.mean().item() == 49.5


# ---------- row reductions (reduce over the contiguous last dim): SIMD paths ----------

ROW_LENS = [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 4095, 4096, 4097, 9000]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", ROW_LENS)
def test_row_reductions_all_lengths(dtype, n):
    # every tail length of the vector loops, one leaf and several pairwise leaves
    rows = 5 if n < 4096 else 2
    a = np.random.default_rng(n).uniform(0.5, 1.5, size=(rows, n)).astype(NP_OF[dtype])
    a[:, ::3] *= -1
    x = mk(a)
    tol = dict(rtol=1e-5, atol=1e-5 * math.sqrt(n)) if dtype == rgrad.float32 else dict(rtol=1e-12, atol=1e-12 * n)
    a64 = a.astype(np.float64)
    assert_close(x.sum(1), a64.sum(1).astype(a.dtype), **tol)
    assert_close(x.mean(-1), a64.mean(1).astype(a.dtype), **tol)
    assert_close(x.norm(dim=1), np.sqrt((a64 * a64).sum(1)).astype(a.dtype), **tol)
    assert_close(x.norm(p=1, dim=1), np.abs(a64).sum(1).astype(a.dtype), **tol)
    assert_close(x.amax(1), a.max(1))
    assert_close(x.amin(1), a.min(1))
    assert_close(x.max(1).values, a.max(1))
    p = a[:, :40]
    assert_close(mk(p).prod(1), np.prod(p.astype(np.float64), axis=1).astype(a.dtype), rtol=1e-5 if dtype == rgrad.float32 else 1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [8, 33, 70, 300])
def test_row_extremes_nan_anywhere(dtype, n):
    a = np.random.default_rng(0).standard_normal((n, n)).astype(NP_OF[dtype])
    for i in range(n):
        a[i, (i * 7) % n] = np.nan  # first, middle, tail positions
    a[0] = np.arange(n)  # one clean row
    x = mk(a)
    assert_close(x.amax(1), a.max(1))
    assert_close(x.amin(-1), a.min(1))
    assert_close(x.sum(1), a.sum(1), rtol=1e-4, atol=1e-4)
    assert np.isnan(to_np(x.amax(1))[1:]).all() and not np.isnan(to_np(x.amax(1))[0])
    b = np.full((3, n), -np.inf, dtype=a.dtype)
    b[1, -1] = 5
    assert_close(mk(b).amax(1), b.max(1))
    assert_close(mk(-b).amin(1), (-b).min(1))


def test_row_sums_exact_float32_ones():
    assert rgrad.ones(10_000_000).sum().item() == 1e7
    r = rgrad.ones(2, 5_000_000).sum(1)
    assert to_np(r).tolist() == [5e6, 5e6]
    assert to_np(rgrad.ones(4, 3_000_000).mean(1)).tolist() == [1.0] * 4


def test_row_prod_ints_and_large():
    a = np.random.default_rng(3).integers(-3, 4, size=(7, 1000)).astype(np.int64)
    assert_close(mk(a).prod(1), np.prod(a, axis=1))
    a32 = a.astype(np.int32)
    assert_close(mk(a32).prod(1), np.prod(a32.astype(np.int64), axis=1))
    f = np.random.default_rng(4).uniform(0.999, 1.001, size=(3, 100_000))
    assert_close(mk(f).prod(1), np.prod(f, axis=1), rtol=1e-10)


def test_max_min_other_keyword():
    a, b = rand_np((3, 4), np.float32), rand_np((4,), np.float32, rng=np.random.default_rng(1))
    assert_close(rgrad.max(mk(a), other=mk(b)), np.maximum(a, b))
    assert_close(rgrad.min(mk(a), other=mk(b)), np.minimum(a, b))
    assert_close(mk(a).max(other=mk(b)), np.maximum(a, b))
    assert_close(mk(a).min(other=mk(b)), np.minimum(a, b))
    assert_close(rgrad.max(input=mk(a), other=mk(b)), np.maximum(a, b))
    with pytest.raises(TypeError, match="must be Tensor"):
        mk(a).max(other=2.0)
    with pytest.raises(TypeError, match="invalid combination"):
        mk(a).max(0, other=mk(b))
    x = leaf(np.array([1.0, 5.0, 2.0]))
    y = leaf(np.array([3.0, 2.0, 2.5]))
    assert rgrad.autograd.gradcheck(lambda u, v: rgrad.max(u, other=v), (x, y))


def _gradgradcheck(fn, a):
    """Twice differentiable: gradcheck of the create_graph gradient (with a fixed cotangent)."""
    v = rgrad.tensor(np.random.default_rng(5).standard_normal(fn(leaf(a)).shape))

    def first(x):
        with rgrad.enable_grad():
            if not x.requires_grad:  # gradcheck's numerical pass perturbs plain copies
                x = x.detach().requires_grad_()
            (g,) = rgrad.autograd.grad(fn(x), (x,), v, create_graph=True)
        return g

    assert rgrad.autograd.gradcheck(first, (leaf(a),))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_double_backward_with_zeros(dim, R):
    z = R.standard_normal((4, 5))
    z[1, 1] = 0.0
    z[2, 0] = 0.0
    z[2, 3] = 0.0
    z[3, 4] = 0.0
    _gradgradcheck(lambda x: x.cumprod(dim), z)
    _gradgradcheck(lambda x: x.cumprod(dim), R.standard_normal((3, 4)))
    # the create_graph gradient equals the plain one
    x = leaf(z)
    v = rgrad.tensor(R.standard_normal((4, 5)))
    (g1,) = rgrad.autograd.grad(x.cumprod(dim), (x,), v, create_graph=True)
    (g2,) = rgrad.autograd.grad(x.cumprod(dim), (x,), v)
    assert_close(g1, to_np(g2), rtol=1e-12, atol=1e-12)


def test_cumprod_double_backward_edge_shapes():
    _gradgradcheck(lambda x: x.cumprod(0), np.array(0.0))
    _gradgradcheck(lambda x: x.cumprod(0), np.array([0.0]))
    _gradgradcheck(lambda x: x.cumprod(0), np.array([0.0, 0.0, 2.0]))
    x = leaf(np.zeros((0, 3)))
    (g,) = rgrad.autograd.grad(x.cumprod(0).sum(), (x,), create_graph=True)
    assert g.shape == (0, 3)


def test_norms_of_integer_tensors_raise_not_implemented():
    # PyTorch raises NotImplementedError (a RuntimeError subclass) for every norm entry point
    t = rgrad.arange(3)
    for f in (lambda: rgrad.linalg.vector_norm(t), lambda: t.norm(), lambda: rgrad.norm(t, p=1), lambda: rgrad.linalg.norm(t)):
        with pytest.raises(NotImplementedError, match="Expected a floating point or complex tensor as input. Got Long"):
            f()
