// shaders/f32_math.wgsl: float32 transcendentals. WGSL's builtins are used where they are
// defined, with the domain edges (NaN, infinities, zero, negative arguments) handled here, since
// the builtins leave them undefined; functions that are not builtins, or whose builtin loses
// accuracy (expm1, log1p, the hyperbolics near 0 and at overflow, erf), are written out in the
// fdlibm / musl way. Each float64 counterpart is in f64_math.wgsl under the same name.

const LN2_F32: f32 = 0.6931471805599453;

// exp and log as musl's expf / logf (FreeBSD e_expf.c, e_logf.c; Sun's fdlibm, freely
// redistributable with its notice): the Vulkan spec lets exp be off by 3 + 2|x| ulp and log by
// 2^-21 absolute near 1 (lavapipe's exp measured 28 ulp at x = 88), and every other function
// here builds on these two.
fn exp_f32(x_in: f32) -> f32 {
    var x = x_in;
    let hx_all = bitcast<u32>(x);
    let sign = i32(hx_all >> 31u);
    let hx = hx_all & 0x7fffffffu;
    if (hx >= 0x42aeac50u) {
        if (hx > 0x7f800000u) { return x; }
        if (hx >= 0x42b17218u && sign == 0) { return inf_f32(); }
        if (sign != 0 && hx >= 0x42cff1b5u) { return 0.0; }
    }
    var k = 0;
    var hi: f32;
    var lo = 0.0;
    if (hx > 0x3eb17218u) {
        if (hx > 0x3f851592u) {
            k = i32(1.4426950216e+00 * x + select(0.5, -0.5, sign == 1));
        } else {
            k = 1 - sign - sign;
        }
        let kf = f32(k);
        hi = x - kf * 6.9314575195e-01;
        lo = kf * 1.4286067653e-06;
        x = opaque_f32(hi - lo);
    } else if (hx > 0x39000000u) {
        hi = x;
    } else {
        return 1.0 + x;
    }
    let xx = x * x;
    let c = x - xx * (1.6666625440e-1 + xx * -2.7667332906e-3);
    let y = 1.0 + (x * c / (2.0 - c) - lo + hi);
    if (k == 0) { return y; }
    if (k > 127) { return ldexp(ldexp(y, 127), k - 127); }
    return ldexp(y, k);
}
// 2^x = 2^n e^(f ln2), n = round(x), |f| <= 1/2 (f ln2 is exact to a fraction of an ulp).
fn exp2_f32(x: f32) -> f32 {
    if (isnan_f32(x)) { return x; }
    if (x >= 128.0) { return inf_f32(); }
    if (x < -150.0) { return 0.0; }
    let n = round(x);
    let e = exp_f32((x - n) * LN2_F32);
    let k = i32(n);
    if (k > 127) { return ldexp(ldexp(e, 127), k - 127); }
    return ldexp(e, k);
}
fn log_f32(x_in: f32) -> f32 {
    var x = x_in;
    var ix = bitcast<u32>(x);
    var k = 0;
    if (isnan_f32(x) || x < 0.0) { return nan_f32(); }
    if (is_zero_f32(x)) { return -inf_f32(); }
    if (isinf_f32(x)) { return x; }
    if (ix == 0x3f800000u) { return 0.0; }
    if (ix < 0x00800000u) {
        k = -25;
        x = x * 33554432.0;
        ix = bitcast<u32>(x);
    }
    ix = ix + (0x3f800000u - 0x3f3504f3u);
    k = k + i32(ix >> 23u) - 0x7f;
    ix = (ix & 0x007fffffu) + 0x3f3504f3u;
    x = bitcast<f32>(ix);
    let f = x - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (0.40000972152 + w * 0.24279078841);
    let t2 = z * (0.66666662693 + w * 0.28498786688);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let dk = f32(k);
    return s * (hfsq + r) + dk * 9.0580006145e-06 - hfsq + f + dk * 6.9313812256e-01;
}
fn log2_f32(x: f32) -> f32 {
    return log_f32(x) * 1.4426950408889634;
}
fn log10_f32(x: f32) -> f32 {
    return log_f32(x) * 0.4342944819032518;
}
// expm1 by Kahan's trick: exact when exp rounds to 1, else (u - 1) * x / log(u) cancels the error
// of u - 1.
fn expm1_f32(x: f32) -> f32 {
    if (isnan_f32(x)) { return x; }
    if (x > 88.72284) { return inf_f32(); }
    if (x < -17.0) { return -1.0; }
    let u = exp_f32(x);
    // Away from 0, u - 1 does not cancel (and um1 * x could overflow near the top).
    if (abs(x) > 0.5) { return u - 1.0; }
    if (u == 1.0) { return x; }
    let um1 = u - 1.0;
    return um1 * x / log_f32(u);
}
// log1p by the same trick: log(1 + x) * x / ((1 + x) - 1).
fn log1p_f32(x: f32) -> f32 {
    if (isnan_f32(x) || x < -1.0) { return nan_f32(); }
    if (x == -1.0) { return -inf_f32(); }
    if (isinf_f32(x)) { return x; }
    let u = opaque_f32(1.0 + x);
    if (u == 1.0) { return x; }
    return log_f32(u) * x / (u - 1.0);
}
// sin, cos, tan: the builtins lose the argument reduction for large |x| (lavapipe's sin(1e30)
// is -1), so the argument is reduced here exactly, with integers: |x| = m 2^e, m a 24-bit
// integer, and x 2/pi mod 4 is m times a 96-bit window of 2/pi's bits (the bits before the
// window only add multiples of 4), done in 64-bit integer arithmetic (rgrad requires it anyway).
// The reduced r in [-pi/4, pi/4] goes to Cephes' sinf / cosf polynomials (~1 ulp).

