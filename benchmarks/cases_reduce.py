"""Reductions issue: sums at memory speed, outer/inner axis reductions, softmax, argmax, small ops."""

import numpy as np
from harness import Case, random_data

_data = random_data


def _lib_tensor(lib, a):
    m = __import__(lib)
    return m, m.from_numpy(a.copy())


def sum_10m(lib):
    a = _data((10_000_000,))
    if lib == "numpy":
        return lambda: a.sum()
    _, x = _lib_tensor(lib, a)
    return lambda: x.sum()


def mat_sum(dim):
    def setup(lib):
        a = _data((2000, 2000))
        if lib == "numpy":
            return lambda: a.sum(dim)
        _, x = _lib_tensor(lib, a)
        return lambda: x.sum(dim)

    return setup


def softmax_4096x1024(lib):
    a = _data((4096, 1024))
    if lib == "numpy":
        def f():
            e = np.exp(a - a.max(-1, keepdims=True))
            return e / e.sum(-1, keepdims=True)
        return f
    _, x = _lib_tensor(lib, a)
    return lambda: x.softmax(dim=-1)


def log_softmax_4096x1024(lib):
    a = _data((4096, 1024))
    if lib == "numpy":
        return None
    _, x = _lib_tensor(lib, a)
    return lambda: x.log_softmax(dim=-1)


def argmax(shape, dim):
    def setup(lib):
        a = _data(shape)
        if lib == "numpy":
            return lambda: a.argmax(dim)
        _, x = _lib_tensor(lib, a)
        return lambda: x.argmax(dim=dim)

    return setup


def max_dim1(lib):
    a = _data((2000, 2000))
    if lib == "numpy":
        return lambda: a.max(1)
    _, x = _lib_tensor(lib, a)
    return lambda: x.max(dim=1)


def small(op):
    def setup(lib):
        a = _data((100,))
        if lib == "numpy":
            return {"sum": lambda: a.sum(), "max": lambda: a.max(), "argmax": lambda: a.argmax(), "mean": lambda: a.mean()}[op]
        _, x = _lib_tensor(lib, a)
        return {"sum": lambda: x.sum(), "max": lambda: x.max(), "argmax": lambda: x.argmax(), "mean": lambda: x.mean()}[op]

    return setup


def mean_10m(lib):
    a = _data((10_000_000,))
    if lib == "numpy":
        return lambda: a.mean()
    _, x = _lib_tensor(lib, a)
    return lambda: x.mean()


def cumsum_2000(lib):
    a = _data((2000, 2000))
    if lib == "numpy":
        return lambda: a.cumsum(1)
    _, x = _lib_tensor(lib, a)
    return lambda: x.cumsum(1)


def var_2000(lib):
    a = _data((2000, 2000))
    if lib == "numpy":
        return lambda: a.var(1)
    _, x = _lib_tensor(lib, a)
    return lambda: x.var(1)


def row_reduce(name):
    """A reduction over the contiguous last dim of a 2000x2000 float32 matrix."""
    np_ops = {"mean": lambda a: a.mean(1), "amax": lambda a: a.max(1), "prod": lambda a: a.prod(1),
              "norm": lambda a: np.sqrt((a * a).sum(1))}
    ops = {"mean": lambda x: x.mean(1), "amax": lambda x: x.amax(1), "prod": lambda x: x.prod(1),
           "norm": lambda x: x.norm(dim=1)}

    def setup(lib):
        a = _data((2000, 2000))
        if lib == "numpy":
            return lambda: np_ops[name](a)
        _, x = _lib_tensor(lib, a)
        return lambda: ops[name](x)

    return setup


CASES = [
    Case("sum 10M f32", sum_10m, "<= 1.0x torch"),
    Case("mean 10M f32", mean_10m, "<= 1.0x torch"),
    Case("m.sum(0) 2000x2000 f32", mat_sum(0), "<= 1.0x torch"),
    Case("m.sum(1) 2000x2000 f32", mat_sum(1), "<= 1.0x torch"),
    Case("m.mean(1) 2000x2000 f32", row_reduce("mean"), "<= 1.0x torch"),
    Case("m.amax(1) 2000x2000 f32", row_reduce("amax"), "<= 1.0x torch"),
    Case("m.prod(1) 2000x2000 f32", row_reduce("prod"), ""),
    Case("m.norm(dim=1) 2000x2000 f32", row_reduce("norm"), ""),
    Case("softmax(dim=-1) 4096x1024 f32", softmax_4096x1024, "<= 1.0x torch"),
    Case("log_softmax(dim=-1) 4096x1024 f32", log_softmax_4096x1024, "<= 1.0x torch"),
    Case("argmax(dim=1) 2000x2000 f32", argmax((2000, 2000), 1), "<= 1.0x torch"),
    Case("argmax(dim=1) 4096x1024 f32", argmax((4096, 1024), 1), "<= 1.0x torch"),
    Case("argmax(dim=0) 2000x2000 f32", argmax((2000, 2000), 0), ""),
    Case("max(dim=1) 2000x2000 f32", max_dim1, ""),
    Case("cumsum(1) 2000x2000 f32", cumsum_2000, ""),
    Case("var(1) 2000x2000 f32", var_2000, ""),
    Case("sum 100 f32", small("sum"), "low per-call cost"),
    Case("mean 100 f32", small("mean"), "low per-call cost"),
    Case("max 100 f32", small("max"), "low per-call cost"),
    Case("argmax 100 f32", small("argmax"), "low per-call cost"),
]
