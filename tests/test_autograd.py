"""The autograd tape: leaves, grad_fn, backward options, hooks, grad mode, errors."""

import numpy as np
import pytest

import rgrad
from conftest import assert_close, to_np

gradcheck = rgrad.autograd.gradcheck


def f64(*shape, positive=False):
    t = rgrad.randn(*shape, dtype=rgrad.float64)
    if positive:
        t = t.abs() if hasattr(t, "abs") else t * t
        t = t + 0.5
    return t.requires_grad_()


@pytest.mark.cpu_only  # compares reprs, which name a GPU device
def test_tutorial_dot_example():
    x = rgrad.arange(4.0, requires_grad=True)
    assert x.grad is None
    y = 2 * rgrad.dot(x, x)
    y.backward()
    assert repr(x.grad) == "tensor([ 0.,  4.,  8., 12.])"


def test_tutorial_sum_example():
    x = rgrad.arange(4.0, requires_grad=True)
    y = x * x
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 4.0, 6.0]


def test_tutorial_detach_example():
    x = rgrad.tensor([2.0], requires_grad=True)
    y = x * x
    u = y.detach()
    z = u * x
    z.backward()
    assert x.grad.tolist() == [4.0]


@pytest.mark.parametrize(
    "fn,nin,pos",
    [
        (lambda a, b: a + b, 2, False),
        (lambda a, b: a - b, 2, False),
        (lambda a, b: a * b, 2, False),
        (lambda a, b: a / b, 2, True),
        (lambda a, b: a ** b, 2, True),
        (lambda a, b: a.add(b, alpha=2.5), 2, False),
        (lambda a, b: a.sub(b, alpha=-1.5), 2, False),
        (lambda a, b: rgrad.dot(a.flatten(), b.flatten()), 2, False),
        (lambda a: -a, 1, False),
        (lambda a: a.neg(), 1, False),
        (lambda a: a.exp(), 1, False),
        (lambda a: a.log(), 1, True),
        (lambda a: a.sum(), 1, False),
        (lambda a: a.mean(), 1, False),
        (lambda a: a.sum(0), 1, False),
        (lambda a: a.mean(-1, keepdim=True), 1, False),
        (lambda a: 2.0 * a + 1, 1, False),
        (lambda a: 1 - a, 1, False),
        (lambda a: 3.0 / a, 1, True),
        (lambda a: a ** 3, 1, False),
        (lambda a: 2.0 ** a, 1, False),
    ],
)
def test_gradcheck_core_ops(fn, nin, pos):
    inputs = tuple(f64(3, 4, positive=pos) for _ in range(nin))
    assert gradcheck(fn, inputs)


def test_dtype_cast_gradient():
    x = rgrad.tensor([1.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    y = x.float()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * rgrad.tensor([3.0, 4.0])).sum().backward()
    assert x.grad.dtype is rgrad.float64 and x.grad.tolist() == [3.0, 4.0]
    assert not x.long().requires_grad


def test_broadcast_gradients_sum_back():
    a = f64(3, 1)
    b = f64(4)
    assert gradcheck(lambda x, y: x * y + x, (a, b))
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_allclose(to_np(a.grad)[:, 0], to_np(b).sum() * np.ones(3))


def test_mixed_dtype_gradients_keep_input_dtype():
    a = rgrad.ones(3, requires_grad=True)
    b = rgrad.ones(3, dtype=rgrad.float64, requires_grad=True)
    y = (a * b).sum()
    assert y.dtype is rgrad.float64
    y.backward()
    assert a.grad.dtype is rgrad.float32 and b.grad.dtype is rgrad.float64


def test_leaf_and_grad_fn():
    x = rgrad.ones(2, requires_grad=True)
    c = rgrad.ones(2)
    assert x.is_leaf and c.is_leaf and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    assert y.grad_fn.name() == "MulBackward0"
    z = y + c
    assert z.grad_fn.name() == "AddBackward0"
    (mul_fn, _), (none_fn, _) = z.grad_fn.next_functions
    assert mul_fn.name() == "MulBackward0" and none_fn is None
    (acc, _), _ = mul_fn.next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is not None
    assert "MulBackward0" in repr(mul_fn)
    assert not (c * 2).requires_grad and (c * 2).grad_fn is None


def test_requires_grad_rules():
    x = rgrad.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad = False
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        rgrad.ones(2, dtype=rgrad.int64).requires_grad_()
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        rgrad.tensor([1, 2], requires_grad=True)
    y = rgrad.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)


