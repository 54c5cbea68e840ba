// shaders/random.wgsl: counter-based random numbers for the random fills (map.wgsl calls them).
//
// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): element i
// of a fill gets philox((i, 0, 0, 0), seed), four independent 32-bit words, so the result
// depends only on the seed (drawn from rgrad's generator by the caller, so manual_seed makes
// it reproducible) and the element's row-major position, never on scheduling.

fn philox(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = ctr;
    var k = key;
    for (var r = 0u; r < 10u; r = r + 1u) {
        let p0 = u64(0xD2511F53u) * u64(c.x);
        let p1 = u64(0xCD9E8D57u) * u64(c.z);
        c = vec4<u32>(u32(p1 >> 32u) ^ c.y ^ k.x, u32(p1 & 0xfffffffflu), u32(p0 >> 32u) ^ c.w ^ k.y, u32(p0 & 0xfffffffflu));
        k = k + vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
    }
    return c;
}

// The four random words of element i of this fill (seed in scalar slot 3).
fn random_words(i: u32) -> vec4<u32> {
    return philox(vec4<u32>(i, 0u, 0u, 0u), vec2<u32>(mw(M_SCALARS + 6u), mw(M_SCALARS + 7u)));
}
// Uniform in [0, 1) with 24 random bits (never rounds up to 1).
fn unit_f32(w: u32) -> f32 {
    return f32(w >> 8u) * 5.9604644775390625e-8;
}
// Uniform in (0, 1]: safe under a logarithm.
fn unit_open_f32(w: u32) -> f32 {
    return (f32(w >> 8u) + 1.0) * 5.9604644775390625e-8;
}
// 64 random bits from two words.
fn bits64(lo: u32, hi: u32) -> u64 {
    return u64(lo) | (u64(hi) << 32u);
}
