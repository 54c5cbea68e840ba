//! Fused softmax / log_softmax along one dim (forward, and the backward from the output).
//!
//! Data is contiguous `[outer, n, inner]`. For `inner == 1` each row is handled in L1
//! (max, exp-and-sum, scale); otherwise whole rows of `inner` columns are combined at once
//! (column path). The kernels are written once over `V: Vector` (`simd.rs`) and run at the
//! active instruction-set level; the exponential is `vmath::exp_nonpos_*` (its argument,
//! `x - max`, is never positive: no clamps, one scale factor, and 0 where `exp` would be
//! subnormal, as PyTorch's softmax), lane by lane, and sums use the same slots at every
//! level, so results are bit-identical at every level and thread count.

use crate::cpu::iter::SendPtr;
use crate::cpu::isa::{self, Isa};
use crate::cpu::reduce_simd::{fold_slots, tree};
use crate::cpu::simd::{self, run_at, Elem, Kernel, Vector};
use crate::cpu::PARALLEL_MIN;

/// A float the softmax kernels handle (f32, f64).
pub trait SoftFloat: Elem {}
impl SoftFloat for f32 {}
impl SoftFloat for f64 {}

/// Max of a non-empty contiguous run, in `ACC` slots (NaN is ignored here: it reaches every
/// output through the sum).
#[inline(always)]
unsafe fn row_max<V: Vector>(x: *const V::E, n: usize) -> V::E {
    let x = std::slice::from_raw_parts(x, n);
    let acc = fold_slots::<V>(x, V::splat(x[0]), x[0], |a, v| v.max(a));
    tree(acc, <V::E as Elem>::ACC / V::LANES, |a: V, b: V| b.max(a), |a, b| if b > a { b } else { a })
}

/// `sum(exp(x - m))` over a run in `ACC` slots, storing the exponentials in `out` when
/// `store`; the last partial group is padded with -inf (whose exponential adds 0).
#[inline(always)]
unsafe fn exp_sum<V: Vector>(x: *const V::E, out: *mut V::E, n: usize, m: V::E, store: bool) -> V::E {
    let acc_n = <V::E as Elem>::ACC;
    let nv = acc_n / V::LANES;
    let vm = V::splat(m);
    let mut acc = [V::splat(V::E::ZERO); 16];
    let mut i = 0;
    while i + acc_n <= n {
        for (k, a) in acc.iter_mut().enumerate().take(nv) {
            let e = simd::exp_nonpos(V::load(x.add(i + k * V::LANES)).sub(vm));
            if store {
                e.store(out.add(i + k * V::LANES));
            }
            *a = a.add(e);
        }
        i += acc_n;
    }
    if i < n {
        let r = n - i;
        let mut buf = [V::E::NEG_INF; 64];
        std::ptr::copy_nonoverlapping(x.add(i), buf.as_mut_ptr(), r);
        for (k, a) in acc.iter_mut().enumerate().take(nv) {
            let e = simd::exp_nonpos(V::load(buf.as_ptr().add(k * V::LANES)).sub(vm));
            e.store(buf.as_mut_ptr().add(k * V::LANES));
            *a = a.add(e);
        }
        if store {
            std::ptr::copy_nonoverlapping(buf.as_ptr(), out.add(i), r);
        }
    }
    tree(acc, nv, |a: V, b: V| a.add(b), |a, b| a + b)
}

/// `out[i] = x[i] op c` over a run (`sub`: `x - c`, else `x * c`).
#[inline(always)]
unsafe fn map_const<V: Vector>(x: *const V::E, out: *mut V::E, n: usize, c: V::E, sub: bool) {
    let vc = V::splat(c);
    let mut i = 0;
    while i + V::LANES <= n {
        let v = V::load(x.add(i));
        (if sub { v.sub(vc) } else { v.mul(vc) }).store(out.add(i));
        i += V::LANES;
    }
    while i < n {
        let v = *x.add(i);
        *out.add(i) = if sub { v - c } else { v * c };
        i += 1;
    }
}

