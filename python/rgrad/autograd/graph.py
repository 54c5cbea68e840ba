"""Pictures of the backward graph: ``rgrad.autograd.graph(y)``.

What torchviz's ``make_dot`` is for PyTorch: the graph that ``y.backward()`` walks, as Graphviz
DOT text (``.source``, needs nothing installed) or drawn by Graphviz's ``dot`` program
(``.render(path)``, and inline in notebooks). Boxes:

- the output ``y`` (green, the root), with its shape;
- one box per recorded op, named as ``y.grad_fn`` names it (``MulBackward0``, ...);
- ``AccumulateGrad`` for each leaf that requires grad, fed by a blue box with the leaf's name
  (from ``params``) and shape (the graph holds leaves weakly, as rgrad's autograd does: a leaf
  that nothing else holds any more may have no box);
- with ``show_saved=True``, the tensors each op saved for its backward (orange, dashed edges).

Arrows point the way the values flowed in the forward pass, from the leaves down to the output;
``backward()`` sends gradients up them, against the arrows.
"""

import collections
import shutil
import subprocess

__all__ = ["Graph", "GraphvizNotFound", "graph"]

_INSTALL = (
    "drawing a graph needs the Graphviz 'dot' program, which is not on PATH. Install it: "
    "'apt-get install graphviz' (Debian, Ubuntu), 'brew install graphviz' (macOS), "
    "'conda install graphviz', or see https://graphviz.org/download/. "
    "Without it, Graph.source still gives the DOT text."
)

_STYLE = {
    "op": 'fillcolor="lightgrey"',
    "leaf": 'fillcolor="lightblue"',
    "root": 'fillcolor="darkolivegreen1", penwidth=2',
    "saved": 'fillcolor="orange"',
}


class GraphvizNotFound(RuntimeError):
    """Raised by :meth:`Graph.render` when Graphviz's ``dot`` program is not installed.

    >>> issubclass(rgrad.autograd.GraphvizNotFound, RuntimeError)
    True
    """


