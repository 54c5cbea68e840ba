"""Views share storage; every view op against NumPy; gradients through views."""

import numpy as np
import pytest

import rgrad
from conftest import assert_close, to_np

gradcheck = rgrad.autograd.gradcheck


def base():
    return rgrad.arange(24.0).reshape(2, 3, 4)


def npbase():
    return np.arange(24, dtype=np.float32).reshape(2, 3, 4)


@pytest.mark.parametrize(
    "op,npop",
    [
        (lambda t: t.view(6, 4), lambda a: a.reshape(6, 4)),
        (lambda t: t.view(-1), lambda a: a.reshape(-1)),
        (lambda t: t.view(2, -1, 2), lambda a: a.reshape(2, -1, 2)),
        (lambda t: t.reshape(4, 6), lambda a: a.reshape(4, 6)),
        (lambda t: t.flatten(), lambda a: a.reshape(-1)),
        (lambda t: t.flatten(1), lambda a: a.reshape(2, 12)),
        (lambda t: t.flatten(0, 1), lambda a: a.reshape(6, 4)),
        (lambda t: t.unflatten(2, (2, 2)), lambda a: a.reshape(2, 3, 2, 2)),
        (lambda t: t.unflatten(-1, (-1, 2)), lambda a: a.reshape(2, 3, 2, 2)),
        (lambda t: t.transpose(0, 2), lambda a: a.transpose(2, 1, 0)),
        (lambda t: t.swapaxes(-1, 0), lambda a: a.swapaxes(-1, 0)),
        (lambda t: t.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
        (lambda t: t.permute((1, 2, 0)), lambda a: a.transpose(1, 2, 0)),
        (lambda t: t.T, lambda a: a.T),
        (lambda t: t.mT, lambda a: a.swapaxes(-1, -2)),
        (lambda t: t.unsqueeze(0), lambda a: a[None]),
        (lambda t: t.unsqueeze(-1), lambda a: a[..., None]),
        (lambda t: t.unsqueeze(1).squeeze(), lambda a: a),
        (lambda t: t.unsqueeze(1).squeeze(1), lambda a: a),
        (lambda t: t.unsqueeze(1).squeeze(0), lambda a: a[:, None]),
        (lambda t: t.narrow(1, 1, 2), lambda a: a[:, 1:3]),
        (lambda t: t.narrow(-1, -2, 2), lambda a: a[..., 2:4]),
        (lambda t: t.select(1, -1), lambda a: a[:, -1]),
        (lambda t: t.expand(3, 2, 3, 4), lambda a: np.broadcast_to(a, (3, 2, 3, 4))),
        (lambda t: t[:, :1].expand(-1, 5, -1) if hasattr(rgrad.Tensor, "__getitem__") else t.narrow(1, 0, 1).expand(-1, 5, -1), lambda a: np.broadcast_to(a[:, :1], (2, 5, 4))),
        (lambda t: t.transpose(0, 1).contiguous(), lambda a: a.transpose(1, 0, 2)),
        (lambda t: t.transpose(0, 1).reshape(-1), lambda a: a.transpose(1, 0, 2).reshape(-1)),
    ],
)
def test_view_values(op, npop):
    assert_close(op(base()), npop(npbase()))


def test_views_share_storage():
    t = base()
    v = t.view(6, 4)
    v.add_(1)  # write through the view
    assert t.tolist()[0][0][0] == 1.0
    tr = t.transpose(0, 1)
    tr.mul_(2)
    assert t.tolist()[0][0][0] == 2.0
    n = t.narrow(2, 1, 1)
    n.zero_()
    assert to_np(t)[:, :, 1].sum() == 0
    s = t.select(0, 1)
    s.fill_(7)
    assert (to_np(t)[1] == 7).all()
    e = rgrad.zeros(3)
    x = e.unsqueeze(0)
    x.add_(1)
    assert e.tolist() == [1.0, 1.0, 1.0]


def test_strides_and_contiguity():
    t = base()
    assert t.transpose(0, 2).stride() == (1, 4, 12)
    assert not t.transpose(0, 2).is_contiguous()
    assert t.narrow(2, 1, 2).storage_offset() == 1
    assert t.expand(5, 2, 3, 4).stride()[0] == 0
    c = t.transpose(0, 2).contiguous()
    assert c.is_contiguous() and c.stride() == (6, 2, 1)
    assert t.contiguous() is not None
    d = t.clone()
    d.add_(1)
    assert t.tolist()[0][0][0] == 0.0  # clone is a copy


def test_view_errors():
    t = base()
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        t.transpose(0, 1).view(-1)
    with pytest.raises(RuntimeError, match="invalid for input of size 24"):
        t.view(5, 5)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        t.view(-1, -1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.transpose(0, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t.unsqueeze(4)
    with pytest.raises(RuntimeError, match="must match the existing size"):
        t.expand(3, 3, 4)
    with pytest.raises(RuntimeError, match="number of sizes provided"):
        t.expand(4)
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        t.narrow(0, 1, 5)
    with pytest.raises(IndexError, match="out of bounds for dimension 1 with size 3"):
        t.select(1, 3)
    with pytest.raises(RuntimeError, match="permute"):
        t.permute(0, 1)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        t.permute(0, 0, 1)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions"):
        t.t()
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        t.flatten(2, 1)
    with pytest.raises(RuntimeError, match="unflatten"):
        t.unflatten(2, (3, 3))


def test_zero_dim_and_empty_views():
    s = rgrad.tensor(3.0)
    assert s.view(1).tolist() == [3.0]
    assert s.reshape(()).dim() == 0
    assert s.unsqueeze(0).shape == (1,)
    assert s.flatten().shape == (1,)
    assert s.t().dim() == 0 and s.T.dim() == 0
    e = rgrad.zeros(0, 3)
    assert e.view(3, 0).shape == (3, 0)
    assert e.reshape(-1).shape == (0,)
    assert e.transpose(0, 1).shape == (3, 0)
    assert rgrad.zeros(1, 2).t().shape == (2, 1)
    assert rgrad.zeros(5).t().shape == (5,)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: t.view(6, 4),
        lambda t: t.reshape(4, 6),
        lambda t: t.transpose(0, 2),
        lambda t: t.permute(2, 0, 1),
        lambda t: t.flatten(1),
        lambda t: t.unflatten(2, (2, 2)),
        lambda t: t.unsqueeze(1),
        lambda t: t.unsqueeze(0).squeeze(0),
        lambda t: t.narrow(1, 1, 2),
        lambda t: t.select(2, 1),
        lambda t: t.expand(3, 2, 3, 4),
        lambda t: t.T,
        lambda t: t.mT,
        lambda t: t.transpose(0, 1).reshape(-1),
        lambda t: t.contiguous(),
        lambda t: t.clone(),
    ],
)
def test_view_gradients(fn):
    x = rgrad.randn(2, 3, 4, dtype=rgrad.float64, requires_grad=True)
    w = rgrad.randn(*fn(x.detach()).shape, dtype=rgrad.float64)
    assert gradcheck(lambda a: fn(a) * w, (x,))


def test_grad_through_views_second_order():
    x = rgrad.randn(3, 4, dtype=rgrad.float64, requires_grad=True)
    assert gradcheck(lambda a: (a.narrow(1, 1, 2).transpose(0, 1) * a.select(1, 0)).sum(), (x,))
    y = (x.select(0, 1) ** 3).sum()
    (g,) = rgrad.autograd.grad(y, x, create_graph=True)
    (g2,) = rgrad.autograd.grad(g.sum(), x)
    expected = np.zeros((3, 4))
    expected[1] = 6 * to_np(x)[1]
    np.testing.assert_allclose(to_np(g2), expected)


# ---------- unfold ----------

def _unfold_np(a, dim, size, step):
    """NumPy oracle: sliding windows along `dim`, every `step`-th, as a new last axis."""
    dim %= a.ndim  # the windows' axis (the window itself is the new last one)
    w = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
    return np.take(w, np.arange(0, w.shape[dim], step), axis=dim)


@pytest.mark.parametrize("np_dtype", [np.bool_, np.int32, np.int64, np.float32, np.float64])
def test_unfold_matches_numpy_and_is_a_view(np_dtype):
    a = (np.arange(60) % 7).reshape(3, 4, 5).astype(np_dtype)
    t = rgrad.tensor(a)
    for dim in [0, 1, 2, -1]:
        for size in [0, 1, 2, 3]:
            for step in [1, 2, 3]:
                if size > a.shape[dim]:
                    continue
                got = t.unfold(dim, size, step)
                np.testing.assert_array_equal(to_np(got), _unfold_np(a, dim, size, step))
    # non-contiguous input
    np.testing.assert_array_equal(to_np(t.transpose(0, 2).unfold(1, 2, 1)), _unfold_np(a.transpose(2, 1, 0), 1, 2, 1))
    # a view: writes show in the base
    x = rgrad.arange(7.0)
    w = x.unfold(0, 3, 2)
    assert w.stride() == (2, 1) and w._base is not None
    w[1, 2] = -5.0
    assert x[4].item() == -5.0
    # 0-d input: one element
    s = rgrad.tensor(3.0)
    assert s.unfold(0, 1, 1).tolist() == [3.0] and s.unfold(-1, 0, 5).shape == (0,)


def test_unfold_gradients_and_errors():
    x = rgrad.tensor(np.random.default_rng(7).standard_normal((4, 6)), requires_grad=True)
    for dim, size, step in [(1, 3, 1), (1, 2, 2), (1, 2, 3), (0, 3, 1), (0, 4, 1), (1, 0, 1)]:
        weight = rgrad.tensor(np.random.default_rng(size).standard_normal(tuple(x.unfold(dim, size, step).shape)))
        assert gradcheck(lambda x: x.unfold(dim, size, step) * weight, (x,))
    # overlapping windows: each element's gradient counts the windows covering it
    y = rgrad.ones(6, requires_grad=True)
    y.unfold(0, 3, 1).sum().backward()
    assert y.grad.tolist() == [1.0, 2.0, 3.0, 3.0, 2.0, 1.0]
    # double backward through the overlapping-window gradient
    z = rgrad.tensor([1.0, 2.0, 3.0, 4.0], dtype=rgrad.float64, requires_grad=True)
    (g,) = rgrad.autograd.grad((z.unfold(0, 2, 1) ** 2).sum(), z, create_graph=True)
    assert g.tolist() == [2.0, 8.0, 12.0, 8.0]
    (gg,) = rgrad.autograd.grad(g.sum(), z)
    assert gg.tolist() == [2.0, 4.0, 4.0, 2.0]
    s = rgrad.tensor(2.0, requires_grad=True)
    (s.unfold(0, 1, 1) * 3).sum().backward()
    assert s.grad.item() == 3.0
    with pytest.raises(RuntimeError, match="maximum size for tensor at dimension 1 is 6 but size is 7"):
        x.unfold(1, 7, 1)
    with pytest.raises(RuntimeError, match="step is 0 but must be > 0"):
        x.unfold(0, 2, 0)
    with pytest.raises(RuntimeError, match="size is -1 but must be >= 0"):
        x.unfold(0, -1, 1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.unfold(2, 1, 1)
