"""rgrad.save / rgrad.load: safetensors files (interchange with the safetensors package's
format), nested state dicts, optimizer and scheduler state dicts, safety on bad files."""

import copy
import io
import json
import pickle
import struct

import numpy as np
import pytest

import rgrad
from rgrad import nn, optim
from rgrad.optim import lr_scheduler
from conftest import DTYPES, NP_OF, rand_np, to_np


def read_raw(path):
    """A safetensors file parsed by hand (the format's spec): header JSON and tensors as NumPy."""
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    np_of = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "BOOL": np.bool_}
    out = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + start:8 + n + end], np_of[info["dtype"]]).reshape(info["shape"])
    return out, meta


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_roundtrips_and_the_file_follows_the_format(tmp_path, dtype):
    rng = np.random.default_rng(0)
    arr = rand_np((3, 4), NP_OF[dtype], rng)
    t = rgrad.tensor(arr)
    path = tmp_path / "t.safetensors"
    rgrad.save({"a": t, "b": t[:, 1:].T}, path)  # a non-contiguous view is saved by value
    raw, meta = read_raw(path)
    np.testing.assert_array_equal(raw["a"], arr)
    np.testing.assert_array_equal(raw["b"], arr[:, 1:].T)
    back = rgrad.load(path)
    assert list(back) == ["a", "b"] and back["a"].dtype == dtype
    np.testing.assert_array_equal(to_np(back["b"]), arr[:, 1:].T)


def test_single_tensor_and_nested_structures(tmp_path):
    t = rgrad.randn(2, 3)
    rgrad.save(t, tmp_path / "one")
    np.testing.assert_array_equal(to_np(rgrad.load(tmp_path / "one")), to_np(t))
    obj = {"epoch": 3, "loss": float("inf"), "name": "run", "flag": None, "shape": (2, 3), "ids": [1, 2],
           "tensors": [t, {"x": t * 2}], 7: "int key"}
    rgrad.save(obj, str(tmp_path / "nested"))
    back = rgrad.load(tmp_path / "nested")
    assert back["epoch"] == 3 and back["loss"] == float("inf") and back["shape"] == (2, 3) and back[7] == "int key"
    np.testing.assert_array_equal(to_np(back["tensors"][1]["x"]), to_np(t * 2))
    with pytest.raises(TypeError, match="cannot store a value of type object"):
        rgrad.save({"x": object()}, tmp_path / "bad")


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    rgrad.save({"w": rgrad.ones(2)}, buf)
    buf.seek(0)
    assert rgrad.load(buf)["w"].tolist() == [1.0, 1.0]


def test_interchange_with_the_safetensors_package(tmp_path):
    import safetensors.numpy as st  # the safetensors package is in the test extra
    arrs = {"w": np.arange(6, dtype=np.float32).reshape(2, 3), "i": np.array([1, 2], dtype=np.int64)}
    st.save_file(arrs, str(tmp_path / "from_pkg.safetensors"))
    back = rgrad.load(tmp_path / "from_pkg.safetensors")
    np.testing.assert_array_equal(to_np(back["w"]), arrs["w"])
    rgrad.save({"w": rgrad.tensor(arrs["w"]), "i": rgrad.tensor(arrs["i"])}, tmp_path / "to_pkg.safetensors")
    loaded = st.load_file(str(tmp_path / "to_pkg.safetensors"))
    np.testing.assert_array_equal(loaded["w"], arrs["w"])
    assert loaded["i"].dtype == np.int64


def test_model_state_dict_roundtrip(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    model(rgrad.randn(5, 4))  # running stats move
    rgrad.save(model.state_dict(), tmp_path / "m.safetensors")
    other = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2))
    other.load_state_dict(rgrad.load(tmp_path / "m.safetensors"))
    model.eval()
    other.eval()
    x = rgrad.randn(3, 4)
    np.testing.assert_array_equal(to_np(model(x)), to_np(other(x)))
    raw, _ = read_raw(tmp_path / "m.safetensors")
    assert "1.num_batches_tracked" in raw  # a plain safetensors file of the state dict's keys


