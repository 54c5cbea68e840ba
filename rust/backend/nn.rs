//! The neural-network primitives `ops::nn` needs: cross entropy, layer norm, im2col /
//! col2im, max pooling. Each takes contiguous tensors that the op has checked and
//! allocated, matches the device once and runs the kernel.

pub use crate::cpu::nn::cross_entropy::Ce;
pub use crate::cpu::nn::im2col::Geometry;

use crate::cpu::nn::{activation, cross_entropy, im2col, layer_norm, pool};
use super::on_host::{opt, round_trip, Trip};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use crate::{dispatch_dtype, dispatch_float};

fn float_only(name: &str, dtype: DType) -> Error {
    Error::NotImplemented(format!("\"{name}\" not implemented for '{}'", crate::tensor::dtype_title(dtype)))
}

/// Whether these tensors (all on one device: the op made them so) are in host memory, where
/// the CPU kernels below run; GPU tensors take the GPU arm at the top of each primitive.
fn cpu_only(ts: &[&Tensor]) -> Result<()> {
    for t in ts {
        if t.device() != Device::Cpu {
            return Err(Error::Runtime(format!("a CPU kernel was handed a tensor on {}", t.device())));
        }
    }
    Ok(())
}

fn ptr<T>(t: &Tensor) -> *mut T {
    debug_assert!(t.is_contiguous());
    super::operands::host_ptr(t) as *mut T
}

/// Cross entropy forward: per-row `loss` and `lse`; returns the mean's divisor (sum of the
/// targets' weights over rows not ignored), or IndexError for a target out of range.
pub fn cross_entropy_forward(x: &Tensor, target: &Tensor, weight: Option<&Tensor>, ce: Ce, loss: &Tensor, lse: &Tensor) -> Result<f64> {
    if x.device() != Device::Cpu {
        let mut t = Trip::default();
        let (xi, ti, wi, li, si) = (t.read(x), t.read(target), t.read_opt(weight), t.write(loss), t.write(lse));
        return t.run("cross_entropy_forward", |h| cross_entropy_forward(&h[xi], &h[ti], opt(h, wi), ce, &h[li], &h[si]));
    }
    cpu_only(&[x, target, loss, lse])?;
    // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
    let r = dispatch_float!(x.dtype(), T => unsafe {
        cross_entropy::forward::<T>(ptr(x), ptr(target), weight.map(ptr::<T>).map(|p| p as *const T), ce, ptr(loss), ptr(lse))
    }, _ => return Err(float_only("log_softmax_lastdim_kernel_impl", x.dtype())));
    r.map_err(|t| Error::Index(format!("Target {t} is out of bounds.")))
}

/// Cross entropy backward into `dx`, each row scaled by `gscale` (one value broadcast to all
/// rows when it has one element).
pub fn cross_entropy_backward(x: &Tensor, target: &Tensor, weight: Option<&Tensor>, lse: &Tensor, gscale: &Tensor, ce: Ce, dx: &Tensor) -> Result<()> {
    if x.device() != Device::Cpu {
        let mut t = Trip::default();
        let (xi, ti, wi, li, gi, di) = (t.read(x), t.read(target), t.read_opt(weight), t.read(lse), t.read(gscale), t.write(dx));
        return t.run("cross_entropy_backward", |h| cross_entropy_backward(&h[xi], &h[ti], opt(h, wi), &h[li], &h[gi], ce, &h[di]));
    }
    cpu_only(&[x, target, lse, gscale, dx])?;
    let stride = if gscale.numel() == 1 { 0 } else { 1 };
    // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
    dispatch_float!(x.dtype(), T => unsafe {
        cross_entropy::backward::<T>(ptr(x), ptr(target), weight.map(ptr::<T>).map(|p| p as *const T), ptr(lse), ptr(gscale), stride, ce, ptr(dx))
    }, _ => return Err(float_only("log_softmax_backward_cpu", x.dtype())));
    Ok(())
}

