"""``rgrad.linalg`` with PyTorch's signatures: argument handling here, the kernels (through the
faer crate, or small hand-written ones for tiny matrices) and their gradients in Rust
(``rust/ops/linalg``).

Every function takes batches of matrices (any leading dims, broadcast between operands where
PyTorch broadcasts), float32 and float64; a singular or not-positive-definite input raises
``LinAlgError`` naming the batch element and the failing pivot or minor, the ``_ex`` variants
return ``info`` instead.
"""

from . import _rgrad
from ._rgrad import LinAlgError

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "svd", "det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse", "lu_solve",
    "matrix_exp", "matrix_power", "pinverse", "qr", "triangular_solve", "lu",
]

# top-level functions with no method form
__all__ = ["lu_unpack"]

_DRIVER_MSG = "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend."


# ---------- decompositions ----------

def svd(A, full_matrices=True, *, driver=None):
    """``linalg.svd(A, full_matrices=True)`` -> ``(U, S, Vh)`` with ``A = U[..., :k] diag(S) Vh[..., :k, :]``.

    ``S`` holds the ``k = min(m, n)`` singular values in descending order; with
    ``full_matrices=True`` ``U`` is m x m and ``Vh`` n x n, else m x k and k x n.
    Batched over leading dims, float32 and float64, differentiable (the gradients
    of U and Vh need distinct singular values, as in PyTorch).

    >>> A = rgrad.tensor([[3.0, 0.0], [0.0, -2.0]])
    >>> U, S, Vh = rgrad.linalg.svd(A)
    >>> S
    tensor([3., 2.])
    >>> rgrad.allclose(U @ rgrad.diag(S) @ Vh, A)
    True
    """
    if driver is not None:
        raise RuntimeError(_DRIVER_MSG)
    return _rgrad._linalg_svd(A, full_matrices)


def svdvals(A, *, driver=None):
    """``linalg.svdvals(A)``: the singular values of (a batch of) matrices, descending.

    >>> rgrad.linalg.svdvals(rgrad.tensor([[3.0, 0.0], [0.0, -2.0]]))
    tensor([3., 2.])
    """
    if driver is not None:
        raise RuntimeError(_DRIVER_MSG)
    return _rgrad._linalg_svdvals(A)


def qr(A, mode="reduced"):
    """``linalg.qr(A, mode='reduced')`` -> ``(Q, R)``: Householder QR. ``mode``: ``'reduced'``
    (Q m x k, R k x n), ``'complete'`` (Q m x m, R m x n) or ``'r'`` (R only, Q empty).

    >>> A = rgrad.tensor([[3.0, 1.0], [4.0, 2.0]])
    >>> Q, R = rgrad.linalg.qr(A)
    >>> R.abs()
    tensor([[5.0000, 2.2000],
            [0.0000, 0.4000]])
    >>> rgrad.allclose(Q @ R, A), rgrad.allclose(Q.T @ Q, rgrad.eye(2), atol=1e-6)
    (True, True)
    """
    return _rgrad._linalg_qr(A, mode)


def eigh(A, UPLO="L"):
    """``linalg.eigh(A, UPLO='L')`` -> ``(eigenvalues, eigenvectors)`` of symmetric matrices, read
    from the ``UPLO`` triangle: ascending eigenvalues, orthonormal eigenvectors as columns.

    >>> A = rgrad.tensor([[2.0, 1.0], [1.0, 2.0]])
    >>> L, Q = rgrad.linalg.eigh(A)
    >>> L
    tensor([1.0000, 3.0000])
    >>> rgrad.allclose(Q @ rgrad.diag(L) @ Q.T, A)
    True
    """
    return _rgrad._linalg_eigh(A, UPLO)


def eigvalsh(A, UPLO="L"):
    """``linalg.eigvalsh(A, UPLO='L')``: the ascending eigenvalues of symmetric matrices.

    >>> rgrad.linalg.eigvalsh(rgrad.tensor([[2.0, 1.0], [1.0, 2.0]]))
    tensor([1.0000, 3.0000])
    """
    return _rgrad._linalg_eigvalsh(A, UPLO)


