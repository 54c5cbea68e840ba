"""Timing helpers shared by the benchmark case files (benchmarks/cases_*.py).

A case times the same computation in rgrad, NumPy and PyTorch (each optional)
and reports medians; run.py prints them side by side with ratios.
"""

import statistics
import time

import numpy as np
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Case:
    """One benchmark row.

    setup(lib) builds the inputs for lib in {"rgrad", "numpy", "torch"} and
    returns a zero-argument callable that runs the operation once.
    Return None from setup for a library that has no equivalent.
    """

    name: str
    setup: Callable[[str], Optional[Callable[[], object]]]
    target: str = ""  # the target, e.g. "<= 1.0x torch"
    flops: Optional[float] = None  # for GFLOPS columns (matmul)
    tags: list = field(default_factory=list)


def time_callable(fn, min_time=0.2, max_reps=2000, repeats=7):
    """Median seconds per call: calls are batched so each sample lasts ~min_time/repeats."""
    fn()  # warm up (allocations, caches)
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    per_sample = max(1, min(max_reps, int(min_time / repeats / once)))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(per_sample):
            fn()
        samples.append((time.perf_counter() - t0) / per_sample)
    return statistics.median(samples)


_rng = np.random.default_rng(0)
_data_cache = {}


def random_data(shape, dtype=np.float32):
    """Standard-normal data of `shape`, made once per (shape, dtype) and shared by cases."""
    key = (shape, dtype)
    if key not in _data_cache:
        _data_cache[key] = _rng.standard_normal(shape).astype(dtype)
    return _data_cache[key]
