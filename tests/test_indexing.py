"""Indexing: t[...] and t[...] = v against NumPy, views vs copies, gather/scatter family,
masked ops, nonzero, gradients (gradcheck) and error messages."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rgrad
from conftest import DTYPES, NP_OF, assert_close, rand_np, to_np
from np_index import torch_getitem, torch_setitem

gradcheck = rgrad.autograd.gradcheck


# ---------- index expressions (Hypothesis) ----------

@st.composite
def shapes(draw, max_rank=4):
    rank = draw(st.integers(0, max_rank))
    return tuple(draw(st.lists(st.integers(0, 4), min_size=rank, max_size=rank)))


@st.composite
def index_for(draw, shape):
    """A random index expression valid-or-not for `shape` (NumPy, with PyTorch's rules, decides)."""
    rank = len(shape)
    k = draw(st.integers(0, rank))
    use_ellipsis = draw(st.booleans())
    a = draw(st.integers(0, k)) if use_ellipsis else k
    bshape = draw(st.sampled_from([(), (1,), (2,), (3,), (2, 1), (1, 3), (2, 3)]))

    def consume(dims):
        out = []
        i = 0
        while i < len(dims):
            d = dims[i]
            s = shape[d]
            kinds = ["slice", "slice", "mask"]
            if s > 0:
                kinds += ["int", "array"]
            kind = draw(st.sampled_from(kinds))
            if kind == "int":
                out.append(draw(st.integers(-s, s - 1)))
            elif kind == "slice":
                bound = st.one_of(st.none(), st.integers(-s - 2, s + 2))
                step = draw(st.one_of(st.none(), st.sampled_from([1, 2, 3, -1, -2, -3])))
                out.append(slice(draw(bound), draw(bound), step))
            elif kind == "array":
                sub = bshape[draw(st.integers(0, len(bshape))):]
                vals = draw(st.lists(st.integers(-s, s - 1), min_size=int(np.prod(sub)), max_size=int(np.prod(sub))))
                out.append(np.array(vals, dtype=np.int64).reshape(sub))
            else:
                # a mask over this dim, or this and the next dim
                m = 2 if i + 1 < len(dims) and draw(st.booleans()) else 1
                mshape = shape[d:d + m]
                n = int(np.prod(mshape))
                vals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
                out.append(np.array(vals, dtype=bool).reshape(mshape))
                i += m - 1
            i += 1
        return out

    items = consume(list(range(a)))
    if use_ellipsis:
        items.append(Ellipsis)
        items += consume(list(range(rank - (k - a), rank)))
    # sprinkle None / bools
    for _ in range(draw(st.integers(0, 2))):
        pos = draw(st.integers(0, len(items)))
        items.insert(pos, draw(st.sampled_from([None, None, True, False])))
    return tuple(items)


def rg_index(idx, mode):
    def conv(x):
        if not isinstance(x, np.ndarray):
            return x
        if mode == "tensor":
            return rgrad.tensor(x)
        if mode == "tensor32":
            return rgrad.tensor(x, dtype=rgrad.int32) if x.dtype != bool else rgrad.tensor(x)
        if mode == "list" and x.size > 0:
            return x.tolist()
        return x
    return tuple(conv(x) for x in idx)


def np_get(a, idx):
    try:
        return torch_getitem(a, idx), None
    except IndexError as e:
        return None, e


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_getitem_matches_numpy(data):
    shape = data.draw(shapes())
    idx = data.draw(index_for(shape))
    mode = data.draw(st.sampled_from(["tensor", "tensor32", "numpy", "list"]))
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    t = rgrad.tensor(a)
    expected, err = np_get(a, idx)
    if err is not None:
        with pytest.raises(IndexError):
            t[rg_index(idx, mode)]
        return
    got = t[rg_index(idx, mode)]
    assert_close(got, expected)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_setitem_matches_numpy(data):
    shape = data.draw(shapes())
    idx = data.draw(index_for(shape))
    mode = data.draw(st.sampled_from(["tensor", "tensor32", "numpy", "list"]))
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    t = rgrad.tensor(a)
    expected, err = np_get(a, idx)
    if err is not None:
        return
    how = data.draw(st.sampled_from(["scalar", "full", "last"]))
    if how == "scalar":
        v = -7.5
        rv = v
    elif how == "full":
        v = -1.0 - np.arange(expected.size, dtype=np.float64).reshape(expected.shape)
        rv = rgrad.tensor(v)
    else:
        v = -1.0 - np.arange(expected.shape[-1], dtype=np.float64) if expected.ndim else np.array(-1.0)
        rv = rgrad.tensor(v)
    a2 = a.copy()
    torch_setitem(a2, idx, v)
    t[rg_index(idx, mode)] = rv
    assert_close(t, a2)


# ---------- basic indexing: views ----------

def test_int_and_slice_views_share_storage():
    t = rgrad.arange(12.0).reshape(3, 4)
    v = t[1]
    v[2] = 100.0
    assert t[1, 2].item() == 100.0
    s = t[:, ::-1]
    assert s.data_ptr() != 0 and s.stride() == (4, -1)
    s[0, 0] = -5.0
    assert t[0, 3].item() == -5.0
    r = t[::-2, 1:3]
    assert_close(r, np.arange(12.0, dtype=np.float32).reshape(3, 4)[::-2, 1:3])
    r[...] = 0.0
    assert t[2, 1].item() == 0.0 and t[0, 2].item() == 0.0


def test_single_int_and_slice_fast_paths():
    """t[i] / t[a:b:c] with one Python int or slice: same results, errors and graph as general indexing."""
    a = np.arange(20.0).reshape(5, 4)
    t = rgrad.tensor(a)
    for i in [0, 4, -1, -5, True, False]:
        assert_close(t[i], a[i])
    for sl in [slice(1, 3), slice(None, None, -1), slice(-100, 100, 2), slice(4, 1, -2), slice(3, 1), slice(None)]:
        assert_close(t[sl], a[sl])
    assert_close(t[np.int64(-2)], a[-2])  # numpy ints take the general path
    t = rgrad.tensor(a)
    v = t[2]
    v[1] = -7.0
    assert t[2, 1].item() == -7.0 and v.shape == (4,) and v.storage_offset() == 8
    w = t[1:4:2]
    w[1, 0] = -9.0
    assert t[3, 0].item() == -9.0 and w.stride() == (8, 1)
    assert t[2:2].shape == (0, 4)
    for bad in [5, -6]:
        with pytest.raises(IndexError, match=f"index {bad} is out of bounds for dimension 0 with size 5"):
            t[bad]
    with pytest.raises(IndexError, match="out of range"):
        t[2**70]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        rgrad.tensor(1.0)[0]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        t[::0]
    # with grad: a graph is recorded; under no_grad it is not
    x = dbl(5, 3)
    assert x[1].grad_fn is not None and x[1:3].grad_fn is not None
    x[-1].sum().backward()
    assert_close(x.grad, np.vstack([np.zeros((4, 3)), np.ones((1, 3))]))
    with rgrad.no_grad():
        assert x[0].grad_fn is None and not x[0].requires_grad and x[::2].grad_fn is None
    assert gradcheck(lambda x: x[1:4:2], (x,))
    assert gradcheck(lambda x: x[-2], (x,))
    # t[int] is answered by the type's own subscript slot (rust/python/object.rs): strided,
    # subclass and explicit-__getitem__ calls agree with NumPy too
    m = rgrad.tensor(a).t()[::-1]
    for i in [0, 2, -1]:
        assert_close(m[i], a.T[::-1][i])
        assert_close(m.__getitem__(i), a.T[::-1][i])
    p = rgrad.nn.Parameter(rgrad.tensor(a))
    assert p[1].grad_fn is not None and type(p[1]) is rgrad.Tensor
    assert_close(p[1], a[1])
    # a view whose base was since written with a value that requires grad: t[int] sees the
    # regenerated history
    base = rgrad.tensor(a)
    view = base[1:3]
    assert not view[0].requires_grad
    w = rgrad.ones(4, dtype=rgrad.float64, requires_grad=True)
    base.mul_(w)
    row = view[0]
    assert row.requires_grad and row.grad_fn is not None
    row.sum().backward()
    assert_close(w.grad, a[1])


def test_advanced_index_is_copy():
    t = rgrad.arange(6.0)
    c = t[[0, 1]]
    c[0] = 50.0
    assert t[0].item() == 0.0
    m = t[t > 2]
    m[0] = 9.0
    assert t[3].item() == 3.0


def test_setitem_bumps_version():
    t = rgrad.zeros(4)
    v0 = t._version
    t[1] = 2.0
    t[[0, 2]] = 3.0
    t[t > 2] = 1.0
    assert t._version == v0 + 3


def test_negative_step_slices():
    a = np.arange(24).reshape(2, 3, 4)
    t = rgrad.tensor(a)
    for idx in [(slice(None, None, -1),), (Ellipsis, slice(None, None, -2)), (slice(1, None, -1), slice(None, 0, -1)), (0, slice(3, -5, -1))]:
        assert_close(t[idx], a[idx])


@pytest.mark.parametrize("dtype", DTYPES)
def test_getitem_dtypes(dtype):
    a = rand_np((3, 4, 5), NP_OF[dtype])
    t = rgrad.tensor(a)
    for idx in [(1,), (slice(None), [0, 2]), (a[..., 0] > 0 if dtype == rgrad.bool else a[..., 0] > 0.5,), ([0, 2], slice(1, 3), [4, -1]), (None, 1, ..., 2)]:
        assert_close(t[idx], a[idx])


@pytest.mark.parametrize("dtype", DTYPES)
def test_setitem_dtypes_cast(dtype):
    a = rand_np((4, 3), NP_OF[dtype])
    t = rgrad.tensor(a)
    t[1] = 1
    a[1] = 1
    # a tensor written through an advanced index must have t's dtype (PyTorch's index_put_)
    t[[0, 2], 1] = rgrad.tensor([0, 1]).to(dtype)
    a[[0, 2], 1] = np.array([0, 1])
    assert_close(t, a)


def test_setitem_value_float_into_int_truncates():
    t = rgrad.zeros(3, dtype=rgrad.int64)
    t[0] = 2.7
    t[1:] = rgrad.tensor([1.9, -1.9])
    assert t.tolist() == [2, 1, -1]


def test_bool_scalar_and_none():
    a = np.arange(6).reshape(2, 3)
    t = rgrad.tensor(a)
    for idx in [True, False, (None,), (True, 0), (None, ..., None), (0, True, [1, 2])]:
        assert_close(t[idx], torch_getitem(a, idx))


def test_separated_advanced_indices_move_front():
    a = np.arange(60).reshape(3, 4, 5)
    t = rgrad.tensor(a)
    idx = ([0, 2], slice(None), [1, 3])
    assert t[idx].shape == a[idx].shape == (2, 4)
    assert_close(t[idx], a[idx])
    idx = (slice(None), [0, 2], [1, 3])
    assert_close(t[idx], a[idx])
    # an int beside an array is basic indexing (PyTorch; NumPy would move the block to the
    # front): the array indexes the last dim of a[0] and stays there
    idx = (0, slice(None), [1, 3])
    assert t[idx].shape == (4, 2) and a[idx].shape == (2, 4)
    assert_close(t[idx], a[0][:, [1, 3]])
    assert_close(t[idx], torch_getitem(a, idx))
    # adjacency is judged in the view after the int: [0, 2] and [1, 3] index adjacent dims
    idx = ([0, 2], 1, [1, 3])
    assert_close(t[idx], a[:, 1][[0, 2], [1, 3]])


def test_noncontiguous_inputs():
    a = np.arange(60.0).reshape(3, 4, 5).transpose(2, 0, 1)
    t = rgrad.tensor(np.ascontiguousarray(np.arange(60.0).reshape(3, 4, 5))).permute(2, 0, 1)
    for idx in [([1, 3], 0), (slice(None, None, -1), [2, 0]), (a[:, 0, 0] > 10,), (..., [3, 1])]:
        assert_close(t[idx], a[idx])
    e = rgrad.tensor([1.0, 2.0]).expand(3, 2)
    assert_close(e[[0, 2]], np.array([[1.0, 2.0], [1.0, 2.0]], dtype=np.float32))


def test_zero_dim_and_empty():
    t = rgrad.tensor(5.0)
    assert_close(t[...], np.array(5.0, dtype=np.float32))
    assert_close(t[None], np.array([5.0], dtype=np.float32))
    assert t[True].shape == (1,) and t[False].shape == (0,)
    e = rgrad.zeros(0, 3)
    assert e[[]].shape == (0, 3)
    assert e[:, [0, 2]].shape == (0, 2)
    assert e[e.sum(1) > 0].shape == (0, 3)


def test_index_with_numpy_int_types_and_tensor_scalar():
    t = rgrad.arange(10)
    assert t[np.int32(3)].item() == 3
    assert t[np.array([1, 2], dtype=np.int32)].tolist() == [1, 2]
    assert t[np.array([1, 2], dtype=np.uint8)].tolist() == [1, 2]
    assert t[rgrad.tensor(4)].item() == 4
    assert t[rgrad.tensor([1, 2], dtype=rgrad.int32)].tolist() == [1, 2]


# ---------- errors ----------

def test_errors():
    t = rgrad.zeros(3, 4)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        t[5]
    with pytest.raises(IndexError, match="index -5 is out of bounds for dimension 0 with size 3"):
        t[-5]
    with pytest.raises(IndexError, match="index 4 is out of bounds for dimension 1 with size 4"):
        t[0, 4]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 1 with size 4"):
        t[:, [0, 7]]
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        t[rgrad.tensor([3])]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        t[0, 0, 0]
    with pytest.raises(IndexError, match=r"The shape of the mask \[2\] at index 0 does not match the shape of the indexed tensor \[3\]"):
        t[rgrad.tensor([True, False])]
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        t[rgrad.tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="single ellipsis"):
        t[..., ...]
    with pytest.raises(IndexError, match="shape mismatch"):
        t[[0, 1], [0, 1, 2]]
    with pytest.raises(IndexError):
        t[1.5]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        rgrad.tensor(1.0)[0]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        t[::0]
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[0] = rgrad.zeros(3)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        t[[0, 1]] = rgrad.zeros(3)
    with pytest.raises(IndexError, match="out of bounds"):
        t[[0, 9]] = 1.0


def test_inplace_on_leaf_requiring_grad_raises():
    x = rgrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 1.0
    with rgrad.no_grad():
        x[0] = 1.0
    assert x[0].item() == 1.0


def test_setitem_into_view_with_grad_reaches_base():
    # the write through the view rewrites the base's history (CopySlices)
    x = rgrad.ones(3, 4, requires_grad=True)
    y = x * 2
    v = y[0]
    v[1] = 5.0
    y.sum().backward()
    expected = np.ones((3, 4))
    expected[0, 1] = 0
    np.testing.assert_array_equal(x.grad.numpy(), expected * 2)
    base = rgrad.zeros(5)
    w = rgrad.ones(2, requires_grad=True)
    part = base[1:4]
    part[[0, 1]] = w
    assert base.requires_grad
    (base * rgrad.arange(5.0)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])


