//! The backward of threshold activations (ReLU): the gradient where the input is above the
//! threshold, 0 elsewhere (NaN inputs pass the gradient, as PyTorch's `threshold_backward`).

use super::Ptr;
use crate::cpu::par::for_each_task;
use crate::cpu::Element;

/// `out[i] = if x[i] <= threshold { 0 } else { g[i] }`.
///
/// # Safety
/// `g`, `x` and `out` hold `n` contiguous elements.
pub unsafe fn threshold_backward<T: Element>(g: *const T, x: *const T, threshold: T, n: usize, out: *mut T) {
    let (gp, xp, op) = (Ptr(g as *mut T), Ptr(x as *mut T), Ptr(out));
    const GRAIN: usize = 1 << 15;
    let run = |s: usize, e: usize| {
        let g = std::slice::from_raw_parts(gp.get().add(s) as *const T, e - s);
        let x = std::slice::from_raw_parts(xp.get().add(s) as *const T, e - s);
        let o = std::slice::from_raw_parts_mut(op.get().add(s), e - s);
        // zipped slices: no bounds checks, so the loop vectorises
        for ((o, &g), &x) in o.iter_mut().zip(g).zip(x) {
            *o = if x <= threshold { T::zero() } else { g };
        }
    };
    if n < 2 * GRAIN {
        run(0, n);
    } else {
        for_each_task(n.div_ceil(GRAIN), |t| run(t * GRAIN, ((t + 1) * GRAIN).min(n)));
    }
}
