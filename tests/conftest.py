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
    """A NumPy copy of a tensor (detached)."""
    return np.array(t.detach().numpy())


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
