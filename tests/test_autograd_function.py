"""rgrad.autograd.Function (custom forward/backward), Variable, and the grad-mode decorators."""

import numpy as np
import pytest

import rgrad
from rgrad.autograd import Function, Variable, once_differentiable
from conftest import to_np


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * y


class MulConst(Function):
    """Non-tensor argument, needs_input_grad, a gradient for one input only."""

    @staticmethod
    def forward(ctx, x, k, w):
        ctx.k = k
        ctx.save_for_backward(x, w)
        assert ctx.needs_input_grad == (True, False, False)
        return x * w * k

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad * w * ctx.k, None, None


class SplitSum(Function):
    """Two differentiable outputs and one non-differentiable (an index)."""

    @staticmethod
    def forward(ctx, x):
        idx = x.argmax()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x)
        return x.sum(), x * x, idx

    @staticmethod
    def backward(ctx, g_sum, g_sq, g_idx):
        (x,) = ctx.saved_tensors
        return g_sum * rgrad.ones_like(x) + g_sq * 2 * x


def test_single_output_gradient_and_grad_fn_name():
    x = rgrad.tensor([0.5, -1.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    y = Exp.apply(x)
    assert y.grad_fn.name() == "ExpBackward"
    y.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.exp([0.5, -1.0, 2.0]), rtol=1e-12)
    assert rgrad.autograd.gradcheck(Exp.apply, (x,))


def test_non_tensor_args_and_partial_grads():
    x = rgrad.tensor([1.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    w = rgrad.tensor([3.0, 4.0], dtype=rgrad.float64)
    MulConst.apply(x, 2.0, w).sum().backward()
    assert x.grad.tolist() == [6.0, 8.0]


def test_multiple_outputs_call_backward_once_with_all_grads():
    x = rgrad.tensor([1.0, 3.0, 2.0], dtype=rgrad.float64, requires_grad=True)
    s, sq, idx = SplitSum.apply(x)
    assert idx.item() == 1 and not idx.requires_grad
    (3 * s + sq.sum()).backward()
    np.testing.assert_allclose(to_np(x.grad), 3 + 2 * np.array([1.0, 3.0, 2.0]), rtol=1e-12)
    # only one of the outputs used: the other's gradient arrives as zeros
    x.grad = None
    s, sq, _ = SplitSum.apply(x)
    sq.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), 2 * np.array([1.0, 3.0, 2.0]), rtol=1e-12)
    assert rgrad.autograd.gradcheck(lambda a: SplitSum.apply(a)[:2], (x,))


def test_create_graph_gives_second_derivatives():
    x = rgrad.tensor([0.3, -0.7], dtype=rgrad.float64, requires_grad=True)
    (g,) = rgrad.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = rgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(to_np(gg), np.exp([0.3, -0.7]), rtol=1e-12)


def test_saved_tensor_modified_in_place_and_second_backward_error():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    y = Exp.apply(x)
    with rgrad.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    z = Exp.apply(x)
    z.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.sum().backward()


def test_backward_errors_surface_as_the_users_exception():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("custom failure in backward")

    class WrongCount(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    x = rgrad.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="custom failure in backward"):
        Bad.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients \\(expected 2, got 1\\)"):
        WrongCount.apply(x, x).sum().backward()


def test_setup_context_style_and_once_differentiable():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = rgrad.tensor([3.0], requires_grad=True)
    Square.apply(x).backward()
    assert x.grad.tolist() == [6.0]


def test_no_recording_without_grad_and_variable_alias():
    x = rgrad.ones(2)
    y = Exp.apply(x)
    assert y.grad_fn is None and not y.requires_grad
    with rgrad.no_grad():
        assert Exp.apply(rgrad.ones(2, requires_grad=True)).grad_fn is None
    t = rgrad.ones(3)
    v = Variable(t, requires_grad=True)
    assert v is not t and v.requires_grad and not t.requires_grad and v.data_ptr() == t.data_ptr()


def test_grad_mode_decorators_bare_and_called():
    x = rgrad.ones(2, requires_grad=True)

    @rgrad.no_grad
    def f(a):
        return (a * 2).requires_grad

    @rgrad.no_grad()
    def g(a):
        return (a * 2).requires_grad

    @rgrad.inference_mode
    def h(a):
        return (a * 2).requires_grad

    @rgrad.inference_mode()
    def k(a):
        return (a * 2).requires_grad

    assert not f(x) and not g(x) and not h(x) and not k(x)
    assert f.__name__ == "f"
    assert (x * 2).requires_grad
