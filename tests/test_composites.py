"""Ops composed in Python (rgrad/_composites.py): diff, median / nanmedian, logaddexp(2),
xlogy, deg2rad / rad2deg, sgn, cross, quantile / nanquantile. Oracles: NumPy values, gradcheck in float64."""
import math
import warnings

import numpy as np
import pytest

import rgrad
from conftest import assert_close

gradcheck = rgrad.autograd.gradcheck


def dbl(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return rgrad.tensor(rng.standard_normal(shape), dtype=rgrad.float64, requires_grad=True)


def test_diff():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5))
    t = rgrad.tensor(a)
    assert_close(rgrad.diff(t), np.diff(a))
    assert_close(t.diff(n=2, dim=0), np.diff(a, n=2, axis=0))
    assert_close(rgrad.diff(t, n=3), np.diff(a, n=3))
    pre, app = rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
    assert_close(rgrad.diff(t, prepend=rgrad.tensor(pre), append=rgrad.tensor(app)), np.diff(a, prepend=pre, append=app))
    assert_close(rgrad.diff(t, prepend=rgrad.tensor(0.0)), np.diff(a, prepend=0.0))
    ints = np.array([1, 2, 4, 9])
    assert rgrad.diff(rgrad.tensor(ints)).tolist() == np.diff(ints).tolist()
    assert rgrad.diff(rgrad.tensor([True, False, False])).tolist() == [True, False]
    assert rgrad.diff(rgrad.tensor(ints), n=10).shape == (0,)
    with pytest.raises(RuntimeError, match="diff expects input to be at least one-dimensional"):
        rgrad.diff(rgrad.tensor(1.0))
    assert gradcheck(lambda x: rgrad.diff(x, n=2), (dbl(3, 5),))


