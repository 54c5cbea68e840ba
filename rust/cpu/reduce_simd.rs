//! AVX2 fast paths for the float32 hot loops of reductions: NaN-aware max/min
//! with first-index search (argmax, amax, max(dim)) and the softmax row kernel
//! with a vectorised exp. Every function has a portable fallback; callers use
//! the `*_f32` entry points, which pick the AVX2 version at run time.

use crate::cpu::reduce_softmax::{exp_f32, has_avx2};

/// NaN-propagating max (`MAX`) or min of a slice, with the index of its first
/// occurrence (the first NaN when there is one). Empty slices give `None`.
pub fn extreme_index_f32<const MAX: bool>(x: &[f32]) -> Option<(f32, usize)> {
    if x.is_empty() {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2() && x.len() >= 16 {
        return Some(unsafe { avx2::extreme_index::<MAX>(x) });
    }
    Some(scalar_extreme_index::<MAX>(x))
}

fn scalar_extreme_index<const MAX: bool>(x: &[f32]) -> (f32, usize) {
    let mut best = x[0];
    let mut at = 0;
    if best.is_nan() {
        return (best, 0);
    }
    for (i, &v) in x.iter().enumerate().skip(1) {
        if v.is_nan() {
            return (v, i);
        }
        if if MAX { v > best } else { v < best } {
            best = v;
            at = i;
        }
    }
    (best, at)
}

/// Softmax (or log_softmax) of one contiguous float32 row.
///
/// # Safety
/// `x` and `out` must hold `n` elements.
pub unsafe fn softmax_row_f32(x: *const f32, out: *mut f32, n: usize, log: bool) -> bool {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        avx2::softmax_row(x, out, n, log);
        return true;
    }
    let _ = (x, out, n, log, exp_f32(0.0));
    false
}

