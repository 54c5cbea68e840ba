"""Matrix-product GFLOPS, rgrad vs PyTorch vs NumPy, interleaved and best-of.

    PYTHONPATH=python /opt/bench/bin/python benchmarks/matmul_interleaved.py [256 1024 2048 f64 bmm lin]

On a shared, loaded machine the median of run.py swings wildly (three thread pools
in one process on 2 cores); this times the libraries in alternating rounds and keeps
each one's best, so the ratio compares them at the same moments. Set
RAYON_NUM_THREADS=1 T=1 OPENBLAS_NUM_THREADS=1 for a single-thread comparison.
"""
import sys, time, numpy as np
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import rgrad, torch
torch.set_num_threads(int(os.environ.get("T", torch.get_num_threads())))
def best(f, reps):
    f(); b = 1e9
    for _ in range(reps):
        t0 = time.perf_counter(); f(); b = min(b, time.perf_counter() - t0)
    return b
def case(name, flops, mk, reps, rounds=5):
    fs = {lib: mk(lib) for lib in ("rgrad", "torch", "numpy")}
    bests = {k: 1e9 for k in fs}
    for _ in range(rounds):
        for k, f in fs.items():
            bests[k] = min(bests[k], best(f, reps))
    gf = {k: flops / v / 1e9 for k, v in bests.items()}
    print(f"{name:36s} rgrad {gf['rgrad']:7.1f} GF  torch {gf['torch']:7.1f} GF  numpy {gf['numpy']:7.1f} GF  ratio rg/torch {gf['rgrad']/gf['torch']:.2f}", flush=True)
def mm(n, dt="float32"):
    a = np.random.rand(n, n).astype(dt); b = np.random.rand(n, n).astype(dt)
    def mk(lib):
        if lib == "numpy": return lambda: a @ b
        m = __import__(lib); x, y = m.tensor(a), m.tensor(b); return lambda: x @ y
    return mk
def bmm(lib, a=np.random.rand(512, 64, 64).astype("float32")):
    if lib == "numpy": return lambda: np.matmul(a, a)
    m = __import__(lib); x = m.tensor(a); return lambda: m.bmm(x, x)
def lin(lib, x=np.random.rand(64, 784).astype("float32"), w=np.random.rand(256, 784).astype("float32")):
    if lib == "numpy": return lambda: x @ w.T
    m = __import__(lib); tx, tw = m.tensor(x), m.tensor(w); return lambda: tx @ tw.T
which = sys.argv[1:] or ["256", "1024", "2048", "f64", "bmm", "lin"]
for w in which:
    if w == "256": case("mm 256 f32", 2 * 256**3, mm(256), 50)
    if w == "1024": case("mm 1024 f32", 2 * 1024**3, mm(1024), 5)
    if w == "2048": case("mm 2048 f32", 2 * 2048**3, mm(2048), 2, 3)
    if w == "f64": case("mm 1024 f64", 2 * 1024**3, mm(1024, "float64"), 3)
    if w == "bmm": case("bmm 512x64^3 f32", 2 * 512 * 64**3, bmm, 10)
    if w == "lin": case("x@W.T 64x784x256 f32", 2 * 64 * 784 * 256, lin, 100)
