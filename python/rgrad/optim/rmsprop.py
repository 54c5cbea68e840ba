"""``RMSprop`` (PyTorch's algorithm: optional centering and momentum)."""

import rgrad
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, *, maximize=False)``.

    ``s = alpha s + (1 - alpha) g**2``; ``avg = sqrt(s) + eps`` (centered: ``sqrt(s - a**2) +
    eps`` with ``a`` the running mean of g); ``p -= lr * g / avg`` (momentum: through a
    buffer ``buf = momentum * buf + g / avg``).

    >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = rgrad.optim.RMSprop([w], lr=0.01)
    >>> (w ** 2).sum().backward()
    >>> opt.step()  # the first step: lr * g / sqrt((1 - alpha) * g**2) = 0.1 * sign(g)
    >>> w
    tensor([0.9000, 1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group, params, grads, states):
        momentum, centered = group["momentum"], group["centered"]
        for p, state in zip(params, states):
            if not state:
                state["step"] = rgrad.tensor(0.0, device="cpu")  # a host counter, as PyTorch keeps it
                state["square_avg"] = rgrad.zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = rgrad.zeros_like(p)
                if centered:
                    state["grad_avg"] = rgrad.zeros_like(p)
        rgrad._rgrad._rmsprop_step(
            params, grads, [s["square_avg"] for s in states], [s["grad_avg"] for s in states] if centered else None,
            [s["momentum_buffer"] for s in states] if momentum > 0 else None, [s["step"] for s in states],
            group["lr"], group["alpha"], group["eps"], group["weight_decay"], momentum, centered, group["maximize"])
