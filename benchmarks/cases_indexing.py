"""Indexing issue: advanced indexing, masks, index_select/gather, and the per-call cost of t[0] / t[1:3]."""

import numpy as np
from harness import Case

_RNG = np.random.default_rng(0)


def _lib(lib):
    return None if lib == "numpy" else __import__(lib)


def gather_rows(lib):
    x = _RNG.random((1_000_000, 64), dtype=np.float32)
    idx = _RNG.integers(0, 1_000_000, 1_000_000)
    if lib == "numpy":
        return lambda: x[idx]
    m = __import__(lib)
    tx, ti = m.from_numpy(x), m.from_numpy(idx)
    return lambda: tx[ti]


def mask_select(lib):
    x = _RNG.random(10_000_000, dtype=np.float32)
    mask = _RNG.random(10_000_000) < 0.5
    if lib == "numpy":
        return lambda: x[mask]
    m = __import__(lib)
    tx, tm = m.from_numpy(x), m.from_numpy(mask)
    return lambda: tx[tm]


def index_select0(lib):
    x = _RNG.random((4096, 1024), dtype=np.float32)
    idx = _RNG.integers(0, 4096, 4096)
    if lib == "numpy":
        return lambda: np.take(x, idx, axis=0)
    m = __import__(lib)
    tx, ti = m.from_numpy(x), m.from_numpy(idx)
    return lambda: m.index_select(tx, 0, ti)


def index_select1(lib):
    x = _RNG.random((4096, 1024), dtype=np.float32)
    idx = _RNG.integers(0, 1024, 1024)
    if lib == "numpy":
        return lambda: np.take(x, idx, axis=1)
    m = __import__(lib)
    tx, ti = m.from_numpy(x), m.from_numpy(idx)
    return lambda: m.index_select(tx, 1, ti)


def gather1(lib):
    x = _RNG.random((4096, 1024), dtype=np.float32)
    idx = _RNG.integers(0, 1024, (4096, 1024))
    if lib == "numpy":
        return lambda: np.take_along_axis(x, idx, axis=1)
    m = __import__(lib)
    tx, ti = m.from_numpy(x), m.from_numpy(idx)
    return lambda: m.gather(tx, 1, ti)


def gather0(lib):
    x = _RNG.random((4096, 1024), dtype=np.float32)
    idx = _RNG.integers(0, 4096, (4096, 1024))
    if lib == "numpy":
        return lambda: np.take_along_axis(x, idx, axis=0)
    m = __import__(lib)
    tx, ti = m.from_numpy(x), m.from_numpy(idx)
    return lambda: m.gather(tx, 0, ti)


def small_int(lib):
    a = np.arange(100, dtype=np.float32)
    if lib == "numpy":
        return lambda: a[0]
    m = __import__(lib)
    t = m.from_numpy(a)
    return lambda: t[0]


def small_slice(lib):
    a = np.arange(100, dtype=np.float32)
    if lib == "numpy":
        return lambda: a[1:3]
    m = __import__(lib)
    t = m.from_numpy(a)
    return lambda: t[1:3]


def setitem_mask(lib):
    x = _RNG.random(10_000_000, dtype=np.float32)
    mask = _RNG.random(10_000_000) < 0.5
    if lib == "numpy":
        def f():
            x[mask] = 0.0
        return f
    m = __import__(lib)
    tx, tm = m.from_numpy(x.copy()), m.from_numpy(mask)

    def g():
        tx[tm] = 0.0
    return g


def getitem_backward(lib):
    if lib == "numpy":
        return None
    m = __import__(lib)
    x = m.rand(100_000, 64, requires_grad=True)
    idx = m.from_numpy(_RNG.integers(0, 100_000, 100_000))

    def step():
        x[idx].sum().backward()
    return step


CASES = [
    Case("x[idx] 1M rows of 64 f32, int64 idx", gather_rows, "<= 1.0x torch"),
    Case("x[mask] 10M f32, half set", mask_select, "<= 1.0x torch"),
    Case("index_select(x, 0, idx) 4096x1024 f32", index_select0, "<= 1.0x torch"),
    Case("index_select(x, 1, idx) 4096x1024 f32", index_select1, "<= 1.0x torch"),
    Case("gather(x, 1, idx) 4096x1024 f32", gather1, "<= 1.0x torch"),
    Case("gather(x, 0, idx) 4096x1024 f32", gather0, "<= 1.0x torch"),
    Case("t[0] 100 f32", small_int, "<= 1.5x numpy"),
    Case("t[1:3] 100 f32", small_slice, "<= 1.5x numpy"),
    Case("x[mask] = 0 10M f32", setitem_mask, ""),
    Case("x[idx].sum().backward() 100k x 64", getitem_backward, ""),
]
