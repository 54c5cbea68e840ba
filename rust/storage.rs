//! Storage: the bytes behind one or more tensor views.
//!
//! Views share a `Storage` through an `Arc`. Writes through any view are seen by
//! all of them (PyTorch semantics), so the bytes are reached through raw
//! pointers, never through `&mut [T]` that would claim exclusivity. The version
//! counter is bumped by every in-place write; autograd compares it with the
//! version it saw when it saved a tensor.

use crate::cpu::alloc;
use crate::device::Device;
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

/// A flat byte buffer on one device, shared by all views of it through `Arc<Storage>`
/// (PyTorch's `UntypedStorage`).
///
/// Either allocated here (through [`crate::cpu::alloc`], returned to its cache on drop) or
/// borrowed from another owner such as a NumPy array, which it keeps alive. It also holds the
/// version counter that in-place writes bump and autograd checks, and whether it may be
/// written at all.
pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    version: AtomicU64,
    device: Device,
    /// Borrowed buffers may be read-only on the NumPy side.
    writeable: bool,
}

// SAFETY: the buffer is plain memory; concurrent access follows the same rules
// as PyTorch (callers must not race writes); the owner box is Send + Sync.
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

impl Storage {
    /// Fresh CPU memory of `nbytes`, initialised but with unspecified contents.
    pub fn uninit(nbytes: usize) -> Result<Storage> {
        let (ptr, cap, _) = alloc::allocate(nbytes)
            .ok_or_else(|| Error::Memory(format!("failed to allocate {nbytes} bytes")))?;
        Ok(Storage { ptr, nbytes, owner: Owner::Allocated { cap }, version: AtomicU64::new(0), device: Device::Cpu, writeable: true })
    }
    /// Fresh zeroed CPU memory.
    pub fn zeroed(nbytes: usize) -> Result<Storage> {
        let (ptr, cap, is_zero) = alloc::allocate(nbytes)
            .ok_or_else(|| Error::Memory(format!("failed to allocate {nbytes} bytes")))?;
        if !is_zero {
            unsafe { std::ptr::write_bytes(ptr.as_ptr(), 0, nbytes) };
        }
        Ok(Storage { ptr, nbytes, owner: Owner::Allocated { cap }, version: AtomicU64::new(0), device: Device::Cpu, writeable: true })
    }
    /// Wraps memory owned elsewhere without copying.
    ///
    /// # Safety
    /// `ptr..ptr+nbytes` must stay valid while `owner` lives.
    pub unsafe fn from_external(ptr: *mut u8, nbytes: usize, owner: Box<dyn Any + Send + Sync>, writeable: bool) -> Storage {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        Storage { ptr, nbytes, owner: Owner::External(owner), version: AtomicU64::new(0), device: Device::Cpu, writeable }
    }
    /// Pointer to byte 0; writes through it are seen by every view.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
    /// Size in bytes, as requested (the allocation may be larger).
    pub fn nbytes(&self) -> usize {
        self.nbytes
    }
    /// The device the bytes live on.
    pub fn device(&self) -> Device {
        self.device
    }
    /// Whether writes are allowed (false for a read-only NumPy buffer).
    pub fn writeable(&self) -> bool {
        self.writeable
    }
    /// Whether the memory belongs to another owner (a NumPy array) that this storage keeps alive.
    pub fn is_borrowed(&self) -> bool {
        matches!(self.owner, Owner::External(_))
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

impl Drop for Storage {
    fn drop(&mut self) {
        if let Owner::Allocated { cap } = self.owner {
            alloc::release(self.ptr, cap);
        }
    }
}
