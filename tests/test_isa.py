"""The CPU kernels at every instruction-set level this machine has (baseline, avx2, avx512).

Each kernel family (sums, products, norms, max / argmax, softmax, the vectorised elementwise
math, sort) is run at every level through the private switch ``rgrad._set_cpu_isa`` and must
give NumPy's values and the *same bits* as the baseline level: the kernels fold into the same
partial results in the same order at every level and use no fused multiply-add (see
rust/cpu/simd.rs), so there is no rounding difference to tolerate between levels.
``RGRAD_CPU_ISA`` (read once at start) is checked in subprocesses.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import rgrad

LEVELS = rgrad._cpu_isa_levels()


@pytest.fixture(params=LEVELS)
def level(request):
    before = rgrad._set_cpu_isa(request.param)
    yield request.param
    rgrad._set_cpu_isa(before)


def at_level(name, fn):
    before = rgrad._set_cpu_isa(name)
    try:
        return fn()
    finally:
        rgrad._set_cpu_isa(before)


def same_bits(a, b):
    """Exact equality, NaNs and signed zeros included."""
    a, b = np.atleast_1d(a), np.atleast_1d(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    if a.dtype.kind == "f":
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8))
    else:
        assert np.array_equal(a, b)


def data(shape, dtype, seed, nan=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-4, 4, size=shape).astype(dtype)
    if nan:
        x.reshape(-1)[x.size // 3] = np.nan
    return x


# shapes with SIMD tails: 1003 = 15 * 64 + 43, 70_001 > one 4096-element leaf, 3-d with inner > 1
SHAPES = [(37, 1003), (70_001,), (9, 5, 130), (4, 2500, 3)]


def reductions(x):
    """(name, rgrad result, float64 oracle, tolerance scale) for one NumPy input."""
    t = rgrad.from_numpy(x)
    x64 = x.astype(np.float64)
    last = x.ndim - 1
    absum = lambda axis=None: np.abs(x64).sum(axis=axis)  # noqa: E731
    return [
        ("sum", t.sum(), x64.sum(), absum()),
        ("sum(0)", t.sum(0), x64.sum(0), absum(0)),
        ("sum(-1)", t.sum(last), x64.sum(last), absum(last)),
        ("mean(-1)", t.mean(last), x64.mean(last), absum(last) / x.shape[last]),
        ("norm(-1)", t.norm(dim=last), np.sqrt((x64 * x64).sum(last)), np.sqrt((x64 * x64).sum(last))),
        ("norm(p=1, 0)", t.norm(p=1, dim=0), absum(0), absum(0)),
        # factors near 1 so that 70k of them stay finite; rounding grows at most like n * eps
        ("prod(0)", (t / 4000 + 1).prod(0), (x64 / 4000 + 1).prod(0), np.abs((x64 / 4000 + 1).prod(0)) * x.shape[0]),
        ("amax(-1)", t.amax(last), x64.max(last), None),
        ("amin(0)", t.amin(0), x64.min(0), None),
        ("max", t.max(), x64.max(), None),
        ("argmax(-1)", t.argmax(last), x64.argmax(last), None),
        ("argmin(0)", t.argmin(0), x64.argmin(0), None),
        ("max(dim=-1).values", t.max(dim=last).values, x64.max(last), None),
    ]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reductions_match_numpy_and_the_baseline_bits(level, shape, dtype):
    x = data(shape, dtype, seed=sum(shape))
    got = reductions(x)
    base = at_level("baseline", lambda: reductions(x))
    # float32 rounding: pairwise sums err by about log2(n) * eps * sum|x|; 1e-5 * sum|x| covers it
    eps = 1e-5 if dtype == np.float32 else 1e-13
    for (name, t, want, scale), (_, b, _, _) in zip(got, base):
        same_bits(t.numpy(), b.numpy())
        if scale is None:  # max / min / arg: exact
            np.testing.assert_array_equal(t.numpy().astype(np.float64) if t.dtype.is_floating_point else t.numpy(), want, err_msg=name)
        else:
            assert np.all(np.abs(t.numpy().astype(np.float64) - want) <= eps * np.maximum(scale, 1e-30)), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nan_propagates_at_every_level(level, dtype):
    x = data((6, 300), dtype, seed=1, nan=True)  # the NaN sits in row 2
    t = rgrad.from_numpy(x)
    assert np.isnan(t.sum().item()) and np.isnan(t.max().item()) and np.isnan(t.amin().item())
    assert t.argmax().item() == x.size // 3 and t.argmin(1)[2].item() == (x.size // 3) % 300
    assert np.isnan(t.amax(1).numpy()[2]) and not np.isnan(t.amax(1).numpy()[[0, 1, 3, 4, 5]]).any()


def softmaxes(x, dim):
    t = rgrad.from_numpy(x)
    return [t.softmax(dim), t.log_softmax(dim)]


@pytest.mark.parametrize("shape,dim", [((64, 1000), 1), ((64, 1000), 0), ((3, 77, 50), 1), ((5, 7), -1)], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_matches_numpy_and_the_baseline_bits(level, shape, dim, dtype):
    x = data(shape, dtype, seed=7) * 5
    got = softmaxes(x, dim)
    base = at_level("baseline", lambda: softmaxes(x, dim))
    x64 = x.astype(np.float64)
    lse = np.log(np.exp(x64 - x64.max(dim, keepdims=True)).sum(dim, keepdims=True)) + x64.max(dim, keepdims=True)
    # x - max is rounded in the float type before exp: an absolute error of eps * |x - max| in
    # the exponent, so exp's relative error grows with it; plus a few ulp for exp and the sum
    eps = np.finfo(dtype).eps
    y = x64 - lse
    err = eps * (4 + 2 * (np.abs(x64) + np.abs(lse) + np.abs(y)))  # in the exponent / the log
    assert np.all(np.abs(got[0].numpy() - np.exp(y)) <= np.exp(y) * err)
    assert np.all(np.abs(got[1].numpy() - y) <= err)
    for g, b in zip(got, base):
        same_bits(g.numpy(), b.numpy())


def test_softmax_backward_at_every_level(level):
    x = rgrad.from_numpy(data((8, 300), np.float32, seed=3)).requires_grad_()
    w = rgrad.from_numpy(data((8, 300), np.float32, seed=4))
    (x.softmax(1) * w).sum().backward()
    y = x.detach().numpy().astype(np.float64)
    s = np.exp(y - y.max(1, keepdims=True))
    s /= s.sum(1, keepdims=True)
    wd = w.numpy().astype(np.float64)
    want = s * (wd - (wd * s).sum(1, keepdims=True))
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-4, atol=1e-6)


UNARY = ["exp", "sigmoid", "tanh", "sqrt", "erf", "log", "relu"]
NP_UNARY = {
    "exp": np.exp,
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "tanh": np.tanh,
    "sqrt": lambda v: np.sqrt(np.abs(v)),
    "log": lambda v: np.log(np.abs(v)),
    "relu": lambda v: np.maximum(v, 0),
}


def unary(x, name):
    t = rgrad.from_numpy(x)
    if name in ("sqrt", "log"):
        t = t.abs()
    return getattr(t, name)()


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_math_matches_numpy_and_the_baseline_bits(level, name, dtype):
    x = data((1001, 37), dtype, seed=11) * 8  # spans exp's range, tails of every width
    x[0, :6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30]
    got = unary(x, name)
    same_bits(got.numpy(), at_level("baseline", lambda: unary(x, name)).numpy())
    if name == "erf":
        import math

        want = np.vectorize(math.erf)(x.astype(np.float64))
    else:
        with np.errstate(all="ignore"):
            want = NP_UNARY[name](x.astype(np.float64))
    # a few ulp of the float type (exp, sigmoid: <= 2 ulp; tanh <= 4; the rest libm's)
    rtol = 6e-7 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(got.numpy(), want.astype(dtype), rtol=rtol, atol=np.finfo(dtype).tiny, equal_nan=True)


def test_binary_broadcast_at_every_level(level):
    m = data((300, 517), np.float32, seed=2)
    r = data((517,), np.float32, seed=3)
    tm, tr = rgrad.from_numpy(m), rgrad.from_numpy(r)
    for op in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a - b):
        same_bits(op(tm, tr).numpy(), op(m, r))
    same_bits(rgrad.maximum(tm, tr).numpy(), np.maximum(m, r))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("n", [5, 3000, 300_000])
def test_sort_at_every_level(level, dtype, n):
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 1000).astype(dtype)
    x[1::2] = x[::2][: len(x[1::2])]  # ties
    t = rgrad.from_numpy(x)
    for desc in (False, True):
        v, i = t.sort(descending=desc)
        order = np.argsort(-x.astype(np.float64) if desc else x, kind="stable")  # stable: ties in input order
        np.testing.assert_array_equal(i.numpy(), order)
        np.testing.assert_array_equal(v.numpy(), x[order])


def test_matmul_at_every_level(level):
    # the gemm crates pick their own kernels (not capped by the level): the same bits everywhere
    a, b = data((70, 130), np.float32, seed=5), data((130, 90), np.float32, seed=6)
    got = (rgrad.from_numpy(a) @ rgrad.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
    same_bits(got, at_level("baseline", lambda: (rgrad.from_numpy(a) @ rgrad.from_numpy(b)).numpy()))


def test_unknown_or_unsupported_level_raises():
    with pytest.raises(ValueError, match="unknown instruction set"):
        rgrad._set_cpu_isa("sse9")
    if "avx512" not in LEVELS:
        with pytest.raises(RuntimeError, match="does not support"):
            rgrad._set_cpu_isa("avx512")


def run_python(code, **env):
    full = dict(os.environ)
    for k in ("RGRAD_CPU_ISA", "RGRAD_NUM_THREADS", "OMP_NUM_THREADS"):
        full.pop(k, None)
    full.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_env_var_caps_the_level_at_start():
    code = "import rgrad; c = rgrad._rgrad._config(); print(c['isa'], c['isa_detected'])"
    detected = LEVELS[-1]
    assert run_python(code) == f"{detected} {detected}"
    for name in LEVELS:
        assert run_python(code, RGRAD_CPU_ISA=name) == f"{name} {detected}"
    # a cap above the CPU changes nothing; a value that names no level is ignored and reported
    assert run_python(code, RGRAD_CPU_ISA="avx512") == f"{detected} {detected}"
    shown = run_python("import rgrad; print(rgrad.__config__.show())", RGRAD_CPU_ISA="fast")
    assert "RGRAD_CPU_ISA=fast (not a level: ignored)" in shown
    assert f"in use: {detected}" in shown


def test_show_config_names_cpu_isa_threads_and_build(capsys):
    s = rgrad.__config__.show()
    c = rgrad._rgrad._config()
    for needle in (c["cpu_model"], f"in use: {c['isa']}", f"threads: {rgrad.get_num_threads()}", "gemm 0.19", "profile '"):
        assert needle in s
    rgrad.show_config()
    assert capsys.readouterr().out == s
    assert "get_num_threads() : " in rgrad.__config__.parallel_info()
