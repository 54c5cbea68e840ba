// shaders/f64_math.wgsl: float64 exponentials, logarithms, powers and hyperbolics, ported
// from musl / FreeBSD msun (Sun's fdlibm: "Permission to use, copy, modify, and distribute this
// software is freely granted, provided that this notice is preserved"; via the Rust `libm`
// crate). WGSL's exp / log / pow / tanh builtins are 32-bit underneath: on float64 they compile
// and return wrong values, so every float64 transcendental rgrad offers is written out here,
// with fdlibm's range reductions and polynomials (errors below 1 ulp in fdlibm; rgrad's tests
// hold them to 4 ulp against NumPy). Names match f32_math.wgsl so op bodies are type-generic.

fn hi_word_f64(x: f64) -> u32 {
    return u32(bitcast<u64>(x) >> 32u);
}
fn lo_word_f64(x: f64) -> u32 {
    return u32(bitcast<u64>(x) & 0xfffffffflu);
}
fn from_words_f64(hi: u32, lo: u32) -> f64 {
    return bitcast<f64>((u64(hi) << 32u) | u64(lo));
}
// x * 2^n, exact (also into and out of the subnormal range).
fn scalbn_f64(x: f64, n: i32) -> f64 {
    var y = x;
    var k = n;
    if (k > 1023) {
        y = y * from_words_f64(0x7fe00000u, 0u);
        k = k - 1023;
        if (k > 1023) {
            y = y * from_words_f64(0x7fe00000u, 0u);
            k = min(k - 1023, 1023);
        }
    } else if (k < -1022) {
        // 2^-1022 * 2^53 in two steps keeps the rounding single.
        y = y * from_words_f64(0x03600000u, 0u);
        k = k + 1022 - 53;
        if (k < -1022) {
            y = y * from_words_f64(0x03600000u, 0u);
            k = max(k + 1022 - 53, -1022);
        }
    }
    return y * from_words_f64(u32(0x3ff + k) << 20u, 0u);
}

const LN2_HI_F64: f64 = 6.93147180369123816490e-01;
const LN2_LO_F64: f64 = 1.90821492927058770002e-10;
const INVLN2_F64: f64 = 1.44269504088896338700e+00;

// e_exp.c
fn exp_f64(x_in: f64) -> f64 {
    var x = x_in;
    let hx_all = hi_word_f64(x);
    let sign = i32(hx_all >> 31u);
    let hx = hx_all & 0x7fffffffu;
    if (hx >= 0x4086232bu) {
        if (isnan_f64(x)) { return x; }
        if (x > 709.782712893383973096) { return inf_f64(); }
        if (x < -745.13321910194110842) { return 0.0; }
    }
    var hi: f64;
    var lo = 0.0lf;
    var k = 0;
    if (hx > 0x3fd62e42u) {
        if (hx >= 0x3ff0a2b2u) {
            k = i32(INVLN2_F64 * x + select(0.5lf, -0.5lf, sign == 1));
        } else {
            k = 1 - sign - sign;
        }
        hi = x - f64(k) * LN2_HI_F64;
        lo = f64(k) * LN2_LO_F64;
        x = opaque_f64(hi - lo);
    } else if (hx > 0x3e300000u) {
        hi = x;
    } else {
        return 1.0 + x;
    }
    let xx = x * x;
    let c = x - xx * (1.66666666666666019037e-01 + xx * (-2.77777777770155933842e-03 + xx * (6.61375632143793436117e-05 + xx * (-1.65339022054652515390e-06 + xx * 4.13813679705723846039e-08))));
    let y = 1.0 + (x * c / (2.0 - c) - lo + hi);
    if (k == 0) { return y; }
    return scalbn_f64(y, k);
}

// 2^x = 2^n * e^(f ln2) with n = round(x), |f| <= 1/2: f * ln2 is exact to 0.35 ulp of itself,
// so the error is exp's plus under half an ulp.
fn exp2_f64(x: f64) -> f64 {
    if (isnan_f64(x)) { return x; }
    if (x >= 1024.0) { return inf_f64(); }
    if (x < -1075.0) { return 0.0; }
    let n = round(x);
    let f = x - n;
    return scalbn_f64(exp_f64(f * 0.6931471805599453), i32(n));
}