# ---------- gradients ----------

def dbl(*shape, seed=0):
    return rgrad.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=rgrad.float64, requires_grad=True)


@pytest.mark.parametrize("idx", [
    (1,), (slice(None, None, -1), 2), (slice(1, None, 2),), (None, ..., 0),
    ([0, 2, 0],), ((slice(None), [1, 1, 3])), ([[0, 1], [2, 2]], slice(None), [1, 0]),
    (np.array([True, False, True]),), (np.array([[True, False, True, True]] * 3),), (Ellipsis, [0, 0]),
])
def test_getitem_gradcheck(idx):
    x = dbl(3, 4, 2)
    assert gradcheck(lambda x: x[idx], (x,))


def test_getitem_grad_duplicates_accumulate():
    x = rgrad.zeros(4, requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("idx,vshape", [
    ((1,), (2,)), ((slice(None), 0), (3, 1)), (([0, 2],), (2, 4, 2)), ((np.array([True, False, True]), 1), (2,)),
    ((slice(None, None, -1), [3, 1]), (2,)), ((Ellipsis, 1), ()),
])
def test_setitem_gradcheck(idx, vshape):
    x = dbl(3, 4, 2)
    v = dbl(*vshape, seed=1)

    def f(x, v):
        y = x * 1.0
        y[idx] = v
        return y

    assert gradcheck(f, (x, v))


def test_setitem_grad_values():
    x = rgrad.ones(5, requires_grad=True)
    v = rgrad.tensor([2.0, 3.0], requires_grad=True)
    y = x * 1.0
    y[[1, 3]] = v
    assert y.grad_fn is not None
    (y * rgrad.arange(5.0)).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 2.0, 0.0, 4.0]
    assert v.grad.tolist() == [1.0, 3.0]


