"""SVD family: linalg.svdvals / svd and the SVD-based matrix norms (no speed target in the issue;
rows to track rgrad's LAPACK-free Jacobi SVD against NumPy's and PyTorch's LAPACK)."""

import numpy as np
from harness import Case, random_data

_data = random_data


def svdvals(shape, dtype=np.float32):
    def setup(lib):
        a = _data(shape, dtype)
        if lib == "numpy":
            return lambda: np.linalg.svd(a, compute_uv=False)
        m = __import__(lib)
        x = m.from_numpy(a.copy())
        return lambda: m.linalg.svdvals(x)

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


CASES = [
    Case("svdvals 8x8 f32", svdvals((8, 8)), ""),
    Case("svdvals 64x64 f32", svdvals((64, 64)), ""),
    Case("svdvals 256x256 f32", svdvals((256, 256)), ""),
    Case("svdvals 1000x50 f64", svdvals((1000, 50), np.float64), ""),
    Case("svd 64x64 f32", svd((64, 64), False), ""),
    Case("svd 256x128 f64 reduced", svd((256, 128), False, np.float64), ""),
    Case("svd batch 1000x4x4 f32", svd((1000, 4, 4), False), ""),
    Case("matrix_norm nuc 64x32x32 f32", matrix_norm((64, 32, 32), "nuc"), ""),
    Case("matrix_norm 2 128x128 f32", matrix_norm((128, 128), 2), ""),
]
