//! Vectorisable elementary functions.
//!
//! `libm`'s `expf` is a function call per element; these are branch-free
//! (selects only, no calls, no float->int conversions) so LLVM turns a loop
//! over them into SIMD code. Accuracy: about 1 ulp over the whole range,
//! overflow to inf, gradual underflow through the subnormals to 0, NaN in ->
//! NaN out.

/// ln 2's high part in the Cody-Waite reduction of f32 (Cephes's C1, 0.693359375): exact in
/// f32, and short enough (9 significant bits) that `n * LN2_HI_F32` is exact too.
pub(crate) const LN2_HI_F32: f32 = 355.0 / 512.0;

/// `e^x` for f32 (Cephes polynomial, Cody-Waite reduction, split 2^n scaling).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = LN2_HI_F32;
    const C2: f32 = -2.121_944_4e-4;
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    // NaN passes through the clamp
    let xc = x.clamp(-104.0, 89.0);
    let t = xc * LOG2E + MAGIC;
    let n = t - MAGIC;
    let ni = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let r = xc - n * C1 - n * C2;
    let r2 = r * r;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes's 5.0000001201e-1, which is 0.5 in f32
    let y = p * r2 + r + 1.0;
    // 2^n as two factors, both normal for n in [-150, 128]
    let h = ni >> 1;
    let s1 = f32::from_bits((h.wrapping_add(127) as u32) << 23);
    let s2 = f32::from_bits((ni.wrapping_sub(h).wrapping_add(127) as u32) << 23);
    y * s1 * s2
}

/// `e^r` for the reduced argument `|r| <= ln2/2` of [`exp_f64`] and [`exp_nonpos_f64`]: the
/// Taylor series to r^12 (its truncation stays below 2e-16 there), by Horner.
#[inline(always)]
fn exp_taylor_f64(r: f64) -> f64 {
    let mut p = 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    (p * r) * r + r + 1.0
}

/// `e^x` for f64 (degree-12 polynomial after Cody-Waite reduction).
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const C1: f64 = 6.931_457_519_531_25e-1;
    const C2: f64 = 1.428_606_820_309_417_3e-6;
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    let xc = x.clamp(-746.0, 710.0);
    let t = xc * LOG2E + MAGIC;
    let n = t - MAGIC;
    let ni = (t.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    let r = xc - n * C1 - n * C2;
    // Taylor to r^12: |r| <= ln2/2 keeps the truncation below 2e-16
    let y = exp_taylor_f64(r);
    let h = ni >> 1;
    let s1 = f64::from_bits((h.wrapping_add(1023) as u64) << 52);
    let s2 = f64::from_bits((ni.wrapping_sub(h).wrapping_add(1023) as u64) << 52);
    y * s1 * s2
}

/// `e^x` for `x <= 0` (or NaN), the softmax's `x - max`: [`exp_f32`]'s reduction and
/// polynomial, bit for bit, scaled by one factor `2^n` (normal for `n >= -126`), and 0 below
/// `ln(f32::MIN_POSITIVE)` (as PyTorch's softmax: results that would be subnormal flush to
/// 0; `-inf` gives 0, NaN stays NaN). Fewer steps than [`exp_f32`]: no clamps, one scale.
/// Not for `x > 88` (the scale overflows its exponent field).
// constants with the digits of their reference (Cephes); each literal rounds to the f32 meant
#[allow(clippy::excessive_precision)]
#[inline(always)]
pub fn exp_nonpos_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const C1: f32 = 0.693_359_375;
    const C2: f32 = -2.121_944_4e-4;
    const MAGIC: f32 = 12_582_912.0;
    const LN_MIN: f32 = -87.336_544; // ln(f32::MIN_POSITIVE), rounded up: n >= -126 above it
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * C1 - n * C2;
    let r2 = r * r;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r2 + r + 1.0;
    // t's bits are MAGIC's plus n, and MAGIC's low 9 bits are 0: shifted by 23 they are n << 23
    let s = f32::from_bits((t.to_bits() << 23).wrapping_add(127 << 23));
    if x < LN_MIN { 0.0 } else { y * s }
}

/// `e^x` for `x <= 0` (or NaN) in f64: as [`exp_nonpos_f32`], with [`exp_f64`]'s steps and 0
/// below `ln(f64::MIN_POSITIVE)`.
#[allow(clippy::excessive_precision)] // as exp_nonpos_f32
#[inline(always)]
pub fn exp_nonpos_f64(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const C1: f64 = 6.931_457_519_531_25e-1;
    const C2: f64 = 1.428_606_820_309_417_232_1e-6;
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    const LN_MIN: f64 = -708.396_418_532_264_1; // ln(f64::MIN_POSITIVE), rounded up
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * C1 - n * C2;
    let y = exp_taylor_f64(r);
    let s = f64::from_bits((t.to_bits() << 52).wrapping_add(1023 << 52));
    if x < LN_MIN { 0.0 } else { y * s }
}