def test_optimizer_and_scheduler_state_dicts_roundtrip(tmp_path):
    w = nn.Parameter(rgrad.randn(3))
    opt = optim.Adam([w, ], lr=0.1, betas=(0.8, 0.95))
    sched = lr_scheduler.StepLR(opt, 2, gamma=0.5)
    for _ in range(3):
        w.grad = rgrad.randn(3)
        opt.step()
        sched.step()
    rgrad.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt")
    back = rgrad.load(tmp_path / "ckpt")
    sd = back["opt"]
    assert sd["param_groups"][0]["betas"] == (0.8, 0.95) and sd["param_groups"][0]["params"] == [0]
    assert sd["state"][0]["step"].item() == 3.0
    np.testing.assert_array_equal(to_np(sd["state"][0]["exp_avg"]), to_np(opt.state[w]["exp_avg"]))
    w2 = nn.Parameter(w.detach().clone())
    opt2 = optim.Adam([w2], lr=1.0)
    opt2.load_state_dict(sd)
    sched2 = lr_scheduler.StepLR(opt2, 10)
    sched2.load_state_dict(back["sched"])
    assert sched2.get_last_lr() == sched.get_last_lr() and sched2.last_epoch == 3
    g = rgrad.randn(3)
    w.grad, w2.grad = g, g.clone()
    opt.step()
    opt2.step()
    np.testing.assert_array_equal(to_np(w), to_np(w2))


def test_malformed_truncated_and_pickle_files_raise_clearly(tmp_path):
    rgrad.save({"w": rgrad.randn(100)}, tmp_path / "ok")
    data = (tmp_path / "ok").read_bytes()
    (tmp_path / "trunc").write_bytes(data[:-10])
    with pytest.raises(RuntimeError, match="not a valid safetensors file"):
        rgrad.load(tmp_path / "trunc")
    (tmp_path / "garbage").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    with pytest.raises(RuntimeError, match="not a valid safetensors file"):
        rgrad.load(tmp_path / "garbage")
    (tmp_path / "huge").write_bytes(struct.pack("<Q", 1 << 60) + b"{}")
    with pytest.raises(RuntimeError, match="not a valid safetensors file"):
        rgrad.load(tmp_path / "huge")
    (tmp_path / "pickled").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(RuntimeError, match="looks like a PyTorch pickle checkpoint"):
        rgrad.load(tmp_path / "pickled")
    with pytest.raises(FileNotFoundError):
        rgrad.load(tmp_path / "missing")
    header = json.dumps({"x": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}).encode()
    (tmp_path / "f16").write_bytes(struct.pack("<Q", len(header)) + header + b"\x00\x00")
    with pytest.raises(TypeError, match="dtype F16, which rgrad does not have"):
        rgrad.load(tmp_path / "f16")
    with pytest.raises(RuntimeError, match="not available"):
        rgrad.load(tmp_path / "ok", map_location="gpu:3")
    if rgrad.gpu.is_available():
        assert rgrad.load(tmp_path / "ok", map_location="gpu")["w"].device == rgrad.device("gpu")
    assert rgrad.load(tmp_path / "ok", map_location="cpu")["w"].shape == (100,)


def test_tensor_deepcopy_and_pickle():
    t = rgrad.randn(3, requires_grad=True)
    c = copy.deepcopy(t)
    assert c.requires_grad and c.data_ptr() != t.data_ptr()
    np.testing.assert_array_equal(to_np(c), to_np(t))
    p = pickle.loads(pickle.dumps(t))
    np.testing.assert_array_equal(to_np(p), to_np(t))
    q = pickle.loads(pickle.dumps(nn.Parameter(rgrad.ones(2))))
    assert isinstance(q, nn.Parameter)
