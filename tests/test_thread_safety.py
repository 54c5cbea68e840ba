"""Threads: Python threads running ops and backward on separate graphs get the right
results, grad mode is per thread, and large kernels release the GIL.

No assertion here is about speed: the GIL test checks that another thread makes progress
while a long kernel runs, which it cannot do at all when the kernel holds the GIL."""

import sys
import threading

import numpy as np

import rgrad


def _oracle(w, x):
    """f(w) = sum(tanh(x @ w)^2) and its gradient, in NumPy (float64)."""
    h = np.tanh(x @ w)
    return (h * h).sum(), x.T @ (2 * h * (1 - h * h))


def test_four_threads_separate_graphs():
    errors, results = [], {}
    start = threading.Barrier(4)

    def worker(k):
        try:
            rng = np.random.default_rng(100 + k)
            start.wait()
            for i in range(150):
                w0, x0 = rng.standard_normal((6, 3)), rng.standard_normal((5, 6))
                w = rgrad.tensor(w0, requires_grad=True)
                f = rgrad.tanh(rgrad.tensor(x0) @ w).pow(2).sum()
                f.backward()
                v, g = _oracle(w0, x0)
                np.testing.assert_allclose(f.item(), v, rtol=1e-12)
                np.testing.assert_allclose(w.grad.numpy(), g, rtol=1e-12, atol=1e-12)
            results[k] = i + 1
        except BaseException as e:  # noqa: BLE001 (reported below, panics included)
            errors.append((k, repr(e)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert results == {0: 150, 1: 150, 2: 150, 3: 150}


def test_large_ops_and_backward_in_threads():
    """Kernels big enough to release the GIL and run on the thread pool, from four threads."""
    errors = []

    def worker(k):
        try:
            a0 = np.random.default_rng(k).standard_normal((300, 300))
            for _ in range(5):
                a = rgrad.tensor(a0, requires_grad=True)
                (a @ a).sum().backward()
                # d/da sum(a @ a) = 1 a^T + a^T 1 (1 a matrix of ones)
                ones = np.ones_like(a0)
                np.testing.assert_allclose(a.grad.numpy(), ones @ a0.T + a0.T @ ones, rtol=1e-10)
        except BaseException as e:  # noqa: BLE001
            errors.append((k, repr(e)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_grad_mode_is_per_thread():
    inside, release = threading.Event(), threading.Event()
    seen = {}

    def in_no_grad():
        with rgrad.no_grad():
            inside.set()
            release.wait(10)
            x = rgrad.ones(2, requires_grad=True)
            seen["no_grad_thread"] = ((x * 2).requires_grad, rgrad.is_grad_enabled())

    t = threading.Thread(target=in_no_grad)
    t.start()
    assert inside.wait(10)
    # the other thread is inside no_grad: this one still records
    x = rgrad.ones(2, requires_grad=True)
    seen["main"] = ((x * 2).requires_grad, rgrad.is_grad_enabled())
    release.set()
    t.join()
    assert seen == {"main": (True, True), "no_grad_thread": (False, False)}
    assert rgrad.is_grad_enabled()


def test_large_kernels_release_the_gil():
    """While one thread is inside a long matmul, another thread runs Python.

    The switch interval is raised to 100 s for the test, so the GIL changes hands only when
    a thread lets go of it: if the kernel held it, the waiting thread could not run at all
    until the kernel returned and its thread finished (progress 0, deterministically)."""
    a = rgrad.randn(1000, 1000)
    started, done = threading.Event(), threading.Event()
    result = {}

    def kernel():
        started.set()
        result["out"] = a @ a  # ~2 GFLOP in Rust, GIL released
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        t = threading.Thread(target=kernel)
        t.start()
        assert started.wait(30)
        progress = 0
        while not done.wait(0.0005):  # each wait lets go of the GIL, each timeout needs it back
            progress += 1
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert result["out"].shape == (1000, 1000)
    assert progress > 0, "no other thread ran while the kernel was running: it held the GIL"
