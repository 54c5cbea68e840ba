//! im2col (`nn.functional.unfold`) and col2im (`nn.functional.fold`), each the other's
//! backward. A convolution is im2col followed by one matrix product (`nn/functional`).

use super::raw_contiguous;
use crate::autograd::{needs_grad, record};
use crate::backend::nn::{self as backend, Geometry};
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// Kernel, dilation, padding and stride of a 2-D window sweep, as given by the user.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Window height and width.
    pub kernel: [usize; 2],
    /// Distance between a window's taps, per axis (1: adjacent elements).
    pub dilation: [usize; 2],
    /// Implicit zero padding on both sides, per axis.
    pub padding: [usize; 2],
    /// Step between window positions, per axis.
    pub stride: [usize; 2],
}

impl Window {
    fn check(&self) -> Result<()> {
        let w = self;
        if w.kernel.contains(&0) {
            return Err(Error::Runtime(format!("kernel size should be greater than zero, but got kernel_height: {} kernel_width: {}", w.kernel[0], w.kernel[1])));
        }
        if w.dilation.contains(&0) {
            return Err(Error::Runtime(format!("dilation should be greater than zero, but got dilation_height: {} dilation_width: {}", w.dilation[0], w.dilation[1])));
        }
        if w.stride.contains(&0) {
            return Err(Error::Runtime(format!("stride should be greater than zero, but got stride_height: {} stride_width: {}", w.stride[0], w.stride[1])));
        }
        Ok(())
    }

    /// Number of window positions along axis `a` of an input of `size`, if at least one.
    fn blocks(&self, a: usize, size: usize) -> Option<usize> {
        let eff = self.dilation[a] * (self.kernel[a] - 1) + 1;
        let padded = size + 2 * self.padding[a];
        (padded >= eff).then(|| (padded - eff) / self.stride[a] + 1)
    }

    fn geometry(&self, c: usize, h: usize, w: usize, oh: usize, ow: usize) -> Geometry {
        Geometry {
            c,
            h,
            w,
            kh: self.kernel[0],
            kw: self.kernel[1],
            sh: self.stride[0],
            sw: self.stride[1],
            ph: self.padding[0],
            pw: self.padding[1],
            dh: self.dilation[0],
            dw: self.dilation[1],
            oh,
            ow,
        }
    }
}

impl Tensor {
    /// im2col of (N, C, H, W): (N, C * kh * kw, L) with L the number of window positions.
    pub fn im2col(&self, win: Window) -> Result<Tensor> {
        win.check()?;
        if self.rank() != 4 {
            return Err(Error::Runtime(format!("Input Error: Only 3D or 4D input Tensors are supported (got {}D)", self.rank())));
        }
        let (n, c, h, w) = (self.shape()[0], self.shape()[1], self.shape()[2], self.shape()[3]);
        let (oh, ow) = match (win.blocks(0, h), win.blocks(1, w)) {
            (Some(a), Some(b)) if a > 0 && b > 0 => (a, b),
            _ => {
                return Err(Error::Runtime(format!(
                    "Given input with spatial size ({h}, {w}), kernel_size=({}, {}), dilation=({}, {}), padding=({}, {}), calculated shape of the array of sliding blocks as ({}, {}), but its components must be at least one.",
                    win.kernel[0], win.kernel[1], win.dilation[0], win.dilation[1], win.padding[0], win.padding[1],
                    (h + 2 * win.padding[0]) as isize - (win.dilation[0] * (win.kernel[0] - 1) + 1) as isize + 1,
                    (w + 2 * win.padding[1]) as isize - (win.dilation[1] * (win.kernel[1] - 1) + 1) as isize + 1
                )))
            }
        };
        let g = win.geometry(c, h, w, oh, ow);
        let x = raw_contiguous(self)?;
        let cols = Tensor::empty_on(&[n, c * win.kernel[0] * win.kernel[1], oh * ow], self.dtype(), self.device())?;
        backend::im2col(&x, n, &g, &cols)?;
        if needs_grad(&[self]) {
            record("Im2ColBackward0", &cols, &[self], vec![], move |_, g| Ok(vec![Some(g.col2im([h, w], win)?)]));
        }
        Ok(cols)
    }

    /// col2im of (N, C * kh * kw, L) columns into (N, C, H, W) with `output_size = [H, W]`:
    /// each column entry added to the image element its window position reads.
    pub fn col2im(&self, output_size: [usize; 2], win: Window) -> Result<Tensor> {
        win.check()?;
        if self.rank() != 3 {
            return Err(Error::Runtime(format!("Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {}D)", self.rank())));
        }
        if !self.dtype().is_float() && !matches!(self.dtype(), crate::dtype::DType::I32 | crate::dtype::DType::I64) {
            return Err(Error::NotImplemented(format!("\"col2im_out_cpu\" not implemented for '{}'", dtype_title(self.dtype()))));
        }
        let (n, ckk, l) = (self.shape()[0], self.shape()[1], self.shape()[2]);
        let kk = win.kernel[0] * win.kernel[1];
        if ckk % kk != 0 {
            return Err(Error::Runtime(format!(
                "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={ckk} and kernel_size=({}, {})",
                win.kernel[0], win.kernel[1]
            )));
        }
        let [h, w] = output_size;
        let (oh, ow) = (win.blocks(0, h).unwrap_or(0), win.blocks(1, w).unwrap_or(0));
        if oh * ow != l || oh == 0 || ow == 0 {
            return Err(Error::Runtime(format!(
                "Given output_size=({h}, {w}), kernel_size=({}, {}), dilation=({}, {}), padding=({}, {}), stride=({}, {}), expected size of input's dimension 2 to match the calculated number of sliding blocks {oh} * {ow} = {}, but got input.size(2)={l}.",
                win.kernel[0], win.kernel[1], win.dilation[0], win.dilation[1], win.padding[0], win.padding[1], win.stride[0], win.stride[1], oh * ow
            )));
        }
        let c = ckk / kk;
        let g = win.geometry(c, h, w, oh, ow);
        let cols = raw_contiguous(self)?;
        let out = Tensor::empty_on(&[n, c, h, w], self.dtype(), self.device())?;
        backend::col2im(&cols, n, &g, &out)?;
        if needs_grad(&[self]) {
            record("Col2ImBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(g.im2col(win)?)]));
        }
        Ok(out)
    }
}