// The bits of 2/pi after the binary point, behind 64 zero bits (so small exponents index in).
var<private> TWO_OVER_PI_BITS: array<u32, 12> = array<u32, 12>(
    0x00000000u, 0x00000000u, 0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u,
    0xdb629599u, 0x3c439041u, 0xfe5163abu, 0xdebbc561u, 0xb7246e3au, 0x424dd2e0u,
);

struct Red32 {
    n: u32,
    r: f32,
}
// x = n pi/2 + r, |r| <= pi/4 (n mod 4), for finite x.
fn rem_pio2_f32(x: f32) -> Red32 {
    let bits = bitcast<u32>(x);
    let m = u64((bits & 0x7fffffu) | 0x800000u);
    let e = i32((bits >> 23u) & 0xffu) - 150;
    let b = u32(e - 1 + 63);
    let q = b >> 5u;
    let s = b & 31u;
    var v2 = TWO_OVER_PI_BITS[q];
    var v1 = TWO_OVER_PI_BITS[q + 1u];
    var v0 = TWO_OVER_PI_BITS[q + 2u];
    if (s != 0u) {
        let w3 = TWO_OVER_PI_BITS[q + 3u];
        v2 = (v2 << s) | (v1 >> (32u - s));
        v1 = (v1 << s) | (v0 >> (32u - s));
        v0 = (v0 << s) | (w3 >> (32u - s));
    }
    let p0 = m * u64(v0);
    let s1 = m * u64(v1) + (p0 >> 32u);
    let s2 = m * u64(v2) + (s1 >> 32u);
    let hi = u32(s2 & 0xfffffffflu);
    var n = hi >> 30u;
    let f = (u64(hi & 0x3fffffffu) << 32u) | (s1 & 0xfffffffflu);
    var fs = bitcast<i64>(f);
    if (f >= (1lu << 61u)) {
        fs = fs - (1li << 62u);
        n = n + 1u;
    }
    var r = f32(fs) * 3.406121580086555e-19;
    if (signbit_f32(x)) {
        r = -r;
        n = 4u - (n & 3u);
    }
    return Red32(n & 3u, r);
}
fn k_sin_f32(r: f32) -> f32 {
    let z = r * r;
    return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}
fn k_cos_f32(r: f32) -> f32 {
    let z = r * r;
    return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}
