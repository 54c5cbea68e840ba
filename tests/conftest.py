"""Shared helpers for the pytest suite. NumPy is the oracle for values."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import rgrad

# Hypothesis profiles. The default run is deterministic (derandomize: each test's examples
# come from a seed derived from the test itself, no example database), has no deadline (a
# slow shared VM must not turn into a failure) and keeps each test's own max_examples bound.
# `RGRAD_HYPOTHESIS=long` (or `pytest --hypothesis-profile=long`) explores ten times as many
# random examples, with fresh randomness each run, for a search on demand.
settings.register_profile(
    "default", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", derandomize=False, database=None, deadline=None, print_blob=True, max_examples=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("RGRAD_HYPOTHESIS", "default"))

DTYPES = [rgrad.bool, rgrad.int32, rgrad.int64, rgrad.float32, rgrad.float64]
NP_OF = {rgrad.bool: np.bool_, rgrad.int32: np.int32, rgrad.int64: np.int64, rgrad.float32: np.float32, rgrad.float64: np.float64}


def to_np(t):
    """A NumPy copy of a tensor (detached; read back from the GPU when it is there)."""
    return np.array(t.detach().cpu().numpy())


def assert_close(t, expected, rtol=1e-5, atol=1e-6, check_dtype=True):
    """Compares a tensor with a NumPy array (values, shape and, optionally, dtype).

    The default tolerance is sized for a float32 result (a few ulps, 6e-8 each, of
    values of order 1-100) against an oracle that is exact or computed in float64:
    such an oracle differs from the true value by far less than the tolerance whichever
    BLAS or CPU NumPy used. Tests comparing with a float32 oracle over long sums pass
    their own tolerance and say why."""
    expected = np.asarray(expected)
    got = to_np(t)
    assert got.shape == expected.shape, f"shape {got.shape} != {expected.shape}"
    if check_dtype:
        assert got.dtype == expected.dtype, f"dtype {got.dtype} != {expected.dtype}"
    if got.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def rand_np(shape, dtype, rng=None, low=-3, high=3):
    """Random NumPy data of a dtype (bools half true, ints in [low, high))."""
    rng = rng or np.random.default_rng(0)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(low, high, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


@pytest.fixture(autouse=True)
def _seed():
    rgrad.manual_seed(0)
    yield


# ---------- `pytest --device gpu`: the op suites again, with tensors made on the GPU ----------
#
# The option sets rgrad's default device, so every tensor a test makes without `device=` lives
# on the GPU, and the ops, autograd and checks run there; the oracle (NumPy) reads results
# back through `to_np` / `assert_close`. Test files that are about host memory (NumPy sharing,
# the CPU's instruction sets and threads, allocation limits) are CPU-only: they are left out
# of a GPU run (deselected, not skipped), as is any test marked `cpu_only`.

CPU_ONLY_FILES = {
    "test_numpy.py", "test_isa.py", "test_threads.py", "test_thread_safety.py", "test_allocation.py",
    "test_memory.py", "test_training_memory.py", "test_object_lifetime.py", "test_shaders.py",
    "test_gpu.py", "test_device.py", "test_docs.py", "test_docstrings.py", "test_api_reference.py",
    "test_stubs.py", "test_no_panic.py", "test_demo.py", "test_serialization.py", "test_data.py",
    "test_graph.py",
}


def pytest_addoption(parser):
    parser.addoption("--device", default="cpu", choices=["cpu", "gpu"],
                     help="make the tests' tensors on this device (gpu: needs a Vulkan/Metal/DX12 adapter)")


def pytest_configure(config):
    config.addinivalue_line("markers", "cpu_only: about host memory; left out of `pytest --device gpu`")
    if config.getoption("--device") == "gpu":
        if not rgrad.gpu.is_available():
            if os.environ.get("RGRAD_REQUIRE_GPU"):
                raise pytest.UsageError(f"--device gpu under RGRAD_REQUIRE_GPU: no GPU is usable ({rgrad.gpu.why_unavailable()})")
            return  # every test skips, saying why (pytest_collection_modifyitems)
        rgrad.set_default_device("gpu")
        _read_back_for_numpy()


def _read_back_for_numpy():
    """In a GPU run, the tests' own `.numpy()` / `np.asarray(t)` calls on results read them back
    (the NumPy oracle lives in host memory); rgrad itself still refuses them, which
    tests/test_gpu.py checks in the CPU run's file list."""
    numpy, array = rgrad.Tensor.numpy, rgrad.Tensor.__array__

    def numpy_read_back(self, *, force=False):
        return numpy(self.cpu() if self.is_gpu else self, force=force)

    def array_read_back(self, dtype=None, copy=None):
        return array(self.cpu() if self.is_gpu else self, dtype, copy)

    rgrad.Tensor.numpy = numpy_read_back
    rgrad.Tensor.__array__ = array_read_back


NO_GPU = ("no GPU adapter for --device gpu (on Debian/Ubuntu `apt-get install mesa-vulkan-drivers libvulkan1` "
          "gives lavapipe, a Vulkan driver on the CPU)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--device") != "gpu":
        return
    if not rgrad.gpu.is_available():
        for item in items:
            item.add_marker(pytest.mark.skip(reason=f"{NO_GPU}: {rgrad.gpu.why_unavailable()}"))
        return
    keep, drop = [], []
    for item in items:
        cpu_only = item.path.name in CPU_ONLY_FILES or item.get_closest_marker("cpu_only") is not None
        (drop if cpu_only else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config):
    if config.getoption("--device") == "gpu":
        return f"rgrad device: gpu ({rgrad.gpu.get_device_name()})"
    return None
