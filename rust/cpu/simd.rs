//! SIMD vectors for the hand-written kernels, one trait for every instruction-set level.
//!
//! A kernel is written once, generic over `V: Vector`, as a [`Kernel`]; [`run`] instantiates
//! it for the vector type of the active level ([`crate::cpu::isa`]) inside a function compiled
//! for that level's features:
//!
//! | level    | f32 vector          | f64 vector         |
//! |----------|---------------------|--------------------|
//! | baseline | `Lanes<f32, 4>`     | `Lanes<f64, 2>`    |  (plain Rust arrays: SSE2 / NEON)
//! | avx2     | `avx2::F32x8`       | `avx2::F64x4`      |
//! | avx512   | `avx512::F32x16`    | `avx512::F64x8`    |
//!
//! **Same results at every level.** The kernels fold data into a fixed number of partial
//! results ([`Elem::ACC`] slots: 64 for f32, 32 for f64, whatever the vector width), combine
//! them by the same tree and add the tail in order; every operation is a plain IEEE one
//! (no fused multiply-add, which the scalar code could not reproduce). So sums, softmax and
//! the rest give bit-identical results at every level, and the tests check exactly that.

use crate::cpu::isa::{self, Isa};
use std::ops::{Add, Div, Mul, Sub};

/// An element type the SIMD kernels handle (f32, f64), with its vector type per level.
pub trait Elem: Copy + PartialOrd + Send + Sync + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + 'static {
    /// Partial results a fold keeps (the same at every level; 256 bytes of accumulators).
    const ACC: usize;
    /// 0, the identity of sums.
    const ZERO: Self;
    /// 1, the identity of products.
    const ONE: Self;
    /// -inf, the identity of max.
    const NEG_INF: Self;
    /// +inf, the identity of min.
    const INF: Self;
    /// A quiet NaN, what a NaN-propagating fold returns.
    const NAN: Self;
    /// The portable vector (an array of scalar lanes, 16 bytes) used at the baseline level.
    type Portable: Vector<E = Self>;
    /// The AVX2 vector of this element type (256 bits).
    #[cfg(target_arch = "x86_64")]
    type Avx2: Vector<E = Self>;
    /// The AVX-512 vector of this element type (512 bits).
    #[cfg(target_arch = "x86_64")]
    type Avx512: Vector<E = Self>;
    /// `|self|` (clears the sign bit).
    fn abs(self) -> Self;
    /// Whether `self` is NaN.
    #[allow(clippy::wrong_self_convention)]
    fn is_nan(self) -> bool;
    /// `e^x`: [`crate::cpu::vmath`]'s function, which [`exp`] reproduces lane by lane.
    fn exp(self) -> Self;
    /// Natural logarithm (the std's).
    fn ln(self) -> Self;
    /// [`exp`] on a vector of this element type.
    /// # Safety
    /// As [`Vector`]'s methods.
    unsafe fn exp_v<V: Vector<E = Self>>(x: V) -> V;
    /// `e^x` for `x <= 0` (the softmax's): `vmath::exp_nonpos_f32` / `_f64`, which
    /// [`exp_nonpos`] reproduces lane by lane.
    fn exp_nonpos(self) -> Self;
    /// [`exp_nonpos`] on a vector of this element type.
    /// # Safety
    /// As [`Vector`]'s methods.
    unsafe fn exp_nonpos_v<V: Vector<E = Self>>(x: V) -> V;
}

impl Elem for f32 {
    const ACC: usize = 64;
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    const NEG_INF: f32 = f32::NEG_INFINITY;
    const INF: f32 = f32::INFINITY;
    const NAN: f32 = f32::NAN;
    type Portable = Lanes<f32, 4>;
    #[cfg(target_arch = "x86_64")]
    type Avx2 = avx2::F32x8;
    #[cfg(target_arch = "x86_64")]
    type Avx512 = avx512::F32x16;
    #[inline(always)]
    fn abs(self) -> f32 { f32::abs(self) }
    #[inline(always)]
    fn is_nan(self) -> bool { f32::is_nan(self) }
    #[inline(always)]
    fn exp(self) -> f32 { crate::cpu::vmath::exp_f32(self) }
    #[inline(always)]
    fn ln(self) -> f32 { f32::ln(self) }
    #[inline(always)]
    unsafe fn exp_v<V: Vector<E = f32>>(x: V) -> V { exp_f32_v(x) }
    #[inline(always)]
    fn exp_nonpos(self) -> f32 { crate::cpu::vmath::exp_nonpos_f32(self) }
    #[inline(always)]
    unsafe fn exp_nonpos_v<V: Vector<E = f32>>(x: V) -> V { exp_nonpos_f32_v(x) }
}

