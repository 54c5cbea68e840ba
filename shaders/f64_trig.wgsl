// shaders/f64_trig.wgsl: float64 inverse trigonometric functions and erf, ported from musl /
// FreeBSD msun (Sun's fdlibm; see f64_math.wgsl for the notice and why). Needs f64_math.wgsl.

const PIO2_HI_F64: f64 = 1.57079632679489655800e+00;
const PIO2_LO_F64: f64 = 6.12323399573676603587e-17;

// s_atan.c
fn atan_f64(x_in: f64) -> f64 {
    var x = x_in;
    let hx = hi_word_f64(x);
    let sign = hx >> 31u;
    let ix = hx & 0x7fffffffu;
    if (ix >= 0x44100000u) {
        if (isnan_f64(x)) { return x; }
        return copysign_f64(PIO2_HI_F64 + PIO2_LO_F64, x);
    }
    var id = -1;
    if (ix < 0x3fdc0000u) {
        if (ix < 0x3e400000u) { return x; }
    } else {
        x = fabs_f64(x);
        if (ix < 0x3ff30000u) {
            if (ix < 0x3fe60000u) {
                id = 0;
                x = (2.0 * x - 1.0) / (2.0 + x);
            } else {
                id = 1;
                x = (x - 1.0) / (x + 1.0);
            }
        } else if (ix < 0x40038000u) {
            id = 2;
            x = (x - 1.5) / (1.0 + 1.5 * x);
        } else {
            id = 3;
            x = -1.0 / x;
        }
    }
    let z = x * x;
    let w = z * z;
    let s1 = z * (3.33333333333329318027e-01 + w * (1.42857142725034663711e-01 + w * (9.09088713343650656196e-02 + w * (6.66107313738753120669e-02 + w * (4.97687799461593236017e-02 + w * 1.62858201153657823623e-02)))));
    let s2 = w * (-1.99999999998764832476e-01 + w * (-1.11111104054623557880e-01 + w * (-7.69187620504482999495e-02 + w * (-5.83357013379057348645e-02 + w * -3.65315727442169155270e-02))));
    if (id < 0) {
        return x - x * (s1 + s2);
    }
    var hi: f64;
    var lo: f64;
    switch (id) {
        case 0: { hi = 4.63647609000806093515e-01; lo = 2.26987774529616870924e-17; }
        case 1: { hi = 7.85398163397448278999e-01; lo = 3.06161699786838301793e-17; }
        case 2: { hi = 9.82793723247329054082e-01; lo = 1.39033110312309984516e-17; }
        default: { hi = 1.57079632679489655800e+00; lo = 6.12323399573676603587e-17; }
    }
    let r = hi - (x * (s1 + s2) - lo - x);
    return select(r, -r, sign != 0u);
}

// The rational approximation e_asin.c and e_acos.c share.
fn asin_r_f64(z: f64) -> f64 {
    let p = z * (1.66666666666666657415e-01 + z * (-3.25565818622400915405e-01 + z * (2.01212532134862925881e-01 + z * (-4.00555345006794114027e-02 + z * (7.91534994289814532176e-04 + z * 3.47933107596021167570e-05)))));
    let q = 1.0 + z * (-2.40339491173441421878e+00 + z * (2.02094576023350569471e+00 + z * (-6.88283971605453293030e-01 + z * 7.70381505559019352791e-02)));
    return p / q;
}

