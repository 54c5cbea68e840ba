//! Data crossing between host memory and a tensor's device: uploads of host values, the
//! user's readbacks (`tolist`, `item`, `numpy` copies), and the one call through which the ops
//! layer looks at data on the host ([`read_scalar`] / [`read_small`]).

use super::gpu_arm;
use super::operands::{dense, host_ptr};
use crate::device::Device;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// Copies host values into the fresh contiguous `t` (of `T`'s dtype and `data.len()` elements).
pub fn upload<T: Element>(t: &Tensor, data: &[T]) -> Result<()> {
    if !(dense(t) && t.dtype() == T::DTYPE && t.numel() == data.len()) {
        return Err(Error::Runtime(format!("upload: {} values of {} into a {} tensor of {} elements", data.len(), T::DTYPE, t.dtype(), t.numel())));
    }
    match t.device() {
        Device::Cpu => {
            // SAFETY: `t` holds `data.len()` contiguous elements of `T`, and is fresh
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), host_ptr(t) as *mut T, data.len()) };
            Ok(())
        }
        Device::Gpu(_) => {
            // SAFETY: `data` is `data.len()` initialised elements of `T`, viewed as their bytes
            let bytes = unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u8, std::mem::size_of_val(data)) };
            upload_bytes(t, bytes)
        }
    }
}

/// The raw bytes of the contiguous `t`, in host memory, in the CPU's byte order (what a
/// file format stores, e.g. safetensors; bool is one byte, 0 or 1).
pub fn read_bytes(t: &Tensor) -> Result<Vec<u8>> {
    debug_assert!(dense(t));
    match t.device() {
        Device::Cpu => {
            let n = t.numel() * t.dtype().size();
            // SAFETY: `t` holds `n` contiguous bytes
            Ok(unsafe { std::slice::from_raw_parts(host_ptr(t) as *const u8, n) }.to_vec())
        }
        Device::Gpu(_) => gpu_arm!("read_bytes", crate::gpu::transfer::read(super::gpu_operands::buf(t)?, t.layout(), t.dtype())),
    }
}

/// Copies raw bytes into the fresh contiguous `t` (the inverse of [`read_bytes`]). The caller
/// has checked that they are valid values of `t`'s dtype (a bool byte is 0 or 1).
pub fn upload_bytes(t: &Tensor, data: &[u8]) -> Result<()> {
    if !(dense(t) && t.numel() * t.dtype().size() == data.len()) {
        return Err(Error::Runtime(format!("upload: {} bytes into a {} tensor of {} elements", data.len(), t.dtype(), t.numel())));
    }
    match t.device() {
        Device::Cpu => {
            // SAFETY: `t` holds `data.len()` contiguous bytes, and is fresh
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), host_ptr(t), data.len()) };
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("upload_bytes", crate::gpu::transfer::write(super::gpu_operands::buf(t)?, t.storage_offset(), data, t.dtype())),
    }
}

/// Returns freed large buffers the allocators keep for reuse to the system.
pub fn empty_cache() {
    crate::cpu::alloc::empty_cache()
}

/// Blocks until the GPU has run every kernel recorded so far (`rgrad.gpu.synchronize()`); an
/// error a kernel reported (an index out of range, an integer division by zero) is the `Err`.
/// A no-op without a GPU.
pub fn synchronize(device: Device) -> Result<()> {
    match device {
        Device::Cpu => Ok(()),
        Device::Gpu(_) => gpu_arm!("synchronize", crate::gpu::synchronize()),
    }
}

/// A new contiguous tensor of `shape` on `device` holding host values (the backend's own
/// outputs whose contents it computed on the host).
pub(crate) fn from_host<T: Element>(data: &[T], shape: &[usize], device: Device) -> Result<Tensor> {
    if crate::shape::numel(shape) != data.len() {
        return Err(Error::Runtime(format!("{} values for a tensor of shape {}", data.len(), crate::shape::fmt_shape(shape))));
    }
    let t = Tensor::empty_on(shape, T::DTYPE, device)?;
    upload(&t, data)?;
    Ok(t)
}

