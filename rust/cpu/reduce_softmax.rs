//! Fused softmax / log_softmax along one dim, with a vectorisable exp.
//!
//! Data is contiguous `[outer, n, inner]`. For `inner == 1` each row is handled
//! in L1 (max, exp-and-sum, scale); otherwise whole rows of `inner` columns are
//! combined at once (column path). On x86-64 the loops are compiled twice and
//! the AVX2 copy is picked at run time.

use crate::cpu::iter::SendPtr;
use crate::cpu::PARALLEL_MIN;
use std::ops::{Add, Div, Mul, Sub};

/// Float element of the softmax kernels.
pub trait SoftFloat:
    Copy + Send + Sync + PartialOrd + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + 'static
{
    const NEG_INF: Self;
    const ZERO: Self;
    const ONE: Self;
    /// `e^x`, vectorisable.
    fn fexp(self) -> Self;
    fn ln(self) -> Self;
}

/// Vectorisable `e^x` for f32 (Cephes polynomial, ~1 ulp): NaN -> NaN, -inf -> 0, overflow -> inf.
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    const HI: f32 = 88.376_26;
    const LO: f32 = -87.336_55;
    let xc = if x > HI { HI } else if x < LO { LO } else { x };
    // round to nearest with the 1.5 * 2^23 trick (no libm call, vectorises on SSE2)
    let n = (xc * LOG2E + 12_582_912.0) - 12_582_912.0;
    let r = xc - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    let scale = f32::from_bits(((n as i32 + 127) << 23) as u32);
    let v = y * scale;
    #[allow(clippy::eq_op)]
    let nan = x != x;
    if nan {
        x
    } else if x < LO {
        0.0
    } else if x > HI {
        f32::INFINITY
    } else {
        v
    }
}