def test_setitem_on_leaf_not_requiring_grad_with_grad_value():
    buf = rgrad.zeros(4)
    w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    buf[[0, 2]] = w
    assert not buf.is_leaf
    (buf * buf).sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]


def test_index_put_accumulate():
    x = rgrad.zeros(5)
    x.index_put_((rgrad.tensor([0, 0, 3]),), rgrad.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert x.tolist() == [3.0, 0.0, 0.0, 3.0, 0.0]
    y = x.index_put((rgrad.tensor([1]),), rgrad.tensor(7.0))
    assert y.tolist() == [3.0, 7.0, 0.0, 3.0, 0.0] and x[1].item() == 0.0
    a = dbl(4, 3)
    v = dbl(2, 3, seed=2)
    assert gradcheck(lambda a, v: a.index_put((rgrad.tensor([1, 1]),), v, accumulate=True), (a, v))
    with pytest.raises(RuntimeError, match="dtypes match"):
        x.index_put_((rgrad.tensor([0]),), rgrad.tensor([1.0], dtype=rgrad.float64))


def test_large_accumulate_parallel_is_exact():
    n = 200_000
    idx = np.random.default_rng(0).integers(0, 1000, n)
    x = rgrad.zeros(1000, dtype=rgrad.float64)
    x.index_put_((rgrad.tensor(idx),), rgrad.ones(n, dtype=rgrad.float64), accumulate=True)
    assert_close(x, np.bincount(idx, minlength=1000).astype(np.float64))
    g = rgrad.zeros(1000, 8, requires_grad=True)
    g[rgrad.tensor(idx)].sum().backward()
    assert_close(g.grad, np.repeat(np.bincount(idx, minlength=1000)[:, None], 8, 1).astype(np.float32))


def test_large_mask_and_gather_rows():
    rng = np.random.default_rng(1)
    a = rng.random((300_000,), dtype=np.float32)
    m = rng.random(300_000) < 0.3
    t = rgrad.tensor(a)
    assert_close(t[rgrad.tensor(m)], a[m])
    b = rng.random((50_000, 16), dtype=np.float32)
    mb = rng.random(50_000) < 0.5
    ib = rng.integers(-50_000, 50_000, 70_000)
    tb = rgrad.tensor(b)
    assert_close(tb[rgrad.tensor(mb)], b[mb])
    assert_close(tb[rgrad.tensor(ib)], b[ib])
    assert_close(tb[:, rgrad.tensor([3, 1])], b[:, [3, 1]])
    tb[rgrad.tensor(mb)] = 0.0
    b[mb] = 0.0
    assert_close(tb, b)


# ---------- functions ----------

@pytest.mark.parametrize("dtype", DTYPES)
def test_index_select(dtype):
    a = rand_np((4, 5, 3), NP_OF[dtype])
    t = rgrad.tensor(a)
    for dim in [0, 1, -1]:
        idx = np.array([2, 0, 2, 1])
        assert_close(t.index_select(dim, rgrad.tensor(idx)), np.take(a, idx, axis=dim))
        assert_close(rgrad.index_select(t, dim, rgrad.tensor(idx, dtype=rgrad.int32)), np.take(a, idx, axis=dim))
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        t.index_select(0, rgrad.tensor([[0]]))
    # PyTorch's class depends on its kernel path: IndexError along dim 0, RuntimeError along dim 1
    with pytest.raises(IndexError, match="out of range in self"):
        t.index_select(0, rgrad.tensor([4]))
    with pytest.raises(RuntimeError, match="out of range in self"):
        t.index_select(1, rgrad.tensor([5]))
    x = dbl(4, 3)
    assert gradcheck(lambda x: x.index_select(0, rgrad.tensor([1, 1, 3])), (x,))


@pytest.mark.parametrize("np_dtype,width", [(np.float32, 1024), (np.float64, 300), (np.int32, 257), (np.bool_, 1100), (np.bool_, 1000)])
def test_gather_rows_into_large_outputs(np_dtype, width):
    """Outputs of 8 MB and more with rows of at least 1 KB are written with streaming stores
    (rust/cpu/stream.rs): same values as NumPy, for index_select, x[idx] and a strided
    source; rows under 1 KB (bool x 1000) take the plain copy."""
    rows = (9 << 20) // (width * np.dtype(np_dtype).itemsize) + 3
    a = (np.arange(rows * width) % 251 % (2 if np_dtype is np.bool_ else 251)).astype(np_dtype).reshape(rows, width)
    idx = np.random.default_rng(1).integers(-rows, rows, rows)
    t, ti = rgrad.tensor(a), rgrad.tensor(idx)
    np.testing.assert_array_equal(t[ti].numpy(), a[idx])
    pos = idx % rows
    np.testing.assert_array_equal(t.index_select(0, rgrad.tensor(pos)).numpy(), a[pos])
    # rows of a view starting off a 16-byte boundary
    np.testing.assert_array_equal(t[:, 1:].index_select(0, rgrad.tensor(pos)).numpy(), a[pos, 1:])


@pytest.mark.parametrize("dtype", DTYPES)
def test_gather(dtype):
    a = rand_np((4, 5), NP_OF[dtype])
    t = rgrad.tensor(a)
    rng = np.random.default_rng(0)
    i1 = rng.integers(0, 5, (4, 3))
    assert_close(t.gather(1, rgrad.tensor(i1)), np.take_along_axis(a, i1, 1))
    i0 = rng.integers(0, 4, (2, 5))
    assert_close(rgrad.gather(t, 0, rgrad.tensor(i0)), np.take_along_axis(a, i0, 0))
    # index smaller than self on the other dim
    i2 = rng.integers(0, 5, (2, 2))
    assert_close(t.gather(1, rgrad.tensor(i2)), np.take_along_axis(a[:2], i2, 1))
    # transposed self
    assert_close(t.t().gather(0, rgrad.tensor(i1.T.copy())), np.take_along_axis(a.T, i1.T, 0))
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 1 with size"):
        t.gather(1, rgrad.tensor([[5]]))
    # int32 indices work (PyTorch), float ones are refused
    assert_close(t.gather(1, rgrad.tensor(i1, dtype=rgrad.int32)), np.take_along_axis(a, i1, 1))
    with pytest.raises(RuntimeError, match="int32/int64"):
        t.gather(1, rgrad.tensor([[0.0]]))
    x = dbl(4, 5)
    assert gradcheck(lambda x: x.gather(1, rgrad.tensor(i1)), (x,))


def np_scatter(a, dim, idx, src, op=None):
    out = a.copy()
    for pos in np.ndindex(idx.shape):
        tgt = list(pos)
        tgt[dim] = idx[pos]
        tgt = tuple(tgt)
        v = src[pos] if isinstance(src, np.ndarray) else src
        if op is None:
            out[tgt] = v
        elif op == "add":
            out[tgt] += v
        elif op == "mul":
            out[tgt] *= v
    return out


@pytest.mark.parametrize("dtype", [rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64])
def test_scatter_family(dtype):
    rng = np.random.default_rng(3)
    a = rand_np((4, 5), NP_OF[dtype])
    src = rand_np((4, 5), NP_OF[dtype], rng=rng)
    t, s = rgrad.tensor(a), rgrad.tensor(src)
    # unique positions per row for plain scatter
    idx = np.stack([rng.permutation(5)[:3] for _ in range(4)])
    ti = rgrad.tensor(idx)
    assert_close(t.scatter(1, ti, s), np_scatter(a, 1, idx, src))
    assert_close(t.scatter(1, ti, 2), np_scatter(a, 1, idx, NP_OF[dtype](2)))
    dup = rng.integers(0, 4, (3, 5))
    assert_close(t.scatter_add(0, rgrad.tensor(dup), s), np_scatter(a, 0, dup, src, "add"))
    assert_close(rgrad.scatter(t, 0, rgrad.tensor(dup), s, reduce="add"), np_scatter(a, 0, dup, src, "add"))
    assert_close(t.scatter(0, rgrad.tensor(dup), s, reduce="multiply"), np_scatter(a, 0, dup, src, "mul"))
    t2 = rgrad.tensor(a)
    t2.scatter_add_(0, rgrad.tensor(dup), s)
    assert_close(t2, np_scatter(a, 0, dup, src, "add"))
    t3 = rgrad.tensor(a)
    t3.scatter_(1, ti, s)
    assert_close(t3, np_scatter(a, 1, idx, src))


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((5, 3))
    src = rng.standard_normal((6, 3))
    idx = rng.integers(0, 5, (6, 3))
    ufunc = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum, "mean": np.add}[reduce]
    out = a.copy()
    cnt = np.ones_like(a) if include_self else np.zeros_like(a)
    touched = np.zeros(a.shape, bool)
    for pos in np.ndindex(idx.shape):
        tgt = (idx[pos], pos[1])
        if not include_self and not touched[tgt]:
            out[tgt] = src[pos]
            touched[tgt] = True
        else:
            out[tgt] = ufunc(out[tgt], src[pos])
        cnt[tgt] += 1
    if reduce == "mean":
        out = np.where(cnt > 0, out / np.maximum(cnt, 1), out)
    t = rgrad.tensor(a)
    got = t.scatter_reduce(0, rgrad.tensor(idx), rgrad.tensor(src), reduce, include_self=include_self)
    assert_close(got, out)
    x = rgrad.tensor(a, requires_grad=True)
    s = rgrad.tensor(src, requires_grad=True)
    assert gradcheck(lambda x, s: x.scatter_reduce(0, rgrad.tensor(idx), s, reduce, include_self=include_self), (x, s))


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_grad_with_zeros(include_self):
    """prod backward with zeros in self and src: the product of the *other* factors (PyTorch's
    formula), gradcheck'ed where each position has at most one zero."""
    a = np.array([[2.0, 0.0, 1.5], [0.5, 3.0, 0.0], [1.2, -1.0, 2.0]])
    src = np.array([[0.0, 2.0, 1.1], [1.3, 0.0, 0.7], [0.9, 1.4, -0.6], [1.5, 0.8, 1.2]])
    idx = np.array([[0, 1, 2], [1, 0, 2], [2, 2, 1], [0, 2, 0]])
    x = rgrad.tensor(a, requires_grad=True)
    s = rgrad.tensor(src, requires_grad=True)
    f = lambda x, s: x.scatter_reduce(0, rgrad.tensor(idx), s, "prod", include_self=include_self)  # noqa: E731
    assert gradcheck(f, (x, s))
    # analytic check: d out[p] / d input = product of the other factors at p
    f(x, s).sum().backward()
    ex, es = np.zeros_like(a), np.zeros_like(src)
    for p in np.ndindex(a.shape):
        factors = [("s", q) for q in np.ndindex(idx.shape) if (idx[q], q[1]) == p]
        if include_self or not factors:
            factors = [("x", p)] + factors
        vals = [a[q] if k == "x" else src[q] for k, q in factors]
        for j, (k, q) in enumerate(factors):
            others = np.prod([v for i, v in enumerate(vals) if i != j])
            (ex if k == "x" else es)[q] += others
    if not include_self:
        touched = np.zeros(a.shape, bool)
        for q in np.ndindex(idx.shape):
            touched[idx[q], q[1]] = True
        ex[touched] = 0.0
    assert_close(x.grad, ex)
    assert_close(s.grad, es)
    # two zeros meeting at one position: every gradient there is 0
    s2 = rgrad.tensor([[0.0], [0.0], [2.0]], requires_grad=True)
    x2 = rgrad.tensor([[3.0]], requires_grad=True)
    x2.scatter_reduce(0, rgrad.tensor([[0], [0], [0]]), s2, "prod", include_self=include_self).sum().backward()
    assert s2.grad.tolist() == [[0.0], [0.0], [0.0]]
    assert x2.grad.tolist() == [[0.0]]


