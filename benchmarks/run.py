"""rgrad vs NumPy vs PyTorch in one run, on this machine.

    python benchmarks/run.py [--filter SUBSTRING] [--quick] [--rounds N]

Prints the median time per call for each library and the ratios
rgrad/NumPy and rgrad/PyTorch (lower is better for rgrad). With --rounds N
the libraries are timed in N interleaved rounds (rgrad, numpy, torch,
rgrad, ...), so that a burst of load on a shared machine hits all of them;
the table shows the median over rounds and, in the last column, the range of
the per-round rgrad/PyTorch ratio. PyTorch is
optional: install it in a separate environment (it is never a dependency of
rgrad) and run this script from there. Cases live in benchmarks/cases_*.py.
"""

import argparse
import glob
import importlib.util
import os
import statistics
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


def lscpu_model():
    """The CPU model as `lscpu` prints it, and whether the CPU has AVX-512."""
    import platform
    import subprocess

    model, flags = None, ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name" and model is None:
                model = value.strip()
            elif key.strip() == "Flags":
                flags = value
    except (OSError, subprocess.SubprocessError):
        pass
    if model is None or not flags:
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key.strip() == "model name" and model is None:
                        model = value.strip()
                    elif key.strip() == "flags" and not flags:
                        flags = value
        except OSError:
            pass
    return model or platform.processor() or platform.machine(), "avx512f" in flags.split()


def print_config(libs):
    """What the numbers were measured on: the CPU, rgrad's configuration, the other libraries."""
    model, avx512 = lscpu_model()
    print(f"Model name: {model}  (AVX-512: {'yes' if avx512 else 'no'}, logical CPUs: {os.cpu_count()})")
    if "rgrad" in libs:
        import rgrad

        print(rgrad.__config__.show(), end="")
    if "torch" in libs:
        import torch

        print(f"torch {torch.__version__}, threads={torch.get_num_threads()}, CPU capability {torch.backends.cpu.get_cpu_capability()}")
    import numpy

    print(f"numpy {numpy.__version__}")


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
    ap.add_argument("--rounds", type=int, default=1, help="interleaved timing rounds per case")
    args = ap.parse_args()
    libs = [lib for lib in LIBS if available(lib)]
    print_config(libs)
    min_time = 0.02 if args.quick else 0.3
    rounds = max(1, args.rounds)
    spread = " rg/torch range |" if rounds > 1 else ""
    header = f"| {'case':44s} | {'rgrad':>10s} | {'numpy':>10s} | {'torch':>10s} | {'rg/np':>6s} | {'rg/torch':>8s} | target |{spread}"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for case in load_cases():
        if args.filter and args.filter not in case.name:
            continue
        fns = {lib: case.setup(lib) for lib in libs}
        samples = {lib: [] for lib in libs}
        for _ in range(rounds):
            for lib in libs:
                if fns[lib] is not None:
                    samples[lib].append(time_callable(fns[lib], min_time=min_time / rounds ** 0.5))
        times = {lib: (statistics.median(v) if v else None) for lib, v in samples.items()}
        r, n, t = times.get("rgrad"), times.get("numpy"), times.get("torch")
        extra = ""
        if rounds > 1:
            per_round = [a / b for a, b in zip(samples.get("rgrad", []), samples.get("torch", []))]
            extra = f" {min(per_round):.2f}-{max(per_round):.2f} |" if per_round else " - |"
        rn = f"{r / n:.2f}" if r and n else "-"
        rt = f"{r / t:.2f}" if r and t else "-"
        name = case.name
        if case.flops and r:
            name += f" [{case.flops / r / 1e9:.0f} GF"
            if t:
                name += f" vs {case.flops / t / 1e9:.0f}"
            name += "]"
        print(f"| {name:44s} | {fmt_time(r):>10s} | {fmt_time(n):>10s} | {fmt_time(t):>10s} | {rn:>6s} | {rt:>8s} | {case.target} |{extra}", flush=True)


if __name__ == "__main__":
    main()
