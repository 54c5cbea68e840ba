//! Reduction kernels: one engine (`reduce`) that every reduction shares.
//!
//! The backend names the reduction by a `ReduceOp` (`reduce_op.rs` picks its reducer); inside
//! this file a reduction is described by a [`Reducer`] (init / step / combine / write);
//! the engine picks the memory-friendly loop for the layout:
//!
//! * **row** path: the reduced elements of one output are a (mostly) contiguous
//!   run -> `fold_run` (vectorised per reducer: pairwise sums, 8-lane max, ...);
//! * **column** path: the kept dims are the unit-stride ones and the reduced dims
//!   are outer in memory -> whole rows are folded into a block of accumulators
//!   (`fold_row`, vectorised), never a strided gather;
//!
//! and splits the work across threads either over outputs or, when there are
//! few outputs, over the reduced range (partial results are combined in order,
//! with a fixed chunking so results don't depend on the thread count).

use crate::cpu::iter::{Dims, Operand, Plan, SendPtr};
use crate::cpu::isa::{self, Isa};
use crate::cpu::reduce_simd as simd;
use crate::cpu::{Element, PARALLEL_MIN};

/// A reduction: how to fold elements into an accumulator and write the result.
pub trait Reducer: Sync {
    /// The element type read from the input.
    type In: Copy;
    /// The running state of one output element (a sum, a value and its index, ...); partial
    /// states from parallel splits are merged by `combine`.
    type Acc: Copy + Send + Sync;
    /// The state before any element: the identity of the fold (0 for sums, -inf for max, ...).
    fn init(&self) -> Self::Acc;
    /// Folds element `x`, which sits at position `i` of the reduced range.
    fn step(&self, a: Self::Acc, x: Self::In, i: usize) -> Self::Acc;
    /// Combines partial results; `b` covers later positions than `a`.
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    /// Folds `len` elements at byte stride `stride` starting at position `i0`.
    /// # Safety
    /// `p` must point at `len` readable elements spaced `stride` bytes apart.
    #[inline(always)]
    unsafe fn fold_run(&self, mut a: Self::Acc, p: *const u8, len: usize, stride: isize, i0: usize) -> Self::Acc {
        let mut q = p;
        for k in 0..len {
            a = self.step(a, *(q as *const Self::In), i0 + k);
            q = q.offset(stride);
        }
        a
    }
    /// Folds one contiguous row of `acc.len()` elements (position `i`) into per-column accumulators.
    /// # Safety
    /// `row` must point at `acc.len()` readable contiguous elements.
    #[inline(always)]
    unsafe fn fold_row(&self, acc: &mut [Self::Acc], row: *const Self::In, i: usize) {
        for (j, a) in acc.iter_mut().enumerate() {
            *a = self.step(*a, *row.add(j), i);
        }
    }
    /// Folds `n` contiguous rows of `acc.len()` elements, `stride` bytes apart, the first at
    /// position `i` (the column path). Sums override it with a SIMD kernel.
    /// # Safety
    /// `first` must point at `n` such rows.
    #[inline(always)]
    unsafe fn fold_rows(&self, acc: &mut [Self::Acc], first: *const Self::In, stride: isize, n: usize, i: usize) {
        let mut row = first as *const u8;
        for k in 0..n {
            self.fold_row(acc, row as *const Self::In, i + k);
            row = row.offset(stride);
        }
    }
    /// Writes the result of output element `k` (outputs are contiguous).
    /// # Safety
    /// `out` must point at outputs with at least `k + 1` elements.
    unsafe fn write(&self, a: Self::Acc, out: [SendPtr; 2], k: usize);
}

/// Columns per accumulator block of the column path (stays in L1).
const COL_BLOCK: usize = 2048;
/// Fixed number of partial results when a reduction is split over its range.
const SPLIT_CHUNKS: usize = 16;
/// Below this many outputs a large reduction splits each output's range into
/// `SPLIT_CHUNKS` pieces (so that a few long sums still use every thread).
const FEW_OUTPUTS: usize = 16;

