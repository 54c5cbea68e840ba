"""In-place writes through views rewrite the base's autograd history (PyTorch's CopySlices).

Oracles: hand-derived gradients and central differences (gradcheck), including second order.
"""
import numpy as np
import pytest

import rgrad

gradcheck = rgrad.autograd.gradcheck


def f64(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return rgrad.tensor(rng.standard_normal(shape), dtype=rgrad.float64, requires_grad=True)


def test_mul_through_slice_reaches_base():
    x = rgrad.ones(4, requires_grad=True)
    y = x * 1
    v = y[0:2]
    v.mul_(2)
    assert y.grad_fn.name() == "CopySlices"
    assert v.grad_fn.name() == "AsStridedBackward0"
    assert v._is_view() and not y._is_view() and v._base.grad_fn.name() == "CopySlices"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 1, 1])


def test_overlapping_views_see_each_others_writes():
    x = f64(4)
    xn = x.detach().numpy().copy()
    y = x * 1
    v1, v2 = y[0:2], y[1:3]
    v1.mul_(3)
    (v2 * v2).sum().backward()
    # v2 = [3 x1, x2]
    np.testing.assert_allclose(x.grad.numpy(), [0, 18 * xn[1], 2 * xn[2], 0])


@pytest.mark.parametrize(
    "write",
    [
        lambda y, w: y[1:3].add_(w),
        lambda y, w: y[:, 0].mul_(w[0, 0]),
        lambda y, w: y.t()[0].sub_(w.reshape(-1)[0:4]),
        lambda y, w: y[1:][0:2].div_(w.exp()),
        lambda y, w: y[::-1][0].copy_(w[0]),
        lambda y, w: y[1].exp_(),
        lambda y, w: y[0:2].clamp_(min=-0.5),
        lambda y, w: y[2].__setitem__(slice(0, 2), w[0, 0:2] * 2),
        lambda y, w: y[0:2].masked_fill_(y[0:2].detach() > 0, 1.5),
        lambda y, w: y.view(-1)[3:6].mul_(w.reshape(-1)[0:3]),
        lambda y, w: y[1:3].mul_(y[0:2].clone()),
    ],
)
def test_gradcheck_writes_through_views(write):
    x, w = f64(4, 3, seed=1), f64(2, 3, seed=2)

    def fn(x, w):
        y = x * 2
        write(y, w)
        return y * y

    assert gradcheck(fn, (x, w))


def test_second_order_through_rebased_view():
    x = f64(5, seed=3)

    def first_grad(x):
        y = x * x
        y[1:4].mul_(x[0:3])
        (g,) = rgrad.autograd.grad(y.pow(2).sum(), x, create_graph=True)
        return g

    assert gradcheck(first_grad, (x,))


def test_write_into_non_grad_base_makes_it_require_grad():
    w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    a = rgrad.zeros(3)
    b = a[0:2]
    b.copy_(w)
    assert a.requires_grad and not a.is_leaf and a.grad_fn.name() == "CopySlices"
    (a * a).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])


def test_older_views_regenerate_their_history():
    w = rgrad.tensor([3.0], requires_grad=True)
    a = rgrad.zeros(3)
    later = a[1:3]
    assert not later.requires_grad
    a[0:2].mul_(0).add_(w)  # the write reaches later[0] through the shared storage
    assert later.requires_grad
    later.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0])


def test_base_written_after_view_made():
    x = rgrad.ones(3, requires_grad=True)
    y = x * 1
    v = y[1:]
    y.mul_(5)
    v.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 5, 5])


def test_view_of_leaf_requiring_grad_refuses_inplace():
    x = rgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1].mul_(2)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1] += 1
    with rgrad.no_grad():
        x[0:1].mul_(2)
    np.testing.assert_array_equal(x.detach().numpy(), [2, 1, 1])


def test_view_made_under_no_grad_refuses_tracked_inplace():
    y = rgrad.ones(3, requires_grad=True) * 1
    with rgrad.no_grad():
        v = y[0:1]
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        v.mul_(2)


def test_overlapping_memory_refuses_inplace():
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        rgrad.zeros(3).expand(2, 3).add_(1)


def test_detach_is_not_a_view_for_autograd():
    x = rgrad.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d._is_view()
    d[0] = 7.0  # shares memory, but not y's history
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])


def test_setitem_on_full_view_of_non_grad_tensor_keeps_value_link():
    w = rgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = rgrad.zeros(3)
    v = a.view(3)
    v[:] = w
    (a * 2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2, 2, 2])


def test_values_unchanged_by_tracking():
    x = rgrad.arange(6.0).reshape(2, 3).requires_grad_()
    y = x + 0
    y[1].mul_(10)
    y[:, 0].add_(1)
    np.testing.assert_array_equal(y.detach().numpy(), [[1, 1, 2], [31, 40, 50]])


@pytest.mark.parametrize("op", ["mul_", "div_", "add_", "sub_"])
def test_second_order_of_inplace_binary(op):
    x = f64(3, seed=4)

    def first_grad(x):
        y = x * x + 2
        getattr(y, op)(x + 3)
        (g,) = rgrad.autograd.grad(y.pow(2).sum(), x, create_graph=True)
        return g

    assert gradcheck(first_grad, (x,))


def test_no_grad_view_of_plain_base_written_with_grad_value_is_tracked():
    # PyTorch refuses this as ambiguous; rgrad tracks it so the base's gradient is right
    a = rgrad.zeros(3)
    w = rgrad.ones(2, requires_grad=True)
    with rgrad.no_grad():
        v = a[0:2]
    v.copy_(w)
    assert a.requires_grad
    (a * rgrad.tensor([2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 3.0])


def test_retain_grad_follows_inplace_writes():
    # PyTorch moves retain_grad to the tensor's new history: .grad is the gradient of the
    # tensor's value after the write, not before it (which would carry the factor 2 here)
    x = rgrad.ones(4, requires_grad=True)
    z = x * 2
    z.retain_grad()
    z.mul_(2)
    (z * rgrad.arange(4.0)).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [0, 1, 2, 3])
    np.testing.assert_allclose(x.grad.numpy(), [0, 4, 8, 12])


def test_retain_grad_survives_view_rebase_and_regeneration():
    x = rgrad.ones(4, requires_grad=True)
    y = x * 2
    v = y[:2]
    v.retain_grad()
    v.mul_(3)  # v's own history is rebuilt from the rewritten base
    v.sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [1, 1])
    np.testing.assert_allclose(x.grad.numpy(), [6, 6, 0, 0])

    y2 = x * 2
    w, u = y2[:2], y2[1:3]
    u.retain_grad()
    w.mul_(3)  # writes through a sibling view: u's history is regenerated lazily
    (u * rgrad.arange(2.0)).sum().backward()
    np.testing.assert_allclose(u.grad.numpy(), [0, 1])
