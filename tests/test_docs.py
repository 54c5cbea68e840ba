"""Runs the guides in ``docs/``: every example in them is a test.

The convention (also stated in ``docs/README.md``):

- Every fenced block tagged ``python`` in a ``docs/*.md`` file (and in ``README.md``) is run, in order; the blocks of
  one guide share one namespace, as if typed into one interpreter session.
- A ``python`` block followed directly (blank lines aside) by a block tagged ``text`` must
  print exactly that text. Trailing spaces and trailing blank lines are ignored; nothing else is.
- A ``python`` block with no ``text`` block after it must print nothing.
- Blocks in other languages (``bash``, ``rust``, ``dot``, ``text`` on its own) are not run.

A block that raises, or prints something else, fails with the guide, its line and a diff.
Each block is its own test (``pytest tests/test_docs.py -k autograd``); running one block
first runs the blocks above it in the same guide.
"""

import contextlib
import difflib
import io
import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^```(\w*)\s*$")


def parse_blocks(path):
    """``[(line, code, expected_output_or_None)]`` for the ``python`` blocks of a markdown file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fences = []  # (first line number, language, body)
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            start, lang, body = i + 1, m.group(1), []
            i += 1
            while i < len(lines) and lines[i].rstrip() != "```":
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"{path.name}:{start}: unclosed ``` fence")
            fences.append((start, lang, "\n".join(body), i + 1))
        i += 1
    blocks = []
    for k, (start, lang, body, end) in enumerate(fences):
        if lang != "python":
            continue
        expected = None
        if k + 1 < len(fences):
            nstart, nlang, nbody, _ = fences[k + 1]
            between = lines[end:nstart - 1]
            if nlang == "text" and all(not s.strip() for s in between):
                expected = nbody
        blocks.append((start, body, expected))
    return blocks


def _normalise(text):
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


class Guide:
    """One guide's namespace and how far through its blocks it has run."""

    def __init__(self, path):
        self.path = path = pathlib.Path(path).resolve()
        self.name = path.relative_to(DOCS.parent).as_posix()
        self.blocks = parse_blocks(path)
        self.namespace = {"__name__": "__main__"}
        self.done = 0
        self.failed = None  # line of the first block that failed

    def check(self, index):
        """Runs the blocks up to ``index`` (those not yet run) and checks each one's output."""
        if index < self.done:
            # already run (pytest ran this block as part of a later one): run everything again
            self.__init__(self.path)
        while self.done <= index:
            line, code, expected = self.blocks[self.done]
            if self.failed is not None:
                pytest.fail(f"{self.name}:{line} not run: the block at line {self.failed} above it failed", pytrace=False)
            self.done += 1
            try:
                self._run(line, code, expected)
            except BaseException:
                self.failed = line
                if self.done - 1 == index:
                    raise
                pytest.fail(f"{self.name}:{line} (run before the block asked for) failed", pytrace=False)

    def _run(self, line, code, expected):
        out = io.StringIO()
        compiled = compile("\n" * (line) + code, str(self.path), "exec")  # tracebacks show guide lines
        with contextlib.redirect_stdout(out):
            exec(compiled, self.namespace)
        got, want = _normalise(out.getvalue()), _normalise(expected or "")
        if got != want:
            if expected is None:
                pytest.fail(f"{self.name}:{line}: the block printed output but no ```text block follows it:\n{got}", pytrace=False)
            diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "guide says", "code prints", lineterm=""))
            pytest.fail(f"{self.name}:{line}: printed output differs from the ```text block after it:\n{diff}", pytrace=False)


# the guides, and the README's tour
GUIDES = {p.relative_to(DOCS.parent).as_posix(): Guide(p) for p in [*sorted(DOCS.glob("*.md")), DOCS.parent / "README.md"]}
CASES = [(name, k) for name, g in GUIDES.items() for k in range(len(g.blocks))]


@pytest.mark.parametrize("guide,index", CASES, ids=[f"{n}:{GUIDES[n].blocks[k][0]}" for n, k in CASES])
def test_guide_block(guide, index):
    GUIDES[guide].check(index)


def test_every_guide_has_examples():
    for name, g in GUIDES.items():
        if name != "docs/architecture.md":
            assert g.blocks, f"{name} has no ```python block: a guide's examples are its tests"


def test_parser_pairs_code_with_output(tmp_path):
    md = tmp_path / "g.md"
    md.write_text("x\n```python\nprint(1)\n```\n\n```text\n1\n```\n```python\nx = 2\n```\n```bash\nls\n```\n")
    assert parse_blocks(md) == [(2, "print(1)", "1"), (9, "x = 2", None)]


def _rewrite(path):
    """Fills each ``text`` block of a guide with what its ``python`` block prints now (adding one
    where a block prints and has none). For writing guides: read the diff before committing, the
    output is what the guide promises."""
    import rgrad

    rgrad.manual_seed(0)  # as conftest does before each test
    lines = path.read_text(encoding="utf-8").splitlines()
    guide = Guide(path)
    edits = []  # (first line index to replace, end index exclusive, new lines)
    for line, code, expected in guide.blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile("\n" * line + code, str(path), "exec"), guide.namespace)
        got = _normalise(out.getvalue())
        end = line + code.count("\n") + 1  # index of the closing fence
        if expected is not None:
            k = end + 1
            while not lines[k].startswith("```text"):
                k += 1
            stop = k + 1 + (expected.count("\n") + 1 if expected else 0)
            edits.append((k, stop + 1, ["```text", *got.splitlines(), "```"] if got else []))
        elif got:
            edits.append((end + 1, end + 1, ["", "```text", *got.splitlines(), "```"]))
    for start, stop, new in reversed(edits):
        lines[start:stop] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        _rewrite(pathlib.Path(name))