/// Reduces `input` (shape `shape`, byte strides in `input`) over the dims where
/// `mask` is true; output element `k` (row-major over the kept dims) is written
/// through `Reducer::write`.
///
/// # Safety
/// `input` must describe readable elements of `R::In` at every position of `shape`, and
/// `out` must be what `r`'s `Reducer::write` needs for one output per kept position
/// (writable, not aliasing the input).
pub unsafe fn reduce<R: Reducer>(r: &R, shape: &[usize], mask: &[bool], input: &Operand, out: [SendPtr; 2]) {
    let esz = std::mem::size_of::<R::In>() as isize;
    if let Some(n) = small_contiguous_run(shape, mask, &input.strides, esz) {
        // everything reduced, one contiguous run, too small to split: the same fold the
        // general path ends in, without building its two iteration plans (the per-call cost
        // of a small `sum()` / `max()` / `argmax()`)
        let stride = if n > 1 { esz } else { 0 };
        // SAFETY: the run is `n` contiguous elements of the input; output 0 exists
        unsafe { r.write(r.fold_run(r.init(), input.ptr, n, stride, 0), out, 0) };
        return;
    }
    let kept: Dims = (0..shape.len()).filter(|&d| !mask[d]).collect();
    let red: Dims = (0..shape.len()).filter(|&d| mask[d]).collect();
    let kept_shape: Dims = kept.iter().map(|&d| shape[d]).collect();
    let red_shape: Dims = red.iter().map(|&d| shape[d]).collect();
    // op 0 is a virtual contiguous output: it fixes the kept iteration order to the output's
    let order = crate::shape::contiguous_strides(&kept_shape);
    let kept_plan = Plan::<2>::new(
        &kept_shape,
        [
            Operand { ptr: std::ptr::null_mut(), strides: order.iter().copied().collect() },
            Operand { ptr: input.ptr, strides: kept.iter().map(|&d| input.strides[d]).collect() },
        ],
    );
    let red_plan = Plan::<1>::new(&red_shape, [Operand { ptr: input.ptr, strides: red.iter().map(|&d| input.strides[d]).collect() }]);
    let kept_n = kept_plan.numel();
    let red_n = red_plan.numel();
    if kept_n == 0 {
        return;
    }
    let threads = crate::cpu::par::threads();
    let big = kept_n.saturating_mul(red_n) >= PARALLEL_MIN;
    let kin = kept_plan.inner_strides()[1];
    let rin = red_plan.inner_strides()[0];
    let column = !kept_plan.shape.is_empty() && kin == esz && rin.unsigned_abs() > esz as usize && red_n > 1;
    let ctx = Ctx { r, red_plan: &red_plan, rin, red_n, out };

    // How the work is cut into pieces (and so the order partial results are combined in)
    // depends on the sizes only, never on the thread count: a result is the same whatever
    // `set_threads` says; the threads only decide who folds which piece.
    if big && column && kept_plan.shape.len() == 1 && kept_n <= (1 << 16) && red_n >= 4 * SPLIT_CHUNKS {
        // one block of columns: stream whole rows, each chunk of rows (at least 64) into its
        // own accumulators, then combine the chunks in order
        let chunks = (red_n / 64).clamp(1, SPLIT_CHUNKS);
        let per = red_n.div_ceil(chunks);
        let base = SendPtr(input.ptr);
        let ctx = &ctx;
        let parts: Vec<Vec<R::Acc>> = crate::cpu::par::map_tasks(chunks, |c| {
            let mut acc = vec![r.init(); kept_n];
            ctx.fold_columns(base.get(), &mut acc, (c * per).min(red_n), ((c + 1) * per).min(red_n));
            acc
        });
        let mut parts = parts;
        while parts.len() > 1 {
            let mut next = Vec::with_capacity(parts.len().div_ceil(2));
            let mut it = parts.into_iter();
            while let Some(mut a) = it.next() {
                if let Some(b) = it.next() {
                    for (x, y) in a.iter_mut().zip(b) {
                        *x = r.combine(*x, y);
                    }
                }
                next.push(a);
            }
            parts = next;
        }
        for (k, a) in parts[0].iter().enumerate() {
            // SAFETY: `k` < kept_n, and `out` holds kept_n outputs (`reduce`'s contract); the tasks
            // have returned, so this thread is the only writer
            unsafe { r.write(*a, out, k) };
        }
        return;
    }
    if !big || kept_n >= FEW_OUTPUTS {
        if threads <= 1 || !big {
            ctx.outputs(&kept_plan, 0, kept_n, column);
            return;
        }
        // parallel over outputs (each output is folded whole, wherever its block falls)
        let chunks = (threads * 4).min(kept_n.div_ceil(if column { 64 } else { 1 })).max(1);
        let per = kept_n.div_ceil(chunks).div_ceil(16) * 16;
        crate::cpu::par::for_each_task(kept_n.div_ceil(per), |c| {
            let k = c * per;
            ctx.outputs(&kept_plan, k, (k + per).min(kept_n), column);
        });
        return;
    }
    // few long outputs: split each one's reduced range and combine the partials in order
    let per = red_n.div_ceil(SPLIT_CHUNKS).max(1);
    let mut k = 0;
    kept_plan.for_each_run_in(0, kept_n, &mut |p, len| {
        let mut q = p[1];
        for _ in 0..len {
            let base = SendPtr(q);
            let ctx = &ctx;
            let parts: Vec<R::Acc> = crate::cpu::par::map_tasks(SPLIT_CHUNKS, |c| ctx.fold_range(base.get(), (c * per).min(red_n), ((c + 1) * per).min(red_n)));
            let acc = combine_tree(r, parts);
            // SAFETY: `k` counts the outputs in order, < kept_n (`reduce`'s contract sizes `out`);
            // this closure runs on the calling thread while the tasks inside it only read
            unsafe { r.write(acc, out, k) };
            k += 1;
            q = q.wrapping_offset(kin); // one past the run after its last output
        }
    });
}

