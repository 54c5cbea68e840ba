"""QR, eigh / eigvalsh, lstsq, pinv, matrix_rank, matrix_exp, matrix_power, cond, vecdot,
vander, diagonal and eig against NumPy.

Tolerances are norm-wise and scaled by n * eps * cond (see test_linalg_solve.py): backward
stable algorithms (Householder QR, symmetric eigensolvers, the SVD) give results within
c n eps ||A|| (eigenvalues, singular values; Weyl) or c n eps cond (solutions, subspaces) of the
exact ones, whatever BLAS or CPU computed the oracle. Factors that are unique only up to signs
(Q's columns, eigenvectors) are checked through sign-free identities."""

import math

import numpy as np
import pytest

import rgrad
from conftest import to_np

FLOATS = [(rgrad.float32, np.float32), (rgrad.float64, np.float64)]
EPS = {np.float32: np.finfo(np.float32).eps, np.float64: np.finfo(np.float64).eps}


def T(a):
    return rgrad.from_numpy(np.ascontiguousarray(a))


def conditioned(rng, shape, cond=10.0, dtype=np.float64):
    """Random (*, m, n) matrices whose singular values are spread over [1, cond]."""
    *batch, m, n = shape
    k = min(m, n)
    q1, _ = np.linalg.qr(rng.standard_normal((*batch, m, m)))
    q2, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    s = np.linspace(1.0, cond, k) if k > 1 else np.ones(k)
    return ((q1[..., :, :k] * s) @ q2[..., :k, :]).astype(dtype)


def sym(rng, shape, dtype=np.float64, spread=(-5.0, 5.0)):
    """Random symmetric matrices with eigenvalues spaced evenly over `spread` (gaps >= 10/n)."""
    *batch, n, _ = shape
    q, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    w = np.linspace(*spread, n) if n > 1 else np.ones(n)
    return ((q * w) @ np.swapaxes(q, -1, -2)).astype(dtype)