/// `1 / (1 + e^-x)`.
#[inline(always)]
pub fn sigmoid_f32(x: f32) -> f32 {
    1.0 / (1.0 + exp_f32(-x))
}
/// `1 / (1 + e^-x)` for f64, through [`exp_f64`].
#[inline(always)]
pub fn sigmoid_f64(x: f64) -> f64 {
    1.0 / (1.0 + exp_f64(-x))
}

/// `tanh` for f32: an odd polynomial near 0 (Cephes), `1 - 2/(e^2|x| + 1)` elsewhere.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let mut p = -5.704_988_7e-3_f32;
    p = p * z + 2.063_909e-2;
    p = p * z - 5.373_971_6e-2;
    p = p * z + 1.333_144_2e-1;
    p = p * z - 3.333_328e-1;
    let small = p * z * x + x;
    let e = exp_f32(2.0 * a);
    let big = 1.0 - 2.0 / (e + 1.0);
    let big = if x < 0.0 { -big } else { big };
    if a < 0.625 { small } else if !a.is_nan() { big } else { x }
}

/// `x * sigmoid(x)`.
#[inline(always)]
pub fn silu_f32(x: f32) -> f32 {
    x / (1.0 + exp_f32(-x))
}
/// `x * sigmoid(x)` for f64, through [`exp_f64`].
#[inline(always)]
pub fn silu_f64(x: f64) -> f64 {
    x / (1.0 + exp_f64(-x))
}

/// Natural logarithm for f32 (Cephes `logf`: frexp, a degree-8 polynomial of the mantissa
/// around 1, the exponent times ln 2 in two parts). Branch-free, so loops over it vectorise;
/// subnormals are scaled up first; `log(0) = -inf`, `log(x < 0) = NaN`, `log(inf) = inf`.
#[inline(always)]
pub fn log_f32(x: f32) -> f32 {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8_388_608.0 } else { x }; // 2^23
    let bits = xs.to_bits();
    // x = m * 2^e with m in [0.5, 1)
    let e = ((bits >> 23) & 0xff) as i32 - 126 - if sub { 23 } else { 0 };
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    let low = m < SQRT_HALF;
    let e = (e - low as i32) as f32;
    let m = if low { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let mut p = 7.037_683_6e-2_f32;
    p = p * m - 1.151_461e-1;
    p = p * m + 1.167_699_9e-1;
    p = p * m - 1.242_014_1e-1;
    p = p * m + 1.424_932_3e-1;
    p = p * m - 1.666_805_8e-1;
    p = p * m + 2.000_071_5e-1;
    p = p * m - 2.499_999_4e-1;
    p = p * m + 3.333_333e-1;
    let mut y = p * m * z;
    y += -2.121_944_4e-4 * e;
    y += -0.5 * z;
    let r = m + y + LN2_HI_F32 * e;
    if x > 0.0 && x < f32::INFINITY {
        r
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        f32::NAN
    }
}

extern "C" {
    fn erf(x: f64) -> f64;
}

/// The error function for f64 (the C library's).
#[inline(always)]
pub fn erf_f64(x: f64) -> f64 {
    // SAFETY: C's `erf` is a pure function of a double, defined for every input (NaN and the
    // infinities included), with this signature in the C library Rust links
    unsafe { erf(x) }
}

/// `2/sqrt(pi) * (-1)^n / (n! (2n + 1))`, n = 0..25: erf's Taylor series (its truncation error
/// is below 5e-13 for |x| < 2).
const ERF_TAYLOR: [f64; 26] = {
    let mut c = [0.0; 26];
    let mut fact = 1.0; // n!
    let mut n = 0;
    while n < 26 {
        if n > 0 {
            fact *= n as f64;
        }
        let sign = if n % 2 == 0 { 1.0 } else { -1.0 };
        c[n] = sign * std::f64::consts::FRAC_2_SQRT_PI / (fact * (2 * n + 1) as f64);
        n += 1;
    }
    c
};

