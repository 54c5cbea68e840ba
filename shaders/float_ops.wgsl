// shaders/float_ops.wgsl: exact float helpers (no transcendental builtins), instantiated once
// per float type: {{F}} is f32 or f64, {{U}} the unsigned integer of the same width.
//
// NaN, infinity and sign tests look at the bits: a driver is allowed to assume away NaN in
// comparisons (Vulkan does not promise IEEE NaN behaviour without extra float controls), and
// min()/max() builtins leave NaN handling undefined.

// Scalar slot k (rust/gpu/meta.rs) as this float type.
fn scalar_{{F}}(k: u32) -> {{F}} {
    return bitcast<{{F}}>({{SCALAR_BITS}});
}

// `a`, in a form the compiler cannot see through. Drivers may re-associate float arithmetic
// (lavapipe folds (1 + x) - 1 to x), which breaks the compensated steps that recover rounding
// errors; a value behind a select on a metadata word (always 0, but only known at run time)
// keeps its rounding.
fn opaque_{{F}}(a: {{F}}) -> {{F}} {
    return select(a, {{F}}(0), mw(M_OPAQUE) != 0u);
}

fn isnan_{{F}}(a: {{F}}) -> bool {
    return (bitcast<{{U}}>(a) & {{ABS}}) > {{EXP_MASK}};
}
fn isinf_{{F}}(a: {{F}}) -> bool {
    return (bitcast<{{U}}>(a) & {{ABS}}) == {{EXP_MASK}};
}
fn isfinite_{{F}}(a: {{F}}) -> bool {
    return (bitcast<{{U}}>(a) & {{ABS}}) < {{EXP_MASK}};
}
fn signbit_{{F}}(a: {{F}}) -> bool {
    return (bitcast<{{U}}>(a) & {{SIGN}}) != {{U}}(0);
}
fn nan_{{F}}() -> {{F}} {
    return bitcast<{{F}}>({{QNAN}});
}
fn inf_{{F}}() -> {{F}} {
    return bitcast<{{F}}>({{EXP_MASK}});
}
fn max_finite_{{F}}() -> {{F}} {
    return bitcast<{{F}}>({{MAX_FINITE}});
}
fn fabs_{{F}}(a: {{F}}) -> {{F}} {
    return bitcast<{{F}}>(bitcast<{{U}}>(a) & {{ABS}});
}
fn copysign_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    return bitcast<{{F}}>((bitcast<{{U}}>(a) & {{ABS}}) | (bitcast<{{U}}>(b) & {{SIGN}}));
}
// Truthiness as PyTorch's: anything but +-0 (NaN counts as true).
fn truthy_{{F}}(a: {{F}}) -> bool {
    return (bitcast<{{U}}>(a) & {{ABS}}) != {{U}}(0);
}
fn is_zero_{{F}}(a: {{F}}) -> bool {
    return (bitcast<{{U}}>(a) & {{ABS}}) == {{U}}(0);
}

// torch.maximum / minimum: NaN if either is NaN.
fn nan_max_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    if (isnan_{{F}}(a)) { return a; }
    if (isnan_{{F}}(b)) { return b; }
    return select(b, a, a > b);
}
fn nan_min_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    if (isnan_{{F}}(a)) { return a; }
    if (isnan_{{F}}(b)) { return b; }
    return select(b, a, a < b);
}
// torch.fmax / fmin: NaN only when both are.
fn fmax_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    if (isnan_{{F}}(a)) { return b; }
    if (isnan_{{F}}(b)) { return a; }
    return select(b, a, a > b);
}
fn fmin_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    if (isnan_{{F}}(a)) { return b; }
    if (isnan_{{F}}(b)) { return a; }
    return select(b, a, a < b);
}

// torch.sign: +-1; +0 for either zero and for NaN, as PyTorch's (0 < a) - (a < 0) (decided on
// the bits: a driver may fold a * 0).
fn sign_{{F}}(a: {{F}}) -> {{F}} {
    if (isnan_{{F}}(a) || is_zero_{{F}}(a)) { return {{F}}(0); }
    return copysign_{{F}}({{F}}(1), a);
}

