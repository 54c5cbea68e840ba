"""rgrad vs NumPy vs PyTorch in one run, on this machine.

    python benchmarks/run.py [--filter SUBSTRING] [--quick]

Prints the median time per call for each library and the ratios
rgrad/NumPy and rgrad/PyTorch (lower is better for rgrad). PyTorch is
optional: install it in a separate environment (it is never a dependency of
rgrad) and run this script from there. Cases live in benchmarks/cases_*.py.
"""

import argparse
import glob
import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import time_callable  # noqa: E402

LIBS = ["rgrad", "numpy", "torch"]


def available(lib):
    try:
        __import__(lib)
        return True
    except ImportError:
        return False


def load_cases():
    cases = []
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "cases_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        cases.extend(mod.CASES)
    return cases


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e3:.2f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--filter", default="")
    ap.add_argument("--quick", action="store_true", help="short timings (smoke run)")
    args = ap.parse_args()
    libs = [lib for lib in LIBS if available(lib)]
    if "torch" in libs:
        import torch

        print(f"torch {torch.__version__}, threads={torch.get_num_threads()}")
    import numpy

    print(f"numpy {numpy.__version__}")
    min_time = 0.02 if args.quick else 0.3
    header = f"| {'case':44s} | {'rgrad':>10s} | {'numpy':>10s} | {'torch':>10s} | {'rg/np':>6s} | {'rg/torch':>8s} | target |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for case in load_cases():
        if args.filter and args.filter not in case.name:
            continue
        times = {}
        for lib in libs:
            fn = case.setup(lib)
            times[lib] = None if fn is None else time_callable(fn, min_time=min_time)
        r, n, t = times.get("rgrad"), times.get("numpy"), times.get("torch")
        rn = f"{r / n:.2f}" if r and n else "-"
        rt = f"{r / t:.2f}" if r and t else "-"
        name = case.name
        if case.flops and r:
            name += f" [{case.flops / r / 1e9:.0f} GF"
            if t:
                name += f" vs {case.flops / t / 1e9:.0f}"
            name += "]"
        print(f"| {name:44s} | {fmt_time(r):>10s} | {fmt_time(n):>10s} | {fmt_time(t):>10s} | {rn:>6s} | {rt:>8s} | {case.target} |", flush=True)


if __name__ == "__main__":
    main()
