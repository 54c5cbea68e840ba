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