/// Softmax (or log_softmax) of columns `[0, w)` of a float32 `[n, stride]` slice
/// (reduced along the rows); `m`/`s` are scratch of `w` floats. False when no AVX2.
///
/// # Safety
/// `x`/`out` must hold `n` rows of `stride >= w` elements.
pub unsafe fn softmax_cols_f32(x: *const f32, out: *mut f32, n: usize, stride: usize, w: usize, log: bool, m: &mut [f32], s: &mut [f32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        avx2::softmax_cols(x, out, n, stride, w, log, m, s);
        return true;
    }
    let _ = (x, out, n, stride, w, log, m, s);
    false
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    #[inline(always)]
    unsafe fn hmax(v: __m256) -> f32 {
        let m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        let m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
        _mm_cvtss_f32(m)
    }
    #[inline(always)]
    unsafe fn hmin(v: __m256) -> f32 {
        let m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let m = _mm_min_ps(m, _mm_movehl_ps(m, m));
        let m = _mm_min_ss(m, _mm_shuffle_ps(m, m, 1));
        _mm_cvtss_f32(m)
    }
    #[inline(always)]
    unsafe fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
        _mm_cvtss_f32(s)
    }

    /// First index `i` with `x[i] == v` (or NaN when `nan`), searching 8 at a time.
    #[inline(always)]
    unsafe fn find_first(x: &[f32], v: f32, nan: bool) -> usize {
        let n = x.len();
        let p = x.as_ptr();
        let t = _mm256_set1_ps(v);
        let mut i = 0;
        while i + 8 <= n {
            let a = _mm256_loadu_ps(p.add(i));
            let c = if nan { _mm256_cmp_ps::<_CMP_UNORD_Q>(a, a) } else { _mm256_cmp_ps::<_CMP_EQ_OQ>(a, t) };
            let mask = _mm256_movemask_ps(c);
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 8;
        }
        while i < n {
            let a = *p.add(i);
            if (nan && a.is_nan()) || a == v {
                return i;
            }
            i += 1;
        }
        0
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn extreme_index<const MAX: bool>(x: &[f32]) -> (f32, usize) {
        let n = x.len();
        let p = x.as_ptr();
        let init = if MAX { f32::NEG_INFINITY } else { f32::INFINITY };
        let (mut m0, mut m1) = (_mm256_set1_ps(init), _mm256_set1_ps(init));
        let (mut n0, mut n1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        let mut i = 0;
        while i + 16 <= n {
            let a = _mm256_loadu_ps(p.add(i));
            let b = _mm256_loadu_ps(p.add(i + 8));
            // max_ps(a, m) returns m when a is NaN: NaNs are tracked separately
            if MAX {
                m0 = _mm256_max_ps(a, m0);
                m1 = _mm256_max_ps(b, m1);
            } else {
                m0 = _mm256_min_ps(a, m0);
                m1 = _mm256_min_ps(b, m1);
            }
            n0 = _mm256_or_ps(n0, _mm256_cmp_ps::<_CMP_UNORD_Q>(a, a));
            n1 = _mm256_or_ps(n1, _mm256_cmp_ps::<_CMP_UNORD_Q>(b, b));
            i += 16;
        }
        let mut m = if MAX { hmax(_mm256_max_ps(m0, m1)) } else { hmin(_mm256_min_ps(m0, m1)) };
        let mut any_nan = _mm256_movemask_ps(_mm256_or_ps(n0, n1)) != 0;
        while i < n {
            let v = *p.add(i);
            any_nan |= v.is_nan();
            if if MAX { v > m } else { v < m } {
                m = v;
            }
            i += 1;
        }
        if any_nan {
            let at = find_first(x, 0.0, true);
            return (x[at], at);
        }
        (m, find_first(x, m, false))
    }

    /// exp of 8 floats (Cephes polynomial): NaN -> NaN, below -87.34 -> 0, above 88.38 -> inf.
    #[inline(always)]
    pub unsafe fn exp256(x: __m256) -> __m256 {
        let hi = _mm256_set1_ps(88.376_26);
        let lo = _mm256_set1_ps(-87.336_55);
        let xc = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
        let fx = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(_mm256_mul_ps(xc, _mm256_set1_ps(std::f32::consts::LOG2_E)));
        let r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693_359_4), xc);
        let r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.121_944_4e-4), r);
        let mut p = _mm256_set1_ps(1.987_569_1e-4);
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.398_199_9e-3));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.333_452e-3));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.166_579_6e-2));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.666_666_5e-1));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.000_000_1e-1));
        let y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0));
        let n = _mm256_cvtps_epi32(fx);
        let pow2 = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(n, _mm256_set1_epi32(127))));
        let mut res = _mm256_mul_ps(y, pow2);
        res = _mm256_andnot_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(x, lo), res);
        res = _mm256_blendv_ps(res, _mm256_set1_ps(f32::INFINITY), _mm256_cmp_ps::<_CMP_GT_OQ>(x, hi));
        _mm256_blendv_ps(res, x, _mm256_cmp_ps::<_CMP_UNORD_Q>(x, x))
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn softmax_row(x: *const f32, out: *mut f32, n: usize, log: bool) {
        // max (NaN ignored here: a NaN still reaches every output through the sum)
        let mut vm = _mm256_set1_ps(f32::NEG_INFINITY);
        let mut i = 0;
        while i + 8 <= n {
            vm = _mm256_max_ps(_mm256_loadu_ps(x.add(i)), vm);
            i += 8;
        }
        let mut m = hmax(vm);
        while i < n {
            let v = *x.add(i);
            if v > m {
                m = v;
            }
            i += 1;
        }
        let vmx = _mm256_set1_ps(m);
        let (mut s0, mut s1) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        let mut i = 0;
        while i + 16 <= n {
            let e0 = exp256(_mm256_sub_ps(_mm256_loadu_ps(x.add(i)), vmx));
            let e1 = exp256(_mm256_sub_ps(_mm256_loadu_ps(x.add(i + 8)), vmx));
            if !log {
                _mm256_storeu_ps(out.add(i), e0);
                _mm256_storeu_ps(out.add(i + 8), e1);
            }
            s0 = _mm256_add_ps(s0, e0);
            s1 = _mm256_add_ps(s1, e1);
            i += 16;
        }
        let mut total = hsum(_mm256_add_ps(s0, s1));
        while i < n {
            let e = super::exp_f32(*x.add(i) - m);
            if !log {
                *out.add(i) = e;
            }
            total += e;
            i += 1;
        }
        if log {
            let lse = _mm256_set1_ps(m + total.ln());
            let mut i = 0;
            while i + 8 <= n {
                _mm256_storeu_ps(out.add(i), _mm256_sub_ps(_mm256_loadu_ps(x.add(i)), lse));
                i += 8;
            }
            let lse = m + total.ln();
            while i < n {
                *out.add(i) = *x.add(i) - lse;
                i += 1;
            }
        } else {
            let inv = 1.0 / total;
            let vinv = _mm256_set1_ps(inv);
            let mut i = 0;
            while i + 8 <= n {
                _mm256_storeu_ps(out.add(i), _mm256_mul_ps(_mm256_loadu_ps(out.add(i)), vinv));
                i += 8;
            }
            while i < n {
                *out.add(i) *= inv;
                i += 1;
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn softmax_cols(x: *const f32, out: *mut f32, n: usize, stride: usize, w: usize, log: bool, m: &mut [f32], s: &mut [f32]) {
        let (m, s) = (m.as_mut_ptr(), s.as_mut_ptr());
        let w8 = w - w % 8;
        for j in 0..w {
            *m.add(j) = f32::NEG_INFINITY;
            *s.add(j) = 0.0;
        }
        // column maxima (NaN ignored: it reaches the outputs through the sums)
        for i in 0..n {
            let row = x.add(i * stride);
            let mut j = 0;
            while j < w8 {
                _mm256_storeu_ps(m.add(j), _mm256_max_ps(_mm256_loadu_ps(row.add(j)), _mm256_loadu_ps(m.add(j))));
                j += 8;
            }
            while j < w {
                let v = *row.add(j);
                if v > *m.add(j) {
                    *m.add(j) = v;
                }
                j += 1;
            }
        }
        for i in 0..n {
            let row = x.add(i * stride);
            let orow = out.add(i * stride);
            let mut j = 0;
            while j < w8 {
                let e = exp256(_mm256_sub_ps(_mm256_loadu_ps(row.add(j)), _mm256_loadu_ps(m.add(j))));
                if !log {
                    _mm256_storeu_ps(orow.add(j), e);
                }
                _mm256_storeu_ps(s.add(j), _mm256_add_ps(_mm256_loadu_ps(s.add(j)), e));
                j += 8;
            }
            while j < w {
                let e = super::exp_f32(*row.add(j) - *m.add(j));
                if !log {
                    *orow.add(j) = e;
                }
                *s.add(j) += e;
                j += 1;
            }
        }
        if log {
            for j in 0..w {
                *s.add(j) = *m.add(j) + (*s.add(j)).ln();
            }
            for i in 0..n {
                let row = x.add(i * stride);
                let orow = out.add(i * stride);
                let mut j = 0;
                while j < w8 {
                    _mm256_storeu_ps(orow.add(j), _mm256_sub_ps(_mm256_loadu_ps(row.add(j)), _mm256_loadu_ps(s.add(j))));
                    j += 8;
                }
                while j < w {
                    *orow.add(j) = *row.add(j) - *s.add(j);
                    j += 1;
                }
            }
        } else {
            for j in 0..w {
                *s.add(j) = 1.0 / *s.add(j);
            }
            for i in 0..n {
                let orow = out.add(i * stride);
                let mut j = 0;
                while j < w8 {
                    _mm256_storeu_ps(orow.add(j), _mm256_mul_ps(_mm256_loadu_ps(orow.add(j)), _mm256_loadu_ps(s.add(j))));
                    j += 8;
                }
                while j < w {
                    *orow.add(j) *= *s.add(j);
                    j += 1;
                }
            }
        }
    }
}

// ---------- contiguous folds: sum / |x| sum / x² sum, product, max / min ----------

/// What a sum folds: the element (`SUM_PLAIN`), its magnitude (`SUM_ABS`) or its square (`SUM_SQUARE`).
pub const SUM_PLAIN: u8 = 0;
/// `sum(|x|)` (the 1-norm's body).
pub const SUM_ABS: u8 = 1;
/// `sum(x * x)` (the 2-norm's body).
pub const SUM_SQUARE: u8 = 2;

/// Reinterprets `x` as `&[U]` when `T` is `U`.
#[inline(always)]
fn same<T: 'static, U: 'static>(x: &[T]) -> Option<&[U]> {
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>() {
        Some(unsafe { std::slice::from_raw_parts(x.as_ptr() as *const U, x.len()) })
    } else {
        None
    }
}

/// Casts a value of `U` back to `T` (same type, checked by the caller through `same`).
#[inline(always)]
fn back<U: Copy, T: Copy>(v: U) -> T {
    debug_assert_eq!(std::mem::size_of::<U>(), std::mem::size_of::<T>());
    unsafe { *(&v as *const U as *const T) }
}

/// AVX2 `sum(f(x))` of a float32 / float64 slice (`K` picks f: `SUM_*`): four
/// vector accumulators per leaf of 4096 elements, leaves combined pairwise (so
/// float32 sums of 1e7 ones are exact). `None` for other types or without AVX2.
#[inline(always)]
pub fn sum_simd<T: Copy + 'static, const K: u8>(x: &[T]) -> Option<T> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        if let Some(v) = same::<T, f32>(x) {
            return Some(back(unsafe { fold::sum::<f32, K>(v) }));
        }
        if let Some(v) = same::<T, f64>(x) {
            return Some(back(unsafe { fold::sum::<f64, K>(v) }));
        }
    }
    let _ = x;
    None
}