// Exact C fmod (the sign of the dividend), by long division on the significands (musl's fmod):
// WGSL's float % is x - y * trunc(x / y), which loses the low bits when x / y is large.
fn fmod_{{F}}(x: {{F}}, y: {{F}}) -> {{F}} {
    let top = {{WBITS}}u - {{MANT_BITS}};
    let implicit = {{U}}(1) << {{MANT_BITS}};
    var uxi = bitcast<{{U}}>(x);
    var uyi = bitcast<{{U}}>(y);
    var ex = i32((uxi >> {{MANT_BITS}}) & {{U}}({{EXP_BITS_MAX}}));
    var ey = i32((uyi >> {{MANT_BITS}}) & {{U}}({{EXP_BITS_MAX}}));
    let sx = uxi & {{SIGN}};
    if (is_zero_{{F}}(y) || isnan_{{F}}(y) || ex == {{EXP_BITS_MAX}}) {
        return nan_{{F}}();
    }
    let ax = uxi & {{ABS}};
    let ay = uyi & {{ABS}};
    if (ax <= ay) {
        if (ax == ay) { return copysign_{{F}}({{F}}(0), x); }
        return x;
    }
    if (ex == 0) {
        var i = uxi << top;
        loop {
            if ((i >> ({{WBITS}}u - 1u)) != {{U}}(0)) { break; }
            ex = ex - 1;
            i = i << 1u;
        }
        uxi = uxi << u32(1 - ex);
    } else {
        uxi = (uxi & (implicit - {{U}}(1))) | implicit;
    }
    if (ey == 0) {
        var i = uyi << top;
        loop {
            if ((i >> ({{WBITS}}u - 1u)) != {{U}}(0)) { break; }
            ey = ey - 1;
            i = i << 1u;
        }
        uyi = uyi << u32(1 - ey);
    } else {
        uyi = (uyi & (implicit - {{U}}(1))) | implicit;
    }
    for (; ex > ey; ex = ex - 1) {
        if (uxi >= uyi) {
            let i = uxi - uyi;
            if (i == {{U}}(0)) { return copysign_{{F}}({{F}}(0), x); }
            uxi = i;
        }
        uxi = uxi << 1u;
    }
    if (uxi >= uyi) {
        let i = uxi - uyi;
        if (i == {{U}}(0)) { return copysign_{{F}}({{F}}(0), x); }
        uxi = i;
    }
    loop {
        if ((uxi >> {{MANT_BITS}}) != {{U}}(0)) { break; }
        uxi = uxi << 1u;
        ex = ex - 1;
    }
    if (ex > 0) {
        uxi = (uxi - implicit) | ({{U}}(ex) << {{MANT_BITS}});
    } else {
        uxi = uxi >> u32(1 - ex);
    }
    return bitcast<{{F}}>(uxi | sx);
}

// Python's % for floats: the sign of the divisor.
fn remainder_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    let m = fmod_{{F}}(a, b);
    if (!is_zero_{{F}}(m) && !isnan_{{F}}(m) && (b < {{F}}(0)) != (m < {{F}}(0))) {
        return m + b;
    }
    return m;
}

// Python's // for floats, as PyTorch's div_floor_floating.
fn floor_div_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    if (is_zero_{{F}}(b)) {
        return a / b;
    }
    let m = fmod_{{F}}(a, b);
    var div = (a - m) / b;
    if (!is_zero_{{F}}(m) && (b < {{F}}(0)) != (m < {{F}}(0))) {
        div = div - {{F}}(1);
    }
    if (!is_zero_{{F}}(div)) {
        var fl = floor(div);
        if (div - fl > {{F}}(0.5)) {
            fl = fl + {{F}}(1);
        }
        return fl;
    }
    return copysign_{{F}}({{F}}(0), a / b);
}

fn sqrt_{{F}}(a: {{F}}) -> {{F}} {
    if (a < {{F}}(0) || isnan_{{F}}(a)) { return nan_{{F}}(); }
    return sqrt(a);
}

// hypot without overflow or underflow in the squares (scaled by the larger magnitude).
fn hypot_{{F}}(a: {{F}}, b: {{F}}) -> {{F}} {
    let x = fabs_{{F}}(a);
    let y = fabs_{{F}}(b);
    if (isinf_{{F}}(x) || isinf_{{F}}(y)) { return inf_{{F}}(); }
    if (isnan_{{F}}(x) || isnan_{{F}}(y)) { return nan_{{F}}(); }
    let m = max(x, y);
    let n = min(x, y);
    if (is_zero_{{F}}(m)) { return {{F}}(0); }
    // Squares that neither overflow nor underflow: one rounding fewer than the scaled form.
    if (m < {{F}}(1.8446744e19) && n > {{F}}(5.421011e-20)) {
        return sqrt(x * x + y * y);
    }
    let r = n / m;
    return m * sqrt({{F}}(1) + r * r);
}

// Casts to integers as Rust's `as` (and rgrad's CPU cast): toward zero, saturating, NaN -> 0.
fn to_i32_{{F}}(a: {{F}}) -> i32 {
    if (isnan_{{F}}(a)) { return 0i; }
    if (a >= {{F}}(2147483648.0)) { return 2147483647i; }
    if (a <= {{F}}(-2147483648.0)) { return -2147483647i - 1i; }
    return i32(a);
}
fn to_i64_{{F}}(a: {{F}}) -> i64 {
    if (isnan_{{F}}(a)) { return 0li; }
    if (a >= {{F}}(9223372036854775808.0)) { return 9223372036854775807li; }
    if (a <= {{F}}(-9223372036854775808.0)) { return -9223372036854775807li - 1li; }
    return i64(a);
}
