//! How a tensor reaches a GPU kernel: its device buffer and its layout (shape, element strides,
//! storage offset), the same view description the CPU kernels get as pointers and byte strides.
//! Only the GPU arms of the backend's primitives call these.

use crate::device::Device;
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::gpu::GpuBuffer;
use crate::layout::Layout;
use crate::storage::Buffer;
use crate::tensor::Tensor;

/// `t`'s device buffer; an error (not a panic) for a tensor in host memory, which the ops
/// layer's device checks keep from getting here except as a 0-d operand ([`lift`] handles those).
#[inline]
pub(crate) fn buf(t: &Tensor) -> Result<&GpuBuffer> {
    match t.storage().buffer() {
        Buffer::Gpu(b) => Ok(b),
        Buffer::Cpu(_) => Err(Error::Runtime(format!(
            "Expected all tensors to be on the same device, but found a {} tensor of shape {:?} on cpu in a GPU kernel",
            t.dtype(),
            t.shape()
        ))),
    }
}

/// `t`'s buffer and its own layout.
#[inline]
pub(crate) fn view(t: &Tensor) -> Result<(&GpuBuffer, Layout)> {
    Ok((buf(t)?, t.layout().clone()))
}

/// `t`'s buffer and its layout broadcast to `shape` (stride 0 on broadcast dims).
#[inline]
pub(crate) fn view_as<'a>(t: &'a Tensor, shape: &[usize]) -> Result<(&'a GpuBuffer, Layout)> {
    let l = if t.shape() == shape { t.layout().clone() } else { t.layout().broadcast_to(shape)? };
    Ok((buf(t)?, l))
}

/// `t` on `device`: itself when it is there; a 0-d CPU tensor (a Python number, which PyTorch
/// lets join tensors of any device) becomes a 0-d tensor on `device`, written by a fill kernel
/// from the value it holds (host memory, so no device readback and no upload).
pub(crate) fn lift(t: &Tensor, device: Device) -> Result<Tensor> {
    if t.device() == device {
        return Ok(t.clone());
    }
    if t.rank() != 0 || t.device() != Device::Cpu {
        return Err(Error::Runtime(format!("Expected all tensors to be on the same device, but found at least two devices, {device} and {}!", t.device())));
    }
    let v: Scalar = super::read_scalar(t)?;
    let g = Tensor::empty_on(&[], t.dtype(), device)?;
    super::fill(&g, v)?;
    Ok(g)
}

/// The value of a 0-d tensor in host memory, if `t` is one (a Python number operand), so a
/// kernel can take it as a scalar in its metadata instead of as a buffer.
pub(crate) fn host_scalar(t: &Tensor) -> Result<Option<Scalar>> {
    if t.device() == Device::Cpu && t.numel() == 1 && t.rank() == 0 {
        return super::read_scalar(t).map(Some);
    }
    Ok(None)
}
