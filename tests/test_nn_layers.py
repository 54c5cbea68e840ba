"""Linear, Bilinear, Embedding, Dropout, normalisation layers, activations and nn.init
against NumPy oracles, gradcheck in float64, PyTorch's default initialisations and errors.

Tolerances: float64 to 1e-10 (a few roundings); float32 to rtol 1e-5 (row sums of at most
a few hundred float32 terms, statistics accumulated in float64 by the kernels).
"""

import math

import numpy as np
import pytest

import rgrad
from rgrad import nn
import rgrad.nn.functional as F
from conftest import to_np

FLOATS = [(rgrad.float32, np.float32, 1e-5), (rgrad.float64, np.float64, 1e-10)]


def test_linear_matches_numpy_and_gradcheck():
    lin = nn.Linear(3, 2, dtype=rgrad.float64)
    x = rgrad.randn(4, 3, dtype=rgrad.float64, requires_grad=True)
    w, b = to_np(lin.weight), to_np(lin.bias)
    np.testing.assert_allclose(to_np(lin(x)), to_np(x) @ w.T + b, rtol=1e-12)
    assert rgrad.autograd.gradcheck(lambda a, W, B: F.linear(a, W, B), (x, lin.weight, lin.bias))


def test_bilinear():
    rng = np.random.default_rng(1)
    layer = nn.Bilinear(3, 4, 2, dtype=rgrad.float64)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 4))
    exp = np.einsum("bi,kij,bj->bk", a, to_np(layer.weight), b) + to_np(layer.bias)
    np.testing.assert_allclose(to_np(layer(rgrad.tensor(a), rgrad.tensor(b))), exp, rtol=1e-10)
    ar, br = rgrad.tensor(a, requires_grad=True), rgrad.tensor(b, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda p, q, w: F.bilinear(p, q, w), (ar, br, layer.weight))


def test_identity_flatten_unflatten():
    x = rgrad.randn(2, 3, 4)
    assert nn.Identity(54, unused=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Unflatten(1, (3, 1))(rgrad.randn(2, 3)).shape == (2, 3, 1)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, 3)


def test_embedding_lookup_padding_and_max_norm():
    rng = np.random.default_rng(2)
    emb = nn.Embedding(6, 3, padding_idx=2, dtype=rgrad.float64)
    assert to_np(emb.weight)[2].tolist() == [0.0, 0.0, 0.0]  # padding row zeroed at init
    idx = np.array([[0, 2, 5], [2, 1, 1]])
    out = emb(rgrad.tensor(idx))
    np.testing.assert_array_equal(to_np(out), to_np(emb.weight)[idx])
    out.sum().backward()
    g = to_np(emb.weight.grad)
    assert g[2].tolist() == [0.0, 0.0, 0.0]  # the padding row gets no gradient
    assert g[1].tolist() == [2.0, 2.0, 2.0] and g[3].tolist() == [0.0, 0.0, 0.0]
    # int32 indices work too, as in PyTorch
    assert emb(rgrad.tensor([1, 3], dtype=rgrad.int32)).shape == (2, 3)
    w = rng.standard_normal((4, 3)) * 5
    e = nn.Embedding.from_pretrained(rgrad.tensor(w), max_norm=1.0)
    e(rgrad.tensor([0, 1]))
    norms = np.linalg.norm(to_np(e.weight), axis=1)
    assert np.all(norms[:2] <= 1.0 + 1e-6) and np.allclose(norms[2:], np.linalg.norm(w[2:], axis=1))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(rgrad.tensor([6]))
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        emb(rgrad.tensor([1.0]))
    assert repr(emb) == "Embedding(6, 3, padding_idx=2)"


def test_dropout_training_eval_and_scaling():
    rgrad.manual_seed(0)
    x = rgrad.ones(2000)
    d = nn.Dropout(0.3)
    y = to_np(d(x))
    kept = y != 0
    assert np.allclose(y[kept], 1 / 0.7)
    assert abs(kept.mean() - 0.7) < 0.05  # 2000 draws: 4 standard deviations is ~0.041
    d.eval()
    assert d(x) is x
    # Dropout2d zeroes whole channels
    z = to_np(nn.Dropout2d(0.5)(rgrad.ones(4, 8, 3, 3)))
    per_channel = z.reshape(4, 8, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    z = to_np(nn.Dropout1d(0.5)(rgrad.ones(4, 8, 5)))
    assert np.all((z == 0).all(-1) | (z == 2).all(-1))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    assert to_np(F.dropout(x, 1.0)).max() == 0
    xr = rgrad.ones(5, requires_grad=True)
    F.dropout(xr, 0.5).sum().backward()
    assert set(to_np(xr.grad).tolist()) <= {0.0, 2.0}


@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(dtype, npdt, tol, affine):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((4, 3, 5)) * 3 + 2).astype(npdt)
    ln = nn.LayerNorm((3, 5), elementwise_affine=affine, dtype=dtype)
    if affine:
        with rgrad.no_grad():
            ln.weight.copy_(rgrad.tensor(rng.standard_normal((3, 5)).astype(npdt)))
            ln.bias.copy_(rgrad.tensor(rng.standard_normal((3, 5)).astype(npdt)))
    x64 = x.astype(np.float64)
    mu = x64.mean((1, 2), keepdims=True)
    var = x64.var((1, 2), keepdims=True)
    exp = (x64 - mu) / np.sqrt(var + 1e-5)
    if affine:
        exp = exp * to_np(ln.weight) + to_np(ln.bias)
    np.testing.assert_allclose(to_np(ln(rgrad.tensor(x))), exp, rtol=tol, atol=tol)


