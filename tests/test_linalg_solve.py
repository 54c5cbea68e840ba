"""LU-based linalg against NumPy: solve(_ex), inv(_ex), det, slogdet, logdet, lu_factor(_ex),
lu, lu_unpack, lu_solve, solve_triangular, cholesky(_ex), cholesky_solve, cholesky_inverse,
the top-level / Tensor-method aliases, and their errors.

Tolerances: every result is compared norm-wise, per matrix, with
``tol = 30 * n * eps * cond``. A backward-stable solver (LAPACK's, NumPy's, faer's, the small
kernels here) returns X with ||X - X_true|| / ||X_true|| <= c n eps cond(A) for a modest c, so
two such results differ by at most twice that, whatever BLAS or CPU computed them; the inputs
are built with a known condition number (singular values spread over [1, cond])."""

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


def spd(rng, shape, cond=10.0, dtype=np.float64):
    """Random symmetric positive-definite (*, n, n) matrices, eigenvalues in [1, cond]."""
    *batch, n, _ = shape
    q, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    w = np.linspace(1.0, cond, n) if n > 1 else np.ones(n)
    return ((q * w) @ np.swapaxes(q, -1, -2)).astype(dtype)


def close(got, want, dtype, n, cond=10.0, scale=30.0):
    """Norm-wise agreement per matrix (see the module docstring for why this bound holds)."""
    got = to_np(got).astype(np.float64) if isinstance(got, rgrad.Tensor) else np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    tol = scale * max(n, 1) * EPS[dtype] * cond
    if got.size == 0:
        return
    g = got.reshape(-1, *got.shape[-2:]) if got.ndim >= 2 else got.reshape(1, 1, -1)
    w = want.reshape(g.shape)
    err = np.linalg.norm(g - w, axis=(-2, -1))
    ref = np.maximum(np.linalg.norm(w, axis=(-2, -1)), 1.0)
    assert (err <= tol * ref).all(), f"max relative error {(err / ref).max():.3g} > {tol:.3g}"


# ---------- solve ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape,bcols", [((1, 1), 1), ((3, 3), 2), ((5, 5), 5), ((2, 4, 4), 3), ((2, 3, 6, 6), 1), ((40, 40), 7), ((80, 80), 3)])
def test_solve_values(dt, npdt, shape, bcols):
    rng = np.random.default_rng(1)
    a = conditioned(rng, shape, dtype=npdt)
    n = shape[-1]
    b = rng.standard_normal((*shape[:-1], bcols)).astype(npdt)
    x = rgrad.linalg.solve(T(a), T(b))
    assert x.dtype == dt and x.shape == b.shape
    close(x, np.linalg.solve(a.astype(np.float64), b.astype(np.float64)), npdt, n)
    # X A = B
    bl = rng.standard_normal((*shape[:-2], bcols, n)).astype(npdt)
    xl = rgrad.linalg.solve(T(a), T(bl), left=False)
    close(xl, np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2).astype(np.float64), np.swapaxes(bl, -1, -2).astype(np.float64)), -1, -2), npdt, n)


@pytest.mark.parametrize("dt,npdt", FLOATS)
def test_solve_vector_rhs_and_broadcasting(dt, npdt):
    rng = np.random.default_rng(2)
    a = conditioned(rng, (4, 4), dtype=npdt)
    b = rng.standard_normal(4).astype(npdt)
    x = rgrad.linalg.solve(T(a), T(b))
    assert x.shape == (4,)
    close(x, np.linalg.solve(a.astype(np.float64), b.astype(np.float64)), npdt, 4)
    # batched vector: B has A's shape without the last dim
    ab = conditioned(rng, (3, 4, 4), dtype=npdt)
    bb = rng.standard_normal((3, 4)).astype(npdt)
    xb = rgrad.linalg.solve(T(ab), T(bb))
    assert xb.shape == (3, 4)
    close(xb, np.linalg.solve(ab.astype(np.float64), bb[..., None].astype(np.float64))[..., 0], npdt, 4)
    # batch dims broadcast: (2, 1, 4, 4) with (3, 4, 2)
    a2 = conditioned(rng, (2, 1, 4, 4), dtype=npdt)
    b2 = rng.standard_normal((3, 4, 2)).astype(npdt)
    x2 = rgrad.linalg.solve(T(a2), T(b2))
    assert x2.shape == (2, 3, 4, 2)
    close(x2, np.linalg.solve(a2.astype(np.float64), b2.astype(np.float64)), npdt, 4)