fn sin_f32(x: f32) -> f32 {
    if (!isfinite_f32(x)) { return nan_f32(); }
    if (fabs_f32(x) < 0.000244140625) { return x; }
    if (fabs_f32(x) <= 0.7853981633974483) { return k_sin_f32(x); }
    let d = rem_pio2_f32(x);
    switch (d.n) {
        case 0u: { return k_sin_f32(d.r); }
        case 1u: { return k_cos_f32(d.r); }
        case 2u: { return -k_sin_f32(d.r); }
        default: { return -k_cos_f32(d.r); }
    }
}
fn cos_f32(x: f32) -> f32 {
    if (!isfinite_f32(x)) { return nan_f32(); }
    if (fabs_f32(x) <= 0.7853981633974483) { return k_cos_f32(x); }
    let d = rem_pio2_f32(x);
    switch (d.n) {
        case 0u: { return k_cos_f32(d.r); }
        case 1u: { return -k_sin_f32(d.r); }
        case 2u: { return -k_cos_f32(d.r); }
        default: { return k_sin_f32(d.r); }
    }
}
fn tan_f32(x: f32) -> f32 {
    if (!isfinite_f32(x)) { return nan_f32(); }
    if (fabs_f32(x) < 0.000244140625) { return x; }
    var n = 0u;
    var r = x;
    if (fabs_f32(x) > 0.7853981633974483) {
        let d = rem_pio2_f32(x);
        n = d.n;
        r = d.r;
    }
    let sr = k_sin_f32(r);
    let cr = k_cos_f32(r);
    if ((n & 1u) == 0u) { return sr / cr; }
    return -cr / sr;
}
// asin and acos as FreeBSD's e_asinf.c / e_acosf.c (float-only; Sun's fdlibm): the builtins
// are off by thousands of ulp on lavapipe.
fn asin_r_f32(z: f32) -> f32 {
    let p = z * (1.6666586697e-01 + z * (-4.2743422091e-02 + z * -8.6563630030e-03));
    let q = 1.0 + z * -7.0662963390e-01;
    return p / q;
}
fn asin_f32(x: f32) -> f32 {
    let pio2_hi = 1.5707962513e+00;
    let pio2_lo = 7.5497894159e-08;
    let ix = bitcast<u32>(x) & 0x7fffffffu;
    if (isnan_f32(x)) { return x; }
    if (ix >= 0x3f800000u) {
        if (ix == 0x3f800000u) { return copysign_f32(pio2_hi + pio2_lo, x); }
        return nan_f32();
    }
    if (ix < 0x3f000000u) {
        if (ix < 0x39800000u) { return x; }
        return x + x * asin_r_f32(x * x);
    }
    let z = (1.0 - fabs_f32(x)) * 0.5;
    let s = sqrt(z);
    let r = asin_r_f32(z);
    var t: f32;
    if (ix >= 0x3f79999au) {
        t = pio2_hi - (2.0 * (s + s * r) - pio2_lo);
    } else {
        let f = bitcast<f32>(bitcast<u32>(s) & 0xfffff000u);
        let c = (z - f * f) / (s + f);
        t = 0.5 * pio2_hi - (2.0 * s * r - (pio2_lo - 2.0 * c) - (0.5 * pio2_hi - 2.0 * f));
    }
    return copysign_f32(t, x);
}
fn acos_f32(x: f32) -> f32 {
    let pio2_hi = 1.5707962513e+00;
    let pio2_lo = 7.5497894159e-08;
    let hx = bitcast<u32>(x);
    let ix = hx & 0x7fffffffu;
    if (isnan_f32(x)) { return x; }
    if (ix >= 0x3f800000u) {
        if (ix == 0x3f800000u) {
            if ((hx >> 31u) != 0u) { return 2.0 * pio2_hi + 2.0 * pio2_lo; }
            return 0.0;
        }
        return nan_f32();
    }
    if (ix < 0x3f000000u) {
        if (ix <= 0x32800000u) { return pio2_hi + pio2_lo; }
        return pio2_hi - (x - (pio2_lo - x * asin_r_f32(x * x)));
    }
    if ((hx >> 31u) != 0u) {
        let z = (1.0 + x) * 0.5;
        let s = sqrt(z);
        let w = asin_r_f32(z) * s - pio2_lo;
        return 2.0 * (pio2_hi - (s + w));
    }
    let z = (1.0 - x) * 0.5;
    let s = sqrt(z);
    let df = bitcast<f32>(bitcast<u32>(s) & 0xfffff000u);
    let c = (z - df * df) / (s + df);
    let w = asin_r_f32(z) * s + c;
    return 2.0 * (df + w);
}
// atan and atan2 as musl's atanf / atan2f (FreeBSD s_atanf.c, e_atan2f.c; Sun's fdlibm,
// freely redistributable with its notice): the Vulkan spec lets the builtins be off by 4096 ulp,
// and lavapipe's measured ~20.
fn atan_f32(x_in: f32) -> f32 {
    var x = x_in;
    let ix = bitcast<u32>(x) & 0x7fffffffu;
    let neg = signbit_f32(x);
    if (ix >= 0x4c800000u) {
        if (isnan_f32(x)) { return x; }
        return copysign_f32(1.5707962513e+00, x);
    }
    var id = -1;
    if (ix < 0x3ee00000u) {
        if (ix < 0x39800000u) { return x; }
    } else {
        x = fabs_f32(x);
        if (ix < 0x3f980000u) {
            if (ix < 0x3f300000u) {
                id = 0;
                x = (2.0 * x - 1.0) / (2.0 + x);
            } else {
                id = 1;
                x = (x - 1.0) / (x + 1.0);
            }
        } else if (ix < 0x401c0000u) {
            id = 2;
            x = (x - 1.5) / (1.0 + 1.5 * x);
        } else {
            id = 3;
            x = -1.0 / x;
        }
    }
    let z = x * x;
    let w = z * z;
    let s1 = z * (3.3333328366e-01 + w * (1.4253635705e-01 + w * 6.1687607318e-02));
    let s2 = w * (-1.9999158382e-01 + w * -1.0648017377e-01);
    if (id < 0) {
        return x - x * (s1 + s2);
    }
    var hi: f32;
    var lo: f32;
    switch (id) {
        case 0: { hi = 4.6364760399e-01; lo = 5.0121582440e-09; }
        case 1: { hi = 7.8539812565e-01; lo = 3.7748947079e-08; }
        case 2: { hi = 9.8279368877e-01; lo = 3.4473217170e-08; }
        default: { hi = 1.5707962513e+00; lo = 7.5497894159e-08; }
    }
    let r = hi - ((x * (s1 + s2) - lo) - x);
    return select(r, -r, neg);
}
fn atan2_f32(y: f32, x: f32) -> f32 {
    let pi = 3.1415927410e+00;
    let pi_lo = -8.7422776573e-08;
    if (isnan_f32(x) || isnan_f32(y)) { return nan_f32(); }
    var ix = bitcast<u32>(x);
    var iy = bitcast<u32>(y);
    if (ix == 0x3f800000u) { return atan_f32(y); }
    let m = ((iy >> 31u) & 1u) | ((ix >> 30u) & 2u);
    ix = ix & 0x7fffffffu;
    iy = iy & 0x7fffffffu;
    if (iy == 0u) {
        switch (m) {
            case 0u, 1u: { return y; }
            case 2u: { return pi; }
            default: { return -pi; }
        }
    }
    if (ix == 0u) { return select(pi / 2.0, -pi / 2.0, (m & 1u) != 0u); }
    if (ix == 0x7f800000u) {
        if (iy == 0x7f800000u) {
            switch (m) {
                case 0u: { return pi / 4.0; }
                case 1u: { return -pi / 4.0; }
                case 2u: { return 3.0 * pi / 4.0; }
                default: { return -3.0 * pi / 4.0; }
            }
        }
        switch (m) {
            case 0u: { return 0.0; }
            case 1u: { return -0.0; }
            case 2u: { return pi; }
            default: { return -pi; }
        }
    }
    if (ix + (26u << 23u) < iy || iy == 0x7f800000u) { return select(pi / 2.0, -pi / 2.0, (m & 1u) != 0u); }
    var z: f32;
    if ((m & 2u) != 0u && iy + (26u << 23u) < ix) {
        z = 0.0;
    } else {
        z = atan_f32(fabs_f32(y / x));
    }
    switch (m) {
        case 0u: { return z; }
        case 1u: { return -z; }
        case 2u: { return pi - (z - pi_lo); }
        default: { return (z - pi_lo) - pi; }
    }
}
fn sinh_f32(x: f32) -> f32 {
    let a = fabs_f32(x);
    if (isnan_f32(x) || a < 0.000244140625) { return x; }
    var r: f32;
    if (a < 9.0) {
        let t = expm1_f32(a);
        if (a < 1.0) {
            r = 0.5 * (2.0 * t - t * t / (t + 1.0));
        } else {
            r = 0.5 * (t + t / (t + 1.0));
        }
    } else {
        r = exp_f32(a - LN2_F32);
    }
    return copysign_f32(r, x);
}
fn cosh_f32(x: f32) -> f32 {
    let a = fabs_f32(x);
    if (isnan_f32(x)) { return x; }
    if (a < 0.3465736) {
        let t = expm1_f32(a);
        return 1.0 + t * t / (2.0 * (1.0 + t));
    }
    if (a < 9.0) {
        let t = exp_f32(a);
        return 0.5 * t + 0.5 / t;
    }
    return exp_f32(a - LN2_F32);
}
fn tanh_f32(x: f32) -> f32 {
    let a = fabs_f32(x);
    if (isnan_f32(x) || a < 0.000244140625) { return x; }
    if (a > 9.1) { return copysign_f32(1.0, x); }
    var z: f32;
    if (a >= 1.0) {
        let t = expm1_f32(2.0 * a);
        z = 1.0 - 2.0 / (t + 2.0);
    } else {
        let t = expm1_f32(-2.0 * a);
        z = -t / (t + 2.0);
    }
    return copysign_f32(z, x);
}
fn asinh_f32(x: f32) -> f32 {
    let a = fabs_f32(x);
    if (!isfinite_f32(x) || a < 0.000244140625) { return x; }
    var r: f32;
    if (a > 4096.0) {
        r = log_f32(a) + LN2_F32;
    } else if (a > 2.0) {
        r = log_f32(2.0 * a + 1.0 / (sqrt(a * a + 1.0) + a));
    } else {
        let t = a * a;
        r = log1p_f32(a + t / (1.0 + sqrt(1.0 + t)));
    }
    return copysign_f32(r, x);
}
fn acosh_f32(x: f32) -> f32 {
    if (isnan_f32(x) || x < 1.0) { return nan_f32(); }
    if (isinf_f32(x)) { return x; }
    if (x > 4096.0) { return log_f32(x) + LN2_F32; }
    if (x > 2.0) { return log_f32(2.0 * x - 1.0 / (x + sqrt(x * x - 1.0))); }
    let t = x - 1.0;
    return log1p_f32(t + sqrt(2.0 * t + t * t));
}
fn atanh_f32(x: f32) -> f32 {
    let a = fabs_f32(x);
    if (isnan_f32(x) || a > 1.0) { return nan_f32(); }
    if (a == 1.0) { return copysign_f32(inf_f32(), x); }
    if (a < 0.000244140625) { return x; }
    var r: f32;
    if (a < 0.5) {
        r = 0.5 * log1p_f32(2.0 * a + 2.0 * a * a / (1.0 - a));
    } else {
        r = 0.5 * log1p_f32(2.0 * a / (1.0 - a));
    }
    return copysign_f32(r, x);
}
fn sigmoid_f32(x: f32) -> f32 {
    return 1.0 / (1.0 + exp_f32(-x));
}