def test_layer_norm_gradcheck_and_double_backward():
    rng = np.random.default_rng(4)
    x = rgrad.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = rgrad.tensor(rng.standard_normal(4), requires_grad=True)
    b = rgrad.tensor(rng.standard_normal(4), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a, p, q: F.layer_norm(a, (4,), p, q), (x, w, b))
    assert rgrad.autograd.gradcheck(lambda a: F.layer_norm(a, (4,)), (x,))
    assert rgrad.autograd.gradcheck(
        lambda a, p: rgrad.autograd.grad((F.layer_norm(a, (4,), p) ** 2).sum(), a, create_graph=True)[0], (x, w))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[4, 3\]"):
        F.layer_norm(rgrad.randn(4, 3), (4,))
    ln = nn.LayerNorm(4, bias=False)
    assert ln.bias is None and ln(rgrad.randn(2, 4)).shape == (2, 4)


def test_rms_norm_and_group_norm():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 3))
    rms = nn.RMSNorm(3, dtype=rgrad.float64)
    exp = x / np.sqrt((x * x).mean(-1, keepdims=True) + np.finfo(np.float64).eps)
    np.testing.assert_allclose(to_np(rms(rgrad.tensor(x))), exp, rtol=1e-10)
    gn = nn.GroupNorm(3, 6, dtype=rgrad.float64)
    with rgrad.no_grad():
        gn.weight.copy_(rgrad.tensor(rng.standard_normal(6)))
    xg = x.reshape(2, 3, -1)
    exp = ((xg - xg.mean(-1, keepdims=True)) / np.sqrt(xg.var(-1, keepdims=True) + 1e-5)).reshape(x.shape)
    exp = exp * to_np(gn.weight).reshape(1, 6, 1)
    np.testing.assert_allclose(to_np(gn(rgrad.tensor(x))), exp, rtol=1e-10)
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.group_norm(a, 3, gn.weight, gn.bias), (xr,))
    assert rgrad.autograd.gradcheck(lambda a: F.rms_norm(a, (3,), rms.weight), (xr,))
    with pytest.raises(RuntimeError, match="Expected number of channels in input to be divisible by num_groups"):
        F.group_norm(rgrad.randn(2, 6, 3), 4)


@pytest.mark.parametrize("cls,shape", [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm1d, (8, 3, 4)), (nn.BatchNorm2d, (4, 3, 2, 5))])
def test_batch_norm_training_running_stats_and_eval(cls, shape):
    rng = np.random.default_rng(6)
    bn = cls(3, momentum=0.2, dtype=rgrad.float64)
    x = rng.standard_normal(shape) * 2 + 1
    axes = (0,) + tuple(range(2, len(shape)))
    mean, var = x.mean(axes), x.var(axes)
    n = x.size // 3
    y = bn(rgrad.tensor(x))
    bshape = [1, 3] + [1] * (len(shape) - 2)
    np.testing.assert_allclose(to_np(y), (x - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5), rtol=1e-10)
    np.testing.assert_allclose(to_np(bn.running_mean), 0.2 * mean, rtol=1e-10)
    np.testing.assert_allclose(to_np(bn.running_var), 0.8 + 0.2 * var * n / (n - 1), rtol=1e-10)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    y = bn(rgrad.tensor(x))
    rm, rv = to_np(bn.running_mean).reshape(bshape), to_np(bn.running_var).reshape(bshape)
    np.testing.assert_allclose(to_np(y), (x - rm) / np.sqrt(rv + 1e-5), rtol=1e-10)
    bn.train()
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: F.batch_norm(a, None, None, bn.weight, bn.bias, True), (xr,))
    assert set(bn.state_dict()) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}