// e_asin.c
fn asin_f64(x_in: f64) -> f64 {
    var x = x_in;
    let hx = hi_word_f64(x);
    let ix = hx & 0x7fffffffu;
    if (isnan_f64(x)) { return x; }
    if (ix >= 0x3ff00000u) {
        if (((ix - 0x3ff00000u) | lo_word_f64(x)) == 0u) {
            return x * PIO2_HI_F64 + from_words_f64(0x38700000u, 0u);
        }
        return nan_f64();
    }
    if (ix < 0x3fe00000u) {
        if (ix >= 0x00100000u && ix < 0x3e500000u) { return x; }
        return x + x * asin_r_f64(x * x);
    }
    let z = (1.0 - fabs_f64(x)) * 0.5;
    let s = sqrt(z);
    let r = asin_r_f64(z);
    if (ix >= 0x3fef3333u) {
        x = PIO2_HI_F64 - (2.0 * (s + s * r) - PIO2_LO_F64);
    } else {
        let f = set_lo_f64(s, 0u);
        let c = (z - f * f) / (s + f);
        x = 0.5 * PIO2_HI_F64 - (2.0 * s * r - (PIO2_LO_F64 - 2.0 * c) - (0.5 * PIO2_HI_F64 - 2.0 * f));
    }
    return select(x, -x, (hx >> 31u) != 0u);
}

// e_acos.c
fn acos_f64(x: f64) -> f64 {
    let hx = hi_word_f64(x);
    let ix = hx & 0x7fffffffu;
    if (isnan_f64(x)) { return x; }
    if (ix >= 0x3ff00000u) {
        if (((ix - 0x3ff00000u) | lo_word_f64(x)) == 0u) {
            if ((hx >> 31u) != 0u) { return 2.0 * PIO2_HI_F64 + from_words_f64(0x38700000u, 0u); }
            return 0.0;
        }
        return nan_f64();
    }
    if (ix < 0x3fe00000u) {
        if (ix <= 0x3c600000u) { return PIO2_HI_F64 + from_words_f64(0x38700000u, 0u); }
        return PIO2_HI_F64 - (x - (PIO2_LO_F64 - x * asin_r_f64(x * x)));
    }
    if ((hx >> 31u) != 0u) {
        let z = (1.0 + x) * 0.5;
        let s = sqrt(z);
        let w = asin_r_f64(z) * s - PIO2_LO_F64;
        return 2.0 * (PIO2_HI_F64 - (s + w));
    }
    let z = (1.0 - x) * 0.5;
    let s = sqrt(z);
    let df = set_lo_f64(s, 0u);
    let c = (z - df * df) / (s + df);
    let w = asin_r_f64(z) * s + c;
    return 2.0 * (df + w);
}

