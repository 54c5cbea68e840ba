"""Joining, rearranging and sorting: values against NumPy, gradients with
gradcheck, PyTorch's errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rgrad
from conftest import DTYPES, NP_OF, assert_close, rand_np, to_np

gradcheck = rgrad.autograd.gradcheck
FLOATS = [rgrad.float32, rgrad.float64]
HYP = settings(max_examples=40, deadline=None)


def t64(shape, seed=0, grad=True):
    a = np.random.default_rng(seed).standard_normal(shape)
    return rgrad.tensor(a, dtype=rgrad.float64, requires_grad=grad)


def noncontig(a):
    """A transposed (non-contiguous) tensor holding the values of 2-D `a`."""
    return rgrad.tensor(np.ascontiguousarray(a.T)).t()


shapes = st.lists(st.integers(0, 4), min_size=1, max_size=4)


# ---------- cat / stack family ----------

@pytest.mark.parametrize("shapes,dim", [
    ([(300_000,), (1,), (0,), (250_001,)], 0),           # few rows: blocks cut into pieces
    ([(3, 70_000), (3, 5), (3, 60_000)], 1),              # few rows, inner blocks
    ([(40_000, 3), (40_000, 1), (40_000, 2)], 1),         # many rows, in parallel chunks
    ([(2, 3, 4), (2, 1, 4), (2, 0, 4)], 1),               # small, serial
    ([(2, 3, 4), (2, 3, 1)], -1),
    # outputs of 8 MB and more are written with streaming stores (rows of at least 1 KB)
    ([(1_200_000,), (1_000_001,), (3,)], 0),              # few rows, pieces; a short tail block
    ([(1100, 1000), (1100, 1030)], 1),                    # many rows, each block >= 1 KB
    ([(1100, 1000), (1100, 7)], 1),                       # a block under 1 KB: not streamed
])
def test_cat_contiguous_blocks(shapes, dim):
    """cat of contiguous same-dtype inputs (the memcpy path) against NumPy, serial and parallel."""
    arrs = [rand_np(s, np.float32) for s in shapes]
    assert_close(rgrad.cat([rgrad.tensor(a) for a in arrs], dim), np.concatenate(arrs, dim))
    # a non-contiguous input or a dtype to promote takes the general path: same values
    ts = [rgrad.tensor(a) for a in arrs]
    if arrs[0].ndim == 2:
        ts[0] = rgrad.tensor(np.ascontiguousarray(arrs[0].T)).t()
        assert not ts[0].is_contiguous()
    ts[-1] = ts[-1].double()
    got = rgrad.cat(ts, dim)
    assert got.dtype == rgrad.float64
    assert_close(got, np.concatenate(arrs, dim).astype(np.float64))
    # a legacy 1-D empty tensor is skipped in any position
    assert_close(rgrad.cat([rgrad.zeros(0), rgrad.tensor(arrs[0]), rgrad.zeros(0)], dim), arrs[0])
    # views with an offset (contiguous, non-zero storage offset)
    base = rgrad.tensor(np.concatenate([np.zeros((1,) + arrs[0].shape[1:], np.float32), arrs[0]]))
    assert_close(rgrad.cat([base[1:], rgrad.tensor(arrs[1])], dim), np.concatenate(arrs[:2], dim))


@pytest.mark.parametrize("dt", DTYPES)
def test_cat_values_dtypes(dt):
    npd = NP_OF[dt]
    a, b, c = rand_np((2, 3), npd), rand_np((4, 3), npd), rand_np((0, 3), npd)
    assert_close(rgrad.cat([rgrad.tensor(a), rgrad.tensor(b), rgrad.tensor(c)]), np.concatenate([a, b, c]))
    assert_close(rgrad.cat([rgrad.tensor(a), rgrad.tensor(a)], dim=-1), np.concatenate([a, a], 1))
    assert_close(rgrad.concat((rgrad.tensor(a),), 1), a)
    assert_close(rgrad.concatenate([rgrad.tensor(a), rgrad.tensor(b)], axis=0), np.concatenate([a, b]))


@given(shape=shapes, data=st.data())
@HYP
def test_cat_hypothesis(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, 4))
    parts = []
    for i in range(k):
        s = list(shape)
        s[dim] = data.draw(st.integers(0, 3))
        parts.append(rand_np(tuple(s), np.float32, np.random.default_rng(i)))
    assert_close(rgrad.cat([rgrad.tensor(p) for p in parts], dim), np.concatenate(parts, dim))
    assert_close(rgrad.stack([rgrad.tensor(parts[0])] * k, dim), np.stack([parts[0]] * k, dim))


def test_cat_promotion_and_legacy_empty():
    r = rgrad.cat([rgrad.tensor([1, 2], dtype=rgrad.int32), rgrad.tensor([True]), rgrad.zeros(0, dtype=rgrad.float64)])
    assert r.dtype == rgrad.float64
    assert_close(r, np.array([1.0, 2.0, 1.0]))
    r = rgrad.cat([rgrad.zeros(2, 2), rgrad.zeros(0)])
    assert r.shape == (2, 2)
    r = rgrad.cat([rgrad.tensor([1], dtype=rgrad.int32), rgrad.tensor([2], dtype=rgrad.int64)])
    assert r.dtype == rgrad.int64


def test_cat_noncontiguous_and_expanded():
    a = rand_np((3, 4), np.float32)
    x = noncontig(a)
    e = rgrad.tensor([1.0, 2.0, 3.0, 4.0]).expand(2, 4)
    assert_close(rgrad.cat([x, e]), np.concatenate([a.T.T, np.tile([1, 2, 3, 4], (2, 1)).astype(np.float32)]))
    assert_close(rgrad.cat([rgrad.from_numpy(a[:, ::2]), rgrad.from_numpy(a[::-1, 1::2])], 1), np.concatenate([a[:, ::2], a[::-1, 1::2]], 1))


def test_cat_errors():
    with pytest.raises(RuntimeError, match=r"Sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1 in the list."):
        rgrad.cat([rgrad.zeros(2, 2), rgrad.zeros(2, 3)])
    with pytest.raises(RuntimeError, match="Tensors must have same number of dimensions: got 2 and 1"):
        rgrad.cat([rgrad.zeros(2, 2), rgrad.zeros(2)])
    with pytest.raises(RuntimeError, match=r"zero-dimensional tensor \(at position 0\) cannot be concatenated"):
        rgrad.cat([rgrad.zeros(()), rgrad.zeros(2)])
    with pytest.raises(ValueError, match="expected a non-empty list of Tensors"):
        rgrad.cat([])
    with pytest.raises(IndexError, match="Dimension out of range"):
        rgrad.cat([rgrad.zeros(2, 2)], dim=2)
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        rgrad.cat([rgrad.zeros(2), 3])
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1"):
        rgrad.stack([rgrad.zeros(2), rgrad.zeros(3)])
    with pytest.raises(RuntimeError, match="stack expects a non-empty TensorList"):
        rgrad.stack([])


def test_cat_stack_grad():
    a, b = t64((2, 3)), t64((1, 3), 1)
    assert gradcheck(lambda a, b: rgrad.cat([a, b, a]), (a, b))
    assert gradcheck(lambda a, b: rgrad.cat([a, b.expand(2, 3)], 1), (a, b))
    assert gradcheck(lambda a: rgrad.stack([a, a * 2], 1), (a,))
    # promotion: the float32 input gets a float32 gradient
    c = rgrad.ones(2, requires_grad=True)
    d = rgrad.ones(2, dtype=rgrad.float64, requires_grad=True)
    rgrad.cat([c, d]).sum().backward()
    assert c.grad.dtype == rgrad.float32 and d.grad.dtype == rgrad.float64
    # legacy empty input gets an empty gradient
    e = rgrad.zeros(0, dtype=rgrad.float64, requires_grad=True)
    rgrad.cat([a, e]).sum().backward()
    assert e.grad.shape == (0,)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 2)])
def test_hvd_stack(shape):
    a = rand_np(shape, np.float64)
    b = rand_np(shape, np.float64, np.random.default_rng(1))
    ta, tb = rgrad.tensor(a), rgrad.tensor(b)
    assert_close(rgrad.hstack([ta, tb]), np.hstack([a, b]))
    assert_close(rgrad.vstack([ta, tb]), np.vstack([a, b]))
    assert_close(rgrad.row_stack([ta, tb]), np.vstack([a, b]))
    assert_close(rgrad.dstack([ta, tb]), np.dstack([a, b]))
    if len(shape) <= 2:
        assert_close(rgrad.column_stack([ta, tb]), np.column_stack([a, b]))
    assert_close(rgrad.atleast_1d(ta), np.atleast_1d(a))
    assert_close(rgrad.atleast_2d(ta), np.atleast_2d(a))
    assert_close(rgrad.atleast_3d(ta), np.atleast_3d(a))


# ---------- split family ----------

@given(n=st.integers(0, 12), size=st.integers(1, 5), other=st.integers(1, 3))
@HYP
def test_split_chunk_hypothesis(n, size, other):
    a = np.arange(n * other, dtype=np.float32).reshape(n, other)
    x = rgrad.tensor(a)
    parts = rgrad.split(x, size)
    expect = [a[i:i + size] for i in range(0, n, size)] or [a]
    assert len(parts) == len(expect)
    for p, e in zip(parts, expect):
        assert_close(p, e)
    if n:
        c = x.chunk(size)
        cs = math.ceil(n / size)
        exp_c = [a[i:i + cs] for i in range(0, n, cs)]
        assert [tuple(p.shape) for p in c] == [e.shape for e in exp_c]
    ts = rgrad.tensor_split(x, size)
    for p, e in zip(ts, np.array_split(a, size)):
        assert_close(p, e)
    assert len(ts) == size
    idx = sorted({min(size, n), max(0, n - size)})
    for p, e in zip(rgrad.tensor_split(x, idx), np.split(a, idx)):
        assert_close(p, e)


def test_split_sizes_views_and_grad():
    x = rgrad.arange(10.0).reshape(5, 2)
    a, b = x.split([2, 3])
    assert a.shape == (2, 2) and b.shape == (3, 2)
    b.select(0, 0).fill_(100.0)  # views share memory with x
    assert x.select(0, 2).select(0, 0).item() == 100.0
    assert len(x.split(2, dim=1)) == 1
    assert [p.shape[1] for p in rgrad.tensor_split(rgrad.zeros(2, 7), rgrad.tensor([1, 4]), dim=1)] == [1, 3, 3]
    assert len(rgrad.tensor_split(rgrad.zeros(7), rgrad.tensor(3))) == 3
    assert [p.shape[0] for p in rgrad.tensor_split(rgrad.zeros(5), [4, 1, 9])] == [4, 0, 4, 0]
    u = rgrad.unbind(x, 1)
    assert_close(u[1], to_np(x)[:, 1])
    w = t64((4, 3))
    assert gradcheck(lambda w: w.split([1, 3])[1] * 2, (w,))
    assert gradcheck(lambda w: rgrad.chunk(w, 2, 1)[0], (w,))
    assert gradcheck(lambda w: w.unbind(0)[2], (w,))
    assert gradcheck(lambda w: rgrad.tensor_split(w, [1, 2])[1], (w,))


def test_split_errors():
    x = rgrad.zeros(5)
    with pytest.raises(RuntimeError, match=r"split_with_sizes expects split_sizes to sum exactly to 5 \(input tensor's size at dimension 0\), but got split_sizes=\[2, 2\]"):
        rgrad.split(x, [2, 2])
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0, got: 0"):
        rgrad.chunk(x, 0)
    with pytest.raises(RuntimeError, match="split_size can only be 0 if dimension size is 0"):
        x.split(0)
    with pytest.raises(RuntimeError, match="split expects split_size be non-negative"):
        x.split(-1)
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0, got 0"):
        rgrad.tensor_split(x, 0)
    with pytest.raises(IndexError, match="Dimension specified as 0 but tensor has no dimensions"):
        rgrad.zeros(()).unbind()


# ---------- flip / roll / rot90 ----------

@pytest.mark.parametrize("dt", DTYPES)
def test_flip_family(dt):
    a = rand_np((2, 3, 4), NP_OF[dt])
    x = rgrad.tensor(a)
    assert_close(rgrad.flip(x, (0, 2)), np.flip(a, (0, 2)))
    assert_close(x.flip(-1), np.flip(a, -1))
    assert_close(x.flip([]), a)
    assert_close(rgrad.fliplr(x), np.fliplr(a))
    assert_close(rgrad.flipud(x), np.flipud(a))
    assert_close(noncontig(a[0]).flip(0), np.flip(a[0], 0))
    assert_close(rgrad.tensor(3.0).flip(0), np.array(3.0, dtype=np.float32))
    f = x.flip(0)
    f.zero_()  # a copy, as in PyTorch
    assert_close(x, a)


@given(shape=shapes, data=st.data())
@HYP
def test_roll_hypothesis(shape, data):
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    x = rgrad.tensor(a)
    k = data.draw(st.integers(1, len(shape)))
    dims = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=k, max_size=k))
    shifts = data.draw(st.lists(st.integers(-7, 7), min_size=k, max_size=k))
    assert_close(x.roll(shifts, dims), np.roll(a, shifts, dims))
    assert_close(rgrad.roll(x, shifts[0]), np.roll(a, shifts[0]))


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5])
def test_rot90(k):
    a = rand_np((3, 4, 2), np.float64)
    x = rgrad.tensor(a)
    assert_close(rgrad.rot90(x, k), np.rot90(a, k))
    assert_close(x.rot90(k, [2, 0]), np.rot90(a, k, (2, 0)))


def test_flip_roll_rot_grad_and_errors():
    x = t64((3, 4))
    assert gradcheck(lambda x: x.flip(0, 1), (x,))
    assert gradcheck(lambda x: x.roll((1, -2), (0, 1)), (x,))
    assert gradcheck(lambda x: x.roll(5), (x,))
    assert gradcheck(lambda x: x.rot90(1), (x,))
    assert gradcheck(lambda x: rgrad.fliplr(x), (x,))
    with pytest.raises(RuntimeError, match="Input must be >= 2-d."):
        rgrad.fliplr(rgrad.zeros(2))
    with pytest.raises(RuntimeError, match="Input must be >= 1-d."):
        rgrad.flipud(rgrad.zeros(()))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        rgrad.flip(rgrad.zeros(2, 2), (0, 0))
    with pytest.raises(RuntimeError, match="shifts and dimensions must align. shifts: 2, dims:1"):
        rgrad.roll(rgrad.zeros(5), (1, 2), (0,))
    with pytest.raises(RuntimeError, match="expected total dims >= 2, but got total dims = 1"):
        rgrad.rot90(rgrad.zeros(5), 1, (0, 1))
    with pytest.raises(RuntimeError, match="expected total rotation dims == 2, but got dims = 3"):
        rgrad.rot90(rgrad.zeros(5, 5), 1, (0, 1, 2))
    with pytest.raises(RuntimeError, match="expected rotation dims to be different, but got dim0 = 0 and dim1 = 0"):
        rgrad.rot90(rgrad.zeros(5, 5), 1, (0, 0))


# ---------- repeat / tile / repeat_interleave ----------

@pytest.mark.parametrize("dt", DTYPES)
def test_repeat_tile(dt):
    a = rand_np((2, 3), NP_OF[dt])
    x = rgrad.tensor(a)
    assert_close(x.repeat(2, 3), np.tile(a, (2, 3)))
    assert_close(x.repeat((2, 1, 2)), np.tile(a, (2, 1, 2)))
    assert_close(x.repeat(0, 1), np.tile(a, (0, 1)))
    assert_close(rgrad.tile(x, (2,)), np.tile(a, 2))
    assert_close(x.tile(2, 1, 1), np.tile(a, (2, 1, 1)))
    assert_close(rgrad.tensor(3).tile((2,)), np.array([3, 3]))
    assert_close(x.repeat_interleave(2), np.repeat(a, 2))
    assert_close(x.repeat_interleave(2, dim=1), np.repeat(a, 2, 1))
    r = np.array([1, 0, 2])
    assert_close(rgrad.repeat_interleave(x, rgrad.tensor(r), dim=1), np.repeat(a, r, 1))
    assert_close(x.repeat_interleave(rgrad.tensor([2]), dim=0), np.repeat(a, 2, 0))


def test_repeat_interleave_forms_and_errors():
    assert_close(rgrad.repeat_interleave(rgrad.tensor([2, 3])), np.array([0, 0, 1, 1, 1]))
    assert_close(rgrad.tensor([1, 2, 3]).repeat_interleave(2, output_size=6), np.repeat([1, 2, 3], 2))
    with pytest.raises(RuntimeError, match=r"repeats must have the same size as input along dim, but got repeats.size\(0\) = 3 and input.size\(0\) = 2"):
        rgrad.repeat_interleave(rgrad.tensor([1, 2]), rgrad.tensor([1, 2, 3]))
    with pytest.raises(RuntimeError, match="repeats can not be negative"):
        rgrad.repeat_interleave(rgrad.tensor([1, 2]), rgrad.tensor([1, -2]))
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"):
        rgrad.zeros(2, 2).repeat(2)
    with pytest.raises(RuntimeError, match="Trying to create tensor with negative dimension"):
        rgrad.zeros(2, 2).repeat(-1, 2)


def test_repeat_grad():
    x = t64((2, 3))
    assert gradcheck(lambda x: x.repeat(2, 1, 3), (x,))
    assert gradcheck(lambda x: x.tile((2,)), (x,))
    assert gradcheck(lambda x: x.repeat_interleave(3, dim=0), (x,))
    assert gradcheck(lambda x: x.repeat_interleave(rgrad.tensor([2, 0, 1]), dim=1), (x,))


# ---------- sort family ----------

def ref_sort(a, descending=False):
    """Stable reference along the last axis with PyTorch's NaN-largest order."""
    def key(v):
        return (1, 0.0) if isinstance(v, float) and math.isnan(v) else (0, v)

    vals, idx = [], []
    for row in a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1):
        r = row.tolist()
        if descending:
            # stable descending: ties keep their input order
            order = sorted(range(len(r)), key=lambda i: tuple(-k for k in key(r[i])))
        else:
            order = sorted(range(len(r)), key=lambda i: key(r[i]))
        idx.append(order)
        vals.append([r[i] for i in order])
    shape = a.shape
    return np.array(vals, dtype=a.dtype).reshape(shape), np.array(idx, dtype=np.int64).reshape(shape)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("n", [7, 3000])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_stable_ties(dt, n, descending):
    a = rand_np((3, n), NP_OF[dt], low=-2, high=3)  # many ties
    if dt.is_floating_point:
        a = np.round(a)
        a[0, ::5] = np.nan
        a[1, 1] = -0.0
    x = rgrad.tensor(a)
    v, i = rgrad.sort(x, descending=descending, stable=True)
    ev, ei = ref_sort(a, descending)
    assert_close(v, ev)
    assert_close(i, ei)
    assert_close(x.argsort(descending=descending, stable=True), ei)
    out = rgrad.sort(x, -1, descending)
    assert out.values is out[0] and out.indices is out[1]
    assert type(out).__name__ == "sort"