// pow with C's special cases (the builtin is exp2(y * log2(x)), undefined for x < 0). The
// result's relative error grows with |y * log2(x)|: ~2^-24 * that, so near overflow it is
// ~1e-5 (tests/rust/gpu.rs says so where it checks).
fn pow_f32(a: f32, b: f32) -> f32 {
    if (is_zero_f32(b) || a == 1.0) { return 1.0; }
    if (isnan_f32(a) || isnan_f32(b)) { return nan_f32(); }
    if (b == 1.0) { return a; }
    if (b == 2.0) { return a * a; }
    let b_int = isfinite_f32(b) && b == trunc(b);
    let odd = b_int && fabs_f32(b) < 16777216.0 && fmod_f32(b, 2.0) != 0.0;
    if (is_zero_f32(a)) {
        if (b < 0.0) { return select(inf_f32(), copysign_f32(inf_f32(), a), odd); }
        return select(0.0, a, odd);
    }
    if (isinf_f32(b)) {
        let m = fabs_f32(a);
        if (m == 1.0) { return 1.0; }
        return select(0.0, inf_f32(), (m > 1.0) == (b > 0.0));
    }
    if (isinf_f32(a)) {
        var r = select(inf_f32(), 0.0, b < 0.0);
        if (a < 0.0 && odd) { r = -r; }
        return r;
    }
    if (a < 0.0 && !b_int) { return nan_f32(); }
    let e = b * log2_f32(fabs_f32(a));
    var r: f32;
    if (e >= 128.0) { r = inf_f32(); } else if (e < -150.0) { r = 0.0; } else { r = exp2_f32(e); }
    if (a < 0.0 && odd) { r = -r; }
    return r;
}

