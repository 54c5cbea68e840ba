//! Stable radix sort of one long row into values and int64 indices (`sort.rs` calls it for
//! rows of at least `sort::RADIX_MIN` elements).
//!
//! Keys are the order-preserving unsigned integers of `SortKey` (NaN last, -0.0 == 0.0).
//!
//! 1. One pass finds the smallest and largest key: bits above their highest differing bit
//!    are the same for every key and are never looked at again.
//! 2. MSD pass: the top `MSD_BITS` of the bits that vary pick one of up to 2048 buckets;
//!    (key, index) items are scattered into them (histograms per chunk of the row, so
//!    chunks run in parallel and the scatter stays stable).
//! 3. Each bucket (a few tens of KB for a million random floats: it stays in L2) is sorted
//!    on its remaining bits by LSD passes of up to 11 bits, all histograms counted in one
//!    read; a digit every item shares costs no pass. Buckets run in parallel, and each
//!    writes its values and indices as soon as it is sorted.
//!
//! Every step is stable, so ties keep their input order (PyTorch's `stable=True`).
//! The result does not depend on the thread count: chunks only change who counts what.

use crate::cpu::alloc;
use crate::cpu::isa::{self, multiversion, Isa};
use crate::cpu::iter::SendPtr;
use crate::cpu::par;
use crate::cpu::sort::{RadixKey, SortKey};
use std::ptr::NonNull;

/// Width of the MSD digit (2048 buckets).
const MSD_BITS: u32 = 11;
/// Widest LSD digit inside a bucket (2048-entry histograms, 8 KB).
const LSD_MAX_BITS: u32 = 11;
/// Buckets this small are sorted by insertion.
const INSERTION_MAX: usize = 48;
/// Elements per chunk of the parallel passes over the whole row.
const CHUNK: usize = 1 << 16;
/// Rows at least this long are sorted by several threads.
const PARALLEL_ROW: usize = 1 << 17;

#[derive(Clone, Copy, Default)]
pub(crate) struct Item<K> {
    key: K,
    idx: u32,
}

/// A scratch array of `n` items from the crate's buffer cache (reused buffers are already
/// faulted in: a fresh 8 MB one costs ~2000 page faults).
struct Scratch<T> {
    ptr: NonNull<u8>,
    cap: usize,
    _t: std::marker::PhantomData<T>,
}

impl<T: Copy> Scratch<T> {
    fn new(n: usize) -> Scratch<T> {
        let (ptr, cap, _) = alloc::allocate((n * std::mem::size_of::<T>()).max(1)).expect("out of memory in sort");
        Scratch { ptr, cap, _t: std::marker::PhantomData }
    }
    fn get(&self) -> *mut T {
        self.ptr.as_ptr() as *mut T
    }
}

impl<T> Drop for Scratch<T> {
    fn drop(&mut self) {
        alloc::release(self.ptr, self.cap);
    }
}

/// The sort key of element `i` (flipped for a descending sort).
#[inline(always)]
unsafe fn key_at<T: SortKey>(x: *const T, xs: isize, i: usize, desc: bool) -> T::Key {
    let k = (*x.offset(i as isize * xs)).key();
    if desc { k.not() } else { k }
}

/// The element a key stands for (the input element itself where the key dropped bits:
/// zeros, NaNs).
#[inline(always)]
unsafe fn value_of<T: SortKey>(x: *const T, xs: isize, k: T::Key, i: u32, desc: bool) -> T {
    match T::from_key(if desc { k.not() } else { k }) {
        Some(v) => v,
        None => *x.offset(i as isize * xs),
    }
}

