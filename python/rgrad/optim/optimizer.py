"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``step`` and state
dicts (as ``torch.optim.Optimizer``).

Subclasses implement ``_step_group(group, params, grads, states)``: one call per group that
updates every parameter of the group that has a gradient (the concrete optimizers hand the
whole group to one Rust call, a multi-tensor step).
"""

import copy
import itertools
import warnings
from collections import OrderedDict, defaultdict

import rgrad
from .._rgrad import Tensor
from ..autograd import enable_grad


class _RequiredParameter:
    """Marks a hyper-parameter without a default (none in the built-in optimizers)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _type_name(x):
    if isinstance(x, Tensor):
        return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor"}.get(str(x.dtype).split(".")[-1], "Tensor")
    return type(x).__name__


class Optimizer:
    """Holds parameter groups and their state; ``step()`` updates the parameters from their
    ``.grad``.

    >>> model = rgrad.nn.Linear(2, 1)
    >>> opt = rgrad.optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.5}], lr=0.1)
    >>> [group["lr"] for group in opt.param_groups]
    [0.1, 0.5]
    >>> loss = model(rgrad.ones(4, 2)).sum()
    >>> loss.backward()
    >>> opt.step()
    >>> opt.zero_grad()
    >>> sorted(opt.state_dict())
    ['param_groups', 'state']
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                            + _type_name(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, (set, frozenset)):
            warnings.warn("optimizer parameters need to be organized in ordered collections, but the ordering of tensors "
                          "in sets will change between runs. Please use a list instead. This will be an error in a future "
                          "release.", FutureWarning, stacklevel=3)
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += "\n"
            out += f"Parameter Group {i}\n"
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    out += f"    {key}: {group[key]}\n"
        out += ")"
        return out

    def add_param_group(self, param_group):
        """Adds a group (a dict with ``params`` and any options overriding the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        extracted, names = [], []
        for p in param_group["params"]:
            if isinstance(p, tuple) and len(p) == 2:  # named parameters
                names.append(p[0])
                p = p[1]
            extracted.append(p)
        if names:
            if len(names) != len(extracted):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = extracted
        for p in extracted:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _type_name(p))
            if not p.is_leaf and not self.defaults.get("differentiable", False):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
        if any(id(p) in seen for p in extracted):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Clears the gradients of all parameters (to None, or zeros with ``set_to_none=False``)."""
        from ..nn.modules.module import _clear_grads
        _clear_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before each ``step``; returns a handle."""
        from ..nn.modules.module import RemovableHandle

        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after each ``step``; returns a handle."""
        from ..nn.modules.module import RemovableHandle

        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def step(self, closure=None):
        """Updates every parameter that has a gradient; ``closure`` (re-evaluating the model
        and returning the loss) is called first, with gradients enabled, and its loss returned."""
        for hook in list(self._optimizer_step_pre_hooks.values()):
            result = hook(self, (), {})
            if result is not None:
                raise RuntimeError(f"{hook} must return None or a tuple of (new_args, new_kwargs), but got {result}.")
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        prev = rgrad.is_grad_enabled()
        rgrad._set_grad_enabled(False)
        try:
            for group in self.param_groups:
                params, grads, states = [], [], []
                for p in group["params"]:
                    if p.grad is not None:
                        params.append(p)
                        grads.append(p.grad)
                        states.append(self.state[p])
                if params:
                    self._step_group(group, params, grads, states)
        finally:
            rgrad._set_grad_enabled(prev)
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, (), {})
        return loss

    def _step_group(self, group, params, grads, states):
        raise NotImplementedError

    # ---------- state dicts ----------

    def state_dict(self):
        """``{'state': {index: {name: value}}, 'param_groups': [{options..., 'params': [indices]}]}``,
        parameters numbered in order across the groups (as PyTorch)."""
        index_of = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index_of.setdefault(id(p), i)
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack_group(g) for g in self.param_groups]
        params = {id(p): p for g in self.param_groups for p in g["params"]}
        state = {index_of[id(p)]: v for p, v in ((params.get(id(k)), v) for k, v in self.state.items()) if p is not None}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Loads a ``state_dict()``: groups must match in number and sizes; state tensors are
        cast to their parameter's dtype (``step`` counts kept as they are)."""
        state_dict = dict(state_dict)
        groups = self.param_groups
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            key = int(k) if isinstance(k, str) else k
            if key in id_map:
                param = id_map[key]
                state[param] = {name: _cast_state(param, name, value) for name, value in v.items()}
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups


def _cast_state(param, name, value):
    if not isinstance(value, Tensor):
        return value
    if name == "step":
        return value.clone()
    if value.is_floating_point():
        return value.to(param.dtype).clone()
    return value.clone()
