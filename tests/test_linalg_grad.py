"""Gradients of rgrad.linalg: first order (``gradcheck``: central differences in float64) and
second order (``gradgradcheck``: the first derivative, built with create_graph=True, checked
the same way) for every differentiable function, plus PyTorch's documented behaviour at special
points (det at singular matrices, eigh / svd at repeated values).

Inputs are well conditioned (singular values / eigenvalues in [1, 3], separated) so the
finite-difference error (~ eps_fd^2 * third derivative + rounding / eps_fd) stays far below
gradcheck's tolerance (atol 1e-5, rtol 1e-3) whatever BLAS computed anything.
Functions of symmetric matrices are checked through ``x + x^T`` and functions of triangular
factors through ``tril`` / ``triu``, as PyTorch's own tests do: their formulas are gradients with
respect to a symmetric (triangular) argument."""

import numpy as np
import pytest

import rgrad
from conftest import to_np

gradcheck = rgrad.autograd.gradcheck
gradgradcheck = rgrad.autograd.gradgradcheck
L = rgrad.linalg


def leaf(a):
    return rgrad.from_numpy(np.asarray(a, dtype=np.float64).copy()).requires_grad_()


def check(fn, *arrays, second=True):
    """gradcheck and (unless told not to) gradgradcheck of fn at float64 copies of arrays."""
    ins = tuple(leaf(a) for a in arrays)
    assert gradcheck(fn, ins)
    if second:
        assert gradgradcheck(fn, ins)


def conditioned(rng, shape, lo=1.0, hi=3.0):
    *batch, m, n = shape
    k = min(m, n)
    q1, _ = np.linalg.qr(rng.standard_normal((*batch, m, m)))
    q2, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    s = np.linspace(lo, hi, k) if k > 1 else np.full(k, lo)
    return (q1[..., :, :k] * s) @ q2[..., :k, :]


def sym_half(rng, shape, lo=1.0, hi=3.0):
    """X with X + X^T symmetric positive definite, eigenvalues in [lo, hi], separated."""
    *batch, n, _ = shape
    q, _ = np.linalg.qr(rng.standard_normal((*batch, n, n)))
    w = np.linspace(lo, hi, n) if n > 1 else np.full(n, lo)
    return 0.5 * ((q * w) @ np.swapaxes(q, -1, -2))


def symm(x):
    return x + x.mT


# ---------- solvers ----------

@pytest.mark.parametrize("shape,bshape", [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1)), ((3, 3), (3,)), ((2, 3, 3), (2, 3)), ((2, 1, 3, 3), (4, 3, 2))])
def test_solve(shape, bshape):
    rng = np.random.default_rng(40)
    a, b = conditioned(rng, shape), rng.standard_normal(bshape)
    check(lambda x, y: L.solve(x, y), a, b)
    check(lambda x, y: L.solve_ex(x, y)[0], a, b)
    if len(bshape) == len(shape):
        check(lambda x, y: L.solve(x, y.mT, left=False), a, b)


def test_inv_det_slogdet_logdet():
    rng = np.random.default_rng(41)
    a = conditioned(rng, (2, 3, 3))
    check(lambda x: L.inv(x), a)
    check(lambda x: L.inv_ex(x).inverse, a)
    check(lambda x: L.det(x), a)
    check(lambda x: L.slogdet(x).logabsdet, a)
    pos = a @ np.swapaxes(a, -1, -2)  # det > 0: logdet finite
    check(lambda x: rgrad.logdet(x), pos)
    check(lambda x: x.inverse().sum() + x.det(), a)