multiversion! {
    /// Smallest and largest key of elements `s..e` (vectorised: the keys are branch-free).
    fn key_bounds<T: SortKey>(x: SendPtr, xs: isize, s: usize, e: usize, desc: bool) -> (u64, u64) {
        let x = x.get() as *const T;
        let (mut lo, mut hi) = (T::Key::from_u64(u64::MAX), T::Key::from_u64(0));
        if xs == 1 {
            // SAFETY: the caller's row holds elements s..e
            for &v in unsafe { std::slice::from_raw_parts(x.add(s), e - s) } {
                let k = if desc { v.key().not() } else { v.key() };
                lo = lo.min(k);
                hi = hi.max(k);
            }
        } else {
            for i in s..e {
                // SAFETY: `sort_long_at` calls this with a chunk `s..e` of its row (`e <= len`),
                // whose `len` elements at stride `xs` its caller guarantees, so element `i` exists
                let k = unsafe { key_at::<T>(x, xs, i, desc) };
                lo = lo.min(k);
                hi = hi.max(k);
            }
        }
        (lo.to_u64(), hi.to_u64())
    }
}

multiversion! {
    /// Counts of the MSD digit (`(key >> shift) & (nb - 1)`) over elements `s..e`.
    fn count_digits<T: SortKey>(x: SendPtr, xs: isize, s: usize, e: usize, desc: bool, shift: u32, nb: usize) -> Vec<u32> {
        let x = x.get() as *const T;
        // SAFETY: as in `key_bounds`: `i` is in the chunk `s..e` of the caller's row
        let digit = |i: usize| ((unsafe { key_at::<T>(x, xs, i, desc) }.to_u64() >> shift) as usize) & (nb - 1);
        // two interleaved histograms: data sits in a few buckets (one exponent), and one
        // histogram would chain every increment on the one before
        let mut h = vec![0u32; 2 * nb];
        let mut i = s;
        while i + 2 <= e {
            let (d0, d1) = (digit(i), digit(i + 1));
            h[d0] += 1;
            h[nb + d1] += 1;
            i += 2;
        }
        if i < e {
            h[digit(i)] += 1;
        }
        for b in 0..nb {
            h[b] += h[nb + b];
        }
        h.truncate(nb);
        h
    }
}

multiversion! {
    /// Scatters elements `s..e` as (key, index) items to `out` at `off[digit]` (stable).
    fn scatter_items<T: SortKey>(x: SendPtr, xs: isize, s: usize, e: usize, desc: bool, shift: u32, nb: usize, off: &mut [usize], out: SendPtr) -> () {
        let x = x.get() as *const T;
        let out = out.get() as *mut Item<T::Key>;
        for i in s..e {
            // SAFETY: as in `key_bounds`: `i` is in the chunk `s..e` of the caller's row
            let key = unsafe { key_at::<T>(x, xs, i, desc) };
            let d = ((key.to_u64() >> shift) as usize) & (nb - 1);
            // SAFETY: the offsets come from the counts, so every item lands inside `out`
            unsafe { *out.add(off[d]) = Item { key, idx: i as u32 } };
            off[d] += 1;
        }
    }
}

multiversion! {
    /// Sorts bucket `s..e` (items in `a`, scratch `b`) on its low `bits` and writes its values
    /// and indices.
    fn finish_bucket<T: SortKey>(a: SendPtr, b: SendPtr, s: usize, e: usize, bits: u32, x: SendPtr, xs: isize, desc: bool, vals: SendPtr, vs: isize, idx: SendPtr, is: isize) -> () {
        // SAFETY: buckets are disjoint ranges of the two scratch arrays and of the outputs
        unsafe {
            let a = std::slice::from_raw_parts_mut((a.get() as *mut Item<T::Key>).add(s), e - s);
            let b = std::slice::from_raw_parts_mut((b.get() as *mut Item<T::Key>).add(s), e - s);
            let sorted: &[Item<T::Key>] = sort_bucket(a, b, bits);
            let (x, vals, idx) = (x.get() as *const T, vals.get() as *mut T, idx.get() as *mut i64);
            for (k, it) in sorted.iter().enumerate() {
                let j = (s + k) as isize;
                *vals.offset(j * vs) = value_of::<T>(x, xs, it.key, it.idx, desc);
                *idx.offset(j * is) = it.idx as i64;
            }
        }
    }
}

/// Sorts one row (`len` elements at `x`, element stride `xs`) into `vals` / `idx` (strides
/// `vs`, `is`). `len` fits in u32.
///
/// # Safety
/// The pointers must hold `len` elements at their strides; the outputs must not overlap.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sort_long<T: SortKey>(x: *const T, xs: isize, len: usize, desc: bool, vals: *mut T, vs: isize, idx: *mut i64, is: isize) {
    sort_long_at(isa::active(), x, xs, len, desc, vals, vs, idx, is)
}