def test_solve_noncontiguous_inputs():
    rng = np.random.default_rng(3)
    a = conditioned(rng, (2, 6, 6))
    b = rng.standard_normal((2, 6, 3))
    at = T(np.swapaxes(a, -1, -2).copy()).mT  # a transposed view
    bs = T(np.concatenate([b, b], axis=-1))[..., ::2]  # a strided view
    assert not at.is_contiguous() and not bs.is_contiguous()
    close(rgrad.linalg.solve(at, bs), np.linalg.solve(a, np.concatenate([b, b], -1)[..., ::2]), np.float64, 6)
    close(rgrad.linalg.inv(at), np.linalg.inv(a), np.float64, 6)
    close(rgrad.linalg.det(at)[..., None, None], np.linalg.det(a)[..., None, None], np.float64, 6)
    # a broadcast (stride 0) batch
    e = T(a[0]).expand(3, 6, 6)
    close(rgrad.linalg.inv(e), np.broadcast_to(np.linalg.inv(a[0]), (3, 6, 6)), np.float64, 6)


def test_solve_singular():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"^torch.linalg.solve: The solver failed because the input matrix is singular.$"):
        rgrad.linalg.solve(T(s), T(np.ones(2)))
    batch = np.stack([np.eye(2), s])
    with pytest.raises(RuntimeError, match=r"torch.linalg.solve: \(Batch element 1\): The solver failed"):
        rgrad.linalg.solve(T(batch), T(np.ones((2, 2))))
    x, info = rgrad.linalg.solve_ex(T(batch), T(np.ones((2, 2))))
    assert info.dtype == rgrad.int32 and to_np(info).tolist() == [0, 2]
    assert np.isfinite(to_np(x)[0]).all() and not np.isfinite(to_np(x)[1]).all()
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"torch.linalg.solve_ex: \(Batch element 1\)"):
        rgrad.linalg.solve_ex(T(batch), T(np.ones((2, 2))), check_errors=True)
    assert issubclass(rgrad.linalg.LinAlgError, RuntimeError)