def test_batch_norm_errors_and_cumulative_average():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(rgrad.randn(1, 3))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(rgrad.randn(2, 3))
    bn = nn.BatchNorm1d(2, momentum=None, dtype=rgrad.float64)
    a, b = rgrad.randn(5, 2, dtype=rgrad.float64), rgrad.randn(5, 2, dtype=rgrad.float64)
    bn(a)
    bn(b)
    np.testing.assert_allclose(to_np(bn.running_mean), (to_np(a).mean(0) + to_np(b).mean(0)) / 2, rtol=1e-10)


ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.ReLU6(), lambda x: np.clip(x, 0, 6)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.ELU(0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    (nn.SELU(), lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))),
    (nn.GELU(), lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))),
    (nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    (nn.SiLU(), lambda x: x / (1 + np.exp(-x))),
    (nn.Mish(), lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    (nn.Softplus(beta=2.0), lambda x: np.log1p(np.exp(2 * x)) / 2),
    (nn.Hardtanh(-0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7)),
]


@pytest.mark.parametrize("layer,oracle", ACTIVATIONS, ids=[repr(a) for a, _ in ACTIVATIONS])
@pytest.mark.parametrize("dtype,npdt,tol", FLOATS)
def test_activations(layer, oracle, dtype, npdt, tol):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((3, 5)) * 2).astype(npdt)
    got = layer(rgrad.tensor(x))
    assert got.dtype == dtype
    np.testing.assert_allclose(to_np(got), oracle(x.astype(np.float64)), rtol=max(tol, 1e-6), atol=max(tol, 1e-6))
    if dtype == rgrad.float64:
        # away from the kinks (0, the clip bounds), where finite differences are exact enough
        xs = x + np.sign(x) * 0.05
        xr = rgrad.tensor(xs, requires_grad=True)
        assert rgrad.autograd.gradcheck(lambda a: layer(a), (xr,))


def test_activation_reprs():
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.Softmax(dim=-1)) == "Softmax(dim=-1)"


def test_init_functions_distributions_and_gain():
    rgrad.manual_seed(0)
    w = rgrad.empty(400, 300)
    nn.init.xavier_uniform_(w)
    a = math.sqrt(6 / 700)
    assert to_np(w).max() <= a and to_np(w).max() > 0.99 * a
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(to_np(w).std() - math.sqrt(2 / 400)) < 0.01 * math.sqrt(2 / 400) * 5
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(to_np(w).std() - 2 * math.sqrt(2 / 700)) < 0.05 * 2 * math.sqrt(2 / 700)
    nn.init.trunc_normal_(w, mean=1.0, std=2.0, a=-1.0, b=2.0)
    v = to_np(w)
    assert v.min() >= -1.0 and v.max() <= 2.0
    # a truncated normal's mean, from the normal CDF and PDF
    alpha, beta = (-1 - 1) / 2, (2 - 1) / 2
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2  # noqa: E731
    mean = 1 + 2 * (pdf(alpha) - pdf(beta)) / (cdf(beta) - cdf(alpha))
    assert abs(v.mean() - mean) < 0.02
    q = rgrad.empty(5, 8)
    nn.init.orthogonal_(q, gain=3.0)
    np.testing.assert_allclose(to_np(q) @ to_np(q).T, 9 * np.eye(5), atol=1e-5)
    e = rgrad.empty(3, 4)
    nn.init.eye_(e)
    assert to_np(e).tolist() == np.eye(3, 4).tolist()
    nn.init.constant_(e, 0.5)
    assert set(to_np(e).ravel()) == {0.5}
    nn.init.zeros_(e)
    nn.init.ones_(e)
    assert set(to_np(e).ravel()) == {1.0}
    assert nn.init.calculate_gain("relu") == math.sqrt(2)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert nn.init.calculate_gain("tanh") == 5 / 3
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(rgrad.empty(3))
    p = nn.Parameter(rgrad.empty(2, 2))
    nn.init.normal_(p)  # on a leaf that requires grad: runs without recording
    assert p.is_leaf


def test_default_inits_follow_pytorch():
    rgrad.manual_seed(1)
    lin = nn.Linear(50, 40)
    bound = 1 / math.sqrt(50)
    for t in (lin.weight, lin.bias):
        v = to_np(t)
        assert v.min() >= -bound and v.max() <= bound and v.max() > 0.8 * bound
    emb = nn.Embedding(1000, 20)
    assert abs(to_np(emb.weight).std() - 1) < 0.05
    ln = nn.LayerNorm(5)
    assert to_np(ln.weight).tolist() == [1.0] * 5 and to_np(ln.bias).tolist() == [0.0] * 5
    mha = nn.MultiheadAttention(8, 2)
    assert to_np(mha.in_proj_bias).tolist() == [0.0] * 24
    rnn = nn.LSTM(4, 6)
    assert all(np.abs(to_np(p)).max() <= 1 / math.sqrt(6) for p in rnn.parameters())