/// [`sort_long`] with its passes compiled for `level` (tests compare the levels).
///
/// # Safety
/// As [`sort_long`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn sort_long_at<T: SortKey>(level: Isa, x: *const T, xs: isize, len: usize, desc: bool, vals: *mut T, vs: isize, idx: *mut i64, is: isize) {
    let n = len;
    // below this the row is one task (rows are then usually sorted in parallel by the caller)
    let parallel = n >= PARALLEL_ROW;
    let tasks = |k: usize, f: &(dyn Fn(usize) + Sync)| if parallel { par::for_each_task(k, f) } else { (0..k).for_each(f) };
    let (xp, vp, ip) = (SendPtr(x as *mut u8), SendPtr(vals as *mut u8), SendPtr(idx as *mut u8));
    let chunks = if parallel { n.div_ceil(CHUNK) } else { 1 };
    let per = n.div_ceil(chunks);
    let chunk = |c: usize| (c * per, ((c + 1) * per).min(n));

    // 1. the bits that vary
    let bounds = par::map_tasks(chunks, |c| {
        let (s, e) = chunk(c);
        key_bounds::<T>(level, xp, xs, s, e, desc)
    });
    let (lo, hi) = bounds.iter().fold((u64::MAX, 0), |(l, h), &(a, b)| (l.min(a), h.max(b)));
    if lo == hi {
        // one key: the stable order is the input order
        tasks(chunks, &|c| {
            let (s, e) = chunk(c);
            for j in s..e {
                *(vp.get() as *mut T).offset(j as isize * vs) = *(xp.get() as *const T).offset(j as isize * xs);
                *(ip.get() as *mut i64).offset(j as isize * is) = j as i64;
            }
        });
        return;
    }
    let varying = 64 - (lo ^ hi).leading_zeros();
    // about 64 items per bucket at least: a 2048-way split of a short row is all overhead
    let msd = varying.min(MSD_BITS).min((usize::BITS - n.leading_zeros()).saturating_sub(6).max(1));
    let shift = varying - msd;
    let nb = 1usize << msd;

    // 2. MSD counts per chunk, then a stable scatter (bucket-major, chunk-minor)
    let hists: Vec<Vec<u32>> = par::map_tasks(chunks, |c| {
        let (s, e) = chunk(c);
        count_digits::<T>(level, xp, xs, s, e, desc, shift, nb)
    });
    let mut starts = vec![0usize; nb + 1];
    let mut offsets: Vec<Vec<usize>> = vec![vec![0; nb]; chunks];
    let mut run = 0usize;
    for b in 0..nb {
        starts[b] = run;
        for c in 0..chunks {
            offsets[c][b] = run;
            run += hists[c][b] as usize;
        }
    }
    starts[nb] = n;
    let a: Scratch<Item<T::Key>> = Scratch::new(n);
    let b: Scratch<Item<T::Key>> = Scratch::new(n);
    let (ap, bp) = (SendPtr(a.get() as *mut u8), SendPtr(b.get() as *mut u8));
    let offsets = &offsets;
    tasks(chunks, &|c| {
        let (s, e) = chunk(c);
        let mut off = offsets[c].clone();
        scatter_items::<T>(level, xp, xs, s, e, desc, shift, nb, &mut off, ap);
    });

    // 3. each bucket: LSD passes on the bits below the MSD digit, then its outputs
    let starts = &starts;
    tasks(nb, &|bk| {
        let (s, e) = (starts[bk], starts[bk + 1]);
        if s < e {
            finish_bucket::<T>(level, ap, bp, s, e, shift, xp, xs, desc, vp, vs, ip, is);
        }
    });
}

