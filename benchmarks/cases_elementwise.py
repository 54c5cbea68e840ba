"""Elementwise issue: large memory-bound ops against PyTorch, small-op per-call cost against NumPy."""

import numpy as np
from harness import Case

N = 10_000_000


def _big(lib, n=N, seed=0):
    a = np.random.default_rng(seed).standard_normal(n).astype(np.float32)
    if lib == "numpy":
        return a
    m = __import__(lib)
    return m.from_numpy(a.copy())


def _binary(op):
    def setup(lib):
        a, b = _big(lib), _big(lib, seed=1)
        return lambda: op(a, b)

    return setup


def _unary(name):
    def setup(lib):
        if lib == "numpy" and name == "sigmoid":
            a = _big(lib)
            return lambda: 1 / (1 + np.exp(-a))
        a = _big(lib)
        if lib == "numpy":
            f = getattr(np, name)
            return lambda: f(a)
        f = getattr(__import__(lib), name)
        return lambda: f(a)

    return setup


def _broadcast(lib):
    rng = np.random.default_rng(0)
    m = rng.standard_normal((2000, 2000)).astype(np.float32)
    r = rng.standard_normal(2000).astype(np.float32)
    if lib != "numpy":
        mod = __import__(lib)
        m, r = mod.from_numpy(m), mod.from_numpy(r)
    return lambda: m + r


def _transposed(lib):
    m = np.random.default_rng(0).standard_normal((2000, 2000)).astype(np.float32)
    if lib != "numpy":
        m = __import__(lib).from_numpy(m)
    return lambda: m.T + m


def _small(op):
    def setup(lib):
        a = np.random.rand(100).astype(np.float32)
        b = np.random.rand(100).astype(np.float32)
        if lib != "numpy":
            m = __import__(lib)
            a, b = m.tensor(a), m.tensor(b)
        return lambda: op(a, b)

    return setup


def _small_unary(lib):
    a = np.random.rand(100).astype(np.float32)
    if lib == "numpy":
        return lambda: np.exp(a)
    m = __import__(lib)
    x = m.tensor(a)
    return lambda: x.exp()


CASES = [
    Case("a + b 10M f32", _binary(lambda a, b: a + b), "<= 1.0x torch"),
    Case("a * b 10M f32", _binary(lambda a, b: a * b), "<= 1.0x torch"),
    Case("exp(a) 10M f32", _unary("exp"), "<= 1.0x torch"),
    Case("sigmoid(a) 10M f32", _unary("sigmoid"), "<= 1.0x torch"),
    Case("tanh(a) 10M f32", _unary("tanh"), ""),
    Case("m + r (2000x2000 + 2000) f32", _broadcast, "<= 1.0x torch"),
    Case("m.T + m (2000x2000) f32", _transposed, "<= 1.0x torch"),
    Case("small a + b 100 f32", _small(lambda a, b: a + b), "<= 1.5x numpy"),
    Case("small a * b 100 f32", _small(lambda a, b: a * b), "<= 1.5x numpy"),
    Case("small a > b 100 f32", _small(lambda a, b: a > b), "<= 1.5x numpy"),
    Case("small exp(a) 100 f32", _small_unary, "<= 1.5x numpy"),
]
