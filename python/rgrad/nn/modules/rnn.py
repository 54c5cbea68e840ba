"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (``num_layers``, ``batch_first``,
``bidirectional``, ``dropout`` between layers; LSTM's ``proj_size``).

The input-to-hidden products of all time steps run as one matrix product per layer and
direction; only the hidden-to-hidden product and the gates run per step.
"""

import math

import rgrad
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import _factory
from .module import Module

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The parameters and the layer/direction loop shared by RNN, LSTM and GRU.

    Each layer and direction has ``weight_ih_l{k}``, ``weight_hh_l{k}`` (and ``bias_ih_l{k}``,
    ``bias_hh_l{k}``; ``_reverse`` for the backward direction), the gates stacked in dim 0.

    >>> gru = rgrad.nn.GRU(input_size=4, hidden_size=8, num_layers=2)
    >>> isinstance(gru, rgrad.nn.RNNBase)
    True
    >>> [name for name, _ in gru.named_parameters()][:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    >>> gru.weight_ih_l0.shape, gru.weight_ih_l1.shape  # 3 gates of 8
    (rgrad.Size([24, 4]), rgrad.Size([24, 8]))
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, (int, float)) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed")
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be an integer greater than zero" if isinstance(hidden_size, int)
                             else f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be an integer greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        num_dirs = 2 if bidirectional else 1
        gate = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        kw = _factory(device, dtype)
        self._flat_weights_names = []
        for layer in range(num_layers):
            for d in range(num_dirs):
                layer_in = input_size if layer == 0 else real_hidden * num_dirs
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                names = ["weight_ih" + suffix, "weight_hh" + suffix]
                shapes = [(gate, layer_in), (gate, real_hidden)]
                if bias:
                    names += ["bias_ih" + suffix, "bias_hh" + suffix]
                    shapes += [(gate,), (gate,)]
                if proj_size > 0:
                    names.append("weight_hr" + suffix)
                    shapes.append((proj_size, hidden_size))
                for n, s in zip(names, shapes):
                    setattr(self, n, Parameter(rgrad.empty(s, **kw)))
                self._flat_weights_names += names
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in self._flat_weights_names if n.endswith(f"_l{layer}" + suffix)]
                for layer in range(self.num_layers) for suffix in (("", "_reverse") if self.bidirectional else ("",))]

    def _cell(self, x_proj, h, c, w_hh, b_hh, w_hr):
        """One step: (h, c) from the step's precomputed input projection."""
        raise NotImplementedError

    def _run_direction(self, x, h, c, suffix, reverse):
        """Runs one layer in one direction over (L, N, in) ``x``; returns ((L, N, H), h, c)."""
        w_ih = getattr(self, "weight_ih" + suffix)
        w_hh = getattr(self, "weight_hh" + suffix)
        b_ih = getattr(self, "bias_ih" + suffix) if self.bias else None
        b_hh = getattr(self, "bias_hh" + suffix) if self.bias else None
        w_hr = getattr(self, "weight_hr" + suffix) if self.proj_size > 0 else None
        proj = F.linear(x, w_ih, b_ih)  # all time steps at once
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outs = [None] * x.shape[0]
        for t in steps:
            h, c = self._cell(proj[t], h, c, w_hh, b_hh, w_hr)
            outs[t] = h
        return rgrad.stack(outs), h, c

    def _check_input(self, input, hx):
        expected = 3
        if input.dim() not in (2, 3):
            raise ValueError(f"{self.mode.split('_')[0]}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}")
        if input.dtype != getattr(self, self._flat_weights_names[0]).dtype:
            raise RuntimeError(f"input must have the type {getattr(self, self._flat_weights_names[0]).dtype}, got type {input.dtype}")
        return expected

    def forward(self, input, hx=None):
        self._check_input(input, hx)
        unbatched = input.dim() == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first else input)
        n = x.shape[1]
        num_dirs = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        is_lstm = self.mode == "LSTM"
        if hx is None:
            h0 = rgrad.zeros(self.num_layers * num_dirs, n, real_hidden, dtype=x.dtype)
            c0 = rgrad.zeros(self.num_layers * num_dirs, n, self.hidden_size, dtype=x.dtype) if is_lstm else None
        else:
            h0, c0 = hx if is_lstm else (hx, None)
            if unbatched:
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            self._check_hidden(h0, (self.num_layers * num_dirs, n, real_hidden), "hidden[0]" if is_lstm else "hidden")
            if is_lstm:
                self._check_hidden(c0, (self.num_layers * num_dirs, n, self.hidden_size), "hidden[1]")
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_dirs):
                k = layer * num_dirs + d
                suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
                out, h, c = self._run_direction(x, h0[k], c0[k] if is_lstm else None, suffix, d == 1)
                outs.append(out)
                hs.append(h)
                cs.append(c)
            x = outs[0] if num_dirs == 1 else rgrad.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        h_n = rgrad.stack(hs)
        c_n = rgrad.stack(cs) if is_lstm else None
        if unbatched:
            x, h_n = x.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:
            x = x.transpose(0, 1)
        return (x, (h_n, c_n)) if is_lstm else (x, h_n)

    def _check_hidden(self, h, expected, what):
        if tuple(h.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(h.shape)}")

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (``nonlinearity='relu'`` too).

    >>> rnn = rgrad.nn.RNN(input_size=4, hidden_size=8, num_layers=2, batch_first=True)
    >>> output, h_n = rnn(rgrad.zeros(3, 5, 4))  # batch 3, 5 steps
    >>> output.shape, h_n.shape
    (rgrad.Size([3, 5, 8]), rgrad.Size([2, 3, 8]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)

    def _cell(self, x_proj, h, c, w_hh, b_hh, w_hr):
        pre = x_proj + F.linear(h, w_hh, b_hh)
        return (pre.tanh() if self.mode == "RNN_TANH" else pre.relu()), None

    def extra_repr(self):
        s = super().extra_repr()
        return s + (", nonlinearity='relu'" if self.nonlinearity != "tanh" else "")


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; ``c' = f c + i g``, ``h' = o tanh(c')``
    (projected by ``weight_hr`` when ``proj_size > 0``).

    >>> lstm = rgrad.nn.LSTM(input_size=4, hidden_size=8)
    >>> output, (h_n, c_n) = lstm(rgrad.zeros(5, 3, 4))  # 5 steps, batch 3
    >>> output.shape, h_n.shape, c_n.shape
    (rgrad.Size([5, 3, 8]), rgrad.Size([1, 3, 8]), rgrad.Size([1, 3, 8]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    def _cell(self, x_proj, h, c, w_hh, b_hh, w_hr):
        gates = x_proj + F.linear(h, w_hh, b_hh)
        i, f, g, o = gates.chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        if w_hr is not None:
            h = F.linear(h, w_hr)
        return h, c


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n; ``h' = (1 - z) n + z h``.

    >>> gru = rgrad.nn.GRU(input_size=4, hidden_size=8, bidirectional=True)
    >>> output, h_n = gru(rgrad.zeros(5, 3, 4))
    >>> output.shape, h_n.shape
    (rgrad.Size([5, 3, 16]), rgrad.Size([2, 3, 8]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)

    def _cell(self, x_proj, h, c, w_hh, b_hh, w_hr):
        xr, xz, xn = x_proj.chunk(3, -1)
        hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, -1)
        r = (xr + hr).sigmoid()
        z = (xz + hz).sigmoid()
        n = (xn + r * hn).tanh()
        return (1 - z) * n + z * h, None
