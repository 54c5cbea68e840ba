"""Matrix products: GFLOPS of rgrad vs NumPy (OpenBLAS) vs PyTorch (MKL/oneDNN) CPU."""

import numpy as np
from harness import Case


def _mm(n, dtype="float32"):
    def setup(lib):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n)).astype(dtype)
        b = rng.standard_normal((n, n)).astype(dtype)
        if lib == "numpy":
            return lambda: a @ b
        m = __import__(lib)
        x, y = m.tensor(a), m.tensor(b)
        return lambda: x @ y

    return setup


def _bmm(batch, n):
    def setup(lib):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((batch, n, n)).astype("float32")
        b = rng.standard_normal((batch, n, n)).astype("float32")
        if lib == "numpy":
            return lambda: np.matmul(a, b)
        m = __import__(lib)
        x, y = m.tensor(a), m.tensor(b)
        return lambda: m.bmm(x, y)

    return setup


def _linear_layer(lib):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 784)).astype("float32")
    w = rng.standard_normal((256, 784)).astype("float32")
    if lib == "numpy":
        return lambda: x @ w.T
    m = __import__(lib)
    tx, tw = m.tensor(x), m.tensor(w)
    return lambda: tx @ tw.T


def _linear_fwd_bwd(lib):
    if lib == "numpy":
        return None
    m = __import__(lib)
    rng = np.random.default_rng(0)
    x = m.tensor(rng.standard_normal((64, 784)).astype("float32"))
    w = m.tensor(rng.standard_normal((256, 784)).astype("float32"), requires_grad=True)
    b = m.tensor(np.zeros(256, np.float32), requires_grad=True)
    F = m.nn.functional

    def step():
        F.linear(x, w, b).sum().backward()

    return step


def _transposed(n):
    def setup(lib):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n)).astype("float32")
        if lib == "numpy":
            return lambda: a.T @ a
        m = __import__(lib)
        x = m.tensor(a)
        return lambda: x.t() @ x

    return setup


def _einsum_attn(lib):
    rng = np.random.default_rng(0)
    q = rng.standard_normal((8, 8, 128, 64)).astype("float32")
    k = rng.standard_normal((8, 8, 128, 64)).astype("float32")
    if lib == "numpy":
        return lambda: np.einsum("bhqd,bhkd->bhqk", q, k, optimize=True)
    m = __import__(lib)
    tq, tk = m.tensor(q), m.tensor(k)
    return lambda: m.einsum("bhqd,bhkd->bhqk", tq, tk)


CASES = [
    Case("mm 256x256 f32", _mm(256), ">= 0.95x torch GFLOPS", flops=2 * 256**3),
    Case("mm 1024x1024 f32", _mm(1024), ">= 0.95x torch GFLOPS", flops=2 * 1024**3),
    Case("mm 2048x2048 f32", _mm(2048), ">= 0.95x torch GFLOPS", flops=2 * 2048**3),
    Case("mm 1024x1024 f64", _mm(1024, "float64"), ">= 0.95x torch GFLOPS", flops=2 * 1024**3),
    Case("bmm 512 x (64x64 @ 64x64) f32", _bmm(512, 64), ">= 0.95x torch GFLOPS", flops=2 * 512 * 64**3),
    Case("x @ W.T 64x784 @ 784x256 f32", _linear_layer, ">= 0.95x torch GFLOPS", flops=2 * 64 * 784 * 256),
    Case("linear fwd+bwd 64x784 -> 256 f32", _linear_fwd_bwd, "(info)", flops=3 * 2 * 64 * 784 * 256),
    Case("a.T @ a 1024 f32 (strided input)", _transposed(1024), "(info)", flops=2 * 1024**3),
    Case("einsum bhqd,bhkd->bhqk 8x8x128x64 f32", _einsum_attn, "(info)", flops=2 * 64 * 128 * 128 * 64),
]