/// `erfc(x) * e^(x^2)` on [2, 4] as a polynomial of `x - 3` (a least-squares fit to the C
/// library's erfc, relative error below 1.5e-9; erfc itself is below 0.005 there).
const ERFC_SCALED: [f64; 11] = [
    0.179_001_151_175_424_12,
    -0.054_372_260_610_452_86,
    0.015_884_371_623_170_02,
    -0.004_479_418_024_084_708,
    0.001_223_033_296_242_009,
    -0.000_324_202_835_389_643_47,
    8.358_000_095_947_414e-5,
    -2.080_442_263_750_498_2e-5,
    5.094_562_025_694_902_5e-6,
    -1.423_222_718_115_382e-6,
    3.362_831_017_095_103_4e-7,
];

/// The error function for f32, computed in f64 with no branches (so loops over it vectorise):
/// the Taylor series for |x| < 2, `1 - e^(-x^2) * (erfc(x) e^(x^2))` for 2 <= |x| < 4 (x^2 is
/// exact in f64 for an f32 x), 1 beyond (erf(4) rounds to 1 in f32). The f64 value is within
/// 1e-11 of erf, so the f32 result is the correctly rounded one or its neighbour.
#[inline(always)]
pub fn erf_f32(x: f32) -> f32 {
    let a = (x as f64).abs();
    let a = if a > 4.0 { 4.0 } else { a }; // NaN stays NaN (the comparison is false)
    let z = a * a;
    let mut p = ERF_TAYLOR[25];
    let mut k = 25;
    while k > 0 {
        k -= 1;
        p = p * z + ERF_TAYLOR[k];
    }
    let small = a * p;
    let t = a - 3.0;
    let mut q = ERFC_SCALED[10];
    let mut k = 10;
    while k > 0 {
        k -= 1;
        q = q * t + ERFC_SCALED[k];
    }
    let large = 1.0 - exp_f64(-z) * q;
    let r = if a < 2.0 { small } else { large };
    r.copysign(x as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps32(a: f32, b: f32) -> u32 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn exp_f32_matches_libm() {
        let mut worst = 0;
        let mut x = -110.0f32;
        while x < 95.0 {
            let want = ((x as f64).exp()) as f32;
            worst = worst.max(ulps32(exp_f32(x), want));
            x += 0.001_37;
        }
        assert!(worst <= 2, "worst ulp error {worst}");
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(88.8), f32::INFINITY);
    }

    #[test]
    fn exp_f64_matches_libm() {
        let mut worst = 0u64;
        let mut x = -750.0f64;
        while x < 712.0 {
            let (got, want) = (exp_f64(x), x.exp());
            if got != want {
                worst = worst.max((got.to_bits() as i64 - want.to_bits() as i64).unsigned_abs());
            }
            x += 0.0123;
        }
        assert!(worst <= 2, "worst ulp error {worst}");
        assert!(exp_f64(f64::NAN).is_nan());
        assert_eq!(exp_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_f64(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_f64(0.0), 1.0);
    }

    #[test]
    fn log_f32_matches_libm() {
        // every 331st float from the smallest subnormal to the largest finite one
        let mut worst = 0;
        let mut bits = 1u32;
        while bits < 0x7f80_0000 {
            let x = f32::from_bits(bits);
            let want = (x as f64).ln() as f32;
            worst = worst.max(ulps32(log_f32(x), want));
            bits += 331;
        }
        assert!(worst <= 2, "worst ulp error {worst}");
        assert!(log_f32(f32::NAN).is_nan() && log_f32(-1.0).is_nan() && log_f32(f32::NEG_INFINITY).is_nan());
        assert_eq!(log_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(log_f32(-0.0), f32::NEG_INFINITY);
        assert_eq!(log_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(log_f32(1.0), 0.0);
    }

    #[test]
    fn erf_f32_is_within_one_ulp() {
        extern "C" {
            fn erf(x: f64) -> f64;
        }
        let mut worst = 0;
        let mut bits = 1u32;
        while bits < 0x4100_0000 {
            // 0 < x < 8, both signs
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                // SAFETY: C's `erf`, pure and defined for every double (see `erf_f64`)
                let want = unsafe { erf(x as f64) } as f32;
                worst = worst.max(ulps32(erf_f32(x), want));
            }
            bits += 97;
        }
        assert!(worst <= 1, "worst ulp error {worst}");
        assert!(erf_f32(f32::NAN).is_nan());
        assert_eq!(erf_f32(f32::INFINITY), 1.0);
        assert_eq!(erf_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(erf_f32(0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(erf_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn tanh_f32_close() {
        let mut x = -12.0f32;
        while x < 12.0 {
            let want = (x as f64).tanh() as f32;
            assert!(ulps32(tanh_f32(x), want) <= 4, "tanh({x}) = {} want {want}", tanh_f32(x));
            x += 0.0031;
        }
        assert!(tanh_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
    }
}