def test_scatter_grads():
    x = dbl(4, 5)
    s = dbl(4, 5, seed=1)
    idx = rgrad.tensor([[0, 1, 2], [4, 3, 2], [1, 0, 4], [2, 2, 2]])
    assert gradcheck(lambda x, s: x.scatter_add(1, idx, s), (x, s))
    uidx = rgrad.tensor([[0, 1, 2], [4, 3, 2], [1, 0, 4], [2, 3, 1]])
    assert gradcheck(lambda x, s: x.scatter(1, uidx, s), (x, s))
    assert gradcheck(lambda x: x.scatter(1, uidx, 0.5), (x,))


@pytest.mark.parametrize("dtype", [rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64])
def test_index_add_copy_fill(dtype):
    a = rand_np((5, 3), NP_OF[dtype])
    src = rand_np((4, 3), NP_OF[dtype], rng=np.random.default_rng(5))
    idx = np.array([0, 4, 0, 2])
    t, s, ti = rgrad.tensor(a), rgrad.tensor(src), rgrad.tensor(idx)
    exp = a.copy()
    np.add.at(exp, idx, src * 2)
    assert_close(t.index_add(0, ti, s, alpha=2), exp)
    exp = a.copy()
    np.add.at(exp, idx, src)
    t2 = rgrad.tensor(a)
    t2.index_add_(0, ti, s)
    assert_close(t2, exp)
    uidx = np.array([3, 1, 0, 4])
    exp = a.copy()
    exp[uidx] = src
    assert_close(t.index_copy(0, rgrad.tensor(uidx), s), exp)
    exp = a.copy()
    exp[:, [0, 2]] = 1
    assert_close(t.index_fill(1, rgrad.tensor([0, 2]), 1), exp)
    t3 = rgrad.tensor(a)
    t3.index_fill_(1, rgrad.tensor([0, 2]), 1)
    assert_close(t3, exp)