def test_det_at_singular_matrices_like_pytorch():
    # exactly singular (an exact zero pivot): the first-order gradient is 0 (PyTorch's perturbed
    # LU); with create_graph it is the adjugate, through the SVD (PyTorch's masked formula)
    a = leaf([[1.0, 0.0], [0.0, 0.0]])
    L.det(a).backward()
    np.testing.assert_array_equal(to_np(a.grad), np.zeros((2, 2)))
    a = leaf([[1.0, 0.0], [0.0, 0.0]])
    (g,) = rgrad.autograd.grad(L.det(a), a, create_graph=True)
    np.testing.assert_allclose(to_np(g), [[0.0, 0.0], [0.0, 1.0]], atol=1e-15)
    # rank n-1: d det / dA = adj(A)^T
    s = leaf([[1.0, 2.0], [2.0, 4.0]])
    (g,) = rgrad.autograd.grad(L.det(s), s, create_graph=True)
    np.testing.assert_allclose(to_np(g), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-14)
    g.sum().backward()  # the second derivative exists too
    assert np.isfinite(to_np(s.grad)).all()
    # nearly singular: the first derivative is the cofactor matrix, finite differences agree
    rng = np.random.default_rng(42)
    u = rng.standard_normal((3, 2))
    assert gradcheck(lambda x: L.det(x), (leaf(u @ u.T + 1e-9 * np.eye(3)),))
    # exactly singular (rank 2): with create_graph the first derivative goes through the SVD
    # branch, its neighbours through the solve branch; they agree, so it differentiates again.
    # The cofactors are quadratic in A, so central differences are exact for any step: a large
    # one (1e-3) keeps the neighbours' det * A^-T (det ~ step) away from rounding noise.
    assert gradgradcheck(lambda x: L.det(x), (leaf(u @ u.T),), eps=1e-3)
    # a batch mixing singular and regular matrices takes both branches
    mixed = np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), conditioned(rng, (2, 2))])
    x = leaf(mixed)
    (g,) = rgrad.autograd.grad(L.det(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(to_np(g)[0], [[4.0, -2.0], [-2.0, 1.0]], atol=1e-14)
    np.testing.assert_allclose(to_np(g)[1], np.linalg.det(mixed[1]) * np.linalg.inv(mixed[1]).T, rtol=1e-12)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(upper, left, unit):
    rng = np.random.default_rng(43)
    a = np.tril(rng.uniform(-0.3, 0.3, (2, 3, 3)), -1) + np.eye(3) * 2
    a = np.swapaxes(a, -1, -2) if upper else a
    b = rng.standard_normal((2, 3, 2) if left else (2, 2, 3))
    check(lambda x, y: L.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit), a, b)


def test_lu_family():
    rng = np.random.default_rng(44)
    for shape in [(3, 3), (2, 4, 3), (3, 4)]:
        a = conditioned(rng, shape)
        check(lambda x: L.lu_factor(x).LU, a)
        check(lambda x: L.lu_factor_ex(x).LU, a)
        check(lambda x: L.lu(x).L, a)
        check(lambda x: L.lu(x).U, a)
        check(lambda x: rgrad.lu_unpack(*L.lu_factor(x))[1] + 2 * rgrad.lu_unpack(*L.lu_factor(x))[2].sum(), a)
    a = conditioned(rng, (2, 3, 3))
    b = rng.standard_normal((2, 3, 2))
    for left in (True, False):
        for adjoint in (False, True):
            bb = b if left else np.swapaxes(b, -1, -2)
            check(lambda x, y: L.lu_solve(*L.lu_factor(x), y, left=left, adjoint=adjoint), a, bb)
    # gradients with respect to the packed LU itself
    lu_np = to_np(L.lu_factor(rgrad.from_numpy(a)).LU)
    piv = L.lu_factor(rgrad.from_numpy(a)).pivots
    check(lambda f, y: L.lu_solve(f, piv, y), lu_np, b)
    check(lambda f, y: L.lu_solve(f, piv, y, adjoint=True), lu_np, b)
    check(lambda f, y: L.lu_solve(f, piv, y.mT, left=False), lu_np, b)


# ---------- Cholesky family ----------

@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    rng = np.random.default_rng(45)
    h = sym_half(rng, (2, 3, 3))
    check(lambda x: L.cholesky(symm(x), upper=upper), h)
    check(lambda x: L.cholesky_ex(symm(x), upper=upper).L, h)
    # cholesky_solve / cholesky_inverse take a triangular factor (PyTorch's formulas treat it as full)
    f = np.linalg.cholesky(2 * h)
    f = np.swapaxes(f, -1, -2) if upper else f
    tri = (lambda x: x.triu()) if upper else (lambda x: x.tril())
    b = rng.standard_normal((2, 3, 2))
    check(lambda y, x: rgrad.cholesky_solve(y, tri(x), upper=upper), b, f)
    check(lambda x: rgrad.cholesky_inverse(tri(x), upper=upper), f)


# ---------- QR, eigh ----------

@pytest.mark.parametrize("shape", [(3, 3), (4, 3), (3, 4), (2, 4, 2)])
def test_qr(shape):
    rng = np.random.default_rng(46)
    a = conditioned(rng, shape)
    check(lambda x: L.qr(x).Q, a)
    check(lambda x: L.qr(x).R, a)
    check(lambda x: (lambda q, r: q.sum(-2, keepdim=True).mT * r)(*L.qr(x)), a)
    if shape[-2] <= shape[-1]:
        check(lambda x: L.qr(x, mode="complete").R, a)


def test_qr_backward_errors():
    x = leaf(np.ones((3, 2)) + np.eye(3, 2))
    _, r = L.qr(x, mode="r")
    with pytest.raises(RuntimeError, match="The derivative of linalg.qr depends on Q, which is not computed when mode='r'"):
        r.sum().backward()
    q, _ = L.qr(x, mode="complete")
    with pytest.raises(RuntimeError, match="The QR decomposition is not differentiable when mode='complete' and nrows > ncols."):
        q.sum().backward()


def test_eigh():
    rng = np.random.default_rng(47)
    h = sym_half(rng, (2, 4, 4))
    check(lambda x: L.eigvalsh(symm(x)), h)
    check(lambda x: L.eigh(symm(x)).eigenvalues, h)
    check(lambda x: L.eigh(symm(x), UPLO="U").eigenvalues, h)
    # eigenvectors are defined up to sign: check sign-free functions of them
    check(lambda x: L.eigh(symm(x)).eigenvectors ** 2, h)
    check(lambda x: (lambda w, v: (v * w.unsqueeze(-2)) @ v.mT)(*L.eigh(symm(x))), h)


def test_eigh_at_repeated_eigenvalues_like_pytorch():
    # eigvalsh's gradient V diag(gL) V^T is exact also at repeated eigenvalues
    x = leaf(np.eye(3) * 2.0)
    L.eigvalsh(x).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.eye(3), atol=1e-14)
    # the eigenvector gradient divides by eigenvalue gaps: inf / NaN there, as PyTorch documents
    x = leaf(np.eye(3) * 2.0)
    L.eigh(x).eigenvectors.sum().backward()
    assert not np.isfinite(to_np(x.grad)).all()


