//! CPU buffer allocation with a size-bucketed cache.
//!
//! A fresh 40 MB output costs ~10k page faults every time it is touched for the
//! first time; that is most of the time of a memory-bound op. Freed large
//! buffers are kept (up to a budget) and handed out again for the same size.
//!
//! Small buffers take the other extreme: glibc serves a plain 16-byte-aligned
//! `malloc` from its per-thread cache in ~15 ns, while a 64-byte-aligned request
//! goes through `memalign`'s split-and-free path (~130 ns measured for 448 bytes),
//! a fifth of a small `a + b`. No kernel relies on alignment (views start anywhere).

use parking_lot::Mutex;
use std::alloc::{alloc, alloc_zeroed, dealloc, Layout as AllocLayout};
use std::collections::HashMap;
use std::ptr::NonNull;

/// Alignment, in bytes, of buffers above [`SMALL_MAX`] (one cache line).
pub const ALIGN: usize = 64;
/// Buffers up to this many bytes are only 16-byte aligned (see the module note).
pub const SMALL_MAX: usize = 4096;
const SMALL_ALIGN: usize = 16;
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
    } else if nbytes <= SMALL_MAX {
        nbytes.max(1).div_ceil(SMALL_ALIGN) * SMALL_ALIGN
    } else {
        nbytes.div_ceil(ALIGN) * ALIGN
    }
}

/// The allocator layout of a buffer of (rounded) capacity `cap`.
fn layout_of(cap: usize) -> Option<AllocLayout> {
    AllocLayout::from_size_align(cap, if cap <= SMALL_MAX { SMALL_ALIGN } else { ALIGN }).ok()
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
    let layout = layout_of(cap)?;
    if cap <= SMALL_MAX {
        // malloc + memset: calloc skips glibc's per-thread cache (measured 2x slower here)
        // SAFETY: layout has non-zero size.
        let p = NonNull::new(unsafe { alloc(layout) })?;
        // SAFETY: `p` is a fresh allocation of `layout`, whose size is `cap` bytes.
        unsafe { std::ptr::write_bytes(p.as_ptr(), 0, cap) };
        return Some((p, cap, true));
    }
    // SAFETY: layout has non-zero size.
    let p = unsafe { alloc_zeroed(layout) };
    NonNull::new(p).map(|p| (p, cap, true))
}

/// Gives back a buffer from [`allocate`]; `cap` must be the capacity it reported.
/// Large buffers are kept in the cache for reuse while it is under budget; the rest are freed.
pub fn release(ptr: NonNull<u8>, cap: usize) {
    if (CACHE_MIN..=CACHE_BUDGET / 4).contains(&cap) {
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
    unsafe { dealloc(ptr.as_ptr(), layout_of(cap).expect("capacity came from allocate")) }
}

/// Frees every cached buffer (`rgrad.empty_cache()`).
pub fn empty_cache() {
    let mut guard = CACHE.lock();
    if let Some(cache) = guard.as_mut() {
        for (cap, list) in cache.buckets.drain() {
            for p in list {
                // SAFETY: `release` caches only buffers from `allocate` of capacity `cap` >=
                // CACHE_MIN > SMALL_MAX, allocated with `layout_of(cap)` = (cap, ALIGN), a
                // valid layout; draining the list hands each pointer out once.
                unsafe { dealloc(p as *mut u8, AllocLayout::from_size_align_unchecked(cap, ALIGN)) }
            }
        }
        cache.bytes = 0;
    }
}