@pytest.mark.parametrize("dt", DTYPES)
def test_sort_dims_and_layouts(dt):
    a = rand_np((4, 5, 6), NP_OF[dt], low=-100, high=100)
    x = rgrad.tensor(a)
    for d in range(-3, 3):
        assert_close(x.sort(dim=d).values, np.sort(a, axis=d, kind="stable"))
        assert_close(x.sort(dim=d).indices, np.argsort(a, axis=d, kind="stable"))
    assert_close(rgrad.msort(x), np.sort(a, axis=0))
    t = noncontig(a[0])
    assert_close(t.sort(dim=0).values, np.sort(a[0], axis=0))
    e = rgrad.tensor(a[0, :1]).expand(4, 6)
    assert_close(e.sort(0).indices, np.tile(np.arange(4)[:, None], (1, 6)))
    s = rgrad.sort(rgrad.tensor(3.0))
    assert s.values.item() == 3.0 and s.indices.item() == 0
    assert rgrad.sort(rgrad.zeros(0)).values.shape == (0,)


def test_sort_nan_order():
    x = rgrad.tensor([3.0, float("nan"), 1.0, -float("nan"), 2.0, -float("inf")])
    v, i = x.sort()
    assert_close(v, np.array([-np.inf, 1, 2, 3, np.nan, np.nan], dtype=np.float32))
    assert i.tolist() == [5, 2, 4, 0, 1, 3]
    v, i = x.sort(descending=True)
    assert i.tolist() == [1, 3, 0, 4, 2, 5]