# ---------- least squares, pinv ----------

@pytest.mark.parametrize("shape,bshape", [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((2, 4, 3), (2, 4)), ((3, 3), (3, 1))])
@pytest.mark.parametrize("driver", ["gelsd", "gels", "gelsy"])
def test_lstsq(shape, bshape, driver):
    rng = np.random.default_rng(48)
    a, b = conditioned(rng, shape), rng.standard_normal(bshape)
    check(lambda x, y: L.lstsq(x, y, driver=driver).solution, a, b)
    m, n = shape[-2:]
    if m > n and driver != "gelsy":
        check(lambda x, y: L.lstsq(x, y, driver=driver).residuals, a, b)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_pinv(shape):
    rng = np.random.default_rng(49)
    a = conditioned(rng, shape)
    check(lambda x: L.pinv(x), a)
    check(lambda x: x.pinverse(), a)
    if shape[-1] == shape[-2]:
        check(lambda x: L.pinv(symm(x), hermitian=True), sym_half(rng, shape))


# ---------- matrix functions, norms, products ----------

def test_matrix_exp():
    rng = np.random.default_rng(50)
    for scale in (0.05, 1.0, 4.0):
        a = rng.standard_normal((2, 3, 3)) * scale / 3
        check(lambda x: L.matrix_exp(x), a)
    check(lambda x: x.matrix_exp().sum(-1), rng.standard_normal((4, 4)) / 4)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -3])
def test_matrix_power(n):
    rng = np.random.default_rng(51)
    check(lambda x: L.matrix_power(x, n), conditioned(rng, (2, 3, 3), 0.8, 1.2))


def test_cond_vecdot_vander():
    rng = np.random.default_rng(52)
    a = conditioned(rng, (2, 3, 3))
    for p in (None, -2, "fro", "nuc", 1, float("inf")):
        check(lambda x: L.cond(x, p), a)
    check(lambda x, y: L.vecdot(x, y), rng.standard_normal((2, 3)), rng.standard_normal((4, 1, 3)))
    check(lambda x: L.vander(x, N=4), rng.standard_normal((2, 3)))
    check(lambda x: L.diagonal(x, offset=1), rng.standard_normal((2, 3, 4)))


def test_no_grad_and_float32():
    rng = np.random.default_rng(53)
    a = rgrad.from_numpy(conditioned(rng, (3, 3)).astype(np.float32)).requires_grad_()
    with rgrad.no_grad():
        assert not L.inv(a).requires_grad and not L.det(a).requires_grad
    L.det(a).backward()
    assert a.grad.dtype == rgrad.float32
    an = conditioned(rng, (3, 3))
    np.testing.assert_allclose(to_np(a.grad), np.linalg.det(to_np(a).astype(np.float64)) * np.linalg.inv(to_np(a).astype(np.float64)).T, rtol=1e-4, atol=1e-5)
    assert an.shape == (3, 3)
    # pivots, info and ranks never require grad
    x = leaf(conditioned(rng, (3, 3)))
    assert not L.lu_factor(x).pivots.requires_grad and not L.inv_ex(x).info.requires_grad
    assert not L.matrix_rank(x).requires_grad and not L.slogdet(x).sign.requires_grad


def test_gradgradcheck_itself():
    x = leaf(np.array([0.3, -0.7]))
    assert gradgradcheck(lambda t: t ** 3, (x,))
    assert gradgradcheck(lambda t, u: (t * u).sin(), (x, leaf(np.array([1.5, 0.2]))))
    # a first derivative that is wrong in its own derivative: d/dt of (t^2 detached) * t is
    # t^2 (wrong: 3 t^2), and gradgradcheck fails it too
    assert gradgradcheck(lambda t: (t ** 2).detach() * t, (x,), raise_exception=False) is False