def _no_complex(name):
    raise NotImplementedError(
        f"linalg.{name}: the eigenvalues of a general real matrix are complex, and rgrad has no complex dtype yet. "
        "For symmetric matrices use linalg.eigh / linalg.eigvalsh."
    )


def eig(A):
    """``linalg.eig`` returns complex eigenvalues and eigenvectors; rgrad has no complex dtype yet,
    so this raises NotImplementedError (use ``eigh`` for symmetric matrices).

    >>> rgrad.linalg.eig(rgrad.tensor([[0.0, -1.0], [1.0, 0.0]]))
    Traceback (most recent call last):
        ...
    NotImplementedError: linalg.eig: the eigenvalues of a general real matrix are complex, ...
    >>> rgrad.linalg.eigh(rgrad.tensor([[2.0, 1.0], [1.0, 2.0]])).eigenvalues
    tensor([1.0000, 3.0000])
    """
    _no_complex("eig")


def eigvals(A):
    """``linalg.eigvals`` returns complex eigenvalues; rgrad has no complex dtype yet, so this
    raises NotImplementedError (use ``eigvalsh`` for symmetric matrices).

    >>> rgrad.linalg.eigvals(rgrad.tensor([[0.0, -1.0], [1.0, 0.0]]))
    Traceback (most recent call last):
        ...
    NotImplementedError: linalg.eigvals: the eigenvalues of a general real matrix are complex, ...
    >>> rgrad.linalg.eigvalsh(rgrad.tensor([[2.0, 1.0], [1.0, 2.0]]))
    tensor([1.0000, 3.0000])
    """
    _no_complex("eigvals")


def cholesky(A, *, upper=False):
    """``linalg.cholesky(A, *, upper=False)``: L with ``A = L L^T`` (or U with ``A = U^T U``),
    reading A's lower (upper) triangle; ``LinAlgError`` names the first leading minor that is
    not positive definite.

    >>> A = rgrad.tensor([[4.0, 2.0], [2.0, 5.0]])
    >>> rgrad.linalg.cholesky(A)
    tensor([[2., 0.],
            [1., 2.]])
    >>> rgrad.linalg.cholesky(A, upper=True)
    tensor([[2., 1.],
            [0., 2.]])
    """
    return _rgrad._linalg_cholesky(A, upper)


def cholesky_ex(A, *, upper=False, check_errors=False):
    """``linalg.cholesky_ex(A, *, upper=False, check_errors=False)`` -> ``(L, info)``: ``info`` is 0
    or the order of the first leading minor that is not positive definite.

    >>> L, info = rgrad.linalg.cholesky_ex(rgrad.tensor([[4.0, 2.0], [2.0, 5.0]]))
    >>> L, info
    (tensor([[2., 0.],
            [1., 2.]]), tensor(0, dtype=rgrad.int32))
    >>> rgrad.linalg.cholesky_ex(rgrad.tensor([[1.0, 2.0], [2.0, 1.0]])).info  # minor 2 is not positive-definite
    tensor(2, dtype=rgrad.int32)
    """
    return _rgrad._linalg_cholesky_ex(A, upper, check_errors)


def lu_factor(A, *, pivot=True):
    """``linalg.lu_factor(A, *, pivot=True)`` -> ``(LU, pivots)``: LU with partial pivoting, packed
    as LAPACK's ``getrf`` (int32 1-based pivots).

    >>> LU, pivots = rgrad.linalg.lu_factor(rgrad.tensor([[2.0, 1.0], [4.0, 3.0]]))
    >>> LU
    tensor([[ 4.0000,  3.0000],
            [ 0.5000, -0.5000]])
    >>> pivots
    tensor([2, 2], dtype=rgrad.int32)
    """
    return _rgrad._linalg_lu_factor(A, pivot)


def lu_factor_ex(A, *, pivot=True, check_errors=False):
    """``linalg.lu_factor_ex(A, *, pivot=True, check_errors=False)`` -> ``(LU, pivots, info)``.

    >>> LU, pivots, info = rgrad.linalg.lu_factor_ex(rgrad.tensor([[1.0, 2.0], [2.0, 4.0]]))
    >>> info  # U[1, 1] is zero: the matrix is singular
    tensor(2, dtype=rgrad.int32)
    """
    return _rgrad._linalg_lu_factor_ex(A, pivot, check_errors)


