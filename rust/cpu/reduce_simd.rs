//! SIMD folds of contiguous float32 / float64 runs: sums (plain, |x|, x²), products,
//! NaN-propagating max / min with and without the first index, and the column
//! accumulation of the reduce engine's column path.
//!
//! Each is a [`Kernel`] written once over `V: Vector` and run at the active instruction-set
//! level (`simd::run`); every level folds into the same `Elem::ACC` slots in the same order,
//! so results are bit-identical at every level (see `simd.rs`). The entry points return
//! `None` for element types other than f32 / f64, whose callers keep their portable loops.

use crate::cpu::isa::{self, Isa};
use crate::cpu::simd::{lanes, run_at, Elem, Kernel, Vector};

/// What a sum folds: the element (`SUM_PLAIN`), its magnitude (`SUM_ABS`) or its square (`SUM_SQUARE`).
pub const SUM_PLAIN: u8 = 0;
/// `sum(|x|)` (the 1-norm's body).
pub const SUM_ABS: u8 = 1;
/// `sum(x * x)` (the 2-norm's body).
pub const SUM_SQUARE: u8 = 2;

/// Leaf size of the pairwise sum: leaves are folded in `Elem::ACC` slots, leaves combined
/// pairwise, so the error grows like log(n) (float32 sums of 1e7 ones are exact).
const BLOCK: usize = 4096;

/// Calls `$body` with `$E` the float type `T` is (f32 / f64); `None` for other types.
macro_rules! with_float {
    ($T:ty, $x:expr, |$v:ident: &[$E:ident]| $body:expr) => {{
        if let Some($v) = same::<$T, f32>($x) {
            type $E = f32;
            Some(back::<f32, $T>($body))
        } else if let Some($v) = same::<$T, f64>($x) {
            type $E = f64;
            Some(back::<f64, $T>($body))
        } else {
            None
        }
    }};
}

/// Reinterprets `x` as `&[U]` when `T` is `U`.
#[inline(always)]
fn same<T: 'static, U: 'static>(x: &[T]) -> Option<&[U]> {
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>() {
        // SAFETY: T and U are the same type
        Some(unsafe { std::slice::from_raw_parts(x.as_ptr() as *const U, x.len()) })
    } else {
        None
    }
}

/// Casts a value of `U` back to `T` (the same type, checked through `same`).
#[inline(always)]
fn back<U: Copy, T: Copy>(v: U) -> T {
    assert_eq!(std::mem::size_of::<U>(), std::mem::size_of::<T>());
    // SAFETY: U and T are the same type (see `same`)
    unsafe { *(&v as *const U as *const T) }
}

// ---------- slot folds ----------

#[inline(always)]
unsafe fn vmap<V: Vector, const K: u8>(v: V) -> V {
    match K {
        SUM_PLAIN => v,
        SUM_ABS => v.abs(),
        _ => v.mul(v),
    }
}

#[inline(always)]
fn smap<E: Elem, const K: u8>(v: E) -> E {
    match K {
        SUM_PLAIN => v,
        SUM_ABS => v.abs(),
        _ => v * v,
    }
}

/// Combines the first `nv` accumulators, then the lanes of the result, by halves: slot
/// `s` with slot `s + ACC/2`, then `s + ACC/4`, ... (the same tree at every level).
#[inline(always)]
pub(crate) unsafe fn tree<V: Vector>(mut acc: [V; 16], nv: usize, vop: impl Fn(V, V) -> V, sop: impl Fn(V::E, V::E) -> V::E) -> V::E {
    let mut w = nv;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            acc[k] = vop(acc[k], acc[k + w]);
        }
    }
    let mut l = lanes(acc[0]);
    let mut w = V::LANES;
    while w > 1 {
        w /= 2;
        for k in 0..w {
            l[k] = sop(l[k], l[k + w]);
        }
    }
    l[0]
}

