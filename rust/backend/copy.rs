//! Strided copies with dtype conversion: `contiguous`, `to(dtype)`, `to(device)`, `copy_`,
//! writes into views, and the block copies of `cat`.

use super::no_kernels;
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
        (d @ Device::Gpu(_), _) | (_, d @ Device::Gpu(_)) => Err(no_kernels(d, "copy")),
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
        d @ Device::Gpu(_) => Err(no_kernels(d, "cat")),
    }
}