def test_index_add_copy_fill_grads():
    x = dbl(5, 3)
    s = dbl(4, 3, seed=1)
    assert gradcheck(lambda x, s: x.index_add(0, rgrad.tensor([0, 4, 0, 2]), s, alpha=1.5), (x, s))
    assert gradcheck(lambda x, s: x.index_copy(0, rgrad.tensor([3, 1, 0, 4]), s), (x, s))
    v = rgrad.tensor(0.5, dtype=rgrad.float64, requires_grad=True)
    assert gradcheck(lambda x, v: x.index_fill(1, rgrad.tensor([0, 2]), v), (x, v))


@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_ops(dtype):
    rng = np.random.default_rng(6)
    a = rand_np((3, 4), NP_OF[dtype])
    m = rng.random((3, 4)) < 0.5
    t, tm = rgrad.tensor(a), rgrad.tensor(m)
    v = True if dtype == rgrad.bool else 7
    assert_close(t.masked_fill(tm, v), np.where(m, NP_OF[dtype](v), a))
    row = m[0]
    assert_close(rgrad.masked_fill(t, rgrad.tensor(row), v), np.where(row, NP_OF[dtype](v), a))
    t2 = rgrad.tensor(a)
    t2.masked_fill_(tm, v)
    assert_close(t2, np.where(m, NP_OF[dtype](v), a))
    assert_close(t.masked_select(tm), a[m])
    assert_close(t.masked_select(rgrad.tensor(row)), np.broadcast_to(a, (3, 4))[np.broadcast_to(row, (3, 4))])
    src = rand_np((12,), NP_OF[dtype], rng=rng)
    exp = a.copy()
    exp[m] = src[: m.sum()]
    assert_close(t.masked_scatter(tm, rgrad.tensor(src)), exp)
    t3 = rgrad.tensor(a)
    t3.masked_scatter_(tm, rgrad.tensor(src))
    assert_close(t3, exp)


