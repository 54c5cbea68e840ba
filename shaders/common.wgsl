// shaders/common.wgsl: prepended to every rgrad kernel (after the M_* slot constants and
// MAX_RANK, which rust/gpu/meta.rs writes so Rust and WGSL agree on them).
//
// Binding 0 is this dispatch's 512-byte metadata slot in the uniform ring. A uniform array's
// elements are 16 bytes apart, so the words are packed four to a vec4 and read with mw().

struct Meta {
    w: array<vec4<u32>, 32>,
}
@group(0) @binding(0) var<uniform> params: Meta;

// Threads per workgroup of the 1-D kernels (WebGPU guarantees 256).
const WG: u32 = 256u;

fn mw(i: u32) -> u32 {
    return params.w[i >> 2u][i & 3u];
}
fn mi(i: u32) -> i32 {
    return bitcast<i32>(mw(i));
}

// Scalar slot k as each type reads it (rust/gpu/meta.rs scalar_bits writes them).
fn scalar_u32(k: u32) -> u32 {
    return mw(M_SCALARS + 2u * k);
}
fn scalar_i32(k: u32) -> i32 {
    return bitcast<i32>(mw(M_SCALARS + 2u * k));
}
fn scalar_u64(k: u32) -> u64 {
    return u64(mw(M_SCALARS + 2u * k)) | (u64(mw(M_SCALARS + 2u * k + 1u)) << 32u);
}
fn scalar_i64(k: u32) -> i64 {
    return bitcast<i64>(scalar_u64(k));
}

// The workgroup's flat number when a dispatch wrapped past 65,535 groups into a second dimension.
fn flat_group(wg: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wg.y * nwg.x + wg.x;
}
fn flat_item(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return flat_group(wg, nwg) * WG + lid;
}

// Where element i (row-major over M_SHAPE) of each of the four operands lives, in elements:
// OFFSETS[k] + sum(coord[d] * STRIDES[k][d]). Strides are signed; 0 broadcasts.
fn offsets(i: u32) -> vec4<i32> {
    var rem = i;
    var o = vec4<i32>(mi(M_OFFSETS), mi(M_OFFSETS + 1u), mi(M_OFFSETS + 2u), mi(M_OFFSETS + 3u));
    for (var d = mw(M_RANK); d > 0u; d = d - 1u) {
        let k = d - 1u;
        let s = mw(M_SHAPE + k);
        let c = i32(rem % s);
        rem = rem / s;
        let st = vec4<i32>(mi(M_STRIDES + k), mi(M_STRIDES + MAX_RANK + k), mi(M_STRIDES + 2u * MAX_RANK + k), mi(M_STRIDES + 3u * MAX_RANK + k));
        o = o + c * st;
    }
    return o;
}

// Offset of index i within a strided sub-space stored at metadata words: rank at `rank_at`,
// shape at `shape_at`, strides at `stride_at` (reductions, scans and index kernels).
fn offset_in(i: u32, rank: u32, shape_at: u32, stride_at: u32) -> i32 {
    var rem = i;
    var o = 0i;
    for (var d = rank; d > 0u; d = d - 1u) {
        let s = mw(shape_at + d - 1u);
        o = o + i32(rem % s) * mi(stride_at + d - 1u);
        rem = rem / s;
    }
    return o;
}
