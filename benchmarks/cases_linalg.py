"""rgrad.linalg against NumPy's and PyTorch's LAPACK: the issue's targets (solve, inv, det,
cholesky, qr, eigh, svdvals at 64², 256², 1024² and a batch of 1000 4x4 matrices, float32 and
float64: every case <= 1.0x PyTorch's time), plus rows that track the rest of the SVD family."""

import numpy as np
from harness import Case, random_data

_data = random_data


def _spd(shape, dtype):
    """Symmetric positive definite matrices (A A^T + n I) of `shape`."""
    a = _data(shape, np.float64)
    n = shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def _op(name, shape, dtype):
    """setup(lib) for `name` on inputs of `shape`."""

    def setup(lib):
        if name in ("cholesky", "eigh"):
            a = _spd(shape, dtype)
        else:
            a = _data(shape, dtype)
        b = _data(shape[:-1] + (1,), dtype)
        if lib == "numpy":
            fns = {
                "solve": lambda: np.linalg.solve(a, b),
                "inv": lambda: np.linalg.inv(a),
                "det": lambda: np.linalg.det(a),
                "cholesky": lambda: np.linalg.cholesky(a),
                "qr": lambda: np.linalg.qr(a),
                "eigh": lambda: np.linalg.eigh(a),
                "svdvals": lambda: np.linalg.svd(a, compute_uv=False),
            }
            return fns[name]
        m = __import__(lib)
        x, y = m.from_numpy(a.copy()), m.from_numpy(b.copy())
        la = m.linalg
        fns = {
            "solve": lambda: la.solve(x, y),
            "inv": lambda: la.inv(x),
            "det": lambda: la.det(x),
            "cholesky": lambda: la.cholesky(x),
            "qr": lambda: la.qr(x),
            "eigh": lambda: la.eigh(x),
            "svdvals": lambda: la.svdvals(x),
        }
        return fns[name]

    return setup


def svd(shape, full, dtype=np.float32):
    def setup(lib):
        a = _data(shape, dtype)
        if lib == "numpy":
            return lambda: np.linalg.svd(a, full_matrices=full)
        m = __import__(lib)
        x = m.from_numpy(a.copy())
        return lambda: m.linalg.svd(x, full_matrices=full)

    return setup


def matrix_norm(shape, ord):
    def setup(lib):
        a = _data(shape)
        if lib == "numpy":
            return lambda: np.linalg.norm(a, ord, axis=(-2, -1))
        m = __import__(lib)
        x = m.from_numpy(a.copy())
        return lambda: m.linalg.matrix_norm(x, ord)

    return setup


_TARGET = "<= 1.0x torch"
_SHAPES = [((1000, 4, 4), "batch 1000x4x4"), ((64, 64), "64x64"), ((256, 256), "256x256"), ((1024, 1024), "1024x1024")]

CASES = [
    Case(f"{name} {label} {tag}", _op(name, shape, dtype), _TARGET)
    for name in ("solve", "inv", "det", "cholesky", "qr", "eigh", "svdvals")
    for shape, label in _SHAPES
    for dtype, tag in ((np.float32, "f32"), (np.float64, "f64"))
] + [
    Case("svdvals 8x8 f32", _op("svdvals", (8, 8), np.float32), ""),
    Case("svdvals 1000x50 f64", _op("svdvals", (1000, 50), np.float64), ""),
    Case("svd 64x64 f32", svd((64, 64), False), ""),
    Case("svd 256x128 f64 reduced", svd((256, 128), False, np.float64), ""),
    Case("svd batch 1000x4x4 f32", svd((1000, 4, 4), False), ""),
    Case("matrix_norm nuc 64x32x32 f32", matrix_norm((64, 32, 32), "nuc"), ""),
    Case("matrix_norm 2 128x128 f32", matrix_norm((128, 128), 2), ""),
]