// s_expm1.c
fn expm1_f64(x_in: f64) -> f64 {
    var x = x_in;
    let hx = hi_word_f64(x) & 0x7fffffffu;
    let sign = i32(hi_word_f64(x) >> 31u);
    if (hx >= 0x4043687au) {
        if (isnan_f64(x)) { return x; }
        if (sign != 0) { return -1.0; }
        if (x > 7.09782712893383973096e+02) { return inf_f64(); }
    }
    var hi: f64;
    var lo: f64;
    var k = 0;
    var c = 0.0lf;
    if (hx > 0x3fd62e42u) {
        if (hx < 0x3ff0a2b2u) {
            if (sign == 0) {
                hi = x - LN2_HI_F64;
                lo = LN2_LO_F64;
                k = 1;
            } else {
                hi = x + LN2_HI_F64;
                lo = -LN2_LO_F64;
                k = -1;
            }
        } else {
            k = i32(INVLN2_F64 * x + select(0.5lf, -0.5lf, sign != 0));
            let t = f64(k);
            hi = x - t * LN2_HI_F64;
            lo = t * LN2_LO_F64;
        }
        x = opaque_f64(hi - lo);
        c = (hi - x) - lo;
    } else if (hx < 0x3c900000u) {
        return x;
    }
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let r1 = 1.0 + hxs * (-3.33333333333331316428e-02 + hxs * (1.58730158725481460165e-03 + hxs * (-7.93650757867487942473e-05 + hxs * (4.00821782732936239552e-06 + hxs * -2.01099218183624371326e-07))));
    let t = 3.0 - r1 * hfx;
    var e = hxs * ((r1 - t) / (6.0 - x * t));
    if (k == 0) {
        return x - (x * e - hxs);
    }
    e = x * (e - c) - c;
    e = e - hxs;
    if (k == -1) {
        return 0.5 * (x - e) - 0.5;
    }
    if (k == 1) {
        if (x < -0.25) {
            return -2.0 * (e - (x + 0.5));
        }
        return 1.0 + 2.0 * (x - e);
    }
    let twopk = from_words_f64(u32(0x3ff + k) << 20u, 0u);
    if (k < 0 || k > 56) {
        var y = x - e + 1.0;
        if (k == 1024) {
            y = y * 2.0 * from_words_f64(0x7fe00000u, 0u);
        } else {
            y = y * twopk;
        }
        return y - 1.0;
    }
    let uf = from_words_f64(u32(0x3ff - k) << 20u, 0u);
    if (k < 20) {
        return (x - e + (1.0 - uf)) * twopk;
    }
    return (x - (e + uf) + 1.0) * twopk;
}