/// Rows `[r0, r1)` of length `n` (inner == 1).
struct Rows<E> {
    x: *const E,
    out: *mut E,
    n: usize,
    r0: usize,
    r1: usize,
    log: bool,
}
impl<E: Elem> Kernel<E> for Rows<E> {
    type Out = ();
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) {
        let n = self.n;
        if n == 0 {
            return;
        }
        for r in self.r0..self.r1 {
            let (x, out) = (self.x.add(r * n), self.out.add(r * n));
            let m = row_max::<V>(x, n);
            let total = exp_sum::<V>(x, out, n, m, !self.log);
            if self.log {
                map_const::<V>(x, out, n, m + total.ln(), true);
            } else {
                map_const::<V>(out, out, n, E::ONE / total, false);
            }
        }
    }
}

/// Columns `[0, w)` of one outer slice `[n, stride]` (column path); `m`, `s`: scratch of `w`.
struct Cols<'a, E> {
    x: *const E,
    out: *mut E,
    n: usize,
    stride: usize,
    log: bool,
    m: &'a mut [E],
    s: &'a mut [E],
}
impl<E: Elem> Kernel<E> for Cols<'_, E> {
    type Out = ();
    #[inline(always)]
    unsafe fn run<V: Vector<E = E>>(self) {
        let (w, st) = (self.m.len(), self.stride);
        let (m, s) = (self.m.as_mut_ptr(), self.s.as_mut_ptr());
        for j in 0..w {
            *m.add(j) = *self.x.add(j);
            *s.add(j) = E::ZERO;
        }
        // column maxima, row by row (each column in row order: the same at every level)
        for i in 1..self.n {
            let row = self.x.add(i * st);
            let mut j = 0;
            while j + V::LANES <= w {
                V::load(row.add(j)).max(V::load(m.add(j))).store(m.add(j));
                j += V::LANES;
            }
            while j < w {
                let v = *row.add(j);
                if v > *m.add(j) {
                    *m.add(j) = v;
                }
                j += 1;
            }
        }
        for i in 0..self.n {
            let (row, orow) = (self.x.add(i * st), self.out.add(i * st));
            let mut j = 0;
            while j + V::LANES <= w {
                let e = simd::exp_nonpos(V::load(row.add(j)).sub(V::load(m.add(j))));
                if !self.log {
                    e.store(orow.add(j));
                }
                V::load(s.add(j)).add(e).store(s.add(j));
                j += V::LANES;
            }
            while j < w {
                let e = (*row.add(j) - *m.add(j)).exp_nonpos();
                if !self.log {
                    *orow.add(j) = e;
                }
                *s.add(j) = *s.add(j) + e;
                j += 1;
            }
        }
        for j in 0..w {
            *s.add(j) = if self.log { *m.add(j) + (*s.add(j)).ln() } else { E::ONE / *s.add(j) };
        }
        for i in 0..self.n {
            let (row, orow) = (self.x.add(i * st), self.out.add(i * st));
            let src = if self.log { row } else { orow as *const E };
            let mut j = 0;
            while j + V::LANES <= w {
                let (v, c) = (V::load(src.add(j)), V::load(s.add(j)));
                (if self.log { v.sub(c) } else { v.mul(c) }).store(orow.add(j));
                j += V::LANES;
            }
            while j < w {
                let (v, c) = (*src.add(j), *s.add(j));
                *orow.add(j) = if self.log { v - c } else { v * c };
                j += 1;
            }
        }
    }
}

/// Columns per task of the column path.
const COL_BLOCK: usize = 512;

/// Softmax (or log_softmax) of contiguous `x` (`[outer, n, inner]`) into contiguous `out`.
///
/// # Safety
/// Both pointers must hold `outer * n * inner` elements of `T`.
pub unsafe fn softmax<T: SoftFloat>(x: SendPtr, out: SendPtr, outer: usize, n: usize, inner: usize, log: bool) {
    softmax_at::<T>(isa::active(), x, out, outer, n, inner, log)
}