/// `Some(numel)` when every dim is reduced, the input is one row-major contiguous run
/// (size-1 dims may have any stride) of at least one element, and the run is below the size
/// the general path would split across threads.
fn small_contiguous_run(shape: &[usize], mask: &[bool], strides: &[isize], esz: isize) -> Option<usize> {
    if !mask.iter().all(|&m| m) {
        return None;
    }
    let mut expected = esz;
    let mut n = 1usize;
    for d in (0..shape.len()).rev() {
        if shape[d] == 1 {
            continue;
        }
        if strides[d] != expected {
            return None;
        }
        expected *= shape[d] as isize;
        n *= shape[d];
    }
    (1..PARALLEL_MIN).contains(&n).then_some(n)
}

/// Combines partial results pairwise, keeping their order.
fn combine_tree<R: Reducer>(r: &R, mut v: Vec<R::Acc>) -> R::Acc {
    if v.is_empty() {
        return r.init();
    }
    while v.len() > 1 {
        v = v.chunks(2).map(|c| if c.len() == 2 { r.combine(c[0], c[1]) } else { c[0] }).collect();
    }
    v[0]
}

struct Ctx<'a, R: Reducer> {
    r: &'a R,
    red_plan: &'a Plan<1>,
    rin: isize,
    red_n: usize,
    out: [SendPtr; 2],
}

impl<R: Reducer> Ctx<'_, R> {
    /// Folds reduced positions `[s, e)` of the sub-tensor starting at `base`.
    fn fold_range(&self, base: *mut u8, s: usize, e: usize) -> R::Acc {
        let r = self.r;
        let mut acc = r.init();
        if s >= e {
            return acc;
        }
        if self.red_plan.shape.len() <= 1 {
            // SAFETY: with at most one reduced dim, positions `s..e` (e <= red_n) of this output's
            // reduced range are real elements at `base + i * rin`, inside the input `reduce`'s
            // contract describes
            return unsafe { r.fold_run(acc, base.offset(s as isize * self.rin), e - s, self.rin, s) };
        }
        let mut rp = self.red_plan.clone();
        rp.ptrs[0] = base;
        let mut i = s;
        rp.for_each_run_in(s, e, &mut |q, l| {
            // SAFETY: `for_each_run_in` hands `l` elements at `q[0]`, `rin` bytes apart: positions
            // `i..i + l` of this output's reduced range, inside the input
            acc = unsafe { r.fold_run(acc, q[0], l, self.rin, i) };
            i += l;
        });
        acc
    }

    /// Computes and writes outputs `[s, e)`.
    fn outputs(&self, kept_plan: &Plan<2>, s: usize, e: usize, column: bool) {
        let r = self.r;
        let mut k = s;
        let kin = kept_plan.inner_strides()[1];
        if column {
            let mut acc: Vec<R::Acc> = Vec::with_capacity(COL_BLOCK.min(e - s));
            kept_plan.for_each_run_in(s, e, &mut |p, len| {
                let mut j = 0;
                while j < len {
                    let w = (len - j).min(COL_BLOCK);
                    acc.clear();
                    acc.resize(w, r.init());
                    let base = p[1].wrapping_offset(j as isize * kin);
                    self.fold_columns(base, &mut acc, 0, self.red_n);
                    for (t, a) in acc.iter().enumerate() {
                        // SAFETY: `k + j + t` < `e` <= kept_n, so the output exists; outputs
                        // `[s, e)` belong to this call alone (the callers hand each task its own
                        // range)
                        unsafe { r.write(*a, self.out, k + j + t) };
                    }
                    j += w;
                }
                k += len;
            });
            return;
        }
        kept_plan.for_each_run_in(s, e, &mut |p, len| {
            let mut q = p[1];
            for _ in 0..len {
                let acc = self.fold_range(q, 0, self.red_n);
                // SAFETY: `k` < `e` <= kept_n; outputs `[s, e)` belong to this call alone
                unsafe { r.write(acc, self.out, k) };
                k += 1;
                q = q.wrapping_offset(kin); // one past the run after its last output
            }
        });
    }

    /// Column path: folds reduced rows `[s, e)` (contiguous, `acc.len()` wide) at `base`.
    fn fold_columns(&self, base: *mut u8, acc: &mut [R::Acc], s: usize, e: usize) {
        let mut rp = self.red_plan.clone();
        rp.ptrs[0] = base;
        let mut i = s;
        let rin = self.rin;
        rp.for_each_run_in(s, e, &mut |q, l| {
            // SAFETY: on the column path the kept run is contiguous (`kin == esz`), so `q[0]`
            // starts `l` reduced rows of `acc.len()` contiguous input elements, `rin` bytes apart
            unsafe { self.r.fold_rows(acc, q[0] as *const R::In, rin, l, i) };
            i += l;
        });
    }
}

