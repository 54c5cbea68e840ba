// shaders/f64_sincos.wgsl: float64 sin, cos and tan, ported from musl / FreeBSD msun (Sun's
// fdlibm; see f64_math.wgsl for the notice and why): the argument is reduced modulo pi/2 in
// extra precision (Cody-Waite with three parts of pi/2 below 2^20 pi/2, Payne-Hanek with the
// bits of 2/pi beyond), then fdlibm's kernels on [-pi/4, pi/4]. Needs f64_math.wgsl.

// 2/pi in 24-bit chunks: the 66 a float64 argument can need.
var<private> IPIO2: array<i32, 66> = array<i32, 66>(
    0xA2F983, 0x6E4E44, 0x1529FC, 0x2757D1, 0xF534DD, 0xC0DB62, 0x95993C, 0x439041, 0xFE5163,
    0xABDEBB, 0xC561B7, 0x246E3A, 0x424DD2, 0xE00649, 0x2EEA09, 0xD1921C, 0xFE1DEB, 0x1CB129,
    0xA73EE8, 0x8235F5, 0x2EBB44, 0x84E99C, 0x7026B4, 0x5F7E41, 0x3991D6, 0x398353, 0x39F49C,
    0x845F8B, 0xBDF928, 0x3B1FF8, 0x97FFDE, 0x05980F, 0xEF2F11, 0x8B5A0A, 0x6D1F6D, 0x367ECF,
    0x27CB09, 0xB74F46, 0x3F669E, 0x5FEA2D, 0x7527BA, 0xC7EBE5, 0xF17B3D, 0x0739F7, 0x8A5292,
    0xEA6BFB, 0x5FB11F, 0x8D5D08, 0x560330, 0x46FC7B, 0x6BABF0, 0xCFBC20, 0x9AF436, 0x1DA9E3,
    0x91615E, 0xE61B08, 0x659985, 0x5F14A0, 0x68408D, 0xFFD880, 0x4D7327, 0x310606, 0x1556CA,
    0x73A8C9, 0x60E27B, 0xC08C6B,
);
// pi/2 in 24-bit pieces.
var<private> PIO2_PARTS: array<f64, 8> = array<f64, 8>(
    1.57079625129699707031e+00, 7.54978941586159635335e-08, 5.39030252995776476554e-15, 3.28200341580791294123e-22,
    1.27065575308067607349e-29, 1.22933308981111328932e-36, 2.73370053816464559624e-44, 2.16741683877804819444e-51,
);

// x reduced by n * pi/2: y0 + y1 = x - n pi/2 with |y0 + y1| <= pi/4.
struct Rem {
    n: i32,
    y0: f64,
    y1: f64,
}

