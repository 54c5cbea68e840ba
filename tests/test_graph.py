"""rgrad.autograd.graph: the DOT it writes for the autograd guide's examples (node names as
PyTorch's grad_fn names them, edges), its errors, and the drawings when Graphviz is installed."""

import importlib.util
import pathlib
import re
import shutil

import pytest

import rgrad
from rgrad.autograd import Graph, GraphvizNotFound, graph

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gen_graphs", ROOT / "scripts" / "gen_graphs.py")
gen_graphs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_graphs)


def labelled_edges(g):
    """``{(from_label, to_label): count}``: the edges by the boxes' labels, not their ids."""
    label = dict(g.nodes)
    out = {}
    for a, b in g.edges:
        key = (label[a], label[b])
        out[key] = out.get(key, 0) + 1
    return out


# what each picture in docs/autograd.md must show; labels are "name\n(shape)"
EXPECTED = {
    "chain-rule": {
        ("SumBackward0", "()"): 0,  # absent: z is a square, not a sum
        ("PowBackward0", "()"): 1,
        ("SubBackward0", "PowBackward0"): 1,
        ("DotBackward0", "SubBackward0"): 1,
        ("AccumulateGrad", "DotBackward0"): 1,
        ("w\n(3)", "AccumulateGrad"): 1,
    },
    "chain-rule-saved": {
        ("PowBackward0", "()"): 1,
        ("saved\n()", "PowBackward0"): 1,  # b (the exponent 2 is a number, and the result is kept only for a tensor exponent)
        ("saved x\n(3)", "DotBackward0"): 1,  # x: a constant, named from params though not a leaf
        ("saved w\n(3)", "DotBackward0"): 1,
        ("w\n(3)", "AccumulateGrad"): 1,
    },
    "detach-without": {
        ("MulBackward0", "(1)"): 1,
        ("MulBackward0", "MulBackward0"): 1,  # y = x * x feeds z = y * x
        ("AccumulateGrad", "MulBackward0"): 3,  # x twice into y, once into z
        ("x\n(1)", "AccumulateGrad"): 1,
    },
    "detach-with": {
        ("MulBackward0", "(1)"): 1,
        ("AccumulateGrad", "MulBackward0"): 1,  # only the direct path
        ("MulBackward0", "MulBackward0"): 0,
        ("saved\n(1)", "MulBackward0"): 1,  # u
        ("x\n(1)", "AccumulateGrad"): 1,
    },
    "linear-mse": {
        ("MeanBackward0", "()"): 1,  # MSELoss is composed: mean(d * d), d = pred - y
        ("MulBackward0", "MeanBackward0"): 1,
        ("SubBackward0", "MulBackward0"): 2,  # d is both factors
        ("AddmmBackward0", "SubBackward0"): 1,
        ("AccumulateGrad", "AddmmBackward0"): 2,  # the weight is read in place: no transpose node
        ("weight\n(1, 1)", "AccumulateGrad"): 1,
        ("bias\n(1)", "AccumulateGrad"): 1,
    },
}


@pytest.mark.parametrize("name", list(gen_graphs.EXAMPLES))
def test_guide_example_graphs(name):
    g = gen_graphs.EXAMPLES[name]()
    edges = labelled_edges(g)
    for key, count in EXPECTED[name].items():
        assert edges.get(key, 0) == count, f"{name}: edge {key} appears {edges.get(key, 0)} times, expected {count}\n{g.source}"
    # every edge in the DOT text is in .edges and the other way round
    assert len(re.findall(r"^\s+\w+ -> \w+", g.source, re.M)) == len(g.edges)
    assert g.source.startswith("digraph {") and g.source.rstrip().endswith("}")


def test_every_guide_picture_is_generated_and_shows_the_graph():
    """docs/autograd.md shows exactly the pictures gen_graphs.py makes, and each checked-in SVG has
    the boxes of its example (so a picture cannot drift from the code that makes it)."""
    guide = (ROOT / "docs" / "autograd.md").read_text()
    shown = set(re.findall(r"\(images/([\w-]+)\.svg\)", guide))
    assert shown == set(gen_graphs.EXAMPLES)
    for name in shown:
        svg = (ROOT / "docs" / "images" / f"{name}.svg").read_text()
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        labels = [part for _, label in gen_graphs.EXAMPLES[name]().nodes for part in label.split("\n")]
        assert sorted(texts) == sorted(labels), f"docs/images/{name}.svg is stale: run python scripts/gen_graphs.py"


