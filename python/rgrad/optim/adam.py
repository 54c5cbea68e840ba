"""``Adam`` and ``AdamW`` (PyTorch's algorithm: bias-corrected moments, optional AMSGrad,
L2 or decoupled weight decay, ``maximize``)."""


import rgrad
from .optimizer import Optimizer


def _check(lr, eps, betas, weight_decay):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False)``.

    Per parameter, at step t: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g**2``,
    ``p -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)`` (AMSGrad: the running
    maximum of v). Weight decay adds ``wd * p`` to g, or with ``decoupled_weight_decay``
    (AdamW) scales p by ``1 - lr * wd`` first.

    >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = rgrad.optim.Adam([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()  # Adam's first step moves each element by about lr
    >>> w
    tensor([0.9000, 1.9000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False):
        _check(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, state, amsgrad):
        state["step"] = rgrad.tensor(0.0, device="cpu")  # a host counter, as PyTorch keeps it
        state["exp_avg"] = rgrad.zeros_like(p)
        state["exp_avg_sq"] = rgrad.zeros_like(p)
        if amsgrad:
            state["max_exp_avg_sq"] = rgrad.zeros_like(p)

    def _step_group(self, group, params, grads, states):
        b1, b2 = group["betas"]
        amsgrad = group["amsgrad"]
        for p, state in zip(params, states):
            if not state:
                self._init_state(p, state, amsgrad)
        # one Rust call for the whole group (a multi-tensor step); it advances the step counts
        rgrad._rgrad._adam_step(
            params, grads, [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states],
            [s["max_exp_avg_sq"] for s in states] if amsgrad else None, [s["step"] for s in states],
            group["lr"], b1, b2, group["eps"], group["weight_decay"], group.get("decoupled_weight_decay", False),
            group["maximize"])



class AdamW(Adam):
    """``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False)``: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay``
    before the Adam update).

    >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = rgrad.optim.AdamW([w], lr=0.1, weight_decay=0.01)
    >>> (w ** 2).sum().backward()
    >>> opt.step()  # w * (1 - 0.1 * 0.01), then about lr
    >>> w
    tensor([0.8990, 1.8980], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused, decoupled_weight_decay=True)