/// Folds `x` into `ACC` slots with `step(slot, vector)`: element `i` goes to slot `i % ACC`.
/// The last, partial group is padded with `pad` (an element that changes no slot: 0 for
/// sums, 1 for products) and folded like the others, so the result has no level-dependent
/// scalar tail, and a short tail costs one group, not a chain of dependent scalar steps.
#[inline(always)]
pub(crate) unsafe fn fold_slots<V: Vector>(x: &[V::E], init: V, pad: V::E, mut step: impl FnMut(V, V) -> V) -> [V; 16] {
    let (n, p) = (x.len(), x.as_ptr());
    let acc_n = <V::E as Elem>::ACC;
    let nv = acc_n / V::LANES;
    let mut acc = [init; 16];
    let mut i = 0;
    while i + acc_n <= n {
        for (k, a) in acc.iter_mut().enumerate().take(nv) {
            *a = step(*a, V::load(p.add(i + k * V::LANES)));
        }
        i += acc_n;
    }
    if i < n {
        for (k, a) in acc.iter_mut().enumerate().take(nv) {
            *a = step(*a, load_padded::<V>(p.add(i), n - i, k * V::LANES, pad));
        }
    }
    acc
}

/// Lanes `[at, at + LANES)` of a run of `r` elements at `p`, padded with `pad` past its end:
/// a plain load when they are all inside, a masked one for the vector that straddles the end.
#[inline(always)]
unsafe fn load_padded<V: Vector>(p: *const V::E, r: usize, at: usize, pad: V::E) -> V {
    if at + V::LANES <= r {
        V::load(p.add(at))
    } else if at >= r {
        V::splat(pad)
    } else {
        V::load_partial(p.add(at), r - at, pad)
    }
}

// ---------- short runs ----------

/// Runs of at most this many elements are folded on scalars by [`short_fold`], with the
/// slot fold's bits. A vector fold of a few elements pays for a padded partial vector and
/// the whole slot tree (~20 ns); the scalar fold of 4 costs a few. Reductions over a short
/// last dim live here: `x.sum(-1)` of a (4000, 4) float32 matrix took 90 us through the
/// vector fold, and the batched 4x4 determinants reduce their diagonals this way.
const SHORT: usize = 8;

/// What [`fold_slots`] + [`tree`] compute for a run of `n <= SHORT` elements, on scalars.
/// Element `k` goes to slot `k` as `slot(x[k])` (the vector fold's first step from its
/// initial value); the slots past the run hold the fold's initial value and pad, which leave
/// a slot they meet unchanged, so their steps are skipped; the live slots are combined by
/// the same halving tree (slot `s` with `s + ACC/2`, then `s + ACC/4`, ...) with
/// `op(low slot, high slot)`. `init` is the result of an empty run.
#[inline(always)]
fn short_fold<E: Elem>(x: &[E], init: E, slot: impl Fn(E) -> E, op: impl Fn(E, E) -> E) -> E {
    debug_assert!(x.len() <= SHORT && SHORT <= E::ACC / 2);
    let mut s = [init; SHORT];
    for (d, &v) in s.iter_mut().zip(x) {
        *d = slot(v);
    }
    let (mut w, mut live) = (E::ACC, x.len());
    while w > 1 {
        w /= 2;
        if w < live {
            // slot k + w is live exactly for k < live - w (and live <= 2w: k < w)
            for k in 0..live - w {
                s[k] = op(s[k], s[k + w]);
            }
            live = w;
        }
    }
    s[0]
}

/// `max` (`MAX`) / `min` of a short non-empty run as [`ExtremeRun`] + the NaN check give it:
/// every slot starts at `x[0]`, a step keeps the slot on ties (`Vector::max`), and so does
/// the tree, so even the sign of a zero result is the vector fold's.
#[inline(always)]
fn short_extreme<E: Elem, const MAX: bool>(x: &[E]) -> E {
    if x.iter().any(|v| v.is_nan()) {
        return E::NAN;
    }
    let wins = |new: E, old: E| if MAX { new > old } else { new < old };
    let first = x[0];
    short_fold(x, first, |v| if wins(v, first) { v } else { first }, |lo, hi| if wins(hi, lo) { hi } else { lo })
}

