//! Host <-> device copies of tensor data, the only way data crosses (each one counted, so a test
//! can assert that a training step made none). Host bytes are in rgrad's CPU layout (bool one
//! byte); on the device bool is one u32 per element, converted here.

use super::buffer::GpuBuffer;
use super::context::context;
use super::kernels::{check_bounds, check_dtype, map};
use super::source::gpu_elem_size;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::Layout;

/// Host bytes of `dtype` in the device's element format (bool widened to u32), padded to 4.
fn to_device_format(bytes: &[u8], dtype: DType) -> Vec<u8> {
    let mut v = if dtype == DType::Bool { bytes.iter().flat_map(|&b| ((b != 0) as u32).to_le_bytes()).collect() } else { bytes.to_vec() };
    v.resize(v.len().div_ceil(4) * 4, 0);
    v
}

/// A new device buffer holding `bytes` (row-major elements of `dtype`, as the CPU stores them).
pub fn upload(bytes: &[u8], dtype: DType) -> Result<GpuBuffer> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    if !bytes.len().is_multiple_of(dtype.size()) {
        return Err(Error::Runtime(format!("upload: {} bytes is not a whole number of {dtype} elements", bytes.len())));
    }
    let n = bytes.len() / dtype.size();
    let buf = GpuBuffer::new((n * gpu_elem_size(dtype)) as u64)?;
    write(&buf, 0, bytes, dtype)?;
    Ok(buf)
}

/// Overwrites elements `elem_offset..` of `buf` with `bytes` (elements of `dtype`), in stream
/// order (after every kernel already recorded).
pub fn write(buf: &GpuBuffer, elem_offset: usize, bytes: &[u8], dtype: DType) -> Result<()> {
    let ctx = context()?;
    let n = bytes.len() / dtype.size();
    check_bounds(buf, &Layout { shape: [n].as_slice().into(), strides: [1isize].as_slice().into(), offset: elem_offset }, dtype)?;
    let data = to_device_format(bytes, dtype);
    let at = (elem_offset * gpu_elem_size(dtype)) as u64;
    if !at.is_multiple_of(4) {
        return Err(Error::Runtime("upload: offset not 4-byte aligned".into()));
    }
    // The padding (to 4 bytes) may only spill into the buffer's own slack, never past it.
    if at + data.len() as u64 > buf.capacity() {
        return Err(Error::Runtime("upload: data runs past the buffer".into()));
    }
    ctx.stream.lock().upload(ctx, buf.raw(), at, &data)
}

/// The elements of `buf`'s view `layout`, row-major, as host bytes of `dtype` (bool one byte).
/// Waits for every kernel recorded so far; a failure one of them reported is the `Err`.
pub fn read(buf: &GpuBuffer, layout: &Layout, dtype: DType) -> Result<Vec<u8>> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(buf, layout, dtype)?;
    let n = layout.numel();
    let es = gpu_elem_size(dtype);
    let raw = if layout.is_contiguous() || n <= 1 {
        ctx.stream.lock().read(ctx, buf.raw(), (layout.offset * es) as u64, (n * es) as u64)?
    } else {
        let tmp = GpuBuffer::new((n * es) as u64)?;
        let tl = Layout::contiguous(&layout.shape);
        map::copy_cast(buf, layout, dtype, &tmp, &tl, dtype)?;
        ctx.stream.lock().read(ctx, tmp.raw(), 0, (n * es) as u64)?
    };
    Ok(if dtype == DType::Bool { raw.chunks_exact(4).map(|w| (w[0] != 0) as u8).collect() } else { raw })
}

/// Blocks until the device has run everything recorded (`rgrad.gpu.synchronize()`); reports a
/// failure a kernel recorded (see stream.rs) as the `Err`.
pub fn synchronize() -> Result<()> {
    let ctx = context()?;
    let mut s = ctx.stream.lock();
    s.wait(ctx)?;
    s.check_status(ctx)
}

/// Waits for every recorded kernel and returns the out-of-range index an indexing kernel
/// recorded, if any (then forgotten), so the op can raise the error the CPU raises.
pub fn take_index_error() -> Result<Option<i64>> {
    let ctx = context()?;
    ctx.stream.lock().take_index_error(ctx)
}