def test_solve_errors():
    f = T(np.eye(3))
    with pytest.raises(NotImplementedError, match="linalg.solve: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.solve(rgrad.ones(3, 3, dtype=rgrad.int64), rgrad.ones(3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="linalg.solve: The input tensor A must have at least 2 dimensions."):
        rgrad.linalg.solve(rgrad.ones(3), rgrad.ones(3))
    with pytest.raises(RuntimeError, match="linalg.solve: A must be batches of square matrices, but they are 2 by 3 matrices"):
        rgrad.linalg.solve(rgrad.ones(2, 3), rgrad.ones(2))
    with pytest.raises(RuntimeError, match=r"linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x1\)"):
        rgrad.linalg.solve(f, rgrad.ones(4, dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match=r"XA = B \(3x3 and 2x2\)"):
        rgrad.linalg.solve(f, rgrad.ones(2, 2, dtype=rgrad.float64), left=False)
    with pytest.raises(RuntimeError, match="linalg.solve: Expected A and B to have the same dtype, but found A of type Double and B of type Float instead"):
        rgrad.linalg.solve(f, rgrad.ones(3))
    with pytest.raises(RuntimeError, match="Vector broadcasting of the left hand side is not supported for left=False"):
        rgrad.linalg.solve(T(np.ones((1, 1))), T(np.ones(1)), left=False)
    with pytest.raises(RuntimeError, match="must match"):
        rgrad.linalg.solve(T(np.ones((2, 3, 3))), T(np.ones((4, 3, 1))))
    with pytest.raises(TypeError, match="must be Tensor"):
        rgrad.linalg.solve(np.eye(2), f)


# ---------- inv, det, slogdet, logdet ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (4, 4), (3, 5, 5), (2, 2, 3, 3), (17, 17), (64, 64)])
def test_inv_det_slogdet_values(dt, npdt, shape):
    rng = np.random.default_rng(4)
    a = conditioned(rng, shape, dtype=npdt)
    n = shape[-1]
    a64 = a.astype(np.float64)
    inv = rgrad.linalg.inv(T(a))
    assert inv.dtype == dt
    close(inv, np.linalg.inv(a64), npdt, n)
    inv2, info = rgrad.linalg.inv_ex(T(a))
    close(inv2, np.linalg.inv(a64), npdt, n)
    assert (to_np(info) == 0).all() and info.shape == shape[:-2]
    # |det| is the product of the singular values: relative error ~ n eps (cond does not enter);
    # scaled so the product is about 1 (64 values in [1, 10] overflow float32)
    a = (a / np.exp(np.log(np.linspace(1.0, 10.0, n)).mean())).astype(npdt)
    a64 = a.astype(np.float64)
    det = to_np(rgrad.linalg.det(T(a)))
    want = np.linalg.det(a64)
    np.testing.assert_allclose(det, want, rtol=30 * n * EPS[npdt])
    sign, logabs = rgrad.linalg.slogdet(T(a))
    wsign, wlog = np.linalg.slogdet(a64)
    np.testing.assert_array_equal(to_np(sign), wsign)
    np.testing.assert_allclose(to_np(logabs), wlog, rtol=0, atol=30 * n * EPS[npdt])
    np.testing.assert_allclose(to_np(rgrad.logdet(T(a))), np.where(wsign < 0, np.nan, wlog), rtol=0, atol=30 * n * EPS[npdt])


def test_det_special_matrices():
    # signs from the permutation: a permutation matrix's det is its parity
    p = np.eye(4)[[1, 0, 3, 2]]
    assert to_np(rgrad.linalg.det(T(p))) == 1.0
    assert to_np(rgrad.linalg.det(T(np.eye(3)[[1, 2, 0]]))) == 1.0
    assert to_np(rgrad.linalg.det(T(np.eye(3)[[1, 0, 2]]))) == -1.0
    # singular: exactly 0, sign 0, logabsdet -inf, logdet -inf; negative det: logdet NaN
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert to_np(rgrad.linalg.det(T(s))) == 0.0
    sign, logabs = rgrad.linalg.slogdet(T(s))
    assert to_np(sign) == 0.0 and to_np(logabs) == -np.inf
    assert to_np(rgrad.logdet(T(s))) == -np.inf
    assert np.isnan(to_np(rgrad.logdet(T(np.diag([-1.0, 1.0])))))
    assert to_np(rgrad.linalg.det(T(np.zeros((3, 3))))) == 0.0
    # empty matrices: det 1, slogdet (1, 0), inverse empty
    assert to_np(rgrad.linalg.det(T(np.zeros((0, 0))))) == 1.0
    sign, logabs = rgrad.linalg.slogdet(T(np.zeros((2, 0, 0))))
    assert to_np(sign).tolist() == [1.0, 1.0] and to_np(logabs).tolist() == [0.0, 0.0]
    assert rgrad.linalg.inv(T(np.zeros((0, 0)))).shape == (0, 0)
    assert rgrad.linalg.det(T(np.zeros((0, 3, 3)))).shape == (0,)


def test_inv_singular_names_the_pivot():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"^linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the input matrix is singular.$"):
        rgrad.linalg.inv(T(s))
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"linalg.inv: \(Batch element 1\): The diagonal element 1 is zero"):
        rgrad.linalg.inv(T(np.stack([np.eye(3), np.zeros((3, 3))])))
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"^linalg.inv_ex: The diagonal element 2"):
        rgrad.linalg.inv_ex(T(s), check_errors=True)
    inv, info = rgrad.linalg.inv_ex(T(np.stack([np.eye(2), s])))
    assert to_np(info).tolist() == [0, 2]
    np.testing.assert_array_equal(to_np(inv)[0], np.eye(2))
    # a singular matrix of a size that takes the faer path reports LAPACK's first zero pivot
    big = np.eye(40)
    big[:, 7] = 0.0
    _, info = rgrad.linalg.inv_ex(T(big))
    assert to_np(info) == 8


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "inv_ex"])
def test_square_errors(name):
    fn = getattr(rgrad.linalg, name)
    api = "linalg.inv" if name == "inv_ex" else f"linalg.{name}"
    with pytest.raises(NotImplementedError, match=f"{api}: Expected a floating point or complex tensor as input. Got Long"):
        fn(rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match=f"{api}: The input tensor A must have at least 2 dimensions."):
        fn(rgrad.ones(3))
    with pytest.raises(RuntimeError, match=f"{api}: A must be batches of square matrices, but they are 2 by 3 matrices"):
        fn(rgrad.ones(2, 3))
    with pytest.raises(NotImplementedError, match="logdet: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.logdet(rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="logdet: A must be batches of square matrices"):
        rgrad.logdet(rgrad.ones(2, 3))


# ---------- LU family ----------

def reference_lu(a):
    """Textbook partial pivoting in NumPy (LAPACK's choice: the first entry of largest magnitude)."""
    a = a.astype(np.float64).copy()
    m, n = a.shape
    piv = []
    for j in range(min(m, n)):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        piv.append(p + 1)
        a[[j, p]] = a[[p, j]]
        if a[j, j] != 0:
            a[j + 1:, j] /= a[j, j]
            a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    return a, np.array(piv)


@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 4), (20, 20), (33, 20), (20, 33), (70, 70)])
def test_lu_factor_and_lu(dt, npdt, shape):
    rng = np.random.default_rng(5)
    a = conditioned(rng, shape, dtype=npdt)
    m, n = shape[-2:]
    k = min(m, n)
    lu, piv = rgrad.linalg.lu_factor(T(a))
    assert lu.shape == shape and piv.shape == (*shape[:-2], k) and piv.dtype == rgrad.int32
    for idx in np.ndindex(*shape[:-2]):
        ref_lu, ref_piv = reference_lu(a[idx])
        np.testing.assert_array_equal(to_np(piv)[idx], ref_piv)  # generic random data has no pivot ties
        close(to_np(lu)[idx], ref_lu, npdt, max(m, n), cond=100.0)
    p, l, u = rgrad.linalg.lu(T(a))
    assert p.shape == (*shape[:-2], m, m) and l.shape == (*shape[:-2], m, k) and u.shape == (*shape[:-2], k, n)
    pn, ln, un = (to_np(x).astype(np.float64) for x in (p, l, u))
    close(pn @ ln @ un, a, npdt, max(m, n))
    np.testing.assert_array_equal(np.triu(ln, 1), 0)
    np.testing.assert_array_equal(np.diagonal(ln, axis1=-2, axis2=-1), 1)
    np.testing.assert_array_equal(np.tril(un, -1), 0)
    # lu_unpack gives the same factors
    p2, l2, u2 = rgrad.lu_unpack(lu, piv)
    np.testing.assert_array_equal(to_np(p2), pn)
    np.testing.assert_array_equal(to_np(l2), ln)
    np.testing.assert_array_equal(to_np(u2), un)
    _, _, info = rgrad.linalg.lu_factor_ex(T(a))
    assert (to_np(info) == 0).all()