struct SumLeaf<'a, E, const K: u8>(&'a [E]);
impl<E: Elem, const K: u8> Kernel<E> for SumLeaf<'_, E, K> {
    type Out = E;
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) -> E {
        let acc = fold_slots::<V>(self.0, V::splat(E::ZERO), E::ZERO, |a, v| a.add(vmap::<V, K>(v)));
        tree(acc, E::ACC / V::LANES, |a: V, b: V| a.add(b), |a, b| a + b)
    }
}

fn sum_at<E: Elem, const K: u8>(level: Isa, x: &[E]) -> E {
    if x.len() <= SHORT {
        return short_fold(x, E::ZERO, |v| E::ZERO + smap::<E, K>(v), |a, b| a + b);
    }
    if x.len() <= BLOCK {
        return run_at(level, SumLeaf::<E, K>(x));
    }
    let mid = (x.len() / 2).div_ceil(BLOCK) * BLOCK;
    sum_at::<E, K>(level, &x[..mid]) + sum_at::<E, K>(level, &x[mid..])
}

/// `sum(f(x))` of a float32 / float64 slice (`K` picks f: `SUM_*`); `None` for other types.
#[inline]
pub fn sum_simd<T: Copy + 'static, const K: u8>(x: &[T]) -> Option<T> {
    sum_simd_at::<T, K>(isa::active(), x)
}

/// [`sum_simd`] at a given level (tests compare the levels).
pub fn sum_simd_at<T: Copy + 'static, const K: u8>(level: Isa, x: &[T]) -> Option<T> {
    with_float!(T, x, |v: &[E]| sum_at::<E, K>(level, v))
}

struct ProdRun<'a, E>(&'a [E]);
impl<E: Elem> Kernel<E> for ProdRun<'_, E> {
    type Out = E;
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) -> E {
        let acc = fold_slots::<V>(self.0, V::splat(E::ONE), E::ONE, |a, v| a.mul(v));
        tree(acc, E::ACC / V::LANES, |a: V, b: V| a.mul(b), |a, b| a * b)
    }
}

/// Product of a float32 / float64 slice; `None` for other types.
#[inline]
pub fn prod_simd<T: Copy + 'static>(x: &[T]) -> Option<T> {
    prod_simd_at(isa::active(), x)
}

/// [`prod_simd`] at a given level.
pub fn prod_simd_at<T: Copy + 'static>(level: Isa, x: &[T]) -> Option<T> {
    with_float!(T, x, |v: &[E]| if v.len() <= SHORT { short_fold(v, E::ONE, |a| E::ONE * a, |a, b| a * b) } else { run_at(level, ProdRun::<E>(v)) })
}

/// Max (`MAX`) / min value of a non-empty slice and whether it holds a NaN.
struct ExtremeRun<'a, E, const MAX: bool>(&'a [E]);
impl<E: Elem, const MAX: bool> Kernel<E> for ExtremeRun<'_, E, MAX> {
    type Out = (E, bool);
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) -> (E, bool) {
        let x = self.0;
        let first = V::splat(x[0]);
        // slots start at x[0] and the tail is padded with it (folding it again changes
        // nothing); NaN lanes are noted apart, as `max` keeps the slot where the lane is NaN
        let mut nan = first.nan();
        let acc = fold_slots::<V>(x, first, x[0], |a, v| {
            nan = V::or(nan, v.nan());
            if MAX { v.max(a) } else { v.min(a) }
        });
        let pick = |a: E, b: E| if (MAX && b > a) || (!MAX && b < a) { b } else { a };
        let best = tree(acc, E::ACC / V::LANES, |a: V, b: V| if MAX { b.max(a) } else { b.min(a) }, pick);
        (best, V::bits(nan) != 0)
    }
}

/// NaN-propagating max (`MAX`) / min value of a non-empty float32 / float64 slice (`None`
/// for other types or an empty slice).
#[inline]
pub fn extreme_simd<T: Copy + 'static, const MAX: bool>(x: &[T]) -> Option<T> {
    extreme_simd_at::<T, MAX>(isa::active(), x)
}