def norm_err(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return np.linalg.norm(got - want) / max(np.linalg.norm(want), 1.0)


# ---------- QR ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (6, 3), (3, 6), (2, 5, 4), (2, 3, 4, 5), (16, 16), (17, 9), (60, 40), (40, 60), (120, 120)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(dt, npdt, shape, mode):
    rng = np.random.default_rng(20)
    a = conditioned(rng, shape, dtype=npdt)
    m, n = shape[-2:]
    k = min(m, n)
    q, r = rgrad.linalg.qr(T(a), mode=mode)
    tol = 30 * max(m, n) * EPS[npdt]
    rn = to_np(r).astype(np.float64)
    np.testing.assert_array_equal(np.tril(rn, -1), 0)
    # R is unique up to the signs of its rows: compare with NumPy's after making diag(R) >= 0
    r_np = np.linalg.qr(a.astype(np.float64), mode="r")
    rows = min(rn.shape[-2], k)
    signs = lambda x: np.where(np.diagonal(x[..., :rows, :k], axis1=-2, axis2=-1) < 0, -1.0, 1.0)[..., None]  # noqa: E731
    assert norm_err(rn[..., :rows, :] * signs(rn), r_np[..., :rows, :] * signs(r_np)) <= tol * 10
    if mode == "r":
        assert q.shape == (0,) and r.shape == (*shape[:-2], k, n)
        return
    qn = to_np(q).astype(np.float64)
    qcols = k if mode == "reduced" else m
    assert qn.shape == (*shape[:-2], m, qcols) and rn.shape == (*shape[:-2], qcols, n)
    assert norm_err(qn @ rn, a) <= tol
    assert norm_err(np.swapaxes(qn, -1, -2) @ qn, np.broadcast_to(np.eye(qcols), qn.shape[:-2] + (qcols, qcols))) <= tol


def test_qr_special_and_errors():
    # R's diagonal signs follow LAPACK's reflectors: -sign(a_11) ||a_1||
    r = to_np(rgrad.linalg.qr(T(np.array([[3.0, 1.0], [4.0, 2.0]]))).R)
    assert r[0, 0] == pytest.approx(-5.0)
    q, r = rgrad.linalg.qr(T(np.zeros((0, 3))), mode="complete")
    assert q.shape == (0, 0) and r.shape == (0, 3)
    q, r = rgrad.linalg.qr(T(np.zeros((3, 2))))
    np.testing.assert_array_equal(to_np(r), 0)
    assert type(rgrad.linalg.qr(T(np.eye(2)))).__name__ == "linalg_qr"
    assert type(rgrad.qr(T(np.eye(2)))).__name__ == "qr" and rgrad.qr(T(np.ones((3, 2))), some=False).Q.shape == (3, 3)
    with pytest.raises(RuntimeError, match="qr received unrecognized mode 'foo' but expected one of 'reduced' \\(default\\), 'r', or 'complete'"):
        rgrad.linalg.qr(T(np.eye(2)), mode="foo")
    with pytest.raises(NotImplementedError, match="linalg.qr: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.qr(rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="linalg.qr: The input tensor A must have at least 2 dimensions."):
        rgrad.linalg.qr(rgrad.ones(2))


# ---------- eigh ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (4, 4), (8, 8), (9, 9), (3, 5, 5), (2, 2, 6, 6), (33, 33), (150, 150)])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(dt, npdt, shape, uplo):
    rng = np.random.default_rng(21)
    a = sym(rng, shape, dtype=npdt)
    n = shape[-1]
    junk = rng.standard_normal(shape) * 100
    keep = np.tril(np.ones((n, n), bool)) if uplo == "L" else np.triu(np.ones((n, n), bool))
    given = np.where(keep, a, junk).astype(npdt)
    w, v = rgrad.linalg.eigh(T(given), UPLO=uplo)
    assert w.dtype == dt and w.shape == shape[:-1] and v.shape == shape
    wn, vn = to_np(w).astype(np.float64), to_np(v).astype(np.float64)
    # eigenvalues: within c n eps ||A|| (||A||_2 = 5 here) of NumPy's, ascending
    want = np.linalg.eigvalsh(a.astype(np.float64))
    np.testing.assert_allclose(wn, want, rtol=0, atol=30 * n * EPS[npdt] * 5)
    assert (np.diff(wn, axis=-1) >= 0).all()
    # vectors: orthonormal, A V = V diag(w) (sign-free checks)
    a64 = a.astype(np.float64)
    tol = 30 * n * EPS[npdt] * 5
    np.testing.assert_allclose(np.swapaxes(vn, -1, -2) @ vn, np.broadcast_to(np.eye(n), vn.shape), atol=tol)
    np.testing.assert_allclose(a64 @ vn, vn * wn[..., None, :], atol=tol * 5)
    np.testing.assert_allclose(to_np(rgrad.linalg.eigvalsh(T(given), UPLO=uplo)), wn, rtol=0, atol=tol)


def test_eigh_special_and_errors():
    # repeated eigenvalues: values exact-ish, vectors still an orthonormal basis
    w, v = rgrad.linalg.eigh(T(np.eye(4) * 2.0))
    np.testing.assert_allclose(to_np(w), [2.0] * 4)
    np.testing.assert_allclose(to_np(v).T @ to_np(v), np.eye(4), atol=1e-14)
    # NaN in the input: NaN out, no error (as PyTorch / LAPACK)
    w = rgrad.linalg.eigvalsh(T(np.array([[np.nan, 0.0], [0.0, 1.0]])))
    assert np.isnan(to_np(w)).any()
    assert type(rgrad.linalg.eigh(T(np.eye(2)))).__name__ == "linalg_eigh"
    assert rgrad.linalg.eigh(T(np.eye(2))).eigenvectors.shape == (2, 2)
    with pytest.raises(RuntimeError, match="Expected UPLO argument to be 'L' or 'U', but got X"):
        rgrad.linalg.eigh(T(np.eye(2)), UPLO="X")
    with pytest.raises(NotImplementedError, match="\"linalg_eigh_cpu\" not implemented for 'Long'"):
        rgrad.linalg.eigvalsh(rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="linalg.eigh: A must be batches of square matrices, but they are 2 by 3 matrices"):
        rgrad.linalg.eigh(rgrad.ones(2, 3))
    for fn in (rgrad.linalg.eig, rgrad.linalg.eigvals):
        with pytest.raises(NotImplementedError, match="rgrad has no complex dtype"):
            fn(T(np.eye(2)))


# ---------- lstsq, pinv, matrix_rank ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape,k", [((6, 3), 2), ((3, 6), 2), ((5, 5), 1), ((2, 7, 4), 3), ((30, 20), 4)])
def test_lstsq_full_rank(dt, npdt, driver, shape, k):
    rng = np.random.default_rng(22)
    a = conditioned(rng, shape, dtype=npdt)
    m, n = shape[-2:]
    b = rng.standard_normal((*shape[:-2], m, k)).astype(npdt)
    res = rgrad.linalg.lstsq(T(a), T(b), driver=driver)
    assert type(res).__name__ == "linalg_lstsq"
    x_np = np.stack([np.linalg.lstsq(a[i].astype(np.float64), b[i].astype(np.float64), rcond=None)[0] for i in np.ndindex(*shape[:-2])]).reshape(*shape[:-2], n, k)
    tol = 30 * max(m, n) * EPS[npdt] * 10 * 10  # least squares: cond^2 enters through the residual
    assert norm_err(to_np(res.solution), x_np) <= tol
    drv = driver or "gelsy"
    if drv == "gels":
        assert res.rank.shape == (0,) and res.rank.dtype == rgrad.int64
    else:
        assert to_np(res.rank).tolist() == np.full(shape[:-2], min(m, n)).tolist()
    if drv in ("gelsd", "gelss"):
        np.testing.assert_allclose(to_np(res.singular_values), np.linalg.svd(a.astype(np.float64), compute_uv=False), rtol=0, atol=30 * max(m, n) * EPS[npdt] * 10)
    else:
        assert res.singular_values.shape == (0,)
    if m > n and drv != "gelsy":
        want = ((a.astype(np.float64) @ x_np - b) ** 2).sum(-2)
        np.testing.assert_allclose(to_np(res.residuals), want, rtol=tol, atol=tol)
    else:
        assert res.residuals.shape == (0,)


def test_lstsq_rank_deficient_vector_and_errors():
    rng = np.random.default_rng(23)
    a = np.ones((5, 3))
    b = rng.standard_normal((5, 2))
    for driver in ("gelsy", "gelsd", "gelss"):
        res = rgrad.linalg.lstsq(T(a), T(b), driver=driver)
        np.testing.assert_allclose(to_np(res.solution), np.linalg.lstsq(a, b, rcond=None)[0], atol=1e-12)
        assert to_np(res.rank) == 1 and res.residuals.shape == (0,)
    # vector B: one dim fewer than A; residuals keep their column dim
    a2 = conditioned(rng, (5, 2))
    b2 = rng.standard_normal(5)
    res = rgrad.linalg.lstsq(T(a2), T(b2), driver="gelsd")
    assert res.solution.shape == (2,) and res.residuals.shape == (1,)
    np.testing.assert_allclose(to_np(res.solution), np.linalg.lstsq(a2, b2, rcond=None)[0], atol=1e-12)
    # rcond drops the small singular values
    a3 = np.diag([1.0, 1e-3, 1e-9])
    assert to_np(rgrad.linalg.lstsq(T(a3), T(np.ones((3, 1))), rcond=1e-6, driver="gelsd").rank) == 2
    # empty
    res = rgrad.linalg.lstsq(T(np.zeros((0, 2))), T(np.zeros((0, 1))), driver="gelsd")
    assert to_np(res.solution).tolist() == [[0.0], [0.0]] and to_np(res.rank) == 0
    with pytest.raises(RuntimeError, match="torch.linalg.lstsq: input.size\\(-2\\) should match other.size\\(-2\\)"):
        rgrad.linalg.lstsq(T(np.ones((3, 3))), T(np.ones((4, 2))))
    with pytest.raises(RuntimeError, match="parameter `driver` should be one of \\(gels, gelsy, gelsd, gelss\\)"):
        rgrad.linalg.lstsq(T(np.eye(3)), T(np.ones((3, 1))), driver="foo")
    with pytest.raises(RuntimeError, match="Expected input and other to have the same dtype"):
        rgrad.linalg.lstsq(T(np.eye(3)), rgrad.ones(3, 1))
    with pytest.raises(RuntimeError, match="torch.linalg.lstsq: input must have at least 2 dimensions."):
        rgrad.linalg.lstsq(T(np.ones(3)), T(np.ones(3)))


@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 6), (30, 20)])
def test_pinv_and_rank(dt, npdt, shape):
    rng = np.random.default_rng(24)
    a = conditioned(rng, shape, dtype=npdt)
    m, n = shape[-2:]
    p = rgrad.linalg.pinv(T(a))
    assert p.dtype == dt and p.shape == (*shape[:-2], n, m)
    assert norm_err(to_np(p), np.linalg.pinv(a.astype(np.float64))) <= 30 * max(m, n) * EPS[npdt] * 10
    assert to_np(rgrad.linalg.matrix_rank(T(a))).tolist() == np.linalg.matrix_rank(a.astype(np.float64)).tolist()
    # rank-deficient: the dropped singular values
    low = (a[..., :, :1] @ a[..., :1, :]).astype(npdt)  # rank 1
    assert (to_np(rgrad.linalg.matrix_rank(T(low))) == 1).all()
    np.testing.assert_allclose(to_np(rgrad.linalg.pinv(T(low))), np.linalg.pinv(low.astype(np.float64), rcond=1e-5), atol=1e3 * EPS[npdt] * max(m, n))