def test_median_and_nanmedian():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 7))
    t = rgrad.tensor(a)
    # PyTorch's median is the lower median: the element at (n - 1) // 2 in sorted order
    low = lambda v, ax: np.take(np.sort(v, axis=ax), (v.shape[ax] - 1) // 2, axis=ax)  # noqa: E731
    assert_close(rgrad.median(t), np.sort(a.ravel())[(a.size - 1) // 2])
    for dim in (0, 1, -1):
        values, indices = t.median(dim)
        assert_close(values, low(a, dim))
        assert_close(t.gather(dim % 2, indices.unsqueeze(dim)).squeeze(dim), values)  # indices point at them
    assert t.median(1, keepdim=True).values.shape == (4, 1)
    assert rgrad.median(rgrad.tensor([3, 1, 2, 4])).item() == 2
    # NaN: median propagates it (index of the first NaN), nanmedian skips it
    n = np.array([[1.0, 5, 2], [3, np.nan, 0], [np.nan, np.nan, np.nan]])
    tn = rgrad.tensor(n)
    v, i = tn.median(1)
    assert_close(v, [2.0, np.nan, np.nan])
    assert i.tolist()[:2] == [2, 1]
    v, i = tn.nanmedian(1)
    assert_close(v, [2.0, 0.0, np.nan])
    assert i.tolist()[:2] == [2, 2]
    assert np.isnan(rgrad.median(rgrad.tensor([1.0, np.nan])).item())
    assert rgrad.nanmedian(rgrad.tensor([1.0, np.nan, 3.0, 2.0])).item() == 2.0
    assert np.isnan(rgrad.median(rgrad.tensor([])).item())
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"):
        t.median(5)
    assert rgrad.tensor(3.0).median(0).values.item() == 3.0
    with pytest.raises(IndexError, match="Expected reduction dim 1 to have non-zero size"):
        rgrad.median(rgrad.zeros(2, 0), 1)
    x = dbl(3, 5)
    assert gradcheck(lambda x: x.median(1).values, (x,))
    assert gradcheck(lambda x: x.median(), (x,))


def test_logaddexp_xlogy():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3, 4)) * 30, rng.standard_normal(4) * 30
    assert_close(rgrad.logaddexp(rgrad.tensor(a), rgrad.tensor(b)), np.logaddexp(a, b))
    assert_close(rgrad.tensor(a).logaddexp2(rgrad.tensor(b)), np.logaddexp2(a, b))
    big = rgrad.tensor([1000.0, -np.inf, np.inf], dtype=rgrad.float64)
    assert_close(rgrad.logaddexp(big, big), np.logaddexp([1000.0, -np.inf, np.inf], [1000.0, -np.inf, np.inf]))
    with pytest.raises(NotImplementedError, match="\"logaddexp_cpu\" not implemented for 'Long'"):
        rgrad.logaddexp(rgrad.tensor([1]), rgrad.tensor([2]))
    x, y = np.array([0.0, 0.0, 2.0, 3.0]), np.array([0.0, np.nan, 3.0, 0.5])
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = np.where((x != 0) | np.isnan(y), x * np.log(y), 0.0)
    assert_close(rgrad.xlogy(rgrad.tensor(x), rgrad.tensor(y)), ref)
    assert rgrad.xlogy(rgrad.tensor([1, 2]), rgrad.tensor([1, 4])).dtype == rgrad.float32
    assert_close(rgrad.xlogy(0, rgrad.tensor([2.0])), np.zeros(1, np.float32))
    p, q = dbl(3, 4), dbl(4, seed=1)
    assert gradcheck(lambda p, q: rgrad.logaddexp(p, q), (p, q))
    assert gradcheck(lambda p, q: rgrad.logaddexp2(p, q), (p, q))
    pos = rgrad.tensor(np.random.default_rng(3).random((3, 4)) + 0.5, requires_grad=True)
    assert gradcheck(lambda p, y: rgrad.xlogy(p, y), (p, pos))
    # at x = 0 the x-gradient is xlogy(x != 0, y) = 0, also where y = 0
    x0 = rgrad.tensor([0.0, 0.0], dtype=rgrad.float64, requires_grad=True)
    rgrad.xlogy(x0, rgrad.tensor([0.0, 2.0], dtype=rgrad.float64)).sum().backward()
    assert x0.grad.tolist() == [0.0, 0.0]


def test_angles_sgn_cross():
    d = np.array([0, 90, 180, -45])
    assert_close(rgrad.deg2rad(rgrad.tensor(d)), np.deg2rad(d).astype(np.float32))
    assert rgrad.deg2rad(rgrad.tensor(d)).dtype == rgrad.float32
    assert_close(rgrad.tensor(np.deg2rad(d)).rad2deg(), d.astype(float))
    assert rgrad.sgn(rgrad.tensor([-2, 0, 3])).tolist() == [-1, 0, 1]
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    assert_close(rgrad.linalg.cross(rgrad.tensor(a), rgrad.tensor(b)), np.cross(a, b))
    assert_close(rgrad.cross(rgrad.tensor(a.T), rgrad.tensor(b.T), dim=0), np.cross(a, b).T)
    assert_close(rgrad.tensor(a).cross(rgrad.tensor(b)), np.cross(a, b))  # first dim of size 3
    with pytest.raises(RuntimeError, match="linalg.cross: inputs dimension -1 must have length 3. Got 3 and 4"):
        rgrad.linalg.cross(rgrad.zeros(2, 3), rgrad.zeros(2, 4))
    assert gradcheck(lambda x, y: rgrad.linalg.cross(x, y), (dbl(2, 3), dbl(2, 3, seed=1)))


def test_logit_sinc_heaviside():
    z = np.array([0.0, 0.25, 0.9, 1.0])
    with np.errstate(divide="ignore"):
        assert_close(rgrad.logit(rgrad.tensor(z, dtype=rgrad.float64)), np.log(z / (1 - z)))
    zc = np.clip(z, 0.1, 0.9)
    assert_close(rgrad.tensor(z, dtype=rgrad.float64).logit(eps=0.1), np.log(zc / (1 - zc)))
    assert rgrad.logit(rgrad.tensor([1, 2])).dtype == rgrad.float32
    x = np.array([0.0, 0.5, -1.5, 2.25])
    assert_close(rgrad.sinc(rgrad.tensor(x, dtype=rgrad.float64)), np.sinc(x))
    assert rgrad.sinc(rgrad.tensor([0, 1])).dtype == rgrad.float32
    # the derivative of sinc at 0 is 0, not NaN
    s = rgrad.tensor([0.0, 0.3], dtype=rgrad.float64, requires_grad=True)
    rgrad.sinc(s).sum().backward()
    assert s.grad.tolist()[0] == 0.0
    assert gradcheck(rgrad.sinc, (rgrad.tensor([0.3, -1.2, 2.5], dtype=rgrad.float64, requires_grad=True),))
    assert gradcheck(lambda t: rgrad.logit(t), (rgrad.tensor([0.2, 0.6], dtype=rgrad.float64, requires_grad=True),))
    h = np.array([-1.0, 0.0, 2.0])
    assert_close(rgrad.heaviside(rgrad.tensor(h, dtype=rgrad.float32), rgrad.tensor([0.5])), np.heaviside(h, 0.5).astype(np.float32))
    assert rgrad.heaviside(rgrad.tensor([-1, 0, 2]), rgrad.tensor([7])).tolist() == [0, 7, 1]
    with pytest.raises(RuntimeError, match="heaviside is not yet implemented for tensors with different dtypes"):
        rgrad.heaviside(rgrad.tensor([1.0]), rgrad.tensor([1]))


def test_isin():
    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 20, (4, 6)), rng.integers(0, 20, 7)
    assert rgrad.isin(rgrad.tensor(a), rgrad.tensor(b)).numpy().tolist() == np.isin(a, b).tolist()
    assert rgrad.tensor(a).isin(rgrad.tensor(b), invert=True).numpy().tolist() == np.isin(a, b, invert=True).tolist()
    assert rgrad.isin(rgrad.tensor([1, 2, 3]), 2).tolist() == [False, True, False]
    assert rgrad.isin(2, rgrad.tensor([1, 2])).item() is True
    assert rgrad.isin(rgrad.tensor([1.0, 2.5]), rgrad.tensor([2, 1])).tolist() == [True, False]
    assert rgrad.isin(rgrad.tensor([1, 2]), rgrad.tensor([], dtype=rgrad.int64)).tolist() == [False, False]


