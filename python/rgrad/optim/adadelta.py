"""``Adadelta`` (PyTorch's algorithm)."""

import rgrad
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False)``.

    ``s = rho s + (1 - rho) g**2``; ``d = sqrt(a + eps) / sqrt(s + eps) * g``;
    ``a = rho a + (1 - rho) d**2``; ``p -= lr * d``.

    >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = rgrad.optim.Adadelta([w])
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.9968, 1.9968], requires_grad=True)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group, params, grads, states):
        for p, state in zip(params, states):
            if not state:
                state["step"] = rgrad.tensor(0.0, device="cpu")  # a host counter, as PyTorch keeps it
                state["square_avg"] = rgrad.zeros_like(p)
                state["acc_delta"] = rgrad.zeros_like(p)
        rgrad._rgrad._adadelta_step(params, grads, [s["square_avg"] for s in states], [s["acc_delta"] for s in states],
                                    [s["step"] for s in states], group["lr"], group["rho"], group["eps"],
                                    group["weight_decay"], group["maximize"])