def test_pinv_hermitian_and_tolerances():
    rng = np.random.default_rng(25)
    s = sym(rng, (2, 5, 5))
    np.testing.assert_allclose(to_np(rgrad.linalg.pinv(T(s), hermitian=True)), np.linalg.pinv(s, hermitian=True), atol=1e-12)
    d = np.diag([4.0, 1.0, 1e-3])
    np.testing.assert_allclose(to_np(rgrad.linalg.pinv(T(d), atol=0.01)), np.diag([0.25, 1.0, 0.0]))
    np.testing.assert_allclose(to_np(rgrad.linalg.pinv(T(d), rtol=0.5)), np.diag([0.25, 0.0, 0.0]))
    np.testing.assert_allclose(to_np(rgrad.linalg.pinv(T(d), rcond=0.5)), np.diag([0.25, 0.0, 0.0]))
    np.testing.assert_allclose(to_np(T(d).pinverse(rcond=0.5)), np.diag([0.25, 0.0, 0.0]))
    np.testing.assert_allclose(to_np(rgrad.pinverse(T(d))), np.diag([0.25, 1.0, 1e3]))
    # per-batch tolerances broadcast
    dd = np.stack([d, d])
    r = rgrad.linalg.matrix_rank(T(dd), atol=T(np.array([0.01, 2.0])))
    assert to_np(r).tolist() == [2, 1]
    assert to_np(rgrad.linalg.matrix_rank(T(d), tol=0.5)) == 2
    assert to_np(rgrad.linalg.matrix_rank(T(-d), hermitian=True)) == 3
    assert rgrad.linalg.pinv(T(np.zeros((0, 3)))).shape == (3, 0)
    with pytest.raises(RuntimeError, match=r"linalg.pinv\(Long\[3, 3\]\): expected a tensor with 2 or more dimensions of float, double, cfloat or cdouble types"):
        rgrad.linalg.pinv(rgrad.ones(3, 3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions."):
        rgrad.linalg.matrix_rank(T(np.ones(3)))


# ---------- matrix functions ----------

def expm_oracle(a):
    """exp(A) through NumPy's (complex) eigendecomposition: exact up to cond(V) eps."""
    w, v = np.linalg.eig(a)
    return (v * np.exp(w)[..., None, :] @ np.linalg.inv(v)).real


@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("scale", [1e-3, 0.1, 1.0, 5.0, 30.0])
@pytest.mark.parametrize("n", [1, 3, 8, 20])
def test_matrix_exp(dt, npdt, scale, n):
    rng = np.random.default_rng(26)
    # symmetric: exp is V diag(e^w) V^T exactly (NumPy's eigh as the oracle)
    s = sym(rng, (2, n, n), spread=(-scale, scale))
    w, v = np.linalg.eigh(s)
    want = (v * np.exp(w)[..., None, :]) @ np.swapaxes(v, -1, -2)
    got = rgrad.linalg.matrix_exp(T(s.astype(npdt)))
    assert got.dtype == dt
    # relative to ||exp(A)||: the scaling-and-squaring error bound (Higham 2005), times cond(exp)
    assert norm_err(to_np(got), want) <= 100 * n * EPS[npdt] * max(1.0, scale)
    # a general matrix
    g = rng.standard_normal((n, n)) * scale / max(1, n)
    assert norm_err(to_np(rgrad.linalg.matrix_exp(T(g.astype(npdt)))), expm_oracle(g)) <= 100 * n * EPS[npdt] * max(1.0, scale) * 10


def test_matrix_exp_exact_cases():
    # nilpotent: exp(N) = I + N + N^2/2 exactly
    nmat = np.triu(np.ones((3, 3)), 1)
    np.testing.assert_allclose(to_np(rgrad.matrix_exp(T(nmat))), np.eye(3) + nmat + nmat @ nmat / 2, rtol=1e-15, atol=1e-15)
    # rotation generator
    t = 2.0
    np.testing.assert_allclose(to_np(T(np.array([[0.0, -t], [t, 0.0]])).matrix_exp()), [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]], atol=1e-14)
    assert rgrad.linalg.matrix_exp(T(np.zeros((0, 0)))).shape == (0, 0)
    np.testing.assert_allclose(to_np(rgrad.linalg.matrix_exp(T(np.zeros((2, 3, 3))))), np.broadcast_to(np.eye(3), (2, 3, 3)))
    with pytest.raises(NotImplementedError, match="linalg.matrix_exp: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.matrix_exp(rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="linalg.matrix_exp: A must be batches of square matrices, but they are 2 by 3 matrices"):
        rgrad.linalg.matrix_exp(rgrad.ones(2, 3))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 12, -1, -2, -5])