def test_dist_cdist():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    ref = np.linalg.norm(a[:, :, None, :] - b[:, None, :, :], axis=-1)
    assert_close(rgrad.cdist(rgrad.tensor(a), rgrad.tensor(b)), ref)
    ref1 = np.abs(a[:, :, None, :] - b[:, None, :, :]).sum(-1)
    assert_close(rgrad.cdist(rgrad.tensor(a), rgrad.tensor(b), p=1), ref1)
    assert_close(rgrad.dist(rgrad.tensor(a[0]), rgrad.tensor(a[1])), np.linalg.norm(a[0] - a[1]))
    assert_close(rgrad.tensor(a[0]).dist(rgrad.tensor(a[1]), 1), np.abs(a[0] - a[1]).sum())
    with pytest.raises(RuntimeError, match="X1 and X2 must have the same number of columns. X1: 4 X2: 3"):
        rgrad.cdist(rgrad.zeros(3, 4), rgrad.zeros(5, 3))
    with pytest.raises(RuntimeError, match="cdist only supports floating-point dtypes, X1 got: Long"):
        rgrad.cdist(rgrad.zeros(3, 4, dtype=rgrad.int64), rgrad.zeros(5, 4))
    assert gradcheck(lambda x, y: rgrad.cdist(x, y), (dbl(3, 4), dbl(2, 4, seed=1)))


def test_fill_diagonal_():
    for shape, wrap in [((3, 4), False), ((7, 3), True), ((7, 3), False), ((4, 4), False)]:
        a = np.zeros(shape)
        np.fill_diagonal(a, 5, wrap=wrap)
        t = rgrad.zeros(*shape, dtype=rgrad.float64)
        assert t.fill_diagonal_(5, wrap=wrap) is t
        assert_close(t, a)
    c = rgrad.zeros(2, 2, 2)
    c.fill_diagonal_(1)
    assert c[0, 0, 0].item() == 1 and c[1, 1, 1].item() == 1 and c.sum().item() == 2
    with pytest.raises(RuntimeError, match="all dimensions of input must be of equal length"):
        rgrad.zeros(2, 3, 2).fill_diagonal_(1)
    with pytest.raises(RuntimeError, match="dimensions must larger than 1"):
        rgrad.zeros(3).fill_diagonal_(1)