// k_rem_pio2.c for precision 1 (two output words), the 24-bit chunks of |x| in tx[0..nx].
fn rem_pio2_large_f64(tx: array<f64, 3>, nx: i32, e0: i32) -> Rem {
    let x1p24 = 16777216.0lf;
    let x1p_24 = 5.9604644775390625e-08lf;
    let jk = 4;
    let jp = jk;
    let jx = nx - 1;
    var jv = (e0 - 3) / 24;
    if (jv < 0) { jv = 0; }
    var q0 = e0 - 24 * (jv + 1);
    var f: array<f64, 20>;
    var fq: array<f64, 20>;
    var q: array<f64, 20>;
    var iq: array<i32, 20>;
    var j = jv - jx;
    for (var i = 0; i <= jx + jk; i = i + 1) {
        if (j < 0) { f[i] = 0.0; } else { f[i] = f64(IPIO2[j]); }
        j = j + 1;
    }
    for (var i = 0; i <= jk; i = i + 1) {
        var fw = 0.0lf;
        for (var jj = 0; jj <= jx; jj = jj + 1) { fw = fw + tx[jj] * f[jx + i - jj]; }
        q[i] = fw;
    }
    var jz = jk;
    var z: f64;
    var n: i32;
    var ih: i32;
    loop {
        var i = 0;
        z = q[jz];
        for (var jj = jz; jj >= 1; jj = jj - 1) {
            let fw = f64(i32(x1p_24 * z));
            iq[i] = i32(z - x1p24 * fw);
            z = q[jj - 1] + fw;
            i = i + 1;
        }
        z = scalbn_f64(z, q0);
        z = z - 8.0 * floor(z * 0.125);
        n = i32(z);
        z = z - f64(n);
        ih = 0;
        if (q0 > 0) {
            let t = iq[jz - 1] >> u32(24 - q0);
            n = n + t;
            iq[jz - 1] = iq[jz - 1] - (t << u32(24 - q0));
            ih = iq[jz - 1] >> u32(23 - q0);
        } else if (q0 == 0) {
            ih = iq[jz - 1] >> 23u;
        } else if (z >= 0.5) {
            ih = 2;
        }
        if (ih > 0) {
            n = n + 1;
            var carry = 0;
            for (var k = 0; k < jz; k = k + 1) {
                let w = iq[k];
                if (carry == 0) {
                    if (w != 0) {
                        carry = 1;
                        iq[k] = 0x1000000 - w;
                    }
                } else {
                    iq[k] = 0xffffff - w;
                }
            }
            if (q0 == 1) {
                iq[jz - 1] = iq[jz - 1] & 0x7fffff;
            } else if (q0 == 2) {
                iq[jz - 1] = iq[jz - 1] & 0x3fffff;
            }
            if (ih == 2) {
                z = 1.0 - z;
                if (carry != 0) { z = z - scalbn_f64(1.0, q0); }
            }
        }
        if (z == 0.0) {
            var acc = 0;
            for (var k = jz - 1; k >= jk; k = k - 1) { acc = acc | iq[k]; }
            if (acc == 0) {
                var k = 1;
                loop {
                    if (iq[jk - k] != 0) { break; }
                    k = k + 1;
                }
                for (var ii = jz + 1; ii <= jz + k; ii = ii + 1) {
                    f[jx + ii] = f64(IPIO2[jv + ii]);
                    var fw = 0.0lf;
                    for (var jj = 0; jj <= jx; jj = jj + 1) { fw = fw + tx[jj] * f[jx + ii - jj]; }
                    q[ii] = fw;
                }
                jz = jz + k;
                continue;
            }
        }
        break;
    }
    if (z == 0.0) {
        jz = jz - 1;
        q0 = q0 - 24;
        loop {
            if (iq[jz] != 0) { break; }
            jz = jz - 1;
            q0 = q0 - 24;
        }
    } else {
        z = scalbn_f64(z, -q0);
        if (z >= x1p24) {
            let fw = f64(i32(x1p_24 * z));
            iq[jz] = i32(z - x1p24 * fw);
            jz = jz + 1;
            q0 = q0 + 24;
            iq[jz] = i32(fw);
        } else {
            iq[jz] = i32(z);
        }
    }
    var fw = scalbn_f64(1.0, q0);
    for (var i = jz; i >= 0; i = i - 1) {
        q[i] = fw * f64(iq[i]);
        fw = fw * x1p_24;
    }
    for (var i = jz; i >= 0; i = i - 1) {
        var acc = 0.0lf;
        for (var k = 0; k <= jp && k <= jz - i; k = k + 1) { acc = acc + PIO2_PARTS[k] * q[i + k]; }
        fq[jz - i] = acc;
    }
    var s = 0.0lf;
    for (var i = jz; i >= 0; i = i - 1) { s = s + fq[i]; }
    let y0 = select(-s, s, ih == 0);
    s = fq[0] - s;
    for (var i = 1; i <= jz; i = i + 1) { s = s + fq[i]; }
    let y1 = select(-s, s, ih == 0);
    return Rem(n & 7, y0, y1);
}

// e_rem_pio2.c: finite x with |x| > pi/4.
fn rem_pio2_f64(x: f64) -> Rem {
    let sign = (hi_word_f64(x) >> 31u) != 0u;
    let ix = hi_word_f64(x) & 0x7fffffffu;
    if (ix < 0x413921fbu) {
        // |x| < 2^20 pi/2: n = round(x 2/pi), x - n pi/2 with pi/2 in three pieces as needed.
        // n = round(x 2/pi) (fdlibm adds and subtracts 1.5 * 2^52, which a re-associating
        // compiler folds away).
        let f_n = round(x * 6.36619772367581382433e-01);
        let n = i32(f_n);
        var r = x - f_n * 1.57079632673412561417e+00;
        var w = f_n * 6.07710050650619224932e-11;
        var y0 = opaque_f64(r - w);
        let ex = i32(ix >> 20u);
        var ey = i32((hi_word_f64(y0) >> 20u) & 0x7ffu);
        if (ex - ey > 16) {
            var t = r;
            w = f_n * 6.07710050630396597660e-11;
            r = opaque_f64(t - w);
            w = f_n * 2.02226624879595063154e-21 - ((t - r) - w);
            y0 = opaque_f64(r - w);
            ey = i32((hi_word_f64(y0) >> 20u) & 0x7ffu);
            if (ex - ey > 49) {
                t = r;
                w = f_n * 2.02226624871116645580e-21;
                r = opaque_f64(t - w);
                w = f_n * 8.47842766036889956997e-32 - ((t - r) - w);
                y0 = opaque_f64(r - w);
            }
        }
        return Rem(n, y0, (r - y0) - w);
    }
    // Split |x| (scaled to 2^23 <= z < 2^24) into three 24-bit chunks.
    var z = from_words_f64((hi_word_f64(x) & 0x000fffffu) | ((0x3ffu + 23u) << 20u), lo_word_f64(x));
    var tx: array<f64, 3>;
    for (var i = 0; i < 2; i = i + 1) {
        tx[i] = f64(i32(z));
        z = (z - tx[i]) * 16777216.0;
    }
    tx[2] = z;
    var nx = 3;
    loop {
        if (nx <= 1 || tx[nx - 1] != 0.0) { break; }
        nx = nx - 1;
    }
    let r = rem_pio2_large_f64(tx, nx, i32(ix >> 20u) - (0x3ff + 23));
    if (sign) { return Rem(-r.n, -r.y0, -r.y1); }
    return r;
}