def test_matrix_power(n):
    rng = np.random.default_rng(27)
    a = conditioned(rng, (2, 4, 4), cond=2.0) / 1.5
    np.testing.assert_allclose(to_np(rgrad.linalg.matrix_power(T(a), n)), np.linalg.matrix_power(a, n), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(to_np(T(a).matrix_power(n)), np.linalg.matrix_power(a, n), rtol=1e-12, atol=1e-12)
    if n >= 0:
        i = rng.integers(-2, 3, (3, 3))
        got = rgrad.matrix_power(T(i), n)
        assert got.dtype == rgrad.int64
        np.testing.assert_array_equal(to_np(got), np.linalg.matrix_power(i, n))


def test_matrix_power_errors():
    with pytest.raises(NotImplementedError, match="linalg.inv: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.matrix_power(rgrad.ones(2, 2, dtype=rgrad.int64), -1)
    with pytest.raises(RuntimeError, match="linalg.matrix_power: A must be batches of square matrices, but they are 2 by 3 matrices"):
        rgrad.linalg.matrix_power(rgrad.ones(2, 3), 2)
    with pytest.raises(rgrad.linalg.LinAlgError, match="linalg.inv: The diagonal element 2 is zero"):
        rgrad.linalg.matrix_power(T(np.array([[1.0, 2.0], [2.0, 4.0]])), -1)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf])
