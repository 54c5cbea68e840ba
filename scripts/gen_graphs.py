"""Regenerates the computation-graph pictures that docs/autograd.md shows (docs/images/*.svg).

    python scripts/gen_graphs.py

Each example builds the same tensors as the guide and draws them with
``rgrad.autograd.graph``; the drawing needs Graphviz's ``dot`` program
(``apt-get install graphviz``). ``tests/test_graph.py`` checks each example's nodes and
edges, and that the checked-in pictures show the same boxes.
"""

import pathlib

import rgrad

IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def _chain_rule():
    x = rgrad.tensor([1.0, 2.0, 3.0])
    w = rgrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = rgrad.tensor(3.0)
    z = (rgrad.dot(x, w) - y) ** 2
    return z, {"x": x, "w": w}


def chain_rule():
    """z = (<x, w> - y)^2 with only w requiring grad."""
    z, params = _chain_rule()
    return rgrad.autograd.graph(z, params=params)


def chain_rule_saved():
    """The same, with the tensors each node saved for backward."""
    z, params = _chain_rule()
    return rgrad.autograd.graph(z, params=params, show_saved=True)


def detach_without():
    """z = y * x with y = x * x: x reaches z along two paths."""
    x = rgrad.tensor([2.0], requires_grad=True)
    y = x * x
    return rgrad.autograd.graph(y * x, params={"x": x}, show_saved=True)


def detach_with():
    """z = u * x with u = (x * x).detach(): u is a constant the multiplication saved."""
    x = rgrad.tensor([2.0], requires_grad=True)
    u = (x * x).detach()
    return rgrad.autograd.graph(u * x, params={"x": x}, show_saved=True)


def linear_mse():
    """An nn.Linear layer and MSELoss, parameters named by named_parameters()."""
    rgrad.manual_seed(0)
    xs = rgrad.rand(100, 1)
    model = rgrad.nn.Linear(1, 1)
    loss = rgrad.nn.MSELoss()(model(xs), 3 * xs + 2)
    return rgrad.autograd.graph(loss, params=dict(model.named_parameters()))


EXAMPLES = {
    "chain-rule": chain_rule,
    "chain-rule-saved": chain_rule_saved,
    "detach-without": detach_without,
    "detach-with": detach_with,
    "linear-mse": linear_mse,
}


def main():
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name, make in EXAMPLES.items():
        path = make().render(IMAGES / f"{name}.svg", format="svg")
        print("wrote", path)


if __name__ == "__main__":
    main()