def test_clip_grad_and_vector_conversion():
    a = nn.Parameter(rgrad.tensor([3.0, 4.0]))
    b = nn.Parameter(rgrad.tensor([12.0]))
    a.grad, b.grad = rgrad.tensor([3.0, 4.0]), rgrad.tensor([12.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.3)
    assert total.item() == pytest.approx(13.0)
    np.testing.assert_allclose(to_np(a.grad), np.array([3.0, 4.0]) * 1.3 / (13 + 1e-6), rtol=1e-6)
    nn.utils.clip_grad_value_([a, b], 0.1)
    assert to_np(b.grad).tolist() == pytest.approx([0.1])
    a.grad = rgrad.tensor([-5.0, 1.0])
    assert nn.utils.clip_grad_norm_(a, 1.0, norm_type=float("inf")).item() == 5.0
    v = nn.utils.parameters_to_vector([a, b])
    assert v.tolist() == [3.0, 4.0, 12.0]
    nn.utils.vector_to_parameters(rgrad.tensor([1.0, 2.0, 3.0]), [a, b])
    assert a.tolist() == [1.0, 2.0] and b.tolist() == [3.0]


LAYERS = [
    (lambda dt: nn.Linear(5, 3, dtype=dt), (4, 5)),
    (lambda dt: nn.Bilinear(5, 5, 2, dtype=dt), (4, 5)),
    (lambda dt: nn.LayerNorm(5, dtype=dt), (4, 5)),
    (lambda dt: nn.RMSNorm(5, dtype=dt), (4, 5)),
    (lambda dt: nn.GroupNorm(2, 4, dtype=dt), (3, 4, 5)),
    (lambda dt: nn.BatchNorm1d(4, dtype=dt), (3, 4, 5)),
    (lambda dt: nn.BatchNorm2d(4, dtype=dt), (3, 4, 5, 5)),
    (lambda dt: nn.Conv1d(4, 2, 3, dtype=dt), (3, 4, 5)),
    (lambda dt: nn.Conv2d(4, 2, 3, padding="same", dtype=dt), (3, 4, 5, 5)),
    (lambda dt: nn.ConvTranspose2d(4, 2, 3, stride=2, dtype=dt), (3, 4, 5, 5)),
    (lambda dt: nn.MaxPool2d(2), (3, 4, 5, 5)),
    (lambda dt: nn.AvgPool2d(2), (3, 4, 5, 5)),
    (lambda dt: nn.AdaptiveAvgPool2d(2), (3, 4, 5, 5)),
    (lambda dt: nn.RNN(5, 3, dtype=dt), (4, 2, 5)),
    (lambda dt: nn.LSTM(5, 3, dtype=dt), (4, 2, 5)),
    (lambda dt: nn.GRU(5, 3, dtype=dt), (4, 2, 5)),
    (lambda dt: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, dtype=dt), (3, 2, 4)),
]


@pytest.mark.parametrize("make,shape", LAYERS, ids=[f"layer{i}" for i in range(len(LAYERS))])
def test_every_layer_runs_in_float32_and_float64_alike(make, shape):
    """float32 and float64 copies of a layer (same weights) agree to float32 accuracy."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal(shape)
    rgrad.manual_seed(3)
    l64 = make(rgrad.float64)
    rgrad.manual_seed(3)
    l32 = make(rgrad.float32)
    l32.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in l64.state_dict().items()})
    args64 = (rgrad.tensor(x),) * (2 if isinstance(l64, nn.Bilinear) else 1)
    args32 = (rgrad.tensor(x.astype(np.float32)),) * len(args64)
    o64, o32 = l64(*args64), l32(*args32)
    o64, o32 = (o64[0], o32[0]) if isinstance(o64, tuple) else (o64, o32)
    assert o64.dtype == rgrad.float64 and o32.dtype == rgrad.float32
    np.testing.assert_allclose(to_np(o32), to_np(o64), rtol=1e-4, atol=1e-5)
    if list(l32.parameters()):
        o32.sum().backward()
        assert all(p.grad is not None and p.grad.dtype == rgrad.float32 for p in l32.parameters())


def test_embedding_gradcheck():
    w = rgrad.randn(5, 3, dtype=rgrad.float64, requires_grad=True)
    idx = rgrad.tensor([[0, 4], [4, 1]])
    # (with padding_idx the padding row's gradient is zero by design, so not a derivative)
    assert rgrad.autograd.gradcheck(lambda a: F.embedding(idx, a), (w,))
