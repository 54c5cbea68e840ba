"""Tensors on ``device="gpu"``: moving data, the device API, ops and autograd on the GPU against
NumPy and the CPU, errors, and the count of host<->device transfers.

On lavapipe (Mesa's Vulkan driver on the CPU, what CI installs) these run for real. Without any
Vulkan / Metal / DX12 adapter they skip, saying how to get one; under RGRAD_REQUIRE_GPU (CI)
that is a failure instead. ``pytest --device gpu`` reruns the op suites on the GPU as well
(tests/conftest.py).
"""

import os

import numpy as np
import pytest

import rgrad
import rgrad.nn as nn
import rgrad.nn.functional as F

from conftest import assert_close, rand_np

HOW = "no GPU adapter (on Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` gives lavapipe)"

if not rgrad.gpu.is_available():
    if os.environ.get("RGRAD_REQUIRE_GPU"):
        raise RuntimeError(f"RGRAD_REQUIRE_GPU is set but no GPU is usable: {rgrad.gpu.why_unavailable()}")
    pytest.skip(f"{HOW}: {rgrad.gpu.why_unavailable()}", allow_module_level=True)

GPU = rgrad.device("gpu")
FLOAT64 = rgrad.gpu.get_device_name() and True  # lavapipe and most Vulkan adapters have float64


def g(a, **kw):
    """A GPU tensor from NumPy data."""
    return rgrad.tensor(a, device="gpu", **kw)


def back(t):
    """A NumPy copy of a GPU tensor."""
    return t.detach().cpu().numpy()


# ---------- moving data ----------

@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.float32, np.float64])
def test_round_trip_keeps_values_and_dtype(dtype):
    a = rand_np((3, 5), dtype)
    t = rgrad.tensor(a).to("gpu")
    assert t.device == GPU and t.is_gpu and not t.is_cpu and not t.is_cuda
    assert str(t.device) == "gpu:0"
    c = t.cpu()
    assert c.device == rgrad.device("cpu")
    np.testing.assert_array_equal(c.numpy(), a)
    assert c.numpy().dtype == a.dtype


def test_views_move_with_their_layout():
    a = rand_np((4, 6), np.float32)
    t = rgrad.tensor(a)
    for v, e in [(t.T, a.T), (t[::2, 1::2], a[::2, 1::2]), (t.flip(1), a[:, ::-1]), (t[1].expand(3, 6), np.broadcast_to(a[1], (3, 6)))]:
        np.testing.assert_array_equal(back(v.to("gpu")), e)
    # and GPU views read back through their strides
    tg = t.to("gpu")
    np.testing.assert_array_equal(back(tg.T), a.T)
    np.testing.assert_array_equal(back(tg[::-2, 3:]), a[::-2, 3:])