/// AVX2 product of a float32 / float64 slice (`None` for other types or without AVX2).
#[inline(always)]
pub fn prod_simd<T: Copy + 'static>(x: &[T]) -> Option<T> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        if let Some(v) = same::<T, f32>(x) {
            return Some(back(unsafe { fold::prod::<f32>(v) }));
        }
        if let Some(v) = same::<T, f64>(x) {
            return Some(back(unsafe { fold::prod::<f64>(v) }));
        }
    }
    let _ = x;
    None
}

/// AVX2 NaN-propagating max (`MAX`) / min value of a non-empty float32 / float64
/// slice (`None` for other types, empty slices or without AVX2).
#[inline(always)]
pub fn extreme_simd<T: Copy + 'static, const MAX: bool>(x: &[T]) -> Option<T> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() && !x.is_empty() {
        if let Some(v) = same::<T, f32>(x) {
            return Some(back(unsafe { fold::extreme::<f32, MAX>(v) }));
        }
        if let Some(v) = same::<T, f64>(x) {
            return Some(back(unsafe { fold::extreme::<f64, MAX>(v) }));
        }
    }
    let _ = x;
    None
}

#[cfg(target_arch = "x86_64")]
mod fold {
    use std::arch::x86_64::*;

    /// Leaf size of the pairwise sum.
    const BLOCK: usize = 4096;

