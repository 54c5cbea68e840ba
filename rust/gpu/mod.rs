//! The GPU backend: wgpu compute with WGSL shaders, so the same code runs on any Vulkan, Metal or
//! DX12 adapter (and on lavapipe, a Vulkan driver on the CPU, in CI).
//!
//! - `context.rs`: the process's adapter, device and queue, made on first use; error handling.
//! - `buffer.rs`: [`GpuBuffer`] (one tensor's device memory), its size-class pool, the counters.
//! - `stream.rs`: the command stream (batched dispatches, in-stream uploads, readback, status).
//! - `pipeline.rs`: compiled-pipeline and bind-group caches; [`pipeline::run`] records a dispatch.
//! - `meta.rs`: the per-dispatch metadata layout (shared with WGSL), dim merging.
//! - `source.rs`: the shader files and the one function that fills their placeholders.
//! - `transfer.rs`: upload / readback / synchronize.
//! - `kernels/`: the entry points the backend seam calls, one per primitive.
//!
//! Like `cpu/`, this layer never sees a `Tensor`: kernels take buffers and [`Layout`]s.
//!
//! [`Layout`]: crate::layout::Layout

pub mod buffer;
pub mod context;
pub mod kernels;
pub mod meta;
pub mod pipeline;
pub mod source;
pub mod stream;
pub mod transfer;

pub use buffer::GpuBuffer;
pub use source::{shader_source, ShaderKey};
pub use transfer::{read, synchronize, upload, write};

use std::sync::atomic::Ordering;

/// Whether a usable GPU is present (`rgrad.gpu.is_available()`); opens it on first call.
pub fn is_available() -> bool {
    context::availability().is_ok()
}

/// `Ok(())` when a GPU is usable, else the reason (no driver, no adapter, no 64-bit integers).
pub fn availability() -> std::result::Result<(), String> {
    context::availability().map(|_| ())
}

/// Whether the GPU stores float64 (Vulkan adapters with SHADER_F64; not Metal or DX12).
pub fn has_f64() -> bool {
    context::availability().is_ok_and(|c| c.has_f64())
}

/// The adapter's name (`rgrad.gpu.get_device_name()`).
pub fn device_name() -> crate::Result<String> {
    Ok(context::context()?.adapter_name().to_string())
}

/// GPUs rgrad can use: 1 when one is available (rgrad opens one device, `gpu:0`), else 0.
pub fn device_count() -> usize {
    usize::from(is_available())
}

/// How many adapters with 64-bit integer support the system has (rgrad uses one of them).
pub fn adapter_count() -> usize {
    context::availability().map_or(0, |c| c.usable_adapters)
}

/// Bytes of device memory held by live tensors (size classes; `torch.cuda.memory_allocated`).
pub fn memory_allocated() -> u64 {
    context::availability().map_or(0, |c| c.counters.allocated.load(Ordering::Relaxed))
}

/// Bytes held by live tensors plus the pool (`torch.cuda.memory_reserved`).
pub fn memory_reserved() -> u64 {
    context::availability().map_or(0, |c| c.counters.allocated.load(Ordering::Relaxed) + c.counters.pooled.load(Ordering::Relaxed))
}

/// Releases pooled buffers (`torch.cuda.empty_cache`); live tensors keep theirs.
pub fn empty_cache() -> crate::Result<()> {
    if let Ok(ctx) = context::availability() {
        ctx.stream.lock().submit(ctx)?;
        buffer::empty_pool(ctx);
    }
    Ok(())
}

/// Host-to-device and device-to-host copies of tensor data so far: (uploads, downloads).
pub fn transfer_counts() -> (u64, u64) {
    context::availability().map_or((0, 0), |c| (c.counters.uploads.load(Ordering::Relaxed), c.counters.downloads.load(Ordering::Relaxed)))
}

/// Compiled pipelines so far (tests check that the cache is used).
pub fn pipeline_count() -> usize {
    context::availability().map_or(0, |c| c.cache.lock().pipeline_count())
}
