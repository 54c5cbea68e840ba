// shaders/scan.wgsl: cumulative ops along one dim (cumsum, cumprod, cummax / cummin with
// indices, logcumsumexp).
//
// One workgroup per line (the other dims, over M_SHAPE with offsets(): operand 0 out, 1 input,
// 2 index out; along the line M_LN_LEN elements at M_LN_STRIDES[k]). The line is walked in
// chunks of 256: each chunk is scanned in workgroup memory (Hillis-Steele: log2(256) steps),
// then combined with the carry of the chunks before it. Pairs (value, index) let cummax keep
// the index of its latest maximum (ties and NaN move it, as PyTorch).

{{BINDINGS}}
struct Acc {
    v: {{AT}},
    i: u32,
}
var<workgroup> sh: array<Acc, 256>;

fn premap(v: {{XT}}) -> {{AT}} {
    {{PREMAP}}
}
// a comes before b on the line.
fn combine(a: Acc, b: Acc) -> Acc {
    {{COMBINE}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_group(wg, nwg);
    if (g >= mw(M_N)) {
        return;
    }
    let o = offsets(g);
    let len = mw(M_LN_LEN);
    let os = mi(M_LN_STRIDES);
    let xs = mi(M_LN_STRIDES + 1u);
    let is = mi(M_LN_STRIDES + 2u);
    var carry = Acc({{AT}}(0), 0u);
    for (var c0 = 0u; c0 < len; c0 = c0 + WG) {
        let j = c0 + lid;
        var v = Acc({{AT}}(0), j);
        if (j < len) {
            v = Acc(premap(x[o.y + i32(j) * xs]), j);
        }
        sh[lid] = v;
        workgroupBarrier();
        for (var off = 1u; off < WG; off = off << 1u) {
            var t = sh[lid];
            if (lid >= off) {
                t = combine(sh[lid - off], t);
            }
            workgroupBarrier();
            sh[lid] = t;
            workgroupBarrier();
        }
        var r = sh[lid];
        if (c0 > 0u) {
            r = combine(carry, r);
        }
        if (j < len) {
            {{STORE}}
        }
        let last = sh[WG - 1u];
        workgroupBarrier();
        if (c0 > 0u) {
            carry = combine(carry, last);
        } else {
            carry = last;
        }
    }
}
