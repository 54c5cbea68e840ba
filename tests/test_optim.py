"""Optimizers against NumPy re-implementations of PyTorch's algorithms (several steps, two
parameter groups), state dicts, param_groups, errors; learning-rate schedulers against their
closed forms.

Tolerances: float64 parameters follow the oracle to 1e-12 (the same operations in the same
order); float32 to rtol 1e-5 (float32 rounding of each operation, compounded over 5 steps).
"""

import math
import inspect

import numpy as np
import pytest

import rgrad
from rgrad import nn, optim
from rgrad.optim import lr_scheduler
from conftest import to_np


def np_sgd(p, g, st, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    g = -g if maximize else g
    g = g + weight_decay * p
    if momentum:
        st["buf"] = g.copy() if "buf" not in st else momentum * st["buf"] + (1 - dampening) * g
        g = g + momentum * st["buf"] if nesterov else st["buf"]
    return p - lr * g


def np_adam(p, g, st, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False, decoupled=False):
    b1, b2 = betas
    st.setdefault("m", np.zeros_like(p))
    st.setdefault("v", np.zeros_like(p))
    st.setdefault("vmax", np.zeros_like(p))
    st["t"] = st.get("t", 0) + 1
    g = -g if maximize else g
    if decoupled:
        p = p * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * p
    st["m"] = st["m"] + (1 - b1) * (g - st["m"])
    st["v"] = b2 * st["v"] + (1 - b2) * g * g
    v = st["v"]
    if amsgrad:
        st["vmax"] = np.maximum(st["vmax"], st["v"])
        v = st["vmax"]
    denom = np.sqrt(v) / math.sqrt(1 - b2 ** st["t"]) + eps
    return p - lr / (1 - b1 ** st["t"]) * st["m"] / denom


def np_rmsprop(p, g, st, lr, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, maximize=False):
    g = -g if maximize else g
    g = g + weight_decay * p
    st["sq"] = alpha * st.get("sq", 0) + (1 - alpha) * g * g
    if centered:
        st["ga"] = st.get("ga", 0) + (1 - alpha) * (g - st.get("ga", 0))
        avg = np.sqrt(st["sq"] - st["ga"] ** 2) + eps
    else:
        avg = np.sqrt(st["sq"]) + eps
    if momentum:
        st["buf"] = momentum * st.get("buf", 0) + g / avg
        return p - lr * st["buf"]
    return p - lr * g / avg


def np_adagrad(p, g, st, lr, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False):
    st["t"] = st.get("t", 0) + 1
    g = -g if maximize else g
    g = g + weight_decay * p
    st["sum"] = st.get("sum", initial_accumulator_value) + g * g
    clr = lr / (1 + (st["t"] - 1) * lr_decay)
    return p - clr * g / (np.sqrt(st["sum"]) + eps)


def np_adadelta(p, g, st, lr, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    g = -g if maximize else g
    g = g + weight_decay * p
    st["sq"] = rho * st.get("sq", 0) + (1 - rho) * g * g
    acc = st.get("acc", 0)
    d = np.sqrt(acc + eps) / np.sqrt(st["sq"] + eps) * g
    st["acc"] = rho * acc + (1 - rho) * d * d
    return p - lr * d


CASES = [
    (optim.SGD, np_sgd, dict(lr=0.1)),
    (optim.SGD, np_sgd, dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    (optim.SGD, np_sgd, dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    (optim.Adam, np_adam, dict(lr=0.01)),
    (optim.Adam, np_adam, dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    (optim.AdamW, lambda p, g, st, **kw: np_adam(p, g, st, decoupled=True, **kw), dict(lr=0.01, weight_decay=0.1)),
    (optim.AdamW, lambda p, g, st, **kw: np_adam(p, g, st, decoupled=True, **kw), dict(lr=0.01, amsgrad=True, betas=(0.8, 0.9), weight_decay=1e-2)),
    (optim.RMSprop, np_rmsprop, dict(lr=0.01)),
    (optim.RMSprop, np_rmsprop, dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    (optim.Adagrad, np_adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    (optim.Adadelta, np_adadelta, dict(lr=1.0, rho=0.8, weight_decay=0.05)),
]


@pytest.mark.parametrize("cls,oracle,kw", CASES, ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(CASES)])
@pytest.mark.parametrize("dtype,npdt,tol", [(rgrad.float32, np.float32, 1e-5), (rgrad.float64, np.float64, 1e-12)])
def test_optimizer_matches_numpy_algorithm(cls, oracle, kw, dtype, npdt, tol):
    rng = np.random.default_rng(0)
    p0 = [rng.standard_normal((3, 4)).astype(npdt), rng.standard_normal(5).astype(npdt)]
    grads = [[rng.standard_normal(p.shape).astype(npdt) for p in p0] for _ in range(5)]
    params = [nn.Parameter(rgrad.tensor(p)) for p in p0]
    # the second group halves the learning rate: per-group options
    opt = cls([{"params": [params[0]]}, {"params": [params[1]], "lr": kw["lr"] / 2}], **kw)
    exp = [p.astype(np.float64) for p in p0]
    states = [{}, {}]
    for step in range(5):
        for i, p in enumerate(params):
            p.grad = rgrad.tensor(grads[step][i])
        opt.step()
        for i in range(2):
            kwi = dict(kw, lr=kw["lr"] if i == 0 else kw["lr"] / 2)
            exp[i] = oracle(exp[i], grads[step][i].astype(np.float64), states[i], **kwi)
    for p, e in zip(params, exp):
        assert p.dtype == dtype
        np.testing.assert_allclose(to_np(p), e, rtol=tol, atol=tol)


def test_parameters_without_grad_are_skipped_and_zero_grad():
    a, b = nn.Parameter(rgrad.ones(2)), nn.Parameter(rgrad.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = rgrad.ones(2)
    opt.step()
    assert b.tolist() == [1.0, 1.0] and b not in opt.state
    assert opt.state[a]["step"].item() == 1.0
    opt.zero_grad(set_to_none=False)
    assert a.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert a.grad is None


def test_closure_is_called_with_grad_enabled():
    w = nn.Parameter(rgrad.tensor([2.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with rgrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


def test_state_dict_roundtrip_continues_identically():
    rng = np.random.default_rng(1)

    def make():
        rgrad.manual_seed(3)
        return nn.Linear(4, 2)

    m1, m2 = make(), make()
    o1 = optim.AdamW(m1.parameters(), lr=0.01, amsgrad=True)
    x = rgrad.tensor(rng.standard_normal((8, 4)).astype(np.float32))
    for _ in range(3):
        o1.zero_grad()
        m1(x).pow(2).mean().backward()
        o1.step()
    sd = o1.state_dict()
    assert list(sd) == ["state", "param_groups"]
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    m2.load_state_dict(m1.state_dict())
    o2 = optim.AdamW(m2.parameters(), lr=0.5)
    o2.load_state_dict(sd)
    assert o2.param_groups[0]["lr"] == 0.01
    for o, m in ((o1, m1), (o2, m2)):
        o.zero_grad()
        m(x).pow(2).mean().backward()
        o.step()
    np.testing.assert_array_equal(to_np(m1.weight), to_np(m2.weight))
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.AdamW([{"params": [m2.weight]}, {"params": [m2.bias]}]).load_state_dict(sd)


def test_param_groups_add_group_and_errors():
    a, b, c = (nn.Parameter(rgrad.zeros(1)) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "weight_decay": 0.1}], lr=0.1, momentum=0.9)
    assert [g["weight_decay"] for g in opt.param_groups] == [0, 0.1]
    opt.add_param_group({"params": c, "lr": 0.5})
    assert opt.param_groups[2]["lr"] == 0.5 and opt.param_groups[2]["momentum"] == 0.9
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="params argument given to the optimizer should be an iterable of Tensors or dicts"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.Adam([a], lr=-1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 0: 1.0"):
        optim.Adam([a], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        optim.SGD([a], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([a * 2], lr=0.1)
    with pytest.warns(FutureWarning, match="ordering of tensors in sets will change"):
        optim.SGD({a}, lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        opt.add_param_group({"params": {c}})
    assert "Parameter Group 0\n    dampening: 0\n" in repr(opt)


def test_constructor_signatures_match_pytorch():
    sig = inspect.signature(optim.SGD)
    assert list(sig.parameters)[:7] == ["params", "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"]
    assert sig.parameters["lr"].default == 1e-3
    assert inspect.signature(optim.AdamW).parameters["weight_decay"].default == 1e-2
    assert list(inspect.signature(optim.Adam).parameters)[:6] == ["params", "lr", "betas", "eps", "weight_decay", "amsgrad"]


def test_optimizer_step_bumps_versions():
    w = nn.Parameter(rgrad.ones(2))
    y = w * w  # saves w for backward
    opt = optim.SGD([w], lr=0.1)
    w.grad = rgrad.ones(2)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_optimizer_wrong_grad_shape_errors():
    w = nn.Parameter(rgrad.ones(2))
    opt = optim.Adam([w])
    w.grad = rgrad.ones(2)
    opt.state[w]["step"] = rgrad.tensor(0.0)
    opt.state[w]["exp_avg"] = rgrad.zeros(3)
    opt.state[w]["exp_avg_sq"] = rgrad.zeros(2)
    with pytest.raises(RuntimeError, match="state 'exp_avg' of parameter 0 must be a contiguous Float tensor of shape"):
        opt.step()


def lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def run(sched, opt, n):
    out = []
    for _ in range(n):
        out.append(lrs(opt)[0])
        opt.step()
        sched.step()
    return out


def test_step_multistep_exponential_linear_lambda():
    p = [nn.Parameter(rgrad.zeros(1))]
    opt = optim.SGD(p, lr=1.0)
    assert run(lr_scheduler.StepLR(opt, 2, gamma=0.5), opt, 6) == pytest.approx([1, 1, 0.5, 0.5, 0.25, 0.25])
    opt = optim.SGD(p, lr=1.0)
    assert run(lr_scheduler.MultiStepLR(opt, [1, 3, 3], gamma=0.1), opt, 5) == pytest.approx([1, 0.1, 0.1, 0.001, 0.001])
    opt = optim.SGD(p, lr=1.0)
    assert run(lr_scheduler.ExponentialLR(opt, 0.5), opt, 4) == pytest.approx([1, 0.5, 0.25, 0.125])
    opt = optim.SGD(p, lr=1.0)
    exp = [1.0 * (0.25 + 0.75 * min(t, 4) / 4) for t in range(7)]
    assert run(lr_scheduler.LinearLR(opt, 0.25, 1.0, total_iters=4), opt, 7) == pytest.approx(exp)
    opt = optim.SGD(p, lr=2.0)
    assert run(lr_scheduler.LambdaLR(opt, lambda e: 1 / (e + 1)), opt, 3) == pytest.approx([2, 1, 2 / 3])


def test_cosine_annealing_matches_closed_form():
    p = [nn.Parameter(rgrad.zeros(1))]
    opt = optim.SGD(p, lr=1.0)
    got = run(lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.1), opt, 11)
    exp = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(11)]
    assert got == pytest.approx(exp, rel=1e-12)


def test_one_cycle_lr_and_momentum():
    p = [nn.Parameter(rgrad.zeros(1))]
    opt = optim.SGD(p, lr=0.1, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.3)
    got, moms = [], []
    for _ in range(10):
        got.append(lrs(opt)[0])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    init, final = 1.0 / 25, 1.0 / 25 / 1e4

    def cos_anneal(a, b, pct):
        return b + (a - b) / 2 * (math.cos(math.pi * pct) + 1)

    exp, expm = [], []
    for t in range(10):
        if t <= 2:
            exp.append(cos_anneal(init, 1.0, t / 2))
            expm.append(cos_anneal(0.95, 0.85, t / 2))
        else:
            exp.append(cos_anneal(1.0, final, (t - 2) / 7))
            expm.append(cos_anneal(0.85, 0.95, (t - 2) / 7))
    assert got == pytest.approx(exp, rel=1e-12)
    assert moms == pytest.approx(expm, rel=1e-12)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        sched.step()
    adam = optim.Adam(p, lr=0.1)
    lr_scheduler.OneCycleLR(adam, max_lr=1.0, total_steps=5)
    assert adam.param_groups[0]["betas"][0] == 0.95  # cycles beta1 for Adam


def test_sequential_and_reduce_on_plateau():
    p = [nn.Parameter(rgrad.zeros(1))]
    opt = optim.SGD(p, lr=1.0)
    s1 = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    s2 = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    seq = lr_scheduler.SequentialLR(opt, [s1, s2], milestones=[2])
    assert run(seq, opt, 5) == pytest.approx([0.5, 0.75, 1.0, 0.5, 0.25])
    opt = optim.SGD(p, lr=1.0)
    plateau = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    for metric in [1.0, 0.9, 0.95, 0.95, 0.95, 0.8]:
        plateau.step(metric)
    assert lrs(opt)[0] == 0.5 and plateau.get_last_lr() == [0.5]
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=2)


def test_scheduler_state_dict_roundtrip():
    p = [nn.Parameter(rgrad.zeros(1))]
    opt = optim.SGD(p, lr=1.0)
    s = lr_scheduler.StepLR(opt, 2, gamma=0.1)
    run(s, opt, 3)
    sd = s.state_dict()
    opt2 = optim.SGD(p, lr=1.0)
    s2 = lr_scheduler.StepLR(opt2, 5)
    s2.load_state_dict(sd)
    assert s2.step_size == 2 and s2.last_epoch == 3 and s2.get_last_lr() == s.get_last_lr()
