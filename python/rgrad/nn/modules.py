"""Modules: containers of parameters with a ``forward`` (as ``torch.nn.Module``)."""

import math
from collections import OrderedDict

from .. import _rgrad
from . import functional as F
from . import init
from .parameter import Parameter


class Module:
    """Base class of layers and models: registers Parameters and sub-modules set
    as attributes; ``module(x)`` calls ``forward(x)``."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign attributes before Module.__init__() call")
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif value is None and name in self._parameters:
            self._parameters[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        if name in d.get("_parameters", {}):
            return d["_parameters"][name]
        if name in d.get("_modules", {}):
            return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def register_parameter(self, name, param):
        """Adds a parameter (or None) under ``name``."""
        self._parameters[name] = param

    def add_module(self, name, module):
        """Adds a child module under ``name``."""
        self._modules[name] = module

    def named_parameters(self, prefix="", recurse=True):
        """Yields ``(name, parameter)`` pairs, children's with dotted names."""
        seen = set()
        for name, p in self._parameters.items():
            if p is not None and id(p) not in seen:
                seen.add(id(p))
                yield prefix + name, p
        if recurse:
            for mname, m in self._modules.items():
                for name, p in m.named_parameters(prefix + mname + ".", True):
                    if id(p) not in seen:
                        seen.add(id(p))
                        yield name, p

    def parameters(self, recurse=True):
        """Yields the parameters (what an optimizer needs)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def children(self):
        """Yields the direct sub-modules."""
        yield from self._modules.values()

    def modules(self):
        """Yields this module and all its descendants."""
        yield self
        for m in self._modules.values():
            yield from m.modules()

    def zero_grad(self, set_to_none=True):
        """Clears the gradients of all parameters."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def train(self, mode=True):
        """Sets training mode (recursively); returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        """Sets evaluation mode; returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Sets ``requires_grad`` on every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def state_dict(self):
        """Parameters by dotted name (detached views)."""
        return OrderedDict((n, p.detach()) for n, p in self.named_parameters())

    def load_state_dict(self, state):
        """Copies values from ``state`` into the parameters (names and shapes must match)."""
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in loading state_dict: missing keys {missing}, unexpected keys {unexpected}")
        prev = _rgrad.is_grad_enabled()
        _rgrad._set_grad_enabled(False)
        try:
            for n, p in own.items():
                if tuple(state[n].shape) != tuple(p.shape):
                    raise RuntimeError(f"size mismatch for {n}: copying a param with shape {tuple(state[n].shape)}, the shape in current model is {tuple(p.shape)}")
                p.copy_(state[n])
        finally:
            _rgrad._set_grad_enabled(prev)

    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


class Linear(Module):
    """``y = x @ W.T + b`` with W of shape (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(_rgrad.empty(out_features, in_features, dtype=dtype))
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            self.bias = Parameter(_rgrad.empty(out_features, dtype=dtype))
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Applies its modules in order."""

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    """1 / (1 + exp(-x))."""

    def forward(self, x):
        return x.sigmoid()


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x):
        return x.tanh()


class Identity(Module):
    """Returns its input."""

    def forward(self, x):
        return x


class Flatten(Module):
    """Flattens dims start_dim..end_dim (default: all but the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


class MSELoss(Module):
    """Mean squared error."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        if tuple(input.shape) != tuple(target.shape):
            input, target = _rgrad.broadcast_tensors(input, target)
        return _reduce((input - target) ** 2, self.reduction)


class L1Loss(Module):
    """Mean absolute error."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        return _reduce((input - target).abs(), self.reduction)


class CrossEntropyLoss(Module):
    """Cross entropy of logits (N, C) against class indices (N,) or class probabilities (N, C)."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, input, target):
        logp = input.log_softmax(dim=-1)
        if target.dtype.is_floating_point:
            loss = -(logp * target).sum(-1)
        else:
            if target.dim() != input.dim() - 1:
                raise RuntimeError(f"Expected target of shape {tuple(input.shape[:-1])}, got {tuple(target.shape)}")
            loss = -logp.gather(-1, target.unsqueeze(-1)).squeeze(-1)
        return _reduce(loss, self.reduction)
