// shaders/softmax.wgsl: softmax / log_softmax along one dim, forward and backward.
//
// Lines as in scan.wgsl (other dims over M_SHAPE with offsets(): operand 0 out, 1 x: the input
// (forward) or the incoming gradient (backward), 2 the forward output y (backward only);
// M_LN_LEN elements at M_LN_STRIDES[k]).
// `forward`: one workgroup per line: max, then sum of exp(x - max) (tree reductions, so the
// result does not depend on timing), then the write. `backward`: softmax
// gx = y * (g - sum(g * y)); log_softmax gx = g - exp(y) * sum(g). `*_short`: one thread per
// line, for lines of at most 32 elements.

{{BINDINGS}}
var<workgroup> sh: array<{{T}}, 256>;

fn tree_max(lid: u32, v: {{T}}) -> {{T}} {
    sh[lid] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (lid < s) {
            sh[lid] = nan_max_{{T}}(sh[lid], sh[lid + s]);
        }
        workgroupBarrier();
    }
    let r = sh[0];
    workgroupBarrier();
    return r;
}
fn tree_sum(lid: u32, v: {{T}}) -> {{T}} {
    sh[lid] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (lid < s) {
            sh[lid] = sh[lid] + sh[lid + s];
        }
        workgroupBarrier();
    }
    let r = sh[0];
    workgroupBarrier();
    return r;
}

@compute @workgroup_size(256)
fn forward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_group(wg, nwg);
    if (g >= mw(M_N)) {
        return;
    }
    let o = offsets(g);
    let len = mw(M_LN_LEN);
    let os = mi(M_LN_STRIDES);
    let xs = mi(M_LN_STRIDES + 1u);
    var m = -inf_{{T}}();
    for (var j = lid; j < len; j = j + WG) {
        m = nan_max_{{T}}(m, x[o.y + i32(j) * xs]);
    }
    m = tree_max(lid, m);
    var s = {{T}}(0);
    for (var j = lid; j < len; j = j + WG) {
        s = s + exp_{{T}}(x[o.y + i32(j) * xs] - m);
    }
    s = tree_sum(lid, s);
    for (var j = lid; j < len; j = j + WG) {
        let v = x[o.y + i32(j) * xs] - m;
        {{WRITE}}
    }
}

@compute @workgroup_size(256)
fn forward_short(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_item(wg, nwg, lid);
    if (g >= mw(M_N)) {
        return;
    }
    let o = offsets(g);
    let len = mw(M_LN_LEN);
    let os = mi(M_LN_STRIDES);
    let xs = mi(M_LN_STRIDES + 1u);
    var m = -inf_{{T}}();
    for (var j = 0u; j < len; j = j + 1u) {
        m = nan_max_{{T}}(m, x[o.y + i32(j) * xs]);
    }
    var s = {{T}}(0);
    for (var j = 0u; j < len; j = j + 1u) {
        s = s + exp_{{T}}(x[o.y + i32(j) * xs] - m);
    }
    for (var j = 0u; j < len; j = j + 1u) {
        let v = x[o.y + i32(j) * xs] - m;
        {{WRITE}}
    }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_group(wg, nwg);
    if (g >= mw(M_N)) {
        return;
    }
    let o = offsets(g);
    let len = mw(M_LN_LEN);
    let os = mi(M_LN_STRIDES);
    let gs = mi(M_LN_STRIDES + 1u);
    let ys = mi(M_LN_STRIDES + 2u);
    var s = {{T}}(0);
    for (var j = lid; j < len; j = j + WG) {
        let gv = x[o.y + i32(j) * gs];
        let yv = y[o.z + i32(j) * ys];
        {{BWD_SUM}}
    }
    s = tree_sum(lid, s);
    for (var j = lid; j < len; j = j + WG) {
        let gv = x[o.y + i32(j) * gs];
        let yv = y[o.z + i32(j) * ys];
        {{BWD_WRITE}}
    }
}

@compute @workgroup_size(256)
fn backward_short(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_item(wg, nwg, lid);
    if (g >= mw(M_N)) {
        return;
    }
    let o = offsets(g);
    let len = mw(M_LN_LEN);
    let os = mi(M_LN_STRIDES);
    let gs = mi(M_LN_STRIDES + 1u);
    let ys = mi(M_LN_STRIDES + 2u);
    var s = {{T}}(0);
    for (var j = 0u; j < len; j = j + 1u) {
        let gv = x[o.y + i32(j) * gs];
        let yv = y[o.z + i32(j) * ys];
        {{BWD_SUM}}
    }
    for (var j = 0u; j < len; j = j + 1u) {
        let gv = x[o.y + i32(j) * gs];
        let yv = y[o.z + i32(j) * ys];
        {{BWD_WRITE}}
    }
}