def test_sort_large_parallel():
    rng = np.random.default_rng(3)
    a = rng.standard_normal(300_000).astype(np.float32)
    a[::1000] = np.nan
    v, i = rgrad.tensor(a).sort()
    assert_close(i, np.argsort(a, kind="stable"))
    assert_close(v, np.sort(a))
    b = rng.integers(-50, 50, 300_000)
    v, i = rgrad.tensor(b).sort(descending=True, stable=True)
    assert_close(i, np.argsort(-b, kind="stable"))


def test_topk_kthvalue():
    rng = np.random.default_rng(0)
    a = rng.permutation(60).reshape(3, 20).astype(np.float64)  # distinct values
    x = rgrad.tensor(a)
    v, i = x.topk(4)
    assert_close(v, -np.sort(-a, 1)[:, :4])
    assert_close(i, np.argsort(-a, 1)[:, :4])
    v, i = rgrad.topk(x, 2, dim=0, largest=False)
    assert_close(v, np.sort(a, 0)[:2])
    assert_close(i, np.argsort(a, 0)[:2])
    kv = rgrad.kthvalue(x, 5)
    assert_close(kv.values, np.sort(a, 1)[:, 4])
    assert_close(kv.indices, np.argsort(a, 1)[:, 4])
    kv = x.kthvalue(2, 0, keepdim=True)
    assert kv.values.shape == (1, 20)
    assert_close(kv.values, np.sort(a, 0)[1:2])
    assert type(kv).__name__ == "kthvalue"
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        rgrad.topk(rgrad.arange(5.0), 6)
    with pytest.raises(RuntimeError, match=r"kthvalue\(\): selected number k out of range for dimension 0"):
        rgrad.kthvalue(rgrad.arange(5.0), 0)


