"""Regressions for issue 17, bugs 16-21: wrong or missing gradients. The oracle is finite
differences (`rgrad.autograd.gradcheck`, float64 central differences) on a function that
runs the whole sequence, in-place ops included; where the point is not differentiable the
expected value is PyTorch's documented convention, said beside it."""

import math

import numpy as np
import pytest

import rgrad
from conftest import assert_close

F = rgrad.nn.functional
gradcheck = rgrad.autograd.gradcheck


def leaf(a):
    return rgrad.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# ---------- 16. an in-place op on the base, seen through overlapping views made before it ----------

@pytest.mark.parametrize("view", [
    lambda y: y.expand(3, 2),
    lambda y: y.unsqueeze(0).expand(4, 2).t(),
    lambda y: y.unfold(0, 2, 1),
    lambda y: y.unfold(0, 1, 1),
    lambda y: y[::-1],
    lambda y: y[:1].expand(5),
])
def test_16_inplace_on_base_then_overlapping_view(view):
    def f(x):
        y = x * 1
        v = view(y)
        y.mul_(2)
        return v * rgrad.arange(v.numel(), dtype=rgrad.float64).reshape(v.shape)
    assert gradcheck(f, (leaf([1.0, 2.0]),))


def test_16_issue_values():
    x = leaf([1.0, 2.0])
    y = x * 1
    v = y.expand(3, 2)
    y.mul_(2)
    v.sum().backward()
    assert_close(x.grad, np.array([6.0, 6.0]))
    x = leaf([1.0, 2.0, 3.0, 4.0])
    y = x * 1
    v = y.unfold(0, 2, 1)
    y.mul_(2)
    v.sum().backward()
    assert_close(x.grad, np.array([2.0, 4.0, 4.0, 2.0]))


def test_16_no_grad_write_to_base():
    def f(x):
        y = x * 1
        v = y.unfold(0, 3, 1)
        with rgrad.no_grad():
            y.add_(1)
        return v * v
    assert gradcheck(f, (leaf([1.0, -2.0, 0.5, 4.0]),))
    x = leaf([1.0, 2.0])
    y = x * 1
    v = y.expand(3, 2)
    with rgrad.no_grad():
        y.add_(1)
    v.sum().backward()
    assert_close(x.grad, np.array([3.0, 3.0]))


def test_16_double_backward_through_overlapping_view():
    def g(x):
        y = x * x
        v = y.expand(3, 2)
        y.mul_(3)
        (gx,) = rgrad.autograd.grad((v * v).sum(), (x,), create_graph=True)
        return gx
    assert gradcheck(g, (leaf([0.5, -1.5]),))


# ---------- 17. copy_ from memory the destination shares ----------

@pytest.mark.parametrize("src", [lambda v: v, lambda v: v[::-1], lambda v: v.roll(1), lambda v: v[:1].expand(3)])
def test_17_copy_from_overlapping_source(src):
    def f(x):
        v = x * 1
        v.copy_(src(v))
        return v * rgrad.tensor([1.0, 10.0, 100.0], dtype=rgrad.float64)
    assert gradcheck(f, (leaf([1.0, 2.0, 3.0]),))


def test_17_issue_values_and_later_views():
    x = leaf([1.0, 2.0])
    v = x * 1
    v.copy_(v)
    v.sum().backward()
    assert_close(x.grad, np.ones(2))

    def f(x):
        y = x * 1
        w = y[::-1]
        y.copy_(w)  # y = reversed x; w (a view of y) now reads x in order
        y.mul_(2)
        return w * rgrad.tensor([1.0, 10.0, 100.0], dtype=rgrad.float64)
    assert gradcheck(f, (leaf([1.0, 2.0, 3.0]),))


def test_17_setitem_from_overlapping_view():
    def f(x):
        y = x * 1
        w = y[1:]
        y[:2] = w  # reads what w was before the write
        return (w * rgrad.tensor([1.0, 10.0], dtype=rgrad.float64), y)
    assert gradcheck(f, (leaf([1.0, 2.0, 3.0]),))


# ---------- 18. std where the std is 0 ----------

def test_18_std_gradient_at_zero_is_zero():
    # not differentiable there; PyTorch's convention (and rgrad's) is a zero gradient, not NaN
    x = leaf([1.0, 1.0, 1.0])
    x.std().backward()
    assert_close(x.grad, np.zeros(3))
    y = leaf([2.0, 2.0])
    s, m = rgrad.std_mean(y)
    (s + m).backward()
    assert_close(y.grad, np.full(2, 0.5))
    z = leaf([[1.0, 1.0], [1.0, 3.0]])
    z.std(1).sum().backward()
    assert_close(z.grad, np.array([[0.0, 0.0], [-1 / math.sqrt(2), 1 / math.sqrt(2)]]))


def test_18_std_gradients_elsewhere():
    a = np.random.default_rng(18).standard_normal((3, 4))
    assert gradcheck(lambda x: x.std(1), (leaf(a),))
    assert gradcheck(lambda x: x.std(), (leaf(a),))
    assert gradcheck(lambda x: rgrad.std_mean(x, 0)[0], (leaf(a),))


# ---------- 19. logit without eps outside [0, 1] ----------

