"""nn / optim: the tutorial's training loop (define model, forward, loss, backward, update)."""

import numpy as np
import pytest

import rgrad
from rgrad import nn, optim
from conftest import to_np


def test_parameter_is_a_leaf_tensor_sharing_memory():
    data = rgrad.zeros(3)
    p = nn.Parameter(data)
    assert isinstance(p, nn.Parameter) and isinstance(p, rgrad.Tensor)
    assert p.requires_grad and p.is_leaf
    with rgrad.no_grad():
        p.add_(1)
    assert data.tolist() == [1, 1, 1]
    assert repr(p).startswith("Parameter containing:\ntensor([1., 1., 1.]")
    assert not nn.Parameter(rgrad.ones(1), requires_grad=False).requires_grad


def test_module_registration_and_state_dict():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    names = [n for n, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert sum(p.numel() for p in model.parameters()) == 4 * 8 + 8 + 8 * 2 + 2
    sd = model.state_dict()
    other = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    other.load_state_dict(sd)
    x = rgrad.randn(5, 4)
    np.testing.assert_allclose(to_np(model(x)), to_np(other(x)), rtol=1e-6)
    with pytest.raises(RuntimeError, match="Missing key"):
        other.load_state_dict({})
    assert "Linear(in_features=4, out_features=8, bias=True)" in repr(model)


def test_linear_matches_numpy_and_gradcheck():
    lin = nn.Linear(3, 2, dtype=rgrad.float64)
    x = rgrad.randn(4, 3, dtype=rgrad.float64, requires_grad=True)
    w, b = to_np(lin.weight), to_np(lin.bias)
    # a 3-term float64 dot: any BLAS (FMA or not, any order) is within a few 1e-16 of the
    # truth, so an atol covers results that cancel to near 0, where rtol alone would not
    np.testing.assert_allclose(to_np(lin(x)), to_np(x) @ w.T + b, rtol=1e-12, atol=1e-12)
    assert rgrad.autograd.gradcheck(lambda a, W, B: nn.functional.linear(a, W, B), (x, lin.weight, lin.bias))


def test_training_loop_sgd_regression():
    rgrad.manual_seed(0)
    x = rgrad.rand(128, 1)
    y = 3 * x + 2
    model = nn.Linear(1, 1)
    loss_fn = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.5)
    for _ in range(200):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 1e-4
    assert abs(model.weight.item() - 3) < 0.02 and abs(model.bias.item() - 2) < 0.02


def test_training_loop_adam_classifier():
    rgrad.manual_seed(0)
    x = rgrad.randn(200, 2)
    labels = (x.sum(1) > 0).long()
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(100):
        opt.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        opt.step()
    acc = (model(x).argmax(1) == labels).float().mean().item()
    assert acc > 0.95


def test_cross_entropy_matches_numpy():
    logits = rgrad.randn(5, 4, dtype=rgrad.float64, requires_grad=True)
    target = rgrad.tensor([0, 3, 1, 1, 2])
    loss = nn.CrossEntropyLoss()(logits, target)
    z = to_np(logits)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    np.testing.assert_allclose(loss.item(), -logp[np.arange(5), [0, 3, 1, 1, 2]].mean(), rtol=1e-10)
    assert rgrad.autograd.gradcheck(lambda a: nn.CrossEntropyLoss()(a, target), (logits,))


def test_optimizer_errors():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([nn.Parameter(rgrad.ones(1))], lr=-1)
