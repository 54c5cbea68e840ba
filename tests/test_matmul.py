"""Matrix products: values against NumPy, PyTorch's errors, gradients (gradcheck)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rgrad
from conftest import assert_close, rand_np, to_np

NUM_DTYPES = [rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64]
NP = {rgrad.int32: np.int32, rgrad.int64: np.int64, rgrad.float32: np.float32, rgrad.float64: np.float64}


def T(a, **kw):
    return rgrad.tensor(a, **kw)


def tol(dtype):
    # the oracle is float64 (ref_mm), so BLAS doesn't matter: float32 sums of K <= 300 products of
    # |x| < 3 are off by at most K * 6e-8 * 9 ~ 2e-4 relative to the sum of |products|, in
    # practice ~sqrt(K) of that; float64 ones by K * 1.1e-16 * 9 ~ 3e-13
    return dict(rtol=1e-4, atol=1e-4) if dtype == rgrad.float32 else dict(rtol=1e-10, atol=1e-10)


def ref_mm(a, b):
    """NumPy oracle in float64 (exact for the small ints used), cast back."""
    return (a.astype(np.float64) @ b.astype(np.float64)).astype(a.dtype)


# ---------------------------------------------------------------- mm

@pytest.mark.parametrize("dtype", NUM_DTYPES)
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (2, 3, 4), (7, 5, 3), (17, 33, 9), (64, 64, 64), (100, 3, 130), (3, 300, 2)])
def test_mm_values(dtype, m, k, n):
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a, b = rand_np((m, k), NP[dtype], rng), rand_np((k, n), NP[dtype], rng)
    out = rgrad.mm(T(a), T(b))
    assert out.dtype == dtype
    assert_close(out, ref_mm(a, b), **tol(dtype))


@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64, rgrad.int64])
def test_mm_large_parallel(dtype):
    rng = np.random.default_rng(1)
    a, b = rand_np((150, 130), NP[dtype], rng), rand_np((130, 170), NP[dtype], rng)
    assert_close(T(a) @ T(b), ref_mm(a, b), **tol(dtype))  # split over columns
    assert_close(T(b).t() @ T(a).t(), ref_mm(b.T, a.T), **tol(dtype))  # split over rows
    c = rand_np((170, 150), NP[dtype], rng)
    beta, alpha = (2, 3) if dtype == rgrad.int64 else (0.5, 2.0)
    expected = (beta * c.astype(np.float64) + alpha * (b.T.astype(np.float64) @ a.T)).astype(NP[dtype])
    assert_close(rgrad.addmm(T(c), T(b).t(), T(a).t(), beta=beta, alpha=alpha), expected, **tol(dtype))


@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64, rgrad.int32])
def test_mm_noncontiguous(dtype):
    rng = np.random.default_rng(2)
    a = rand_np((40, 30), NP[dtype], rng)
    b = rand_np((50, 40), NP[dtype], rng)
    ta, tb = T(a), T(b)
    # transposed
    assert_close(ta.t() @ tb.t(), ref_mm(a.T, b.T), **tol(dtype))
    # sliced with steps and negative steps: strided views shared with NumPy (no copies)
    va, vb = a[::2, 1::3], b[:10, ::-4]
    sa, sb = rgrad.from_numpy(va), rgrad.from_numpy(vb)
    assert not sa.is_contiguous() and not sb.is_contiguous()
    assert_close(sa.t() @ sa, ref_mm(va.T, va), **tol(dtype))
    assert_close(sb @ sb.t(), ref_mm(vb, vb.T), **tol(dtype))
    assert_close(sb.t() @ rgrad.from_numpy(a[::-1][:10]), ref_mm(vb.T, a[::-1][:10]), **tol(dtype))
    # expanded (stride 0) operands
    row = T(a[:1])
    e = row.expand(6, 30)
    assert_close(e @ T(a.T), ref_mm(np.broadcast_to(a[:1], (6, 30)), a.T), **tol(dtype))


def test_mm_big_transposed_float32():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((300, 200)).astype(np.float32)
    b = rng.standard_normal((300, 250)).astype(np.float32)
    # float64 oracle; float32 sums of 300 N(0, 1) products: error ~ sqrt(300) * 6e-8 * |sum of
    # |products|| (~300), well under atol 1e-3, whatever order rgrad's kernel sums in
    assert_close(T(a).t() @ T(b), a.T.astype(np.float64) @ b, rtol=1e-4, atol=1e-3, check_dtype=False)


def test_mm_errors():
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        rgrad.mm(rgrad.ones(2, 3), rgrad.ones(4, 5))
    with pytest.raises(RuntimeError, match="mm: self must be a matrix, got 1-D tensor"):
        rgrad.mm(rgrad.ones(3), rgrad.ones(3, 2))
    with pytest.raises(RuntimeError, match="mm: mat2 must be a matrix, got 3-D tensor"):
        rgrad.mm(rgrad.ones(2, 3), rgrad.ones(3, 2, 1))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float != double"):
        rgrad.mm(rgrad.ones(2, 2), rgrad.ones(2, 2, dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: int != long int"):
        rgrad.mm(rgrad.ones(2, 2, dtype=rgrad.int32), rgrad.ones(2, 2, dtype=rgrad.int64))
    with pytest.raises(NotImplementedError, match="\"addmm_impl_cpu_\" not implemented for 'Bool'"):
        rgrad.mm(rgrad.ones(2, 2, dtype=rgrad.bool), rgrad.ones(2, 2, dtype=rgrad.bool))


@pytest.mark.parametrize("m,k,n", [(0, 3, 4), (2, 0, 4), (2, 3, 0), (0, 0, 0)])
def test_mm_empty(m, k, n):
    out = rgrad.mm(rgrad.ones(m, k), rgrad.ones(k, n))
    assert tuple(out.shape) == (m, n)
    assert_close(out, np.zeros((m, n), np.float32))
    assert_close(rgrad.ones(2, 4, m, k, dtype=rgrad.int64) @ rgrad.ones(4, k, n, dtype=rgrad.int64), np.zeros((2, 4, m, n), np.int64))


def test_mm_nan_inf_propagate():
    a = T([[float("nan"), 1.0], [1.0, 1.0]])
    out = to_np(a @ rgrad.ones(2, 2))
    assert np.isnan(out[0]).all() and (out[1] == 2).all()


def test_int_matmul_wraps():
    a = T([[2**62, 2**62]], dtype=rgrad.int64)
    b = T([[2], [2]], dtype=rgrad.int64)
    assert_close(a @ b, (np.array([[2**62, 2**62]], np.int64) @ np.array([[2], [2]], np.int64)))


# ---------------------------------------------------------------- matmul / @

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (6, 3, 4)), ((2, 1, 4, 3), (1, 5, 3, 2)),
]


@pytest.mark.parametrize("dtype", NUM_DTYPES)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes(dtype, sa, sb):
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    a, b = rand_np(sa, NP[dtype], rng), rand_np(sb, NP[dtype], rng)
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(NP[dtype])
    for out in (rgrad.matmul(T(a), T(b)), T(a) @ T(b), T(a).matmul(T(b)), rgrad.linalg.matmul(T(a), T(b))):
        assert out.dtype == dtype
        assert_close(out, expected, **tol(dtype))


dims = st.integers(0, 4)


@st.composite
def matmul_pair(draw):
    m, k, n = draw(dims), draw(dims), draw(dims)
    nb = draw(st.integers(0, 3))
    batch = [draw(st.integers(1, 3)) for _ in range(nb)]
    ba = [s if draw(st.booleans()) else 1 for s in batch][draw(st.integers(0, nb)):]
    bb = [s if draw(st.booleans()) else 1 for s in batch][draw(st.integers(0, nb)):]
    sa = tuple(ba) + ((m, k) if draw(st.booleans()) or ba else (k,))
    sb = tuple(bb) + ((k, n) if draw(st.booleans()) or bb else (k,))
    ta = draw(st.booleans())  # feed a transposed view
    return sa, sb, ta


@settings(max_examples=150, deadline=None)
@given(matmul_pair(), st.sampled_from([rgrad.float64, rgrad.int64]))
def test_matmul_hypothesis(pair, dtype):
    sa, sb, transpose = pair
    rng = np.random.default_rng(0)
    a, b = rand_np(sa, NP[dtype], rng), rand_np(sb, NP[dtype], rng)
    ta = T(a)
    if transpose and len(sa) >= 2:
        ta = T(np.ascontiguousarray(np.swapaxes(a, -1, -2))).transpose(-1, -2)
    expected = np.matmul(a, b)
    assert_close(ta @ T(b), expected)


def test_matmul_fold_noncontiguous():
    # a 3-D operand whose leading dims can't be merged: batched path instead of fold
    rng = np.random.default_rng(4)
    a = rng.standard_normal((4, 5, 3))
    b = rng.standard_normal((3, 2))
    ta = T(np.ascontiguousarray(a.transpose(1, 0, 2))).permute(1, 0, 2)
    assert_close(ta @ T(b), a @ b)
    assert_close(ta @ T(b[:, 0]), a @ b[:, 0])


def test_rmatmul_and_notimplemented():
    a = rgrad.ones(2, 3)
    with pytest.raises(TypeError):
        a @ 2
    with pytest.raises(TypeError):
        2 @ a
    assert a.__rmatmul__(rgrad.ones(4, 2)).shape == (4, 3)


def test_matmul_errors():
    with pytest.raises(RuntimeError, match="both arguments to matmul need to be at least 1D, but they are 0D and 1D"):
        rgrad.matmul(rgrad.tensor(1.0), rgrad.ones(3))
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        rgrad.ones(2, 3) @ rgrad.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x5\)"):
        rgrad.ones(3) @ rgrad.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied \(10x3 and 4x5\)"):
        rgrad.ones(2, 5, 3) @ rgrad.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"):
        rgrad.ones(2, 3) @ rgrad.ones(4)
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(10\), mat \(10x3\), vec \(4\)"):
        rgrad.ones(2, 5, 3) @ rgrad.ones(4)
    with pytest.raises(RuntimeError, match=r"inconsistent tensor size"):
        rgrad.ones(3) @ rgrad.ones(4)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"):
        rgrad.ones(2, 2, 3) @ rgrad.ones(3, 3, 5)
    with pytest.raises(RuntimeError, match=r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[2, 4\]\."):
        rgrad.ones(2, 2, 3) @ rgrad.ones(2, 4, 5)
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float != double"):
        rgrad.ones(2, 2) @ rgrad.ones(2, 2, dtype=rgrad.float64)
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        rgrad.ones(2, 2, 2) @ rgrad.ones(2, 2, 2, dtype=rgrad.float64)
    b = rgrad.ones(2, 2, dtype=rgrad.bool)
    with pytest.raises(NotImplementedError, match="addmm_impl_cpu_"):
        b @ b
    with pytest.raises(NotImplementedError, match="\"bmm\" not implemented for 'Bool'"):
        b.unsqueeze(0) @ b.unsqueeze(0)
    with pytest.raises(NotImplementedError, match="addmv_impl_cpu"):
        b @ b.select(0, 0)


# ---------------------------------------------------------------- bmm, baddbmm, addbmm

@pytest.mark.parametrize("dtype", NUM_DTYPES)
def test_bmm(dtype):
    rng = np.random.default_rng(5)
    a, b = rand_np((6, 4, 5), NP[dtype], rng), rand_np((6, 5, 3), NP[dtype], rng)
    assert_close(rgrad.bmm(T(a), T(b)), np.matmul(a.astype(np.float64), b).astype(NP[dtype]), **tol(dtype))
    # many small products (batch-parallel path), transposed operand
    a, b = rand_np((70, 16, 16), NP[dtype], rng), rand_np((70, 16, 16), NP[dtype], rng)
    tb = T(np.ascontiguousarray(np.swapaxes(b, 1, 2))).transpose(1, 2)
    assert_close(T(a).bmm(tb), np.matmul(a.astype(np.float64), b).astype(NP[dtype]), **tol(dtype))


def test_bmm_errors():
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        rgrad.bmm(rgrad.ones(2, 3), rgrad.ones(3, 4))
    with pytest.raises(RuntimeError, match="batch2 must be a 3D tensor"):
        rgrad.bmm(rgrad.ones(1, 2, 3), rgrad.ones(3, 4))
    with pytest.raises(RuntimeError, match=r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[3, 3\]\."):
        rgrad.bmm(rgrad.ones(2, 2, 3), rgrad.ones(3, 3, 4))
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        rgrad.bmm(rgrad.ones(1, 2, 2), rgrad.ones(1, 2, 2, dtype=rgrad.float64))


@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64, rgrad.int64])
def test_baddbmm_addbmm(dtype):
    rng = np.random.default_rng(6)
    inp = rand_np((4, 3), NP[dtype], rng)
    b1, b2 = rand_np((5, 4, 2), NP[dtype], rng), rand_np((5, 2, 3), NP[dtype], rng)
    prod = np.matmul(b1.astype(np.float64), b2)
    beta, alpha = (2, 3) if dtype == rgrad.int64 else (0.5, -1.5)
    assert_close(rgrad.baddbmm(T(inp), T(b1), T(b2), beta=beta, alpha=alpha), (beta * inp + alpha * prod).astype(NP[dtype]), **tol(dtype))
    assert_close(T(inp).addbmm(T(b1), T(b2), beta=beta, alpha=alpha), (beta * inp + alpha * prod.sum(0)).astype(NP[dtype]), **tol(dtype))
    assert_close(rgrad.baddbmm(T(inp[0, :1]), T(b1), T(b2)), (inp[0, :1] + prod).astype(NP[dtype]), **tol(dtype))


# ---------------------------------------------------------------- addmm, addmv, mv

@pytest.mark.parametrize("dtype", NUM_DTYPES)
def test_addmm(dtype):
    rng = np.random.default_rng(7)
    m1, m2 = rand_np((4, 5), NP[dtype], rng), rand_np((5, 3), NP[dtype], rng)
    prod = m1.astype(np.float64) @ m2
    for inp in (rand_np((4, 3), NP[dtype], rng), rand_np((3,), NP[dtype], rng), rand_np((4, 1), NP[dtype], rng)):
        assert_close(rgrad.addmm(T(inp), T(m1), T(m2)), (inp + prod).astype(NP[dtype]), **tol(dtype))
        assert_close(T(inp).addmm(T(m1), T(m2), beta=2, alpha=3), (2 * inp + 3 * prod).astype(NP[dtype]), **tol(dtype))


def test_addmm_int_float_scalars_truncate_and_beta_zero():
    i = rgrad.ones(2, 2, dtype=rgrad.int32)
    assert to_np(rgrad.addmm(i, i, i, alpha=1.5)).tolist() == [[3, 3], [3, 3]]
    assert to_np(rgrad.addmm(i, i, i, beta=2.5)).tolist() == [[4, 4], [4, 4]]
    nan = rgrad.full((2, 2), float("nan"))
    assert to_np(rgrad.addmm(nan, rgrad.ones(2, 2), rgrad.ones(2, 2), beta=0)).tolist() == [[2, 2], [2, 2]]


def test_addmm_errors():
    f, d = rgrad.ones(2, 2), rgrad.ones(2, 2, dtype=rgrad.float64)
    with pytest.raises(RuntimeError, match="self and mat2 must have the same dtype, but got Float and Double"):
        rgrad.addmm(f, f, d)
    with pytest.raises(RuntimeError, match="self and mat2 must have the same dtype, but got Double and Float"):
        rgrad.addmm(d, f, f)
    with pytest.raises(RuntimeError, match=r"addmm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x2\)"):
        rgrad.addmm(f, rgrad.ones(2, 3), rgrad.ones(2, 2))
    with pytest.raises(RuntimeError, match="The expanded size of the tensor"):
        rgrad.addmm(rgrad.ones(4), rgrad.ones(2, 3), rgrad.ones(3, 3))


@pytest.mark.parametrize("dtype", NUM_DTYPES)
def test_mv_addmv(dtype):
    rng = np.random.default_rng(8)
    mat, vec, inp = rand_np((5, 4), NP[dtype], rng), rand_np((4,), NP[dtype], rng), rand_np((5,), NP[dtype], rng)
    prod = mat.astype(np.float64) @ vec
    assert_close(rgrad.mv(T(mat), T(vec)), prod.astype(NP[dtype]), **tol(dtype))
    assert_close(T(mat).t().t().mv(T(vec)), prod.astype(NP[dtype]), **tol(dtype))
    assert_close(rgrad.addmv(T(inp), T(mat), T(vec), beta=2, alpha=3), (2 * inp + 3 * prod).astype(NP[dtype]), **tol(dtype))
    assert_close(rgrad.addmv(T(inp[:1]), T(mat), T(vec)), (inp[:1] + prod).astype(NP[dtype]), **tol(dtype))


def test_mv_errors():
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"):
        rgrad.mv(rgrad.ones(2, 3), rgrad.ones(4))
    with pytest.raises(RuntimeError, match="vector \\+ matrix @ vector expected, got 1, 2, 2"):
        rgrad.mv(rgrad.ones(2, 3), rgrad.ones(4, 1))
    with pytest.raises(RuntimeError, match="addmv input tensors must have the same dtype, but got Float, Double, and Float"):
        rgrad.mv(rgrad.ones(2, 3, dtype=rgrad.float64), rgrad.ones(3))
    with pytest.raises(RuntimeError, match=r"size mismatch, got input \(5\), mat \(2x3\), vec \(3\)"):
        rgrad.addmv(rgrad.ones(5), rgrad.ones(2, 3), rgrad.ones(3))
    with pytest.raises(NotImplementedError, match="addmv_impl_cpu"):
        rgrad.mv(rgrad.ones(2, 2, dtype=rgrad.bool), rgrad.ones(2, dtype=rgrad.bool))


# ---------------------------------------------------------------- dot, vdot, inner, outer, kron, tensordot

@pytest.mark.parametrize("dtype", NUM_DTYPES)
def test_dot_vdot_inner_outer(dtype):
    rng = np.random.default_rng(9)
    a, b = rand_np((7,), NP[dtype], rng), rand_np((7,), NP[dtype], rng)
    exp = np.dot(a.astype(np.float64), b).astype(NP[dtype])
    for f in (rgrad.dot, rgrad.vdot, rgrad.inner, rgrad.matmul):
        out = f(T(a), T(b))
        assert out.dtype == dtype and out.dim() == 0
        assert_close(out, exp, **tol(dtype))
    assert_close(rgrad.outer(T(a), T(b[:3])), np.outer(a, b[:3]), **tol(dtype))
    assert_close(T(a).ger(T(b[:3])), np.outer(a, b[:3]), **tol(dtype))
    x, y = rand_np((2, 3, 4), NP[dtype], rng), rand_np((5, 4), NP[dtype], rng)
    assert_close(rgrad.inner(T(x), T(y)), np.inner(x.astype(np.float64), y).astype(NP[dtype]), **tol(dtype))


def test_outer_inner_promotion_and_errors():
    assert rgrad.outer(rgrad.ones(2, dtype=rgrad.int32), rgrad.ones(3)).dtype == rgrad.float32
    assert rgrad.outer(rgrad.ones(2, dtype=rgrad.bool), rgrad.ones(3, dtype=rgrad.bool)).dtype == rgrad.bool
    assert_close(rgrad.inner(rgrad.tensor(2.0), rgrad.ones(2, 3)), np.full((2, 3), 2, np.float32))
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument vec2, but got 2-D"):
        rgrad.outer(rgrad.ones(3), rgrad.ones(4, 1))
    with pytest.raises(RuntimeError, match=r"inner\(\) the last dimension must match on both input tensors but got shapes \[2, 3\] and \[4, 2\]"):
        rgrad.inner(rgrad.ones(2, 3), rgrad.ones(4, 2))
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        rgrad.vdot(rgrad.ones(2, 2), rgrad.ones(2, 2))
    with pytest.raises(RuntimeError, match="dot : expected both vectors to have same dtype, but found Float and Double"):
        rgrad.dot(rgrad.ones(2), rgrad.ones(2, dtype=rgrad.float64))


@pytest.mark.parametrize("sa,sb", [((2,), (3,)), ((2, 3), (4, 5)), ((2,), (2, 3)), ((2, 1, 3), (3, 2)), ((), (2,))])
def test_kron(sa, sb):
    rng = np.random.default_rng(10)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    assert_close(rgrad.kron(T(a), T(b)), np.kron(a, b))
    ai = rand_np(sa, np.int32, rng)
    assert rgrad.kron(T(ai), T(b)).dtype == rgrad.float64


def test_tensordot():
    rng = np.random.default_rng(11)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 4, 5))
    assert_close(rgrad.tensordot(T(a), T(b)), np.tensordot(a, b))
    assert_close(rgrad.tensordot(T(a), T(b), 2), np.tensordot(a, b, 2))
    assert_close(rgrad.tensordot(T(a), T(b[:, :, 0].T.copy()), 0), np.tensordot(a, b[:, :, 0].T, 0))
    assert_close(rgrad.tensordot(T(a), T(b), dims=([1, 2], [0, 1])), np.tensordot(a, b, ([1, 2], [0, 1])))
    assert_close(rgrad.tensordot(T(a), T(b), dims=[[2, 1], [1, 0]]), np.tensordot(a, b, ([2, 1], [1, 0])))
    assert_close(rgrad.tensordot(T(a), T(a), dims=([0, 2], [0, 2])), np.tensordot(a, a, ([0, 2], [0, 2])))
    ai = rand_np((2, 3), np.int64)
    assert_close(rgrad.tensordot(T(ai), T(ai), dims=([0], [0])), np.tensordot(ai, ai, ([0], [0])))


def test_tensordot_errors():
    with pytest.raises(RuntimeError, match="contracted dimensions need to match, but first has size 3 in dim -1 and second has size 4 in dim 0"):
        rgrad.tensordot(rgrad.ones(2, 3), rgrad.ones(4, 5), 1)
    with pytest.raises(RuntimeError, match="both dimension lists should have same length"):
        rgrad.tensordot(rgrad.ones(2, 3), rgrad.ones(3, 5), dims=([1, 0], [0]))
    with pytest.raises(RuntimeError, match="tensordot expects dims >= 0, but got dims=-1"):
        rgrad.tensordot(rgrad.ones(2, 3), rgrad.ones(3, 5), dims=-1)
    with pytest.raises(RuntimeError, match="tensordot expects dims < ndim_a or ndim_b, but got dims=3"):
        rgrad.tensordot(rgrad.ones(2, 3), rgrad.ones(3, 5), dims=3)
    with pytest.raises(RuntimeError, match="both inputs should have same dtype"):
        rgrad.tensordot(rgrad.ones(2, 3, dtype=rgrad.int32), rgrad.ones(3, 5), 1)
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        rgrad.tensordot(rgrad.ones(2, 3), rgrad.ones(2, 5), dims=([0, 0], [0, 0]))


# ---------------------------------------------------------------- einsum

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("bij,bkj->bki", [(5, 2, 3), (5, 4, 3)]),
    ("i,i->", [(5,), (5,)]),
    ("i,i", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,j", [(3,), (4,)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ii->", [(4, 4)]),
    ("iij->j", [(3, 3, 2)]),
    ("iji->ij", [(3, 2, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ba", [(2, 3)]),
    ("Ba,ab", [(2, 3), (3, 4)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,jk,kl", [(2, 3), (3, 4), (4, 2)]),
    ("a,b,c,d->", [(2,), (3,), (2,), (3,)]),
    ("ij,kl->ijkl", [(2, 3), (2, 2)]),
    ("ij,kl", [(2, 3), (2, 2)]),
    ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("abcd,dcbe->ae", [(2, 3, 4, 2), (2, 4, 3, 3)]),
    ("...ij,...jk", [(2, 1, 2, 3), (4, 3, 2)]),
    ("...ij,...jk->...ik", [(2, 3), (5, 3, 2)]),
    ("...i,...i->...", [(3, 2), (2,)]),
    ("i...->...", [(3, 2)]),
    ("...ii->...i", [(3, 2, 2)]),
    ("...", [(2, 3)]),
    ("i...i", [(3, 2, 3)]),
    ("b...ij,bjk->b...ik", [(2, 3, 4, 5), (2, 5, 6)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),
    ("i,i->", [(1,), (3,)]),
    ("bij,bjk->bik", [(2, 2, 3), (1, 3, 4)]),
    ("i j -> j i", [(2, 3)]),
    ("ij,jk->", [(2, 3), (3, 4)]),
    ("ii,ij->j", [(3, 3), (3, 4)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("i,->i", [(3,), ()]),
    ("->", [()]),
    ("ij->", [(0, 3)]),
    ("ij,jk->ik", [(2, 0), (0, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("bhqk,bhkd->bqhd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
]


def np_einsum_broadcast(eq, *ops):
    """np.einsum, with size-1 subscript broadcasting applied first (NumPy only broadcasts '...')."""
    if eq == "ij,jk->ik" and ops[0].shape[1] == 1 and ops[1].shape[0] != 1:
        return np.einsum(eq, np.broadcast_to(ops[0], (ops[0].shape[0], ops[1].shape[0])), ops[1])
    if eq == "i,i->" and ops[0].shape != ops[1].shape:
        return np.einsum(eq, np.broadcast_to(ops[0], ops[1].shape), ops[1])
    if eq == "bij,bjk->bik" and ops[0].shape[0] != ops[1].shape[0]:
        return np.einsum(eq, ops[0], np.broadcast_to(ops[1], (ops[0].shape[0],) + ops[1].shape[1:]))
    return np.einsum(eq, *ops)


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum(eq, shapes):
    rng = np.random.default_rng(12)
    ops = [rng.standard_normal(s) for s in shapes]
    expected = np_einsum_broadcast(eq, *ops)
    assert_close(rgrad.einsum(eq, *[T(o) for o in ops]), expected, rtol=1e-9, atol=1e-9)
    assert_close(rgrad.einsum(eq, [T(o) for o in ops]), expected, rtol=1e-9, atol=1e-9)


def test_einsum_noncontiguous_and_int():
    rng = np.random.default_rng(13)
    a = rng.standard_normal((4, 3))
    b = rng.standard_normal((5, 4))
    assert_close(rgrad.einsum("ij,jk->ik", T(a).t(), T(b).t()), a.T @ b.T)
    ai = rand_np((3, 4), np.int32, rng)
    bi = rand_np((4, 2), np.int32, rng)
    out = rgrad.einsum("ij,jk->ik", T(ai), T(bi))
    assert out.dtype == rgrad.int32
    assert_close(out, ai @ bi)
    assert rgrad.einsum("ij->j", T(ai)).dtype == rgrad.int64  # a single-operand sum: int64, as PyTorch
    assert_close(rgrad.einsum(T(a), [0, 1], T(b), [2, 0], [2, 1]), np.einsum(a, [0, 1], b, [2, 0], [2, 1]))
    assert_close(rgrad.einsum(T(a), [Ellipsis, 1]), a)


def test_einsum_errors():
    f = rgrad.ones(2, 2)
    with pytest.raises(RuntimeError, match="einsum\\(\\): output subscript l does not appear in the equation for any input operand"):
        rgrad.einsum("ij,jk->il", f, f)
    with pytest.raises(RuntimeError, match=r"einsum\(\): the number of subscripts in the equation \(3\) does not match the number of dimensions \(2\) for operand 1 and no ellipsis was given"):
        rgrad.einsum("ij,jkl->ik", f, f)
    with pytest.raises(RuntimeError, match="subscript i has size 3 for operand 1 which does not broadcast with previously seen size 2"):
        rgrad.einsum("i,i->", rgrad.ones(2), rgrad.ones(3))
    with pytest.raises(RuntimeError, match="subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"):
        rgrad.einsum("ii->i", rgrad.ones(2, 3))
    with pytest.raises(RuntimeError, match="output subscript i appears more than once in the output"):
        rgrad.einsum("ij->ii", f)
    with pytest.raises(RuntimeError, match="invalid subscript given at index 4 in the equation string, subscripts must be in \\[a-zA-Z\\]"):
        rgrad.einsum("i->i->", rgrad.ones(2))
    with pytest.raises(RuntimeError, match="fewer operands were provided than specified in the equation"):
        rgrad.einsum("ij,jk->ik", f)
    with pytest.raises(RuntimeError, match="more operands were provided than specified in the equation"):
        rgrad.einsum("ij,jk->ik", f, f, f)
    with pytest.raises(RuntimeError, match="found '.' for operand 0 that is not part of any ellipsis"):
        rgrad.einsum("ij.k", f)
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        rgrad.einsum("ij,jk->ik", f, rgrad.ones(2, 2, dtype=rgrad.float64))


# ---------------------------------------------------------------- linear

def test_linear():
    rng = np.random.default_rng(14)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((5, 3)), rng.standard_normal(5)
    F = rgrad.nn.functional
    assert_close(F.linear(T(x), T(w), T(b)), x @ w.T + b)
    assert_close(F.linear(T(x), T(w)), x @ w.T)
    assert_close(F.linear(T(x[0]), T(w), T(b)), x[0] @ w.T + b)
    x3 = rng.standard_normal((2, 4, 3))
    assert_close(F.linear(T(x3), T(w), T(b)), x3 @ w.T + b)
    assert_close(F.linear(T(x), T(w[0])), x @ w[0])
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)"):
        F.linear(rgrad.ones(2, 3), rgrad.ones(4, 5))


def test_multi_dot_chain_matmul():
    rng = np.random.default_rng(15)
    a, b, c = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    assert_close(rgrad.linalg.multi_dot([T(a), T(b), T(c)]), np.linalg.multi_dot([a, b, c]))
    assert_close(rgrad.chain_matmul(T(b), T(c)), b @ c)


# ---------------------------------------------------------------- gradients

def R(*shape, seed=0):
    rng = np.random.default_rng(seed + len(shape))
    return rgrad.tensor(rng.standard_normal(shape), dtype=rgrad.float64, requires_grad=True)


gradcheck = rgrad.autograd.gradcheck


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_grad(sa, sb):
    assert gradcheck(lambda a, b: a @ b, (R(*sa), R(*sb, seed=1)))


def test_matmul_grad_noncontiguous_and_fold_fallback():
    a = R(5, 4, 3)
    b = R(3, 2, seed=1)
    assert gradcheck(lambda a, b: a.permute(1, 0, 2) @ b, (a, b))
    assert gradcheck(lambda a, b: a.transpose(-1, -2) @ b.t(), (R(2, 3, 4), R(5, 3, seed=2)))


def test_product_family_grads():
    assert gradcheck(rgrad.mm, (R(3, 4), R(4, 2, seed=1)))
    assert gradcheck(rgrad.bmm, (R(2, 3, 4), R(2, 4, 2, seed=1)))
    assert gradcheck(rgrad.mv, (R(3, 4), R(4, seed=1)))
    assert gradcheck(rgrad.dot, (R(4), R(4, seed=1)))
    assert gradcheck(rgrad.vdot, (R(4), R(4, seed=1)))
    assert gradcheck(rgrad.outer, (R(3), R(4, seed=1)))
    assert gradcheck(rgrad.inner, (R(2, 4), R(3, 4, seed=1)))
    assert gradcheck(rgrad.kron, (R(2, 3), R(2, 2, seed=1)))
    assert gradcheck(lambda a, b: rgrad.tensordot(a, b, dims=([1, 0], [0, 2])), (R(3, 2, 4), R(2, 5, 3, seed=1)))
    assert gradcheck(lambda i, a, b: rgrad.addmm(i, a, b, beta=0.5, alpha=2.0), (R(3), R(2, 4, seed=1), R(4, 3, seed=2)))
    assert gradcheck(lambda i, a, b: rgrad.addmm(i, a, b, beta=0), (R(2, 3), R(2, 4, seed=1), R(4, 3, seed=2)))
    assert gradcheck(lambda i, a, b: rgrad.baddbmm(i, a, b, beta=-1, alpha=0.5), (R(2, 1, 3), R(2, 2, 4, seed=1), R(2, 4, 3, seed=2)))
    assert gradcheck(lambda i, a, b: rgrad.addbmm(i, a, b, alpha=3), (R(2, 3), R(4, 2, 5, seed=1), R(4, 5, 3, seed=2)))
    assert gradcheck(lambda i, a, b: rgrad.addmv(i, a, b, beta=2, alpha=0.5), (R(3), R(3, 4, seed=1), R(4, seed=2)))
    F = rgrad.nn.functional
    assert gradcheck(F.linear, (R(4, 3), R(5, 3, seed=1), R(5, seed=2)))
    assert gradcheck(F.linear, (R(2, 4, 3), R(5, 3, seed=1), R(5, seed=2)))


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("bij,bkj->bik", [(2, 2, 3), (2, 4, 3)]),
    ("...ij,...jk", [(2, 1, 2, 3), (3, 3, 2)]), ("i,j->ij", [(2,), (3,)]), ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("ii,ij->j", [(3, 3), (3, 2)]), ("i,i->", [(1,), (3,)]),
])
def test_einsum_grad(eq, shapes):
    ops = [R(*s, seed=i) for i, s in enumerate(shapes)]
    assert gradcheck(lambda *xs: rgrad.einsum(eq, *xs), tuple(ops))


def test_second_order_grad():
    a, b = R(3, 3), R(3, 3, seed=1)
    (ga,) = rgrad.autograd.grad((a @ b).pow(2).sum(), (a,), create_graph=True)
    (gb,) = rgrad.autograd.grad(ga.sum(), (b,))
    an, bn = to_np(a), to_np(b)

    def g(bm):  # sum of d/da sum((ab)^2) = sum(2 (ab) b^T)
        return (2 * (an @ bm) @ bm.T).sum()

    num = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            e = np.zeros((3, 3))
            e[i, j] = 1e-6
            num[i, j] = (g(bn + e) - g(bn - e)) / 2e-6
    assert_close(gb, num, rtol=1e-5, atol=1e-5)


def test_broadcast_batch_grad_shapes():
    a = R(3, 4)
    b = R(5, 4, 2, seed=1)
    (a @ b).sum().backward()
    assert a.grad.shape == (3, 4) and b.grad.shape == (5, 4, 2)
    an, bn = to_np(a), to_np(b)
    assert_close(a.grad, np.ones((5, 3, 2)) @ np.swapaxes(bn, 1, 2) @ np.ones(1) if False else (np.ones((5, 3, 2)) @ np.swapaxes(bn, 1, 2)).sum(0))
    assert_close(b.grad, np.swapaxes(np.broadcast_to(an, (5, 3, 4)), 1, 2) @ np.ones((5, 3, 2)))


@pytest.mark.parametrize("dtype", [rgrad.float32, rgrad.float64])
def test_mid_size_strided(dtype):
    # 40..192-sized products take the matrixmultiply kernel: negative, transposed and zero strides
    rng = np.random.default_rng(16)
    a = rand_np((96, 80), NP[dtype], rng)
    b = rand_np((80, 64), NP[dtype], rng)
    va, vb = a[::-1], b[:, ::-1]
    assert_close(rgrad.from_numpy(va) @ rgrad.from_numpy(vb), ref_mm(va, vb), **tol(dtype))
    assert_close(T(b).t() @ T(a).t(), ref_mm(b.T, a.T), **tol(dtype))
    row = T(a[:1]).expand(96, 80)
    assert_close(row @ T(b), ref_mm(np.broadcast_to(a[:1], (96, 80)), b), **tol(dtype))
    c = rand_np((96, 64), NP[dtype], rng)
    assert_close(rgrad.addmm(T(c), T(a), T(b), beta=0.5, alpha=2.0), (0.5 * c + 2.0 * ref_mm(a, b)).astype(NP[dtype]), **tol(dtype))
    nan = rgrad.full((96, 64), float("nan"), dtype=dtype)
    assert_close(rgrad.addmm(nan, T(a), T(b), beta=0), ref_mm(a, b), **tol(dtype))


# ---------------------------------------------------------------- einsum integer dtypes (PyTorch 2.x rules)

def _ar(*shape, dtype=rgrad.int32):
    n = int(np.prod(shape)) if shape else 1
    return T(np.arange(1, 1 + n).reshape(shape).astype(np.int64)).to(dtype)


# (equation, operand shapes, expected dtype or the error message), as PyTorch 2.15 answers:
# a contracted dim that only one operand has is summed (sum: int -> int64); a pair
# with dims to contract is a bmm (equal dtypes required), without them a mul (promotes).
EINSUM_INT_CASES = [
    ("ij->", [(2, 3)], rgrad.int64),
    ("ij->i", [(2, 1)], rgrad.int64),
    ("ii", [(3, 3)], rgrad.int64),
    ("ij", [(2, 3)], rgrad.int32),
    ("ij,jk->ik", [(2, 3), (3, 2)], rgrad.int32),
    ("ij,jk->", [(2, 3), (3, 2)], rgrad.int64),
    ("i,i->", [(3,), (3,)], rgrad.int32),
    ("i,i", [(3,), (3,)], rgrad.int32),
    ("ij,ij->", [(2, 3), (2, 3)], rgrad.int32),
    ("ij,kl->", [(2, 3), (2, 3)], rgrad.int64),
    ("ij,k->i", [(2, 3), (3,)], rgrad.int64),
    ("i,j->", [(3,), (3,)], rgrad.int64),
    ("i,j,k->", [(3,), (3,), (3,)], rgrad.int64),
    ("ij,jk->", [(1, 3), (3, 1)], rgrad.int32),
    ("i,i,i->", [(3,), (3,), (3,)], rgrad.int32),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)], rgrad.int32),
    ("ij,jk,k->i", [(2, 3), (3, 4), (4,)], rgrad.int32),
    ("i,j,ij->", [(2,), (3,), (2, 3)], rgrad.int32),
    ("bij,bjk->ik", [(2, 2, 3), (2, 3, 2)], rgrad.int32),
    ("ii,i->", [(3, 3), (3,)], rgrad.int32),
    ("ij,i->j", [(2, 3), (2,)], rgrad.int32),
    ("...j,...j->...", [(2, 3), (2, 3)], rgrad.int32),
    ("ij,j->", [(2, 3), (3,)], "expected scalar type Long but found Int"),
    ("ij,jk->", [(1, 3), (3, 2)], "expected scalar type Int but found Long"),
    ("ij,ij->", [(1, 3), (2, 3)], "expected scalar type Int but found Long"),
    ("ij,ij->", [(2, 3), (1, 3)], "expected scalar type Long but found Int"),
    ("ij,jk,kl->", [(2, 3), (3, 4), (4, 2)], "expected scalar type Long but found Int"),
    ("ij,j->", [(2, 0), (0,)], rgrad.int32),  # empty bmm: no kernel, no dtype check
    ("ij,jk->", [(0, 3), (3, 2)], rgrad.int64),
]


@pytest.mark.parametrize("eq,shapes,want", EINSUM_INT_CASES)
def test_einsum_int_dtypes(eq, shapes, want):
    ops = [_ar(*s) for s in shapes]
    if isinstance(want, str):
        with pytest.raises(RuntimeError, match=want):
            rgrad.einsum(eq, *ops)
        return
    out = rgrad.einsum(eq, *ops)
    assert out.dtype == want
    ref = np.einsum(eq, *[to_np(o).astype(np.int64) for o in ops])
    np.testing.assert_array_equal(to_np(out), ref)


def test_einsum_bool_and_mixed_dtypes():
    b = rgrad.ones(2, 3, dtype=rgrad.bool)
    assert rgrad.einsum("ij->", b).dtype == rgrad.int64
    assert rgrad.einsum("ij,kl->", b, b).dtype == rgrad.int64
    assert rgrad.einsum("ij,kl->", b, b).item() == 36
    assert rgrad.einsum("i,j->ij", b[0], b[1]).dtype == rgrad.bool
    with pytest.raises(NotImplementedError, match="\"bmm\" not implemented for 'Bool'"):
        rgrad.einsum("ij,ij->", b, b)
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Bool"):
        rgrad.einsum("ij,j->", b, b[0])
    f, d = rgrad.ones(3), rgrad.ones(3, dtype=rgrad.float64)
    assert rgrad.einsum("i,j->ij", f, d).dtype == rgrad.float64
    assert rgrad.einsum("i,i->i", f, d).dtype == rgrad.float64
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        rgrad.einsum("i,i->", f, d)
    e = rgrad.einsum("ij,jk->ik", rgrad.ones(2, 0), rgrad.ones(0, 3, dtype=rgrad.float64))
    assert e.dtype == rgrad.float64 and e.shape == (2, 3) and not to_np(e).any()


def test_empty_products_skip_kernel_checks():
    B = rgrad.bool
    out = rgrad.mm(rgrad.ones(2, 0, dtype=B), rgrad.ones(0, 3, dtype=B))
    assert out.dtype == B and out.shape == (2, 3) and not to_np(out).any()
    assert rgrad.mm(rgrad.ones(0, 2, dtype=B), rgrad.ones(2, 3, dtype=B)).shape == (0, 3)
    out = rgrad.bmm(rgrad.ones(1, 2, 0, dtype=B), rgrad.ones(1, 0, 3, dtype=B))
    assert out.dtype == B and not to_np(out).any()
    out = rgrad.bmm(rgrad.ones(1, 2, 0, dtype=rgrad.int64), rgrad.ones(1, 0, 3, dtype=rgrad.int32))
    assert out.dtype == rgrad.int32 and not to_np(out).any()
    assert rgrad.matmul(rgrad.ones(2, 2, 0, dtype=B), rgrad.ones(2, 0, 3, dtype=B)).shape == (2, 2, 3)
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        rgrad.mm(rgrad.ones(2, 0, dtype=rgrad.int64), rgrad.ones(0, 3, dtype=rgrad.int32))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found Int"):
        rgrad.bmm(rgrad.ones(1, 2, 2, dtype=rgrad.int64), rgrad.ones(1, 2, 3, dtype=rgrad.int32))
    with pytest.raises(NotImplementedError, match="\"dot\" not implemented for 'Bool'"):
        rgrad.matmul(rgrad.ones(0, dtype=B), rgrad.ones(0, dtype=B))


def test_imatmul_rebinds_like_torch():
    # torch.Tensor has no __imatmul__: `a @= b` is `a = a @ b` (a new tensor, shape may change)
    a = rgrad.ones(2, 3)
    keep = a
    a @= rgrad.ones(3, 4)
    assert a.shape == (2, 4) and keep.shape == (2, 3) and a is not keep
    assert not hasattr(rgrad.Tensor, "__imatmul__")


# ---------------------------------------------------------------- out=

def test_out_keyword():
    rng = np.random.default_rng(5)
    a, b, v = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    ta, tb, tv = T(a), T(b), T(v)
    o = rgrad.empty(2, 4, dtype=rgrad.float64)
    assert rgrad.mm(ta, tb, out=o) is o
    assert_close(o, a @ b)
    o = rgrad.empty(4, 2, dtype=rgrad.float64).t()  # a strided out is written in place
    assert rgrad.matmul(ta, tb, out=o) is o
    assert_close(o, a @ b)
    o = rgrad.empty(1, 2, 4, dtype=rgrad.float64)
    assert_close(rgrad.bmm(ta.unsqueeze(0), tb.unsqueeze(0), out=o), (a @ b)[None])
    o = rgrad.empty(2, 4, dtype=rgrad.float64)
    assert_close(rgrad.addmm(T(np.ones(4)), ta, tb, beta=2, out=o), 2 + a @ b)
    o = rgrad.empty(1, 2, 4, dtype=rgrad.float64)
    assert_close(rgrad.baddbmm(T(np.ones(4)), ta[None], tb[None], out=o), 1 + (a @ b)[None])
    o = rgrad.empty(2, dtype=rgrad.float64)
    assert_close(rgrad.mv(ta, tv, out=o), a @ v)
    assert_close(rgrad.addmv(T(np.ones(2)), ta, tv, out=o), 1 + a @ v)
    o = rgrad.empty((), dtype=rgrad.float64)
    assert_close(rgrad.dot(tv, tv, out=o), v @ v)
    assert_close(rgrad.matmul(tv, tv, out=o), v @ v)
    o = rgrad.empty(3, 3, dtype=rgrad.float64)
    assert_close(rgrad.outer(tv, tv, out=o), np.outer(v, v))
    o32 = rgrad.empty(3, 3)
    assert rgrad.outer(T(np.arange(3)), T(np.arange(3)), out=o32).dtype == rgrad.float32  # casts up
    o = rgrad.empty(2, 4, dtype=rgrad.float64)
    assert rgrad.linalg.matmul(ta, tb, out=o) is o
    # overlap with an input: computed first, then written
    sq = T(rng.standard_normal((3, 3)))
    ref = to_np(sq) @ to_np(sq)
    rgrad.mm(sq, sq, out=sq)
    assert_close(sq, ref)


def test_out_keyword_errors():
    a, b = rgrad.ones(2, 3), rgrad.ones(3, 4)
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype float, but got double instead"):
        rgrad.mm(a, b, out=rgrad.empty(2, 4, dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype float, but got int instead"):
        rgrad.bmm(a[None], b[None], out=rgrad.empty(1, 2, 4, dtype=rgrad.int32))
    with pytest.raises(RuntimeError, match="result dtype Double does not match input dtype Float"):
        rgrad.dot(b[0], b[0], out=rgrad.empty((), dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Int"):
        rgrad.outer(b[0], b[0], out=rgrad.empty(4, 4, dtype=rgrad.int32))
    msg = r"mm\(\): functions with out=\.\.\. arguments don't support automatic differentiation, but one of the arguments requires grad\."
    with pytest.raises(RuntimeError, match=msg):
        rgrad.mm(a.clone().requires_grad_(), b, out=rgrad.empty(2, 4))
    with pytest.raises(RuntimeError, match=msg):
        rgrad.mm(a, b, out=rgrad.empty(2, 4, requires_grad=True))
    with rgrad.no_grad():
        o = rgrad.empty(2, 4)
        assert rgrad.mm(a.clone().requires_grad_(), b, out=o) is o
    with pytest.raises(RuntimeError, match="can't resize out= tensors yet"):
        rgrad.mm(a, b, out=rgrad.empty(0))
    with pytest.raises(TypeError):
        rgrad.mm([[1.0]], b, out=rgrad.empty(2, 4))


def test_out_keyword_inner_tensordot():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    o = rgrad.empty(3, 5, dtype=rgrad.float64)
    assert rgrad.inner(T(a), T(b), out=o) is o
    assert_close(o, np.inner(a, b))
    o = rgrad.empty(3, 5, dtype=rgrad.float64)
    assert rgrad.tensordot(T(a), T(b.T), dims=1, out=o) is o
    assert_close(o, np.tensordot(a, b.T, axes=1))
    assert_close(rgrad.tensordot(a=T(a), b=T(b.T), dims=([1], [0])), np.tensordot(a, b.T, axes=([1], [0])))
    # composite in PyTorch: out= keeps the graph, through a copy into out
    ta = T(a).requires_grad_()
    o = rgrad.empty(3, 5, dtype=rgrad.float64)
    rgrad.inner(ta, T(b), out=o)
    assert o.grad_fn.name() == "CopyBackwards"
    o.sum().backward()
    assert_close(ta.grad, np.tile(b.sum(0), (3, 1)))
    msg = "tensordot: Expected the output tensor to have dtype Double, but got an output tensor with dtype Float"
    with pytest.raises(RuntimeError, match=msg):
        rgrad.inner(T(a), T(b), out=rgrad.empty(3, 5))
    with pytest.raises(RuntimeError, match=msg):
        rgrad.tensordot(T(a), T(b.T), 1, out=rgrad.empty(3, 5))
    with pytest.raises(TypeError, match="argument 'a'"):
        rgrad.tensordot([1.0], T(b), 1, out=rgrad.empty(3, 5))