def test_19_logit_gradient_outside_unit_interval_is_nan():
    x = leaf([-0.5, 0.5, 1.5, 0.25])
    x.logit().sum().backward()
    g = x.grad.numpy()
    assert np.isnan(g[[0, 2]]).all()
    assert_close(x.grad[[1, 3]], 1 / (np.array([0.5, 0.25]) * (1 - np.array([0.5, 0.25]))))
    assert gradcheck(lambda x: x.logit(), (leaf([0.2, 0.5, 0.9]),))
    # with eps the input is clamped: no gradient outside [eps, 1 - eps]
    x = leaf([-0.5, 0.5, 1.5])
    x.logit(eps=0.1).sum().backward()
    assert_close(x.grad, np.array([0.0, 4.0, 0.0]))


def test_19_logit_values():
    a = np.array([-0.5, 0.0, 0.25, 1.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        assert_close(rgrad.tensor(a).logit(), np.log(a / (1 - a)))


# ---------- 20. no spurious "modified by an inplace operation" errors ----------

def test_20_inplace_on_a_result_whose_backward_does_not_need_it():
    def f(x):
        y = x.pow(1.5)
        y.relu_()
        return y
    assert gradcheck(f, (leaf([1.0, 2.0]),))

    def g(x):
        v = x * 1
        w = F.log_softmax(v, 0)
        v.mul_(2)
        return w
    assert gradcheck(g, (leaf([1.0, 2.0, -0.5]),))


@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "sqrt", "reciprocal", "softmax", "log_softmax"])
def test_20_inplace_on_the_input_of_an_op_that_saves_its_output(op):
    call = (lambda t: getattr(t, op)(0)) if "softmax" in op else (lambda t: getattr(t, op)())

    def f(x):
        v = x * 1
        w = call(v)
        v.add_(1)  # w's backward reads w, not v
        return w
    assert gradcheck(f, (leaf([0.5, 2.0, 1.5]),))


@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "sqrt", "reciprocal", "softmax", "log_softmax"])
def test_20_saved_outputs_twice_differentiable(op):
    call = (lambda t: getattr(t, op)(0)) if "softmax" in op else (lambda t: getattr(t, op)())

    def first(x):
        (g,) = rgrad.autograd.grad((call(x) * rgrad.tensor([1.0, -2.0, 0.5], dtype=rgrad.float64)).sum(), (x,), create_graph=True)
        return g
    assert gradcheck(first, (leaf([0.5, 2.0, 1.5]),))


def test_20_inplace_on_an_output_that_is_saved_still_raises():
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


# ---------- 21. norm(p=0), create_graph through piecewise-linear ops, scatter_reduce prod ----------

def test_21_norm_zero_has_no_gradient():
    x = rgrad.tensor([1.0, 0.0, 2.0], requires_grad=True)
    x.norm(p=0).backward()
    assert x.grad is None


@pytest.mark.parametrize("fn", [F.relu6, F.hardtanh, F.leaky_relu, F.hardsigmoid, lambda x: x.relu(), lambda x: x.cumprod(0),
                                lambda x: F.relu6(x * 3) * x])
def test_21_first_order_gradients_require_grad_under_create_graph(fn):
    a = [-1.5, 0.5, 7.0, 2.5, -0.25]  # away from every kink, where finite differences hold
    x = leaf(a)
    (g,) = rgrad.autograd.grad(fn(x).sum(), (x,), create_graph=True)
    assert g.requires_grad

    def first(x):
        (g,) = rgrad.autograd.grad(fn(x).sum(), (x,), create_graph=True)
        return g
    assert gradcheck(first, (leaf(a),))


def test_21_hardtanh_gradient_is_zero_at_the_bounds():
    # PyTorch's hardtanh_backward passes strictly inside (min_val, max_val); clamp's passes at them
    x = leaf([-1.0, 1.0, 0.0, 6.0, 0.5, -3.0, 3.0])
    hardsigmoid = [1 / 6] * 3 + [0, 1 / 6, 0, 0]
    for fn, expected in [(F.hardtanh, [0, 0, 1, 0, 1, 0, 0]), (F.relu6, [0, 1, 0, 0, 1, 0, 1]), (F.hardsigmoid, hardsigmoid)]:
        (g,) = rgrad.autograd.grad(fn(x).sum(), (x,))
        assert_close(g, np.array(expected, dtype=np.float64))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("src,base", [([2.0, 0.0, 3.0, 4.0], [1.5, -1.0]), ([2.0, 0.0, 3.0, 0.0], [5.0, 0.5]), ([0.0, 0.0, 3.0, 4.0], [0.0, 2.0]),
                                      ([2.0, 5.0, 3.0, 4.0], [0.0, 2.0])])
def test_21_scatter_reduce_prod_with_zeros(src, base, include_self):
    idx = rgrad.tensor([0, 0, 1, 1])
    assert gradcheck(lambda b, s: b.scatter_reduce(0, idx, s, "prod", include_self=include_self), (leaf(base), leaf(src)))


@pytest.mark.parametrize("view", [lambda b: b[:], lambda b: b.view(2, 3), lambda b: b[...], lambda b: b.reshape(6), lambda b: b.t().t()])
def test_21_setitem_on_a_full_storage_view_keeps_the_value_gradient(view):
    def f(w):
        base = rgrad.zeros(2, 3, dtype=rgrad.float64)
        v = view(base)
        v[...] = (w * 2).reshape(v.shape)
        return base * base
    assert gradcheck(f, (leaf(np.arange(1.0, 7.0).reshape(2, 3)),))