/// [`extreme_simd`] at a given level.
pub fn extreme_simd_at<T: Copy + 'static, const MAX: bool>(level: Isa, x: &[T]) -> Option<T> {
    if x.is_empty() {
        return None;
    }
    with_float!(T, x, |v: &[E]| {
        if v.len() <= SHORT {
            return Some(back::<E, T>(short_extreme::<E, MAX>(v)));
        }
        let (m, nan) = run_at(level, ExtremeRun::<E, MAX>(v));
        if nan { E::NAN } else { m }
    })
}

/// First index `i >= from` where `x[i] == v` (or is NaN, when `nan`).
struct FindFirst<'a, E> {
    x: &'a [E],
    v: E,
    nan: bool,
}
impl<E: Elem> Kernel<E> for FindFirst<'_, E> {
    type Out = Option<usize>;
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) -> Option<usize> {
        let (x, n) = (self.x, self.x.len());
        let t = V::splat(self.v);
        let mut i = 0;
        while i + V::LANES <= n {
            let a = V::load(x.as_ptr().add(i));
            let m = V::bits(if self.nan { a.nan() } else { a.eq(t) });
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i += V::LANES;
        }
        (i..n).find(|&j| if self.nan { x[j].is_nan() } else { x[j] == self.v })
    }
}

/// NaN-propagating max (`MAX`) / min of a float32 / float64 slice with the index of its
/// first occurrence (of the first NaN when there is one); the value is the element at
/// that index. `None` for other types or an empty slice.
pub fn extreme_index_simd<T: Copy + 'static, const MAX: bool>(x: &[T]) -> Option<(T, usize)> {
    extreme_index_simd_at::<T, MAX>(isa::active(), x)
}

/// [`extreme_index_simd`] at a given level.
pub fn extreme_index_simd_at<T: Copy + 'static, const MAX: bool>(level: Isa, x: &[T]) -> Option<(T, usize)> {
    fn first_index<E: Elem, const MAX: bool>(level: Isa, x: &[E]) -> usize {
        if x.len() <= SHORT {
            // the first NaN, else the first element equal to the extreme (a zero of either sign
            // matches a zero extreme, as `FindFirst`'s `==` does)
            if let Some(i) = x.iter().position(|v| v.is_nan()) {
                return i;
            }
            let m = short_extreme::<E, MAX>(x);
            return x.iter().position(|&v| v == m).unwrap_or(0);
        }
        let (m, nan) = run_at(level, ExtremeRun::<E, MAX>(x));
        run_at(level, FindFirst { x, v: m, nan }).unwrap_or(0)
    }
    if x.is_empty() {
        return None;
    }
    let at = if let Some(v) = same::<T, f32>(x) {
        first_index::<f32, MAX>(level, v)
    } else if let Some(v) = same::<T, f64>(x) {
        first_index::<f64, MAX>(level, v)
    } else {
        return None;
    };
    Some((x[at], at))
}

// ---------- the column path: rows folded into per-column accumulators ----------

/// `acc[j] += f(row_0[j]) + ... + f(row_{n-1}[j])` for rows `stride` elements apart: groups
/// of 8 rows are added as a balanced tree first, then into `acc`; leftover rows one by one.
struct AccumulateRows<'a, E, const K: u8> {
    acc: &'a mut [E],
    rows: *const E,
    stride: usize,
    n: usize,
}
impl<E: Elem, const K: u8> Kernel<E> for AccumulateRows<'_, E, K> {
    type Out = ();
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) {
        let w = self.acc.len();
        let acc = self.acc.as_mut_ptr();
        let (p, st) = (self.rows, self.stride);
        let mut r = 0;
        while r + 8 <= self.n {
            let q = p.add(r * st);
            let mut j = 0;
            while j + V::LANES <= w {
                let g = |k: usize| vmap::<V, K>(V::load(q.add(k * st + j)));
                let s = g(0).add(g(1)).add(g(2).add(g(3))).add(g(4).add(g(5)).add(g(6).add(g(7))));
                V::load(acc.add(j)).add(s).store(acc.add(j));
                j += V::LANES;
            }
            while j < w {
                let g = |k: usize| smap::<E, K>(*q.add(k * st + j));
                let s = ((g(0) + g(1)) + (g(2) + g(3))) + ((g(4) + g(5)) + (g(6) + g(7)));
                *acc.add(j) = *acc.add(j) + s;
                j += 1;
            }
            r += 8;
        }
        while r < self.n {
            let q = p.add(r * st);
            let mut j = 0;
            while j + V::LANES <= w {
                V::load(acc.add(j)).add(vmap::<V, K>(V::load(q.add(j)))).store(acc.add(j));
                j += V::LANES;
            }
            while j < w {
                *acc.add(j) = *acc.add(j) + smap::<E, K>(*q.add(j));
                j += 1;
            }
            r += 1;
        }
    }
}