/// Layer norm forward over rows of `n`: `y`, and each row's `mean` and `rstd`.
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_forward(x: &Tensor, w: Option<&Tensor>, b: Option<&Tensor>, rows: usize, n: usize, eps: f64, y: &Tensor, mean: &Tensor, rstd: &Tensor) -> Result<()> {
    if x.device() != Device::Cpu {
        let mut t = Trip::default();
        let (xi, wi, bi, yi, mi, ri) = (t.read(x), t.read_opt(w), t.read_opt(b), t.write(y), t.write(mean), t.write(rstd));
        return t.run("layer_norm_forward", |h| layer_norm_forward(&h[xi], opt(h, wi), opt(h, bi), rows, n, eps, &h[yi], &h[mi], &h[ri]));
    }
    cpu_only(&[x, y, mean, rstd])?;
    // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
    dispatch_float!(x.dtype(), T => unsafe {
        layer_norm::forward::<T>(ptr(x), w.map(|t| ptr::<T>(t) as *const T), b.map(|t| ptr::<T>(t) as *const T), rows, n, eps, ptr(y), ptr(mean), ptr(rstd))
    }, _ => return Err(float_only("LayerNormKernelImpl", x.dtype())));
    Ok(())
}

/// Layer norm backward: `dx`, and `dw` / `db` when given.
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(g: &Tensor, x: &Tensor, mean: &Tensor, rstd: &Tensor, w: Option<&Tensor>, rows: usize, n: usize, dx: &Tensor, dw: Option<&Tensor>, db: Option<&Tensor>) -> Result<()> {
    if x.device() != Device::Cpu {
        let mut t = Trip::default();
        let (gi, xi, mi, ri, wi) = (t.read(g), t.read(x), t.read(mean), t.read(rstd), t.read_opt(w));
        let (di, dwi, dbi) = (t.write(dx), t.write_opt(dw), t.write_opt(db));
        return t.run("layer_norm_backward", |h| layer_norm_backward(&h[gi], &h[xi], &h[mi], &h[ri], opt(h, wi), rows, n, &h[di], opt(h, dwi), opt(h, dbi)));
    }
    cpu_only(&[g, x, mean, rstd, dx])?;
    // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
    dispatch_float!(x.dtype(), T => unsafe {
        layer_norm::backward::<T>(ptr(g), ptr(x), ptr(mean), ptr(rstd), w.map(|t| ptr::<T>(t) as *const T), rows, n, ptr(dx), dw.map(ptr::<T>), db.map(ptr::<T>))
    }, _ => return Err(float_only("LayerNormBackwardKernelImpl", x.dtype())));
    Ok(())
}

/// im2col of contiguous (N, C, H, W) `x` into (N, C*kh*kw, OH*OW) `cols`.
pub fn im2col(x: &Tensor, n: usize, g: &Geometry, cols: &Tensor) -> Result<()> {
    if x.device() != Device::Cpu {
        return round_trip("im2col", &[x, cols], &[false, true], |h| im2col(&h[0], n, g, &h[1]));
    }
    cpu_only(&[x, cols])?;
    // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
    dispatch_dtype!(x.dtype(), T => unsafe { im2col::im2col::<T>(ptr(x), n, g, ptr(cols)) });
    Ok(())
}