def test_lu_singular_follows_lapack():
    z = np.zeros((3, 3))
    lu, piv, info = rgrad.linalg.lu_factor_ex(T(z))
    assert to_np(info) == 1 and to_np(piv).tolist() == [1, 2, 3] and (to_np(lu) == 0).all()
    p, l, u = rgrad.linalg.lu(T(z))
    np.testing.assert_array_equal(to_np(p), np.eye(3))
    np.testing.assert_array_equal(to_np(l), np.eye(3))
    with pytest.raises(RuntimeError, match=r"^torch.linalg.lu_factor: U\[2,2\] is zero and using it on lu_solve would result in a division by zero"):
        rgrad.linalg.lu_factor(T(np.array([[1.0, 2.0], [2.0, 4.0]])))
    with pytest.raises(RuntimeError, match=r"torch.linalg.lu_factor_ex: \(Batch element 1\): U\[1,1\] is zero"):
        rgrad.linalg.lu_factor_ex(T(np.stack([np.eye(2), np.zeros((2, 2))])), check_errors=True)
    # a large singular matrix: finite factors (LAPACK skips the zero pivot, unlike a plain division)
    big = conditioned(np.random.default_rng(6), (50, 50))
    big[:, 10] = big[:, 3]
    big[:, 3] = 0.0
    lu, piv, info = rgrad.linalg.lu_factor_ex(T(big))
    assert to_np(info) == 4 and np.isfinite(to_np(lu)).all()
    ref, ref_piv = reference_lu(big)
    np.testing.assert_array_equal(to_np(piv), ref_piv)