/// Column sums: `acc[j] += sum over n rows of f(row[j])` (`K` picks f), rows of f32 / f64
/// `stride` elements apart starting at `rows`. False (nothing done) for other types.
///
/// # Safety
/// `rows` must point at `n` rows of `acc.len()` readable elements, `stride` apart.
pub unsafe fn accumulate_rows<T: Copy + 'static, const K: u8>(acc: &mut [T], rows: *const T, stride: usize, n: usize) -> bool {
    accumulate_rows_at::<T, K>(isa::active(), acc, rows, stride, n)
}

/// [`accumulate_rows`] at a given level.
///
/// # Safety
/// As [`accumulate_rows`].
pub unsafe fn accumulate_rows_at<T: Copy + 'static, const K: u8>(level: Isa, acc: &mut [T], rows: *const T, stride: usize, n: usize) -> bool {
    let w = acc.len();
    let acc_ptr = acc.as_mut_ptr();
    macro_rules! go {
        ($E:ty) => {{
            let acc = std::slice::from_raw_parts_mut(acc_ptr as *mut $E, w);
            run_at(level, AccumulateRows::<$E, K> { acc, rows: rows as *const $E, stride, n });
            true
        }};
    }
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() {
        go!(f32)
    } else if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f64>() {
        go!(f64)
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levels this CPU can run.
    fn levels() -> impl Iterator<Item = Isa> {
        Isa::ALL.into_iter().filter(|&l| l <= isa::detected())
    }

    fn data(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 8.0
            })
            .collect()
    }

    #[test]
    fn short_runs_give_the_vector_folds_bits() {
        // the scalar fold of runs up to SHORT against the vector kernels it stands in for, at
        // every level, with signed zeros, infinities and NaNs among the values
        let specials = [0.0f32, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 1e-30, -1e30];
        for n in 1..=SHORT {
            for seed in 0..40u64 {
                let mut x = data(n, seed * 31 + n as u64);
                if seed % 2 == 1 {
                    for (i, v) in x.iter_mut().enumerate() {
                        if (i as u64 + seed).is_multiple_of(3) {
                            *v = specials[(i + seed as usize) % specials.len()];
                        }
                    }
                }
                let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
                for l in levels() {
                    let bits = |v: f32| if v.is_nan() { u32::MAX } else { v.to_bits() };
                    let vsum = run_at(l, SumLeaf::<f32, SUM_SQUARE>(&x));
                    let tsum = run_at(l, SumLeaf::<f32, SUM_PLAIN>(&x));
                    assert_eq!(bits(sum_at::<f32, SUM_SQUARE>(l, &x)), bits(vsum), "{l:?} {x:?}");
                    assert_eq!(bits(sum_at::<f32, SUM_PLAIN>(l, &x)), bits(tsum), "{l:?} {x:?}");
                    assert_eq!(bits(prod_simd_at(l, &x).unwrap()), bits(run_at(l, ProdRun::<f32>(&x))), "{l:?} {x:?}");
                    let (m, nan) = run_at(l, ExtremeRun::<f32, true>(&x));
                    assert_eq!(bits(extreme_simd_at::<f32, true>(l, &x).unwrap()), bits(if nan { f32::NAN } else { m }), "{l:?} {x:?}");
                    let (m, nan) = run_at(l, ExtremeRun::<f64, false>(&xd));
                    let want = run_at(l, FindFirst { x: &xd, v: m, nan }).unwrap_or(0);
                    assert_eq!(extreme_index_simd_at::<f64, false>(l, &xd).unwrap().1, want, "{l:?} {xd:?}");
                }
            }
        }
    }

    #[test]
    fn every_level_gives_the_baseline_bits() {
        for n in [0, 1, 5, 9, 17, 20, 31, 33, 63, 64, 65, 1000, 4096, 4097, 100_003] {
            let x = data(n, n as u64 + 1);
            let xd: Vec<f64> = x.iter().map(|&v| v as f64 * 1.1).collect();
            let base = Isa::Baseline;
            for l in levels() {
                assert_eq!(sum_simd_at::<f32, SUM_PLAIN>(l, &x).unwrap().to_bits(), sum_simd_at::<f32, SUM_PLAIN>(base, &x).unwrap().to_bits(), "{l:?} {n}");
                assert_eq!(sum_simd_at::<f64, SUM_SQUARE>(l, &xd).unwrap().to_bits(), sum_simd_at::<f64, SUM_SQUARE>(base, &xd).unwrap().to_bits());
                assert_eq!(sum_simd_at::<f32, SUM_ABS>(l, &x).unwrap().to_bits(), sum_simd_at::<f32, SUM_ABS>(base, &x).unwrap().to_bits());
                let small: Vec<f32> = x.iter().map(|v| 1.0 + v / 1000.0).collect();
                assert_eq!(prod_simd_at(l, &small).unwrap().to_bits(), prod_simd_at(base, &small).unwrap().to_bits());
                if n > 0 {
                    assert_eq!(extreme_simd_at::<f32, true>(l, &x), extreme_simd_at::<f32, true>(base, &x));
                    assert_eq!(extreme_index_simd_at::<f64, false>(l, &xd), extreme_index_simd_at::<f64, false>(base, &xd));
                }
            }
        }
    }

    #[test]
    fn sums_are_accurate() {
        let ones = vec![1.0f32; 10_000_001];
        for l in levels() {
            assert_eq!(sum_simd_at::<f32, SUM_PLAIN>(l, &ones), Some(10_000_001.0));
            let x = data(123_457, 7);
            let exact: f64 = x.iter().map(|&v| v as f64).sum();
            let bound: f64 = x.iter().map(|&v| (v as f64).abs()).sum::<f64>() * 20.0 * f32::EPSILON as f64;
            assert!((sum_simd_at::<f32, SUM_PLAIN>(l, &x).unwrap() as f64 - exact).abs() <= bound);
        }
    }

    #[test]
    fn extremes_propagate_nan_and_find_the_first_index() {
        for l in levels() {
            let mut x = data(1000, 3);
            x[700] = 100.0;
            x[900] = 100.0;
            assert_eq!(extreme_index_simd_at::<f32, true>(l, &x), Some((100.0, 700)));
            x[800] = f32::NAN;
            x[850] = f32::NAN;
            let (v, i) = extreme_index_simd_at::<f32, true>(l, &x).unwrap();
            assert!(v.is_nan() && i == 800);
            assert!(extreme_simd_at::<f32, false>(l, &x).unwrap().is_nan());
            assert_eq!(extreme_simd_at::<f32, false>(l, &[3.0f32, -1.0, 2.0]), Some(-1.0));
            assert_eq!(extreme_simd_at::<i32, true>(l, &[1, 2]), None);
        }
    }

    #[test]
    fn column_accumulation_matches_per_column_sums() {
        let (rows, w) = (37, 45);
        let x = data(rows * w, 11);
        for l in levels() {
            let mut acc = vec![0.0f32; w];
            // SAFETY: `x` holds `rows` rows of `w` = `acc.len()` f32, `w` apart
            assert!(unsafe { accumulate_rows_at::<f32, SUM_PLAIN>(l, &mut acc, x.as_ptr(), w, rows) });
            let mut base = vec![0.0f32; w];
            // SAFETY: as above, at the baseline level
            unsafe { accumulate_rows_at::<f32, SUM_PLAIN>(Isa::Baseline, &mut base, x.as_ptr(), w, rows) };
            assert_eq!(acc, base);
            for j in 0..w {
                let exact: f64 = (0..rows).map(|r| x[r * w + j] as f64).sum();
                assert!((acc[j] as f64 - exact).abs() < 1e-4, "{j}");
            }
        }
    }
}