def test_sort_grads():
    x = rgrad.tensor(np.random.default_rng(1).permutation(12).reshape(3, 4) / 3.0, dtype=rgrad.float64, requires_grad=True)
    assert gradcheck(lambda x: x.sort(dim=1).values, (x,))
    assert gradcheck(lambda x: x.sort(dim=0, descending=True).values, (x,))
    assert gradcheck(lambda x: x.topk(2).values, (x,))
    assert gradcheck(lambda x: x.topk(2, dim=0, largest=False).values, (x,))
    assert gradcheck(lambda x: x.kthvalue(2, 1).values, (x,))
    assert gradcheck(lambda x: rgrad.msort(x), (x,))
    # double backward through the scatter
    y = x.sort(1).values
    (g,) = rgrad.autograd.grad((y * y).sum(), x, create_graph=True)
    assert_close(g, 2 * to_np(x))
    assert x.argsort().requires_grad is False


# ---------- unique ----------

@pytest.mark.parametrize("dt", DTYPES)
def test_unique_values(dt):
    a = rand_np((5, 7), NP_OF[dt], low=-4, high=4)
    x = rgrad.tensor(a)
    u, inv, cnt = rgrad.unique(x, return_inverse=True, return_counts=True)
    eu, einv, ecnt = np.unique(a, return_inverse=True, return_counts=True)
    assert_close(u, eu)
    assert_close(inv, einv.reshape(a.shape))
    assert_close(cnt, ecnt)
    assert_close(x.unique(), eu)
    assert_close(x.unique(sorted=False), eu)
    u, c = x.unique(return_counts=True)
    assert_close(c, ecnt)


