"""Small pieces the training layer adds: functional one_hot / normalize / distances,
rgrad.cuda, set_default_device, and nn / optim importable the way PyTorch code imports them."""

import numpy as np
import pytest

import rgrad
import rgrad.nn.functional as F
from conftest import to_np


def test_one_hot():
    t = rgrad.tensor([[0, 2], [1, 0]])
    out = F.one_hot(t)
    assert out.dtype == rgrad.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(to_np(out), np.eye(3, dtype=np.int64)[[[0, 2], [1, 0]]])
    assert F.one_hot(rgrad.tensor([1]), 4).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(RuntimeError, match="one_hot is only applicable to index tensor of type LongTensor"):
        F.one_hot(rgrad.tensor([1.0]))
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(rgrad.tensor([3]), 2)
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(rgrad.tensor([-1]))


def test_normalize_cosine_similarity_pairwise_distance():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    np.testing.assert_allclose(to_np(F.normalize(rgrad.tensor(a), dim=1)), a / np.linalg.norm(a, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(to_np(F.normalize(rgrad.tensor(a), p=1, dim=0)), a / np.abs(a).sum(0), rtol=1e-12)
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(to_np(F.cosine_similarity(rgrad.tensor(a), rgrad.tensor(b))), cos, rtol=1e-12)
    np.testing.assert_allclose(to_np(F.pairwise_distance(rgrad.tensor(a), rgrad.tensor(b))),
                               np.linalg.norm(a - b + 1e-6, axis=1), rtol=1e-12)
    ar, br = rgrad.tensor(a, requires_grad=True), rgrad.tensor(b, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda x, y: F.cosine_similarity(x, y), (ar, br))
    assert rgrad.autograd.gradcheck(lambda x: F.normalize(x), (ar,))
    assert rgrad.autograd.gradcheck(lambda x, y: F.pairwise_distance(x, y, p=3), (ar, br))
    assert F.cosine_similarity(rgrad.zeros(2, 3), rgrad.ones(2, 3)).tolist() == [0.0, 0.0]


@pytest.mark.cpu_only  # sets and resets the default device, which a GPU run holds at "gpu"
def test_cuda_stub_and_default_device():
    assert rgrad.cuda.is_available() is False and rgrad.cuda.device_count() == 0
    rgrad.cuda.manual_seed_all(0)
    rgrad.cuda.synchronize()
    device = "cuda" if rgrad.cuda.is_available() else "cpu"
    assert rgrad.zeros(2, device=device).device == rgrad.device("cpu")
    rgrad.set_default_device("cpu")
    assert rgrad.get_default_device() == rgrad.device("cpu")
    with pytest.raises(RuntimeError, match="device 'gpu:4' is not available"):
        rgrad.set_default_device("gpu:4")
    assert rgrad.get_default_device() == rgrad.device("cpu")
    rgrad.set_default_device(None)


def test_pytorch_style_imports():
    import rgrad.nn as nn
    from rgrad.nn import functional, init  # noqa: F401
    from rgrad.nn.utils import clip_grad_norm_  # noqa: F401
    from rgrad.optim.lr_scheduler import OneCycleLR  # noqa: F401
    from rgrad.autograd.function import once_differentiable  # noqa: F401
    from rgrad.nn.modules.module import Module
    assert nn.Module is Module
    assert {"Linear", "Conv2d", "LSTM", "CrossEntropyLoss", "Parameter"} <= set(nn.__all__)
