//! Optimizer updates, one parameter at a time over contiguous f32/f64 memory: the loops of
//! `rgrad.optim`'s multi-tensor steps (the backend calls these for every parameter of a
//! group in one go). Each follows PyTorch's single-tensor algorithm, operation for
//! operation, in the parameter's own precision.

use crate::cpu::nn::{NnFloat, Ptr};
use crate::cpu::par::for_each_task;

/// Elements per task of a large parameter.
const GRAIN: usize = 1 << 15;

/// Runs `f(start, end)` over `0..n` in chunks (in parallel for large `n`).
fn chunks(n: usize, f: impl Fn(usize, usize) + Sync) {
    if n < 2 * GRAIN {
        f(0, n);
    } else {
        for_each_task(n.div_ceil(GRAIN), |t| f(t * GRAIN, ((t + 1) * GRAIN).min(n)));
    }
}

/// The gradient as the update sees it: negated for `maximize`, plus `weight_decay * p`.
#[inline(always)]
fn effective<T: NnFloat>(g: T, p: T, maximize: bool, wd: T) -> T {
    let g = if maximize { -g } else { g };
    g + wd * p
}

/// SGD's options.
#[derive(Clone, Copy)]
pub struct Sgd {
    /// Learning rate: the step along the (momentum) direction.
    pub lr: f64,
    /// Momentum factor (0: plain SGD, no buffer).
    pub momentum: f64,
    /// Dampening of the gradient's share in the momentum buffer: `buf = momentum * buf + (1 - dampening) * g`.
    pub dampening: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient (skipped entirely when 0).
    pub weight_decay: f64,
    /// Nesterov momentum: step along `g + momentum * buf` instead of `buf`.
    pub nesterov: bool,
    /// If set, the update climbs the objective: the gradient is negated before anything else.
    pub maximize: bool,
}

/// `p -= lr * d` with `d` the (momentum) direction; `buf` is the momentum buffer, `first`
/// when it is new (then `buf = d`, as PyTorch).
///
/// # Safety
/// `p`, `g` and `buf` (if any) hold `n` contiguous elements; `p` and `buf` are writable.
pub unsafe fn sgd<T: NnFloat>(p: *mut T, g: *const T, buf: Option<*mut T>, first: bool, n: usize, o: &Sgd) {
    if o.weight_decay == 0.0 {
        sgd_impl::<T, false>(p, g, buf, first, n, o)
    } else {
        sgd_impl::<T, true>(p, g, buf, first, n, o)
    }
}

/// The SGD loop; `WD`: whether weight decay is added (skipped entirely when zero, so that an
/// infinite parameter stays infinite rather than becoming `0 * inf = NaN`, as in PyTorch).
#[inline(always)]
unsafe fn sgd_impl<T: NnFloat, const WD: bool>(p: *mut T, g: *const T, buf: Option<*mut T>, first: bool, n: usize, o: &Sgd) {
    let (pp, gp, bp) = (Ptr(p), Ptr(g as *mut T), buf.map(Ptr));
    let (lr, m, damp, wd) = (T::from_f64(o.lr), T::from_f64(o.momentum), T::from_f64(1.0 - o.dampening), T::from_f64(o.weight_decay));
    let sign = T::from_f64(if o.maximize { -1.0 } else { 1.0 });
    let nesterov = o.nesterov;
    chunks(n, |s, e| {
        let len = e - s;
        let p = std::slice::from_raw_parts_mut(pp.get().add(s), len);
        let g = std::slice::from_raw_parts(gp.get().add(s) as *const T, len);
        let dir = |i: usize, p: &[T]| if WD { sign * g[i] + wd * p[i] } else { sign * g[i] };
        match bp {
            None => {
                for i in 0..len {
                    p[i] = p[i] - lr * dir(i, p);
                }
            }
            Some(b) => {
                let b = std::slice::from_raw_parts_mut(b.get().add(s), len);
                if first {
                    for i in 0..len {
                        let d = dir(i, p);
                        b[i] = d;
                        p[i] = p[i] - lr * if nesterov { d + m * d } else { d };
                    }
                } else if nesterov {
                    for i in 0..len {
                        let d = dir(i, p);
                        let nb = m * b[i] + damp * d;
                        b[i] = nb;
                        p[i] = p[i] - lr * (d + m * nb);
                    }
                } else {
                    for i in 0..len {
                        let nb = m * b[i] + damp * dir(i, p);
                        b[i] = nb;
                        p[i] = p[i] - lr * nb;
                    }
                }
            }
        }
    });
}

/// Adam / AdamW's options for one step (bias corrections already computed for this step).
#[derive(Clone, Copy)]
pub struct Adam {
    /// Learning rate (already folded into `step_size` for the Adam update; used by decoupled decay).
    pub lr: f64,
    /// Decay of the first-moment (mean) estimate.
    pub beta1: f64,
    /// Decay of the second-moment (uncentered variance) estimate.
    pub beta2: f64,
    /// Added to the denominator's square root, against division by zero.
    pub eps: f64,
    /// Weight decay: L2 (added to the gradient) for Adam, decoupled (`p *= 1 - lr * weight_decay`) for AdamW.
    pub weight_decay: f64,
    /// AdamW: decay the parameter directly rather than through the gradient.
    pub decoupled: bool,
    /// If set, the update climbs the objective: the gradient is negated before anything else.
    pub maximize: bool,
    /// `lr / (1 - beta1^t)`
    pub step_size: f64,
    /// `sqrt(1 - beta2^t)`
    pub bc2_sqrt: f64,
}

