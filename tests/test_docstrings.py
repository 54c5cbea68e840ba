"""Every public name has a docstring with a short example, and every example runs.

The public API is what ``python -m sphinx docs/api build/api`` documents: the names in
``rgrad``, ``rgrad.autograd``, ``rgrad.linalg``, ``rgrad.nn``, ``rgrad.nn.functional``,
``rgrad.nn.init`` and ``rgrad.optim`` that do not start with ``_``, and the public methods of
``rgrad.Tensor``. An example is a doctest (``>>>`` lines and the output they print); this file
runs each one as a test.

Docstrings come from two places: Python code under ``python/rgrad/``, and the ``///`` comments of
the Rust bindings in ``rust/python/*.rs`` (PyO3 turns those into ``__doc__``). Names still
without an example are listed in ``tests/docstring_gaps.txt``; the list may only shrink:
a name missing from it and lacking an example fails, and so does a listed name that has one.
"""

import doctest
import inspect
import pathlib
import types

import numpy as np
import pytest

import rgrad

GAPS_FILE = pathlib.Path(__file__).resolve().parent / "docstring_gaps.txt"
MODULES = ["rgrad", "rgrad.autograd", "rgrad.linalg", "rgrad.nn", "rgrad.nn.functional", "rgrad.nn.init", "rgrad.optim"]
# function forms of Tensor methods (rgrad.add(t, u) = t.add(u)) share one code object and
# Tensor.NAME's docstring
_METHOD_FORM = rgrad._function_of_method("clone").__code__
_RUST_CLASSES = {o for o in vars(rgrad._rgrad).values() if inspect.isclass(o)}


def public_names():
    """``{qualified name: object}`` for the public API (aliases such as ``rgrad.float`` of a
    dtype and submodules are left out: dtypes and modules are documented where they are made)."""
    found = {}
    for modname in MODULES:
        mod = __import__(modname, fromlist=["_"])
        for name in sorted(dir(mod)):
            obj = getattr(mod, name)
            if name.startswith("_") or isinstance(obj, (types.ModuleType, rgrad.dtype, rgrad.Generator)):
                continue
            if modname == "rgrad" and name == "builtins_bool":
                continue  # a helper name __init__ leaks; not API
            found[f"{modname}.{name}"] = obj
    for name in sorted(dir(rgrad.Tensor)):
        if not name.startswith("_"):
            found[f"rgrad.Tensor.{name}"] = inspect.getattr_static(rgrad.Tensor, name)
    return found


def written_in_rust(obj):
    """Whether ``obj``'s docstring is (or has to be) written in the Rust bindings
    (``rust/python/*.rs``): PyO3 objects, and Python wrappers that copy the docstring of the
    Rust function or method of the same name (or would, once it has one)."""
    while hasattr(obj, "__wrapped__"):
        obj = obj.__wrapped__
    if isinstance(obj, (classmethod, staticmethod)):
        obj = obj.__func__
    if isinstance(obj, property):
        obj = obj.fget
    if inspect.isclass(obj):
        return obj in _RUST_CLASSES
    if not inspect.isfunction(obj):
        return True  # builtins, method descriptors, getset descriptors: PyO3
    if obj.__code__ is _METHOD_FORM:
        return True
    doc = obj.__doc__ or ""
    for source in (inspect.getattr_static(rgrad.Tensor, obj.__name__, None), getattr(rgrad._rgrad, obj.__name__, None)):
        if source is not None and not inspect.isfunction(source) and not inspect.isclass(source):
            rust_doc = getattr(source, "__doc__", None)
            if not rust_doc or doc.startswith(rust_doc[:60]):
                return True
    return False


def has_example(obj):
    return ">>>" in (inspect.getdoc(obj) or "")


NAMES = public_names()
GAPS = {line.split("#")[0].strip() for line in GAPS_FILE.read_text().splitlines()} - {""}


def test_every_public_name_has_an_example_or_is_a_listed_gap():
    lacking = sorted(n for n, o in NAMES.items() if not has_example(o))
    new = [n for n in lacking if n not in GAPS]
    assert not new, "public names without a docstring example (add one, '>>> ...'):\n  " + "\n  ".join(new)


def test_the_gap_list_only_shrinks():
    done = sorted(n for n in GAPS if n in NAMES and has_example(NAMES[n]))
    gone = sorted(n for n in GAPS if n not in NAMES)
    assert not done, "these have examples now; remove them from tests/docstring_gaps.txt:\n  " + "\n  ".join(done)
    assert not gone, "these are not public names; remove them from tests/docstring_gaps.txt:\n  " + "\n  ".join(gone)


def training_layer(obj):
    """Whether ``obj`` is written in python/rgrad/nn/ or python/rgrad/optim/ (the training layer,
    being extended; its examples come with that work)."""
    try:
        path = pathlib.Path(inspect.getsourcefile(obj)).as_posix()
    except TypeError:
        return False
    return "/rgrad/nn/" in path or "/rgrad/optim/" in path


def test_python_written_names_are_not_gaps():
    """The gap list is for the Rust bindings' docstrings and the training layer; any other name
    whose docstring is written in Python needs its example now."""
    python_gaps = sorted(n for n in GAPS if n in NAMES and not written_in_rust(NAMES[n]) and not training_layer(NAMES[n]))
    assert not python_gaps, "Python-written names must have an example:\n  " + "\n  ".join(python_gaps)


def _examples():
    finder = doctest.DocTestFinder(recurse=False)
    seen = set()
    for qualname, obj in NAMES.items():
        doc = inspect.getdoc(obj)
        if not doc or ">>>" not in doc or id(obj) in seen:
            continue
        seen.add(id(obj))
        yield qualname, doctest.DocTestParser().get_doctest(doc, {}, qualname, None, 0)


EXAMPLES = dict(_examples())


@pytest.mark.parametrize("qualname", list(EXAMPLES))
def test_docstring_example(qualname):
    test = EXAMPLES[qualname]
    test.globs = {"rgrad": rgrad, "np": np}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