// The shared reduction of e_log.c / e_log2.c / e_log10.c: x = 2^k (1 + f), 1 + f in
// [sqrt(2)/2, sqrt(2)); s = f / (2 + f), r the polynomial.
struct LogParts {
    k: i32,
    f: f64,
    hfsq: f64,
    s: f64,
    r: f64,
}
fn log_parts_f64(x_in: f64) -> LogParts {
    var x = x_in;
    var k = 0;
    var hx = hi_word_f64(x);
    if (hx < 0x00100000u) {
        k = -54;
        x = x * 18014398509481984.0;
        hx = hi_word_f64(x);
    }
    hx = hx + (0x3ff00000u - 0x3fe6a09eu);
    k = k + i32(hx >> 20u) - 0x3ff;
    hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
    x = from_words_f64(hx, lo_word_f64(x));
    let f = x - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
    let t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
    return LogParts(k, f, hfsq, s, t2 + t1);
}
// NaN, negative, zero, infinity and 1: the cases every log shares. Returns (handled, value).
fn log_special_f64(x: f64) -> vec2<f64> {
    if (isnan_f64(x) || (x < 0.0)) { return vec2<f64>(1.0, nan_f64()); }
    if (is_zero_f64(x)) { return vec2<f64>(1.0, -inf_f64()); }
    if (isinf_f64(x)) { return vec2<f64>(1.0, x); }
    if (x == 1.0) { return vec2<f64>(1.0, 0.0); }
    return vec2<f64>(0.0, 0.0);
}
fn log_f64(x: f64) -> f64 {
    let sp = log_special_f64(x);
    if (sp.x != 0.0) { return sp.y; }
    let p = log_parts_f64(x);
    let dk = f64(p.k);
    return p.s * (p.hfsq + p.r) + dk * LN2_LO_F64 - p.hfsq + p.f + dk * LN2_HI_F64;
}
// hi + lo = f - hfsq + s * (hfsq + r) ~ log(1 + f), hi with its low 32 bits cleared.
fn log_hilo_f64(p: LogParts) -> vec2<f64> {
    let hi = from_words_f64(hi_word_f64(p.f - p.hfsq), 0u);
    let lo = p.f - hi - p.hfsq + p.s * (p.hfsq + p.r);
    return vec2<f64>(hi, lo);
}
fn log2_f64(x: f64) -> f64 {
    let sp = log_special_f64(x);
    if (sp.x != 0.0) { return sp.y; }
    let p = log_parts_f64(x);
    let hl = log_hilo_f64(p);
    var val_hi = hl.x * 1.44269504072144627571e+00;
    var val_lo = (hl.y + hl.x) * 1.67517131648865118353e-10 + hl.y * 1.44269504072144627571e+00;
    let y = f64(p.k);
    let w = opaque_f64(y + val_hi);
    val_lo = val_lo + ((y - w) + val_hi);
    val_hi = w;
    return val_lo + val_hi;
}
fn log10_f64(x: f64) -> f64 {
    let sp = log_special_f64(x);
    if (sp.x != 0.0) { return sp.y; }
    let p = log_parts_f64(x);
    let hl = log_hilo_f64(p);
    var val_hi = hl.x * 4.34294481878168880939e-01;
    let dk = f64(p.k);
    let y = dk * 3.01029995663611771306e-01;
    var val_lo = dk * 3.69423907715893078616e-13 + (hl.y + hl.x) * 2.50829467116452752298e-11 + hl.y * 4.34294481878168880939e-01;
    let w = opaque_f64(y + val_hi);
    val_lo = val_lo + ((y - w) + val_hi);
    val_hi = w;
    return val_lo + val_hi;
}

// s_log1p.c
fn log1p_f64(x: f64) -> f64 {
    let hx = hi_word_f64(x);
    var k = 1;
    var c = 0.0lf;
    var f = 0.0lf;
    if (isnan_f64(x)) { return x; }
    if (hx < 0x3fda827au || (hx >> 31u) != 0u) {
        if (x <= -1.0) {
            if (x == -1.0) { return -inf_f64(); }
            return nan_f64();
        }
        if ((hx << 1u) < (0x3ca00000u << 1u)) {
            return x;
        }
        if (hx <= 0xbfd2bec4u) {
            k = 0;
            c = 0.0;
            f = x;
        }
    } else if (hx >= 0x7ff00000u) {
        return x;
    }
    if (k > 0) {
        let u = opaque_f64(1.0 + x);
        var hu = hi_word_f64(u);
        hu = hu + (0x3ff00000u - 0x3fe6a09eu);
        k = i32(hu >> 20u) - 0x3ff;
        if (k < 54) {
            if (k >= 2) {
                c = 1.0 - (u - x);
            } else {
                c = x - (u - 1.0);
            }
            c = c / u;
        } else {
            c = 0.0;
        }
        hu = (hu & 0x000fffffu) + 0x3fe6a09eu;
        f = from_words_f64(hu, lo_word_f64(u)) - 1.0;
    }
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
    let t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
    let r = t2 + t1;
    let dk = f64(k);
    return s * (hfsq + r) + (dk * LN2_LO_F64 + c) - hfsq + f + dk * LN2_HI_F64;
}

fn sigmoid_f64(x: f64) -> f64 {
    return 1.0 / (1.0 + exp_f64(-x));
}

// k_expo2.c: exp(x) / 2 for x where exp(x) would overflow but the half does not.
fn expo2_f64(x: f64) -> f64 {
    let k = 2043;
    let kln2 = 1416.0996898839683lf;
    let scale = from_words_f64(u32(0x3ff + k / 2) << 20u, 0u);
    return exp_f64(x - kln2) * scale * scale;
}

