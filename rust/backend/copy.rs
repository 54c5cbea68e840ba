//! Strided copies with dtype conversion: `contiguous`, `to(dtype)`, `to(device)`, `copy_`,
//! writes into views, and the block copies of `cat`.

use super::gpu_arm;
use super::operands::{host_ptr, operand, operand_as};
use crate::cpu::iter::Plan;
use crate::cpu::{index as kern, kernels};
use crate::device::Device;
use crate::error::Result;
use crate::tensor::Tensor;

/// `dst[...] = src[...]` elementwise, `src` broadcast to `dst`'s shape and converted to its
/// dtype (C conversion rules). The two may be on different devices (an upload or a readback).
/// `src` must not overlap `dst` unless both are the same view.
pub fn copy(dst: &Tensor, src: &Tensor) -> Result<()> {
    match (dst.device(), src.device()) {
        (Device::Cpu, Device::Cpu) => {
            let plan = Plan::<2>::new(dst.shape(), [operand(dst), operand_as(src, dst.shape())?]);
            kernels::copy_cast(&plan, dst.dtype(), src.dtype());
            Ok(())
        }
        _ => gpu_arm!("copy", gpu::copy(dst, src)),
    }
}

/// `cat` of contiguous parts of `out`'s dtype along `dim` into the fresh contiguous `out`:
/// for each outer row, each part's block in turn, as one parallel pass of block copies.
pub fn cat_contiguous(out: &Tensor, parts: &[&Tensor], dim: usize) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let shape = out.shape();
            let esz = out.dtype().size();
            let outer: usize = shape[..dim].iter().product();
            let inner: usize = shape[dim + 1..].iter().product();
            let srcs: Vec<*const u8> = parts.iter().map(|t| host_ptr(t) as *const u8).collect();
            let bytes: Vec<usize> = parts.iter().map(|t| t.shape()[dim] * inner * esz).collect();
            // SAFETY: `out` is fresh and holds outer * total * inner elements; each part is
            // contiguous with outer * len * inner elements of the same size.
            unsafe { kern::cat_blocks(host_ptr(out), outer, &srcs, &bytes) };
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("cat", gpu::cat(out, parts, dim)),
    }
}

/// The GPU arms. Between devices, data crosses in one counted transfer each way: an upload
/// writes the host values (converted to the destination dtype on the host first) into a device
/// buffer, a readback reads the view row-major and the CPU copy finishes the job.
#[cfg(feature = "gpu")]
mod gpu {
    use super::super::gpu_operands::{buf, host_scalar, view, view_as};
    use super::super::host::{read_bytes, upload_bytes};
    use crate::device::Device;
    use crate::error::Result;
    use crate::gpu::kernels::map;
    use crate::gpu::transfer;
    use crate::layout::Layout;
    use crate::tensor::Tensor;

    pub(super) fn copy(dst: &Tensor, src: &Tensor) -> Result<()> {
        match (dst.device(), src.device()) {
            (Device::Gpu(_), Device::Gpu(_)) => {
                let ((db, dl), (sb, sl)) = (view(dst)?, view_as(src, dst.shape())?);
                map::copy_cast(sb, &sl, src.dtype(), db, &dl, dst.dtype())
            }
            (Device::Gpu(_), Device::Cpu) => upload(dst, src),
            (Device::Cpu, _) => {
                // readback: the view's elements row-major, then a host copy (cast, broadcast)
                let bytes = transfer::read(buf(src)?, src.layout(), src.dtype())?;
                let h = Tensor::empty_on(src.shape(), src.dtype(), Device::Cpu)?;
                upload_bytes(&h, &bytes)?;
                super::copy(dst, &h)
            }
        }
    }

    /// Host values into a GPU view: a 0-d value is a fill kernel (no transfer); otherwise the
    /// values, converted to `dst`'s dtype on the host, are written into `dst` when it is a
    /// contiguous view of `src`'s shape, else into a fresh buffer that a copy kernel spreads.
    fn upload(dst: &Tensor, src: &Tensor) -> Result<()> {
        if let Some(v) = host_scalar(src)? {
            return super::super::fill(dst, v);
        }
        let host = if src.dtype() == dst.dtype() && src.is_contiguous() {
            src.clone()
        } else {
            let h = Tensor::empty_on(src.shape(), dst.dtype(), Device::Cpu)?;
            super::copy(&h, src)?;
            h
        };
        let bytes = read_bytes(&host)?;
        let (db, dl) = view(dst)?;
        if dst.shape() == src.shape() && dst.is_contiguous() {
            return transfer::write(db, dl.offset, &bytes, dst.dtype());
        }
        let staged = transfer::upload(&bytes, dst.dtype())?;
        let sl = Layout::contiguous(src.shape()).broadcast_to(dst.shape())?;
        map::copy_cast(&staged, &sl, dst.dtype(), db, &dl, dst.dtype())
    }

    /// Each part's block copied into its slice of `out` along `dim`.
    pub(super) fn cat(out: &Tensor, parts: &[&Tensor], dim: usize) -> Result<()> {
        let (ob, ol) = view(out)?;
        let mut at = 0usize;
        for p in parts {
            let len = p.shape()[dim];
            if p.numel() > 0 {
                let slot = ol.slice(dim, at as isize, len, 1);
                let (pb, pl) = view(p)?;
                map::copy_cast(pb, &pl, p.dtype(), ob, &slot, out.dtype())?;
            }
            at += len;
        }
        Ok(())
    }
}