// erf as musl's erff (FreeBSD s_erff.c): rational approximations on [0, 0.84375), [0.84375, 1.25),
// then erfc through exp on [1.25, 6).
fn erf_f32(x: f32) -> f32 {
    let ix = bitcast<u32>(x) & 0x7fffffffu;
    if (ix >= 0x7f800000u) {
        if (isnan_f32(x)) { return x; }
        return copysign_f32(1.0, x);
    }
    if (ix < 0x3f580000u) {
        if (ix < 0x31800000u) {
            return 0.125 * (8.0 * x + 1.0270333290e+00 * x);
        }
        let z = x * x;
        let r = 1.2837916613e-01 + z * (-3.2504209876e-01 + z * (-2.8481749818e-02 + z * (-5.7702702470e-03 + z * -2.3763017452e-05)));
        let s = 1.0 + z * (3.9791721106e-01 + z * (6.5022252500e-02 + z * (5.0813062117e-03 + z * (1.3249473704e-04 + z * -3.9602282413e-06))));
        return x + x * (r / s);
    }
    var y: f32;
    let a = fabs_f32(x);
    if (ix < 0x3fa00000u) {
        let s = a - 1.0;
        let p = -2.3621185683e-03 + s * (4.1485610604e-01 + s * (-3.7220788002e-01 + s * (3.1834661961e-01 + s * (-1.1089469492e-01 + s * (3.5478305072e-02 + s * -2.1663755178e-03)))));
        let q = 1.0 + s * (1.0642088205e-01 + s * (5.4039794207e-01 + s * (7.1828655899e-02 + s * (1.2617121637e-01 + s * (1.3637083583e-02 + s * 1.1984500103e-02)))));
        y = 8.4506291151e-01 + p / q;
    } else if (ix < 0x40c00000u) {
        let s = 1.0 / (a * a);
        var r: f32;
        var big_s: f32;
        if (ix < 0x4036db6du) {
            r = -9.8649440333e-03 + s * (-6.9385856390e-01 + s * (-1.0558626175e+01 + s * (-6.2375331879e+01 + s * (-1.6239666748e+02 + s * (-1.8460508728e+02 + s * (-8.1287437439e+01 + s * -9.8143291473e+00))))));
            big_s = 1.0 + s * (1.9651271820e+01 + s * (1.3765776062e+02 + s * (4.3456588745e+02 + s * (6.4538726807e+02 + s * (4.2900814819e+02 + s * (1.0863500214e+02 + s * (6.5702495575e+00 + s * -6.0424413532e-02)))))));
        } else {
            r = -9.8649431020e-03 + s * (-7.9928326607e-01 + s * (-1.7757955551e+01 + s * (-1.6063638306e+02 + s * (-6.3756646729e+02 + s * (-1.0250950928e+03 + s * -4.8351919556e+02)))));
            big_s = 1.0 + s * (3.0338060379e+01 + s * (3.2579251099e+02 + s * (1.5367296143e+03 + s * (3.1998581543e+03 + s * (2.5530502930e+03 + s * (4.7452853394e+02 + s * -2.2440952301e+01))))));
        }
        let z = bitcast<f32>(bitcast<u32>(a) & 0xffffe000u);
        y = 1.0 - exp_f32(-z * z - 0.5625) * exp_f32((z - a) * (z + a) + r / big_s) / a;
    } else {
        y = 1.0;
    }
    return copysign_f32(y, x);
}