impl Elem for f64 {
    const ACC: usize = 32;
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    const NEG_INF: f64 = f64::NEG_INFINITY;
    const INF: f64 = f64::INFINITY;
    const NAN: f64 = f64::NAN;
    type Portable = Lanes<f64, 2>;
    #[cfg(target_arch = "x86_64")]
    type Avx2 = avx2::F64x4;
    #[cfg(target_arch = "x86_64")]
    type Avx512 = avx512::F64x8;
    #[inline(always)]
    fn abs(self) -> f64 { f64::abs(self) }
    #[inline(always)]
    fn is_nan(self) -> bool { f64::is_nan(self) }
    #[inline(always)]
    fn exp(self) -> f64 { crate::cpu::vmath::exp_f64(self) }
    #[inline(always)]
    fn ln(self) -> f64 { f64::ln(self) }
    #[inline(always)]
    unsafe fn exp_v<V: Vector<E = f64>>(x: V) -> V { exp_f64_v(x) }
    #[inline(always)]
    fn exp_nonpos(self) -> f64 { crate::cpu::vmath::exp_nonpos_f64(self) }
    #[inline(always)]
    unsafe fn exp_nonpos_v<V: Vector<E = f64>>(x: V) -> V { exp_nonpos_f64_v(x) }
}

/// A SIMD vector of `LANES` elements. Every method is `#[inline(always)]`: it only compiles
/// to the level's instructions once inlined into a function of that level (see [`run`]).
///
/// # Safety
/// Every method has the same contract, stated here once: the methods use the level's
/// intrinsics, so call them only where the CPU has that level (inside [`run`]'s dispatch);
/// `load` and `store` also need `p` valid for `LANES` elements.
// the shared contract above is each method's `# Safety` section
#[allow(clippy::missing_safety_doc)]
pub trait Vector: Copy {
    /// The element type in each lane.
    type E: Elem;
    /// A lane mask (a compare result).
    type M: Copy;
    /// Elements per vector.
    const LANES: usize;
    /// Every lane set to `v`.
    unsafe fn splat(v: Self::E) -> Self;
    /// Loads `LANES` elements from `p` (no alignment needed).
    unsafe fn load(p: *const Self::E) -> Self;
    /// Loads the first `n < LANES` lanes from `p` (only those need be readable) and sets the
    /// others to `pad`: a masked load, where a copy into a padded buffer reread as a vector
    /// would stall on store forwarding.
    unsafe fn load_partial(p: *const Self::E, n: usize, pad: Self::E) -> Self;
    /// Stores the `LANES` elements to `p` (no alignment needed).
    unsafe fn store(self, p: *mut Self::E);
    /// Lane-wise `self + o` (IEEE, no fused multiply-add).
    unsafe fn add(self, o: Self) -> Self;
    /// Lane-wise `self - o`.
    unsafe fn sub(self, o: Self) -> Self;
    /// Lane-wise `self * o`.
    unsafe fn mul(self, o: Self) -> Self;
    /// Lane-wise `self / o`.
    unsafe fn div(self, o: Self) -> Self;
    /// `self > o ? self : o` per lane (so `o` when either is NaN), as x86's `max`.
    unsafe fn max(self, o: Self) -> Self;
    /// `self < o ? self : o` per lane.
    unsafe fn min(self, o: Self) -> Self;
    /// Lane-wise `|self|`.
    unsafe fn abs(self) -> Self;
    /// Lanes where `self > o` (false when either is NaN).
    unsafe fn gt(self, o: Self) -> Self::M;
    /// Lanes where `self < o` (false when either is NaN).
    unsafe fn lt(self, o: Self) -> Self::M;
    /// Lanes where `self == o` (false when either is NaN).
    unsafe fn eq(self, o: Self) -> Self::M;
    /// Lanes that are NaN.
    unsafe fn nan(self) -> Self::M;
    /// Lanes set in `a` or in `b`.
    unsafe fn or(a: Self::M, b: Self::M) -> Self::M;
    /// `a` where `m` is set, else `b`.
    unsafe fn select(m: Self::M, a: Self, b: Self) -> Self;
    /// Bit `i` set when lane `i` of `m` is.
    unsafe fn bits(m: Self::M) -> u64;
    /// For `t = x * log2(e) + MAGIC` (MAGIC = 1.5 * 2^mantissa bits, so `t`'s low bits hold
    /// `n = round(x * log2 e)`): `(2^h, 2^(n - h))` with `h = floor(n / 2)`, the two
    /// normal factors of `2^n` that [`exp`] scales by (so results can be subnormal).
    unsafe fn pow2_split(t: Self) -> (Self, Self);
    /// For `t` as in [`pow2_split`](Vector::pow2_split) with `n` in the normal exponent range:
    /// `2^n` (the bits of `t` shifted left by the mantissa width, plus the exponent bias).
    unsafe fn pow2(t: Self) -> Self;
}

/// Copies a vector's lanes to an array (`LANES <= 16`).
///
/// # Safety
/// As [`Vector`]'s methods: only where the CPU has `V`'s level.
#[inline(always)]
pub unsafe fn lanes<V: Vector>(v: V) -> [V::E; 16] {
    let mut a = [V::E::ZERO; 16];
    v.store(a.as_mut_ptr());
    a
}

