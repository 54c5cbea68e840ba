"""The GPU backend's WGSL shaders, loaded through wgpu-py: an implementation of WebGPU that is
not rgrad's own engine, on the same adapter (RGRAD_GPU_ADAPTER, else high-performance).

Sources come from rgrad._rgrad._gpu_shader_source, the very function the engine compiles from
(placeholders are filled in one place, in Rust). Every variant the engine's own compile test
covers must compile here too, every file in shaders/ must be part of one, and the element-wise
and matmul kernels, run standalone with metadata written here from the published slot layout,
must agree with NumPy.

Without a Vulkan / Metal / DX12 adapter these tests skip, saying how to get one; under
RGRAD_REQUIRE_GPU (CI) that is a failure instead.
"""

import os

import numpy as np
import pytest

from rgrad import _rgrad

wgpu = pytest.importorskip("wgpu", reason="wgpu-py is in the test extra: pip install '.[test]'")

HOW = "no GPU adapter (on Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` gives lavapipe)"


def _adapter():
    want = os.environ.get("RGRAD_GPU_ADAPTER", "").lower()
    try:
        adapters = wgpu.gpu.enumerate_adapters_sync()
    except Exception as e:  # no driver at all
        return None, str(e)
    usable = [a for a in adapters if "shader-int64" in a.features]
    if want:
        usable = [a for a in usable if want in a.info["device"].lower()]
    if not usable:
        return None, HOW
    rank = {"DiscreteGPU": 0, "IntegratedGPU": 1, "VirtualGPU": 2, "CPU": 3}
    return min(usable, key=lambda a: rank.get(a.info.get("adapter_type", ""), 4)), ""


@pytest.fixture(scope="module")
def device():
    adapter, why = _adapter()
    if adapter is None:
        if os.environ.get("RGRAD_REQUIRE_GPU"):
            pytest.fail(f"RGRAD_REQUIRE_GPU is set but {why}")
        pytest.skip(why)
    wanted = ["shader-int64", "shader-f64", "shader-f16", "shader-int64-atomic-all-ops", "shader-int64-atomic-min-max"]
    feats = [f for f in wanted if f in adapter.features]
    dev = adapter.request_device_sync(required_features=feats)
    dev._rgrad_features = set(feats)
    return dev


META = dict(_rgrad._gpu_meta_layout()[0])
META_WORDS = _rgrad._gpu_meta_layout()[1]
MAX_RANK = _rgrad._gpu_meta_layout()[2]


def _runnable(dev, dtypes, src):
    if "float64" in dtypes and "shader-f64" not in dev._rgrad_features:
        return False
    if "atomic<u64>" in src and "shader-int64-atomic-all-ops" not in dev._rgrad_features:
        return False
    return True


def test_every_shader_file_is_in_a_variant():
    sources = [_rgrad._gpu_shader_source(f, op, list(d), v, e)[0] for (f, op, d, v, e) in _rgrad._gpu_shader_variants()]
    for name, _ in _rgrad._gpu_shader_files():
        assert any(f"// shaders/{name}" in s for s in sources), f"{name} is used by no variant"


@pytest.mark.parametrize("family", sorted({v[0] for v in _rgrad._gpu_shader_variants()}))
def test_every_variant_compiles(device, family):
    compiled = 0
    for fam, op, dtypes, variant, entry in _rgrad._gpu_shader_variants():
        if fam != family:
            continue
        src, _ = _rgrad._gpu_shader_source(fam, op, list(dtypes), variant, entry)
        if not _runnable(device, dtypes, src):
            continue
        module = device.create_shader_module(code=src)
        device.create_compute_pipeline(layout="auto", compute={"module": module, "entry_point": entry})
        compiled += 1
    assert compiled > 0


NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64, "bool": np.uint32}


def _meta(**fields):
    """Metadata words: names as in rust/gpu/meta.rs (N, RANK, SHAPE, STRIDES, ...); list values
    fill consecutive words; STRIDES is a list of per-operand lists."""
    w = np.zeros(META_WORDS, dtype=np.uint32)
    for name, v in fields.items():
        at = META[name]
        if name == "STRIDES":
            for k, st in enumerate(v):
                w[at + k * MAX_RANK: at + k * MAX_RANK + len(st)] = np.array(st, dtype=np.int64).astype(np.uint32)
        elif isinstance(v, (list, tuple, np.ndarray)):
            w[at: at + len(v)] = np.array(v, dtype=np.int64).astype(np.uint32)
        else:
            w[at] = np.uint32(np.int64(v) & 0xFFFFFFFF)
    return w


def _run(device, family, op, dtypes, meta, inputs, out_nbytes, groups, variant=0, entry="main"):
    """Dispatches one kernel variant: binding 0 the metadata, 1 the output, then the inputs."""
    src, access = _rgrad._gpu_shader_source(family, op, dtypes, variant, entry)
    module = device.create_shader_module(code=src)
    pipe = device.create_compute_pipeline(layout="auto", compute={"module": module, "entry_point": entry})
    # Kernels that can fail on the device (integer division) also bind the 8 status words.
    inputs = list(inputs) + [np.zeros(8, dtype=np.uint32)] * (len(access) - 1 - len(inputs))
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST
    ubuf = device.create_buffer_with_data(data=meta.tobytes(), usage=wgpu.BufferUsage.UNIFORM)
    out = device.create_buffer(size=max(out_nbytes, 16), usage=usage)
    bufs = [out] + [device.create_buffer_with_data(data=np.ascontiguousarray(a).tobytes() or b"\0" * 16, usage=usage) for a in inputs]
    entries = [{"binding": 0, "resource": {"buffer": ubuf, "offset": 0, "size": META_WORDS * 4}}]
    entries += [{"binding": i + 1, "resource": {"buffer": b, "offset": 0, "size": b.size}} for i, b in enumerate(bufs)]
    bg = device.create_bind_group(layout=pipe.get_bind_group_layout(0), entries=entries)
    enc = device.create_command_encoder()
    p = enc.begin_compute_pass()
    p.set_pipeline(pipe)
    p.set_bind_group(0, bg)
    p.dispatch_workgroups(*groups)
    p.end()
    device.queue.submit([enc.finish()])
    return device.queue.read_buffer(out)


