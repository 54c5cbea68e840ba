#!/usr/bin/env bash
# Valgrind memcheck over the tests that move memory across the Rust/Python boundary and
# through strided layouts: NumPy interop, indexing, views and in-place writes on views.
#
#   scripts/valgrind_memcheck.sh [LOG]        (LOG defaults to valgrind-memcheck.log)
#
# Needs Debian's `valgrind` (apt-get install -y valgrind) and an installed build of rgrad
# in the Python that runs it (PYTHON=..., default `python`). PYTHONMALLOC=malloc makes
# Python's small-object allocator go through malloc, so memcheck sees every block (pymalloc
# would hide them in its arenas and report false positives about them).
#
# It then counts memcheck's errors and prints a summary: every "Invalid read"/"Invalid
# write" (and use of uninitialised values, and invalid frees) whose stack passes through
# rgrad's extension module is a failure (exit status 1). Errors entirely inside the
# interpreter or NumPy are listed but do not fail the run. Leaks are not checked: Python
# keeps much of its memory until exit by design.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
LOG=${1:-valgrind-memcheck.log}
TESTS=${TESTS:-"tests/test_numpy.py tests/test_indexing.py tests/test_views.py tests/test_inplace_views.py"}

command -v valgrind >/dev/null || { echo "valgrind not found: apt-get install -y valgrind" >&2; exit 2; }

# Hypothesis examples are bounded by the default profile; one rayon thread keeps memcheck's
# serialised threads from slowing the run further and its reports in one order.
PYTHONMALLOC=malloc RAYON_NUM_THREADS=1 RUST_BACKTRACE=0 \
valgrind --tool=memcheck --error-limit=no --num-callers=40 --leak-check=no \
    --log-file="$LOG" \
    "$PY" -m pytest $TESTS -q -p no:cacheprovider -x

"$PY" - "$LOG" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.split(r"\n==\d+== \n", text)
kinds = ("Invalid read", "Invalid write", "Invalid free", "uninitialised", "Mismatched free", "Source and destination overlap")
ours, others = [], []
for b in blocks:
    head = next((k for k in kinds if k in b), None)
    if head is None:
        continue
    (ours if "_rgrad" in b or "rgrad::" in b else others).append((head, b))
summary = re.findall(r"ERROR SUMMARY: .*", text)
print(summary[-1] if summary else "no ERROR SUMMARY line (did valgrind run?)")
print(f"errors through rgrad's code: {len(ours)}; elsewhere (interpreter, NumPy): {len(others)}")
for head, b in ours[:10]:
    print("----", head, "\n" + b[:3000])
sys.exit(1 if ours else 0)
EOF