// ---------- element helpers ----------

/// Lowest / highest values (the identities of max / min).
pub trait Bounded: Element {
    /// The lowest value of the type (-inf for floats): the starting point of a max.
    fn lowest() -> Self;
    /// The highest value of the type (+inf for floats): the starting point of a min.
    fn highest() -> Self;
}
impl Bounded for bool {
    fn lowest() -> Self { false }
    fn highest() -> Self { true }
}
impl Bounded for i32 {
    fn lowest() -> Self { i32::MIN }
    fn highest() -> Self { i32::MAX }
}
impl Bounded for i64 {
    fn lowest() -> Self { i64::MIN }
    fn highest() -> Self { i64::MAX }
}
impl Bounded for f32 {
    fn lowest() -> Self { f32::NEG_INFINITY }
    fn highest() -> Self { f32::INFINITY }
}
impl Bounded for f64 {
    fn lowest() -> Self { f64::NEG_INFINITY }
    fn highest() -> Self { f64::INFINITY }
}

/// Addition and multiplication with wrap-around for integers (the accumulation types).
pub trait Arith: Element {
    /// `self + o`, wrapping on integer overflow.
    fn add(self, o: Self) -> Self;
    /// `self * o`, wrapping on integer overflow.
    fn mul(self, o: Self) -> Self;
}
impl Arith for f32 {
    #[inline(always)]
    fn add(self, o: Self) -> Self { self + o }
    #[inline(always)]
    fn mul(self, o: Self) -> Self { self * o }
}
impl Arith for f64 {
    #[inline(always)]
    fn add(self, o: Self) -> Self { self + o }
    #[inline(always)]
    fn mul(self, o: Self) -> Self { self * o }
}
impl Arith for i64 {
    #[inline(always)]
    fn add(self, o: Self) -> Self { self.wrapping_add(o) }
    #[inline(always)]
    fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
}
impl Arith for i32 {
    #[inline(always)]
    fn add(self, o: Self) -> Self { self.wrapping_add(o) }
    #[inline(always)]
    fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
}

// ---------- sums ----------

/// A positive byte stride as a count of `T`s (`None` when negative or not a multiple).
#[inline(always)]
fn elem_stride<T>(bytes: isize) -> Option<usize> {
    let size = std::mem::size_of::<T>() as isize;
    (bytes > 0 && bytes % size == 0).then(|| (bytes / size) as usize)
}

/// Sums a contiguous slice: blocks of `SUM_BLOCK` elements are folded into
/// `LANES` independent accumulators (vectorised, several SIMD registers so the
/// add latency is hidden) and the block sums are combined pairwise, so float32
/// sums of 1e7 ones are exact and the error grows like log(n).
pub fn pairwise_sum<T: Arith>(x: &[T]) -> T {
    if let Some(v) = simd::sum_simd::<T, { simd::SUM_PLAIN }>(x) {
        return v;
    }
    pairwise_map_sum(x, &|v| v)
}

/// Independent accumulators of the portable contiguous folds (the float32 /
/// float64 AVX2 paths live in `reduce_simd`).
const LANES: usize = 16;
/// Leaf size of the pairwise sum.
const SUM_BLOCK: usize = 4096;

/// `sum(f(x))` with the same blocked pairwise scheme as `pairwise_sum` (the portable
/// loop: integers; float32 / float64 go through `reduce_simd`). Compiled for each level.
#[inline(always)]
pub fn pairwise_map_sum<T: Arith, F: Fn(T) -> T>(x: &[T], f: &F) -> T {
    match isa::active() {
        // SAFETY: `active()` is Avx512 only when the CPU has AVX-512 F/BW/DQ/VL, the features
        // pairwise_avx512 is compiled for (it is capped by `detected()`)
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { pairwise_avx512(x, f) },
        // SAFETY: `active()` is Avx2 only when the CPU has AVX2 and FMA
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { pairwise_avx2(x, f) },
        _ => pairwise_generic(x, f),
    }
}