def test_grad_accumulates_and_can_be_reset():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]
    x.grad = None
    (3 * x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]
    x.grad = rgrad.ones(2)
    with pytest.raises(RuntimeError, match="different size"):
        x.grad = rgrad.ones(3)
    with pytest.raises(RuntimeError, match="different type"):
        x.grad = rgrad.ones(2, dtype=rgrad.float64)


def test_backward_needs_gradient_for_non_scalars():
    x = rgrad.ones(3, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()
    y.backward(rgrad.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(rgrad.ones(2))
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        rgrad.ones(1).backward()


def test_retain_graph_and_second_backward():
    x = rgrad.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    # ops that save nothing can be replayed, as in PyTorch
    z = (x + 1).sum()
    z.backward()
    z.backward()


def test_backward_inputs_argument():
    a = rgrad.ones(2, requires_grad=True)
    b = rgrad.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (a * b).sum().backward(inputs=[])


def test_retain_grad():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [4.0, 8.0]
    z = x * 3
    (z * 1).sum().backward()
    assert z.grad is None


def test_detach_and_detach_():
    x = rgrad.ones(2, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    d.add_(1)  # shares storage
    assert y.tolist() == [3.0, 3.0]
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad


def test_hooks():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * 2
    hy = y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert seen == [[20.0, 20.0]] and x.grad.tolist() == [20.0, 20.0]
    h.remove()
    hy.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert len(seen) == 1 and x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        rgrad.ones(1).register_hook(lambda g: g)


def test_grad_mode_context_managers_and_decorators():
    x = rgrad.ones(2, requires_grad=True)
    assert rgrad.is_grad_enabled()
    with rgrad.no_grad():
        assert not rgrad.is_grad_enabled()
        y = x * 2
        with rgrad.enable_grad():
            assert (x * 2).requires_grad
    assert not y.requires_grad and rgrad.is_grad_enabled()

    @rgrad.no_grad()
    def f(a):
        return a * 2

    assert not f(x).requires_grad

    @rgrad.no_grad()
    def g(a):
        return a * 2

    assert not g(x).requires_grad and rgrad.is_grad_enabled()
    rgrad.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    rgrad.set_grad_enabled(True)
    with rgrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @rgrad.set_grad_enabled(False)
    def h(a):
        return a * 2

    assert rgrad.is_grad_enabled() and not h(x).requires_grad
    with rgrad.autograd.no_grad():
        assert not rgrad.autograd.is_grad_enabled()


def test_autograd_grad():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    w = rgrad.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    gx, gw = rgrad.autograd.grad(y, (x, w))
    assert gx.tolist() == [3.0, 4.0] and gw.tolist() == [1.0, 2.0]
    assert x.grad is None  # grad() doesn't accumulate
    y2 = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        rgrad.autograd.grad(y2, (x, w))
    y3 = (x * 2).sum()
    gx, gw = rgrad.autograd.grad(y3, (x, w), allow_unused=True)
    assert gw is None and gx.tolist() == [2.0, 2.0]
    y4 = x * 2
    (g,) = rgrad.autograd.grad(y4, x, grad_outputs=rgrad.tensor([1.0, 0.5]))
    assert g.tolist() == [2.0, 1.0]
    h = x * 3
    z = (h * h).sum()
    (gh,) = rgrad.autograd.grad(z, h)  # non-leaf input
    assert gh.tolist() == [6.0, 12.0]


def test_higher_order_gradients():
    x = rgrad.tensor([1.5, -2.0], dtype=rgrad.float64, requires_grad=True)
    y = (x ** 3).sum()
    (g,) = rgrad.autograd.grad(y, x, create_graph=True)
    assert g.requires_grad
    (g2,) = rgrad.autograd.grad(g.sum(), x, create_graph=True)
    (g3,) = rgrad.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(to_np(g), 3 * to_np(x) ** 2)
    np.testing.assert_allclose(to_np(g2), 6 * to_np(x))
    np.testing.assert_allclose(to_np(g3), [6.0, 6.0])
    z = rgrad.tensor([0.5], dtype=rgrad.float64, requires_grad=True)
    e = z.exp().log().exp()
    (d,) = rgrad.autograd.grad(e, z, create_graph=True)
    (d2,) = rgrad.autograd.grad(d, z)
    np.testing.assert_allclose(to_np(d2), np.exp([0.5]))
    w = rgrad.tensor([2.0], requires_grad=True)
    (w * w * w).sum().backward(create_graph=True)
    assert w.grad.requires_grad and w.grad.tolist() == [12.0]


def test_inplace_errors():
    leaf = rgrad.ones(2, requires_grad=True)
    for op in (lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.zero_(), lambda t: t.fill_(3), lambda t: t.copy_(rgrad.zeros(2))):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
            op(leaf)
    with rgrad.no_grad():
        leaf.add_(1)
    assert leaf.tolist() == [2.0, 2.0]
    x = rgrad.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = rgrad.ones(2, requires_grad=True)
    b = a * 2
    c = b * b
    b.mul_(3)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        c.sum().backward()


def test_inplace_ops_record_gradients():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.mul_(3)
    y.add_(x)
    y += 1
    y *= x
    y.sum().backward()
    # y = (3x + x + 1) * x = 4x^2 + x
    assert x.grad.tolist() == [9.0, 17.0]
    v = rgrad.tensor([1.0, 2.0])
    w = rgrad.tensor([3.0, 4.0], requires_grad=True)
    v.add_(w)
    assert v.requires_grad and not v.is_leaf
    v.sum().backward()
    assert w.grad.tolist() == [1.0, 1.0]
    z = rgrad.ones(2, requires_grad=True) * 1
    z.div_(rgrad.tensor([2.0, 4.0]))
    z.sum().backward()


def test_inplace_shape_and_dtype_rules():
    i = rgrad.ones(3, dtype=rgrad.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        i /= 2
    with pytest.raises(RuntimeError, match="output with shape \\[3\\] doesn't match the broadcast shape \\[2, 3\\]"):
        rgrad.ones(3).add_(rgrad.ones(2, 3))
    f = rgrad.ones(3)
    f.add_(rgrad.ones(3, dtype=rgrad.float64))
    assert f.dtype is rgrad.float32 and f.tolist() == [2, 2, 2]
    f.mul_(2)
    f -= 1
    f /= 3
    assert f.tolist() == [1, 1, 1]
    i += 2
    i *= 3
    assert i.tolist() == [9, 9, 9]
    f.fill_(2.5)
    assert f.tolist() == [2.5] * 3
    f.zero_()
    assert f.tolist() == [0, 0, 0]
    f.copy_(rgrad.tensor([1, 2, 3]))
    assert f.tolist() == [1, 2, 3]
    v = f._version
    f.add_(1)
    assert f._version == v + 1


def test_long_chain_backward_is_iterative():
    x = rgrad.ones(1, requires_grad=True)
    y = x
    n = 1_000_000
    for _ in range(n):
        y = y + 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    del y  # freeing a million-node graph must not overflow the stack either


def test_gradcheck_catches_wrong_gradients():
    x = rgrad.randn(3, dtype=rgrad.float64, requires_grad=True)

    def bad(a):
        # a function whose autograd gradient is wrong: detach hides a dependence
        return a * a.detach() + a.detach() * 0

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(bad, (x,))
    assert gradcheck(bad, (x,), raise_exception=False) is False
