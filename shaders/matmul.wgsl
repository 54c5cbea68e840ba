// shaders/matmul.wgsl: batched strided product out[b] = alpha * a[b] @ b[b] (+ beta * out[b]).
//
// Each 16x16 workgroup computes a 64x64 tile of one product, each thread a 4x4 block of it
// (rows ty + 16r, columns tx + 16c: neighbouring threads read neighbouring workgroup-memory
// words). The K dimension is walked in slices of {{BK}}: both operands' slices are staged in
// workgroup memory, read through their own row and column strides, so a transposed or sliced
// operand is read in place. The batch index is workgroup_id.z (+ MM_BATCH0 when the batch was
// split across dispatches), unravelled over M_SHAPE with the generic offsets(): operand 0 out,
// 1 a, 2 b. Out-of-range rows / columns / k read as zero and are not written.

{{BINDINGS}}
const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = {{BK}};

var<workgroup> tile_a: array<{{T}}, {{TILE}}>;
var<workgroup> tile_b: array<{{T}}, {{TILE}}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = mw(M_MM_M);
    let n = mw(M_MM_N);
    let k = mw(M_MM_K);
    let a_rs = mi(M_MM_A_RS);
    let a_cs = mi(M_MM_A_CS);
    let b_rs = mi(M_MM_B_RS);
    let b_cs = mi(M_MM_B_CS);
    let o = offsets(wg.z + mw(M_MM_BATCH0));
    let row0 = wg.y * BM;
    let col0 = wg.x * BN;
    let tid = lid.y * 16u + lid.x;
    var acc: array<{{T}}, 16>;
    for (var j = 0u; j < 16u; j = j + 1u) {
        acc[j] = {{T}}(0);
    }
    for (var k0 = 0u; k0 < k; k0 = k0 + BK) {
        // Stage a[row0.., k0..] as tile_a[kk * BM + r] and b[k0.., col0..] as tile_b[kk * BN + c].
        for (var e = tid; e < BM * BK; e = e + 256u) {
            let r = e / BK;
            let kk = e % BK;
            var v = {{T}}(0);
            if (row0 + r < m && k0 + kk < k) {
                v = a[o.y + i32(row0 + r) * a_rs + i32(k0 + kk) * a_cs];
            }
            tile_a[kk * BM + r] = v;
        }
        for (var e = tid; e < BN * BK; e = e + 256u) {
            let kk = e / BN;
            let c = e % BN;
            var v = {{T}}(0);
            if (col0 + c < n && k0 + kk < k) {
                v = b[o.z + i32(k0 + kk) * b_rs + i32(col0 + c) * b_cs];
            }
            tile_b[kk * BN + c] = v;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk = kk + 1u) {
            var ar: array<{{T}}, 4>;
            var bc: array<{{T}}, 4>;
            for (var q = 0u; q < 4u; q = q + 1u) {
                ar[q] = tile_a[kk * BM + lid.y + 16u * q];
                bc[q] = tile_b[kk * BN + lid.x + 16u * q];
            }
            for (var r = 0u; r < 4u; r = r + 1u) {
                for (var c = 0u; c < 4u; c = c + 1u) {
                    acc[r * 4u + c] = acc[r * 4u + c] + ar[r] * bc[c];
                }
            }
        }
        workgroupBarrier();
    }
    let alpha = scalar_{{T}}(0u);
    let beta = scalar_{{T}}(1u);
    let has_beta = (mw(M_FLAGS) & 1u) != 0u;
    let c_rs = mi(M_MM_C_RS);
    let c_cs = mi(M_MM_C_CS);
    for (var r = 0u; r < 4u; r = r + 1u) {
        let row = row0 + lid.y + 16u * r;
        for (var c = 0u; c < 4u; c = c + 1u) {
            let col = col0 + lid.x + 16u * c;
            if (row < m && col < n) {
                let at = o.x + i32(row) * c_rs + i32(col) * c_cs;
                var v = alpha * acc[r * 4u + c];
                if (has_beta) {
                    v = v + beta * out[at];
                }
                out[at] = v;
            }
        }
    }
}
