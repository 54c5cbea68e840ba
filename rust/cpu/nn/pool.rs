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
    // each window's start and valid offsets, per output row and column, worked out once
    let rows: Vec<(isize, usize, usize)> = (0..g.oh)
        .map(|oy| {
            let ys = (oy * g.sh) as isize - g.ph as isize;
            let (i0, i1) = clip(ys, g.kh, g.dh, g.h);
            (ys, i0, i1)
        })
        .collect();
    let cols: Vec<(isize, usize, usize)> = (0..g.ow)
        .map(|ox| {
            let xs = (ox * g.sw) as isize - g.pw as isize;
            let (j0, j1) = clip(xs, g.kw, g.dw, g.w);
            (xs, j0, j1)
        })
        .collect();
    // every window whole and dense (no padding, no dilation, no partial last window): a
    // plain sweep, with the 2x2 case unrolled (the usual MaxPool2d(2))
    let dense = g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1 && (g.oh - 1) * g.sh + g.kh <= g.h && (g.ow - 1) * g.sw + g.kw <= g.w;
    let f = |plane: usize| {
        let src = xp.get().add(plane * g.h * g.w) as *const T;
        let o = op.get().add(plane * g.oh * g.ow);
        let ix = ip.get().add(plane * g.oh * g.ow);
        if dense {
            dense_plane(src, o, ix, &g);
            return;
        }
        for (oy, &(ys, i0, i1)) in rows.iter().enumerate() {
            for (ox, &(xs, j0, j1)) in cols.iter().enumerate() {
                let k = oy * g.ow + ox;
                if i0 >= i1 || j0 >= j1 {
                    *o.add(k) = T::default();
                    *ix.add(k) = 0;
                    continue;
                }
                let mut at = (ys + (i0 * g.dh) as isize) as usize * g.w + (xs + (j0 * g.dw) as isize) as usize;
                let mut best = *src.add(at);
                for i in i0..i1 {
                    let row = (ys + (i * g.dh) as isize) as usize * g.w;
                    for j in j0..j1 {
                        let p = row + (xs + (j * g.dw) as isize) as usize;
                        let v = *src.add(p);
                        // branch-free: which element wins is data-dependent, and a branch on
                        // it is mispredicted about half the time
                        let take = (v > best) | v.is_nan();
                        best = if take { v } else { best };
                        at = if take { p } else { at };
                    }
                }
                *o.add(k) = best;
                *ix.add(k) = at as i64;
            }
        }
    };
    if planes * g.oh * g.ow * g.kh * g.kw >= crate::cpu::PARALLEL_MIN {
        for_each_task(planes, f);
    } else {
        (0..planes).for_each(f);
    }
}

/// Max pooling of one plane whose windows all lie inside it (see `max_pool2d`).
#[inline(always)]
unsafe fn dense_plane<T: Element>(src: *const T, o: *mut T, ix: *mut i64, g: &Geometry) {
    #[inline(always)]
    fn pick<T: Element>(best: &mut T, at: &mut usize, v: T, p: usize) {
        let take = (v > *best) | v.is_nan();
        *best = if take { v } else { *best };
        *at = if take { p } else { *at };
    }
    for oy in 0..g.oh {
        let r0 = oy * g.sh * g.w;
        for ox in 0..g.ow {
            let p0 = r0 + ox * g.sw;
            let (mut best, mut at) = (*src.add(p0), p0);
            if g.kh == 2 && g.kw == 2 {
                pick(&mut best, &mut at, *src.add(p0 + 1), p0 + 1);
                pick(&mut best, &mut at, *src.add(p0 + g.w), p0 + g.w);
                pick(&mut best, &mut at, *src.add(p0 + g.w + 1), p0 + g.w + 1);
            } else {
                for i in 0..g.kh {
                    for j in 0..g.kw {
                        let p = p0 + i * g.w + j;
                        pick(&mut best, &mut at, *src.add(p), p);
                    }
                }
            }
            *o.add(oy * g.ow + ox) = best;
            *ix.add(oy * g.ow + ox) = at as i64;
        }
    }
}

/// Max pooling's backward: `dx[plane, idx[plane, k]] += g[plane, k]` into zeroed planes.
///
/// # Safety
/// `g` and `idx` hold `planes * out_per_plane` contiguous elements (indices in
/// `0..in_per_plane`, as [`max_pool2d`] made them); `dx` `planes * in_per_plane`.
pub unsafe fn max_pool2d_backward<T: Element + std::ops::AddAssign>(g: *const T, idx: *const i64, planes: usize, out_per_plane: usize, in_per_plane: usize, dx: *mut T) {
    let (gp, ip, dp) = (Ptr(g as *mut T), Ptr(idx as *mut i64), Ptr(dx));
    let f = |plane: usize| {
        let d = std::slice::from_raw_parts_mut(dp.get().add(plane * in_per_plane), in_per_plane);
        d.fill(T::zero());
        let g = std::slice::from_raw_parts(gp.get().add(plane * out_per_plane) as *const T, out_per_plane);
        let ix = std::slice::from_raw_parts(ip.get().add(plane * out_per_plane) as *const i64, out_per_plane);
        for (v, &i) in g.iter().zip(ix) {
            // SAFETY: `max_pool2d` made every index inside its plane
            *d.get_unchecked_mut(i as usize) += *v;
        }
    };
    if planes * (in_per_plane + out_per_plane) >= crate::cpu::PARALLEL_MIN {
        for_each_task(planes, f);
    } else {
        (0..planes).for_each(f);
    }
}