def test_root_is_highlighted_and_leaves_named():
    x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    w = rgrad.ones(2, 3, requires_grad=True)
    y = (x @ w).relu().sum()
    g = graph(y, params={"input": x, "w": w})
    assert 'out0 [label="()", fillcolor="darkolivegreen1", penwidth=2]' in g.source
    labels = [label for _, label in g.nodes]
    assert "input\n(2)" in labels and "w\n(2, 3)" in labels
    assert labels.count("AccumulateGrad") == 2


def test_unnamed_leaves_show_their_shape_and_params_accepts_pairs():
    lin = rgrad.nn.Linear(3, 2)
    out = lin(rgrad.ones(4, 3)).sum()
    assert {"weight\n(2, 3)", "bias\n(2)"} <= {label for _, label in graph(out, params=lin.named_parameters()).nodes}
    assert {"(2, 3)", "(2)"} <= {label for _, label in graph(out).nodes}


def test_a_tensor_that_only_looks_like_a_param_is_not_named_after_it():
    # same memory, shape and strides, but another tensor: identity decides, not looks
    p = rgrad.ones(3, requires_grad=True)
    q = p.detach().requires_grad_()
    g = graph((q * 2).sum(), params={"p": p})
    assert "p\n(3)" not in [label for _, label in g.nodes]


def test_several_roots_and_a_leaf_root():
    x = rgrad.ones(2, requires_grad=True)
    g = graph([x * 2, x.sum()])
    labels = dict(g.nodes)
    assert labels["out0"] == "(2)" and labels["out1"] == "()"
    assert [label for _, label in g.nodes].count("AccumulateGrad") == 1  # shared by both
    assert graph(x).nodes == [("out0", "(2)")]


def test_saved_tensors_are_gone_after_backward():
    x = rgrad.ones(2, requires_grad=True)
    y = (x.exp() * x).sum()
    before = [label for _, label in graph(y, show_saved=True).nodes if label.startswith("saved")]
    assert before
    y.backward()
    after = [label for _, label in graph(y, show_saved=True).nodes if label.startswith("saved")]
    assert after == []
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.next_functions[0][0]._saved_tensors


def test_labels_are_escaped():
    x = rgrad.ones(1, requires_grad=True)
    g = graph(x * 2, params={'a "quoted" \\ name': x})
    assert r'label="a \"quoted\" \\ name\n(1)"' in g.source


def test_render_without_graphviz_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` there
    g = graph(rgrad.ones(1, requires_grad=True) * 2)
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        g.render(tmp_path / "g.png")
    with pytest.raises(RuntimeError, match="Graph.source"):
        g._repr_svg_()
    assert "digraph" in g.source  # the text needs nothing


def test_render_refuses_other_formats(tmp_path):
    g = graph(rgrad.ones(1, requires_grad=True) * 2)
    with pytest.raises(ValueError, match="'png' or 'svg'"):
        g.render(tmp_path / "g.pdf", format="pdf")


def test_repr():
    x = rgrad.ones(1, requires_grad=True)
    g = graph(x * 2)
    assert repr(g) == "<rgrad.autograd.Graph: 4 nodes, 3 edges>"
    assert isinstance(g, Graph)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (CI installs it)")
@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("svg", b"<svg")])
def test_render_draws_each_guide_example(tmp_path, fmt, magic):
    for name, make in gen_graphs.EXAMPLES.items():
        path = make().render(tmp_path / f"{name}.{fmt}", format=fmt)
        data = pathlib.Path(path).read_bytes()
        assert magic in data[:400], f"{name}.{fmt} is not a {fmt}"
    assert "<svg" in gen_graphs.chain_rule()._repr_svg_()


def test_node_names_are_pytorchs():
    """The names the pictures show, as PyTorch gives them (the reduction over all elements and
    over a dim are different nodes there, and pow's name says which operand is a number)."""
    x = rgrad.ones(2, 2, requires_grad=True)
    names = {
        "x.sum()": x.sum(), "x.sum(0)": x.sum(0), "x.mean()": x.mean(), "x.mean(0)": x.mean(0),
        "x ** 2": x ** 2, "x ** 3": x ** 3, "x ** x": x ** x, "2 ** x": 2 ** x, "x * x": x * x,
    }
    assert {k: v.grad_fn.name() for k, v in names.items()} == {
        "x.sum()": "SumBackward0", "x.sum(0)": "SumBackward1", "x.mean()": "MeanBackward0",
        "x.mean(0)": "MeanBackward1", "x ** 2": "PowBackward0", "x ** 3": "PowBackward0",
        "x ** x": "PowBackward1", "2 ** x": "PowBackward2", "x * x": "MulBackward0",
    }
