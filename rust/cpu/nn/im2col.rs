//! im2col / col2im: the sliding windows of an (N, C, H, W) image laid out as the columns of
//! an (N, C * kh * kw, OH * OW) matrix, and back (overlapping windows summed). A convolution
//! is then one matrix product.

use super::Ptr;
use crate::cpu::par::for_each_task;

/// Window geometry of one 2-D sweep.
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    /// Channels of the image.
    pub c: usize,
    /// Image height, in elements (before padding).
    pub h: usize,
    /// Image width, in elements (before padding).
    pub w: usize,
    /// Window (kernel) height.
    pub kh: usize,
    /// Window (kernel) width.
    pub kw: usize,
    /// Vertical stride between windows.
    pub sh: usize,
    /// Horizontal stride between windows.
    pub sw: usize,
    /// Zero padding added above and below.
    pub ph: usize,
    /// Zero padding added left and right.
    pub pw: usize,
    /// Vertical dilation: the distance between a window's rows (1: adjacent).
    pub dh: usize,
    /// Horizontal dilation: the distance between a window's columns.
    pub dw: usize,
    /// Output height: how many window positions fit vertically.
    pub oh: usize,
    /// Output width: how many window positions fit horizontally.
    pub ow: usize,
}

impl Geometry {
    /// Elements of one image's column matrix.
    pub fn cols_per_image(&self) -> usize {
        self.c * self.kh * self.kw * self.oh * self.ow
    }
}

/// For output positions `0..out` along one axis with input offset `off = k * d - p`:
/// the range of positions whose input index `o * s + off` lies in `0..size`.
#[inline]
fn valid_range(out: usize, s: usize, off: isize, size: usize) -> (usize, usize) {
    // o * s + off >= 0  <=>  o >= ceil(-off / s)
    let lo = if off >= 0 { 0 } else { ((-off) as usize).div_ceil(s) };
    // o * s + off <= size - 1  <=>  o <= (size - 1 - off) / s
    let hi = if (size as isize) - 1 - off < 0 { 0 } else { (((size as isize) - 1 - off) as usize) / s + 1 };
    (lo.min(out), hi.min(out).max(lo.min(out)))
}

/// Tasks: one per (image, channel) plane.
fn run(planes: usize, work_per_plane: usize, f: impl Fn(usize) + Sync) {
    if planes * work_per_plane >= crate::cpu::PARALLEL_MIN {
        for_each_task(planes, f);
    } else {
        (0..planes).for_each(f);
    }
}

/// `cols[b, (c*kh + i)*kw + j, oy*ow + ox] = x[b, c, oy*sh - ph + i*dh, ox*sw - pw + j*dw]`
/// (0 outside the image).
///
/// # Safety
/// `x` holds `n * c * h * w` contiguous elements, `cols` `n * g.cols_per_image()`.
pub unsafe fn im2col<T: Copy + Default + Send + Sync>(x: *const T, n: usize, g: &Geometry, cols: *mut T) {
    let g = *g;
    let (xp, cp) = (Ptr(x as *mut T), Ptr(cols));
    let l = g.oh * g.ow;
    run(n * g.c, g.kh * g.kw * l, |plane| {
        let src = xp.get().add(plane * g.h * g.w) as *const T;
        let dst0 = cp.get().add(plane * g.kh * g.kw * l);
        for i in 0..g.kh {
            let off_y = (i * g.dh) as isize - g.ph as isize;
            let (y0, y1) = valid_range(g.oh, g.sh, off_y, g.h);
            for j in 0..g.kw {
                let off_x = (j * g.dw) as isize - g.pw as isize;
                let (x0, x1) = valid_range(g.ow, g.sw, off_x, g.w);
                let dst = std::slice::from_raw_parts_mut(dst0.add((i * g.kw + j) * l), l);
                for oy in 0..g.oh {
                    let out = &mut dst[oy * g.ow..(oy + 1) * g.ow];
                    if oy < y0 || oy >= y1 {
                        out.fill(T::default());
                        continue;
                    }
                    let iy = (oy * g.sh) as isize + off_y;
                    let row = src.add(iy as usize * g.w);
                    out[..x0].fill(T::default());
                    out[x1..].fill(T::default());
                    if g.sw == 1 {
                        let start = (x0 as isize + off_x) as usize;
                        std::ptr::copy_nonoverlapping(row.add(start), out.as_mut_ptr().add(x0), x1 - x0);
                    } else {
                        for (ox, o) in out.iter_mut().enumerate().take(x1).skip(x0) {
                            *o = *row.add(((ox * g.sw) as isize + off_x) as usize);
                        }
                    }
                }
            }
        }
    });
}

