"""Every public name of the extension (and every Tensor member) has a type stub."""

import ast
import os

import rgrad
import rgrad._rgrad as ext

STUB = os.path.join(os.path.dirname(rgrad.__file__), "_rgrad.pyi")


def stub_tree():
    with open(STUB) as f:
        return ast.parse(f.read())


def test_py_typed_marker_exists():
    assert os.path.exists(os.path.join(os.path.dirname(rgrad.__file__), "py.typed"))


def test_every_extension_name_has_a_stub():
    tree = stub_tree()
    stubbed = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            stubbed.add(node.name)
        elif isinstance(node, ast.AnnAssign):
            stubbed.add(node.target.id)
        elif isinstance(node, ast.Assign):
            stubbed.update(t.id for t in node.targets if isinstance(t, ast.Name))
    public = {n for n in dir(ext) if not n.startswith("__")}
    missing = sorted(public - stubbed)
    assert not missing, f"no stub for {missing}: run scripts/gen_stubs.py"


def test_every_tensor_member_has_a_stub():
    tree = stub_tree()
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Tensor")
    stubbed = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    stubbed |= {n.target.id for n in cls.body if isinstance(n, ast.AnnAssign)}
    public = {n for n in vars(ext.Tensor) if not n.startswith("_") or (n.startswith("__") and n.endswith("__"))}
    public -= {"__module__", "__doc__", "__dict__", "__weakref__", "__text_signature__", "__new__"}
    missing = sorted(public - stubbed)
    assert not missing, f"Tensor members without stubs: {missing}: run scripts/gen_stubs.py"


def test_every_public_function_has_a_docstring():
    undocumented = [n for n in dir(ext) if not n.startswith("_") and callable(getattr(ext, n)) and not (getattr(ext, n).__doc__ or "").strip()]
    assert not undocumented, f"undocumented: {undocumented}"
