"""Memory: training keeps resident memory flat, graphs are freed by backward and by
dropping their outputs, and a hook that refers to its own tensor is collected.

Resident memory is read from /proc/self/statm (Linux; the RSS tests are skipped elsewhere,
with the reason). The training loop runs in a child process so that nothing the rest of the
suite left behind moves its numbers: `RGRAD_MEMORY_STEPS=100000` runs the full-length check
(docs/reliability.md records its result); the suite runs a shorter one that still shows
whether memory grows per step."""

import gc
import json
import os
import subprocess
import sys
import textwrap
import weakref

import numpy as np
import pytest

import rgrad

STATM = "/proc/self/statm"
linux_only = pytest.mark.skipif(not os.path.exists(STATM), reason="reads resident memory from /proc/self/statm (Linux)")


def rss_bytes():
    with open(STATM) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


TRAIN = textwrap.dedent("""
    import json, os, sys
    import rgrad
    from rgrad import nn, optim
    steps, samples = int(sys.argv[1]), 20

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    rgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = rgrad.randn(64, 16), rgrad.randn(64, 4)
    marks = []
    warmup = min(2000, steps // 5)
    for i in range(steps + warmup):
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i >= warmup and (i - warmup) % max(steps // samples, 1) == 0:
            marks.append(rss())
    marks.append(rss())
    print(json.dumps({"marks": marks, "loss": float(loss)}))
""")


def run_training(steps):
    r = subprocess.run([sys.executable, "-c", TRAIN, str(steps)], capture_output=True, text=True, timeout=3000)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@linux_only
def test_training_keeps_resident_memory_flat():
    steps = int(os.environ.get("RGRAD_MEMORY_STEPS", "6000"))
    out = run_training(steps)
    marks = np.array(out["marks"], dtype=np.float64)
    start, end = marks[0], marks[-1]
    # flat within 5% from the first measured step (after warm-up) to the last ...
    assert end <= start * 1.05, f"RSS grew {start / 2**20:.1f} -> {end / 2**20:.1f} MiB over {steps} steps"
    # ... and, for the short run, no steady growth either: the least-squares trend over the
    # run, extrapolated to 100,000 steps, stays under 5% (a leak of a few hundred bytes a
    # step would show here, while page-granular noise does not)
    slope = np.polyfit(np.linspace(0, steps, len(marks)), marks, 1)[0]
    assert slope * 100_000 <= 0.05 * start, f"RSS trend {slope:.2f} B/step ({slope * 1e5 / 2**20:.1f} MiB per 100k steps)"
    assert np.isfinite(out["loss"])


@linux_only
def test_graph_is_freed_by_backward_and_by_dropping_its_output():
    n = 12_500_000  # 50 MB of float32 per tensor: far above allocator noise
    x = rgrad.randn(n, requires_grad=True)
    gc.collect()
    rgrad.empty_cache()
    base = rss_bytes()
    y = x.exp()  # saves its output (50 MB) for backward
    s = y.sum()
    del y
    held = rss_bytes()
    assert held - base > 40e6  # the saved output is alive, held by the graph
    s.backward()  # frees the saved output; x.grad (50 MB) arrives
    x.grad = None
    del s
    rgrad.empty_cache()
    assert rss_bytes() - base < 10e6, "the graph's saved tensors were not freed by backward"
    # with retain_graph the saved tensors live until the graph's last output is dropped
    y = x.exp()
    s = y.sum()
    del y
    s.backward(retain_graph=True)
    x.grad = None
    rgrad.empty_cache()
    assert rss_bytes() - base > 40e6
    del s
    rgrad.empty_cache()
    assert rss_bytes() - base < 10e6, "dropping the output did not free a retained graph"


def test_saved_tensors_are_released_by_backward():
    x = rgrad.ones(3, dtype=rgrad.float64, requires_grad=True)
    y = (x * 2).exp()
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()


@pytest.mark.parametrize("where", ["non-leaf", "leaf"])
def test_hook_capturing_its_own_tensor_is_collected(where):
    def make():
        if where == "leaf":
            t = rgrad.ones(3, requires_grad=True)
        else:
            t = rgrad.ones(3, requires_grad=True) * 2
        t.register_hook(lambda g: g * t.detach())  # the hook refers to t: t -> node -> hook -> t
        return weakref.ref(t)

    ref = make()
    gc.collect()
    assert ref() is None, "a tensor referred to by its own hook was not collected"


def test_hook_still_runs_while_its_graph_is_alive():
    seen = []
    x = rgrad.ones(3, requires_grad=True)

    def build():
        t = x * 2
        t.register_hook(lambda g: seen.append(t.shape) or g)  # refers to t
        return (t * 3).sum()  # the graph of `loss` holds t's node

    loss = build()
    gc.collect()  # t's Python object is unreachable, but its node is part of loss's graph
    loss.backward()
    assert seen == [(3,)]
    assert x.grad.tolist() == [6.0, 6.0, 6.0]
