"""Python-level pieces of the SVD family: ``rgrad.linalg.svd`` / ``svdvals`` /
``matrix_norm`` (the kernels and their gradients are in Rust)."""

from . import _rgrad

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = ["svd"]

__all__ = []


class LinAlgError(RuntimeError):
    """Raised by ``rgrad.linalg`` functions that cannot compute a result (as ``torch.linalg.LinAlgError``).

    It is a ``RuntimeError``, so ``except RuntimeError`` catches it too:

    >>> issubclass(rgrad.linalg.LinAlgError, RuntimeError)
    True
    """


LinAlgError.__module__ = "rgrad.linalg"


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
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend.")
    return _rgrad._linalg_svd(A, full_matrices)


def svdvals(A, *, driver=None):
    """``linalg.svdvals(A)``: the singular values of (a batch of) matrices, descending.

    >>> rgrad.linalg.svdvals(rgrad.tensor([[3.0, 0.0], [0.0, -2.0]]))
    tensor([3., 2.])
    """
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend.")
    return _rgrad._linalg_svdvals(A)


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


LINALG = {"svd": svd, "svdvals": svdvals, "matrix_norm": matrix_norm, "LinAlgError": LinAlgError}
