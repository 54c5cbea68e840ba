"""Core issue: per-call cost of small ops and of autograd."""

import numpy as np
from harness import Case


def small_add(lib):
    a = np.random.rand(100).astype(np.float32)
    b = np.random.rand(100).astype(np.float32)
    if lib == "numpy":
        return lambda: a + b
    m = __import__(lib)
    x, y = m.tensor(a), m.tensor(b)
    return lambda: x + y


def small_fwd_bwd(lib):
    if lib == "numpy":
        return None
    m = __import__(lib)
    a = m.rand(100, requires_grad=True)
    b = m.rand(100, requires_grad=True)

    def step():
        ((a * b + a).sum()).backward()

    return step


CASES = [
    Case("add 100 f32", small_add, "<= 1.5x numpy"),
    Case("((a*b+a).sum()).backward() 100 f32", small_fwd_bwd, "<= 0.2x torch"),
]