/// col2im of (N, C*kh*kw, OH*OW) `cols` into (N, C, H, W) `x` (overwritten).
pub fn col2im(cols: &Tensor, n: usize, g: &Geometry, x: &Tensor) -> Result<()> {
    if x.device() != Device::Cpu {
        return round_trip("col2im", &[cols, x], &[false, true], |h| col2im(&h[0], n, g, &h[1]));
    }
    cpu_only(&[x, cols])?;
    match x.dtype() {
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::F32 => unsafe { im2col::col2im::<f32>(ptr(cols), n, g, ptr(x)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::F64 => unsafe { im2col::col2im::<f64>(ptr(cols), n, g, ptr(x)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::I32 => unsafe { im2col::col2im::<i32>(ptr(cols), n, g, ptr(x)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::I64 => unsafe { im2col::col2im::<i64>(ptr(cols), n, g, ptr(x)) },
        DType::Bool => return Err(float_only("col2im_out_cpu", DType::Bool)),
    }
    Ok(())
}

/// Max pooling of contiguous planes: values and flat indices.
pub fn max_pool2d(x: &Tensor, planes: usize, g: &Geometry, out: &Tensor, idx: &Tensor) -> Result<()> {
    if x.device() != Device::Cpu {
        return round_trip("max_pool2d", &[x, out, idx], &[false, true, true], |h| max_pool2d(&h[0], planes, g, &h[1], &h[2]));
    }
    cpu_only(&[x, out, idx])?;
    match x.dtype() {
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::F32 => unsafe { pool::max_pool2d::<f32>(ptr(x), planes, g, ptr(out), ptr(idx)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::F64 => unsafe { pool::max_pool2d::<f64>(ptr(x), planes, g, ptr(out), ptr(idx)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::I32 => unsafe { pool::max_pool2d::<i32>(ptr(x), planes, g, ptr(out), ptr(idx)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::I64 => unsafe { pool::max_pool2d::<i64>(ptr(x), planes, g, ptr(out), ptr(idx)) },
        DType::Bool => return Err(float_only("max_pool2d", DType::Bool)),
    }
    Ok(())
}

/// Max pooling's backward: the output gradient added at the saved indices of zeroed planes.
pub fn max_pool2d_backward(g: &Tensor, idx: &Tensor, planes: usize, out_per_plane: usize, in_per_plane: usize, dx: &Tensor) -> Result<()> {
    if g.device() != Device::Cpu {
        return round_trip("max_pool2d_backward", &[g, idx, dx], &[false, false, true], |h| max_pool2d_backward(&h[0], &h[1], planes, out_per_plane, in_per_plane, &h[2]));
    }
    cpu_only(&[g, idx, dx])?;
    match g.dtype() {
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::F32 => unsafe { pool::max_pool2d_backward::<f32>(ptr(g), ptr(idx), planes, out_per_plane, in_per_plane, ptr(dx)) },
        // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
        DType::F64 => unsafe { pool::max_pool2d_backward::<f64>(ptr(g), ptr(idx), planes, out_per_plane, in_per_plane, ptr(dx)) },
        other => return Err(float_only("max_pool2d_with_indices_backward", other)),
    }
    Ok(())
}

/// `out = g where x > threshold, else 0` (contiguous, same shape and dtype).
pub fn threshold_backward(g: &Tensor, x: &Tensor, threshold: f64, out: &Tensor) -> Result<()> {
    if x.device() != Device::Cpu {
        return super::gpu_arm!("threshold_backward", {
            // out = where(x > threshold, g, 0): a compare and a masked fill on the device
            use super::gpu_operands::view;
            use crate::gpu::kernels::map;
            let keep = Tensor::empty_on(x.shape(), DType::Bool, x.device())?;
            let ((xb, xl), (kb, kl), (gb, gl), (ob, ol)) = (view(x)?, view(&keep)?, view(g)?, view(out)?);
            map::binary_scalar(crate::kinds::BinaryOp::Le, x.dtype(), xb, &xl, crate::dtype::Scalar::Float(threshold), false, kb, &kl)?;
            map::masked_fill(out.dtype(), gb, &gl, kb, &kl, crate::dtype::Scalar::Int(0), ob, &ol)
        });
    }
    cpu_only(&[g, x, out])?;
    let n = out.numel();
    // SAFETY: contiguous host tensors whose shapes and dtype the op checked against the geometry; outputs are fresh
    dispatch_dtype!(x.dtype(), T => unsafe {
        activation::threshold_backward::<T>(ptr(g), ptr(x), <T as crate::cpu::Element>::from_f64(threshold), n, ptr(out))
    });
    Ok(())
}