def test_masked_grads_and_errors():
    x = dbl(3, 4)
    m = rgrad.tensor(np.random.default_rng(7).random((3, 4)) < 0.5)
    v = rgrad.tensor(2.0, dtype=rgrad.float64, requires_grad=True)
    assert gradcheck(lambda x, v: x.masked_fill(m, v), (x, v))
    assert gradcheck(lambda x: x.masked_select(m), (x,))
    s = dbl(12, seed=3)
    assert gradcheck(lambda x, s: x.masked_scatter(m, s), (x, s))
    with pytest.raises(RuntimeError, match="boolean masks"):
        x.masked_fill(rgrad.tensor([1.0]), 0.0)
    with pytest.raises(RuntimeError, match="0-dimensional value tensor"):
        x.masked_fill(m, rgrad.tensor([1.0]))
    with pytest.raises(RuntimeError, match="at least"):
        x.detach().masked_scatter(rgrad.ones(3, 4, dtype=rgrad.bool), rgrad.zeros(3, dtype=rgrad.float64))


def test_take_and_take_along_dim():
    a = np.arange(12.0).reshape(3, 4)
    t = rgrad.tensor(a)
    idx = np.array([[0, 11], [-1, 5]])
    assert_close(t.take(rgrad.tensor(idx)), np.take(a, idx))
    assert_close(rgrad.take(t.t(), rgrad.tensor([1, 2])), np.take(a.T, [1, 2]))
    ii = np.argsort(a, axis=1)
    assert_close(t.take_along_dim(rgrad.tensor(ii), dim=1), np.take_along_axis(a, ii, 1))
    assert_close(rgrad.take_along_dim(t, rgrad.tensor([[2], [0], [1]]), 1), np.take_along_axis(a, np.array([[2], [0], [1]]), 1))
    # broadcasting
    assert_close(t.take_along_dim(rgrad.tensor([[0, 3]]), 1), np.take_along_axis(a, np.array([[0, 3]] * 3), 1))
    assert_close(t.take_along_dim(rgrad.tensor([3, 7])), np.take(a, [3, 7]))
    with pytest.raises(IndexError, match="out of range: tried to access index 12 on a tensor of 12 elements"):
        t.take(rgrad.tensor([12]))
    x = dbl(3, 4)
    assert gradcheck(lambda x: x.take(rgrad.tensor([[0, 0], [5, 11]])), (x,))
    assert gradcheck(lambda x: x.take_along_dim(rgrad.tensor([[0, 3, 3]]), 1), (x,))


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (0, 3)])
def test_nonzero_argwhere(shape):
    rng = np.random.default_rng(8)
    a = (rng.random(shape) < 0.4) * rng.integers(1, 5, shape) if shape else np.array(3)
    t = rgrad.tensor(a)
    assert_close(t.nonzero(), np.argwhere(a))
    assert_close(rgrad.argwhere(t), np.argwhere(a))
    tup = t.nonzero(as_tuple=True)
    exp = np.nonzero(np.atleast_1d(a))
    assert len(tup) == len(exp)
    for g, e in zip(tup, exp):
        assert_close(g, e.astype(np.int64))
    f = rgrad.tensor(a.astype(np.float32))
    assert_close(rgrad.nonzero(f), np.argwhere(a))