def lu(A, *, pivot=True):
    """``linalg.lu(A, *, pivot=True)`` -> ``(P, L, U)`` with ``A = P L U``.

    >>> A = rgrad.tensor([[2.0, 1.0], [4.0, 3.0]])
    >>> P, L, U = rgrad.linalg.lu(A)
    >>> L
    tensor([[1.0000, 0.0000],
            [0.5000, 1.0000]])
    >>> U
    tensor([[ 4.0000,  3.0000],
            [ 0.0000, -0.5000]])
    >>> rgrad.equal(P @ L @ U, A)
    True
    """
    return _rgrad._linalg_lu(A, pivot)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):
    """``lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True)`` -> ``(P, L, U)`` from
    a packed LU factorization (empty tensors for the parts not asked for).

    >>> LU, pivots = rgrad.linalg.lu_factor(rgrad.tensor([[2.0, 1.0], [4.0, 3.0]]))
    >>> P, L, U = rgrad.lu_unpack(LU, pivots)
    >>> P
    tensor([[0., 1.],
            [1., 0.]])
    >>> P @ L @ U
    tensor([[2., 1.],
            [4., 3.]])
    """
    return _rgrad._lu_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots)


# ---------- solvers ----------

def solve(A, B, *, left=True):
    """``linalg.solve(A, B, *, left=True)``: X with ``A X = B`` (``X A = B`` when ``left=False``).
    B may be a vector; batch dims broadcast.

    >>> A = rgrad.tensor([[3.0, 1.0], [1.0, 2.0]])
    >>> rgrad.linalg.solve(A, rgrad.tensor([9.0, 8.0]))
    tensor([2., 3.])
    >>> rgrad.linalg.solve(A, rgrad.tensor([[9.0, 8.0]]), left=False)  # X A = B
    tensor([[2., 3.]])
    """
    return _rgrad._linalg_solve(A, B, left)


def solve_ex(A, B, *, left=True, check_errors=False):
    """``linalg.solve_ex(A, B, *, left=True, check_errors=False)`` -> ``(result, info)``.

    >>> X, info = rgrad.linalg.solve_ex(rgrad.tensor([[3.0, 1.0], [1.0, 2.0]]), rgrad.tensor([9.0, 8.0]))
    >>> X, info
    (tensor([2., 3.]), tensor(0, dtype=rgrad.int32))
    """
    return _rgrad._linalg_solve_ex(A, B, left, check_errors)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """``linalg.solve_triangular(A, B, *, upper, left=True, unitriangular=False)``: solves with the
    upper (lower) triangle of A, reading only that triangle.

    >>> U = rgrad.tensor([[2.0, 1.0], [0.0, 4.0]])
    >>> rgrad.linalg.solve_triangular(U, rgrad.tensor([[4.0], [8.0]]), upper=True)
    tensor([[1.],
            [2.]])
    """
    return _rgrad._linalg_solve_triangular(A, B, upper, left, unitriangular)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False):
    """``linalg.lu_solve(LU, pivots, B, *, left=True, adjoint=False)``: solves with A from its
    ``lu_factor`` output (``A^H`` when ``adjoint``).

    >>> LU, pivots = rgrad.linalg.lu_factor(rgrad.tensor([[2.0, 1.0], [4.0, 3.0]]))
    >>> rgrad.linalg.lu_solve(LU, pivots, rgrad.tensor([[3.0], [7.0]]))
    tensor([[1.],
            [1.]])
    """
    return _rgrad._linalg_lu_solve(LU, pivots, B, left, adjoint)


def _tensor(x, func, name="A"):
    if not isinstance(x, _rgrad.Tensor):
        raise TypeError(f"{func}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")
    return x


def inv(A):
    """``linalg.inv(A)``: the inverse; ``LinAlgError`` names the zero pivot of a singular A.

    >>> rgrad.linalg.inv(rgrad.tensor([[2.0, 1.0], [4.0, 3.0]]))
    tensor([[ 1.5000, -0.5000],
            [-2.0000,  1.0000]])
    """
    return _tensor(A, "linalg_inv").inverse()