/// `e^x` lane by lane: the same operations, in the same order, as `vmath::exp_f32` /
/// `vmath::exp_f64`, so the result is bit-identical to the scalar function.
///
/// # Safety
/// As [`Vector`]'s methods: only where the CPU has `V`'s level.
#[inline(always)]
pub unsafe fn exp<V: Vector>(x: V) -> V {
    V::E::exp_v(x)
}

#[inline(always)]
unsafe fn exp_f32_v<V: Vector<E = f32>>(x: V) -> V {
    // constants and steps of vmath::exp_f32
    let (hi, lo) = (V::splat(89.0), V::splat(-104.0));
    let xc = V::select(x.gt(hi), hi, x);
    let xc = V::select(xc.lt(lo), lo, xc);
    let magic = V::splat(12_582_912.0);
    let t = xc.mul(V::splat(std::f32::consts::LOG2_E)).add(magic);
    let n = t.sub(magic);
    let r = xc.sub(n.mul(V::splat(crate::cpu::vmath::LN2_HI_F32))).sub(n.mul(V::splat(-2.121_944_4e-4)));
    let r2 = r.mul(r);
    let mut p = V::splat(1.987_569_1e-4);
    for k in [1.398_199_9e-3f32, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 0.5] {
        p = p.mul(r).add(V::splat(k));
    }
    let y = p.mul(r2).add(r).add(V::splat(1.0));
    let (s1, s2) = V::pow2_split(t);
    y.mul(s1).mul(s2)
}

/// `e^r` for the reduced `|r| <= ln2/2` of the f64 exponentials: `vmath::exp_taylor_f64` lane by lane.
#[inline(always)]
unsafe fn exp_taylor_f64<V: Vector<E = f64>>(r: V) -> V {
    let mut p = V::splat(1.0 / 479_001_600.0);
    for k in [
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ] {
        p = p.mul(r).add(V::splat(k));
    }
    p.mul(r).mul(r).add(r).add(V::splat(1.0))
}

#[inline(always)]
unsafe fn exp_f64_v<V: Vector<E = f64>>(x: V) -> V {
    // constants and steps of vmath::exp_f64
    let (hi, lo) = (V::splat(710.0), V::splat(-746.0));
    let xc = V::select(x.gt(hi), hi, x);
    let xc = V::select(xc.lt(lo), lo, xc);
    let magic = V::splat(6_755_399_441_055_744.0);
    let t = xc.mul(V::splat(std::f64::consts::LOG2_E)).add(magic);
    let n = t.sub(magic);
    let r = xc.sub(n.mul(V::splat(6.931_457_519_531_25e-1))).sub(n.mul(V::splat(1.428_606_820_309_417_3e-6)));
    let y = exp_taylor_f64(r);
    let (s1, s2) = V::pow2_split(t);
    y.mul(s1).mul(s2)
}

/// `e^x` for `x <= 0` (or NaN) lane by lane: `vmath::exp_nonpos_f32` / `_f64`'s operations in
/// the same order, so bit-identical to them (and to [`exp`] where the result is normal).
///
/// # Safety
/// As [`Vector`]'s methods: only where the CPU has `V`'s level.
#[inline(always)]
pub unsafe fn exp_nonpos<V: Vector>(x: V) -> V {
    V::E::exp_nonpos_v(x)
}

// the constants are vmath's, written with the digits of their reference (Cephes); each
// literal rounds to the value the scalar function uses
#[allow(clippy::excessive_precision)]
#[inline(always)]
unsafe fn exp_nonpos_f32_v<V: Vector<E = f32>>(x: V) -> V {
    // constants and steps of vmath::exp_nonpos_f32
    let magic = V::splat(12_582_912.0);
    let t = x.mul(V::splat(std::f32::consts::LOG2_E)).add(magic);
    let n = t.sub(magic);
    let r = x.sub(n.mul(V::splat(0.693_359_375))).sub(n.mul(V::splat(-2.121_944_4e-4)));
    let r2 = r.mul(r);
    let mut p = V::splat(1.987_569_1e-4);
    for k in [1.398_199_9e-3f32, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1] {
        p = p.mul(r).add(V::splat(k));
    }
    let y = p.mul(r2).add(r).add(V::splat(1.0));
    V::select(x.lt(V::splat(-87.336_544)), V::splat(0.0), y.mul(V::pow2(t)))
}

#[allow(clippy::excessive_precision)] // as exp_nonpos_f32_v
#[inline(always)]
unsafe fn exp_nonpos_f64_v<V: Vector<E = f64>>(x: V) -> V {
    // constants and steps of vmath::exp_nonpos_f64
    let magic = V::splat(6_755_399_441_055_744.0);
    let t = x.mul(V::splat(std::f64::consts::LOG2_E)).add(magic);
    let n = t.sub(magic);
    let r = x.sub(n.mul(V::splat(6.931_457_519_531_25e-1))).sub(n.mul(V::splat(1.428_606_820_309_417_232_1e-6)));
    let y = exp_taylor_f64(r);
    V::select(x.lt(V::splat(-708.396_418_532_264_1)), V::splat(0.0), y.mul(V::pow2(t)))
}