def test_unique_paths():
    rng = np.random.default_rng(0)
    for a in [rng.integers(0, 1000, 200_000), rng.integers(-(2**40), 2**40, 1000), rng.integers(0, 3, 5).astype(np.int32)]:
        u, inv, c = rgrad.tensor(a).unique(return_inverse=True, return_counts=True)
        eu, einv, ec = np.unique(a, return_inverse=True, return_counts=True)
        assert_close(u, eu)
        assert_close(inv, einv)
        assert_close(c, ec)
    u, c = rgrad.unique(rgrad.tensor([1.0, float("nan"), float("nan"), 1.0]), return_counts=True)
    assert np.isnan(to_np(u)[1:]).all() and c.tolist() == [2, 1, 1]
    assert rgrad.unique(rgrad.tensor(3.0)).tolist() == [3.0]
    assert rgrad.unique(rgrad.zeros(0)).shape == (0,)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unique_dim(dim):
    a = np.array([[1, 2, 1], [1, 2, 1], [0, 5, 0], [1, 2, 1]])
    u, inv, cnt = rgrad.unique(rgrad.tensor(a), dim=dim, return_inverse=True, return_counts=True)
    eu, einv, ecnt = np.unique(a, axis=dim, return_inverse=True, return_counts=True)
    assert_close(u, eu)
    assert_close(inv, einv.reshape(-1))
    assert_close(cnt, ecnt)


def test_unique_consecutive():
    a = np.array([1, 1, 2, 2, 3, 1, 1, 2])
    u, inv, c = rgrad.unique_consecutive(rgrad.tensor(a), return_inverse=True, return_counts=True)
    assert u.tolist() == [1, 2, 3, 1, 2]
    assert inv.tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    assert c.tolist() == [2, 2, 1, 2, 1]
    m = rgrad.tensor([[1, 1], [1, 1], [2, 0], [1, 1]])
    u, c = m.unique_consecutive(dim=0, return_counts=True)
    assert u.tolist() == [[1, 1], [2, 0], [1, 1]] and c.tolist() == [2, 1, 1]


def test_unique_grad_fn_like_torch():
    """As PyTorch: the values of an input requiring grad require grad and carry a node whose
    backward raises NotImplementedError; inverse and counts never require grad."""
    x = rgrad.tensor([3.0, 1.0, 2.0, 3.0, 1.0], requires_grad=True)
    cases = [
        (lambda: rgrad.unique(x), "Unique2Backward0", "_unique2"),
        (lambda: x.unique(sorted=False, return_inverse=True, return_counts=True), "Unique2Backward0", "_unique2"),
        (lambda: rgrad.unique(x.view(5, 1), dim=0), "UniqueDimBackward0", "unique_dim"),
        (lambda: rgrad.unique_consecutive(x, return_counts=True), "UniqueConsecutiveBackward0", "unique_consecutive"),
        (lambda: x.view(5, 1).unique_consecutive(dim=0), "UniqueConsecutiveBackward0", "unique_consecutive"),
    ]
    for f, node, op in cases:
        r = f()
        u, rest = (r[0], r[1:]) if isinstance(r, tuple) else (r, ())
        assert u.requires_grad and u.grad_fn.name() == node
        assert all(not t.requires_grad for t in rest)
        with pytest.raises(NotImplementedError, match=f"the derivative for '{op}' is not implemented."):
            u.sum().backward()
    with rgrad.no_grad():
        assert not rgrad.unique(x).requires_grad
    assert not rgrad.unique(x.detach()).requires_grad
    assert rgrad.unique(rgrad.tensor([2, 1, 2])).grad_fn is None


# ---------- searchsorted / bucketize / bincount / histc ----------

@pytest.mark.parametrize("dt", [rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64])
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(dt, side):
    rng = np.random.default_rng(0)
    seq = np.sort(rand_np(20, NP_OF[dt], rng, -10, 10))
    vals = rand_np((3, 4), NP_OF[dt], rng, -12, 12)
    r = rgrad.searchsorted(rgrad.tensor(seq), rgrad.tensor(vals), side=side)
    assert_close(r, np.searchsorted(seq, vals, side=side))
    r = rgrad.searchsorted(rgrad.tensor(seq), rgrad.tensor(vals), right=(side == "right"), out_int32=True)
    assert_close(r, np.searchsorted(seq, vals, side=side).astype(np.int32))
    b = rgrad.bucketize(rgrad.tensor(vals), rgrad.tensor(seq), right=(side == "right"))
    assert_close(b, np.searchsorted(seq, vals, side=side))


def test_searchsorted_nd_sorter_scalar_errors():
    seq = np.sort(np.random.default_rng(1).random((3, 5)), 1)
    vals = np.random.default_rng(2).random((3, 4))
    r = rgrad.searchsorted(rgrad.tensor(seq), rgrad.tensor(vals))
    assert_close(r, np.stack([np.searchsorted(s, v) for s, v in zip(seq, vals)]))
    unsorted = np.array([5.0, 1.0, 3.0])
    srt = np.argsort(unsorted)
    r = rgrad.searchsorted(rgrad.tensor(unsorted), rgrad.tensor([2.0, 4.0]), sorter=rgrad.tensor(srt))
    assert_close(r, np.searchsorted(unsorted, [2.0, 4.0], sorter=srt))
    assert rgrad.searchsorted(rgrad.tensor([1, 3, 5, 7]), 3).item() == 1
    assert rgrad.bucketize(3, rgrad.tensor([1, 3, 5, 7])).item() == 1
    nan_seq = rgrad.tensor([1.0, 2.0, float("nan")])
    assert rgrad.searchsorted(nan_seq, rgrad.tensor([float("nan"), 5.0])).tolist() == [2, 2]
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        rgrad.searchsorted(rgrad.tensor([1, 3]), rgrad.tensor([3]), side="left", right=True)
    with pytest.raises(RuntimeError, match="boundaries tensor should be 1 dimension or the first N-1 dimensions"):
        rgrad.searchsorted(rgrad.tensor([[1, 3, 5, 7]]), rgrad.tensor([3, 6]))
    with pytest.raises(RuntimeError, match=r"boundaries tensor must be 1 dimension, but got dim\(2\)"):
        rgrad.bucketize(rgrad.tensor([3]), rgrad.tensor([[1, 3]]))


