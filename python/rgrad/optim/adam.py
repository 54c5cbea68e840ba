"""``Adam`` and ``AdamW`` (PyTorch's algorithm: bias-corrected moments, optional AMSGrad,
L2 or decoupled weight decay, ``maximize``)."""

import math

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
    (AdamW) scales p by ``1 - lr * wd`` first."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False):
        _check(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _init_state(self, p, state, amsgrad):
        state["step"] = rgrad.tensor(0.0)
        state["exp_avg"] = rgrad.zeros_like(p)
        state["exp_avg_sq"] = rgrad.zeros_like(p)
        if amsgrad:
            state["max_exp_avg_sq"] = rgrad.zeros_like(p)

    def _step_group(self, group, params, grads, states):
        b1, b2 = group["betas"]
        lr, eps, wd, amsgrad = group["lr"], group["eps"], group["weight_decay"], group["amsgrad"]
        decoupled = group.get("decoupled_weight_decay", False)
        for p, g, state in zip(params, grads, states):
            if not state:
                self._init_state(p, state, amsgrad)
            if group["maximize"]:
                g = -g
            state["step"] += 1
            t = state["step"].item()
            if wd:
                if decoupled:
                    p.mul_(1 - lr * wd)
                else:
                    g = g + wd * p
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            bc1 = 1 - b1 ** t
            bc2_sqrt = math.sqrt(1 - b2 ** t)
            if amsgrad:
                mx = state["max_exp_avg_sq"]
                mx.copy_(rgrad.maximum(mx, v))
                denom = mx.sqrt() / bc2_sqrt + eps
            else:
                denom = v.sqrt() / bc2_sqrt + eps
            p.addcdiv_(m, denom, value=-lr / bc1)


class AdamW(Adam):
    """``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False)``: Adam with decoupled weight decay (``p *= 1 - lr * weight_decay``
    before the Adam update)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused, decoupled_weight_decay=True)