class Graph:
    """A backward graph made by :func:`graph`: ``.source`` is its DOT text; ``.render(path)``
    draws it; notebooks show it as SVG.

    >>> import rgrad
    >>> x = rgrad.ones(2, requires_grad=True)
    >>> g = rgrad.autograd.graph((x * x).sum())
    >>> g.source.splitlines()[0]
    'digraph {'
    >>> g
    <rgrad.autograd.Graph: 5 nodes, 5 edges>
    """

    def __init__(self, source, nodes, edges):
        self.source = source
        #: ``[(id, label)]`` of every box, in the order the walk met them
        self.nodes = nodes
        #: ``[(from_id, to_id)]``: arrows (forward direction) and dashed saved-tensor links
        self.edges = edges

    def __repr__(self):
        return f"<rgrad.autograd.Graph: {len(self.nodes)} nodes, {len(self.edges)} edges>"

    def pipe(self, format="svg"):
        """The drawing as bytes, in ``format`` (``"svg"`` or ``"png"``), made by ``dot``.

        Raises :class:`GraphvizNotFound` when ``dot`` is missing.
        """
        if format not in ("png", "svg"):
            raise ValueError(f"format must be 'png' or 'svg', not {format!r}")
        dot = shutil.which("dot")
        if dot is None:
            raise GraphvizNotFound(_INSTALL)
        done = subprocess.run([dot, f"-T{format}"], input=self.source.encode(), capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"dot failed (exit {done.returncode}): {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def render(self, path, format="png"):
        """Draws the graph into the file ``path`` (``format`` ``"png"`` or ``"svg"``) with
        Graphviz's ``dot`` program; returns ``path``.

        Raises :class:`GraphvizNotFound`, saying how to install Graphviz, when ``dot`` is missing.
        """
        data = self.pipe(format)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        # Jupyter calls this to show the graph inline
        return self.pipe("svg").decode()


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(t):
    """``(2, 3)``; ``(2)`` for one dim and ``()`` for none, as torchviz writes shapes."""
    return "(" + ", ".join(str(n) for n in t.shape) + ")"


def _named(params):
    """``{data_ptr: [(name, tensor)]}``: candidates to label leaves with (checked by identity)."""
    if params is None:
        return {}
    items = params.items() if hasattr(params, "items") else params
    out = {}
    for name, p in items:
        out.setdefault(p.data_ptr(), []).append((name, p))
    return out


def graph(y, params=None, show_saved=False):
    """The backward graph of ``y`` (a tensor, or a list/tuple of them), as a :class:`Graph`.

    ``params`` names the leaves: a dict ``{name: tensor}`` such as
    ``dict(model.named_parameters())`` (or any ``(name, tensor)`` pairs). ``show_saved=True``
    adds the tensors each op saved for its backward; they are there until a ``backward()``
    without ``retain_graph=True`` frees them.

    >>> import rgrad
    >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> g = rgrad.autograd.graph(y, params={"x": x})
    >>> print(g.source)  # doctest: +NORMALIZE_WHITESPACE
    digraph {
        graph [rankdir=TB]
        node [shape=box, style=filled, fontname="Helvetica", fontsize=11, height=0.2]
        out0 [label="()", fillcolor="darkolivegreen1", penwidth=2]
        node0 [label="SumBackward0", fillcolor="lightgrey"]
        node0 -> out0
        node1 [label="MulBackward0", fillcolor="lightgrey"]
        node1 -> node0
        node2 [label="AccumulateGrad", fillcolor="lightgrey"]
        node2 -> node1
        node2 -> node1
        leaf0 [label="x\\n(2)", fillcolor="lightblue"]
        leaf0 -> node2
    }
    """
    roots = list(y) if isinstance(y, (list, tuple)) else [y]
    named = _named(params)
    lines = [
        "digraph {",
        "    graph [rankdir=TB]",
        '    node [shape=box, style=filled, fontname="Helvetica", fontsize=11, height=0.2]',
    ]
    nodes, edges = [], []

    def box(ident, label, kind):
        nodes.append((ident, label))
        lines.append(f"    {ident} [label={_quote(label)}, {_STYLE[kind]}]")

    def arrow(a, b, dashed=False):
        edges.append((a, b))
        lines.append(f"    {a} -> {b}" + (" [style=dashed, dir=none]" if dashed else ""))

    ids = {}  # Node -> its box id
    leaves = []  # (AccumulateGrad node, [its name]): to name saved tensors that are leaves
    ops = []  # the op nodes, in walk order
    todo = collections.deque()
    counter = {"node": 0, "leaf": 0, "saved": 0}

    def new_id(kind):
        n = counter[kind]
        counter[kind] += 1
        return f"{kind}{n}"

    def visit(fn):
        """The box id of ``fn``, drawing it (and queueing its inputs) the first time."""
        if fn in ids:
            return ids[fn]
        ident = ids[fn] = new_id("node")
        box(ident, fn.name(), "op")
        todo.append(fn)
        return ident

    for k, r in enumerate(roots):
        out = f"out{k}"
        box(out, _shape(r), "root")
        if r.grad_fn is not None:
            arrow(visit(r.grad_fn), out)

    while todo:
        fn = todo.popleft()  # breadth first: ids grow from the output up
        for nxt, _ in fn.next_functions:
            if nxt is not None:
                arrow(visit(nxt), ids[fn])
        if fn.name() == "AccumulateGrad":
            leaf = fn.variable
            if leaf is not None:
                names = [n for n, p in named.get(leaf.data_ptr(), []) if fn._is_variable(p)]
                ident = new_id("leaf")
                box(ident, "\n".join([*names[:1], _shape(leaf)]), "leaf")
                arrow(ident, ids[fn])
                leaves.append((fn, names[:1]))
        else:
            ops.append(fn)
    if show_saved:  # after the walk, so that every leaf is known by then
        for fn in ops:
            try:
                saved = fn._saved_tensors
            except RuntimeError:
                saved = ()  # freed by a backward without retain_graph
            for s in saved:
                names = [n for acc, ns in leaves if acc._is_variable(s) for n in ns]
                if not names:  # a named tensor that needs no grad (so has no leaf box)
                    names = [n for n, p in named.get(s.data_ptr(), []) if _same_view(p, s)]
                ident = new_id("saved")
                box(ident, "\n".join(["saved " + names[0] if names else "saved", _shape(s)]), "saved")
                arrow(ident, ids[fn], dashed=True)
    lines.append("}")
    return Graph("\n".join(lines) + "\n", nodes, edges)


def _same_view(p, s):
    """Whether saved tensor ``s`` looks at exactly ``p``'s elements (same memory, shape, strides
    and dtype; ``data_ptr`` was compared by the caller). Saved tensors come back as new handles,
    so this, not identity, is what can be asked of a tensor that is not a leaf of the graph."""
    return s.shape == p.shape and s.stride() == p.stride() and s.dtype == p.dtype