impl SoftFloat for f32 {
    const NEG_INF: Self = f32::NEG_INFINITY;
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn fexp(self) -> Self {
        exp_f32(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        f32::ln(self)
    }
}
impl SoftFloat for f64 {
    const NEG_INF: Self = f64::NEG_INFINITY;
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn fexp(self) -> Self {
        f64::exp(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        f64::ln(self)
    }
}

#[inline(always)]
#[allow(clippy::eq_op)]
fn takes_max<T: SoftFloat>(x: T, a: T) -> bool {
    x > a || x != x
}

#[inline(always)]
fn row_max<T: SoftFloat>(x: &[T]) -> T {
    let mut m = [T::NEG_INF; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            m[k] = if takes_max(c[k], m[k]) { c[k] } else { m[k] };
        }
    }
    let mut v = T::NEG_INF;
    for k in 0..8 {
        if takes_max(m[k], v) {
            v = m[k];
        }
    }
    for &y in rest {
        if takes_max(y, v) {
            v = y;
        }
    }
    v
}

#[inline(always)]
fn sum8<T: SoftFloat>(s: [T; 8]) -> T {
    ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

/// Rows `[r0, r1)` of length `n` (inner == 1).
#[inline(always)]
unsafe fn rows<T: SoftFloat>(x: *const T, out: *mut T, n: usize, r0: usize, r1: usize, log: bool) {
    for r in r0..r1 {
        let xr = std::slice::from_raw_parts(x.add(r * n), n);
        let or = std::slice::from_raw_parts_mut(out.add(r * n), n);
        let m = row_max(xr);
        let mut s = [T::ZERO; 8];
        if log {
            let chunks = xr.chunks_exact(8);
            let rest = chunks.remainder();
            for c in chunks {
                for k in 0..8 {
                    s[k] = s[k] + (c[k] - m).fexp();
                }
            }
            let mut total = sum8(s);
            for &v in rest {
                total = total + (v - m).fexp();
            }
            let lse = m + total.ln();
            for (o, &v) in or.iter_mut().zip(xr) {
                *o = v - lse;
            }
        } else {
            let split = n - n % 8;
            for (oc, xc) in or[..split].chunks_exact_mut(8).zip(xr[..split].chunks_exact(8)) {
                for k in 0..8 {
                    let e = (xc[k] - m).fexp();
                    oc[k] = e;
                    s[k] = s[k] + e;
                }
            }
            let mut total = sum8(s);
            for (o, &v) in or[split..].iter_mut().zip(&xr[split..]) {
                let e = (v - m).fexp();
                *o = e;
                total = total + e;
            }
            let inv = T::ONE / total;
            for o in or.iter_mut() {
                *o = *o * inv;
            }
        }
    }
}

/// Columns `[j0, j1)` of one outer slice `[n, inner]` (column path).
#[inline(always)]
unsafe fn cols<T: SoftFloat>(x: *const T, out: *mut T, n: usize, inner: usize, j0: usize, j1: usize, log: bool) {
    let w = j1 - j0;
    let mut m = vec![T::NEG_INF; w];
    for i in 0..n {
        let row = std::slice::from_raw_parts(x.add(i * inner + j0), w);
        for (a, &v) in m.iter_mut().zip(row) {
            *a = if takes_max(v, *a) { v } else { *a };
        }
    }
    let mut s = vec![T::ZERO; w];
    for i in 0..n {
        let row = std::slice::from_raw_parts(x.add(i * inner + j0), w);
        let orow = std::slice::from_raw_parts_mut(out.add(i * inner + j0), w);
        for j in 0..w {
            let e = (row[j] - m[j]).fexp();
            if !log {
                orow[j] = e;
            }
            s[j] = s[j] + e;
        }
    }
    if log {
        for j in 0..w {
            s[j] = m[j] + s[j].ln();
        }
        for i in 0..n {
            let row = std::slice::from_raw_parts(x.add(i * inner + j0), w);
            let orow = std::slice::from_raw_parts_mut(out.add(i * inner + j0), w);
            for j in 0..w {
                orow[j] = row[j] - s[j];
            }
        }
    } else {
        for v in s.iter_mut() {
            *v = T::ONE / *v;
        }
        for i in 0..n {
            let orow = std::slice::from_raw_parts_mut(out.add(i * inner + j0), w);
            for j in 0..w {
                orow[j] = orow[j] * s[j];
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_avx2<T: SoftFloat>(x: *const T, out: *mut T, n: usize, r0: usize, r1: usize, log: bool) {
    rows(x, out, n, r0, r1, log)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn cols_avx2<T: SoftFloat>(x: *const T, out: *mut T, n: usize, inner: usize, j0: usize, j1: usize, log: bool) {
    cols(x, out, n, inner, j0, j1, log)
}

/// True when the CPU has AVX2 and FMA (checked once).
pub fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static HAS: OnceLock<bool> = OnceLock::new();
        *HAS.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

unsafe fn rows_dispatch<T: SoftFloat>(x: *const T, out: *mut T, n: usize, r0: usize, r1: usize, log: bool) {
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() && has_avx2() {
        for r in r0..r1 {
            crate::cpu::reduce_simd::softmax_row_f32((x as *const f32).add(r * n), (out as *mut f32).add(r * n), n, log);
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        return rows_avx2(x, out, n, r0, r1, log);
    }
    rows(x, out, n, r0, r1, log)
}
unsafe fn cols_dispatch<T: SoftFloat>(x: *const T, out: *mut T, n: usize, inner: usize, j0: usize, j1: usize, log: bool) {
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() && has_avx2() {
        let w = j1 - j0;
        let (mut m, mut s) = (vec![0f32; w], vec![0f32; w]);
        crate::cpu::reduce_simd::softmax_cols_f32((x as *const f32).add(j0), (out as *mut f32).add(j0), n, inner, w, log, &mut m, &mut s);
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        return cols_avx2(x, out, n, inner, j0, j1, log);
    }
    cols(x, out, n, inner, j0, j1, log)
}

/// Softmax (or log_softmax) of contiguous `x` (`[outer, n, inner]`) into contiguous `out`.
///
/// # Safety
/// Both pointers must hold `outer * n * inner` elements of `T`.
pub unsafe fn softmax<T: SoftFloat>(x: SendPtr, out: SendPtr, outer: usize, n: usize, inner: usize, log: bool) {
    let total = outer * n * inner;
    let threads = rayon::current_num_threads();
    let par = threads > 1 && total >= PARALLEL_MIN;
    if inner == 1 {
        let work = move |r0: usize, r1: usize| rows_dispatch::<T>(x.get() as *const T, out.get() as *mut T, n, r0, r1, log);
        if !par || outer < 2 {
            return work(0, outer);
        }
        let chunks = (threads * 4).min(outer);
        let per = outer.div_ceil(chunks);
        use rayon::prelude::*;
        (0..chunks).into_par_iter().for_each(|c| work((c * per).min(outer), ((c + 1) * per).min(outer)));
        return;
    }
    const BLOCK: usize = 512;
    let blocks = inner.div_ceil(BLOCK);
    let work = move |t: usize| {
        let (o, b) = (t / blocks, t % blocks);
        let base = o * n * inner;
        let j0 = b * BLOCK;
        cols_dispatch::<T>((x.get() as *const T).add(base), (out.get() as *mut T).add(base), n, inner, j0, (j0 + BLOCK).min(inner), log)
    };
    if !par {
        (0..outer * blocks).for_each(work);
    } else {
        use rayon::prelude::*;
        (0..outer * blocks).into_par_iter().for_each(work);
    }
}
