"""Ops composed in Python (rgrad/_composites.py): diff, median / nanmedian, logaddexp(2),
xlogy, deg2rad / rad2deg, sgn, cross. Oracles: NumPy values, gradcheck in float64."""
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
