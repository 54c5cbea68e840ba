"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov, weight decay
and ``maximize`` (PyTorch's algorithm and defaults)."""

from .optimizer import Optimizer


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False)``.

    Per parameter: ``g = grad (+ weight_decay * p)``; with momentum ``buf = momentum * buf +
    (1 - dampening) * g`` (the first step: ``buf = g``) and ``g = buf`` (Nesterov: ``g +
    momentum * buf``); then ``p -= lr * g``."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _step_group(self, group, params, grads, states):
        momentum = group["momentum"]
        for p, g, state in zip(params, grads, states):
            if group["maximize"]:
                g = -g
            if group["weight_decay"]:
                g = g + group["weight_decay"] * p
            if momentum:
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.clone()
                else:
                    buf.mul_(momentum).add_(g, alpha=1 - group["dampening"])
                g = g + momentum * buf if group["nesterov"] else buf
            p.add_(g, alpha=-group["lr"])