def _elementwise(device, family, op, dtype, arrays, out_dtype):
    n = arrays[0].size
    meta = _meta(N=n, RANK=1, SHAPE=[n], STRIDES=[[1]] * (len(arrays) + 1))
    raw = _run(device, family, op, [dtype], meta, arrays, n * np.dtype(NP[out_dtype]).itemsize, ((n + 255) // 256, 1, 1))
    return np.frombuffer(raw, dtype=NP[out_dtype])[:n]


def _data(dtype, n, rng, nonzero=False):
    if dtype.startswith("float"):
        return rng.uniform(-4, 4, n).astype(NP[dtype])
    if dtype == "bool":
        return (rng.random(n) < 0.5).astype(np.uint32)
    v = rng.integers(-50, 50, n).astype(NP[dtype])
    if nonzero:
        v[v == 0] = 7
    return v


# (op, NumPy oracle). Exact ops compare exactly; transcendental ones to the tolerance below.
BINARY = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "maximum": np.maximum, "minimum": np.minimum,
    "eq": np.equal, "lt": np.less, "ge": np.greater_equal,
}
INT_ONLY = {"div_floor": np.floor_divide, "remainder": np.remainder, "bitwise_xor": np.bitwise_xor}
FLOAT_ONLY = {"div": np.divide, "fmod": np.fmod, "copysign": np.copysign}
UNARY_FLOAT = {"exp": np.exp, "log": np.log, "sin": np.sin, "tanh": np.tanh, "sqrt": np.sqrt, "floor": np.floor, "neg": np.negative}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_binary_shader_agrees_with_numpy(device, dtype):
    if dtype == "float64" and "shader-f64" not in device._rgrad_features:
        pytest.skip("adapter has no float64")
    rng = np.random.default_rng(1)
    ops = dict(BINARY, **(FLOAT_ONLY if dtype.startswith("float") else INT_ONLY))
    for op, f in ops.items():
        a, b = _data(dtype, 1000, rng), _data(dtype, 1000, rng, nonzero=True)
        want = f(a, b)
        out_dtype = "bool" if want.dtype == np.bool_ else dtype
        got = _elementwise(device, "binary", op, dtype, [a, b], out_dtype)
        # Arithmetic, comparisons and these float ops are correctly rounded in IEEE arithmetic,
        # so the results are exact.
        np.testing.assert_array_equal(got, want.astype(NP[out_dtype]), err_msg=f"{op} {dtype}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_shader_agrees_with_numpy(device, dtype):
    if dtype == "float64" and "shader-f64" not in device._rgrad_features:
        pytest.skip("adapter has no float64")
    rng = np.random.default_rng(2)
    x = _data(dtype, 2000, rng)
    for op, f in UNARY_FLOAT.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            want = f(x.astype(np.float64)).astype(NP[dtype])
        got = _elementwise(device, "unary", op, dtype, [x], dtype)
        # float64: rgrad's own fdlibm ports, held to 4 ulp. float32: the adapter's builtins
        # (Vulkan allows a few ulp; lavapipe measured within 8) plus an absolute floor for
        # results near zero (sin near multiples of pi).
        if dtype == "float64":
            np.testing.assert_array_max_ulp(got, want, maxulp=4, dtype=np.float64)
        else:
            np.testing.assert_allclose(got, want, rtol=8 * 2.0**-23, atol=2e-7, equal_nan=True, err_msg=op)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_matmul_shader_agrees_with_numpy(device, dtype):
    if dtype == "float64" and "shader-f64" not in device._rgrad_features:
        pytest.skip("adapter has no float64")
    rng = np.random.default_rng(3)
    m, k, n = 70, 50, 90
    a = _data(dtype, m * k, rng).reshape(m, k)
    bt = _data(dtype, n * k, rng).reshape(n, k)  # b is bt.T, read in place through its strides
    meta = _meta(N=1, RANK=0, MM_M=m, MM_N=n, MM_K=k, MM_A_RS=k, MM_A_CS=1, MM_B_RS=1, MM_B_CS=k, MM_C_RS=n, MM_C_CS=1, MM_BATCH0=0)
    one = np.array([1], dtype=NP[dtype]).view(np.uint32)
    meta[META["SCALARS"]: META["SCALARS"] + one.size] = one
    raw = _run(device, "matmul", "matmul", [dtype], meta, [a, bt], m * n * a.itemsize, ((n + 63) // 64, (m + 63) // 64, 1))
    got = np.frombuffer(raw, dtype=NP[dtype])[: m * n].reshape(m, n)
    want = a.astype(np.float64) @ bt.T.astype(np.float64)
    if dtype == "int32":
        np.testing.assert_array_equal(got, want.astype(np.int32))
    else:
        # A length-k dot product rounds within k * eps of the sum of its absolute terms.
        bound = np.abs(a).astype(np.float64) @ np.abs(bt.T).astype(np.float64)
        eps = np.finfo(NP[dtype]).eps
        assert np.all(np.abs(got - want) <= k * eps * bound), "matmul disagrees with NumPy"
