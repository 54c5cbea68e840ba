"""Losses of rgrad.nn / rgrad.nn.functional against NumPy oracles (PyTorch's documented
formulas), gradcheck in float64, and PyTorch's errors.

Tolerances: float64 oracles and float64 inputs agree to rounding (1e-10); float32 inputs are
compared with rtol 1e-5, a few float32 roundings of sums over at most a few hundred terms.
"""

import numpy as np
import pytest

import rgrad
from rgrad import nn
import rgrad.nn.functional as F
from conftest import to_np

FLOATS = [(rgrad.float32, np.float32, 1e-5), (rgrad.float64, np.float64, 1e-10)]


def log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def reduce_np(loss, reduction):
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def ce_oracle(x, t, weight=None, ignore_index=-100, reduction="mean", smoothing=0.0):
    """PyTorch's cross entropy with class indices, from its documentation's formulas."""
    x = x.astype(np.float64)
    c = x.shape[1]
    if x.ndim > 2:  # (N, C, d...) -> (N*d..., C)
        x = np.moveaxis(x, 1, -1).reshape(-1, c)
        t = t.reshape(-1)
    logp = log_softmax(x)
    w = np.ones(c) if weight is None else weight.astype(np.float64)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    wt = w[ts] * valid
    nll = -logp[np.arange(len(t)), ts] * wt
    smooth = -(logp * w).sum(1) * valid
    if reduction == "mean":
        return (1 - smoothing) * nll.sum() / wt.sum() + smoothing / c * smooth.sum() / wt.sum()
    if reduction == "sum":
        return (1 - smoothing) * nll.sum() + smoothing / c * smooth.sum()
    return (1 - smoothing) * nll + smoothing / c * smooth


@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_indices(dtype, npdt, tol, reduction, smoothing, weighted):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 5)).astype(npdt) * 3
    t = rng.integers(0, 5, 7)
    t[2] = -100  # ignored
    w = rng.uniform(0.5, 2, 5).astype(npdt) if weighted else None
    got = F.cross_entropy(rgrad.tensor(x), rgrad.tensor(t), weight=None if w is None else rgrad.tensor(w),
                          reduction=reduction, label_smoothing=smoothing)
    assert got.dtype == dtype
    exp = ce_oracle(x, t, w, -100, reduction, smoothing)
    np.testing.assert_allclose(to_np(got), exp, rtol=tol, atol=tol)
    if reduction == "none":
        assert got[2].item() == 0.0


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_gradcheck_and_double_backward(reduction, smoothing):
    rng = np.random.default_rng(2)
    x = rgrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    t = rgrad.tensor([0, 2, -100, 1])
    w = rgrad.tensor(rng.uniform(0.5, 2, 3))
    f = lambda a: F.cross_entropy(a, t, weight=w, reduction=reduction, label_smoothing=smoothing)  # noqa: E731
    assert rgrad.autograd.gradcheck(f, (x,))
    # second derivatives: the backward has a graph of its own under create_graph
    (g,) = rgrad.autograd.grad(f(x).sum(), x, create_graph=True)
    assert rgrad.autograd.gradcheck(lambda a: rgrad.autograd.grad(f(a).sum(), a, create_graph=True)[0], (x,))
    assert g.requires_grad


def test_cross_entropy_spatial_and_unbatched_and_probabilities():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3, 2))
    t = rng.integers(0, 4, (2, 3, 2))
    got = F.cross_entropy(rgrad.tensor(x), rgrad.tensor(t), reduction="none")
    assert got.shape == (2, 3, 2)
    np.testing.assert_allclose(to_np(got).reshape(-1), ce_oracle(x, t, reduction="none"), rtol=1e-10)
    # unbatched: (C,) logits, 0-d target
    v = rng.standard_normal(5)
    got = F.cross_entropy(rgrad.tensor(v), rgrad.tensor(3))
    np.testing.assert_allclose(got.item(), -log_softmax(v[None])[0, 3], rtol=1e-10)
    # class probabilities (same shape as input, float)
    p = rng.dirichlet(np.ones(4), 6)
    xl = rng.standard_normal((6, 4))
    got = F.cross_entropy(rgrad.tensor(xl), rgrad.tensor(p), label_smoothing=0.1)
    ps = p * 0.9 + 0.1 / 4
    np.testing.assert_allclose(got.item(), -(log_softmax(xl) * ps).sum(1).mean(), rtol=1e-10)
    xr = rgrad.tensor(xl, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.cross_entropy(a, rgrad.tensor(p)), (xr,))


