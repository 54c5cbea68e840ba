//! Storage: the bytes behind one or more tensor views, on one device.
//!
//! Views share a `Storage` through an `Arc`. Writes through any view are seen by
//! all of them (PyTorch semantics), so CPU bytes are reached through raw
//! pointers, never through `&mut [T]` that would claim exclusivity. The version
//! counter is bumped by every in-place write; autograd compares it with the
//! version it saw when it saved a tensor.
//!
//! The memory itself is a [`Buffer`]: one variant per device. Only the CPU variant has a
//! host address ([`Storage::host_ptr`]); the GPU backend adds a `Gpu` variant (behind the
//! `gpu` feature) whose bytes are reached through the backend only.

use crate::cpu::alloc;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

enum Owner {
    /// Allocated by `cpu::alloc`, returned there on drop.
    Allocated { cap: usize },
    /// Borrowed memory (a NumPy array's buffer); the box keeps its owner alive.
    External(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// Host memory: allocated here (through [`crate::cpu::alloc`], returned to its cache on drop)
/// or borrowed from another owner such as a NumPy array, which it keeps alive.
pub struct CpuBuffer {
    ptr: NonNull<u8>,
    owner: Owner,
    /// Borrowed buffers may be read-only on the NumPy side.
    writeable: bool,
}

impl CpuBuffer {
    /// Address of byte 0; writes through it are seen by every view.
    #[inline(always)]
    pub fn ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for CpuBuffer {
    fn drop(&mut self) {
        if let Owner::Allocated { cap } = self.owner {
            alloc::release(self.ptr, cap);
        }
    }
}

/// The device memory of a storage: one variant per device kind.
///
/// Code that reads or writes the bytes matches on this (through `Storage::buffer`); only
/// `rust/backend` does (plus the NumPy bridge and gradcheck, which are CPU-only by nature).
pub enum Buffer {
    /// Host memory.
    Cpu(CpuBuffer),
    /// Device memory of the GPU backend (elements in the device's format: bool as u32).
    #[cfg(feature = "gpu")]
    Gpu(crate::gpu::GpuBuffer),
}

/// A flat byte buffer on one device, shared by all views of it through `Arc<Storage>`
/// (PyTorch's `UntypedStorage`). It also holds the version counter that in-place writes bump
/// and autograd checks.
pub struct Storage {
    buffer: Buffer,
    nbytes: usize,
    version: AtomicU64,
}

// SAFETY: the buffer is plain memory (or a wgpu buffer, itself Send + Sync); concurrent access
// follows the same rules as PyTorch (callers must not race writes); the owner box is Send + Sync.
unsafe impl Send for Storage {}
// SAFETY: as for Send: shared references only read the pointer and the counters (atomics).
unsafe impl Sync for Storage {}

/// The error for memory asked of a device this build has no backend for.
#[cfg(not(feature = "gpu"))]
fn unavailable(device: Device) -> Error {
    match device.check_available() {
        Err(e) => e,
        Ok(()) => Error::Runtime(format!("rgrad cannot allocate memory on device '{device}'")),
    }
}

/// Bytes of `numel` elements of `dtype` in host format, or the overflow error.
fn byte_len(numel: usize, dtype: DType) -> Result<usize> {
    numel.checked_mul(dtype.size()).ok_or_else(|| Error::Memory(format!("cannot allocate {numel} elements of {dtype}: the size overflows")))
}

/// Bytes of `numel` elements of `dtype` in the GPU's format (bool widened to 4 bytes).
#[cfg(feature = "gpu")]
fn gpu_byte_len(numel: usize, dtype: DType) -> Result<u64> {
    let n = numel.checked_mul(crate::gpu::source::gpu_elem_size(dtype)).ok_or_else(|| Error::Memory(format!("cannot allocate {numel} elements of {dtype}: the size overflows")))?;
    Ok(n as u64)
}

impl Storage {
    fn cpu(ptr: NonNull<u8>, nbytes: usize, owner: Owner, writeable: bool) -> Storage {
        Storage { buffer: Buffer::Cpu(CpuBuffer { ptr, owner, writeable }), nbytes, version: AtomicU64::new(0) }
    }

    /// Fresh memory for `numel` elements of `dtype` on `device`, with unspecified contents.
    /// (The element type matters on the GPU, which stores bool as 4 bytes.)
    pub fn uninit(numel: usize, dtype: DType, device: Device) -> Result<Storage> {
        let nbytes = byte_len(numel, dtype)?;
        match device {
            Device::Cpu => {
                let (ptr, cap, _) = alloc::allocate(nbytes).ok_or_else(|| Error::Memory(format!("failed to allocate {nbytes} bytes")))?;
                Ok(Storage::cpu(ptr, nbytes, Owner::Allocated { cap }, true))
            }
            #[cfg(feature = "gpu")]
            Device::Gpu(_) => {
                device.check_available()?;
                let b = crate::gpu::GpuBuffer::new(gpu_byte_len(numel, dtype)?)?;
                Ok(Storage { buffer: Buffer::Gpu(b), nbytes, version: AtomicU64::new(0) })
            }
            #[cfg(not(feature = "gpu"))]
            Device::Gpu(_) => Err(unavailable(device)),
        }
    }
    /// Fresh zeroed memory for `numel` elements of `dtype` on `device`.
    pub fn zeroed(numel: usize, dtype: DType, device: Device) -> Result<Storage> {
        let nbytes = byte_len(numel, dtype)?;
        match device {
            Device::Cpu => {
                let (ptr, cap, is_zero) = alloc::allocate(nbytes).ok_or_else(|| Error::Memory(format!("failed to allocate {nbytes} bytes")))?;
                if !is_zero {
                    // SAFETY: the allocation holds at least `nbytes` bytes
                    unsafe { std::ptr::write_bytes(ptr.as_ptr(), 0, nbytes) };
                }
                Ok(Storage::cpu(ptr, nbytes, Owner::Allocated { cap }, true))
            }
            #[cfg(feature = "gpu")]
            Device::Gpu(_) => {
                device.check_available()?;
                let b = crate::gpu::GpuBuffer::zeroed(gpu_byte_len(numel, dtype)?)?;
                Ok(Storage { buffer: Buffer::Gpu(b), nbytes, version: AtomicU64::new(0) })
            }
            #[cfg(not(feature = "gpu"))]
            Device::Gpu(_) => Err(unavailable(device)),
        }
    }
    /// Wraps host memory owned elsewhere without copying.
    ///
    /// # Safety
    /// `ptr..ptr+nbytes` must stay valid while `owner` lives.
    pub unsafe fn from_external(ptr: *mut u8, nbytes: usize, owner: Box<dyn Any + Send + Sync>, writeable: bool) -> Storage {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        Storage::cpu(ptr, nbytes, Owner::External(owner), writeable)
    }
    /// The device memory (for the backend, which matches on it).
    #[inline(always)]
    pub fn buffer(&self) -> &Buffer {
        &self.buffer
    }
    /// The host address of byte 0, for memory that has one (CPU storage); `None` for device
    /// memory. Writes through it are seen by every view.
    #[inline(always)]
    pub fn host_ptr(&self) -> Option<*mut u8> {
        match &self.buffer {
            Buffer::Cpu(b) => Some(b.ptr()),
            #[cfg(feature = "gpu")]
            Buffer::Gpu(_) => None,
        }
    }
    /// Size in bytes, as requested (the allocation may be larger).
    pub fn nbytes(&self) -> usize {
        self.nbytes
    }
    /// The device the bytes live on.
    #[inline(always)]
    pub fn device(&self) -> Device {
        match &self.buffer {
            Buffer::Cpu(_) => Device::Cpu,
            #[cfg(feature = "gpu")]
            Buffer::Gpu(_) => Device::Gpu(0),
        }
    }
    /// Whether writes are allowed (false for a read-only NumPy buffer).
    pub fn writeable(&self) -> bool {
        match &self.buffer {
            Buffer::Cpu(b) => b.writeable,
            #[cfg(feature = "gpu")]
            Buffer::Gpu(_) => true,
        }
    }
    /// Whether the memory belongs to another owner (a NumPy array) that this storage keeps alive.
    #[inline(always)]
    pub fn is_borrowed(&self) -> bool {
        match &self.buffer {
            Buffer::Cpu(b) => matches!(b.owner, Owner::External(_)),
            #[cfg(feature = "gpu")]
            Buffer::Gpu(_) => false,
        }
    }
    /// How many in-place writes the storage has seen (PyTorch's `Tensor._version`).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }
    /// Records an in-place write; every mutation must call it so autograd can spot
    /// stale saved tensors.
    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }
}