def test_nonzero_large():
    rng = np.random.default_rng(9)
    a = rng.random((400, 300)) < 0.5
    assert_close(rgrad.tensor(a).nonzero(), np.argwhere(a))


def test_index_with_nonzero_tuple_like_where():
    a = np.random.default_rng(10).random((3, 4)) > 0.5
    t = rgrad.tensor(np.arange(12.0).reshape(3, 4))
    m = rgrad.tensor(a)
    assert_close(t[m.nonzero(as_tuple=True)], np.arange(12.0).reshape(3, 4)[a])


@pytest.mark.parametrize("idx", [([0, 2, 2],), (slice(None, None, -1), 1), (np.array([True, False, True]),)])
def test_getitem_double_backward(idx):
    xn = np.random.default_rng(11).standard_normal((3, 4))
    x = rgrad.tensor(xn, requires_grad=True)
    (g,) = rgrad.autograd.grad((x[idx] * x[idx] * x[idx]).sum(), x, create_graph=True)
    counts = np.zeros((3, 4))
    np.add.at(counts, idx if not isinstance(idx[0], np.ndarray) else (np.nonzero(idx[0])[0],), 1.0)
    assert_close(g, 3 * counts * xn * xn)
    g.sum().backward()
    assert_close(x.grad, 6 * counts * xn)


def test_setitem_double_backward():
    xn, vn = np.array([1.0, 2.0, -1.0, 0.5, 3.0]), np.array([2.0, -0.5])
    x = rgrad.tensor(xn, requires_grad=True)
    v = rgrad.tensor(vn, requires_grad=True)
    y = x * x
    y[[0, 3]] = v * v
    gx, gv = rgrad.autograd.grad((y * y).sum(), (x, v), create_graph=True)
    keep = np.array([0.0, 1, 1, 0, 1])
    assert_close(gx, 4 * xn ** 3 * keep)
    assert_close(gv, 4 * vn ** 3)
    (gx.sum() + gv.sum()).backward()
    assert_close(x.grad, 12 * xn ** 2 * keep)
    assert_close(v.grad, 12 * vn ** 2)


# ---------- out-of-range indices: PyTorch's classes, and where negatives are allowed ----------