def test_cross_entropy_errors_match_pytorch():
    x = rgrad.randn(4, 3)
    with pytest.raises(ValueError, match=r"Expected input batch_size \(4\) to match target batch_size \(3\)"):
        F.cross_entropy(x, rgrad.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, rgrad.tensor([0, 1, 3, 0]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        F.cross_entropy(x, rgrad.tensor([0, 1, -1, 0]))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Int"):
        F.cross_entropy(x, rgrad.tensor([0, 1, 2, 0], dtype=rgrad.int32))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        F.cross_entropy(x, rgrad.tensor([0.0, 1, 2, 0]))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3 classes"):
        F.cross_entropy(x, rgrad.tensor([0, 1, 2, 0]), weight=rgrad.ones(2))
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        F.cross_entropy(x.long(), rgrad.tensor([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.cross_entropy(x, rgrad.tensor([0, 1, 2, 0]), reduction="foo")


def test_cross_entropy_all_ignored_mean_is_nan():
    out = F.cross_entropy(rgrad.randn(2, 3), rgrad.tensor([-100, -100]))
    assert np.isnan(out.item())


@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
def test_nll_loss(dtype, npdt, tol):
    rng = np.random.default_rng(4)
    x = log_softmax(rng.standard_normal((6, 4))).astype(npdt)
    t = rng.integers(0, 4, 6)
    t[0] = 1
    w = rng.uniform(0.5, 2, 4).astype(npdt)
    got = F.nll_loss(rgrad.tensor(x), rgrad.tensor(t), weight=rgrad.tensor(w), ignore_index=1)
    valid = t != 1
    exp = (-x[np.arange(6), t] * w[t] * valid).sum() / (w[t] * valid).sum()
    np.testing.assert_allclose(got.item(), exp, rtol=tol)
    assert nn.NLLLoss(reduction="sum")(rgrad.tensor(x), rgrad.tensor(t)).item() == pytest.approx(-x[np.arange(6), t].sum(), rel=tol)
    xr = rgrad.tensor(x.astype(np.float64), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.nll_loss(a, rgrad.tensor(t), weight=rgrad.tensor(w.astype(np.float64))), (xr,))


REGRESSION = {
    "mse": (F.mse_loss, nn.MSELoss, lambda d: d * d),
    "l1": (F.l1_loss, nn.L1Loss, np.abs),
    "smooth_l1": (lambda a, b, reduction="mean": F.smooth_l1_loss(a, b, reduction=reduction, beta=0.5),
                  lambda reduction="mean": nn.SmoothL1Loss(reduction=reduction, beta=0.5),
                  lambda d: np.where(np.abs(d) < 0.5, 0.5 * d * d / 0.5, np.abs(d) - 0.25)),
    "huber": (lambda a, b, reduction="mean": F.huber_loss(a, b, reduction=reduction, delta=0.5),
              lambda reduction="mean": nn.HuberLoss(reduction=reduction, delta=0.5),
              lambda d: np.where(np.abs(d) <= 0.5, 0.5 * d * d, 0.5 * (np.abs(d) - 0.25))),
}


@pytest.mark.parametrize("name", list(REGRESSION))
@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses(name, dtype, npdt, tol, reduction):
    fn, cls, oracle = REGRESSION[name]
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((3, 4)).astype(npdt), rng.standard_normal((3, 4)).astype(npdt)
    exp = reduce_np(oracle((a - b).astype(np.float64)), reduction)
    np.testing.assert_allclose(to_np(fn(rgrad.tensor(a), rgrad.tensor(b), reduction=reduction)), exp, rtol=tol, atol=tol)
    np.testing.assert_allclose(to_np(cls(reduction=reduction)(rgrad.tensor(a), rgrad.tensor(b))), exp, rtol=tol, atol=tol)
    if dtype == rgrad.float64:
        x = rgrad.tensor(a, requires_grad=True)
        y = rgrad.tensor(b, requires_grad=True)
        assert rgrad.autograd.gradcheck(lambda p, q: fn(p, q, reduction=reduction), (x, y))


def test_mse_warns_on_broadcast_and_checks_reduction():
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(rgrad.randn(4, 3), rgrad.randn(4, 1))
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.mse_loss(rgrad.randn(2), rgrad.randn(2), reduction="bad")
    # PyTorch's legacy size_average / reduce arguments
    a, b = rgrad.randn(3), rgrad.randn(3)
    assert F.mse_loss(a, b, size_average=False).item() == pytest.approx(F.mse_loss(a, b, reduction="sum").item())


@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
def test_bce_and_bce_with_logits(dtype, npdt, tol):
    rng = np.random.default_rng(6)
    p = rng.uniform(0.05, 0.95, (4, 3)).astype(npdt)
    t = rng.uniform(0, 1, (4, 3)).astype(npdt)
    w = rng.uniform(0.5, 2, (4, 3)).astype(npdt)
    p64, t64 = p.astype(np.float64), t.astype(np.float64)
    exp = (-(t64 * np.log(p64) + (1 - t64) * np.log(1 - p64)) * w).mean()
    np.testing.assert_allclose(F.binary_cross_entropy(rgrad.tensor(p), rgrad.tensor(t), weight=rgrad.tensor(w)).item(), exp, rtol=tol)
    z = rng.standard_normal((4, 3)).astype(npdt) * 4
    pw = rng.uniform(0.5, 3, 3).astype(npdt)
    s = 1 / (1 + np.exp(-z.astype(np.float64)))
    exp = (-(pw * t64 * np.log(s) + (1 - t64) * np.log(1 - s))).sum()
    got = nn.BCEWithLogitsLoss(reduction="sum", pos_weight=rgrad.tensor(pw))(rgrad.tensor(z), rgrad.tensor(t))
    np.testing.assert_allclose(got.item(), exp, rtol=tol * 10)
    # log clamped at -100 (PyTorch): probabilities of exactly 0 and 1 stay finite
    edge = F.binary_cross_entropy(rgrad.tensor([0.0, 1.0]), rgrad.tensor([1.0, 0.0]), reduction="none")
    assert to_np(edge).tolist() == [100.0, 100.0]
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(rgrad.tensor([1.5]), rgrad.tensor([1.0]))
    with pytest.raises(ValueError, match="is deprecated. Please ensure they have the same size"):
        F.binary_cross_entropy(rgrad.rand(3), rgrad.rand(4))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(rgrad.rand(3), rgrad.rand(4))
    if dtype == rgrad.float64:
        zr = rgrad.tensor(z, requires_grad=True)
        assert rgrad.autograd.gradcheck(lambda a: F.binary_cross_entropy_with_logits(a, rgrad.tensor(t), pos_weight=rgrad.tensor(pw)), (zr,))
        pr = rgrad.tensor(p, requires_grad=True)
        assert rgrad.autograd.gradcheck(lambda a: F.binary_cross_entropy(a, rgrad.tensor(t)), (pr,))


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(log_target):
    rng = np.random.default_rng(7)
    inp = log_softmax(rng.standard_normal((3, 4)))
    tgt = rng.dirichlet(np.ones(4), 3)
    tt = np.log(tgt) if log_target else tgt
    exp = (tgt * (np.log(tgt) - inp)).sum() / 3
    got = F.kl_div(rgrad.tensor(inp), rgrad.tensor(tt), reduction="batchmean", log_target=log_target)
    np.testing.assert_allclose(got.item(), exp, rtol=1e-10)
    with pytest.warns(UserWarning, match="batchmean"):
        nn.KLDivLoss()(rgrad.tensor(inp), rgrad.tensor(tgt))
    x = rgrad.tensor(inp, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.kl_div(a, rgrad.tensor(tt), reduction="sum", log_target=log_target), (x,))


def test_cosine_embedding_and_margin_ranking():
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    y = np.array([1, -1, 1, -1, -1])
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    exp = np.where(y == 1, 1 - cos, np.maximum(cos - 0.1, 0)).mean()
    got = nn.CosineEmbeddingLoss(margin=0.1)(rgrad.tensor(a), rgrad.tensor(b), rgrad.tensor(y))
    np.testing.assert_allclose(got.item(), exp, rtol=1e-10)
    x1, x2 = rng.standard_normal(5), rng.standard_normal(5)
    exp = np.maximum(0, -y * (x1 - x2) + 0.3).sum()
    got = nn.MarginRankingLoss(margin=0.3, reduction="sum")(rgrad.tensor(x1), rgrad.tensor(x2), rgrad.tensor(y))
    np.testing.assert_allclose(got.item(), exp, rtol=1e-10)
    ar, br = rgrad.tensor(a, requires_grad=True), rgrad.tensor(b, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda p, q: F.cosine_embedding_loss(p, q, rgrad.tensor(y), margin=0.1), (ar, br))
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(rgrad.randn(3), rgrad.randn(3, 1), rgrad.ones(3))


def test_loss_modules_hold_weight_as_buffer_and_repr():
    loss = nn.CrossEntropyLoss(weight=rgrad.ones(3), label_smoothing=0.1, ignore_index=2)
    assert "weight" in dict(loss.named_buffers())
    assert loss.ignore_index == 2 and loss.label_smoothing == 0.1
    assert repr(nn.MSELoss()) == "MSELoss()"
