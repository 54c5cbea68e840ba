// shaders/sort.wgsl: sort / argsort / topk along one dim by bitonic sorting networks.
//
// Each line (the other dims over M_SHAPE with offsets(): operand 0 values out, 1 input,
// 2 indices out; M_LN_LEN elements at M_LN_STRIDES[k]) is padded to M_SORT_P (a power of two)
// in two scratch arrays: `keys`, the element mapped to an unsigned integer whose order is the
// sort order (NaN largest, -0.0 equal to 0.0, inverted for descending), and `sidx`, its position.
// Pairs are compared as (key, position), so equal keys keep their input order: the sort is
// stable, as PyTorch's stable=True (and a stable result is a valid unstable one). Padding has
// the largest key and positions past the line, so it sorts last either way.
// `init` fills the scratch; `step` is one compare-exchange stage (k, j) of the network, over
// all lines at once; `gather_out` writes the first M_SORT_TAKE values and int64 indices.

{{BINDINGS}}

fn key_of(v: {{T}}) -> {{K}} {
    {{KEY}}
}

@compute @workgroup_size(256)
fn init(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = flat_item(wg, nwg, lid);
    let p = mw(M_SORT_P);
    if (t >= mw(M_SORT_LINES) * p) {
        return;
    }
    let line = t / p;
    let j = t % p;
    var k = ~{{K}}(0);
    if (j < mw(M_LN_LEN)) {
        k = key_of(x[offsets(line).y + i32(j) * mi(M_LN_STRIDES + 1u)]);
        if ((mw(M_FLAGS) & 1u) != 0u) {
            k = ~k;
        }
    }
    keys[t] = k;
    sidx[t] = j;
}

@compute @workgroup_size(256)
fn step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = flat_item(wg, nwg, lid);
    let half = mw(M_SORT_P) / 2u;
    if (t >= mw(M_SORT_LINES) * half) {
        return;
    }
    let k = mw(M_SORT_K);
    let j = mw(M_SORT_J);
    let line = t / half;
    let q = t % half;
    let i = 2u * j * (q / j) + (q % j);
    let a = line * mw(M_SORT_P) + i;
    let b = a + j;
    let ka = keys[a];
    let kb = keys[b];
    let ia = sidx[a];
    let ib = sidx[b];
    let a_greater = ka > kb || (ka == kb && ia > ib);
    let ascending = (i & k) == 0u;
    if (a_greater == ascending) {
        keys[a] = kb;
        keys[b] = ka;
        sidx[a] = ib;
        sidx[b] = ia;
    }
}

@compute @workgroup_size(256)
fn gather_out(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = flat_item(wg, nwg, lid);
    let take = mw(M_SORT_TAKE);
    if (t >= mw(M_SORT_LINES) * take) {
        return;
    }
    let line = t / take;
    let j = t % take;
    let id = sidx[line * mw(M_SORT_P) + j];
    let o = offsets(line);
    vals[o.x + i32(j) * mi(M_LN_STRIDES)] = x[o.y + i32(id) * mi(M_LN_STRIDES + 1u)];
    iout[o.z + i32(j) * mi(M_LN_STRIDES + 2u)] = i64(id);
}
