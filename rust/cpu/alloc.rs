//! CPU buffer allocation with a size-bucketed cache.
//!
//! A fresh 40 MB output costs ~10k page faults every time it is touched for the
//! first time; that is most of the time of a memory-bound op. Freed large
//! buffers are kept (up to a budget) and handed out again for the same size.

use parking_lot::Mutex;
use std::alloc::{alloc_zeroed, dealloc, Layout as AllocLayout};
use std::collections::HashMap;
use std::ptr::NonNull;

/// Alignment, in bytes, of every buffer [`allocate`] returns (one cache line).
pub const ALIGN: usize = 64;
/// Buffers below this size come straight from the system allocator (it is fast there).
const CACHE_MIN: usize = 1 << 16;
/// At most this many bytes sit unused in the cache.
const CACHE_BUDGET: usize = 1 << 30;
const PER_BUCKET: usize = 4;

struct Cache {
    buckets: HashMap<usize, Vec<usize>>, // rounded size -> free pointers (as usize: Send)
    bytes: usize,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

fn rounded(nbytes: usize) -> usize {
    if nbytes >= CACHE_MIN {
        (nbytes + 4095) & !4095
    } else {
        nbytes.max(1).div_ceil(ALIGN) * ALIGN
    }
}

/// Returns a buffer of at least `nbytes`, its real capacity, and whether it is known to be zeroed.
/// Memory is always initialised (zeroed when fresh, old values when reused).
pub fn allocate(nbytes: usize) -> Option<(NonNull<u8>, usize, bool)> {
    let cap = rounded(nbytes);
    if cap >= CACHE_MIN {
        let mut guard = CACHE.lock();
        if let Some(cache) = guard.as_mut() {
            if let Some(list) = cache.buckets.get_mut(&cap) {
                if let Some(p) = list.pop() {
                    cache.bytes -= cap;
                    return Some((NonNull::new(p as *mut u8).unwrap(), cap, false));
                }
            }
        }
    }
    let layout = AllocLayout::from_size_align(cap, ALIGN).ok()?;
    // SAFETY: layout has non-zero size.
    let p = unsafe { alloc_zeroed(layout) };
    NonNull::new(p).map(|p| (p, cap, true))
}

/// Gives back a buffer from [`allocate`]; `cap` must be the capacity it reported.
/// Large buffers are kept in the cache for reuse while it is under budget; the rest are freed.
pub fn release(ptr: NonNull<u8>, cap: usize) {
    if cap >= CACHE_MIN && cap <= CACHE_BUDGET / 4 {
        let mut guard = CACHE.lock();
        let cache = guard.get_or_insert_with(|| Cache { buckets: HashMap::new(), bytes: 0 });
        let list = cache.buckets.entry(cap).or_default();
        if list.len() < PER_BUCKET && cache.bytes + cap <= CACHE_BUDGET {
            list.push(ptr.as_ptr() as usize);
            cache.bytes += cap;
            return;
        }
    }
    // SAFETY: allocated by `allocate` with this exact layout.
    unsafe { dealloc(ptr.as_ptr(), AllocLayout::from_size_align_unchecked(cap, ALIGN)) }
}

/// Frees every cached buffer (`rgrad.empty_cache()`).
pub fn empty_cache() {
    let mut guard = CACHE.lock();
    if let Some(cache) = guard.as_mut() {
        for (cap, list) in cache.buckets.drain() {
            for p in list {
                unsafe { dealloc(p as *mut u8, AllocLayout::from_size_align_unchecked(cap, ALIGN)) }
            }
        }
        cache.bytes = 0;
    }
}
