"""Joining/sorting issue: cat, sort and unique against PyTorch CPU."""

import numpy as np
from harness import Case


def _cat8(lib):
    arrs = [np.random.rand(1_000_000).astype(np.float32) for _ in range(8)]
    if lib == "numpy":
        return lambda: np.concatenate(arrs)
    m = __import__(lib)
    ts = [m.tensor(a) for a in arrs]
    return lambda: m.cat(ts)


def _sort10m(lib):
    a = np.random.default_rng(0).random(10_000_000, dtype=np.float32)
    if lib == "numpy":
        return lambda: (np.sort(a, kind="stable"), np.argsort(a, kind="stable"))
    m = __import__(lib)
    t = m.tensor(a)
    return lambda: m.sort(t)


def _sort1m(lib):
    # NumPy's np.sort returns the values only (its default quicksort: AVX-512 where the CPU has
    # it); rgrad and PyTorch return values and stable int64 indices
    a = np.random.default_rng(0).standard_normal(1_000_000).astype(np.float32)
    if lib == "numpy":
        return lambda: np.sort(a)
    m = __import__(lib)
    t = m.tensor(a)
    return lambda: m.sort(t)


def _argsort1m(lib):
    a = np.random.default_rng(0).standard_normal(1_000_000).astype(np.float32)
    if lib == "numpy":
        return lambda: np.argsort(a)
    m = __import__(lib)
    t = m.tensor(a)
    return lambda: m.argsort(t)


def _unique10m(lib):
    a = np.random.default_rng(0).integers(0, 1000, 10_000_000).astype(np.int64)
    if lib == "numpy":
        return lambda: np.unique(a)
    m = __import__(lib)
    t = m.tensor(a)
    return lambda: m.unique(t)


def _unique10m_inv(lib):
    a = np.random.default_rng(0).integers(0, 1000, 10_000_000).astype(np.int64)
    if lib == "numpy":
        return lambda: np.unique(a, return_inverse=True, return_counts=True)
    m = __import__(lib)
    t = m.tensor(a)
    return lambda: m.unique(t, return_inverse=True, return_counts=True)


def _sort_rows(lib):
    a = np.random.default_rng(0).random((1000, 1000), dtype=np.float32)
    if lib == "numpy":
        return lambda: np.sort(a, axis=1)
    m = __import__(lib)
    t = m.tensor(a)
    return lambda: m.sort(t, dim=1)


CASES = [
    Case("cat 8 x 1M f32", _cat8, "<= 1.0x torch"),
    Case("sort 10M f32", _sort10m, "<= 1.0x torch"),
    Case("sort 1M f32 (numpy: values only)", _sort1m, "<= 1.0x numpy"),
    Case("argsort 1M f32", _argsort1m, ""),
    Case("unique 10M i64 in [0,1000)", _unique10m, "<= 1.0x torch"),
    Case("unique 10M i64 inverse+counts", _unique10m_inv, ""),
    Case("sort 1000x1000 f32 dim=1", _sort_rows, ""),
]
