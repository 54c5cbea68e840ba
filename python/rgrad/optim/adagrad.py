"""``Adagrad`` (PyTorch's algorithm: learning-rate decay, initial accumulator value)."""

import rgrad
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, *, maximize=False)``.

    ``sum += g**2``; ``p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)``. The state
    is made when the optimizer is (as PyTorch), so ``state_dict()`` has it before any step.

    >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = rgrad.optim.Adagrad([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()  # the first step: lr * g / |g|
    >>> w
    tensor([0.9000, 1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = rgrad.tensor(0.0, device="cpu")  # a host counter, as PyTorch keeps it
                state["sum"] = rgrad.full_like(p, group["initial_accumulator_value"])

    def _step_group(self, group, params, grads, states):
        rgrad._rgrad._adagrad_step(params, grads, [s["sum"] for s in states], [s["step"] for s in states], group["lr"],
                                   group["lr_decay"], group["eps"], group["weight_decay"], group["maximize"])