/// [`softmax`] at a given instruction-set level (tests compare the levels).
///
/// # Safety
/// As [`softmax`].
pub unsafe fn softmax_at<T: SoftFloat>(level: Isa, x: SendPtr, out: SendPtr, outer: usize, n: usize, inner: usize, log: bool) {
    let total = outer * n * inner;
    if total == 0 {
        return;
    }
    let threads = crate::cpu::par::threads();
    let par = threads > 1 && total >= PARALLEL_MIN;
    if inner == 1 {
        let work = move |r0: usize, r1: usize| run_at(level, Rows::<T> { x: x.get() as *const T, out: out.get() as *mut T, n, r0, r1, log });
        if !par || outer < 2 {
            return work(0, outer);
        }
        let chunks = (threads * 4).min(outer);
        let per = outer.div_ceil(chunks);
        crate::cpu::par::for_each_task(chunks, |c| work((c * per).min(outer), ((c + 1) * per).min(outer)));
        return;
    }
    let blocks = inner.div_ceil(COL_BLOCK);
    let work = move |t: usize| {
        let (o, b) = (t / blocks, t % blocks);
        let base = o * n * inner + b * COL_BLOCK;
        let w = COL_BLOCK.min(inner - b * COL_BLOCK);
        let (mut m, mut s) = (vec![T::ZERO; w], vec![T::ZERO; w]);
        let (x, out) = ((x.get() as *const T).add(base), (out.get() as *mut T).add(base));
        run_at(level, Cols::<T> { x, out, n, stride: inner, log, m: &mut m, s: &mut s });
    };
    if !par {
        (0..outer * blocks).for_each(work);
    } else {
        crate::cpu::par::for_each_task(outer * blocks, work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 30.0
            })
            .collect()
    }

    fn run(level: Isa, x: &[f32], outer: usize, n: usize, inner: usize, log: bool) -> Vec<f32> {
        let mut out = vec![0.0f32; x.len()];
        // SAFETY: `x` and `out` are distinct vectors of `x.len()` = `outer * n * inner` f32 (the
        // tests call this with such data), and `run_at` runs at most the CPU's level
        unsafe { softmax_at::<f32>(level, SendPtr(x.as_ptr() as *mut u8), SendPtr(out.as_mut_ptr() as *mut u8), outer, n, inner, log) };
        out
    }

    #[test]
    fn levels_agree_bit_for_bit_and_match_f64() {
        for &(outer, n, inner) in &[(3, 1000, 1), (2, 7, 1), (4, 130, 3), (2, 65, 600), (1, 1, 1)] {
            let x = data(outer * n * inner, (n * 31 + inner) as u64);
            for log in [false, true] {
                let base = run(Isa::Baseline, &x, outer, n, inner, log);
                for level in Isa::ALL.into_iter().filter(|&l| l <= isa::detected()) {
                    let got = run(level, &x, outer, n, inner, log);
                    assert!(got.iter().zip(&base).all(|(a, b)| a.to_bits() == b.to_bits()), "{level:?} {outer}x{n}x{inner} log={log}");
                }
                for o in 0..outer {
                    for j in 0..inner {
                        let col: Vec<f64> = (0..n).map(|i| x[(o * n + i) * inner + j] as f64).collect();
                        let m = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                        let lse = m + col.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                        for i in 0..n {
                            let want = if log { col[i] - lse } else { (col[i] - lse).exp() };
                            let got = base[(o * n + i) * inner + j] as f64;
                            assert!((got - want).abs() <= 1e-5 * want.abs().max(1.0), "{got} vs {want}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn nan_and_infinities_propagate() {
        for level in Isa::ALL.into_iter().filter(|&l| l <= isa::detected()) {
            let mut x = data(100, 5);
            x[37] = f32::NAN;
            assert!(run(level, &x, 1, 100, 1, false).iter().all(|v| v.is_nan()));
            let y = vec![f32::NEG_INFINITY; 40];
            assert!(run(level, &y, 1, 40, 1, true).iter().all(|v| v.is_nan()));
        }
    }
}