fn pairwise_generic<T: Arith, F: Fn(T) -> T>(x: &[T], f: &F) -> T {
    if x.len() <= SUM_BLOCK {
        return lanes_sum(x, f);
    }
    let mid = (x.len() / 2).div_ceil(SUM_BLOCK) * SUM_BLOCK;
    pairwise_generic(&x[..mid], f).add(pairwise_generic(&x[mid..], f))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn pairwise_avx2<T: Arith, F: Fn(T) -> T>(x: &[T], f: &F) -> T {
    if x.len() <= SUM_BLOCK {
        return lanes_sum(x, f);
    }
    let mid = (x.len() / 2).div_ceil(SUM_BLOCK) * SUM_BLOCK;
    pairwise_avx2(&x[..mid], f).add(pairwise_avx2(&x[mid..], f))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
unsafe fn pairwise_avx512<T: Arith, F: Fn(T) -> T>(x: &[T], f: &F) -> T {
    if x.len() <= SUM_BLOCK {
        return lanes_sum(x, f);
    }
    let mid = (x.len() / 2).div_ceil(SUM_BLOCK) * SUM_BLOCK;
    pairwise_avx512(&x[..mid], f).add(pairwise_avx512(&x[mid..], f))
}

/// Folds `x` into `LANES` accumulators with `op` (an associative-enough
/// combination: sum, product), then the tail 8 at a time, then one at a time;
/// the lanes are combined as a balanced tree.
#[inline(always)]
fn lanes_fold<T: Copy, F: Fn(T) -> T, O: Fn(T, T) -> T>(x: &[T], id: T, f: &F, op: &O) -> T {
    let mut acc = [id; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..LANES {
            acc[k] = op(acc[k], f(c[k]));
        }
    }
    let tail8 = rest.chunks_exact(8);
    let rest1 = tail8.remainder();
    for c in tail8 {
        for k in 0..8 {
            acc[k] = op(acc[k], f(c[k]));
        }
    }
    let mut w = LANES;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            acc[k] = op(acc[k], acc[k + w]);
        }
    }
    let mut s = acc[0];
    for &v in rest1 {
        s = op(s, f(v));
    }
    s
}

#[inline(always)]
fn lanes_sum<T: Arith, F: Fn(T) -> T>(x: &[T], f: &F) -> T {
    lanes_fold(x, T::zero(), f, &|a: T, b: T| a.add(b))
}

