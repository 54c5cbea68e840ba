// shaders/select.wgsl: masked_select and nonzero, whose output size depends on the data:
// count, then compact.
//
// The elements (row-major over M_SHAPE; offsets(): operand 0 the mask / tested tensor, 1 the
// source of masked_select) are cut into blocks of 1024, 4 consecutive ones per thread, so a
// workgroup prefix sum over the threads' counts gives each hit its place in order.
// `count`: block b's number of hits into offs[b]. `scan_blocks` (one workgroup): offs becomes
// the exclusive prefix sum, offs[blocks] the total (read back by the host to size the output).
// `compact`: each hit writes its value (masked_select) or its coordinates (nonzero, int64
// [n, rank]) at offs[b] + its rank within the block.

{{BINDINGS}}
var<workgroup> sh: array<u32, 256>;

fn hit(i: u32) -> bool {
    let o = offsets(i);
    {{HIT}}
}

// Inclusive prefix sums of the threads' values across the workgroup.
fn wg_inclusive(lid: u32, c: u32) -> u32 {
    sh[lid] = c;
    workgroupBarrier();
    for (var off = 1u; off < WG; off = off << 1u) {
        var t = sh[lid];
        if (lid >= off) {
            t = t + sh[lid - off];
        }
        workgroupBarrier();
        sh[lid] = t;
        workgroupBarrier();
    }
    let r = sh[lid];
    workgroupBarrier();
    return r;
}

fn hits_of(first: u32) -> u32 {
    var c = 0u;
    for (var k = 0u; k < 4u; k = k + 1u) {
        if (first + k < mw(M_N) && hit(first + k)) {
            c = c + 1u;
        }
    }
    return c;
}

@compute @workgroup_size(256)
fn count(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_group(wg, nwg);
    if (g >= mw(M_AUX)) {
        return;
    }
    let c = hits_of(g * 1024u + lid * 4u);
    let total = wg_inclusive(lid, c);
    if (lid == WG - 1u) {
        offs[g] = total;
    }
}

@compute @workgroup_size(256)
fn scan_blocks(@builtin(local_invocation_index) lid: u32) {
    let blocks = mw(M_AUX);
    var carry = 0u;
    for (var b0 = 0u; b0 < blocks; b0 = b0 + WG) {
        let b = b0 + lid;
        var c = 0u;
        if (b < blocks) {
            c = offs[b];
        }
        let incl = wg_inclusive(lid, c);
        if (b < blocks) {
            offs[b] = carry + incl - c;
        }
        carry = carry + sh[WG - 1u];
        workgroupBarrier();
    }
    if (lid == 0u) {
        offs[blocks] = carry;
    }
}

@compute @workgroup_size(256)
fn compact(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_group(wg, nwg);
    if (g >= mw(M_AUX)) {
        return;
    }
    let first = g * 1024u + lid * 4u;
    let c = hits_of(first);
    var pos = offs[g] + wg_inclusive(lid, c) - c;
    for (var k = 0u; k < 4u; k = k + 1u) {
        let i = first + k;
        if (i < mw(M_N) && hit(i)) {
            let o = offsets(i);
            {{WRITE}}
            pos = pos + 1u;
        }
    }
}
