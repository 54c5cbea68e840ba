"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov, weight decay
and ``maximize`` (PyTorch's algorithm and defaults)."""

import rgrad
from .optimizer import Optimizer


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False)``.

    Per parameter: ``g = grad (+ weight_decay * p)``; with momentum ``buf = momentum * buf +
    (1 - dampening) * g`` (the first step: ``buf = g``) and ``g = buf`` (Nesterov: ``g +
    momentum * buf``); then ``p -= lr * g``.

    >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = rgrad.optim.SGD([w], lr=0.1)
    >>> (w ** 2).sum().backward()  # grad 2 * w
    >>> opt.step()
    >>> w
    tensor([0.8000, 1.6000], requires_grad=True)
    >>> opt.zero_grad()
    >>> w.grad is None
    True
    """

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
        # one Rust call for the whole group (a multi-tensor step); it makes the momentum
        # buffers on the first step
        bufs = [s.get("momentum_buffer") for s in states]
        new = rgrad._rgrad._sgd_step(params, grads, bufs, group["lr"], group["momentum"], group["dampening"],
                                     group["weight_decay"], group["nesterov"], group["maximize"])
        if group["momentum"]:
            for s, b in zip(states, new):
                s["momentum_buffer"] = b