@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("n", [1, 3, 8, 30])
def test_lu_solve(dt, npdt, n):
    rng = np.random.default_rng(7)
    a = conditioned(rng, (2, n, n), dtype=npdt)
    a64 = a.astype(np.float64)
    lu, piv = rgrad.linalg.lu_factor(T(a))
    b = rng.standard_normal((2, n, 3)).astype(npdt)
    bt = rng.standard_normal((2, 3, n)).astype(npdt)
    at = np.swapaxes(a64, -1, -2)
    close(rgrad.linalg.lu_solve(lu, piv, T(b)), np.linalg.solve(a64, b), npdt, n)
    close(rgrad.linalg.lu_solve(lu, piv, T(b), adjoint=True), np.linalg.solve(at, b), npdt, n)
    close(rgrad.linalg.lu_solve(lu, piv, T(bt), left=False), np.swapaxes(np.linalg.solve(at, np.swapaxes(bt, -1, -2)), -1, -2), npdt, n)
    close(rgrad.linalg.lu_solve(lu, piv, T(bt), left=False, adjoint=True), np.swapaxes(np.linalg.solve(a64, np.swapaxes(bt, -1, -2)), -1, -2), npdt, n)
    # broadcast B over the factorization's batch; legacy forms
    close(rgrad.linalg.lu_solve(lu, piv, T(b[0])), np.linalg.solve(a64, b[0]), npdt, n)
    close(rgrad.lu_solve(T(b), lu, piv), np.linalg.solve(a64, b), npdt, n)
    close(T(b).lu_solve(lu, piv), np.linalg.solve(a64, b), npdt, n)


