"""``rgrad.optim``: optimizers (as ``torch.optim``)."""

from .. import _rgrad


class Optimizer:
    """Holds parameters; ``step()`` updates them from their ``.grad``."""

    def __init__(self, params, defaults):
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        if isinstance(params[0], dict):
            self.param_groups = [{**defaults, **g, "params": list(g["params"])} for g in params]
        else:
            self.param_groups = [{**defaults, "params": params}]
        self.state = {}

    def zero_grad(self, set_to_none=True):
        """Clears the gradients of all parameters."""
        for g in self.param_groups:
            for p in g["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    def step(self):
        prev = _rgrad.is_grad_enabled()
        _rgrad._set_grad_enabled(False)
        try:
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad, g, self.state.setdefault(id(p), {}))
        finally:
            _rgrad._set_grad_enabled(prev)

    def _update(self, p, grad, group, state):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, p, grad, group, state):
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        if group["momentum"]:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.clone()
            else:
                buf.mul_(group["momentum"]).add_(grad, alpha=1 - group["dampening"])
            grad = grad + group["momentum"] * buf if group["nesterov"] else buf
        p.add_(grad, alpha=-group["lr"])


class Adam(Optimizer):
    """Adam (Kingma & Ba), with optional L2 weight decay."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, p, grad, group, state):
        b1, b2 = group["betas"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p
        if not state:
            state["step"] = 0
            state["m"] = _rgrad.zeros_like(p)
            state["v"] = _rgrad.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        state["m"].mul_(b1).add_(grad, alpha=1 - b1)
        state["v"].mul_(b2).add_(grad * grad, alpha=1 - b2)
        m_hat = state["m"] / (1 - b1**t)
        v_hat = state["v"] / (1 - b2**t)
        p.sub_(m_hat / (v_hat.sqrt() + group["eps"]), alpha=group["lr"])