// ---------- running a kernel at a level ----------

/// A kernel written once for every vector type. `run` must be `#[inline(always)]` (and so
/// must everything it calls), so that it compiles into the level's function.
pub trait Kernel<E: Elem> {
    /// What the kernel returns (the same at every level).
    type Out;
    /// # Safety
    /// Only called by [`run_at`] with the vector type of a level the CPU has.
    unsafe fn run<V: Vector<E = E>>(self) -> Self::Out;
}

/// Runs `k` at the active level.
#[inline(always)]
pub fn run<E: Elem, K: Kernel<E>>(k: K) -> K::Out {
    run_at(isa::active(), k)
}

/// Runs `k` at `level` (lower levels than the active one are for tests and comparisons; a
/// level above what the CPU has runs at the highest one it has).
#[inline(always)]
pub fn run_at<E: Elem, K: Kernel<E>>(level: Isa, k: K) -> K::Out {
    let level = level.min(isa::detected());
    match level {
        // SAFETY: `level` is at most `detected()`, so the CPU has AVX-512 F/BW/DQ/VL, the
        // features run_avx512 is compiled for
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { run_avx512::<E, K>(k) },
        // SAFETY: `level` is at most `detected()`, so the CPU has AVX2 and FMA
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { run_avx2::<E, K>(k) },
        // SAFETY: the portable vectors use no instructions beyond the target's baseline
        _ => unsafe { k.run::<E::Portable>() },
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
unsafe fn run_avx512<E: Elem, K: Kernel<E>>(k: K) -> K::Out {
    k.run::<E::Avx512>()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn run_avx2<E: Elem, K: Kernel<E>>(k: K) -> K::Out {
    k.run::<E::Avx2>()
}

// ---------- baseline: plain arrays ----------

/// `N` lanes as a plain array: LLVM maps the loops to the baseline's vectors (SSE2, NEON).
#[derive(Clone, Copy)]
pub struct Lanes<T, const N: usize>([T; N]);

macro_rules! lanes_impl {
    ($t:ty, $n:expr, $bits:ty, $ubits:ty, $mant:expr, $bias:expr) => {
        impl Vector for Lanes<$t, $n> {
            type E = $t;
            type M = [bool; $n];
            const LANES: usize = $n;
            #[inline(always)]
            unsafe fn splat(v: $t) -> Self { Lanes([v; $n]) }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self { Lanes(std::ptr::read_unaligned(p as *const [$t; $n])) }
            #[inline(always)]
            unsafe fn load_partial(p: *const $t, n: usize, pad: $t) -> Self { Lanes(std::array::from_fn(|i| if i < n { *p.add(i) } else { pad })) }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) { std::ptr::write_unaligned(p as *mut [$t; $n], self.0) }
            #[inline(always)]
            unsafe fn add(self, o: Self) -> Self { Lanes(std::array::from_fn(|i| self.0[i] + o.0[i])) }
            #[inline(always)]
            unsafe fn sub(self, o: Self) -> Self { Lanes(std::array::from_fn(|i| self.0[i] - o.0[i])) }
            #[inline(always)]
            unsafe fn mul(self, o: Self) -> Self { Lanes(std::array::from_fn(|i| self.0[i] * o.0[i])) }
            #[inline(always)]
            unsafe fn div(self, o: Self) -> Self { Lanes(std::array::from_fn(|i| self.0[i] / o.0[i])) }
            #[inline(always)]
            unsafe fn max(self, o: Self) -> Self { Lanes(std::array::from_fn(|i| if self.0[i] > o.0[i] { self.0[i] } else { o.0[i] })) }
            #[inline(always)]
            unsafe fn min(self, o: Self) -> Self { Lanes(std::array::from_fn(|i| if self.0[i] < o.0[i] { self.0[i] } else { o.0[i] })) }
            #[inline(always)]
            unsafe fn abs(self) -> Self { Lanes(std::array::from_fn(|i| self.0[i].abs())) }
            #[inline(always)]
            unsafe fn gt(self, o: Self) -> [bool; $n] { std::array::from_fn(|i| self.0[i] > o.0[i]) }
            #[inline(always)]
            unsafe fn lt(self, o: Self) -> [bool; $n] { std::array::from_fn(|i| self.0[i] < o.0[i]) }
            #[inline(always)]
            unsafe fn eq(self, o: Self) -> [bool; $n] { std::array::from_fn(|i| self.0[i] == o.0[i]) }
            #[inline(always)]
            unsafe fn nan(self) -> [bool; $n] { std::array::from_fn(|i| self.0[i].is_nan()) }
            #[inline(always)]
            unsafe fn or(a: [bool; $n], b: [bool; $n]) -> [bool; $n] { std::array::from_fn(|i| a[i] | b[i]) }
            #[inline(always)]
            unsafe fn select(m: [bool; $n], a: Self, b: Self) -> Self { Lanes(std::array::from_fn(|i| if m[i] { a.0[i] } else { b.0[i] })) }
            #[inline(always)]
            unsafe fn bits(m: [bool; $n]) -> u64 {
                let mut b = 0u64;
                for i in 0..$n {
                    b |= (m[i] as u64) << i;
                }
                b
            }
            #[inline(always)]
            unsafe fn pow2_split(t: Self) -> (Self, Self) {
                // the scalar functions' integer steps, lane by lane
                const MAGIC: $t = 1.5 * (1u64 << $mant) as $t;
                let mut s1 = [0.0; $n];
                let mut s2 = [0.0; $n];
                for i in 0..$n {
                    let ni = (t.0[i].to_bits() as $bits).wrapping_sub(MAGIC.to_bits() as $bits);
                    let h = ni >> 1;
                    s1[i] = <$t>::from_bits((h.wrapping_add($bias) as $ubits) << $mant);
                    s2[i] = <$t>::from_bits((ni.wrapping_sub(h).wrapping_add($bias) as $ubits) << $mant);
                }
                (Lanes(s1), Lanes(s2))
            }
            #[inline(always)]
            unsafe fn pow2(t: Self) -> Self {
                Lanes(std::array::from_fn(|i| <$t>::from_bits((t.0[i].to_bits() << $mant).wrapping_add(($bias as $ubits) << $mant))))
            }
        }
    };
}
lanes_impl!(f32, 4, i32, u32, 23, 127);
lanes_impl!(f64, 2, i64, u64, 52, 1023);

// ---------- AVX2 ----------

/// The AVX2 vector types (`__m256` / `__m256d`) and their [`Vector`] implementations.
#[cfg(target_arch = "x86_64")]
pub mod avx2 {
    use super::Vector;
    use std::arch::x86_64::*;

    /// 8 x f32 in a `__m256`.
    #[derive(Clone, Copy)]
    pub struct F32x8(__m256);
    /// 4 x f64 in a `__m256d`.
    #[derive(Clone, Copy)]
    pub struct F64x4(__m256d);

    impl Vector for F32x8 {
        type E = f32;
        type M = __m256;
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self { F32x8(_mm256_set1_ps(v)) }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self { F32x8(_mm256_loadu_ps(p)) }
        #[inline(always)]
        unsafe fn load_partial(p: *const f32, n: usize, pad: f32) -> Self {
            // lanes below n: maskload reads only those (the others cannot fault)
            let m = _mm256_cmpgt_epi32(_mm256_set1_epi32(n as i32), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
            F32x8(_mm256_blendv_ps(_mm256_set1_ps(pad), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m)))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) { _mm256_storeu_ps(p, self.0) }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self { F32x8(_mm256_add_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self { F32x8(_mm256_sub_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn mul(self, o: Self) -> Self { F32x8(_mm256_mul_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn div(self, o: Self) -> Self { F32x8(_mm256_div_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn max(self, o: Self) -> Self { F32x8(_mm256_max_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn min(self, o: Self) -> Self { F32x8(_mm256_min_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn abs(self) -> Self { F32x8(_mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0)) }
        #[inline(always)]
        unsafe fn gt(self, o: Self) -> __m256 { _mm256_cmp_ps::<_CMP_GT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn lt(self, o: Self) -> __m256 { _mm256_cmp_ps::<_CMP_LT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn eq(self, o: Self) -> __m256 { _mm256_cmp_ps::<_CMP_EQ_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn nan(self) -> __m256 { _mm256_cmp_ps::<_CMP_UNORD_Q>(self.0, self.0) }
        #[inline(always)]
        unsafe fn or(a: __m256, b: __m256) -> __m256 { _mm256_or_ps(a, b) }
        #[inline(always)]
        unsafe fn select(m: __m256, a: Self, b: Self) -> Self { F32x8(_mm256_blendv_ps(b.0, a.0, m)) }
        #[inline(always)]
        unsafe fn bits(m: __m256) -> u64 { _mm256_movemask_ps(m) as u32 as u64 }
        #[inline(always)]
        unsafe fn pow2_split(t: Self) -> (Self, Self) {
            let ni = _mm256_sub_epi32(_mm256_castps_si256(t.0), _mm256_set1_epi32(12_582_912f32.to_bits() as i32));
            let h = _mm256_srai_epi32::<1>(ni);
            let bias = _mm256_set1_epi32(127);
            let s1 = _mm256_slli_epi32::<23>(_mm256_add_epi32(h, bias));
            let s2 = _mm256_slli_epi32::<23>(_mm256_add_epi32(_mm256_sub_epi32(ni, h), bias));
            (F32x8(_mm256_castsi256_ps(s1)), F32x8(_mm256_castsi256_ps(s2)))
        }
        #[inline(always)]
        unsafe fn pow2(t: Self) -> Self {
            let s = _mm256_add_epi32(_mm256_slli_epi32::<23>(_mm256_castps_si256(t.0)), _mm256_set1_epi32(127 << 23));
            F32x8(_mm256_castsi256_ps(s))
        }
    }

    impl Vector for F64x4 {
        type E = f64;
        type M = __m256d;
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn splat(v: f64) -> Self { F64x4(_mm256_set1_pd(v)) }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self { F64x4(_mm256_loadu_pd(p)) }
        #[inline(always)]
        unsafe fn load_partial(p: *const f64, n: usize, pad: f64) -> Self {
            let m = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), _mm256_setr_epi64x(0, 1, 2, 3));
            F64x4(_mm256_blendv_pd(_mm256_set1_pd(pad), _mm256_maskload_pd(p, m), _mm256_castsi256_pd(m)))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) { _mm256_storeu_pd(p, self.0) }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self { F64x4(_mm256_add_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self { F64x4(_mm256_sub_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn mul(self, o: Self) -> Self { F64x4(_mm256_mul_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn div(self, o: Self) -> Self { F64x4(_mm256_div_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn max(self, o: Self) -> Self { F64x4(_mm256_max_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn min(self, o: Self) -> Self { F64x4(_mm256_min_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn abs(self) -> Self { F64x4(_mm256_andnot_pd(_mm256_set1_pd(-0.0), self.0)) }
        #[inline(always)]
        unsafe fn gt(self, o: Self) -> __m256d { _mm256_cmp_pd::<_CMP_GT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn lt(self, o: Self) -> __m256d { _mm256_cmp_pd::<_CMP_LT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn eq(self, o: Self) -> __m256d { _mm256_cmp_pd::<_CMP_EQ_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn nan(self) -> __m256d { _mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, self.0) }
        #[inline(always)]
        unsafe fn or(a: __m256d, b: __m256d) -> __m256d { _mm256_or_pd(a, b) }
        #[inline(always)]
        unsafe fn select(m: __m256d, a: Self, b: Self) -> Self { F64x4(_mm256_blendv_pd(b.0, a.0, m)) }
        #[inline(always)]
        unsafe fn bits(m: __m256d) -> u64 { _mm256_movemask_pd(m) as u32 as u64 }
        #[inline(always)]
        unsafe fn pow2_split(t: Self) -> (Self, Self) {
            // AVX2 has no 64-bit arithmetic shift: h = floor(n / 2) in floating point (exact),
            // then each biased exponent is an integer below 2^11, read from the low mantissa
            // bits of `e + MAGIC` and shifted into place
            let magic = _mm256_set1_pd(6_755_399_441_055_744.0);
            let n = _mm256_sub_pd(t.0, magic);
            let h = _mm256_round_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(_mm256_mul_pd(n, _mm256_set1_pd(0.5)));
            let bias = _mm256_set1_pd(1023.0);
            let e1 = _mm256_add_pd(_mm256_add_pd(h, bias), magic);
            let e2 = _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(n, h), bias), magic);
            let s1 = _mm256_slli_epi64::<52>(_mm256_castpd_si256(e1));
            let s2 = _mm256_slli_epi64::<52>(_mm256_castpd_si256(e2));
            (F64x4(_mm256_castsi256_pd(s1)), F64x4(_mm256_castsi256_pd(s2)))
        }
        #[inline(always)]
        unsafe fn pow2(t: Self) -> Self {
            let s = _mm256_add_epi64(_mm256_slli_epi64::<52>(_mm256_castpd_si256(t.0)), _mm256_set1_epi64x(1023 << 52));
            F64x4(_mm256_castsi256_pd(s))
        }
    }
}

// ---------- AVX-512 ----------

/// The AVX-512 vector types (`__m512` / `__m512d`, with `__mmask` lane masks) and their
/// [`Vector`] implementations.
#[cfg(target_arch = "x86_64")]
pub mod avx512 {
    use super::Vector;
    use std::arch::x86_64::*;

    /// 16 x f32 in a `__m512`.
    #[derive(Clone, Copy)]
    pub struct F32x16(__m512);
    /// 8 x f64 in a `__m512d`.
    #[derive(Clone, Copy)]
    pub struct F64x8(__m512d);

    impl Vector for F32x16 {
        type E = f32;
        type M = __mmask16;
        const LANES: usize = 16;
        #[inline(always)]
        unsafe fn splat(v: f32) -> Self { F32x16(_mm512_set1_ps(v)) }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self { F32x16(_mm512_loadu_ps(p)) }
        #[inline(always)]
        unsafe fn load_partial(p: *const f32, n: usize, pad: f32) -> Self {
            // masked-off lanes are neither read nor faulted on
            F32x16(_mm512_mask_loadu_ps(_mm512_set1_ps(pad), ((1u32 << n) - 1) as __mmask16, p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f32) { _mm512_storeu_ps(p, self.0) }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self { F32x16(_mm512_add_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self { F32x16(_mm512_sub_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn mul(self, o: Self) -> Self { F32x16(_mm512_mul_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn div(self, o: Self) -> Self { F32x16(_mm512_div_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn max(self, o: Self) -> Self { F32x16(_mm512_max_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn min(self, o: Self) -> Self { F32x16(_mm512_min_ps(self.0, o.0)) }
        #[inline(always)]
        unsafe fn abs(self) -> Self { F32x16(_mm512_abs_ps(self.0)) }
        #[inline(always)]
        unsafe fn gt(self, o: Self) -> __mmask16 { _mm512_cmp_ps_mask::<_CMP_GT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn lt(self, o: Self) -> __mmask16 { _mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn eq(self, o: Self) -> __mmask16 { _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn nan(self) -> __mmask16 { _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(self.0, self.0) }
        #[inline(always)]
        unsafe fn or(a: __mmask16, b: __mmask16) -> __mmask16 { a | b }
        #[inline(always)]
        unsafe fn select(m: __mmask16, a: Self, b: Self) -> Self { F32x16(_mm512_mask_blend_ps(m, b.0, a.0)) }
        #[inline(always)]
        unsafe fn bits(m: __mmask16) -> u64 { m as u64 }
        #[inline(always)]
        unsafe fn pow2_split(t: Self) -> (Self, Self) {
            let ni = _mm512_sub_epi32(_mm512_castps_si512(t.0), _mm512_set1_epi32(12_582_912f32.to_bits() as i32));
            let h = _mm512_srai_epi32::<1>(ni);
            let bias = _mm512_set1_epi32(127);
            let s1 = _mm512_slli_epi32::<23>(_mm512_add_epi32(h, bias));
            let s2 = _mm512_slli_epi32::<23>(_mm512_add_epi32(_mm512_sub_epi32(ni, h), bias));
            (F32x16(_mm512_castsi512_ps(s1)), F32x16(_mm512_castsi512_ps(s2)))
        }
        #[inline(always)]
        unsafe fn pow2(t: Self) -> Self {
            let s = _mm512_add_epi32(_mm512_slli_epi32::<23>(_mm512_castps_si512(t.0)), _mm512_set1_epi32(127 << 23));
            F32x16(_mm512_castsi512_ps(s))
        }
    }

    impl Vector for F64x8 {
        type E = f64;
        type M = __mmask8;
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn splat(v: f64) -> Self { F64x8(_mm512_set1_pd(v)) }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self { F64x8(_mm512_loadu_pd(p)) }
        #[inline(always)]
        unsafe fn load_partial(p: *const f64, n: usize, pad: f64) -> Self {
            F64x8(_mm512_mask_loadu_pd(_mm512_set1_pd(pad), ((1u32 << n) - 1) as __mmask8, p))
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) { _mm512_storeu_pd(p, self.0) }
        #[inline(always)]
        unsafe fn add(self, o: Self) -> Self { F64x8(_mm512_add_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn sub(self, o: Self) -> Self { F64x8(_mm512_sub_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn mul(self, o: Self) -> Self { F64x8(_mm512_mul_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn div(self, o: Self) -> Self { F64x8(_mm512_div_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn max(self, o: Self) -> Self { F64x8(_mm512_max_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn min(self, o: Self) -> Self { F64x8(_mm512_min_pd(self.0, o.0)) }
        #[inline(always)]
        unsafe fn abs(self) -> Self { F64x8(_mm512_abs_pd(self.0)) }
        #[inline(always)]
        unsafe fn gt(self, o: Self) -> __mmask8 { _mm512_cmp_pd_mask::<_CMP_GT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn lt(self, o: Self) -> __mmask8 { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn eq(self, o: Self) -> __mmask8 { _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(self.0, o.0) }
        #[inline(always)]
        unsafe fn nan(self) -> __mmask8 { _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0) }
        #[inline(always)]
        unsafe fn or(a: __mmask8, b: __mmask8) -> __mmask8 { a | b }
        #[inline(always)]
        unsafe fn select(m: __mmask8, a: Self, b: Self) -> Self { F64x8(_mm512_mask_blend_pd(m, b.0, a.0)) }
        #[inline(always)]
        unsafe fn bits(m: __mmask8) -> u64 { m as u64 }
        #[inline(always)]
        unsafe fn pow2_split(t: Self) -> (Self, Self) {
            let ni = _mm512_sub_epi64(_mm512_castpd_si512(t.0), _mm512_set1_epi64(6_755_399_441_055_744f64.to_bits() as i64));
            let h = _mm512_srai_epi64::<1>(ni);
            let bias = _mm512_set1_epi64(1023);
            let s1 = _mm512_slli_epi64::<52>(_mm512_add_epi64(h, bias));
            let s2 = _mm512_slli_epi64::<52>(_mm512_add_epi64(_mm512_sub_epi64(ni, h), bias));
            (F64x8(_mm512_castsi512_pd(s1)), F64x8(_mm512_castsi512_pd(s2)))
        }
        #[inline(always)]
        unsafe fn pow2(t: Self) -> Self {
            let s = _mm512_add_epi64(_mm512_slli_epi64::<52>(_mm512_castpd_si512(t.0)), _mm512_set1_epi64(1023 << 52));
            F64x8(_mm512_castsi512_pd(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct ExpAll<'a, E>(&'a [E], &'a mut [E]);
    impl<E: Elem> Kernel<E> for ExpAll<'_, E> {
        type Out = ();
        #[inline(always)]
        unsafe fn run<V: Vector<E = E>>(self) {
            let mut i = 0;
            while i + V::LANES <= self.0.len() {
                exp(V::load(self.0.as_ptr().add(i))).store(self.1.as_mut_ptr().add(i));
                i += V::LANES;
            }
        }
    }

    fn check<E: Elem + std::fmt::Debug>(x: &[E], bits: impl Fn(E) -> u64) {
        for level in Isa::ALL.into_iter().filter(|&l| l <= isa::detected()) {
            let mut out = vec![E::ZERO; x.len()];
            run_at(level, ExpAll(x, &mut out));
            for (a, b) in x.iter().zip(&out) {
                assert_eq!(bits(a.exp()), bits(*b), "{level:?}: exp({a:?})");
            }
        }
    }

    #[test]
    fn vector_exp_is_the_scalar_exp_bit_for_bit() {
        let mut x: Vec<f32> = (0..20_000).map(|i| -110.0 + i as f32 * 0.01).collect();
        x.extend([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0, 88.7, 89.0, -103.9, -87.5, 1e-30]);
        x.truncate(x.len() / 16 * 16);
        check(&x, |v| v.to_bits() as u64);
        let mut y: Vec<f64> = (0..20_000).map(|i| -750.0 + i as f64 * 0.073).collect();
        y.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 709.7, -745.0, -708.5]);
        y.truncate(y.len() / 16 * 16);
        check(&y, |v| v.to_bits());
    }

    struct ExpNonposAll<'a, E>(&'a [E], &'a mut [E]);
    impl<E: Elem> Kernel<E> for ExpNonposAll<'_, E> {
        type Out = ();
        #[inline(always)]
        unsafe fn run<V: Vector<E = E>>(self) {
            let mut i = 0;
            while i + V::LANES <= self.0.len() {
                exp_nonpos(V::load(self.0.as_ptr().add(i))).store(self.1.as_mut_ptr().add(i));
                i += V::LANES;
            }
        }
    }

    /// `exp_nonpos` is the scalar `exp_nonpos` at every level, [`exp`] from the threshold
    /// `lo` up (where that is normal), and 0 below it (where it is at most the smallest normal).
    fn check_nonpos<E: Elem + std::fmt::Debug>(x: &[E], lo: E, min_normal: E, bits: impl Fn(E) -> u64) {
        for level in Isa::ALL.into_iter().filter(|&l| l <= isa::detected()) {
            let mut out = vec![E::ZERO; x.len()];
            run_at(level, ExpNonposAll(x, &mut out));
            for (a, b) in x.iter().zip(&out) {
                assert_eq!(bits(a.exp_nonpos()), bits(*b), "{level:?}: exp_nonpos({a:?})");
                if a.is_nan() {
                    assert!(b.is_nan());
                } else if *a < lo {
                    assert_eq!(bits(*b), 0, "{a:?}");
                    assert!(a.exp() <= min_normal, "{a:?}");
                } else {
                    assert_eq!(bits(a.exp()), bits(*b), "{level:?}: exp({a:?})");
                    assert!(*b >= min_normal, "{a:?}");
                }
            }
        }
    }

    #[test]
    #[allow(clippy::excessive_precision)] // the thresholds as vmath writes them
    fn exp_nonpos_is_exp_down_to_the_smallest_normal_then_zero() {
        let ln_min = (f32::MIN_POSITIVE as f64).ln();
        let mut x: Vec<f32> = (0..40_000).map(|i| -120.0 + i as f32 * 0.003).filter(|&v| v <= 0.0).collect();
        // around the threshold, ulp by ulp
        let mut v = ln_min as f32 - 40.0 * f32::EPSILON * 87.0;
        for _ in 0..160 {
            x.push(v);
            v = f32::from_bits(v.to_bits() - 1);
        }
        x.extend([f32::NAN, f32::NEG_INFINITY, 0.0, -0.0, -1e-30, -f32::MAX, -87.0, -88.0, -1e-7]);
        x.resize(x.len().next_multiple_of(16), -1.0);
        check_nonpos(&x, -87.336_544f32, f32::MIN_POSITIVE, |v| v.to_bits() as u64);
        assert!(x.iter().any(|&v| v < ln_min as f32) && x.iter().any(|&v| v > ln_min as f32 && v < -87.3));
        let ln_min = f64::MIN_POSITIVE.ln();
        let mut y: Vec<f64> = (0..20_000).map(|i| -750.0 + i as f64 * 0.0377).filter(|&v| v <= 0.0).collect();
        let mut v = ln_min - 40.0 * f64::EPSILON * 708.0;
        for _ in 0..160 {
            y.push(v);
            v = f64::from_bits(v.to_bits() - 1);
        }
        y.extend([f64::NAN, f64::NEG_INFINITY, 0.0, -0.0, -1e-300, -f64::MAX, -708.0, -709.0]);
        y.resize(y.len().next_multiple_of(16), -1.0);
        check_nonpos(&y, -708.396_418_532_264_1f64, f64::MIN_POSITIVE, |v| v.to_bits());
    }
}