def test_lu_errors():
    f = T(np.eye(3))
    lu, piv = rgrad.linalg.lu_factor(f)
    with pytest.raises(RuntimeError, match="linalg.lu_factor: LU without pivoting is not implemented on the CPU"):
        rgrad.linalg.lu_factor(f, pivot=False)
    with pytest.raises(NotImplementedError, match="\"lu_cpu\" not implemented for 'Long'"):
        rgrad.linalg.lu_factor(rgrad.ones(3, 3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match=r"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: \[3\] instead"):
        rgrad.linalg.lu_factor(rgrad.ones(3))
    with pytest.raises(RuntimeError, match="linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32"):
        rgrad.linalg.lu_solve(lu, piv.long(), f)
    with pytest.raises(RuntimeError, match="linalg.lu_solve: Number of pivots per batch should be same as the dimension of the matrix"):
        rgrad.linalg.lu_solve(lu, piv[:2], f)
    with pytest.raises(RuntimeError, match=r"linalg.lu_solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 2x1\)"):
        rgrad.linalg.lu_solve(lu, piv, T(np.ones((2, 1))))
    with pytest.raises(RuntimeError, match="linalg.lu_solve: Expected LU and B to have the same dtype"):
        rgrad.linalg.lu_solve(lu, piv, rgrad.ones(3, 1))
    with pytest.raises(RuntimeError, match="not valid row interchanges"):
        rgrad.linalg.lu_solve(lu, rgrad.tensor([5, 1, 1], dtype=rgrad.int32), T(np.ones((3, 1))))
    with pytest.raises(RuntimeError, match="pivots passed to lu_unpack must be between 1 and LU.size"):
        rgrad.lu_unpack(lu, rgrad.tensor([5, 1, 1], dtype=rgrad.int32))
    with pytest.raises(RuntimeError, match="LU_pivots is expected to be a contiguous tensor of torch.int32 dtype"):
        rgrad.lu_unpack(lu, piv.long())
    p, l, u = rgrad.lu_unpack(lu, piv, unpack_data=False)
    assert l.shape == (0,) and u.shape == (0,) and p.shape == (3, 3)
    p, l, u = rgrad.lu_unpack(lu, piv, unpack_pivots=False)
    assert p.shape == (0,) and l.shape == (3, 3)
    lu2, piv2, info = rgrad.lu(f, get_infos=True)
    assert info.shape == () and f.lu()[0].shape == (3, 3)


# ---------- triangular ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("n", [1, 4, 16, 40])
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(dt, npdt, n, upper, left, unit):
    rng = np.random.default_rng(8)
    # a well-conditioned triangle (diagonal away from 0, small off-diagonal) plus junk in the other triangle
    t = np.tril(rng.uniform(-1, 1, (2, n, n)) / n, -1) + np.diag(rng.uniform(1, 2, n))
    t = np.swapaxes(t, -1, -2) if upper else t
    junk = rng.standard_normal((2, n, n)) * 100
    keep = np.triu(np.ones((n, n), bool)) if upper else np.tril(np.ones((n, n), bool))
    a = np.where(keep, t, junk).astype(npdt)
    tri = np.where(keep, t, 0.0)
    if unit:
        np.einsum("...ii->...i", tri)[...] = 1.0
    b = rng.standard_normal((2, n, 3) if left else (2, 3, n)).astype(npdt)
    x = rgrad.linalg.solve_triangular(T(a), T(b), upper=upper, left=left, unitriangular=unit)
    want = np.linalg.solve(tri, b) if left else np.swapaxes(np.linalg.solve(np.swapaxes(tri, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    assert x.dtype == dt
    close(x, want, npdt, n, cond=4.0)


def test_triangular_errors_and_legacy():
    f = T(np.triu(np.ones((3, 3))) + np.eye(3))
    with pytest.raises(TypeError):
        rgrad.linalg.solve_triangular(f, f)
    with pytest.raises(NotImplementedError, match="\"triangular_solve_cpu\" not implemented for 'Long'"):
        rgrad.linalg.solve_triangular(rgrad.ones(3, 3, dtype=rgrad.int64), rgrad.ones(3, 1, dtype=rgrad.int64), upper=True)
    with pytest.raises(RuntimeError, match=r"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x2\)"):
        rgrad.linalg.solve_triangular(f, T(np.ones((4, 2))), upper=True)
    with pytest.raises(RuntimeError, match="linalg.solve_triangular: The input tensor B must have at least 2 dimensions."):
        rgrad.linalg.solve_triangular(f, T(np.ones(3)), upper=True)
    # a zero on the diagonal gives inf / NaN, no error (as PyTorch)
    x = rgrad.linalg.solve_triangular(T(np.zeros((2, 2))), T(np.ones((2, 1))), upper=True)
    assert not np.isfinite(to_np(x)).all()
    # legacy triangular_solve(b, A, upper, transpose, unitriangular) -> (solution, cloned_coefficient)
    rng = np.random.default_rng(9)
    a = np.triu(rng.uniform(-1, 1, (4, 4))) + 3 * np.eye(4)
    b = rng.standard_normal((4, 2))
    sol, coef = rgrad.triangular_solve(T(b), T(a))
    close(sol, np.linalg.solve(a, b), np.float64, 4)
    np.testing.assert_array_equal(to_np(coef), a)
    sol, _ = T(b).triangular_solve(T(a), upper=True, transpose=True)
    close(sol, np.linalg.solve(a.T, b), np.float64, 4)
    sol, _ = rgrad.triangular_solve(T(b), T(a.T), upper=False)
    close(sol, np.linalg.solve(a.T, b), np.float64, 4)


# ---------- Cholesky family ----------

@pytest.mark.parametrize("dt,npdt", FLOATS)
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 5, 5), (16, 16), (17, 17), (2, 3, 40, 40), (100, 100)])
def test_cholesky_values(dt, npdt, shape):
    rng = np.random.default_rng(10)
    a = spd(rng, shape, dtype=npdt)
    n = shape[-1]
    # junk in the triangle that is not read
    junk = np.triu(rng.standard_normal(shape), 1).astype(npdt)
    want = np.linalg.cholesky(a.astype(np.float64))
    low = rgrad.linalg.cholesky(T(a + junk))
    assert low.dtype == dt and low.shape == shape
    close(low, want, npdt, n)
    up = rgrad.linalg.cholesky(T(a + np.swapaxes(junk, -1, -2)), upper=True)
    close(up, np.swapaxes(want, -1, -2), npdt, n)
    l2, info = rgrad.linalg.cholesky_ex(T(a))
    assert (to_np(info) == 0).all() and info.dtype == rgrad.int32
    assert rgrad.cholesky(T(a)).shape == shape and T(a).cholesky(upper=True).shape == shape
    # cholesky_solve / cholesky_inverse from the factor
    b = rng.standard_normal((*shape[:-1], 2)).astype(npdt)
    close(rgrad.cholesky_solve(T(b), low), np.linalg.solve(a.astype(np.float64), b), npdt, n)
    close(T(b).cholesky_solve(up, upper=True), np.linalg.solve(a.astype(np.float64), b), npdt, n)
    close(rgrad.cholesky_inverse(low), np.linalg.inv(a.astype(np.float64)), npdt, n)
    close(up.cholesky_inverse(upper=True), np.linalg.inv(a.astype(np.float64)), npdt, n)


def test_cholesky_not_positive_definite():
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"^linalg.cholesky: The factorization could not be completed because the input is not positive-definite \(the leading minor of order 2 is not positive-definite\).$"):
        rgrad.linalg.cholesky(T(bad))
    batch = np.stack([np.eye(2), bad])
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"linalg.cholesky: \(Batch element 1\): .*leading minor of order 2"):
        rgrad.linalg.cholesky(T(batch))
    l, info = rgrad.linalg.cholesky_ex(T(batch))
    assert to_np(info).tolist() == [0, 2]
    # LAPACK's partial factor: the failing pivot stays, the upper triangle is zero
    np.testing.assert_array_equal(to_np(l)[1], [[1.0, 0.0], [2.0, -3.0]])
    with pytest.raises(rgrad.linalg.LinAlgError, match=r"^linalg.cholesky_ex: .*order 1 is"):
        rgrad.linalg.cholesky_ex(T(-np.eye(2)), check_errors=True)
    # faer-sized input: the first failing minor is named
    big = spd(np.random.default_rng(11), (40, 40))
    big[25, 25] = -100.0
    _, info = rgrad.linalg.cholesky_ex(T(big))
    assert to_np(info) == 26