# ---------- quantile / nanquantile ----------

QUANTILE_MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("interpolation", QUANTILE_MODES)
@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64])
def test_quantile_matches_numpy(interpolation, dtype):
    npd = np.float32 if dtype == rgrad.float32 else np.float64
    a = np.random.default_rng(3).standard_normal((4, 5, 6)).astype(npd)
    t = rgrad.tensor(a)
    qs = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]
    tol = dict(rtol=1e-5, atol=1e-6)
    for dim in [None, 0, 1, -1]:
        for keepdim in [False, True]:
            kw = dict(axis=dim, keepdims=keepdim, method=interpolation)
            got = rgrad.quantile(t, 0.3, dim=dim, keepdim=keepdim, interpolation=interpolation)
            np.testing.assert_allclose(got.numpy(), np.quantile(a, 0.3, **kw), **tol)
            got = t.quantile(rgrad.tensor(qs, dtype=dtype), dim, keepdim, interpolation=interpolation)
            np.testing.assert_allclose(got.numpy(), np.quantile(a, qs, **kw), **tol)
    # a 0-d q tensor gives no leading dim; a strided input reads its own order
    assert rgrad.quantile(t, rgrad.tensor(0.5, dtype=dtype), dim=0).shape == (5, 6)
    np.testing.assert_allclose(rgrad.quantile(t.transpose(0, 2), 0.7, dim=1, interpolation=interpolation).numpy(),
                               np.quantile(a.transpose(2, 1, 0), 0.7, axis=1, method=interpolation), **tol)


def test_quantile_nan_and_nanquantile():
    a = np.random.default_rng(4).standard_normal((5, 8))
    a[1, 3] = np.nan
    a[2, :] = np.nan
    t = rgrad.tensor(a)
    for interpolation in QUANTILE_MODES:
        got = rgrad.quantile(t, rgrad.tensor([0.2, 0.8], dtype=rgrad.float64), dim=1, interpolation=interpolation)
        np.testing.assert_allclose(got.numpy(), np.quantile(a, [0.2, 0.8], axis=1, method=interpolation))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nanquantile(a, [0.2, 0.8], axis=1, method=interpolation)
        got = rgrad.nanquantile(t, rgrad.tensor([0.2, 0.8], dtype=rgrad.float64), dim=1, interpolation=interpolation)
        np.testing.assert_allclose(got.numpy(), want)
    assert math.isnan(rgrad.quantile(t, 0.5).item())
    assert rgrad.nanquantile(t, 0.5).item() == pytest.approx(np.nanquantile(a, 0.5))
    assert t.nanquantile(0.5, 0, True).shape == (1, 8)


