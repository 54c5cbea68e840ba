//! How a tensor reaches a CPU kernel: its host address and byte strides. Only the CPU arms of
//! the backend's primitives call these (they are where a `Buffer::Cpu` is opened).

use crate::cpu::iter::Operand;
use crate::error::Result;
use crate::storage::Buffer;
use crate::tensor::Tensor;

/// Address of element 0 of `t`'s view, in host memory.
#[inline(always)]
pub(crate) fn host_ptr(t: &Tensor) -> *mut u8 {
    match t.storage().buffer() {
        // SAFETY: the view's offset lies inside its storage (layouts are checked when made)
        Buffer::Cpu(b) => unsafe { b.ptr().add(t.storage_offset() * t.dtype().size()) },
        // the CPU arms run only for CPU tensors (every primitive matches the device first)
        #[cfg(feature = "gpu")]
        Buffer::Gpu(_) => unreachable!("a CPU kernel was handed a GPU tensor"),
    }
}

/// `t` as a kernel operand over its own shape (strides in bytes).
#[inline]
pub(crate) fn operand(t: &Tensor) -> Operand {
    let esz = t.dtype().size() as isize;
    Operand { ptr: host_ptr(t), strides: t.strides().iter().map(|s| s * esz).collect() }
}

/// `t` as a kernel operand broadcast to `shape` (stride 0 on broadcast dims).
#[inline]
pub(crate) fn operand_as(t: &Tensor, shape: &[usize]) -> Result<Operand> {
    if t.shape() == shape {
        return Ok(operand(t));
    }
    let l = t.layout().broadcast_to(shape)?;
    let esz = t.dtype().size() as isize;
    Ok(Operand { ptr: host_ptr(t), strides: l.strides.iter().map(|s| s * esz).collect() })
}

/// Whether `t`'s elements lie in row-major order from element 0 with no gaps (contiguous, or
/// empty): what the primitives that take "contiguous" tensors need.
#[inline]
pub(crate) fn dense(t: &Tensor) -> bool {
    t.numel() == 0 || t.is_contiguous()
}

/// `t`'s elements as a slice; `t` must be contiguous (the caller checks) and not written to
/// while the slice lives.
///
/// # Safety
/// `t` must be contiguous with elements of type `T`, and nothing may write its storage while
/// the returned slice is in use.
#[inline]
pub(crate) unsafe fn as_slice<T>(t: &Tensor) -> &[T] {
    debug_assert!(dense(t));
    if t.numel() == 0 {
        return &[];
    }
    std::slice::from_raw_parts(host_ptr(t) as *const T, t.numel())
}
