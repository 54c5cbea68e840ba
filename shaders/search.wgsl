// shaders/search.wgsl: searchsorted. Thread i takes value i (row-major over M_SHAPE;
// offsets(): operand 0 out, 1 values, 2 the start of its sorted row, 3 the start of its sorter
// row) and binary-searches the row (M_LN_LEN long, stride M_LN_STRIDES[0]; through the sorter
// permutation, stride M_LN_STRIDES[1], when there is one) for the first element >= v (left) or
// > v (right, FLAGS bit 0), with NaN ordered last as rgrad's CPU search does.

{{BINDINGS}}

fn lt(a: {{T}}, b: {{T}}) -> bool {
    {{LT}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = flat_item(wg, nwg, lid);
    if (i >= mw(M_N)) {
        return;
    }
    let o = offsets(i);
    let v = vals[o.y];
    let right = (mw(M_FLAGS) & 1u) != 0u;
    var lo = 0u;
    var hi = mw(M_LN_LEN);
    loop {
        if (lo >= hi) {
            break;
        }
        let mid = lo + (hi - lo) / 2u;
        {{LOAD_MID}}
        var go_right: bool;
        if (right) {
            go_right = !lt(v, m);
        } else {
            go_right = lt(m, v);
        }
        if (go_right) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    out[o.x] = {{OT}}(lo);
}