def test_quantile_grad_out_and_errors():
    x = rgrad.tensor(np.random.default_rng(5).standard_normal((3, 7)), requires_grad=True)
    q = rgrad.tensor([0.15, 0.5, 0.85], dtype=rgrad.float64)
    for interpolation in QUANTILE_MODES:
        assert gradcheck(lambda x: rgrad.quantile(x, q, dim=1, interpolation=interpolation), (x,))
    assert gradcheck(lambda x: rgrad.nanquantile(x, 0.4), (x,))
    out = rgrad.empty(3, 7, dtype=rgrad.float64)
    with rgrad.no_grad():
        r = rgrad.quantile(x, q, dim=0, out=out)
    assert r is out
    np.testing.assert_allclose(out.numpy(), np.quantile(x.detach().numpy(), q.numpy(), axis=0))
    with pytest.raises(RuntimeError, match="input tensor must be either float or double dtype"):
        rgrad.quantile(rgrad.arange(5), 0.5)
    with pytest.raises(RuntimeError, match="input tensor must be non-empty"):
        rgrad.quantile(rgrad.ones(0), 0.5)
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1.5"):
        rgrad.quantile(x, 1.5)
    with pytest.raises(RuntimeError, match=r"q values must be in the range \[0, 1\]"):
        rgrad.quantile(x, rgrad.tensor([0.5, -0.1], dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="q must be a scalar or 1D tensor"):
        rgrad.quantile(x, rgrad.ones(2, 2, dtype=rgrad.float64) / 2)
    with pytest.raises(RuntimeError, match="q tensor must be same dtype as the input tensor"):
        rgrad.quantile(x, rgrad.tensor([0.5]))
    with pytest.raises(RuntimeError, match="interpolation must be one of linear, lower, higher, midpoint or nearest. Got cubic"):
        rgrad.quantile(x, 0.5, interpolation="cubic")
    with pytest.raises(IndexError, match="Dimension out of range"):
        rgrad.quantile(x, 0.5, dim=2)
    with pytest.raises(TypeError, match="'q' must be float or Tensor"):
        rgrad.quantile(x, [0.5])


# ---------- mode ----------

def _mode_np(a, axis):
    """NumPy oracle: the smallest most frequent value along axis and its last index."""
    a = np.moveaxis(a, axis, -1)
    vals = np.empty(a.shape[:-1], a.dtype)
    idx = np.empty(a.shape[:-1], np.int64)
    for k in np.ndindex(a.shape[:-1]):
        row = a[k]
        u, c = np.unique(row, return_counts=True)
        v = u[np.argmax(c)]  # np.unique sorts: the first max is the smallest value
        vals[k], idx[k] = v, np.nonzero(row == v)[0][-1]
    return vals, idx


@pytest.mark.parametrize("np_dtype", [np.bool_, np.int32, np.int64, np.float32, np.float64])
def test_mode_matches_numpy(np_dtype):
    rng = np.random.default_rng(6)
    a = (rng.integers(0, 4, (5, 9, 7)) if np_dtype != np.bool_ else rng.random((5, 9, 7)) < 0.5).astype(np_dtype)
    t = rgrad.tensor(a)
    for dim in [0, 1, -1]:
        for keepdim in [False, True]:
            values, indices = rgrad.mode(t, dim, keepdim)
            want_v, want_i = _mode_np(a, dim)
            if keepdim:
                want_v, want_i = np.expand_dims(want_v, dim), np.expand_dims(want_i, dim)
            np.testing.assert_array_equal(values.numpy(), want_v)
            np.testing.assert_array_equal(indices.numpy(), want_i)
    r = t.mode()
    assert type(r).__name__ == "mode" and r.values.dtype == t.dtype and r.indices.dtype == rgrad.int64
    # strided input, 0-d input, one-element dim
    np.testing.assert_array_equal(rgrad.mode(t.transpose(0, 2), 1).values.numpy(), _mode_np(a.transpose(2, 1, 0), 1)[0])
    z = rgrad.mode(rgrad.tensor(a[0, 0, 0]))
    assert z.values.shape == () and z.indices.item() == 0
    np.testing.assert_array_equal(rgrad.mode(t[:, :1], 1).values.numpy(), a[:, 0])


def test_mode_grad_out_and_errors():
    x = rgrad.tensor([[1.0, 2.0, 2.0, 0.5], [3.0, 3.0, 1.0, 1.0]], dtype=rgrad.float64, requires_grad=True)
    values, indices = x.mode(1)
    assert indices.tolist() == [2, 3]
    (values * rgrad.tensor([2.0, 3.0], dtype=rgrad.float64)).sum().backward()
    assert_close(x.grad, np.array([[0, 0, 2.0, 0], [0, 0, 0, 3.0]]))
    y = dbl(3, 5)
    assert gradcheck(lambda y: rgrad.mode(y, 0).values, (y,))
    out = (rgrad.empty(2, dtype=rgrad.float64), rgrad.empty(2, dtype=rgrad.int64))
    with rgrad.no_grad():
        r = rgrad.mode(x, 1, out=out)
    assert r.values is out[0] and out[1].tolist() == [2, 3]
    with pytest.raises(IndexError, match="Dimension out of range"):
        rgrad.mode(x, 2)
    with pytest.raises(IndexError, match="Expected reduction dim 1 to have non-zero size"):
        rgrad.mode(rgrad.ones(2, 0), 1)