def test_bincount_histc():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 10, 100)
    assert_close(rgrad.bincount(rgrad.tensor(a)), np.bincount(a))
    assert_close(rgrad.tensor(a, dtype=rgrad.int32).bincount(minlength=20), np.bincount(a, minlength=20))
    w = rng.random(100)
    assert_close(rgrad.bincount(rgrad.tensor(a), weights=rgrad.tensor(w)), np.bincount(a, w))
    assert rgrad.bincount(rgrad.tensor(a), weights=rgrad.tensor(w, dtype=rgrad.float32)).dtype == rgrad.float32
    assert rgrad.bincount(rgrad.tensor(a), weights=rgrad.tensor(a)).dtype == rgrad.float64
    assert rgrad.bincount(rgrad.zeros(0, dtype=rgrad.int64), minlength=3).tolist() == [0, 0, 0]
    with pytest.raises(RuntimeError, match="bincount only supports 1-d non-negative integral inputs."):
        rgrad.bincount(rgrad.tensor([1, -2, 2]))
    with pytest.raises(RuntimeError, match="bincount_cpu\" not implemented for 'Float'"):
        rgrad.bincount(rgrad.tensor([1.0]))
    x = rng.random(1000) * 10 - 5
    h = rgrad.histc(rgrad.tensor(x), bins=7, min=-4, max=4)
    eh, _ = np.histogram(x, bins=7, range=(-4, 4))
    assert_close(h, eh.astype(np.float64))
    h = rgrad.tensor(x, dtype=rgrad.float32).histc(bins=5)
    assert h.dtype == rgrad.float32 and h.sum().item() == 1000
    assert_close(rgrad.histc(rgrad.tensor([1.0, 2, 1]), bins=4, min=0, max=3), np.array([0, 2, 1, 0], np.float32))
    assert_close(rgrad.histc(rgrad.tensor([1.0, 1, 1]), bins=4), np.array([0, 0, 3, 0], np.float32))
    with pytest.raises(RuntimeError, match="torch.histc: max must be larger than min"):
        rgrad.histc(rgrad.tensor([1.0]), bins=4, min=3, max=0)
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        rgrad.histc(rgrad.tensor([1, 2]))


# ---------- triangles, diagonals ----------

@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("k", [-2, 0, 1, 5])
def test_tril_triu(dt, k):
    a = rand_np((2, 3, 4), NP_OF[dt])
    x = rgrad.tensor(a)
    assert_close(rgrad.tril(x, k), np.tril(a, k))
    assert_close(x.triu(diagonal=k), np.triu(a, k))
    assert_close(noncontig(a[0]).tril(k), np.tril(a[0].T.T, k))


def test_diagonal_family():
    a = rand_np((3, 4, 5), np.float64)
    x = rgrad.tensor(a)
    for off in [-2, 0, 1, 4, 9]:
        assert_close(x.diagonal(off, 1, 2), np.diagonal(a, off, 1, 2))
        assert_close(rgrad.diagonal(x, off, 2, 0), np.diagonal(a, off, 2, 0))
    m = a[0]
    assert_close(rgrad.diag(rgrad.tensor(m), 1), np.diag(m, 1))
    assert_close(rgrad.diag(rgrad.tensor(m[0]), -1), np.diag(m[0], -1))
    d = x.diagonal()
    d.zero_()  # a view
    assert to_np(x)[0, 0, 0] == 0
    assert_close(rgrad.trace(rgrad.tensor(m)), np.trace(m))
    assert rgrad.trace(rgrad.ones(2, 3, dtype=rgrad.int32)).dtype == rgrad.int64
    v = rand_np((2, 3), np.float32)
    e = rgrad.diag_embed(rgrad.tensor(v))
    exp = np.zeros((2, 3, 3), np.float32)
    for b in range(2):
        exp[b] = np.diag(v[b])
    assert_close(e, exp)
    e = rgrad.tensor(v).diag_embed(1, 0, 2)
    assert e.shape == (4, 2, 4)
    assert_close(e.diagonal(1, 0, 2), v)
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        rgrad.tril(rgrad.zeros(2))
    with pytest.raises(RuntimeError, match=r"diag\(\): Supports 1D or 2D tensors. Got 3D"):
        rgrad.diag(rgrad.zeros(2, 2, 2))
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 3"):
        rgrad.trace(rgrad.zeros(2, 2, 2))
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, 0"):
        rgrad.diagonal(rgrad.zeros(2, 3), 0, 0, 0)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("k", [-1, 0, 2])
def test_tril_triu_inplace(dt, k):
    a = rand_np((2, 3, 4), NP_OF[dt])
    x = rgrad.tensor(a)
    v0 = x._version
    assert x.tril_(k) is x
    assert_close(x, np.tril(a, k))
    assert x._version > v0
    y = rgrad.tensor(a)
    assert y.triu_(diagonal=k) is y
    assert_close(y, np.triu(a, k))
    # through a non-contiguous view: the base sees the write
    b = rgrad.tensor(a[0].copy())
    b.t().tril_(k)
    assert_close(b, np.tril(a[0].T, k).T)
    with pytest.raises(RuntimeError, match="triu: input tensor must have at least 2 dimensions"):
        rgrad.zeros(3).triu_()