/// One Adam step: `m += (1 - b1) (g - m)`, `v = b2 v + (1 - b2) g^2`, `p -= step_size * m /
/// (sqrt(v) / bc2_sqrt + eps)` (AMSGrad: `vmax = max(vmax, v)` in the denominator); weight
/// decay added to g, or (decoupled) `p *= 1 - lr * wd` first.
///
/// The options enter the loop as numbers (a sign for `maximize`, a factor 1 when there is
/// no decoupled decay, 0 for no L2 decay), so the loop has no branches and vectorises.
///
/// # Safety
/// All pointers hold `n` contiguous elements; `p`, `m`, `v`, `vmax` are writable.
pub unsafe fn adam<T: NnFloat>(p: *mut T, g: *const T, m: *mut T, v: *mut T, vmax: Option<*mut T>, n: usize, o: &Adam) {
    if o.weight_decay == 0.0 || o.decoupled {
        adam_impl::<T, false>(p, g, m, v, vmax, n, o)
    } else {
        adam_impl::<T, true>(p, g, m, v, vmax, n, o)
    }
}

/// The Adam loop; `L2`: whether `weight_decay * p` is added to the gradient.
#[inline(always)]
unsafe fn adam_impl<T: NnFloat, const L2: bool>(p: *mut T, g: *const T, m: *mut T, v: *mut T, vmax: Option<*mut T>, n: usize, o: &Adam) {
    let (pp, gp, mp, vp, xp) = (Ptr(p), Ptr(g as *mut T), Ptr(m), Ptr(v), vmax.map(Ptr));
    let l2 = T::from_f64(if o.decoupled { 0.0 } else { o.weight_decay });
    let decay = T::from_f64(if o.decoupled { 1.0 - o.lr * o.weight_decay } else { 1.0 });
    let sign = T::from_f64(if o.maximize { -1.0 } else { 1.0 });
    let (b1c, b2, b2c) = (T::from_f64(1.0 - o.beta1), T::from_f64(o.beta2), T::from_f64(1.0 - o.beta2));
    let (step_size, bc2, eps) = (T::from_f64(o.step_size), T::from_f64(o.bc2_sqrt), T::from_f64(o.eps));
    chunks(n, |s, e| {
        let len = e - s;
        let p = std::slice::from_raw_parts_mut(pp.get().add(s), len);
        let g = std::slice::from_raw_parts(gp.get().add(s) as *const T, len);
        let m = std::slice::from_raw_parts_mut(mp.get().add(s), len);
        let v = std::slice::from_raw_parts_mut(vp.get().add(s), len);
        match xp {
            None => {
                for i in 0..len {
                    let pv = p[i] * decay;
                    let gv = if L2 { sign * g[i] + l2 * pv } else { sign * g[i] };
                    let mv = m[i] + b1c * (gv - m[i]);
                    let vv = b2 * v[i] + b2c * gv * gv;
                    m[i] = mv;
                    v[i] = vv;
                    p[i] = pv - step_size * mv / (vv.sqrt() / bc2 + eps);
                }
            }
            Some(x) => {
                let x = std::slice::from_raw_parts_mut(x.get().add(s), len);
                for i in 0..len {
                    let pv = p[i] * decay;
                    let gv = if L2 { sign * g[i] + l2 * pv } else { sign * g[i] };
                    let mv = m[i] + b1c * (gv - m[i]);
                    let vv = b2 * v[i] + b2c * gv * gv;
                    let mx = if vv > x[i] { vv } else { x[i] };
                    m[i] = mv;
                    v[i] = vv;
                    x[i] = mx;
                    p[i] = pv - step_size * mv / (mx.sqrt() / bc2 + eps);
                }
            }
        }
    });
}

/// RMSprop's options.
#[derive(Clone, Copy)]
pub struct Rmsprop {
    /// Learning rate.
    pub lr: f64,
    /// Decay of the running mean of squared gradients.
    pub alpha: f64,
    /// Added to the denominator, against division by zero.
    pub eps: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient (skipped entirely when 0).
    pub weight_decay: f64,
    /// Momentum factor (0: no momentum buffer).
    pub momentum: f64,
    /// Centered RMSprop: normalise by an estimate of the variance (mean of g^2 minus the squared mean of g).
    pub centered: bool,
    /// If set, the update climbs the objective: the gradient is negated before anything else.
    pub maximize: bool,
}

