"""Devices: every creator takes ``device=`` and honours it, results stay on their inputs'
device (the CPU, and the GPU where one is usable), and a device that is not available (a
second GPU, or any GPU without one) is refused with one clear error wherever it is named
(creators, ``.to``, ``rgrad.device``). The mixing rule (a 0-d CPU tensor joins tensors of any
device) is tested in Rust (``ops::checks``) and, on a GPU, in tests/test_gpu.py."""

import numpy as np
import pytest

import rgrad

CPU_SPECS = ["cpu", "cpu:0", rgrad.device("cpu"), None]
# never available: rgrad opens one GPU, gpu:0 (and none without a usable adapter)
UNAVAILABLE_SPECS = ["gpu:1", "gpu:7", "cuda:3"] + ([] if rgrad.gpu.is_available() else ["gpu", "gpu:0", "cuda"])
DEVICES = ["cpu"] + (["gpu"] if rgrad.gpu.is_available() else [])


def creators(device):
    """One call of every creator with ``device=``."""
    x = rgrad.ones(2, 3)
    return {
        "tensor": lambda: rgrad.tensor([[1.0, 2.0]], device=device),
        "as_tensor": lambda: rgrad.as_tensor([1, 2], device=device),
        "zeros": lambda: rgrad.zeros(2, 3, device=device),
        "ones": lambda: rgrad.ones(2, 3, device=device),
        "empty": lambda: rgrad.empty(2, 3, device=device),
        "full": lambda: rgrad.full((2, 3), 1.5, device=device),
        "eye": lambda: rgrad.eye(3, device=device),
        "arange": lambda: rgrad.arange(5, device=device),
        "linspace": lambda: rgrad.linspace(0, 1, 5, device=device),
        "logspace": lambda: rgrad.logspace(0, 1, 5, device=device),
        "rand": lambda: rgrad.rand(2, 3, device=device),
        "randn": lambda: rgrad.randn(2, 3, device=device),
        "randint": lambda: rgrad.randint(0, 5, (2, 3), device=device),
        "randperm": lambda: rgrad.randperm(5, device=device),
        "normal": lambda: rgrad.normal(0.0, 1.0, (2, 3), device=device),
        "zeros_like": lambda: rgrad.zeros_like(x, device=device),
        "ones_like": lambda: rgrad.ones_like(x, device=device),
        "empty_like": lambda: rgrad.empty_like(x, device=device),
        "full_like": lambda: rgrad.full_like(x, 2.0, device=device),
        "rand_like": lambda: rgrad.rand_like(x, device=device),
        "randn_like": lambda: rgrad.randn_like(x, device=device),
        "randint_like": lambda: rgrad.randint_like(x, 5, device=device),
        "new_zeros": lambda: x.new_zeros(2, device=device),
        "new_ones": lambda: x.new_ones(2, device=device),
        "new_full": lambda: x.new_full((2,), 3.0, device=device),
        "new_empty": lambda: x.new_empty(2, device=device),
        "new_tensor": lambda: x.new_tensor([1.0], device=device),
    }


@pytest.mark.parametrize("device", CPU_SPECS, ids=str)
def test_every_creator_takes_a_cpu_device(device):
    for name, make in creators(device).items():
        t = make()
        assert t.device == rgrad.device("cpu"), name
        assert t.is_cpu and not t.is_cuda, name


@pytest.mark.parametrize("spec", UNAVAILABLE_SPECS)
def test_every_creator_refuses_an_unavailable_device(spec):
    for name, make in creators(spec).items():
        with pytest.raises(RuntimeError, match="not available"):
            make()
        with pytest.raises(RuntimeError, match="not available"):
            make()  # twice: the refusal leaves nothing behind


@pytest.mark.parametrize("spec", UNAVAILABLE_SPECS)
def test_to_an_unavailable_device_is_refused_and_to_the_cpu_keeps_the_tensor(spec):
    t = rgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="not available"):
        t.to(spec)
    with pytest.raises(RuntimeError, match="not available"):
        t.to(device=spec, dtype=rgrad.float64)
    with pytest.raises(RuntimeError, match="not available"):
        rgrad.device(spec)
    # to the device the tensor is on: no copy, the graph unchanged
    same = t.to("cpu")
    assert same.device == t.device and same.data_ptr() == t.data_ptr()
    assert t.cpu() is t
    y = t.to(device="cpu", dtype=rgrad.float64)
    assert y.dtype is rgrad.float64 and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones(2, np.float32))


def test_device_objects_name_devices():
    assert str(rgrad.device("cpu")) == "cpu" and rgrad.device("cpu").index is None
    assert rgrad.device("cpu") == "cpu" and rgrad.device("cpu") == rgrad.device("cpu:0")
    with pytest.raises(RuntimeError, match="Expected one of cpu, gpu device type"):
        rgrad.device("tpu")
    if rgrad.gpu.is_available():
        assert rgrad.zeros(2, device=0).device == rgrad.device("gpu:0")
        assert str(rgrad.device("cuda")) == "gpu:0" and rgrad.device("gpu").index == 0
    else:
        with pytest.raises(RuntimeError, match="not available"):
            rgrad.zeros(2, device=0)
    with pytest.raises(RuntimeError, match="not available"):
        rgrad.zeros(2, device=5)
    with pytest.raises(TypeError, match="device must be"):
        rgrad.zeros(2, device=1.5)


def test_like_creators_keep_their_inputs_device_and_dtype():
    x = rgrad.ones(2, 3, dtype=rgrad.float64)
    for make in (rgrad.zeros_like, rgrad.ones_like, rgrad.empty_like, rgrad.rand_like, rgrad.randn_like):
        t = make(x)
        assert t.device == x.device and t.dtype is rgrad.float64 and t.shape == x.shape


@pytest.mark.parametrize("device", DEVICES)
def test_results_and_helpers_stay_on_their_inputs_device(device):
    # ops that make helper tensors inside (scalars, index lists, masks) keep the input's device
    rng = np.random.default_rng(0)
    a = rgrad.tensor(rng.standard_normal((4, 5)), device=device)
    idx = rgrad.tensor([2, 0, 3], device=device)
    results = [
        a + 1, 2 * a, a ** 2, a.clamp(-0.5, 0.5), a.sum(), a.mean(1), a.argmax(0), a.cumsum(1), a.softmax(1),
        a[idx], a[a > 0], a.nonzero(), a.sort(1).values, a.unique(), a.median(), a.quantile(0.5), rgrad.eye(3, dtype=a.dtype, device=device) @ a[:3],
        a.index_select(0, idx), a.gather(1, rgrad.zeros(4, 2, dtype=rgrad.int64, device=device)), a.masked_fill(a > 0, 0.0),
        rgrad.where(a > 0, a, 0.0), a.tril(), rgrad.cat([a, a]), a.repeat_interleave(rgrad.tensor([1, 0, 2, 1], device=device), dim=0),
        rgrad.isin(a, 0.5), rgrad.bincount(rgrad.tensor([1, 1, 3], device=device)), a.histc(4),
    ]
    for r in results:
        assert r.device == a.device