def test_tril_triu_inplace_grad():
    leaf = t64((3, 4))
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        leaf.tril_()
    assert gradcheck(lambda x: (x * 1.0).tril_(1), (leaf,))
    assert gradcheck(lambda x: (x * 1.0).triu_(-1), (leaf,))
    y = leaf * 2.0
    y.triu_()
    assert y.grad_fn is not None
    y.sum().backward()
    assert_close(leaf.grad, 2.0 * np.triu(np.ones((3, 4))))
    with rgrad.no_grad():
        leaf.tril_()
    assert_close(leaf.detach(), np.tril(np.random.default_rng(0).standard_normal((3, 4))))


def test_tri_diag_grads():
    x = t64((3, 4))
    assert gradcheck(lambda x: x.tril(1), (x,))
    assert gradcheck(lambda x: x.triu(-1), (x,))
    assert gradcheck(lambda x: x.diagonal(1), (x,))
    assert gradcheck(lambda x: rgrad.diag(x, -1), (x,))
    assert gradcheck(lambda x: x.trace(), (x,))
    assert gradcheck(lambda x: x.diag_embed(1), (x,))
    v = t64(4)
    assert gradcheck(lambda v: rgrad.diag(v, 2), (v,))


# ---------- movedim, broadcasting, meshgrid ----------

def test_movedim_broadcast_meshgrid():
    a = rand_np((2, 3, 4), np.float32)
    x = rgrad.tensor(a)
    assert_close(rgrad.movedim(x, 0, -1), np.moveaxis(a, 0, -1))
    assert_close(x.moveaxis((0, 1), (2, 0)), np.moveaxis(a, (0, 1), (2, 0)))
    assert_close(rgrad.broadcast_to(rgrad.tensor(a[0, 0]), (2, 4)), np.broadcast_to(a[0, 0], (2, 4)))
    p, q = rgrad.broadcast_tensors(rgrad.tensor(a[:, :1]), rgrad.tensor(a[0]))
    ep, eq = np.broadcast_arrays(a[:, :1], a[0])
    assert_close(p, ep)
    assert_close(q, eq)
    assert rgrad.broadcast_shapes((2, 1), (3,)) == (2, 3)
    u, v = np.arange(3.0), np.arange(4.0)
    for ind in ["ij", "xy"]:
        gs = rgrad.meshgrid(rgrad.tensor(u), rgrad.tensor(v), indexing=ind)
        for g, e in zip(gs, np.meshgrid(u, v, indexing=ind)):
            assert_close(g, e)
    gs = rgrad.meshgrid([rgrad.tensor(u), rgrad.tensor(v), rgrad.tensor([1.0, 2.0], dtype=rgrad.float64)], indexing="xy")
    for g, e in zip(gs, np.meshgrid(u, v, [1.0, 2.0], indexing="xy")):
        assert_close(g, e)
    w = t64(3)
    assert gradcheck(lambda w: rgrad.meshgrid(w, w * 2, indexing="xy")[1], (w,))
    assert gradcheck(lambda w: rgrad.broadcast_to(w, (2, 3)), (w,))
    m = t64((2, 3))
    assert gradcheck(lambda m: m.movedim(0, 1), (m,))
    with pytest.raises(RuntimeError, match="movedim: repeated dim in `source`"):
        rgrad.movedim(rgrad.zeros(2, 3, 4), (0, 0), (1, 2))
    with pytest.raises(RuntimeError, match="should contain the same number of dims as destination"):
        rgrad.movedim(rgrad.zeros(2, 3, 4), (0, 1), (1,))
    with pytest.raises(RuntimeError, match="The expanded size of the tensor"):
        rgrad.broadcast_to(rgrad.zeros(2, 3), (3, 3))
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"):
        rgrad.broadcast_tensors(rgrad.zeros(2, 3), rgrad.zeros(3, 3))
    with pytest.raises(RuntimeError, match='indexing must be one of "xy" or "ij", but received: foo'):
        rgrad.meshgrid(rgrad.zeros(2), rgrad.zeros(3), indexing="foo")


# ---------- NumPy's delete / insert ----------

@pytest.mark.parametrize("obj", [1, -1, slice(0, 3, 2), [0, 2], [2, 0, 2], []])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_delete(obj, axis):
    a = rand_np((3, 4), np.float64)
    assert_close(rgrad.delete(rgrad.tensor(a), obj, axis), np.delete(a, obj, axis))


@pytest.mark.parametrize("obj,values", [
    (1, 9.0), (0, [7.0, 8.0, 9.0]), (3, [[1.0], [2.0], [3.0]]), (-1, 5.0),
    ([1], [[4.0, 5.0, 6.0]]), ([0, 2], 9.0), ([2, 0, 2], [1.0, 2.0, 3.0]), (slice(1, 3), 0.5),
])
@pytest.mark.parametrize("axis", [None, 1])
def test_insert(obj, values, axis):
    a = rand_np((3, 3), np.float64)
    try:
        expected = np.insert(a, obj, values, axis)
    except ValueError:
        with pytest.raises((RuntimeError, ValueError)):
            rgrad.insert(rgrad.tensor(a), obj, values, axis)
        return
    assert_close(rgrad.insert(rgrad.tensor(a), obj, values, axis), expected)


def test_delete_insert_grad_and_errors():
    x = t64((3, 4))
    v = t64((3, 2), 1)
    assert gradcheck(lambda x: rgrad.delete(x, [0, 2], 1), (x,))
    assert gradcheck(lambda x: rgrad.delete(x, 1), (x,))
    assert gradcheck(lambda x, v: rgrad.insert(x, [1, 3], v, 1), (x, v))
    assert gradcheck(lambda x, v: rgrad.insert(x, 2, v.narrow(1, 0, 1), 1), (x, v))
    # the tutorial pairs np.delete with index_select-style selection
    keep = rgrad.tensor([0, 3])
    assert_close(rgrad.delete(x, [1, 2], 1), to_np(x)[:, [0, 3]])
    assert keep.tolist() == [0, 3]
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 3"):
        rgrad.delete(rgrad.zeros(3), 5)
    with pytest.raises(IndexError, match="out of bounds"):
        rgrad.insert(rgrad.zeros(3), 5, 1.0)