@pytest.mark.parametrize("name,call", [
    ("gather", lambda x, i: x.gather(1, rgrad.tensor([[i]]))),
    ("scatter", lambda x, i: x.scatter(1, rgrad.tensor([[i]]), 5.0)),
    ("scatter_add", lambda x, i: x.scatter_add(1, rgrad.tensor([[i]]), rgrad.ones(1, 1))),
    ("scatter_reduce", lambda x, i: x.scatter_reduce(1, rgrad.tensor([[i]]), rgrad.ones(1, 1), "amax")),
    ("index_add", lambda x, i: x.index_add(1, rgrad.tensor([i]), rgrad.ones(3, 1))),
])
def test_gather_scatter_family_take_no_negative_indices(name, call):
    # torch raises RuntimeError (not IndexError) here, for -1 as well as for size
    x = rgrad.arange(12.0).reshape(3, 4)
    for i in (-1, 4, -5):
        with pytest.raises(RuntimeError, match=f"index {i} is out of bounds for dimension 1 with size 4"):
            call(x, i)


def test_index_ops_out_of_range_classes():
    x = rgrad.arange(12.0).reshape(3, 4)
    with pytest.raises(RuntimeError, match=r"index_select\(\): index -1 is out of range in self: dimension 1 has size 4"):
        x.index_select(1, rgrad.tensor([-1]))
    with pytest.raises(IndexError, match=r"index_copy_\(\): index -1 is out of bounds for dimension 1 with size 4"):
        x.index_copy(1, rgrad.tensor([-1]), rgrad.ones(3, 1))
    # index_fill, take, put and take_along_dim count negative indices from the end
    assert x.index_fill(1, rgrad.tensor([-1]), 0.0)[:, 3].tolist() == [0, 0, 0]
    assert rgrad.take(x, rgrad.tensor([-1, 0])).tolist() == [11, 0]
    assert rgrad.take_along_dim(x, rgrad.tensor([[-1], [0], [1]]), 1).tolist() == [[3], [4], [9]]
    # ... but not flattened (dim=None): that is a plain gather, as PyTorch
    with pytest.raises(RuntimeError, match="index -1 is out of bounds"):
        rgrad.take_along_dim(x, rgrad.tensor([-1]))
    for bad in (12, -13):
        with pytest.raises(IndexError, match=f"out of range: tried to access index {bad} on a tensor of 12 elements."):
            rgrad.take(x, rgrad.tensor([bad]))
        with pytest.raises(IndexError, match=f"out of range: tried to access index {bad} on a tensor of 12 elements."):
            x.put(rgrad.tensor([bad]), rgrad.tensor([1.0]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_put(dtype):
    a = np.arange(12).reshape(3, 4).astype(NP_OF[dtype])
    idx = np.array([[0, -1], [5, 2]])
    src = np.array([[7, 8], [9, 1]]).astype(NP_OF[dtype])
    ref = a.copy().reshape(-1)
    ref[idx.reshape(-1)] = src.reshape(-1)  # numpy's put: the same flat positions
    t = rgrad.tensor(a)
    assert_close(t.put(rgrad.tensor(idx), rgrad.tensor(src)), ref.reshape(3, 4))
    assert_close(rgrad.put(t, rgrad.tensor(idx), rgrad.tensor(src)), ref.reshape(3, 4))
    assert_close(t, a)  # put is out of place
    if dtype != rgrad.bool:
        acc = a.copy().reshape(-1)
        np.add.at(acc, [0, 0, 5], np.array([7, 8, 9]).astype(NP_OF[dtype]))
        got = t.put(rgrad.tensor([0, 0, 5]), rgrad.tensor(np.array([7, 8, 9]).astype(NP_OF[dtype])), accumulate=True)
        assert_close(got, acc.reshape(3, 4))
    # put_ writes in place, in logical (row-major) order even for a transposed layout
    tt = rgrad.tensor(a.T.copy()).t()
    assert tt.put_(rgrad.tensor([1]), rgrad.tensor(src[:1, :1].reshape(1))) is tt
    ref2 = a.copy()
    ref2[0, 1] = src[0, 0]
    assert_close(tt, ref2)


def test_put_grad_and_errors():
    x, s = dbl(3, 4), dbl(3)
    idx = rgrad.tensor([0, 11, 5])
    y = x.put(idx, s)
    assert y.grad_fn.name() == "PutBackward0"
    assert gradcheck(lambda x, s: x.put(idx, s), (x, s))
    assert gradcheck(lambda x, s: x.put(rgrad.tensor([1, 1, 2]), s, accumulate=True), (x, s))
    assert gradcheck(lambda x, s: x.clone().put_(idx, s), (x, s))
    t = rgrad.zeros(2, 3)
    with pytest.raises(RuntimeError, match="put_\\(\\): Expected a long tensor for index, but got Int"):
        t.put(rgrad.tensor([0], dtype=rgrad.int32), rgrad.tensor([1.0]))
    with pytest.raises(RuntimeError, match="self and source expected to have the same dtype, but got self.dtype = Float and source.dtype = Double"):
        t.put(rgrad.tensor([0]), rgrad.tensor([1.0], dtype=rgrad.float64))
    with pytest.raises(IndexError, match=r"source.numel\(\) = 2, index.numel\(\) = 1"):
        t.put(rgrad.tensor([0]), rgrad.tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        t.put(rgrad.tensor([0]), 1.0)
    with pytest.raises(RuntimeError, match="take\\(\\): Expected a long tensor for index, but got Int"):
        rgrad.take(t, rgrad.tensor([0], dtype=rgrad.int32))
