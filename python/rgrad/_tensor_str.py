"""Tensor printing, following PyTorch's rules (precision 4, int mode, sci mode,
summarised with ``...`` above 1000 elements, dtype / grad suffixes)."""

import math

from . import _rgrad


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set options for printing, as ``torch.set_printoptions``.

    >>> rgrad.set_printoptions(precision=2)
    >>> rgrad.tensor([1.23456])
    tensor([1.23])
    >>> rgrad.set_printoptions(profile='default')
    >>> rgrad.tensor([1.23456])
    tensor([1.2346])
    """
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, 1000, 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 1000, 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, math.inf, 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


class _Skip:
    """Marks the elided middle of a summarised dimension."""


_SKIP = _Skip()


def _summarized(t, summarize):
    """Nested Python lists of the values to print, with _SKIP where elided."""
    e = PRINT_OPTS.edgeitems
    if t.dim() == 0:
        return t.item()
    n = t.shape[0]
    if t.dim() == 1:
        if summarize and n > 2 * e:
            return t.narrow(0, 0, e).tolist() + [_SKIP] + t.narrow(0, n - e, e).tolist()
        return t.tolist()
    if summarize and n > 2 * e:
        idx = list(range(e)) + [None] + list(range(n - e, n))
    else:
        idx = range(n)
    return [_SKIP if i is None else _summarized(t.select(0, i), summarize) for i in idx]


def _flat(values, out):
    if isinstance(values, list):
        for v in values:
            _flat(v, out)
    elif values is not _SKIP:
        out.append(values)
    return out


class _Formatter:
    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        p = PRINT_OPTS.precision
        if not floating:
            for v in values:
                self.max_width = max(self.max_width, len(str(v)))
            return
        nz = [v for v in values if math.isfinite(v) and v != 0]
        if nz:
            lo, hi = min(abs(v) for v in nz), max(abs(v) for v in nz)
            self.int_mode = all(v == math.ceil(v) for v in nz)
            if self.int_mode:
                if hi / lo > 1000.0 or hi > 1.0e8:
                    self.sci_mode = True
                    widths = [len(f"{v:.{p}e}") for v in nz]
                else:
                    widths = [len(f"{v:.0f}") + 1 for v in nz]
            elif hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4:
                self.sci_mode = True
                widths = [len(f"{v:.{p}e}") for v in nz]
            else:
                widths = [len(f"{v:.{p}f}") for v in nz]
            self.max_width = max([self.max_width] + widths)
        for v in values:
            if not math.isfinite(v):
                self.max_width = max(self.max_width, len(str(v)) if not math.isnan(v) else 3)
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def width(self):
        return self.max_width

    def format(self, v):
        p = PRINT_OPTS.precision
        if self.floating:
            if math.isnan(v):
                ret = "nan"
            elif math.isinf(v):
                ret = "inf" if v > 0 else "-inf"
            elif self.sci_mode:
                ret = f"{v:.{p}e}"
            elif self.int_mode:
                ret = f"{v:.0f}."
            else:
                ret = f"{v:.{p}f}"
        else:
            ret = str(v)
        return " " * (self.max_width - len(ret)) + ret


def _vector_str(values, indent, fmt):
    element_length = fmt.width() + 2
    per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / element_length)))
    data = [" ..." if v is _SKIP else fmt.format(v) for v in values]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(values, dim, indent, fmt):
    if dim == 0:
        return fmt.format(values)
    if dim == 1:
        return _vector_str(values, indent, fmt)
    slices = ["..." if v is _SKIP else _nested_str(v, dim - 1, indent + 1, fmt) for v in values]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(tensor_str, suffixes, indent):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix="tensor("):
    indent = len(prefix)
    suffixes = []
    dt = t.dtype
    default_ok = dt in (_rgrad.get_default_dtype(), _rgrad.int64, _rgrad.bool)
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    # one readback for a GPU tensor, then the printing reads host memory
    data = t.detach().cpu()
    if t.numel() == 0:
        if t.dim() != 1:
            suffixes.append("size=" + str(tuple(t.shape)))
        if dt != _rgrad.get_default_dtype():
            suffixes.append("dtype=" + repr(dt))
        body = "[]"
    else:
        summarize = t.numel() > PRINT_OPTS.threshold
        values = _summarized(data, summarize)
        fmt = _Formatter(_flat(values, []) if isinstance(values, list) else [values], dt.is_floating_point)
        body = _nested_str(values, t.dim(), indent, fmt)
        if not default_ok:
            suffixes.append("dtype=" + repr(dt))
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