    /// A float type and its 256-bit vector.
    pub trait Lane: Copy + PartialOrd + 'static {
        type V: Copy;
        const W: usize;
        const ZERO: Self;
        const ONE: Self;
        unsafe fn splat(v: Self) -> Self::V;
        unsafe fn load(p: *const Self) -> Self::V;
        unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
        unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
        /// `max(x, m)`: `m` when `x` is NaN.
        unsafe fn max(x: Self::V, m: Self::V) -> Self::V;
        unsafe fn min(x: Self::V, m: Self::V) -> Self::V;
        unsafe fn abs(a: Self::V) -> Self::V;
        /// All-ones lanes where `a` is NaN.
        unsafe fn nan(a: Self::V) -> Self::V;
        unsafe fn or(a: Self::V, b: Self::V) -> Self::V;
        unsafe fn any(m: Self::V) -> bool;
        unsafe fn lanes(v: Self::V) -> [Self; 8];
        fn sadd(a: Self, b: Self) -> Self;
        fn smul(a: Self, b: Self) -> Self;
        fn sabs(a: Self) -> Self;
        fn nan_value() -> Self;
    }

    impl Lane for f32 {
        type V = __m256;
        const W: usize = 8;
        const ZERO: f32 = 0.0;
        const ONE: f32 = 1.0;
        #[inline(always)]
        unsafe fn splat(v: f32) -> __m256 { _mm256_set1_ps(v) }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> __m256 { _mm256_loadu_ps(p) }
        #[inline(always)]
        unsafe fn add(a: __m256, b: __m256) -> __m256 { _mm256_add_ps(a, b) }
        #[inline(always)]
        unsafe fn mul(a: __m256, b: __m256) -> __m256 { _mm256_mul_ps(a, b) }
        #[inline(always)]
        unsafe fn max(x: __m256, m: __m256) -> __m256 { _mm256_max_ps(x, m) }
        #[inline(always)]
        unsafe fn min(x: __m256, m: __m256) -> __m256 { _mm256_min_ps(x, m) }
        #[inline(always)]
        unsafe fn abs(a: __m256) -> __m256 { _mm256_andnot_ps(_mm256_set1_ps(-0.0), a) }
        #[inline(always)]
        unsafe fn nan(a: __m256) -> __m256 { _mm256_cmp_ps::<_CMP_UNORD_Q>(a, a) }
        #[inline(always)]
        unsafe fn or(a: __m256, b: __m256) -> __m256 { _mm256_or_ps(a, b) }
        #[inline(always)]
        unsafe fn any(m: __m256) -> bool { _mm256_movemask_ps(m) != 0 }
        #[inline(always)]
        unsafe fn lanes(v: __m256) -> [f32; 8] { std::mem::transmute(v) }
        #[inline(always)]
        fn sadd(a: f32, b: f32) -> f32 { a + b }
        #[inline(always)]
        fn smul(a: f32, b: f32) -> f32 { a * b }
        #[inline(always)]
        fn sabs(a: f32) -> f32 { a.abs() }
        fn nan_value() -> f32 { f32::NAN }
    }

    impl Lane for f64 {
        type V = __m256d;
        const W: usize = 4;
        const ZERO: f64 = 0.0;
        const ONE: f64 = 1.0;
        #[inline(always)]
        unsafe fn splat(v: f64) -> __m256d { _mm256_set1_pd(v) }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> __m256d { _mm256_loadu_pd(p) }
        #[inline(always)]
        unsafe fn add(a: __m256d, b: __m256d) -> __m256d { _mm256_add_pd(a, b) }
        #[inline(always)]
        unsafe fn mul(a: __m256d, b: __m256d) -> __m256d { _mm256_mul_pd(a, b) }
        #[inline(always)]
        unsafe fn max(x: __m256d, m: __m256d) -> __m256d { _mm256_max_pd(x, m) }
        #[inline(always)]
        unsafe fn min(x: __m256d, m: __m256d) -> __m256d { _mm256_min_pd(x, m) }
        #[inline(always)]
        unsafe fn abs(a: __m256d) -> __m256d { _mm256_andnot_pd(_mm256_set1_pd(-0.0), a) }
        #[inline(always)]
        unsafe fn nan(a: __m256d) -> __m256d { _mm256_cmp_pd::<_CMP_UNORD_Q>(a, a) }
        #[inline(always)]
        unsafe fn or(a: __m256d, b: __m256d) -> __m256d { _mm256_or_pd(a, b) }
        #[inline(always)]
        unsafe fn any(m: __m256d) -> bool { _mm256_movemask_pd(m) != 0 }
        #[inline(always)]
        unsafe fn lanes(v: __m256d) -> [f64; 8] {
            let a: [f64; 4] = std::mem::transmute(v);
            [a[0], a[1], a[2], a[3], 0.0, 0.0, 0.0, 0.0]
        }
        #[inline(always)]
        fn sadd(a: f64, b: f64) -> f64 { a + b }
        #[inline(always)]
        fn smul(a: f64, b: f64) -> f64 { a * b }
        #[inline(always)]
        fn sabs(a: f64) -> f64 { a.abs() }
        fn nan_value() -> f64 { f64::NAN }
    }

    #[inline(always)]
    unsafe fn vmap<T: Lane, const K: u8>(v: T::V) -> T::V {
        match K {
            super::SUM_PLAIN => v,
            super::SUM_ABS => T::abs(v),
            _ => T::mul(v, v),
        }
    }

    #[inline(always)]
    fn smap<T: Lane, const K: u8>(v: T) -> T {
        match K {
            super::SUM_PLAIN => v,
            super::SUM_ABS => T::sabs(v),
            _ => T::smul(v, v),
        }
    }

    /// Combines the first `T::W` lanes of `v` with `op` as a balanced tree.
    #[inline(always)]
    unsafe fn tree<T: Lane>(v: T::V, op: impl Fn(T, T) -> T) -> T {
        let mut a = T::lanes(v);
        let mut w = T::W;
        while w > 1 {
            w /= 2;
            for k in 0..w {
                a[k] = op(a[k], a[k + w]);
            }
        }
        a[0]
    }

    /// Folds `x` with a vector op over four accumulators, then whole vectors into
    /// the first, returning the combined vector and where the scalar tail starts.
    #[inline(always)]
    unsafe fn fold4<T: Lane>(x: &[T], init: T::V, f: impl Fn(T::V, *const T) -> T::V, op: impl Fn(T::V, T::V) -> T::V) -> (T::V, usize) {
        let n = x.len();
        let p = x.as_ptr();
        let w = T::W;
        let (mut a0, mut a1, mut a2, mut a3) = (init, init, init, init);
        let mut i = 0;
        while i + 4 * w <= n {
            a0 = f(a0, p.add(i));
            a1 = f(a1, p.add(i + w));
            a2 = f(a2, p.add(i + 2 * w));
            a3 = f(a3, p.add(i + 3 * w));
            i += 4 * w;
        }
        while i + w <= n {
            a0 = f(a0, p.add(i));
            i += w;
        }
        (op(op(a0, a1), op(a2, a3)), i)
    }

    #[inline(always)]
    unsafe fn sum_leaf<T: Lane, const K: u8>(x: &[T]) -> T {
        let (v, mut i) = fold4::<T>(x, T::splat(T::ZERO), |a, p| T::add(a, vmap::<T, K>(T::load(p))), |a, b| T::add(a, b));
        let mut s = tree::<T>(v, T::sadd);
        while i < x.len() {
            s = T::sadd(s, smap::<T, K>(*x.get_unchecked(i)));
            i += 1;
        }
        s
    }

    /// `sum(f(x))`: leaves of `BLOCK` elements, combined pairwise.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn sum<T: Lane, const K: u8>(x: &[T]) -> T {
        if x.len() <= BLOCK {
            return sum_leaf::<T, K>(x);
        }
        let mid = (x.len() / 2).div_ceil(BLOCK) * BLOCK;
        T::sadd(sum::<T, K>(&x[..mid]), sum::<T, K>(&x[mid..]))
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn prod<T: Lane>(x: &[T]) -> T {
        let (v, mut i) = fold4::<T>(x, T::splat(T::ONE), |a, p| T::mul(a, T::load(p)), |a, b| T::mul(a, b));
        let mut s = tree::<T>(v, T::smul);
        while i < x.len() {
            s = T::smul(s, *x.get_unchecked(i));
            i += 1;
        }
        s
    }

    /// Max / min value, NaN when any element is NaN. `x` is non-empty.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn extreme<T: Lane, const MAX: bool>(x: &[T]) -> T {
        let n = x.len();
        let p = x.as_ptr();
        let w = T::W;
        let first = T::splat(x[0]);
        let (mut m0, mut m1) = (first, first);
        let zero = T::splat(T::ZERO);
        let (mut n0, mut n1) = (T::nan(zero), T::nan(zero));
        let mut i = 0;
        while i + 2 * w <= n {
            let a = T::load(p.add(i));
            let b = T::load(p.add(i + w));
            if MAX {
                m0 = T::max(a, m0);
                m1 = T::max(b, m1);
            } else {
                m0 = T::min(a, m0);
                m1 = T::min(b, m1);
            }
            n0 = T::or(n0, T::nan(a));
            n1 = T::or(n1, T::nan(b));
            i += 2 * w;
        }
        let m = if MAX { T::max(m0, m1) } else { T::min(m0, m1) };
        let mut any_nan = T::any(T::or(n0, n1));
        let mut best = tree::<T>(m, |a, b| if (MAX && b > a) || (!MAX && b < a) { b } else { a });
        while i < n {
            let v = *x.get_unchecked(i);
            #[allow(clippy::eq_op)]
            let is_nan = v != v;
            any_nan |= is_nan;
            if (MAX && v > best) || (!MAX && v < best) {
                best = v;
            }
            i += 1;
        }
        #[allow(clippy::eq_op)]
        if any_nan || best != best {
            return T::nan_value();
        }
        best
    }
}
