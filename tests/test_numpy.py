"""NumPy interop: copies, shared memory, strides, lifetimes."""

import gc

import numpy as np
import pytest

import rgrad
from conftest import assert_close


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = rgrad.from_numpy(a)
    assert t.dtype is rgrad.float64 and t.shape == (2, 3)
    a[0, 1] = 100
    assert t.tolist()[0][1] == 100
    t.add_(1)
    assert a[0, 0] == 1 and a[0, 1] == 101


def test_numpy_shares_memory_both_ways():
    t = rgrad.zeros(2, 3)
    n = t.numpy()
    assert n.dtype == np.float32 and n.shape == (2, 3)
    n[1, 2] = 5
    assert t.tolist()[1][2] == 5
    t.add_(1)
    assert n[0, 0] == 1


def test_lifetimes():
    a = np.arange(4, dtype=np.float32)
    t = rgrad.from_numpy(a)
    del a
    gc.collect()
    assert t.tolist() == [0, 1, 2, 3]
    t = rgrad.arange(4.0)
    n = t.numpy()
    del t
    gc.collect()
    assert n.tolist() == [0, 1, 2, 3]


def test_tensor_copies():
    a = np.ones(3, dtype=np.float32)
    t = rgrad.tensor(a)
    a[0] = 7
    assert t.tolist() == [1, 1, 1]


def test_strided_exchange_without_copy():
    t = rgrad.arange(12.0).reshape(3, 4)
    n = t.T.numpy()
    assert n.shape == (4, 3) and n.strides == (4, 16)
    np.testing.assert_array_equal(n, np.arange(12.0).reshape(3, 4).T)
    n[0, 1] = -1  # writes land in t
    assert t.tolist()[1][0] == -1
    a = np.arange(24, dtype=np.int64).reshape(4, 6)[::2, ::-3]
    v = rgrad.from_numpy(a)
    assert v.stride() == (12, -3)
    assert_close(v, a)
    a2 = np.arange(10, dtype=np.int32)[::-1]
    assert rgrad.from_numpy(a2).tolist() == list(range(9, -1, -1))
    assert rgrad.tensor(a2).tolist() == list(range(9, -1, -1))
    e = rgrad.ones(3).expand(2, 3)
    assert e.numpy().strides == (0, 4)


def test_asarray_and_array_protocol():
    t = rgrad.tensor([[1, 2], [3, 4]], dtype=rgrad.int32)
    a = np.asarray(t)
    assert a.dtype == np.int32 and a.tolist() == [[1, 2], [3, 4]]
    assert np.array(t, dtype=np.float64).dtype == np.float64
    assert (np.asarray(rgrad.tensor([True])) == np.array([True])).all()
    assert np.asarray(rgrad.tensor(2.5)).shape == ()
    assert np.asarray(rgrad.zeros(0, 2)).shape == (0, 2)
    assert rgrad.as_tensor(np.arange(3)).dtype is rgrad.int64


def test_as_tensor_shares():
    a = np.zeros(3, dtype=np.float32)
    t = rgrad.as_tensor(a)
    a[0] = 2
    assert t.tolist()[0] == 2
    x = rgrad.ones(2)
    assert rgrad.as_tensor(x) is not None and rgrad.as_tensor(x, dtype=rgrad.float64).dtype is rgrad.float64
    assert rgrad.as_tensor([1, 2]).dtype is rgrad.int64


def test_numpy_requires_grad_rules():
    x = rgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        x.numpy()
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(x)
    assert x.numpy(force=True).tolist() == [1, 1]
    assert x.detach().numpy().tolist() == [1, 1]


def test_unsupported_numpy_dtypes():
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        rgrad.from_numpy(np.zeros(2, dtype=np.float16))
    with pytest.raises(TypeError, match="can't convert"):
        rgrad.tensor(np.zeros(2, dtype=np.complex64))
    with pytest.raises(TypeError, match="expected np.ndarray"):
        rgrad.from_numpy([1, 2])


def test_readonly_arrays():
    a = np.arange(3, dtype=np.float32)
    a.setflags(write=False)
    t = rgrad.from_numpy(a)
    assert t.tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="read-only"):
        t.add_(1)
    assert (t + 1).tolist() == [1, 2, 3]