def inv_ex(A, *, check_errors=False):
    """``linalg.inv_ex(A, *, check_errors=False)`` -> ``(inverse, info)``.

    >>> inverse, info = rgrad.linalg.inv_ex(rgrad.tensor([[2.0, 0.0], [0.0, 4.0]]))
    >>> inverse
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    >>> info
    tensor(0, dtype=rgrad.int32)
    """
    return _rgrad._linalg_inv_ex(A, check_errors)


def det(A):
    """``linalg.det(A)``: the determinant (through LU).

    >>> rgrad.linalg.det(rgrad.tensor([[2.0, 1.0], [4.0, 3.0]]))
    tensor(2.)
    """
    return _tensor(A, "linalg_det").det()


def slogdet(A):
    """``linalg.slogdet(A)`` -> ``(sign, logabsdet)``: the determinant's sign and log-magnitude.

    >>> sign, logabsdet = rgrad.linalg.slogdet(rgrad.tensor([[1.0, 4.0], [2.0, 4.0]]))  # det = -4
    >>> sign, logabsdet
    (tensor(-1.), tensor(1.3863))
    """
    return _rgrad._linalg_slogdet(A)


def lstsq(A, B, rcond=None, *, driver=None):
    """``linalg.lstsq(A, B, rcond=None, *, driver=None)`` -> ``(solution, residuals, rank,
    singular_values)``. ``driver``: ``'gelsy'`` (default), ``'gels'`` (QR, full rank assumed),
    ``'gelsd'`` / ``'gelss'`` (SVD; these also return the singular values). Singular values
    ``<= rcond * s_max`` are dropped (``rcond`` defaults to eps * max(m, n)); ``residuals`` are
    given when m > n and every matrix has full rank (not for gelsy), as PyTorch.

    >>> A = rgrad.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
    >>> B = rgrad.tensor([[1.0], [4.0], [5.0]])
    >>> rgrad.linalg.lstsq(A, B).solution
    tensor([[1.],
            [2.]])
    >>> rgrad.linalg.lstsq(A, B, driver="gelsd").residuals
    tensor([25.])
    """
    return _rgrad._linalg_lstsq(A, B, rcond, driver)


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None):
    """``linalg.pinv(A, *, atol=None, rtol=None, hermitian=False)``: the pseudoinverse, singular
    values ``<= max(atol, rtol * s_max)`` treated as zero (``rcond`` is the older name of rtol).

    >>> rgrad.linalg.pinv(rgrad.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]))
    tensor([[1.0000, 0.0000, 0.0000],
            [0.0000, 0.5000, 0.0000]])
    """
    if rcond is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg_pinv() received an invalid combination of arguments - rcond cannot be combined with atol or rtol")
        rtol = rcond
    return _rgrad._linalg_pinv(A, atol, rtol, hermitian)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """``linalg.matrix_rank(A, *, atol=None, rtol=None, hermitian=False)``: the number of singular
    values above ``max(atol, rtol * s_max)`` (``tol`` is the older name of atol, with rtol 0).

    >>> rgrad.linalg.matrix_rank(rgrad.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1)
    >>> rgrad.linalg.matrix_rank(rgrad.eye(3))
    tensor(3)
    """
    if tol is not None:
        if atol is not None or rtol is not None:
            raise TypeError("linalg_matrix_rank() received an invalid combination of arguments - tol cannot be combined with atol or rtol")
        atol, rtol = tol, 0.0
    return _rgrad._linalg_matrix_rank(A, atol, rtol, hermitian)


# ---------- matrix functions, norms, products ----------

def matrix_exp(A):
    """``linalg.matrix_exp(A)``: the matrix exponential.

    >>> rgrad.linalg.matrix_exp(rgrad.tensor([[0.0, 1.0], [0.0, 0.0]]))
    tensor([[1., 1.],
            [0., 1.]])
    >>> rgrad.linalg.matrix_exp(rgrad.tensor([[1.0, 0.0], [0.0, 2.0]]))
    tensor([[2.7183, 0.0000],
            [0.0000, 7.3891]])
    """
    return _rgrad._linalg_matrix_exp(A)