def test_function_forms_and_docstrings():
    for name in ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "split", "chunk", "tensor_split",
                 "unbind", "unique", "unique_consecutive", "flip", "fliplr", "flipud", "roll", "rot90", "tile",
                 "repeat_interleave", "sort", "argsort", "msort", "topk", "kthvalue", "searchsorted", "bucketize",
                 "tril", "triu", "diag", "diagonal", "diag_embed", "trace", "movedim", "moveaxis", "broadcast_to",
                 "broadcast_tensors", "meshgrid", "bincount", "histc", "delete", "insert"]:
        f = getattr(rgrad, name)
        assert f.__doc__, name
    for name in ["flip", "roll", "repeat", "tile", "sort", "topk", "kthvalue", "unique", "split", "chunk", "diagonal",
                 "tril", "triu", "movedim", "bincount", "histc", "repeat_interleave", "unbind", "trace"]:
        assert getattr(rgrad.Tensor, name).__doc__, name


# ---------- cartesian_prod, block_diag ----------

@pytest.mark.parametrize("dtype", DTYPES)
def test_cartesian_prod(dtype):
    import itertools

    parts = [rand_np((n,), NP_OF[dtype], np.random.default_rng(n)) for n in (3, 2, 4)]
    got = rgrad.cartesian_prod(*[rgrad.tensor(p) for p in parts])
    want = np.array(list(itertools.product(*parts)), dtype=NP_OF[dtype]).reshape(-1, 3)
    assert got.dtype == dtype and got.shape == (24, 3)
    assert_close(got, want)
    assert_close(rgrad.cartesian_prod(rgrad.tensor(parts[0]), rgrad.tensor(parts[1][:0])), np.zeros((0, 2), NP_OF[dtype]))
    one = rgrad.tensor(parts[0])
    assert rgrad.cartesian_prod(one) is one  # PyTorch returns the tensor itself


def test_cartesian_prod_grad_and_errors():
    a, b = t64((3,)), t64((2,), seed=1)
    assert gradcheck(lambda a, b: rgrad.cartesian_prod(a, b), (a, b))
    with pytest.raises(RuntimeError, match=r"Expect a 1D vector, but got shape \[2, 2\]"):
        rgrad.cartesian_prod(rgrad.ones(2, 2), rgrad.ones(2))
    with pytest.raises(RuntimeError, match="same dtype"):
        rgrad.cartesian_prod(rgrad.ones(2), rgrad.ones(2, dtype=rgrad.int64))
    with pytest.raises(TypeError, match="expected Tensor"):
        rgrad.cartesian_prod(rgrad.ones(2), [1, 2])


def _block_diag_np(*arrays):
    blocks = [np.asarray(a).reshape(1, -1) if np.ndim(a) < 2 else np.asarray(a) for a in arrays]
    out = np.zeros((sum(b.shape[0] for b in blocks), sum(b.shape[1] for b in blocks)), np.result_type(*blocks))
    r = c = 0
    for b in blocks:
        out[r:r + b.shape[0], c:c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


@pytest.mark.parametrize("dtype", DTYPES)
def test_block_diag(dtype):
    parts = [rand_np((2, 3), NP_OF[dtype], np.random.default_rng(1)), rand_np((), NP_OF[dtype], np.random.default_rng(2)), rand_np((4,), NP_OF[dtype], np.random.default_rng(3)), rand_np((0, 2), NP_OF[dtype], np.random.default_rng(4)), rand_np((3, 1), NP_OF[dtype], np.random.default_rng(5))]
    got = rgrad.block_diag(*[rgrad.tensor(p) for p in parts])
    assert got.dtype == dtype
    assert_close(got, _block_diag_np(*parts))
    # a non-contiguous block
    m = rand_np((3, 2), NP_OF[dtype], np.random.default_rng(6))
    assert_close(rgrad.block_diag(noncontig(m), rgrad.tensor(parts[0])), _block_diag_np(m, parts[0]))


def test_block_diag_dtype_promotion_grad_and_errors():
    i32 = rgrad.ones(2, 2, dtype=rgrad.int32)
    assert rgrad.block_diag(i32, rgrad.ones(1, dtype=rgrad.int64)).dtype == rgrad.int64
    assert rgrad.block_diag(i32, rgrad.tensor(5)).dtype == rgrad.int32  # a 0-d int does not promote
    assert rgrad.block_diag(i32, rgrad.tensor(5.0, dtype=rgrad.float64)).dtype == rgrad.float64
    assert rgrad.block_diag(rgrad.ones(1, dtype=rgrad.bool), rgrad.ones(1, dtype=rgrad.int32)).dtype == rgrad.int32
    e = rgrad.block_diag()
    assert e.shape == (1, 0) and e.dtype == rgrad.float32
    a, b, c = t64((2, 3)), t64((), seed=1), t64((2,), seed=2)
    assert gradcheck(lambda a, b, c: rgrad.block_diag(a, b, c), (a, b, c))
    x = rgrad.ones(2, 2, requires_grad=True)
    (rgrad.block_diag(x, rgrad.ones(1, 1, dtype=rgrad.float64)) * 3).sum().backward()
    assert x.grad.dtype == rgrad.float32
    assert_close(x.grad, np.full((2, 2), 3.0, np.float32))
    with pytest.raises(RuntimeError, match="Input tensors must have 2 or fewer dimensions. Input 1 has 3 dimensions"):
        rgrad.block_diag(rgrad.ones(2), rgrad.ones(1, 1, 1))
    with pytest.raises(TypeError, match="found element of type list at pos 0"):
        rgrad.block_diag([1, 2])
