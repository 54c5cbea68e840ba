"""Threads as in PyTorch: set_num_threads / get_num_threads, RGRAD_NUM_THREADS and OMP_NUM_THREADS
at start, and results that do not depend on the thread count (docs/cpu.md)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import rgrad


@pytest.fixture
def restore_threads():
    before = rgrad.get_num_threads()
    yield
    rgrad.set_num_threads(before)


def test_set_and_get(restore_threads):
    for n in (1, 3, 2, 8):
        rgrad.set_num_threads(n)
        assert rgrad.get_num_threads() == n
        assert (rgrad.ones(100_000) * 2).sum().item() == 200_000


@pytest.mark.parametrize("bad", [0, -1])
def test_non_positive_counts_raise_as_pytorch(bad, restore_threads):
    with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer"):
        rgrad.set_num_threads(bad)


def test_non_integer_counts_raise_as_pytorch(restore_threads):
    with pytest.raises(RuntimeError, match="set_num_threads expects an int, but got float"):
        rgrad.set_num_threads(2.5)
    with pytest.raises(RuntimeError, match="expects an int"):
        rgrad.set_num_threads("2")


def run_python(code, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("RGRAD_NUM_THREADS", "OMP_NUM_THREADS")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_environment_sets_the_count_at_start():
    code = "import rgrad; print(rgrad.get_num_threads())"
    assert run_python(code, OMP_NUM_THREADS="3") == "3"
    assert run_python(code, RGRAD_NUM_THREADS="5", OMP_NUM_THREADS="3") == "5"  # rgrad's own wins
    # a value that is not a positive integer is ignored: one thread per CPU rgrad may use
    fallback = "import rgrad; print(rgrad.get_num_threads() == rgrad._rgrad._config()['logical_cpus'])"
    assert run_python(fallback, OMP_NUM_THREADS="lots") == "True"
    assert run_python(fallback, OMP_NUM_THREADS="0") == "True"
    assert "OMP_NUM_THREADS=3 at start" in run_python("import rgrad; print(rgrad.__config__.show())", OMP_NUM_THREADS="3")


def workload():
    """Kernels of every family on inputs large enough to be split across threads."""
    rng = np.random.default_rng(0)
    x = rgrad.from_numpy(rng.standard_normal((700, 1300)).astype(np.float32))
    v = rgrad.from_numpy(rng.standard_normal(3_000_001).astype(np.float32))
    d = rgrad.from_numpy(rng.standard_normal((300, 2000)))
    idx = rgrad.from_numpy(rng.integers(0, 700, 50_000))
    idx2 = rgrad.from_numpy(rng.integers(0, 700, (700, 1300)))
    out = {
        "sum": v.sum(), "mean": v.mean(), "sum(0)": x.sum(0), "sum(1)": x.sum(1), "f64 sum(0)": d.sum(0),
        "norm": v.norm(), "norm(0)": x.norm(dim=0), "prod(1)": (x / 100 + 1).prod(1), "var(1)": x.var(1),
        "amax(0)": x.amax(0), "argmax": v.argmax(), "argmax(0)": x.argmax(0), "max(1)": x.max(1).values,
        "softmax(1)": x.softmax(1), "softmax(0)": x.softmax(0), "log_softmax(1)": x.log_softmax(1),
        "cumsum(1)": x.cumsum(1), "cumsum(0)": x.cumsum(0), "sort": v.sort()[0], "argsort(1)": x.argsort(1),
        "exp": x.exp(), "tanh": x.tanh(), "x + row": x + x[0], "x.T + x[:1300, :700].T": x.T.contiguous() + 1,
        "x[idx]": x[idx], "index_add": rgrad.zeros(700, 1300).index_add(0, idx[:700], x),
        "scatter_add": rgrad.zeros(700, 1300).scatter_add(0, idx2, x),
        "index_put acc": rgrad.zeros(700, 1300).index_put((idx[:20_000],), x[idx[:20_000]], accumulate=True),
        "logsumexp(0)": x.logsumexp(0), "any(1)": (x > 3).any(1), "all": (x > -10).all(),
        "bmm": rgrad.bmm(x[:640].reshape(10, 64, 1300), x[:640].reshape(10, 64, 1300).transpose(1, 2)),
        "mm": x[:512, :1024] @ x[:600, :1024].T, "mm contiguous": x[:, :700] @ x[:, :900],
        "mm f64": d @ d.T,
        # blocks of these would take other kernels than the whole product (matrixmultiply for
        # dims in 40..192; the gemm crate's small-product k-blocking for m, n <= 64)
        "mm 100x100x256": x[:100, :100] @ x[:100, :256], "mm 60x1300x200": x[:60] @ x[:200].T,
        "unique": rgrad.unique(rgrad.from_numpy(rng.integers(0, 10**6, 400_000)), return_counts=True)[1],
    }
    return {k: np.atleast_1d(np.array(t.numpy())) for k, t in out.items()}


def test_results_identical_for_any_thread_count(restore_threads):
    rgrad.set_num_threads(1)
    one = workload()
    for n in (2, 3, 5):
        rgrad.set_num_threads(n)
        got = workload()
        for name, want in one.items():
            assert np.array_equal(got[name].view(np.uint8), want.view(np.uint8)), f"{name} differs with {n} threads"