// e_sinh.c (musl's form)
fn sinh_f64(x: f64) -> f64 {
    var h = 0.5lf;
    if (signbit_f64(x)) { h = -h; }
    let absx = fabs_f64(x);
    if (isnan_f64(x)) { return x; }
    let w = hi_word_f64(absx);
    if (w < 0x40862e42u) {
        let t = expm1_f64(absx);
        if (w < 0x3ff00000u) {
            if (w < 0x3e500000u) { return x; }
            return h * (2.0 * t - t * t / (t + 1.0));
        }
        return h * (t + t / (t + 1.0));
    }
    return 2.0 * h * expo2_f64(absx);
}
// e_cosh.c (musl's form)
fn cosh_f64(x: f64) -> f64 {
    let ax = fabs_f64(x);
    if (isnan_f64(x)) { return x; }
    let w = hi_word_f64(ax);
    if (w < 0x3fe62e42u) {
        if (w < 0x3ff00000u - (26u << 20u)) { return 1.0; }
        let t = expm1_f64(ax);
        return 1.0 + t * t / (2.0 * (1.0 + t));
    }
    if (w < 0x40862e42u) {
        let t = exp_f64(ax);
        return 0.5 * (t + 1.0 / t);
    }
    return expo2_f64(ax);
}
// s_tanh.c (musl's form)
fn tanh_f64(x: f64) -> f64 {
    if (isnan_f64(x)) { return x; }
    let ax = fabs_f64(x);
    let w = hi_word_f64(ax);
    var t: f64;
    if (w > 0x3fe193eau) {
        if (w > 0x40340000u) {
            t = 1.0;
        } else {
            t = expm1_f64(2.0 * ax);
            t = 1.0 - 2.0 / (t + 2.0);
        }
    } else if (w > 0x3fd058aeu) {
        t = expm1_f64(2.0 * ax);
        t = t / (t + 2.0);
    } else if (w >= 0x00100000u) {
        t = expm1_f64(-2.0 * ax);
        t = -t / (t + 2.0);
    } else {
        t = ax;
    }
    return copysign_f64(t, x);
}
// s_asinh.c (musl's form)
fn asinh_f64(x: f64) -> f64 {
    if (!isfinite_f64(x)) { return x; }
    let ax = fabs_f64(x);
    let e = (hi_word_f64(ax) >> 20u) & 0x7ffu;
    var r: f64;
    if (e >= 0x3ffu + 26u) {
        r = log_f64(ax) + 0.693147180559945309417232121458176568;
    } else if (e >= 0x3ffu + 1u) {
        r = log_f64(2.0 * ax + 1.0 / (sqrt(ax * ax + 1.0) + ax));
    } else if (e >= 0x3ffu - 26u) {
        r = log1p_f64(ax + ax * ax / (sqrt(ax * ax + 1.0) + 1.0));
    } else {
        r = ax;
    }
    return copysign_f64(r, x);
}
// e_acosh.c (musl's form)
fn acosh_f64(x: f64) -> f64 {
    if (isnan_f64(x) || x < 1.0) { return nan_f64(); }
    if (isinf_f64(x)) { return x; }
    let e = (hi_word_f64(x) >> 20u) & 0x7ffu;
    if (e < 0x3ffu + 1u) {
        return log1p_f64(x - 1.0 + sqrt((x - 1.0) * (x - 1.0) + 2.0 * (x - 1.0)));
    }
    if (e < 0x3ffu + 26u) {
        return log_f64(2.0 * x - 1.0 / (x + sqrt(x * x - 1.0)));
    }
    return log_f64(x) + 0.693147180559945309417232121458176568;
}
// e_atanh.c (musl's form)
fn atanh_f64(x: f64) -> f64 {
    if (isnan_f64(x)) { return x; }
    let y = fabs_f64(x);
    if (y > 1.0) { return nan_f64(); }
    if (y == 1.0) { return copysign_f64(inf_f64(), x); }
    let e = (hi_word_f64(y) >> 20u) & 0x7ffu;
    var r: f64;
    if (e < 0x3ffu - 1u) {
        if (e < 0x3ffu - 32u) {
            r = y;
        } else {
            r = 0.5 * log1p_f64(2.0 * y + 2.0 * y * y / (1.0 - y));
        }
    } else {
        r = 0.5 * log1p_f64(2.0 * (y / (1.0 - y)));
    }
    return copysign_f64(r, x);
}