/// The adjoint of [`im2col`]: `x[b, c, y, x] = sum of the column entries that read it`.
///
/// # Safety
/// As [`im2col`], with `x` written (`n * c * h * w` elements) and `cols` read.
pub unsafe fn col2im<T: Copy + Default + Send + Sync + std::ops::AddAssign>(cols: *const T, n: usize, g: &Geometry, x: *mut T) {
    let g = *g;
    let (xp, cp) = (Ptr(x), Ptr(cols as *mut T));
    let l = g.oh * g.ow;
    run(n * g.c, g.kh * g.kw * l, |plane| {
        let dst = std::slice::from_raw_parts_mut(xp.get().add(plane * g.h * g.w), g.h * g.w);
        dst.fill(T::default());
        let src0 = cp.get().add(plane * g.kh * g.kw * l) as *const T;
        for i in 0..g.kh {
            let off_y = (i * g.dh) as isize - g.ph as isize;
            let (y0, y1) = valid_range(g.oh, g.sh, off_y, g.h);
            for j in 0..g.kw {
                let off_x = (j * g.dw) as isize - g.pw as isize;
                let (x0, x1) = valid_range(g.ow, g.sw, off_x, g.w);
                let src = std::slice::from_raw_parts(src0.add((i * g.kw + j) * l), l);
                for oy in y0..y1 {
                    let iy = ((oy * g.sh) as isize + off_y) as usize;
                    let row = &mut dst[iy * g.w..(iy + 1) * g.w];
                    let vals = &src[oy * g.ow..(oy + 1) * g.ow];
                    for ox in x0..x1 {
                        row[((ox * g.sw) as isize + off_x) as usize] += vals[ox];
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry() -> Geometry {
        // 2 channels, 5x6 image, 2x3 kernel, stride (2, 1), padding (1, 1), dilation (1, 2)
        let (h, w, kh, kw, sh, sw, ph, pw, dh, dw) = (5, 6, 2, 3, 2, 1, 1, 1, 1, 2);
        let oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        let ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        Geometry { c: 2, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow }
    }

    #[test]
    fn im2col_reads_the_window_element_or_zero() {
        let g = geometry();
        let x: Vec<f64> = (0..2 * g.c * g.h * g.w).map(|i| i as f64 + 1.0).collect();
        let mut cols = vec![0.0f64; 2 * g.cols_per_image()];
        // SAFETY: `x` holds `2 * c * h * w` elements and `cols` `2 * cols_per_image()`
        unsafe { im2col(x.as_ptr(), 2, &g, cols.as_mut_ptr()) };
        let l = g.oh * g.ow;
        for b in 0..2 {
            for c in 0..g.c {
                for i in 0..g.kh {
                    for j in 0..g.kw {
                        for oy in 0..g.oh {
                            for ox in 0..g.ow {
                                let y = (oy * g.sh + i * g.dh) as isize - g.ph as isize;
                                let xx = (ox * g.sw + j * g.dw) as isize - g.pw as isize;
                                let want = if y < 0 || xx < 0 || y >= g.h as isize || xx >= g.w as isize {
                                    0.0
                                } else {
                                    x[((b * g.c + c) * g.h + y as usize) * g.w + xx as usize]
                                };
                                let row = (c * g.kh + i) * g.kw + j;
                                assert_eq!(cols[(b * g.c * g.kh * g.kw + row) * l + oy * g.ow + ox], want);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), y> == <x, col2im(y)> for any x, y
        let g = geometry();
        let n = 2;
        let x: Vec<f64> = (0..n * g.c * g.h * g.w).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        let y: Vec<f64> = (0..n * g.cols_per_image()).map(|i| ((i * 104729) % 17) as f64 - 8.0).collect();
        let mut cols = vec![0.0f64; y.len()];
        let mut back = vec![0.0f64; x.len()];
        // SAFETY: `x` and `back` hold `n * c * h * w` elements, `y` and `cols`
        // `n * cols_per_image()`
        unsafe {
            im2col(x.as_ptr(), n, &g, cols.as_mut_ptr());
            col2im(y.as_ptr(), n, &g, back.as_mut_ptr());
        }
        let lhs: f64 = cols.iter().zip(&y).map(|(a, b)| a * b).sum();
        let rhs: f64 = x.iter().zip(&back).map(|(a, b)| a * b).sum();
        assert_eq!(lhs, rhs);
    }
}