// e_atan2.c
fn atan2_f64(y: f64, x: f64) -> f64 {
    let pi = 3.1415926535897931160E+00lf;
    let pi_lo = 1.2246467991473531772E-16lf;
    if (isnan_f64(x) || isnan_f64(y)) { return nan_f64(); }
    var ix = hi_word_f64(x);
    let lx = lo_word_f64(x);
    var iy = hi_word_f64(y);
    let ly = lo_word_f64(y);
    if (((ix - 0x3ff00000u) | lx) == 0u) { return atan_f64(y); }
    let m = ((iy >> 31u) & 1u) | ((ix >> 30u) & 2u);
    ix = ix & 0x7fffffffu;
    iy = iy & 0x7fffffffu;
    if ((iy | ly) == 0u) {
        switch (m) {
            case 0u, 1u: { return y; }
            case 2u: { return pi; }
            default: { return -pi; }
        }
    }
    if ((ix | lx) == 0u) { return select(pi / 2.0, -pi / 2.0, (m & 1u) != 0u); }
    if (ix == 0x7ff00000u) {
        if (iy == 0x7ff00000u) {
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
    if (ix + (64u << 20u) < iy || iy == 0x7ff00000u) { return select(pi / 2.0, -pi / 2.0, (m & 1u) != 0u); }
    var z: f64;
    if ((m & 2u) != 0u && iy + (64u << 20u) < ix) {
        z = 0.0;
    } else {
        z = atan_f64(fabs_f64(y / x));
    }
    switch (m) {
        case 0u: { return z; }
        case 1u: { return -z; }
        case 2u: { return pi - (z - pi_lo); }
        default: { return (z - pi_lo) - pi; }
    }
}

// s_erf.c: rational approximations on [0, 0.84375), [0.84375, 1.25), then erfc through exp on
// [1.25, 6); 1 beyond.
fn erf_f64(x: f64) -> f64 {
    let hx = hi_word_f64(x);
    let ix = hx & 0x7fffffffu;
    if (ix >= 0x7ff00000u) {
        if (isnan_f64(x)) { return x; }
        return copysign_f64(1.0, x);
    }
    if (ix < 0x3feb0000u) {
        if (ix < 0x3e300000u) {
            return 0.125 * (8.0 * x + 1.02703333676410069053e+00 * x);
        }
        let z = x * x;
        let r = 1.28379167095512558561e-01 + z * (-3.25042107247001499370e-01 + z * (-2.84817495755985104766e-02 + z * (-5.77027029648944159157e-03 + z * (-2.37630166566501626084e-05))));
        let s = 1.0 + z * (3.97917223959155352819e-01 + z * (6.50222499887672944485e-02 + z * (5.08130628187576562776e-03 + z * (1.32494738004321644526e-04 + z * (-3.96022827877536812320e-06)))));
        return x + x * (r / s);
    }
    var y: f64;
    let a = fabs_f64(x);
    if (ix < 0x3ff40000u) {
        let s = a - 1.0;
        let p = -2.36211856075265944077e-03 + s * (4.14856118683748331666e-01 + s * (-3.72207876035701323847e-01 + s * (3.18346619901161753674e-01 + s * (-1.10894694282396677476e-01 + s * (3.54783043256182359371e-02 + s * (-2.16637559486879084300e-03))))));
        let q = 1.0 + s * (1.06420880400844228286e-01 + s * (5.40397917702171048937e-01 + s * (7.18286544141962662868e-02 + s * (1.26171219808761642112e-01 + s * (1.36370839120290507362e-02 + s * (1.19844998467991074170e-02))))));
        y = 8.45062911510467529297e-01 + p / q;
    } else if (ix < 0x40180000u) {
        let s = 1.0 / (a * a);
        var r: f64;
        var big_s: f64;
        if (ix < 0x4006db6du) {
            r = -9.86494403484714822705e-03 + s * (-6.93858572707181764372e-01 + s * (-1.05586262253232909814e+01 + s * (-6.23753324503260060396e+01 + s * (-1.62396669462573470355e+02 + s * (-1.84605092906711035994e+02 + s * (-8.12874355063065934246e+01 + s * (-9.81432934416914548592e+00)))))));
            big_s = 1.0 + s * (1.96512716674392571292e+01 + s * (1.37657754143519042600e+02 + s * (4.34565877475229228821e+02 + s * (6.45387271733267880336e+02 + s * (4.29008140027567833386e+02 + s * (1.08635005541779435134e+02 + s * (6.57024977031928170135e+00 + s * (-6.04244152148580987438e-02))))))));
        } else {
            r = -9.86494292470009928597e-03 + s * (-7.99283237680523006574e-01 + s * (-1.77579549177547519889e+01 + s * (-1.60636384855821916062e+02 + s * (-6.37566443368389627722e+02 + s * (-1.02509513161107724954e+03 + s * (-4.83519191608651397019e+02))))));
            big_s = 1.0 + s * (3.03380607434824582924e+01 + s * (3.25792512996573918826e+02 + s * (1.53672958608443695994e+03 + s * (3.19985821950859553908e+03 + s * (2.55305040643316442583e+03 + s * (4.74528541206955367215e+02 + s * (-2.24409524465858183362e+01)))))));
        }
        let z = set_lo_f64(a, 0u);
        y = 1.0 - exp_f64(-z * z - 0.5625) * exp_f64((z - a) * (z + a) + r / big_s) / a;
    } else {
        y = 1.0;
    }
    return copysign_f64(y, x);
}