fn set_lo_f64(x: f64, lo: u32) -> f64 {
    return from_words_f64(hi_word_f64(x), lo);
}
fn set_hi_f64(x: f64, hi: u32) -> f64 {
    return from_words_f64(hi, lo_word_f64(x));
}

// e_pow.c: log2(|x|) in extra precision (t1 + t2), times y split in two, then 2^(y log2 x).
fn pow_f64(x: f64, y: f64) -> f64 {
    let hx = bitcast<i32>(hi_word_f64(x));
    let lx = lo_word_f64(x);
    let hy = bitcast<i32>(hi_word_f64(y));
    let ly = lo_word_f64(y);
    var ix = hx & 0x7fffffff;
    let iy = hy & 0x7fffffff;
    if ((u32(iy) | ly) == 0u) { return 1.0; }
    if (hx == 0x3ff00000 && lx == 0u) { return 1.0; }
    if (isnan_f64(x) || isnan_f64(y)) { return nan_f64(); }
    // yisint: 0 not an integer, 1 odd, 2 even (only needed for x < 0).
    var yisint = 0;
    if (hx < 0) {
        if (iy >= 0x43400000) {
            yisint = 2;
        } else if (iy >= 0x3ff00000) {
            let k = (iy >> 20u) - 0x3ff;
            if (k > 20) {
                let j = bitcast<i32>(ly >> u32(52 - k));
                if ((j << u32(52 - k)) == bitcast<i32>(ly)) { yisint = 2 - (j & 1); }
            } else if (ly == 0u) {
                let j = iy >> u32(20 - k);
                if ((j << u32(20 - k)) == iy) { yisint = 2 - (j & 1); }
            }
        }
    }
    if (ly == 0u) {
        if (iy == 0x7ff00000) {
            if (((ix - 0x3ff00000) | bitcast<i32>(lx)) == 0) { return 1.0; }
            if (ix >= 0x3ff00000) { return select(0.0, y, hy >= 0); }
            return select(-y, 0.0, hy >= 0);
        }
        if (iy == 0x3ff00000) { return select(1.0 / x, x, hy >= 0); }
        if (hy == 0x40000000) { return x * x; }
        if (hy == 0x3fe00000 && hx >= 0) { return sqrt(x); }
    }
    var ax = fabs_f64(x);
    if (lx == 0u && (ix == 0x7ff00000 || ix == 0 || ix == 0x3ff00000)) {
        var z = ax;
        if (hy < 0) { z = 1.0 / z; }
        if (hx < 0) {
            if (((ix - 0x3ff00000) | yisint) == 0) {
                z = nan_f64();
            } else if (yisint == 1) {
                z = -z;
            }
        }
        return z;
    }
    var s = 1.0lf;
    if (hx < 0) {
        if (yisint == 0) { return nan_f64(); }
        if (yisint == 1) { s = -1.0; }
    }
    var t1: f64;
    var t2: f64;
    if (iy > 0x41e00000) {
        if (iy > 0x43f00000) {
            if (ix <= 0x3fefffff) { return select(0.0, inf_f64(), hy < 0); }
            if (ix >= 0x3ff00000) { return select(0.0, inf_f64(), hy > 0); }
        }
        if (ix < 0x3fefffff) { return s * select(0.0, inf_f64(), hy < 0); }
        if (ix > 0x3ff00000) { return s * select(0.0, inf_f64(), hy > 0); }
        let t = ax - 1.0;
        let w = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25));
        let u = 1.44269502162933349609e+00 * t;
        let v = t * 1.92596299112661746887e-08 - w * 1.44269504088896338700e+00;
        t1 = set_lo_f64(u + v, 0u);
        t2 = v - (t1 - u);
    } else {
        var n = 0;
        if (ix < 0x00100000) {
            ax = ax * 9007199254740992.0;
            n = n - 53;
            ix = bitcast<i32>(hi_word_f64(ax));
        }
        n = n + (ix >> 20u) - 0x3ff;
        let j = ix & 0x000fffff;
        var k: i32;
        ix = j | 0x3ff00000;
        if (j <= 0x3988E) {
            k = 0;
        } else if (j < 0xBB67A) {
            k = 1;
        } else {
            k = 0;
            n = n + 1;
            ix = ix - 0x00100000;
        }
        ax = set_hi_f64(ax, u32(ix));
        let bp = select(1.0lf, 1.5lf, k == 1);
        let dp_h = select(0.0lf, 5.84962487220764160156e-01, k == 1);
        let dp_l = select(0.0lf, 1.35003920212974897128e-08, k == 1);
        let u = ax - bp;
        let v = 1.0 / (ax + bp);
        let ss = u * v;
        let s_h = set_lo_f64(ss, 0u);
        var t_h = from_words_f64(((u32(ix) >> 1u) | 0x20000000u) + 0x00080000u + (u32(k) << 18u), 0u);
        var t_l = ax - (t_h - bp);
        let s_l = v * ((u - s_h * t_h) - s_h * t_l);
        var s2 = ss * ss;
        var r = s2 * s2 * (5.99999999999994648725e-01 + s2 * (4.28571428578550184252e-01 + s2 * (3.33333329818377432918e-01 + s2 * (2.72728123808534006489e-01 + s2 * (2.30660745775561754067e-01 + s2 * 2.06975017800338417784e-01)))));
        r = r + s_l * (s_h + ss);
        s2 = s_h * s_h;
        t_h = set_lo_f64(3.0 + s2 + r, 0u);
        t_l = r - ((t_h - 3.0) - s2);
        let u2 = s_h * t_h;
        let v2 = s_l * t_h + t_l * ss;
        let p_h = set_lo_f64(u2 + v2, 0u);
        let p_l = v2 - (p_h - u2);
        let z_h = 9.61796700954437255859e-01 * p_h;
        let z_l = -7.02846165095275826516e-09 * p_h + p_l * 9.61796693925975554329e-01 + dp_l;
        let t = f64(n);
        t1 = set_lo_f64(((z_h + z_l) + dp_h) + t, 0u);
        t2 = z_l - (((t1 - t) - dp_h) - z_h);
    }
    let y1 = set_lo_f64(y, 0u);
    let p_l = (y - y1) * t1 + y * t2;
    var p_h = y1 * t1;
    var z = p_l + p_h;
    var j = bitcast<i32>(hi_word_f64(z));
    let i = bitcast<i32>(lo_word_f64(z));
    if (j >= 0x40900000) {
        if (((j - 0x40900000) | i) != 0) { return s * inf_f64(); }
        if (p_l + 8.0085662595372944372e-017 > z - p_h) { return s * inf_f64(); }
    } else if ((j & 0x7fffffff) >= 0x4090cc00) {
        if (((bitcast<u32>(j) - 0xc090cc00u) | bitcast<u32>(i)) != 0u) { return s * 0.0; }
        if (p_l <= z - p_h) { return s * 0.0; }
    }
    let ii = j & 0x7fffffff;
    var k = (ii >> 20u) - 0x3ff;
    var n = 0;
    if (ii > 0x3fe00000) {
        n = j + (0x00100000 >> u32(k + 1));
        k = ((n & 0x7fffffff) >> 20u) - 0x3ff;
        let t = from_words_f64(u32(n & ~(0x000fffff >> u32(k))), 0u);
        n = ((n & 0x000fffff) | 0x00100000) >> u32(20 - k);
        if (j < 0) { n = -n; }
        p_h = p_h - t;
    }
    let t = set_lo_f64(p_l + p_h, 0u);
    let u = t * 6.93147182464599609375e-01;
    let v = (p_l - (t - p_h)) * 6.93147180559945286227e-01 + t * -1.90465429995776804525e-09;
    z = opaque_f64(u + v);
    let w = v - (z - u);
    let tt = z * z;
    let tt1 = z - tt * (1.66666666666666019037e-01 + tt * (-2.77777777770155933842e-03 + tt * (6.61375632143793436117e-05 + tt * (-1.65339022054652515390e-06 + tt * 4.13813679705723846039e-08))));
    let r = (z * tt1) / (tt1 - 2.0) - (w + z * w);
    z = 1.0 - (r - z);
    j = bitcast<i32>(hi_word_f64(z));
    j = j + (n << 20u);
    if ((j >> 20u) <= 0) {
        z = scalbn_f64(z, n);
    } else {
        z = set_hi_f64(z, bitcast<u32>(j));
    }
    return s * z;
}
