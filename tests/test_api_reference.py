"""The API reference builds (``python -m sphinx -b html docs/api build/api``, offline, warnings
are errors) and documents every public name that tests/test_docstrings.py knows."""

import pathlib
import subprocess
import sys

from sphinx.util.inventory import InventoryFile

from test_docstrings import NAMES

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_reference_builds_and_lists_every_public_name(tmp_path):
    # in a process of its own: autodoc leaves marks on the classes it documents
    done = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "--keep-going", "-E", "-b", "html", str(ROOT / "docs" / "api"), str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, "sphinx failed:\n" + done.stderr
    with open(tmp_path / "objects.inv", "rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    documented = {name for kind in inventory.values() for name in kind}
    missing = sorted(set(NAMES) - documented)
    assert not missing, "public names missing from the API reference:\n  " + "\n  ".join(missing)
