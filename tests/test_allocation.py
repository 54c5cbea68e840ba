"""Allocation: sizes that can't be allocated, or whose element count overflows, raise
MemoryError or RuntimeError, and never abort the process.

Each case runs in a child process (an abort would otherwise take pytest down with it) under
an address-space limit, so "too large" is decided the same way on every machine whatever
its RAM or overcommit setting: the limit is far above what the interpreter needs and far
below every request here."""

import json
import subprocess
import sys
import textwrap

import pytest

CASES = {
    "zeros 10**13": "rgrad.zeros(10**13)",
    "empty 2**40 float64": "rgrad.empty(2**40, dtype=rgrad.float64)",
    "ones overflowing count": "rgrad.ones(2**40, 2**40)",
    "full overflowing count": "rgrad.full((2**33, 2**33, 4), 1.0)",
    "rand 10**12": "rgrad.rand(10**12)",
    "arange 10**13": "rgrad.arange(10**13)",
    "repeat 10**13": "rgrad.zeros(3).repeat(10**13)",
    "repeat overflowing count": "rgrad.zeros(3).repeat(2**62, 4)",
    "tile": "rgrad.zeros(2, 2).tile((10**7, 10**7))",
    "repeat_interleave": "rgrad.zeros(3).repeat_interleave(10**13)",
    "expand contiguous": "rgrad.zeros(1).expand(10**13).contiguous()",
    "expand overflowing count": "rgrad.zeros(1, 1).expand(2**40, 2**40)",
    "expand clone": "rgrad.zeros(1, 1).expand(10**7, 10**7).clone()",
    "expand plus": "rgrad.zeros(1).expand(10**13) + 1",
    "broadcast add": "rgrad.zeros(10**7, 1) + rgrad.zeros(1, 10**7)",
    "outer": "rgrad.outer(rgrad.zeros(1).expand(10**7), rgrad.zeros(1).expand(10**7))",
    "matmul": "rgrad.zeros(1, 1).expand(10**7, 1) @ rgrad.zeros(1, 1).expand(1, 10**7)",
    "zeros_like": "rgrad.zeros_like(rgrad.zeros(1).expand(10**13))",
    "cat": "rgrad.cat([rgrad.zeros(1).expand(10**13)] * 2)",
    "new_zeros": "rgrad.zeros(1).new_zeros(10**13)",
    "eye": "rgrad.eye(10**7)",
    "linspace": "rgrad.linspace(0, 1, 10**13)",
    "setitem broadcast": "rgrad.zeros(1).expand(10**13)[...].clone()",
    "repeat_interleave tensor": "rgrad.zeros(3).repeat_interleave(rgrad.tensor([10**13, 1, 1]))",
    "sort": "rgrad.zeros(1).expand(10**13).sort()",
    "cumsum": "rgrad.zeros(1).expand(10**13).cumsum(0)",
    "to float64": "rgrad.zeros(1).expand(10**13).to(rgrad.float64)",
    "index_select": "rgrad.zeros(3).index_select(0, rgrad.zeros(1, dtype=rgrad.int64).expand(10**13))",
    "gather": "rgrad.zeros(3).gather(0, rgrad.zeros(1, dtype=rgrad.int64).expand(10**13))",
    "randperm": "rgrad.randperm(10**13)",
    "multinomial": "rgrad.multinomial(rgrad.ones(3), 10**13, replacement=True)",
    "from_slice": "rgrad.tensor([0.0] * 10) .expand(10**12, 10).reshape(-1)",
}

CHILD = textwrap.dedent("""
    import json, resource, sys
    # 16 GB of address space: the interpreter and rgrad need well under 1 GB
    resource.setrlimit(resource.RLIMIT_AS, (16 << 30, 16 << 30))
    import rgrad
    out = {}
    for name, expr in json.loads(sys.argv[1]).items():
        try:
            eval(expr)
            out[name] = "returned"
        except MemoryError:
            out[name] = "MemoryError"
        except RuntimeError as e:
            out[name] = "RuntimeError"
        except Exception as e:  # the wrong class: reported
            out[name] = type(e).__name__ + ": " + str(e)[:100]
    print(json.dumps(out))
""")


def test_impossible_allocations_raise_and_never_abort():
    r = subprocess.run([sys.executable, "-c", CHILD, json.dumps(CASES)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"child died (code {r.returncode}):\n{r.stderr[-3000:]}"
    results = json.loads(r.stdout.strip().splitlines()[-1])
    bad = {k: v for k, v in results.items() if v not in ("MemoryError", "RuntimeError")}
    assert not bad, bad


@pytest.mark.parametrize("expr", ["rgrad.zeros(10**15)", "rgrad.zeros(3).repeat(10**15)", "rgrad.zeros(1).expand(10**15).contiguous()"])
def test_memory_error_in_process(expr):
    """In-process too, with no limit set: 4 PB is more than a 64-bit process's address space
    (x86-64 and AArch64 give user space 128-256 TB), so the request fails on any machine,
    whatever its overcommit setting, before any memory is touched."""
    import rgrad

    with pytest.raises((MemoryError, RuntimeError)):
        eval(expr)