def test_cond(p):
    rng = np.random.default_rng(28)
    a = conditioned(rng, (3, 4, 4), cond=50.0)
    got = to_np(rgrad.linalg.cond(T(a), p))
    np.testing.assert_allclose(got, np.linalg.cond(a, p), rtol=1e-10)
    if p in (None, 2, -2):
        r = conditioned(rng, (3, 5), cond=5.0)
        np.testing.assert_allclose(to_np(rgrad.linalg.cond(T(r), p)), np.linalg.cond(r, p), rtol=1e-10)


def test_cond_special_and_errors():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert to_np(rgrad.linalg.cond(T(s), "fro")) == np.inf
    assert to_np(rgrad.linalg.cond(T(np.stack([np.eye(2), s])), 1)).tolist() == [1.0, np.inf]
    assert rgrad.linalg.cond(T(np.zeros((0, 0)))).shape == ()
    with pytest.raises(ValueError, match="linalg.cond got an invalid norm type: 3"):
        rgrad.linalg.cond(T(np.eye(2)), 3)
    with pytest.raises(RuntimeError, match=r"linalg.cond\(ord=fro\): A must be batches of square matrices, but they are 2 by 3 matrices"):
        rgrad.linalg.cond(T(np.ones((2, 3))), "fro")
    with pytest.raises(RuntimeError, match="linalg.cond: The input tensor must have at least 2 dimensions."):
        rgrad.linalg.cond(T(np.ones(3)))


