//! Max pooling over 2-D windows, with each maximum's flat index `y * W + x` in its input
//! plane (what the backward scatters the gradient to). NaN wins, as in PyTorch.

use super::im2col::Geometry;
use super::Ptr;
use crate::cpu::par::for_each_task;
use crate::cpu::Element;

/// `out[b, c, oy, ox] = max over the window`, `idx` its flat position (windows are clipped
/// to the image: padding never wins).
///
/// # Safety
/// `x` holds `planes * h * w` contiguous elements; `out` and `idx` `planes * oh * ow`.
pub unsafe fn max_pool2d<T: Element>(x: *const T, planes: usize, g: &Geometry, out: *mut T, idx: *mut i64) {
    let g = *g;
    let (xp, op, ip) = (Ptr(x as *mut T), Ptr(out), Ptr(idx));
    let f = |plane: usize| {
        let src = std::slice::from_raw_parts(xp.get().add(plane * g.h * g.w) as *const T, g.h * g.w);
        let o = op.get().add(plane * g.oh * g.ow);
        let ix = ip.get().add(plane * g.oh * g.ow);
        for oy in 0..g.oh {
            let y_start = (oy * g.sh) as isize - g.ph as isize;
            for ox in 0..g.ow {
                let x_start = (ox * g.sw) as isize - g.pw as isize;
                let mut best: Option<(T, usize)> = None;
                for i in 0..g.kh {
                    let y = y_start + (i * g.dh) as isize;
                    if y < 0 || y >= g.h as isize {
                        continue;
                    }
                    for j in 0..g.kw {
                        let xx = x_start + (j * g.dw) as isize;
                        if xx < 0 || xx >= g.w as isize {
                            continue;
                        }
                        let p = y as usize * g.w + xx as usize;
                        let v = src[p];
                        #[allow(clippy::eq_op)]
                        let better = match best {
                            None => true,
                            Some((b, _)) => b == b && (v > b || v != v),
                        };
                        if better {
                            best = Some((v, p));
                        }
                    }
                }
                let (v, p) = best.unwrap_or((T::default(), 0));
                *o.add(oy * g.ow + ox) = v;
                *ix.add(oy * g.ow + ox) = p as i64;
            }
        }
    };
    if planes * g.oh * g.ow * g.kh * g.kw >= crate::cpu::PARALLEL_MIN {
        for_each_task(planes, f);
    } else {
        (0..planes).for_each(f);
    }
}
