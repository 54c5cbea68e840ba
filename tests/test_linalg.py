"""SVD family: linalg.svd / svdvals / svd, matrix norms ('nuc', 2, -2 and the rest), against NumPy."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rgrad
from conftest import assert_close, to_np

R = np.random.default_rng(11)
FLOATS = [(rgrad.float32, np.float32, 1e-4), (rgrad.float64, np.float64, 1e-10)]


def T(a):
    return rgrad.from_numpy(np.ascontiguousarray(a))


def leaf(a):
    return rgrad.from_numpy(np.asarray(a, dtype=np.float64).copy()).requires_grad_()


def gc(fn, *arrays):
    assert rgrad.autograd.gradcheck(fn, tuple(leaf(a) for a in arrays))


def check_svd(a, u, s, vh, full, tol):
    """Values against NumPy, orthonormal factors, reconstruction."""
    a = np.asarray(a, dtype=np.float64)
    m, n = a.shape[-2:]
    k = min(m, n)
    U, S, Vh = (to_np(x).astype(np.float64) for x in (u, s, vh))
    assert U.shape == a.shape[:-2] + ((m, m) if full else (m, k))
    assert S.shape == a.shape[:-2] + (k,)
    assert Vh.shape == a.shape[:-2] + ((n, n) if full else (k, n))
    if k > 0 and a.size > 0:
        np.testing.assert_allclose(S, np.linalg.svd(a, compute_uv=False), rtol=tol, atol=tol * max(1.0, np.abs(a).max()))
        assert (np.diff(S, axis=-1) <= 0).all()
        rec = (U[..., :, :k] * S[..., None, :]) @ Vh[..., :k, :]
        np.testing.assert_allclose(rec, a, atol=tol * 10 * max(1.0, np.abs(a).max()))
    eye = lambda d: np.broadcast_to(np.eye(d), a.shape[:-2] + (d, d))  # noqa: E731
    np.testing.assert_allclose(np.swapaxes(U, -1, -2) @ U, eye(U.shape[-1]), atol=tol * 10)
    np.testing.assert_allclose(Vh @ np.swapaxes(Vh, -1, -2), eye(Vh.shape[-2]), atol=tol * 10)


# ---------- values ----------

SHAPES = [(1, 1), (3, 3), (5, 3), (3, 5), (7, 1), (1, 7), (2, 4, 3), (3, 2, 3, 6), (40, 30), (30, 40)]


@pytest.mark.parametrize("dt,npdt,tol", FLOATS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("full", [True, False])
def test_svd_values(dt, npdt, tol, shape, full):
    a = R.standard_normal(shape).astype(npdt)
    u, s, vh = rgrad.linalg.svd(T(a), full_matrices=full)
    assert u.dtype == s.dtype == vh.dtype == dt
    check_svd(a, u, s, vh, full, tol)
    assert_close(rgrad.linalg.svdvals(T(a)), np.linalg.svd(a.astype(np.float64), compute_uv=False).astype(npdt), rtol=tol * 10, atol=tol * 10)


def test_svd_named_tuple():
    r = rgrad.linalg.svd(T(R.standard_normal((3, 2))))
    assert type(r).__name__ == "linalg_svd" and r._fields == ("U", "S", "Vh")
    assert r.U is r[0] and r.Vh is r[2]
    assert "rgrad.return_types.linalg_svd(" in repr(r)
    r = T(R.standard_normal((3, 2))).svd()
    assert type(r).__name__ == "svd" and r._fields == ("U", "S", "V")


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 3, 0), (0, 2, 2)])
def test_svd_empty(shape):
    a = np.zeros(shape)
    m, n = shape[-2:]
    u, s, vh = rgrad.linalg.svd(T(a))
    assert s.shape == shape[:-2] + (min(m, n),)
    # full bases of an empty matrix are the identity, as PyTorch
    assert_close(u, np.broadcast_to(np.eye(m), shape[:-2] + (m, m)))
    assert_close(vh, np.broadcast_to(np.eye(n), shape[:-2] + (n, n)))
    u, s, vh = rgrad.linalg.svd(T(a), full_matrices=False)
    assert u.shape == shape[:-2] + (m, min(m, n)) and vh.shape == shape[:-2] + (min(m, n), n)
    assert rgrad.linalg.svdvals(T(a)).shape == shape[:-2] + (min(m, n),)


def test_svd_noncontiguous():
    b = R.standard_normal((6, 8))
    x = T(b)
    for view, ref in ((x.t(), b.T), (x[::2, 1::3], b[::2, 1::3]), (x[:, ::-1] if False else x.narrow(1, 2, 4), b[:, 2:6])):
        check_svd(ref, *rgrad.linalg.svd(view), True, 1e-10)
    e = T(b[:3, :4]).unsqueeze(0).expand(3, 3, 4)
    check_svd(np.broadcast_to(b[:3, :4], (3, 3, 4)), *rgrad.linalg.svd(e, full_matrices=False), False, 1e-10)
    bt = R.standard_normal((4, 3, 5))
    check_svd(np.swapaxes(bt, 0, 2), *rgrad.linalg.svd(T(bt).permute(2, 1, 0)), True, 1e-10)


def test_svd_rank_deficient_and_special():
    # rank 1, zero, identity, orthogonal: exact singular values, orthonormal completed bases
    cases = [np.outer(np.arange(1.0, 5.0), np.arange(1.0, 4.0)), np.zeros((4, 3)), np.zeros((3, 5)), np.eye(4), np.eye(3)[[2, 0, 1]] * 2.0]
    for a in cases:
        u, s, vh = rgrad.linalg.svd(T(a))
        check_svd(a, u, s, vh, True, 1e-12)
    assert_close(rgrad.linalg.svdvals(T(np.zeros((2, 2)))), np.zeros(2))
    assert_close(rgrad.linalg.svdvals(T(np.array([[-3.0]]))), np.array([3.0]))


def test_svd_accuracy_and_scaling():
    # graded singular values down to 1e-14. The oracle `sig` is exact only up to how `a` was
    # rounded: building it with NumPy's matmul perturbs it by about sqrt(12) * eps * ||a|| ~ 8e-16
    # in norm, which by Weyl's inequality moves every singular value by at most that much,
    # whatever BLAS computed it. So each value is checked to 1e-3 relative plus 2e-15 absolute
    # (a bound the input guarantees), and the large ones to 1e-10 relative.
    rng = np.random.default_rng(1234)  # its own generator: the draw must not depend on test order
    q1, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    q2, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    sig = 10.0 ** -np.arange(0, 16, 2.0)
    a = q1[:, :8] @ np.diag(sig) @ q2
    s = to_np(rgrad.linalg.svdvals(T(a)))
    np.testing.assert_allclose(s, sig, rtol=1e-3, atol=2e-15)
    np.testing.assert_allclose(s[:4], sig[:4], rtol=1e-10)
    # huge and tiny entries don't overflow / underflow
    for scale in (1e200, 1e-200):
        b = rng.standard_normal((5, 4))
        np.testing.assert_allclose(to_np(rgrad.linalg.svdvals(T(b * scale))), np.linalg.svd(b, compute_uv=False) * scale, rtol=1e-12)


def test_svd_nonfinite():
    a = np.ones((3, 3))
    a[1, 1] = np.nan
    with pytest.raises(RuntimeError, match="linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values."):
        rgrad.linalg.svd(T(a))
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"linalg.svd: \(Batch element 1\): The algorithm failed"):
        rgrad.linalg.svdvals(T(np.stack([np.ones((3, 3)), a])))
    u, s, vh = rgrad.linalg.svd(T(np.full((2, 2), np.inf)))
    assert np.isnan(to_np(s)).all() and np.isnan(to_np(u)).all()


def test_legacy_svd():
    a = R.standard_normal((5, 3))
    u, s, v = rgrad.svd(T(a))
    assert u.shape == (5, 3) and v.shape == (3, 3)
    np.testing.assert_allclose(to_np(u) @ np.diag(to_np(s)) @ to_np(v).T, a, atol=1e-12)
    u, s, v = T(a).svd(some=False)
    assert u.shape == (5, 5) and v.shape == (3, 3)
    u, s, v = rgrad.svd(T(a), compute_uv=False)
    assert_close(u, np.zeros((5, 5)))
    assert_close(v, np.zeros((3, 3)))
    assert_close(s, np.linalg.svd(a, compute_uv=False))
    u, s, v = T(a.T).svd()
    assert u.shape == (3, 3) and v.shape == (5, 3)
    np.testing.assert_allclose(to_np(u) @ np.diag(to_np(s)) @ to_np(v).T, a.T, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    batch=st.lists(st.integers(0, 3), max_size=2),
    m=st.integers(0, 7),
    n=st.integers(0, 7),
    full=st.booleans(),
    rank=st.integers(0, 7),
    transposed=st.booleans(),
)
def test_hypothesis_svd(batch, m, n, full, rank, transposed):
    shape = tuple(batch) + (m, n)
    r = min(rank, m, n)
    a = R.standard_normal(tuple(batch) + (m, r)) @ R.standard_normal(tuple(batch) + (r, n))  # rank <= r
    x = T(np.swapaxes(a, -1, -2)).transpose(-1, -2) if transposed else T(a)
    assert x.shape == shape
    check_svd(a, *rgrad.linalg.svd(x, full_matrices=full), full, 1e-10)


# ---------- matrix norms ----------

ORDS = ["fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf]


@pytest.mark.parametrize("dt,npdt,tol", FLOATS)
@pytest.mark.parametrize("ord", ORDS)
def test_matrix_norm_values(dt, npdt, tol, ord):
    a = R.standard_normal((4, 5)).astype(npdt)
    ref = lambda x, **kw: np.linalg.norm(x.astype(np.float64), ord, **kw).astype(npdt)  # noqa: E731
    rt, at = max(tol, 1e-6), max(tol, 1e-6)
    assert_close(rgrad.linalg.matrix_norm(T(a), ord), ref(a), rtol=rt, atol=at)
    assert_close(rgrad.linalg.norm(T(a), ord), ref(a), rtol=rt, atol=at)
    assert_close(rgrad.linalg.matrix_norm(T(a), ord, keepdim=True), ref(a, keepdims=True), rtol=rt, atol=at)
    b = R.standard_normal((3, 4, 2)).astype(npdt)
    for dim in ((0, 1), (1, 0), (0, 2), (-1, 0), (2, 1)):
        assert_close(rgrad.linalg.matrix_norm(T(b), ord, dim), ref(b, axis=dim), rtol=rt, atol=at)
        assert_close(rgrad.linalg.matrix_norm(T(b), ord, dim, keepdim=True), ref(b, axis=dim, keepdims=True), rtol=rt, atol=at)
        assert_close(rgrad.linalg.norm(T(b), ord, dim), ref(b, axis=dim), rtol=rt, atol=at)
    # batched default dims, non-contiguous
    assert_close(rgrad.linalg.matrix_norm(T(b).transpose(0, 2), ord), ref(np.swapaxes(b, 0, 2), axis=(-2, -1)), rtol=rt, atol=at)
    assert rgrad.linalg.matrix_norm(T(a), ord, dtype=rgrad.float64).dtype == rgrad.float64


def test_norm_nuc():
    a = R.standard_normal((4, 3))
    x = T(a)
    nuc = np.linalg.norm(a, "nuc")
    assert_close(x.norm("nuc"), nuc)
    assert_close(x.norm(p="nuc", keepdim=True), np.array([[nuc]]))
    assert_close(rgrad.norm(x, p="nuc"), nuc)
    b = R.standard_normal((3, 4, 2))
    assert_close(rgrad.norm(T(b), p="nuc", dim=(0, 1)), np.linalg.norm(b, "nuc", axis=(0, 1)))
    assert rgrad.norm(T(b), p="nuc", dim=(0, 1), keepdim=True).shape == (1, 1, 2)
    assert rgrad.norm(T(b).float(), p="nuc", dim=(0, 1), dtype=rgrad.float64).dtype == rgrad.float64
    # p='fro' stays the vector 2-norm; 2 with two dims too (legacy norm)
    assert_close(T(b).norm("fro", dim=(0, 1)), np.linalg.norm(b, axis=(0, 1)))
    assert_close(T(b).norm(2, dim=(0, 1)), np.sqrt((b ** 2).sum((0, 1))))


def test_matrix_norm_empty():
    for shape in ((3, 0), (0, 3), (2, 3, 0)):
        z = rgrad.zeros(*shape, dtype=rgrad.float64)
        for ord in ("fro", "nuc", 2):
            assert_close(rgrad.linalg.matrix_norm(z, ord), np.zeros(shape[:-2]))
    assert_close(rgrad.linalg.matrix_norm(rgrad.zeros(3, 0), 1), np.float32(0.0))
    assert_close(rgrad.linalg.matrix_norm(rgrad.zeros(3, 0), math.inf), np.float32(0.0))
    assert_close(rgrad.linalg.matrix_norm(rgrad.zeros(3, 0), -math.inf), np.float32(0.0))
    with pytest.raises(IndexError, match="amin"):
        rgrad.linalg.matrix_norm(rgrad.zeros(3, 0), -2)
    with pytest.raises(IndexError, match="amin"):
        rgrad.linalg.matrix_norm(rgrad.zeros(0, 3), -math.inf)
    assert_close(rgrad.linalg.matrix_norm(T(np.array([[-2.5]])), "nuc"), np.float64(2.5))


def test_matrix_norm_errors():
    x = T(R.standard_normal((3, 3)))
    i = rgrad.ones(3, 3, dtype=rgrad.int64)
    with pytest.raises(NotImplementedError, match="linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.matrix_norm(i, "nuc")
    with pytest.raises(NotImplementedError, match="Got Long"):
        rgrad.linalg.norm(i, "nuc")
    with pytest.raises(NotImplementedError, match="linalg.matrix_norm: Expected a floating point or complex tensor as input. Got Int"):
        rgrad.linalg.matrix_norm(rgrad.ones(3, 3, dtype=rgrad.int32), 2)
    with pytest.raises(NotImplementedError, match="Got Long"):
        i.norm("nuc")
    for f in (lambda: rgrad.linalg.matrix_norm(rgrad.ones(3), "nuc"), lambda: rgrad.ones(3).norm("nuc"), lambda: rgrad.linalg.norm(rgrad.ones(3), "nuc")):
        with pytest.raises(RuntimeError, match="linalg.matrix_norm: The input tensor A must have at least 2 dimensions."):
            f()
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order 3 not supported."):
        rgrad.linalg.matrix_norm(x, 3)
    with pytest.raises(RuntimeError, match=r"linalg.matrix_norm: Order 3.5 not supported."):
        rgrad.linalg.matrix_norm(x, 3.5)
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order foo not supported."):
        rgrad.linalg.matrix_norm(i, "foo")
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: Order foo not supported."):
        x.norm("foo")
    with pytest.raises(RuntimeError, match=r"linalg.matrix_norm: dims must be different. Got \(0, 0\)"):
        rgrad.linalg.matrix_norm(x, "nuc", dim=(0, -2))
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"):
        rgrad.ones(2, 2, 2).norm("nuc")
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: dim must be a 2-tuple. Got 0"):
        rgrad.ones(2, 2, 2).norm("nuc", dim=0)
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: dim must be a 2-tuple. Got 1"):
        rgrad.linalg.norm(x, "nuc", dim=1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        rgrad.linalg.matrix_norm(x, 2, dim=(0, 2))
    with pytest.raises(RuntimeError, match="linalg.matrix_norm: dtype should be floating point or complex, but got Long"):
        rgrad.linalg.matrix_norm(x, "nuc", dtype=rgrad.int64)
    with pytest.raises(RuntimeError, match="linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."):
        rgrad.linalg.norm(rgrad.ones(2, 2, 2), "nuc")
    with pytest.raises(TypeError):
        rgrad.linalg.matrix_norm(x, None)


def test_svd_errors():
    i = rgrad.ones(3, 3, dtype=rgrad.int64)
    with pytest.raises(NotImplementedError, match="linalg.svd: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.svd(i)
    with pytest.raises(NotImplementedError, match="linalg.svd: Expected a floating point or complex tensor as input. Got Bool"):
        rgrad.linalg.svdvals(rgrad.ones(2, 2, dtype=rgrad.bool))
    with pytest.raises(NotImplementedError, match="Got Long"):
        rgrad.svd(i)
    with pytest.raises(RuntimeError, match="linalg.svd: The input tensor A must have at least 2 dimensions."):
        rgrad.linalg.svd(rgrad.ones(3))
    with pytest.raises(RuntimeError, match="linalg.svd: The input tensor A must have at least 2 dimensions."):
        rgrad.linalg.svdvals(rgrad.ones(3))
    with pytest.raises(RuntimeError, match="linalg.svd: input should have at least 2 dimensions, but has 1 dimensions instead"):
        rgrad.svd(rgrad.ones(3))
    with pytest.raises(RuntimeError, match="driver="):
        rgrad.linalg.svd(rgrad.ones(2, 2), driver="gesvd")


# ---------- gradients ----------

def well_conditioned(shape):
    """Random matrices with well separated singular values."""
    a = R.standard_normal(shape)
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    k = min(shape[-2:])
    s = np.linspace(3.0, 1.0, k) + R.uniform(0, 0.1, k)
    return (u * s[..., None, :]) @ vh


GRAD_SHAPES = [(3, 3), (4, 3), (3, 4), (2, 4, 3), (2, 3, 5), (1, 1)]


@pytest.mark.parametrize("shape", GRAD_SHAPES)
def test_gradcheck_svdvals(shape):
    a = well_conditioned(shape)
    gc(lambda x: rgrad.linalg.svdvals(x), a)
    gc(lambda x: rgrad.linalg.svd(x, full_matrices=False).S, a)
    gc(lambda x: rgrad.linalg.svd(x).S, a)


@pytest.mark.parametrize("shape", GRAD_SHAPES)
@pytest.mark.parametrize("full", [False, True])
def test_gradcheck_svd_vectors(shape, full):
    a = well_conditioned(shape)
    k = min(shape[-2:])

    def gauge_invariant(x):
        u, s, vh = rgrad.linalg.svd(x, full_matrices=full)
        u, vh = u[..., :k], vh[..., :k, :]
        return u @ vh, s, u.abs(), vh.abs()

    gc(gauge_invariant, a)
    # each output on its own
    gc(lambda x: rgrad.linalg.svd(x, full_matrices=full)[0][..., :k].abs(), a)
    gc(lambda x: rgrad.linalg.svd(x, full_matrices=full)[2][..., :k, :].abs(), a)
    gc(lambda x: rgrad.svd(x)[2].abs(), a)


def test_svd_full_extra_columns_get_no_gradient():
    # the completed columns of a full U (rows of Vh) are arbitrary: their gradient is ignored
    a = leaf(well_conditioned((4, 2)))
    u, s, vh = rgrad.linalg.svd(a)
    u[:, 2:].sum().backward()
    assert_close(a.grad, np.zeros((4, 2)))


@pytest.mark.parametrize("ord", ["nuc", 2, -2, "fro", 1, -1, math.inf, -math.inf])
def test_gradcheck_matrix_norm(ord):
    a = well_conditioned((2, 3, 4))
    gc(lambda x: rgrad.linalg.matrix_norm(x, ord), a)
    gc(lambda x: rgrad.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True), a)
    gc(lambda x: rgrad.linalg.norm(x[0], ord), a)


def test_norm_nuc_gradient():
    gc(lambda x: x.norm("nuc"), well_conditioned((3, 4)))
    gc(lambda x: rgrad.norm(x, p="nuc", dim=(2, 0)), well_conditioned((3, 4, 2)))


def test_svd_gradients_like_torch_at_special_points():
    # nuclear norm of 0 and of I: gradient U Vh (= I), as PyTorch
    for a in (np.zeros((3, 3)), np.eye(3)):
        x = leaf(a)
        rgrad.linalg.matrix_norm(x, "nuc").backward()
        assert_close(x.grad, np.eye(3))
    # ties in the spectral norm share the gradient (amax)
    x = leaf(np.eye(3))
    rgrad.linalg.matrix_norm(x, 2).backward()
    assert_close(x.grad, np.eye(3) / 3)
    # repeated singular values: the U/Vh gradients are not defined (NaN), as PyTorch
    x = leaf(np.eye(3))
    u, s, vh = rgrad.linalg.svd(x)
    (u.sum() + vh.sum()).backward()
    assert np.isnan(to_np(x.grad)).all()


def test_svdvals_analytic_gradient():
    # d(sum S)/dA = U Vh
    a = well_conditioned((5, 3))
    x = leaf(a)
    rgrad.linalg.svdvals(x).sum().backward()
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    assert_close(x.grad, u @ vh, rtol=1e-10, atol=1e-12)


def test_svd_double_backward():
    # create_graph: the first derivative is itself differentiable
    # (gradcheck's finite differences run under no_grad: re-enable it for the inner grad)
    def first_grad(x):
        with rgrad.enable_grad():
            y = rgrad.linalg.matrix_norm(x, "nuc") + rgrad.linalg.svd(x, full_matrices=False).S[..., 0]
            (g,) = rgrad.autograd.grad(y.sum(), x, create_graph=True)
        return g

    gc(first_grad, well_conditioned((3, 3)))
    gc(first_grad, well_conditioned((4, 3)))

    def first_grad_vectors(x):
        with rgrad.enable_grad():
            u, s, vh = rgrad.linalg.svd(x, full_matrices=False)
            (g,) = rgrad.autograd.grad((u @ vh).sum() + s.sum(), x, create_graph=True)
        return g

    gc(first_grad_vectors, well_conditioned((3, 3)))


def test_svd_no_grad_and_float32_backward():
    x = rgrad.from_numpy(well_conditioned((4, 3)).astype(np.float32)).requires_grad_()
    with rgrad.no_grad():
        assert not rgrad.linalg.svdvals(x).requires_grad
    rgrad.linalg.matrix_norm(x, "nuc").backward()
    assert x.grad.dtype == rgrad.float32
    u, _, vh = np.linalg.svd(to_np(x).astype(np.float64), full_matrices=False)
    assert_close(x.grad, (u @ vh).astype(np.float32), rtol=1e-4, atol=1e-5)
