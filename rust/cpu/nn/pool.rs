//! Max pooling over 2-D windows, with each maximum's flat index `y * W + x` in its input
//! plane (what the backward scatters the gradient to). NaN wins, as in PyTorch.

use super::im2col::Geometry;
use super::Ptr;
use crate::cpu::par::for_each_task;
use crate::cpu::Element;

/// The window offsets `k` (of `0..kernel`) whose position `start + k * d` lies in `0..size`.
#[inline]
fn clip(start: isize, kernel: usize, d: usize, size: usize) -> (usize, usize) {
    let d = d as isize;
    // first k with start + k*d >= 0, and one past the last with start + k*d < size
    let lo = if start >= 0 { 0 } else { ((-start) + d - 1) / d };
    let hi = if start >= size as isize { 0 } else { ((size as isize - start) + d - 1) / d };
    let (lo, hi) = (lo as usize, (hi as usize).min(kernel));
    (lo.min(hi), hi)
}

/// `out[b, c, oy, ox] = max over the window`, `idx` its flat position (windows are clipped
/// to the image: padding never wins; PyTorch's rule `v > best || isnan(v)` picks among ties
/// and NaNs).
///
/// # Safety
/// `x` holds `planes * h * w` contiguous elements; `out` and `idx` `planes * oh * ow`.
pub unsafe fn max_pool2d<T: Element>(x: *const T, planes: usize, g: &Geometry, out: *mut T, idx: *mut i64) {
    let g = *g;
    let (xp, op, ip) = (Ptr(x as *mut T), Ptr(out), Ptr(idx));
    let f = |plane: usize| {
        let src = xp.get().add(plane * g.h * g.w) as *const T;
        let o = op.get().add(plane * g.oh * g.ow);
        let ix = ip.get().add(plane * g.oh * g.ow);
        for oy in 0..g.oh {
            let ys = (oy * g.sh) as isize - g.ph as isize;
            let (i0, i1) = clip(ys, g.kh, g.dh, g.h);
            for ox in 0..g.ow {
                let xs = (ox * g.sw) as isize - g.pw as isize;
                let (j0, j1) = clip(xs, g.kw, g.dw, g.w);
                let (mut best, mut at) = (T::default(), 0usize);
                let mut first = true;
                for i in i0..i1 {
                    let row = (ys + (i * g.dh) as isize) as usize * g.w;
                    for j in j0..j1 {
                        let p = row + (xs + (j * g.dw) as isize) as usize;
                        let v = *src.add(p);
                        #[allow(clippy::eq_op)]
                        if first || v > best || v != v {
                            best = v;
                            at = p;
                            first = false;
                        }
                    }
                }
                *o.add(oy * g.ow + ox) = best;
                *ix.add(oy * g.ow + ox) = at as i64;
            }
        }
    };
    if planes * g.oh * g.ow * g.kh * g.kw >= crate::cpu::PARALLEL_MIN {
        for_each_task(planes, f);
    } else {
        (0..planes).for_each(f);
    }
}