def test_cholesky_errors():
    with pytest.raises(NotImplementedError, match="linalg.cholesky: Expected a floating point or complex tensor as input. Got Long"):
        rgrad.linalg.cholesky(rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices"):
        rgrad.linalg.cholesky(rgrad.ones(2, 3))
    f = T(np.eye(3))
    with pytest.raises(RuntimeError, match="Expected b and A to have the same dtype, but found b of type Float and A of type Double instead."):
        rgrad.cholesky_solve(rgrad.ones(3, 1), f)
    with pytest.raises(RuntimeError, match="b should have at least 2 dimensions, but has 1 dimensions instead"):
        rgrad.cholesky_solve(T(np.ones(3)), f)
    with pytest.raises(RuntimeError, match="Incompatible matrix sizes for cholesky_solve: each A matrix is 3 by 3 but each b matrix is 2 by 1"):
        rgrad.cholesky_solve(T(np.ones((2, 1))), f)
    with pytest.raises(NotImplementedError, match="\"cholesky_solve_cpu\" not implemented for 'Long'"):
        rgrad.cholesky_solve(rgrad.ones(3, 1, dtype=rgrad.int64), rgrad.ones(3, 3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="cholesky_inverse: The input tensor A must have at least 2 dimensions."):
        rgrad.cholesky_inverse(T(np.ones(3)))
    with pytest.raises(NotImplementedError, match="\"cholesky_inverse_out_cpu\" not implemented for 'Long'"):
        rgrad.cholesky_inverse(rgrad.ones(3, 3, dtype=rgrad.int64))


def test_aliases_and_methods():
    rng = np.random.default_rng(12)
    a = conditioned(rng, (3, 3))
    t = T(a)
    np.testing.assert_allclose(to_np(t.det()), np.linalg.det(a), rtol=1e-12)
    np.testing.assert_allclose(to_np(rgrad.det(t)), np.linalg.det(a), rtol=1e-12)
    close(t.inverse(), np.linalg.inv(a), np.float64, 3)
    close(rgrad.inverse(t), np.linalg.inv(a), np.float64, 3)
    sign, logabs = rgrad.slogdet(t)
    assert type(rgrad.slogdet(t)).__name__ == "slogdet" and type(rgrad.linalg.slogdet(t)).__name__ == "linalg_slogdet"
    np.testing.assert_allclose(to_np(logabs), np.linalg.slogdet(a)[1], atol=1e-13)
    assert to_np(t.slogdet().sign) == np.linalg.slogdet(a)[0]
    np.testing.assert_allclose(to_np(t.logdet()), np.log(np.linalg.det(a)) if np.linalg.det(a) > 0 else np.nan, atol=1e-13)
    x, info = rgrad.linalg.solve_ex(t, T(np.ones(3)))
    assert type(rgrad.linalg.solve_ex(t, T(np.ones(3)))).__name__ == "linalg_solve_ex"
    assert rgrad.linalg.inv_ex(t).inverse.shape == (3, 3)
    assert rgrad.linalg.cholesky_ex(T(spd(rng, (3, 3)))).L.shape == (3, 3)
    assert rgrad.linalg.lu_factor(t).LU.shape == (3, 3)
    assert rgrad.linalg.lu(t).P.shape == (3, 3)