/// Stable sort of `a` by the low `bits` bits of its keys (the higher ones are equal);
/// `b` is scratch of the same length. Returns whichever of the two holds the result.
#[inline(always)]
fn sort_bucket<'a, K: RadixKey>(a: &'a mut [Item<K>], b: &'a mut [Item<K>], bits: u32) -> &'a [Item<K>] {
    let n = a.len();
    if n <= 1 || bits == 0 {
        return a;
    }
    if n <= INSERTION_MAX {
        for i in 1..n {
            let it = a[i];
            let mut j = i;
            while j > 0 && a[j - 1].key > it.key {
                a[j] = a[j - 1];
                j -= 1;
            }
            a[j] = it;
        }
        return a;
    }
    // digits no wider than the bucket needs (a 2048-entry histogram for 100 items is waste)
    let widest = (usize::BITS - n.leading_zeros()).clamp(8, LSD_MAX_BITS);
    let passes = bits.div_ceil(widest);
    let width = bits.div_ceil(passes);
    let size = 1usize << width;
    let mask = (size - 1) as u64;
    // all histograms in one read
    let mut hist = vec![0u32; size * passes as usize];
    for it in a.iter() {
        let k = it.key.to_u64();
        for p in 0..passes as usize {
            hist[p * size + ((k >> (p as u32 * width)) & mask) as usize] += 1;
        }
    }
    let (mut src, mut dst) = (a, b);
    for p in 0..passes as usize {
        let h = &mut hist[p * size..(p + 1) * size];
        if h.iter().any(|&c| c as usize == n) {
            continue; // every item has this digit: nothing moves
        }
        let mut run = 0u32;
        for c in h.iter_mut() {
            let v = *c;
            *c = run;
            run += v;
        }
        let sh = p as u32 * width;
        for it in src.iter() {
            let d = ((it.key.to_u64() >> sh) & mask) as usize;
            // SAFETY: the prefix sums place every item inside dst
            unsafe { *dst.get_unchecked_mut(h[d] as usize) = *it };
            h[d] += 1;
        }
        std::mem::swap(&mut src, &mut dst);
    }
    src
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n).map(|_| ((-2.0 * (next() + 1e-12).ln()).sqrt() * (std::f64::consts::TAU * next()).cos()) as f32).collect()
    }

    #[test]
    fn every_level_sorts_the_same_and_stably() {
        // (best-of timings of 1M normal floats, for tuning: SORT_TIMING=1 cargo test ... -- --nocapture)
        if std::env::var("SORT_TIMING").is_ok() {
            let x = normal(1_000_000, 1);
            let (mut v, mut ix) = (vec![0f32; x.len()], vec![0i64; x.len()]);
            for level in Isa::ALL.into_iter().filter(|&l| l <= isa::detected()) {
                let mut best = std::time::Duration::MAX;
                for _ in 0..20 {
                    let t = std::time::Instant::now();
                    // SAFETY: `x`, `v` and `ix` hold `x.len()` elements at stride 1, and the
                    // outputs are distinct vectors
                    unsafe { sort_long_at(level, x.as_ptr(), 1, x.len(), false, v.as_mut_ptr(), 1, ix.as_mut_ptr(), 1) };
                    best = best.min(t.elapsed());
                }
                eprintln!("sort 1M f32 at {level:?}: {best:?}");
            }
        }
        for &n in &[1500usize, 70_000, 300_000] {
            let mut x = normal(n, n as u64);
            for i in (0..n).step_by(3) {
                x[i] = x[i / 2]; // ties
            }
            x[7] = f32::NAN;
            x[9] = -0.0;
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| x[i].key()); // stable
            for level in Isa::ALL.into_iter().filter(|&l| l <= isa::detected()) {
                let (mut v, mut ix) = (vec![0f32; n], vec![0i64; n]);
                // SAFETY: `x`, `v` and `ix` hold `n` elements at stride 1, and the outputs are
                // distinct vectors
                unsafe { sort_long_at(level, x.as_ptr(), 1, n, false, v.as_mut_ptr(), 1, ix.as_mut_ptr(), 1) };
                assert!(ix.iter().zip(&order).all(|(&a, &b)| a as usize == b), "{level:?} n={n}");
                assert!(v.iter().zip(&order).all(|(a, &b)| a.to_bits() == x[b].to_bits()));
            }
        }
    }
}
