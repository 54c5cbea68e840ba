// shaders/int_ops.wgsl: integer helpers, instantiated per integer type {{I}} (i32, i64) with
// {{BITS}} bits. Arithmetic wraps as in PyTorch. A zero divisor is the caller's to report
// (through the status words): these assume b != 0.

// Integer power by squaring, wrapping; negative exponents as rgrad's CPU kernel (1, +-1, else 0).
fn ipow_{{I}}(base_in: {{I}}, e_in: {{I}}) -> {{I}} {
    var base = base_in;
    var e = e_in;
    if (e < {{I}}(0)) {
        if (base == {{I}}(1)) { return {{I}}(1); }
        if (base == {{I}}(-1)) { return select({{I}}(-1), {{I}}(1), (e & {{I}}(1)) == {{I}}(0)); }
        return {{I}}(0);
    }
    var acc = {{ONE}};
    loop {
        if (e <= {{I}}(0)) { break; }
        if ((e & {{I}}(1)) == {{I}}(1)) { acc = acc * base; }
        base = base * base;
        e = e >> 1u;
    }
    return acc;
}
// Python's // (toward -inf).
fn floor_div_{{I}}(a: {{I}}, b: {{I}}) -> {{I}} {
    let q = a / b;
    if ((a % b) != {{I}}(0) && ((a < {{I}}(0)) != (b < {{I}}(0)))) { return q - {{I}}(1); }
    return q;
}
// Python's %: the sign of the divisor.
fn remainder_{{I}}(a: {{I}}, b: {{I}}) -> {{I}} {
    let r = a % b;
    if (r != {{I}}(0) && ((r < {{I}}(0)) != (b < {{I}}(0)))) { return r + b; }
    return r;
}
// Shifts by a tensor amount: out-of-range amounts give 0 (or -1 shifting a negative right),
// as rgrad's CPU kernel, where WGSL would take the amount modulo the width.
fn shl_{{I}}(a: {{I}}, b: {{I}}) -> {{I}} {
    if (b < {{I}}(0) || b >= {{I}}({{BITS}})) { return {{I}}(0); }
    return a << u32(b);
}
fn shr_{{I}}(a: {{I}}, b: {{I}}) -> {{I}} {
    if (b < {{I}}(0) || b >= {{I}}({{BITS}})) { return select({{I}}(0), {{I}}(-1), a < {{I}}(0)); }
    return a >> u32(b);
}