def test_gpu_method_to_other_tensor_and_creators():
    x = rgrad.ones(2)
    assert x.gpu().device == GPU and x.gpu(0).device == GPU
    y = rgrad.zeros(3, device="gpu")
    assert x.to(y).device == GPU
    assert y.to(x).device == rgrad.device("cpu")
    assert y.gpu() is y and x.cpu() is x
    for make in [lambda d: rgrad.zeros(2, 3, device=d), lambda d: rgrad.ones(2, device=d), lambda d: rgrad.full((2,), 1.5, device=d),
                 lambda d: rgrad.arange(5, device=d), lambda d: rgrad.linspace(0, 1, 5, device=d), lambda d: rgrad.eye(3, device=d),
                 lambda d: rgrad.tensor([1, 2], device=d), lambda d: rgrad.empty(2, device=d)]:
        c, gg = make("cpu"), make("gpu")
        assert gg.device == GPU
        if make is not None and gg.numel() and not (gg.dtype.is_floating_point and False):
            pass
    np.testing.assert_array_equal(back(rgrad.arange(7, device="gpu")), np.arange(7))
    np.testing.assert_allclose(back(rgrad.arange(0, 1, 0.1, device="gpu")), rgrad.arange(0, 1, 0.1).numpy())
    np.testing.assert_allclose(back(rgrad.linspace(-1, 1, 9, device="gpu")), np.linspace(-1, 1, 9, dtype=np.float32), rtol=1e-6)
    np.testing.assert_array_equal(back(rgrad.eye(3, device="gpu")), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(back(rgrad.full((2, 2), 7, device="gpu")), np.full((2, 2), 7))


def test_default_device():
    try:
        rgrad.set_default_device("gpu")
        assert rgrad.get_default_device() == GPU
        assert rgrad.zeros(2).device == GPU and rgrad.tensor([1.0]).device == GPU
    finally:
        rgrad.set_default_device(None)
    assert rgrad.zeros(2).device == rgrad.device("cpu")
    with pytest.raises(RuntimeError, match="gpu:3"):
        rgrad.set_default_device("gpu:3")
    assert rgrad.get_default_device() == rgrad.device("cpu")


def test_repr_names_the_device_and_reads_back():
    t = g([1.5, 2.0])
    assert repr(t) == "tensor([1.5000, 2.0000], device='gpu:0')"
    assert repr(g([1, 2])) == "tensor([1, 2], device='gpu:0')"
    r = repr(g([1.0], dtype=rgrad.float64, requires_grad=True))
    assert r == "tensor([1.], device='gpu:0', dtype=rgrad.float64, requires_grad=True)"
    assert t.tolist() == [1.5, 2.0] and g(3).item() == 3


def test_numpy_of_a_gpu_tensor_is_a_type_error():
    t = g([1.0, 2.0])
    with pytest.raises(TypeError, match="can't convert gpu:0 device type tensor to numpy. Use Tensor.cpu()"):
        t.numpy()
    with pytest.raises(TypeError, match="can't convert gpu:0"):
        np.asarray(t)
    # no array interface: NumPy must not take a GPU tensor's memory for host memory
    assert not hasattr(t, "__array_interface__")


def test_mixed_devices():
    a, c = g([1.0, 2.0]), rgrad.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        a + c
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        rgrad.matmul(a.view(1, 2), c.view(2, 1))
    # a 0-d CPU tensor and Python numbers join GPU tensors
    s = rgrad.tensor(3.0)
    assert_close((a * s).cpu(), np.array([3.0, 6.0], np.float32))
    assert_close((a + 1).cpu(), np.array([2.0, 3.0], np.float32))
    assert_close((2 ** a).cpu(), np.array([2.0, 4.0], np.float32))
    # a Python float with a float32 GPU tensor stays float32
    assert (a * 0.1).dtype == rgrad.float32


def test_unavailable_devices_are_refused():
    for spec in ["gpu:1", "cuda:2"]:
        with pytest.raises(RuntimeError, match="not available"):
            rgrad.zeros(1, device=spec)
        with pytest.raises(RuntimeError, match="not available"):
            rgrad.ones(1).to(spec)
    assert rgrad.cuda.is_available() is False
    assert rgrad.gpu.device_count() == 1
    assert isinstance(rgrad.gpu.get_device_name(), str)


# ---------- ops against NumPy ----------

UNARY = [("exp", np.exp), ("log", lambda a: np.log(np.abs(a) + 0.5)), ("tanh", np.tanh), ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
         ("abs", np.abs), ("neg", np.negative), ("sqrt", lambda a: np.sqrt(np.abs(a))), ("sin", np.sin), ("relu", lambda a: np.maximum(a, 0))]


@pytest.mark.parametrize("name,ref", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary(name, ref, dtype):
    a = rand_np((7, 33), dtype)
    x = a
    if name == "log":
        x = np.abs(a) + 0.5
    if name == "sqrt":
        x = np.abs(a)
    fn = getattr(rgrad, name) if hasattr(rgrad, name) else getattr(F, name)
    got = fn(g(x))
    assert got.device == GPU and got.dtype == rgrad.tensor(x).dtype
    want = ref(a) if name not in ("log", "sqrt") else (np.log(x) if name == "log" else np.sqrt(x))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(back(got), want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
def test_binary_broadcast_and_promotion(dtype):
    a, b = rand_np((4, 1, 5), dtype), rand_np((3, 1), dtype)
    for op, ref in [(lambda x, y: x + y, np.add), (lambda x, y: x * y, np.multiply), (lambda x, y: x - y, np.subtract),
                    (lambda x, y: x > y, np.greater), (rgrad.maximum, np.maximum)]:
        got = op(g(a), g(b))
        assert_close(got.cpu(), ref(a, b))
    # promotion across dtypes on the device
    got = g(a) + g(np.ones(5, np.float64))
    assert got.dtype == rgrad.float64


def test_where_clamp_masked_fill_isclose():
    a = rand_np((6, 7), np.float32)
    m = a > 0
    assert_close(rgrad.where(g(m), g(a), 0.0).cpu(), np.where(m, a, 0).astype(np.float32))
    assert_close(g(a).clamp(-1, 1).cpu(), np.clip(a, -1, 1))
    assert_close(g(a).clamp(min=g(np.zeros(7, np.float32))).cpu(), np.maximum(a, 0))
    assert_close(g(a).masked_fill(g(m), -5.0).cpu(), np.where(m, -5, a).astype(np.float32))
    b = a.copy()
    b[0, 0] += 1e-3
    b[1, 1] = np.nan
    a2 = a.copy()
    a2[1, 1] = np.nan
    got = rgrad.isclose(g(a2), g(b), rtol=1e-5, atol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(back(got), np.isclose(a2, b, rtol=1e-5, atol=1e-6, equal_nan=True))
    got = rgrad.isclose(g(a2), g(b))
    np.testing.assert_array_equal(back(got), np.isclose(a2, b, rtol=1e-5, atol=1e-8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_reductions(dtype):
    a = rand_np((5, 6, 7), dtype)
    x = g(a)
    rt = 1e-5 if dtype == np.float32 else 1e-12
    for dims in [None, 0, 1, (0, 2), -1]:
        kw = {} if dims is None else {"dim": dims}
        ref_axis = None if dims is None else dims
        np.testing.assert_allclose(back(x.sum(**kw)), a.sum(axis=ref_axis), rtol=rt)
        np.testing.assert_array_equal(back(x.amax(**kw) if dims is not None else x.max()), a.max(axis=ref_axis))
    if dtype != np.int64:
        np.testing.assert_allclose(back(x.mean(1)), a.mean(1), rtol=rt)
        np.testing.assert_allclose(back(x.var(1)), a.var(1, ddof=1), rtol=1e-4)
        np.testing.assert_allclose(back(x.norm()), np.linalg.norm(a.ravel()), rtol=1e-5)
    v, i = x.max(dim=1)
    np.testing.assert_array_equal(back(v), a.max(1))
    np.testing.assert_array_equal(back(i), a.argmax(1))
    np.testing.assert_array_equal(back(x.argmin(2)), a.argmin(2))
    assert back((x > 0).any()) == (a > 0).any() and back((x > -10).all()) == True  # noqa: E712
    np.testing.assert_array_equal(back(x.cumsum(1)), a.cumsum(1)) if dtype == np.int64 else np.testing.assert_allclose(back(x.cumsum(1)), a.cumsum(1), rtol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_and_log_softmax(dtype):
    a = rand_np((9, 40), dtype) * 5
    e = np.exp(a - a.max(-1, keepdims=True))
    sm = e / e.sum(-1, keepdims=True)
    np.testing.assert_allclose(back(F.softmax(g(a), dim=-1)), sm, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(back(F.log_softmax(g(a), dim=0)), a - np.log(np.exp(a - a.max(0)).sum(0)) - a.max(0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_shapes(dtype):
    rng = np.random.default_rng(1)
    for sa, sb in [((3, 4), (4, 5)), ((2, 3, 4), (4, 6)), ((2, 1, 5, 3), (4, 3, 2)), ((7,), (7, 3)), ((5,), (5,))]:
        a, b = rng.standard_normal(sa).astype(dtype), rng.standard_normal(sb).astype(dtype)
        np.testing.assert_allclose(back(g(a) @ g(b)), a @ b, rtol=1e-4, atol=1e-5)
    a = rng.standard_normal((6, 4)).astype(dtype)
    np.testing.assert_allclose(back(g(a).T @ g(a)), a.T @ a, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(back(rgrad.addmm(g(np.ones((4, 4), dtype)), g(a).T, g(a), beta=0.5, alpha=2.0)), 0.5 + 2 * a.T @ a, rtol=1e-4, atol=1e-5)


def test_indexing_gather_scatter():
    a = rand_np((5, 4), np.float32)
    x = g(a)
    idx = np.array([4, 0, 2])
    np.testing.assert_array_equal(back(x[1:4, ::2]), a[1:4, ::2])
    np.testing.assert_array_equal(back(x.index_select(0, g(idx))), a[idx])
    np.testing.assert_array_equal(back(x[g(idx)]), a[idx])
    np.testing.assert_array_equal(back(x[rgrad.tensor(idx)]), a[idx])  # CPU index tensor, as PyTorch allows
    np.testing.assert_array_equal(back(x[g(a > 0)]), a[a > 0])
    gi = np.array([[0, 1], [3, 2], [1, 1], [0, 0], [2, 3]])
    np.testing.assert_array_equal(back(x.gather(1, g(gi))), np.take_along_axis(a, gi, 1))
    z = rgrad.zeros(5, 4, device="gpu")
    z.scatter_add_(1, g(gi), g(np.ones((5, 2), np.float32)))
    ref = np.zeros((5, 4), np.float32)
    np.add.at(ref, (np.arange(5)[:, None], gi), 1)
    np.testing.assert_array_equal(back(z), ref)
    y = x.clone()
    y[g(np.array([0, 3]))] = 7.0
    ref = a.copy()
    ref[[0, 3]] = 7.0
    np.testing.assert_array_equal(back(y), ref)
    np.testing.assert_array_equal(back(rgrad.nonzero(g(a > 0.5))), np.argwhere(a > 0.5))
    with pytest.raises(RuntimeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        x.gather(1, g(np.array([[4]] * 5)))
    with pytest.raises(IndexError):
        x.index_select(0, g(np.array([5])))


def test_sort_topk_searchsorted_unique():
    a = rand_np((4, 9), np.float32)
    v, i = g(a).sort(dim=1, descending=True)
    np.testing.assert_array_equal(back(v), -np.sort(-a, 1))
    np.testing.assert_array_equal(back(i), np.argsort(-a, 1, kind="stable"))
    v, i = g(a).topk(3)
    np.testing.assert_array_equal(back(v), -np.sort(-a, 1)[:, :3])
    s = np.sort(a[0])
    np.testing.assert_array_equal(back(rgrad.searchsorted(g(s), g(a[1]))), np.searchsorted(s, a[1]))
    u = rgrad.unique(g(np.array([3, 1, 3, 2, 1])))
    assert u.device == GPU and back(u).tolist() == [1, 2, 3]


def test_cat_stack_and_in_place():
    a, b = rand_np((2, 3), np.float32), rand_np((4, 3), np.float32)
    np.testing.assert_array_equal(back(rgrad.cat([g(a), g(b)])), np.concatenate([a, b]))
    np.testing.assert_array_equal(back(rgrad.stack([g(a), g(a)], 1)), np.stack([a, a], 1))
    x = g(a)
    x.add_(1).mul_(2)
    np.testing.assert_allclose(back(x), (a + 1) * 2)
    x[:, 0] = 0
    r = (a + 1) * 2
    r[:, 0] = 0
    np.testing.assert_allclose(back(x), r)


def test_random_is_seeded_and_shaped():
    rgrad.manual_seed(5)
    a = rgrad.rand(1000, device="gpu")
    rgrad.manual_seed(5)
    b = rgrad.rand(1000, device="gpu")
    np.testing.assert_array_equal(back(a), back(b))
    v = back(a)
    assert v.min() >= 0 and v.max() < 1 and abs(v.mean() - 0.5) < 0.05
    n = back(rgrad.randn(4000, device="gpu"))
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1) < 0.1
    r = back(rgrad.randint(3, 7, (500,), device="gpu"))
    assert r.min() >= 3 and r.max() < 7 and r.dtype == np.int64


def test_linalg_round_trip():
    a = rand_np((4, 4), np.float64) + 4 * np.eye(4)
    b = rand_np((4, 2), np.float64)
    x = rgrad.linalg.solve(g(a), g(b))
    assert x.device == GPU
    np.testing.assert_allclose(back(x), np.linalg.solve(a, b), rtol=1e-10)
    np.testing.assert_allclose(back(rgrad.linalg.det(g(a))), np.linalg.det(a), rtol=1e-10)
    assert "solve_triangular" in rgrad.gpu.host_round_trip_ops() or "lu_solve" in rgrad.gpu.host_round_trip_ops()


# ---------- autograd ----------

def test_backward_on_the_gpu_leaves_gpu_gradients():
    a = rand_np((3, 4), np.float32)
    w = rand_np((4, 2), np.float32)
    x = g(a, requires_grad=True)
    wt = g(w, requires_grad=True)
    y = (x @ wt).tanh().sum()
    y.backward()
    assert x.grad.device == GPU and wt.grad.device == GPU
    t = np.tanh(a @ w)
    gy = 1 - t * t
    np.testing.assert_allclose(back(x.grad), gy @ w.T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(back(wt.grad), a.T @ gy, rtol=1e-5, atol=1e-6)


def test_to_between_devices_is_differentiable():
    c = rgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (c.to("gpu") * 2).sum().backward()
    assert c.grad.device == rgrad.device("cpu")
    np.testing.assert_array_equal(c.grad.numpy(), [2.0, 2.0, 2.0])
    x = g([1.0, 2.0], requires_grad=True)
    (x.cpu() ** 2).sum().backward()
    assert x.grad.device == GPU
    np.testing.assert_array_equal(back(x.grad), [2.0, 4.0])


def test_create_graph_on_the_gpu():
    x = g([1.5, -0.5], dtype=rgrad.float64, requires_grad=True)
    (gx,) = rgrad.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (ggx,) = rgrad.autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(back(ggx), 6 * np.array([1.5, -0.5]))


def test_gradcheck_in_float64_on_the_gpu():
    rng = np.random.default_rng(3)
    x = g(rng.standard_normal((3, 4)), requires_grad=True)
    w = g(rng.standard_normal((4, 2)), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a, b: F.softmax(a @ b, dim=-1).log().sum(1), (x, w))
    assert rgrad.autograd.gradcheck(lambda a: (a.sin() * a).cumsum(1).amax(0), (x,))


# ---------- training ----------

def _step_model():
    rgrad.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


def test_training_step_matches_the_cpu():
    rng = np.random.default_rng(0)
    xs, ys = rng.standard_normal((32, 8)).astype(np.float32), rng.integers(0, 3, 32)
    losses = {}
    for dev in ["cpu", "gpu"]:
        model = _step_model().to(dev)
        opt = rgrad.optim.Adam(model.parameters(), lr=1e-2)
        x, y = rgrad.tensor(xs, device=dev), rgrad.tensor(ys, device=dev)
        out = []
        for _ in range(5):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            out.append(loss.item())
        assert next(model.parameters()).device == rgrad.device(dev)
        losses[dev] = out
    np.testing.assert_allclose(losses["gpu"], losses["cpu"], rtol=1e-4)


def test_a_training_step_makes_no_host_transfer():
    # matmul, elementwise, reductions, indexing (gather, index_select), softmax, backward and
    # the optimizer update, all on the device: not one copy of tensor data either way
    rgrad.manual_seed(0)
    emb = nn.Embedding(10, 8).to("gpu")
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)).to("gpu")
    params = list(emb.parameters()) + list(model.parameters())
    tokens = rgrad.randint(0, 10, (32,), device="gpu")
    target = rgrad.randint(0, 4, (32,), device="gpu")
    for opt in (rgrad.optim.SGD(params, lr=0.1, momentum=0.9), rgrad.optim.Adam(params, lr=1e-3)):
        opt.zero_grad()
        F.cross_entropy(model(emb(tokens)), target).backward()  # first step: state is made
        opt.step()
        before = rgrad.gpu.transfer_counts()
        for _ in range(2):
            opt.zero_grad()
            h = model(emb(tokens))
            loss = F.cross_entropy(h, target) + 0.01 * F.softmax(h, dim=1).amax(1).mean()
            loss.backward()
            opt.step()
        assert rgrad.gpu.transfer_counts() == before, "a GPU training step copied data between host and device"
    assert all(p.device == GPU and p.grad.device == GPU for p in params)


def test_host_round_trips_are_counted_and_listed():
    ops = rgrad.gpu.host_round_trip_ops()
    assert "svd" in ops and "unique" in ops and "sgd" not in ops
    x = g(np.array([[2.0, 0.0], [0.0, 3.0]]))
    before = rgrad.gpu.transfer_counts()
    rgrad.linalg.inv(x)
    up, down = rgrad.gpu.transfer_counts()
    assert up > before[0] and down > before[1]


def test_gpu_demo_writes_a_png_and_trains_on_both(tmp_path, capsys):
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "examples" / "gpu_demo.py"
    spec = importlib.util.spec_from_file_location("gpu_demo", path)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    out = tmp_path / "m.png"
    demo.main(["--out", str(out), "--size", "64x48", "--iters", "20", "--steps", "5"])
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 100
    text = capsys.readouterr().out
    assert "training 5 steps on cpu" in text and "training 5 steps on gpu" in text
    # the picture is the Mandelbrot set: the origin is inside (all iterations), 2+2i escapes at once
    count = demo.mandelbrot(5, 5, 20, "gpu").cpu()
    assert count[2, 3].item() == 20 and count[0, 0].item() <= 2


def test_demo_trains_on_the_gpu(capsys):
    from rgrad import demo
    demo.main(["--device", "gpu", "--epochs", "1"])
    assert "gpu" in capsys.readouterr().out.lower()