/// Product of a contiguous slice (SIMD for floats; `LANES` accumulators for integers,
/// compiled for each level).
pub fn lanes_prod<T: Arith>(x: &[T]) -> T {
    if let Some(v) = simd::prod_simd(x) {
        return v;
    }
    match isa::active() {
        // SAFETY: `active()` is Avx512 only when the CPU has AVX-512 F/BW/DQ/VL (capped by
        // `detected()`)
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { lanes_prod_avx512(x) },
        // SAFETY: `active()` is Avx2 only when the CPU has AVX2 and FMA
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { lanes_prod_avx2(x) },
        _ => lanes_fold(x, T::one(), &|v| v, &|a: T, b: T| a.mul(b)),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn lanes_prod_avx2<T: Arith>(x: &[T]) -> T {
    lanes_fold(x, T::one(), &|v| v, &|a: T, b: T| a.mul(b))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
unsafe fn lanes_prod_avx512<T: Arith>(x: &[T]) -> T {
    lanes_fold(x, T::one(), &|v| v, &|a: T, b: T| a.mul(b))
}

/// `sum(|x|)` (P = 1) or `sum(x * x)` (P = 2): the fused bodies of the 1- and 2-norms.
pub struct PowSumR<T, const P: u8>(std::marker::PhantomData<T>);
impl<T, const P: u8> PowSumR<T, P> {
    /// The reducer; it holds no state (the type parameters say everything).
    pub fn new() -> Self {
        PowSumR(std::marker::PhantomData)
    }
}
impl<T, const P: u8> Default for PowSumR<T, P> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T: Arith + std::ops::Neg<Output = T>, const P: u8> PowSumR<T, P> {
    #[inline(always)]
    fn f(x: T) -> T {
        if P == 1 {
            if x < T::zero() { -x } else { x }
        } else {
            x.mul(x)
        }
    }
}
impl<T: Arith + std::ops::Neg<Output = T>, const P: u8> Reducer for PowSumR<T, P> {
    type In = T;
    type Acc = T;
    #[inline(always)]
    fn init(&self) -> T { T::zero() }
    #[inline(always)]
    fn step(&self, a: T, x: T, _: usize) -> T { a.add(Self::f(x)) }
    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T { a.add(b) }
    #[inline(always)]
    unsafe fn fold_run(&self, a: T, p: *const u8, len: usize, stride: isize, _: usize) -> T {
        if stride == std::mem::size_of::<T>() as isize {
            let x = std::slice::from_raw_parts(p as *const T, len);
            let simd = if P == 1 { simd::sum_simd::<T, { simd::SUM_ABS }>(x) } else { simd::sum_simd::<T, { simd::SUM_SQUARE }>(x) };
            return a.add(simd.unwrap_or_else(|| pairwise_map_sum(x, &Self::f)));
        }
        let mut s = a;
        let mut q = p;
        for _ in 0..len {
            s = s.add(Self::f(*(q as *const T)));
            q = q.offset(stride);
        }
        s
    }
    #[inline(always)]
    unsafe fn fold_row(&self, acc: &mut [T], row: *const T, _: usize) {
        let row = std::slice::from_raw_parts(row, acc.len());
        for (a, &x) in acc.iter_mut().zip(row) {
            *a = a.add(Self::f(x));
        }
    }
    #[inline(always)]
    unsafe fn fold_rows(&self, acc: &mut [T], first: *const T, stride: isize, n: usize, i: usize) {
        let done = elem_stride::<T>(stride).is_some_and(|st| {
            if P == 1 {
                simd::accumulate_rows::<T, { simd::SUM_ABS }>(acc, first, st, n)
            } else {
                simd::accumulate_rows::<T, { simd::SUM_SQUARE }>(acc, first, st, n)
            }
        });
        if !done {
            let mut row = first as *const u8;
            for k in 0..n {
                self.fold_row(acc, row as *const T, i + k);
                row = row.offset(stride);
            }
        }
    }
    #[inline(always)]
    unsafe fn write(&self, a: T, out: [SendPtr; 2], k: usize) {
        *(out[0].get() as *mut T).add(k) = a;
    }
}

/// `sum` (accumulating in `T`).
pub struct SumR<T>(std::marker::PhantomData<T>);
impl<T> SumR<T> {
    /// The reducer; it holds no state (the type parameters say everything).
    pub fn new() -> Self {
        SumR(std::marker::PhantomData)
    }
}
impl<T> Default for SumR<T> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T: Arith> Reducer for SumR<T> {
    type In = T;
    type Acc = T;
    #[inline(always)]
    fn init(&self) -> T { T::zero() }
    #[inline(always)]
    fn step(&self, a: T, x: T, _: usize) -> T { a.add(x) }
    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T { a.add(b) }
    #[inline(always)]
    unsafe fn fold_run(&self, a: T, p: *const u8, len: usize, stride: isize, _: usize) -> T {
        if stride == std::mem::size_of::<T>() as isize {
            return a.add(pairwise_sum(std::slice::from_raw_parts(p as *const T, len)));
        }
        let mut s = a;
        let mut q = p;
        for _ in 0..len {
            s = s.add(*(q as *const T));
            q = q.offset(stride);
        }
        s
    }
    #[inline(always)]
    unsafe fn fold_row(&self, acc: &mut [T], row: *const T, _: usize) {
        let row = std::slice::from_raw_parts(row, acc.len());
        for (a, &x) in acc.iter_mut().zip(row) {
            *a = a.add(x);
        }
    }
    #[inline(always)]
    unsafe fn fold_rows(&self, acc: &mut [T], first: *const T, stride: isize, n: usize, i: usize) {
        if !elem_stride::<T>(stride).is_some_and(|st| simd::accumulate_rows::<T, { simd::SUM_PLAIN }>(acc, first, st, n)) {
            let mut row = first as *const u8;
            for k in 0..n {
                self.fold_row(acc, row as *const T, i + k);
                row = row.offset(stride);
            }
        }
    }
    #[inline(always)]
    unsafe fn write(&self, a: T, out: [SendPtr; 2], k: usize) {
        *(out[0].get() as *mut T).add(k) = a;
    }
}

/// `mean`: the sum (as [`SumR`], in `T`) divided by the number of elements folded, in `T`.
pub struct MeanR<T> {
    sum: SumR<T>,
    count: T,
}
impl<T: Element> MeanR<T> {
    /// A mean over `count` elements per output.
    pub fn new(count: usize) -> Self {
        MeanR { sum: SumR::new(), count: T::from_f64(count as f64) }
    }
}
impl<T: Arith + std::ops::Div<Output = T>> Reducer for MeanR<T> {
    type In = T;
    type Acc = T;
    #[inline(always)]
    fn init(&self) -> T { self.sum.init() }
    #[inline(always)]
    fn step(&self, a: T, x: T, i: usize) -> T { self.sum.step(a, x, i) }
    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T { self.sum.combine(a, b) }
    #[inline(always)]
    unsafe fn fold_run(&self, a: T, p: *const u8, len: usize, stride: isize, i0: usize) -> T {
        self.sum.fold_run(a, p, len, stride, i0)
    }
    #[inline(always)]
    unsafe fn fold_row(&self, acc: &mut [T], row: *const T, i: usize) {
        self.sum.fold_row(acc, row, i)
    }
    #[inline(always)]
    unsafe fn write(&self, a: T, out: [SendPtr; 2], k: usize) {
        // an empty reduction gives 0 / 0 = NaN, as PyTorch
        *(out[0].get() as *mut T).add(k) = a / self.count;
    }
}

/// `prod` (accumulating in `T`).
pub struct ProdR<T>(std::marker::PhantomData<T>);
impl<T> ProdR<T> {
    /// The reducer; it holds no state (the type parameters say everything).
    pub fn new() -> Self {
        ProdR(std::marker::PhantomData)
    }
}
impl<T> Default for ProdR<T> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T: Arith> Reducer for ProdR<T> {
    type In = T;
    type Acc = T;
    #[inline(always)]
    fn init(&self) -> T { T::one() }
    #[inline(always)]
    fn step(&self, a: T, x: T, _: usize) -> T { a.mul(x) }
    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T { a.mul(b) }
    #[inline(always)]
    unsafe fn fold_run(&self, a: T, p: *const u8, len: usize, stride: isize, _: usize) -> T {
        if stride == std::mem::size_of::<T>() as isize {
            return a.mul(lanes_prod(std::slice::from_raw_parts(p as *const T, len)));
        }
        let mut s = a;
        let mut q = p;
        for _ in 0..len {
            s = s.mul(*(q as *const T));
            q = q.offset(stride);
        }
        s
    }
    #[inline(always)]
    unsafe fn fold_row(&self, acc: &mut [T], row: *const T, _: usize) {
        let row = std::slice::from_raw_parts(row, acc.len());
        for (a, &x) in acc.iter_mut().zip(row) {
            *a = a.mul(x);
        }
    }
    #[inline(always)]
    unsafe fn write(&self, a: T, out: [SendPtr; 2], k: usize) {
        *(out[0].get() as *mut T).add(k) = a;
    }
}

// ---------- max / min (NaN-propagating) ----------

/// `x` replaces `a` as the running max (MAX) / min: NaN sticks once seen.
#[inline(always)]
fn takes<T: Bounded, const MAX: bool>(x: T, a: T) -> bool {
    let nan = x.is_nan();
    if MAX { x > a || nan } else { x < a || nan }
}

/// Like `takes`, but a later NaN never replaces an earlier one (first NaN's index wins).
#[inline(always)]
fn takes_first<T: Bounded, const MAX: bool>(x: T, a: T) -> bool {
    let (xn, an) = (x.is_nan(), a.is_nan());
    if MAX { (x > a || xn) && !an } else { (x < a || xn) && !an }
}

/// Max / min over a contiguous slice (NaN sticks): SIMD for floats, `LANES` lanes for the
/// other types, compiled for each level.
#[inline(always)]
fn lanes_extreme<T: Bounded, const MAX: bool>(x: &[T], init: T) -> T {
    if let Some(v) = simd::extreme_simd::<T, MAX>(x) {
        return if takes::<T, MAX>(v, init) { v } else { init };
    }
    match isa::active() {
        // SAFETY: `active()` is Avx512 only when the CPU has AVX-512 F/BW/DQ/VL (capped by
        // `detected()`)
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { lanes_extreme_avx512::<T, MAX>(x, init) },
        // SAFETY: `active()` is Avx2 only when the CPU has AVX2 and FMA
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { lanes_extreme_avx2::<T, MAX>(x, init) },
        _ => lanes_extreme_body::<T, MAX>(x, init),
    }
}

#[inline(always)]
fn lanes_extreme_body<T: Bounded, const MAX: bool>(x: &[T], init: T) -> T {
    lanes_fold(x, init, &|v| v, &|a: T, y: T| if takes::<T, MAX>(y, a) { y } else { a })
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn lanes_extreme_avx2<T: Bounded, const MAX: bool>(x: &[T], init: T) -> T {
    lanes_extreme_body::<T, MAX>(x, init)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
unsafe fn lanes_extreme_avx512<T: Bounded, const MAX: bool>(x: &[T], init: T) -> T {
    lanes_extreme_body::<T, MAX>(x, init)
}

/// `amax` / `amin` values.
pub struct ExtremeR<T, const MAX: bool>(std::marker::PhantomData<T>);
impl<T, const MAX: bool> ExtremeR<T, MAX> {
    /// The reducer; it holds no state (the type parameters say everything).
    pub fn new() -> Self {
        ExtremeR(std::marker::PhantomData)
    }
}
impl<T, const MAX: bool> Default for ExtremeR<T, MAX> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T: Bounded, const MAX: bool> Reducer for ExtremeR<T, MAX> {
    type In = T;
    type Acc = T;
    #[inline(always)]
    fn init(&self) -> T {
        if MAX { T::lowest() } else { T::highest() }
    }
    #[inline(always)]
    fn step(&self, a: T, x: T, _: usize) -> T {
        if takes::<T, MAX>(x, a) { x } else { a }
    }
    #[inline(always)]
    fn combine(&self, a: T, b: T) -> T {
        self.step(a, b, 0)
    }
    #[inline(always)]
    unsafe fn fold_run(&self, a: T, p: *const u8, len: usize, stride: isize, _: usize) -> T {
        if stride == std::mem::size_of::<T>() as isize {
            let v = lanes_extreme::<T, MAX>(std::slice::from_raw_parts(p as *const T, len), self.init());
            return self.step(a, v, 0);
        }
        let mut s = a;
        let mut q = p;
        for _ in 0..len {
            s = self.step(s, *(q as *const T), 0);
            q = q.offset(stride);
        }
        s
    }
    #[inline(always)]
    unsafe fn write(&self, a: T, out: [SendPtr; 2], k: usize) {
        *(out[0].get() as *mut T).add(k) = a;
    }
}

/// `argmax` / `argmin` (first index of the extreme; the first NaN wins), optionally with values.
pub struct ArgR<T, const MAX: bool> {
    /// Write values to `out[0]` and indices to `out[1]`; otherwise indices to `out[0]`.
    pub with_values: bool,
    _t: std::marker::PhantomData<T>,
}
impl<T, const MAX: bool> ArgR<T, MAX> {
    /// The reducer; `with_values`: also write the extreme values (`max(dim)`), not only indices.
    pub fn new(with_values: bool) -> Self {
        ArgR { with_values, _t: std::marker::PhantomData }
    }
}
impl<T: Bounded, const MAX: bool> Reducer for ArgR<T, MAX> {
    type In = T;
    type Acc = (T, i64);
    #[inline(always)]
    fn init(&self) -> (T, i64) {
        (if MAX { T::lowest() } else { T::highest() }, -1)
    }
    #[inline(always)]
    fn step(&self, a: (T, i64), x: T, i: usize) -> (T, i64) {
        if a.1 < 0 || takes_first::<T, MAX>(x, a.0) { (x, i as i64) } else { a }
    }
    #[inline(always)]
    fn combine(&self, a: (T, i64), b: (T, i64)) -> (T, i64) {
        if b.1 < 0 {
            a
        } else if a.1 < 0 || takes_first::<T, MAX>(b.0, a.0) {
            b
        } else {
            a
        }
    }
    #[inline(always)]
    unsafe fn fold_run(&self, a: (T, i64), p: *const u8, len: usize, stride: isize, i0: usize) -> (T, i64) {
        if len == 0 {
            return a;
        }
        if stride == std::mem::size_of::<T>() as isize {
            if let Some((m, at)) = simd::extreme_index_simd::<T, MAX>(std::slice::from_raw_parts(p as *const T, len)) {
                return self.combine(a, (m, (i0 + at) as i64));
            }
            // two passes in L1: the extreme (vectorised), then its first position
            let x = std::slice::from_raw_parts(p as *const T, len);
            let m = lanes_extreme::<T, MAX>(x, self.init().0);
            let pos = if m.is_nan() { x.iter().position(|v| v.is_nan()) } else { x.iter().position(|&v| v == m) };
            return self.combine(a, (m, (i0 + pos.unwrap_or(0)) as i64));
        }
        let mut s = a;
        let mut q = p;
        for k in 0..len {
            s = self.step(s, *(q as *const T), i0 + k);
            q = q.offset(stride);
        }
        s
    }
    #[inline(always)]
    unsafe fn write(&self, a: (T, i64), out: [SendPtr; 2], k: usize) {
        if self.with_values {
            *(out[0].get() as *mut T).add(k) = a.0;
            *(out[1].get() as *mut i64).add(k) = a.1.max(0);
        } else {
            *(out[0].get() as *mut i64).add(k) = a.1.max(0);
        }
    }
}

/// `all` (ALL) / `any`: a bool result from "element is nonzero".
pub struct LogicR<T, const ALL: bool>(std::marker::PhantomData<T>);
impl<T, const ALL: bool> LogicR<T, ALL> {
    /// The reducer; it holds no state (the type parameters say everything).
    pub fn new() -> Self {
        LogicR(std::marker::PhantomData)
    }
}
impl<T, const ALL: bool> Default for LogicR<T, ALL> {
    fn default() -> Self {
        Self::new()
    }
}
impl<T: Element, const ALL: bool> Reducer for LogicR<T, ALL> {
    type In = T;
    type Acc = bool;
    #[inline(always)]
    fn init(&self) -> bool { ALL }
    #[inline(always)]
    fn step(&self, a: bool, x: T, _: usize) -> bool {
        if ALL { a & x.is_nonzero() } else { a | x.is_nonzero() }
    }
    #[inline(always)]
    fn combine(&self, a: bool, b: bool) -> bool {
        if ALL { a & b } else { a | b }
    }
    #[inline(always)]
    unsafe fn write(&self, a: bool, out: [SendPtr; 2], k: usize) {
        *(out[0].get() as *mut bool).add(k) = a;
    }
}
