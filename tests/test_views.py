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