def matrix_power(A, n):
    """``linalg.matrix_power(A, n)``: ``A^n`` (``n < 0``: powers of the inverse; 0: the identity).

    >>> rgrad.linalg.matrix_power(rgrad.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    >>> rgrad.linalg.matrix_power(rgrad.tensor([[2.0, 0.0], [0.0, 4.0]]), -1)
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    return _rgrad._linalg_matrix_power(A, n)


def cond(A, p=None):
    """``linalg.cond(A, p=None)``: the condition number in the ``p`` norm (None / 2 / -2 through
    the singular values; 'fro', 'nuc', 1, -1, inf, -inf as ``norm(A) * norm(inv(A))``).

    >>> A = rgrad.tensor([[2.0, 0.0], [0.0, 0.5]])
    >>> rgrad.linalg.cond(A)  # largest / smallest singular value
    tensor(4.)
    >>> rgrad.linalg.cond(A, p=1)
    tensor(4.)
    """
    return _rgrad._linalg_cond(A, p)


def vecdot(x, y, *, dim=-1):
    """``linalg.vecdot(x, y, *, dim=-1)``: ``sum(x * y, dim)`` with broadcasting.

    >>> x = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> rgrad.linalg.vecdot(x, rgrad.tensor([1.0, 1.0]))
    tensor([3., 7.])
    """
    return _rgrad._linalg_vecdot(x, y, dim)


def vander(x, N=None):
    """``linalg.vander(x, N=None)``: the Vandermonde matrix ``[1, x, ..., x^(N-1)]`` along a new
    last dim.

    >>> rgrad.linalg.vander(rgrad.tensor([1, 2, 3]))
    tensor([[1, 1, 1],
            [1, 2, 4],
            [1, 3, 9]])
    >>> rgrad.linalg.vander(rgrad.tensor([1, 2, 3]), N=4)
    tensor([[ 1,  1,  1,  1],
            [ 1,  2,  4,  8],
            [ 1,  3,  9, 27]])
    """
    return _rgrad._linalg_vander(x, N)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """``linalg.diagonal(A, *, offset=0, dim1=-2, dim2=-1)``: ``A.diagonal`` with matrix defaults.

    >>> A = rgrad.arange(9.0).reshape(3, 3)
    >>> rgrad.linalg.diagonal(A)
    tensor([0., 4., 8.])
    >>> rgrad.linalg.diagonal(A, offset=1)
    tensor([1., 5.])
    """
    return A.diagonal(offset, dim1, dim2)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """``linalg.matrix_norm``: the ``ord`` matrix norm over the two ``dim`` s, batched over the rest.

    ``ord``: ``'fro'`` (Frobenius), ``'nuc'`` (sum of singular values), 2 / -2 (largest /
    smallest singular value), 1 / -1 (max / min column abs-sum), inf / -inf (max / min row
    abs-sum). Differentiable.

    >>> rgrad.linalg.matrix_norm(rgrad.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor(5.)
    >>> rgrad.linalg.matrix_norm(rgrad.tensor([[3.0, 0.0], [0.0, 4.0]]), ord=2)
    tensor(4.)
    """
    if isinstance(dim, int):
        raise TypeError(
            "linalg_matrix_norm() received an invalid combination of arguments - got (Tensor, str, dim=int), but expected one of:\n"
            " * (Tensor input, Number ord, tuple of ints dim = {-2,-1}, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n"
            " * (Tensor input, str ord = \"fro\", tuple of ints dim = {-2,-1}, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n"
        )
    return _rgrad._matrix_norm(A, ord, tuple(dim), keepdim, dtype=dtype)


LINALG = {
    f.__name__: f
    for f in (
        svd, svdvals, qr, eigh, eigvalsh, eig, eigvals, cholesky, cholesky_ex, lu_factor, lu_factor_ex, lu, solve,
        solve_ex, solve_triangular, lu_solve, inv, inv_ex, det, slogdet, lstsq, pinv, matrix_rank, matrix_exp,
        matrix_power, cond, vecdot, vander, diagonal, matrix_norm,
    )
}
LINALG["LinAlgError"] = LinAlgError