def test_vecdot_vander_diagonal():
    rng = np.random.default_rng(29)
    x, y = rng.standard_normal((2, 3)), rng.standard_normal((4, 1, 3))
    np.testing.assert_allclose(to_np(rgrad.linalg.vecdot(T(x), T(y))), (x * y).sum(-1), rtol=1e-14)
    np.testing.assert_allclose(to_np(rgrad.linalg.vecdot(T(x), T(y[0, 0]), dim=0)), (x * y[0, 0]).sum(0), rtol=1e-14)
    with pytest.raises(NotImplementedError, match="linalg.vecdot: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.vecdot(rgrad.ones(3, dtype=rgrad.int64), rgrad.ones(3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="linalg.vecdot: Expected x and y to have the same dtype, but found x of type Float and y of type Double instead"):
        rgrad.linalg.vecdot(rgrad.ones(3), T(np.ones(3)))
    v = np.array([1.0, 2.0, -3.0])
    np.testing.assert_allclose(to_np(rgrad.linalg.vander(T(v))), np.vander(v, increasing=True))
    np.testing.assert_allclose(to_np(rgrad.linalg.vander(T(v), N=5)), np.vander(v, 5, increasing=True))
    iv = rgrad.linalg.vander(rgrad.tensor([1, 2, 3], dtype=rgrad.int32))
    assert iv.dtype == rgrad.int64 and to_np(iv).tolist() == [[1, 1, 1], [1, 2, 4], [1, 3, 9]]
    assert rgrad.linalg.vander(T(rng.standard_normal((2, 3))), N=4).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match="N must be greater than 1."):
        rgrad.linalg.vander(T(v), N=1)
    with pytest.raises(NotImplementedError, match="linalg.vander supports floating point, complex, and integer tensors, but got Bool"):
        rgrad.linalg.vander(rgrad.tensor([True, False]))
    a = rng.standard_normal((2, 3, 4))
    np.testing.assert_array_equal(to_np(rgrad.linalg.diagonal(T(a))), np.diagonal(a, axis1=-2, axis2=-1))
    np.testing.assert_array_equal(to_np(rgrad.linalg.diagonal(T(a), offset=1, dim1=0, dim2=2)), np.diagonal(a, offset=1, axis1=0, axis2=2))
