//! `max_pool2d` with the index of each maximum; its backward adds the gradient at those
//! indices (a scatter-add, itself differentiable).

use super::conv::Window;
use super::raw_contiguous;
use crate::autograd::{needs_grad, record};
use crate::backend::nn::{self as backend, Geometry};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// PyTorch's pooling output size (with ceil_mode the last window must start inside the input
/// or its left padding).
pub fn pool_output_size(size: usize, k: usize, s: usize, p: usize, d: usize, ceil_mode: bool) -> isize {
    let num = size as isize + 2 * p as isize - (d * (k - 1)) as isize - 1 + if ceil_mode { s as isize - 1 } else { 0 };
    let mut out = num.div_euclid(s as isize) + 1;
    if ceil_mode && (out - 1) * s as isize >= size as isize + p as isize {
        out -= 1;
    }
    out
}

impl Tensor {
    /// `max_pool2d` of (N, C, H, W): `(values, indices)`, indices flat `y * W + x` per plane.
    pub fn max_pool2d_with_indices(&self, win: Window, ceil_mode: bool) -> Result<(Tensor, Tensor)> {
        if self.rank() != 4 {
            return Err(Error::Runtime(format!("max_pool2d: expected a 4-D (N, C, H, W) input, got {}-D", self.rank())));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented(format!("\"max_pool2d\" not implemented for '{}'", dtype_title(self.dtype()))));
        }
        let [kh, kw] = win.kernel;
        if kh == 0 || kw == 0 {
            return Err(Error::Runtime(format!("max_pool2d: kernel_size must be greater than zero, but got kH: {kh} kW: {kw}")));
        }
        if win.stride.contains(&0) {
            return Err(Error::Runtime(format!("max_pool2d: stride must be greater than zero, but got dH: {} dW: {}", win.stride[0], win.stride[1])));
        }
        if win.dilation.contains(&0) {
            return Err(Error::Runtime(format!("max_pool2d: dilation must be greater than zero, but got dilationH: {} dilationW: {}", win.dilation[0], win.dilation[1])));
        }
        for a in 0..2 {
            if win.padding[a] > win.kernel[a] / 2 {
                return Err(Error::Runtime(format!(
                    "pad should be at most half of effective kernel size, but got pad={}, kernel_size={} and dilation={}",
                    win.padding[a], win.kernel[a], win.dilation[a]
                )));
            }
        }
        let (n, c, h, w) = (self.shape()[0], self.shape()[1], self.shape()[2], self.shape()[3]);
        let oh = pool_output_size(h, kh, win.stride[0], win.padding[0], win.dilation[0], ceil_mode);
        let ow = pool_output_size(w, kw, win.stride[1], win.padding[1], win.dilation[1], ceil_mode);
        if oh <= 0 || ow <= 0 {
            return Err(Error::Runtime(format!("Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). Output size is too small")));
        }
        let (oh, ow) = (oh as usize, ow as usize);
        let g = Geometry {
            c,
            h,
            w,
            kh,
            kw,
            sh: win.stride[0],
            sw: win.stride[1],
            ph: win.padding[0],
            pw: win.padding[1],
            dh: win.dilation[0],
            dw: win.dilation[1],
            oh,
            ow,
        };
        let x = raw_contiguous(self)?;
        let values = Tensor::empty_on(&[n, c, oh, ow], self.dtype(), self.device())?;
        let indices = Tensor::empty_on(&[n, c, oh, ow], DType::I64, self.device())?;
        backend::max_pool2d(&x, n * c, &g, &values, &indices)?;
        if needs_grad(&[self]) {
            let shape = [n, c, h, w];
            record("MaxPool2DWithIndicesBackward0", &values, &[self], vec![indices.clone()], move |s, g| {
                if crate::autograd::is_grad_enabled() {
                    // with a graph of its own (create_graph): a scatter-add, differentiable
                    let idx = s[0].reshape_to(&[n * c, oh * ow])?;
                    let gz = Tensor::zeros_on(&[n * c, h * w], g.dtype(), g.device())?;
                    let gi = gz.scatter_add_t(1, &idx, &g.reshape_to(&[n * c, oh * ow])?)?;
                    return Ok(vec![Some(gi.reshape_to(&shape)?)]);
                }
                let gc = raw_contiguous(g)?;
                let dx = Tensor::empty_on(&shape, g.dtype(), g.device())?;
                backend::max_pool2d_backward(&gc, &s[0], n * c, oh * ow, h * w, &dx)?;
                Ok(vec![Some(dx)])
            });
        }
        Ok((values, indices))
    }
}
