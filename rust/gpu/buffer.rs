//! Device buffers and their pool.
//!
//! A [`GpuBuffer`] is the storage of one GPU tensor: untyped bytes (bool as one u32 per
//! element, see `dtypes.rs`). When it dies its wgpu buffer goes back to a pool keyed by size
//! class (4 classes per power of two, so at most 25% is wasted) and the next allocation of that
//! class reuses it; the GPU executes in submission order, so a reused buffer is never written
//! before the commands that read its previous contents have run. Each wgpu buffer keeps one id
//! for its whole life, which is what bind groups are cached by (`pipeline.rs`).

use super::context::{context, from_wgpu, Context};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Every tensor buffer can be bound as storage and copied both ways.
const USAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC).union(wgpu::BufferUsages::COPY_DST);
/// Smallest size class: small tensors share one class instead of fragmenting the pool.
const MIN_CLASS: u64 = 256;

/// The bytes actually allocated for a request of `bytes`.
pub fn size_class(bytes: u64) -> u64 {
    if bytes <= MIN_CLASS {
        return MIN_CLASS;
    }
    let p = bytes.next_power_of_two();
    let (half, step) = (p / 2, p / 8);
    half + (bytes - half).div_ceil(step) * step
}

/// Byte and transfer counters (`rgrad.gpu.memory_allocated` etc.).
#[derive(Default)]
pub struct Counters {
    /// Bytes in buffers owned by live tensors (size classes, as PyTorch counts blocks).
    pub allocated: AtomicU64,
    /// Bytes in pooled buffers waiting for reuse.
    pub pooled: AtomicU64,
    /// Host-to-device copies of tensor data.
    pub uploads: AtomicU64,
    /// Device-to-host copies of tensor data.
    pub downloads: AtomicU64,
}

/// Free buffers by size class, each with the id it was created with.
#[derive(Default)]
pub(crate) struct Pool {
    free: HashMap<u64, Vec<(u64, wgpu::Buffer)>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One tensor's device memory. Dropping it returns the memory to the pool.
pub struct GpuBuffer {
    buf: wgpu::Buffer,
    id: u64,
    bytes: u64,
    class: u64,
}

impl std::fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GpuBuffer(id {}, {} bytes)", self.id, self.bytes)
    }
}

impl GpuBuffer {
    /// A buffer of at least `bytes` bytes with unspecified contents (a reused buffer keeps what
    /// its last owner wrote). Errors: a size past the adapter's binding limit (RuntimeError
    /// naming both sizes) or device memory exhausted even after emptying the pool (MemoryError).
    pub fn new(bytes: u64) -> Result<GpuBuffer> {
        let ctx = context()?;
        let limit = ctx.max_binding_bytes();
        if bytes > limit {
            return Err(Error::Runtime(format!(
                "a GPU tensor of {bytes} bytes is larger than the adapter's largest storage binding ({limit} bytes) on '{}'",
                ctx.adapter_name()
            )));
        }
        let class = size_class(bytes).min(limit.max(MIN_CLASS));
        if let Some((id, buf)) = ctx.pool.lock().free.get_mut(&class).and_then(|v| v.pop()) {
            ctx.counters.pooled.fetch_sub(class, Ordering::Relaxed);
            ctx.counters.allocated.fetch_add(class, Ordering::Relaxed);
            return Ok(GpuBuffer { buf, id, bytes, class });
        }
        let buf = match create(ctx, class) {
            Ok(b) => b,
            Err(Error::Memory(_)) => {
                // Out of memory: finish queued work (it may hold the last references to freed
                // buffers), drop every pooled buffer, and try once more.
                ctx.stream.lock().wait(ctx)?;
                empty_pool(ctx);
                create(ctx, class).map_err(|e| match e {
                    Error::Memory(_) => Error::Memory(format!(
                        "GPU out of memory: cannot allocate {bytes} bytes on '{}' ({} bytes in use by tensors)",
                        ctx.adapter_name(),
                        ctx.counters.allocated.load(Ordering::Relaxed)
                    )),
                    other => other,
                })?
            }
            Err(e) => return Err(e),
        };
        ctx.counters.allocated.fetch_add(class, Ordering::Relaxed);
        Ok(GpuBuffer { buf, id: NEXT_ID.fetch_add(1, Ordering::Relaxed), bytes, class })
    }

    /// A buffer of at least `bytes` bytes, all zero (the clear is recorded in the command stream).
    pub fn zeroed(bytes: u64) -> Result<GpuBuffer> {
        let b = GpuBuffer::new(bytes)?;
        let ctx = context()?;
        ctx.stream.lock().clear(ctx, &b.buf, 0, b.class);
        Ok(b)
    }

    /// The size asked for, in bytes.
    pub fn len_bytes(&self) -> u64 {
        self.bytes
    }
    /// The size allocated (the size class), in bytes; kernels may touch up to here.
    pub fn capacity(&self) -> u64 {
        self.class
    }
    /// A number that names this device buffer for as long as it exists (bind-group cache key).
    pub fn id(&self) -> u64 {
        self.id
    }
    pub(crate) fn raw(&self) -> &wgpu::Buffer {
        &self.buf
    }
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        if let Ok(ctx) = context() {
            ctx.counters.allocated.fetch_sub(self.class, Ordering::Relaxed);
            ctx.counters.pooled.fetch_add(self.class, Ordering::Relaxed);
            ctx.pool.lock().free.entry(self.class).or_default().push((self.id, self.buf.clone()));
        }
    }
}

fn create(ctx: &Context, size: u64) -> Result<wgpu::Buffer> {
    let oom = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let invalid = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
    let buf = ctx.device.create_buffer(&wgpu::BufferDescriptor { label: Some("rgrad tensor"), size, usage: USAGE, mapped_at_creation: false });
    let bad = pollster::block_on(invalid.pop());
    let out = pollster::block_on(oom.pop());
    if let Some(e) = out.or(bad) {
        return Err(from_wgpu(e, &format!("allocating {size} bytes")));
    }
    Ok(buf)
}

/// Frees every pooled buffer (`rgrad.gpu.empty_cache()`); live tensors keep theirs.
pub(crate) fn empty_pool(ctx: &Context) {
    let freed: Vec<(u64, wgpu::Buffer)> = ctx.pool.lock().free.drain().flat_map(|(_, v)| v).collect();
    let bytes: u64 = freed.iter().map(|(_, b)| b.size()).sum();
    ctx.counters.pooled.fetch_sub(bytes, Ordering::Relaxed);
    ctx.cache.lock().forget_buffers(&freed.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    // Dropped, not destroyed: wgpu frees each one once no recorded or running command uses it.
    drop(freed);
}