/// One RMSprop step (`ga`: the running mean of g when centered; `buf`: momentum buffer).
///
/// # Safety
/// All pointers hold `n` contiguous elements; all but `g` are writable.
pub unsafe fn rmsprop<T: NnFloat>(p: *mut T, g: *const T, sq: *mut T, ga: Option<*mut T>, buf: Option<*mut T>, n: usize, o: &Rmsprop) {
    let (pp, gp, sp, ap, bp) = (Ptr(p), Ptr(g as *mut T), Ptr(sq), ga.map(Ptr), buf.map(Ptr));
    let (lr, alpha, ac, eps, wd, mom) =
        (T::from_f64(o.lr), T::from_f64(o.alpha), T::from_f64(1.0 - o.alpha), T::from_f64(o.eps), T::from_f64(o.weight_decay), T::from_f64(o.momentum));
    let maximize = o.maximize;
    chunks(n, |s, e| {
        for i in s..e {
            let pv = *pp.get().add(i);
            let gv = effective(*gp.get().add(i), pv, maximize, wd);
            let sv = alpha * *sp.get().add(i) + ac * gv * gv;
            *sp.get().add(i) = sv;
            let avg = match ap {
                Some(a) => {
                    let a = a.get().add(i);
                    let av = *a + ac * (gv - *a);
                    *a = av;
                    (sv - av * av).sqrt() + eps
                }
                None => sv.sqrt() + eps,
            };
            match bp {
                Some(b) => {
                    let b = b.get().add(i);
                    let bv = mom * *b + gv / avg;
                    *b = bv;
                    *pp.get().add(i) = pv - lr * bv;
                }
                None => *pp.get().add(i) = pv - lr * gv / avg,
            }
        }
    });
}

/// Adagrad's options for one step (`clr`: the decayed learning rate for this step).
#[derive(Clone, Copy)]
pub struct Adagrad {
    /// This step's learning rate, `lr / (1 + (step - 1) * lr_decay)`.
    pub clr: f64,
    /// Added to the denominator, against division by zero.
    pub eps: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient (skipped entirely when 0).
    pub weight_decay: f64,
    /// If set, the update climbs the objective: the gradient is negated before anything else.
    pub maximize: bool,
}

/// One Adagrad step: `sum += g^2`, `p -= clr * g / (sqrt(sum) + eps)`.
///
/// # Safety
/// All pointers hold `n` contiguous elements; `p` and `sum` are writable.
pub unsafe fn adagrad<T: NnFloat>(p: *mut T, g: *const T, sum: *mut T, n: usize, o: &Adagrad) {
    let (pp, gp, sp) = (Ptr(p), Ptr(g as *mut T), Ptr(sum));
    let (clr, eps, wd) = (T::from_f64(o.clr), T::from_f64(o.eps), T::from_f64(o.weight_decay));
    let maximize = o.maximize;
    chunks(n, |s, e| {
        for i in s..e {
            let pv = *pp.get().add(i);
            let gv = effective(*gp.get().add(i), pv, maximize, wd);
            let sv = *sp.get().add(i) + gv * gv;
            *sp.get().add(i) = sv;
            *pp.get().add(i) = pv - clr * gv / (sv.sqrt() + eps);
        }
    });
}

/// Adadelta's options.
#[derive(Clone, Copy)]
pub struct Adadelta {
    /// Scale of the computed update (PyTorch's default 1).
    pub lr: f64,
    /// Decay of both running averages (squared gradients and squared updates).
    pub rho: f64,
    /// Added inside both square roots: sets the first steps' size and avoids 0 / 0.
    pub eps: f64,
    /// L2 penalty: `weight_decay * p` is added to the gradient (skipped entirely when 0).
    pub weight_decay: f64,
    /// If set, the update climbs the objective: the gradient is negated before anything else.
    pub maximize: bool,
}

/// One Adadelta step: `sq = rho sq + (1 - rho) g^2`, `d = sqrt(acc + eps) / sqrt(sq + eps) g`,
/// `acc = rho acc + (1 - rho) d^2`, `p -= lr d`.
///
/// # Safety
/// All pointers hold `n` contiguous elements; all but `g` are writable.
pub unsafe fn adadelta<T: NnFloat>(p: *mut T, g: *const T, sq: *mut T, acc: *mut T, n: usize, o: &Adadelta) {
    let (pp, gp, sp, ap) = (Ptr(p), Ptr(g as *mut T), Ptr(sq), Ptr(acc));
    let (lr, rho, rc, eps, wd) = (T::from_f64(o.lr), T::from_f64(o.rho), T::from_f64(1.0 - o.rho), T::from_f64(o.eps), T::from_f64(o.weight_decay));
    let maximize = o.maximize;
    chunks(n, |s, e| {
        for i in s..e {
            let pv = *pp.get().add(i);
            let gv = effective(*gp.get().add(i), pv, maximize, wd);
            let sv = rho * *sp.get().add(i) + rc * gv * gv;
            *sp.get().add(i) = sv;
            let a = *ap.get().add(i);
            let d = (a + eps).sqrt() / (sv + eps).sqrt() * gv;
            *ap.get().add(i) = rho * a + rc * d * d;
            *pp.get().add(i) = pv - lr * d;
        }
    });
}