// k_sin.c: sin(x + y) for |x| <= pi/4, y the tail of x (iy == 0: y is 0).
fn k_sin_f64(x: f64, y: f64, iy: i32) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * 2.75573137070700676789e-06) + z * w * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10);
    let v = z * x;
    if (iy == 0) {
        return x + v * (-1.66666666666666324348e-01 + z * r);
    }
    return x - ((z * (0.5 * y - v * r) - y) - v * -1.66666666666666324348e-01);
}
// k_cos.c
fn k_cos_f64(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * 2.48015872894767294178e-05)) + w * w * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11));
    let hz = 0.5 * z;
    let ww = 1.0 - hz;
    return ww + (((1.0 - ww) - hz) + (z * r - x * y));
}
// k_tan.c: tan(x + y) (odd == 0) or -1 / tan(x + y) (odd == 1).
fn k_tan_f64(x_in: f64, y_in: f64, odd: i32) -> f64 {
    var x = x_in;
    var y = y_in;
    let hx = hi_word_f64(x);
    let big = (hx & 0x7fffffffu) >= 0x3FE59428u;
    let neg = (hx >> 31u) != 0u;
    if (big) {
        if (neg) {
            x = -x;
            y = -y;
        }
        x = (7.85398163397448278999e-01 - x) + (3.06161699786838301793e-17 - y);
        y = 0.0;
    }
    let z = x * x;
    let w = z * z;
    let r0 = 1.33333333333201242699e-01 + w * (2.18694882948595424599e-02 + w * (3.59207910759131235356e-03 + w * (5.88041240820264096874e-04 + w * (7.81794442939557092300e-05 + w * -1.85586374855275456654e-05))));
    let v0 = z * (5.39682539762260521377e-02 + w * (8.86323982359930005737e-03 + w * (1.45620945432529025516e-03 + w * (2.46463134818469906812e-04 + w * (7.14072491382608190305e-05 + w * 2.59073051863633712884e-05)))));
    let s = z * x;
    let r = y + z * (s * (r0 + v0) + y) + s * 3.33333333333334091986e-01;
    let ww = x + r;
    if (big) {
        let sg = 1.0 - 2.0 * f64(odd);
        let v = sg - 2.0 * (x + (r - ww * ww / (ww + sg)));
        return select(v, -v, neg);
    }
    if (odd == 0) {
        return ww;
    }
    let w0 = set_lo_f64(ww, 0u);
    let v = r - (w0 - x);
    let a = -1.0 / ww;
    let a0 = set_lo_f64(a, 0u);
    return a0 + a * (1.0 + a0 * w0 + a0 * v);
}

fn sin_f64(x: f64) -> f64 {
    let ix = hi_word_f64(x) & 0x7fffffffu;
    if (ix <= 0x3fe921fbu) {
        if (ix < 0x3e500000u) { return x; }
        return k_sin_f64(x, 0.0, 0);
    }
    if (ix >= 0x7ff00000u) { return nan_f64(); }
    let r = rem_pio2_f64(x);
    switch (r.n & 3) {
        case 0: { return k_sin_f64(r.y0, r.y1, 1); }
        case 1: { return k_cos_f64(r.y0, r.y1); }
        case 2: { return -k_sin_f64(r.y0, r.y1, 1); }
        default: { return -k_cos_f64(r.y0, r.y1); }
    }
}
fn cos_f64(x: f64) -> f64 {
    let ix = hi_word_f64(x) & 0x7fffffffu;
    if (ix <= 0x3fe921fbu) {
        if (ix < 0x3e46a09eu) { return 1.0; }
        return k_cos_f64(x, 0.0);
    }
    if (ix >= 0x7ff00000u) { return nan_f64(); }
    let r = rem_pio2_f64(x);
    switch (r.n & 3) {
        case 0: { return k_cos_f64(r.y0, r.y1); }
        case 1: { return -k_sin_f64(r.y0, r.y1, 1); }
        case 2: { return -k_cos_f64(r.y0, r.y1); }
        default: { return k_sin_f64(r.y0, r.y1, 1); }
    }
}
fn tan_f64(x: f64) -> f64 {
    let ix = hi_word_f64(x) & 0x7fffffffu;
    if (ix <= 0x3fe921fbu) {
        if (ix < 0x3e400000u) { return x; }
        return k_tan_f64(x, 0.0, 0);
    }
    if (ix >= 0x7ff00000u) { return nan_f64(); }
    let r = rem_pio2_f64(x);
    return k_tan_f64(r.y0, r.y1, r.n & 1);
}