/// The elements of the contiguous `t` (of `T`'s dtype), in order, in host memory: what the
/// user asks for (`tolist`, `to_vec`, printing), not what ops use to decide things.
pub fn read_all<T: Element>(t: &Tensor) -> Result<Vec<T>> {
    debug_assert!(dense(t) && t.dtype() == T::DTYPE);
    match t.device() {
        Device::Cpu => {
            let n = t.numel();
            let mut v = Vec::with_capacity(n);
            // SAFETY: `t` holds `n` contiguous elements of `T`
            unsafe {
                std::ptr::copy_nonoverlapping(host_ptr(t) as *const T, v.as_mut_ptr(), n);
                v.set_len(n);
            }
            Ok(v)
        }
        Device::Gpu(_) => {
            let bytes = read_bytes(t)?;
            let n = t.numel();
            let mut v: Vec<T> = Vec::with_capacity(n);
            // SAFETY: `bytes` holds `n` elements of `T` in host format (bool one byte, 0 or 1)
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), v.as_mut_ptr() as *mut u8, n * std::mem::size_of::<T>());
                v.set_len(n);
            }
            Ok(v)
        }
    }
}

/// Reads a one-element tensor back to the host ("read this small result back").
///
/// This and [`read_small`] are the only ways the ops layer (`rust/ops`) looks at tensor data
/// on the host. Each use is a point where an op's control flow or output size depends on the
/// data; a GPU backend answers it with one small readback (a sync point), so the list is kept
/// short, and here (docs/architecture.md §3 repeats it). Every caller:
///
/// - **Integer `pow`** (`ops/binary.rs`, `check_int_pow`): whether an integer exponent is
///   negative (one element read as is; more scanned by [`super::first_out_of_range`]).
/// - **Index bounds** through `ops::checks::first_out_of_range` ([`super::first_out_of_range`]
///   leaves `[found, first bad value]` in a two-element tensor, read with [`read_small`]):
///   `index_select`, `index_add`, `index_copy`, `take` / `put` (`ops/gather_scatter.rs`),
///   `normalized_index` (`ops/join.rs`), `searchsorted`'s sorter (`ops/sort_ops.rs`).
///   Kernels that check while they run (`gather_dim`, `scatter_dim`, `index_rows`) return the
///   first bad index as their result instead (a GPU backend: a flag read with `read_small`).
/// - **cumprod's zero check** (`ops/reduce_scan.rs`, cumprod's backward): `any(x == 0)`.
/// - **Data-dependent sizes**: [`super::count_true`] for `nonzero` and boolean masks
///   (`ops/masked.rs` `true_coords`; `ops/index.rs` `mask_select_leading`); `bincount`'s
///   negativity and largest value (`ops/sort_ops.rs`); `repeat_index`'s negativity, largest
///   count and sum (`ops/rearrange.rs`). (`unique` sizes its outputs inside [`super::unique`]:
///   the CPU computes in host memory; a GPU backend reads one count back with `read_small`.)
/// - **`histc` with min == max** (`ops/sort_ops.rs`): the data's NaN-ignoring min and max.
/// - **0-d tensors used as Python numbers**: a 0-d integer index or bool mask (`ops/index.rs`
///   `resolve`), `x[mask] = v`'s value (`ops/index.rs`), `clamp` bounds given as numbers and
///   `addcmul` / `addcdiv`'s `value` (`ops/elementwise.rs`), a single `repeat_interleave`
///   count (`ops/rearrange.rs`).
/// - **Whole-tensor answers**: `equal` and `allclose` (`ops/elementwise.rs`) read an `all`
///   reduction.
///
/// (`Tensor::item`, in `ops/copy.rs`, is the user's readback, not an op's decision.)
pub fn read_scalar(t: &Tensor) -> Result<Scalar> {
    if t.numel() != 1 {
        return Err(Error::Runtime(format!("a Tensor with {} elements cannot be converted to Scalar", t.numel())));
    }
    match t.device() {
        Device::Cpu => {
            let p = host_ptr(t);
            // SAFETY: `t` has one element of its dtype at `p`
            Ok(unsafe {
                match t.dtype() {
                    DType::Bool => Scalar::Bool(*(p as *const bool)),
                    DType::I32 => Scalar::Int(*(p as *const i32) as i64),
                    DType::I64 => Scalar::Int(*(p as *const i64)),
                    DType::F32 => Scalar::Float(*(p as *const f32) as f64),
                    DType::F64 => Scalar::Float(*(p as *const f64)),
                }
            })
        }
        Device::Gpu(_) => {
            let h = Tensor::empty_on(t.shape(), t.dtype(), Device::Cpu)?;
            super::copy(&h, t)?;
            read_scalar(&h)
        }
    }
}

/// Reads a small contiguous tensor of `T` back to the host: a handful of results an op
/// decides on (see [`read_scalar`] for every caller).
pub fn read_small<T: Element>(t: &Tensor) -> Result<Vec<T>> {
    debug_assert!(t.numel() <= 64, "read_small is for a handful of values");
    read_all(t)
}
