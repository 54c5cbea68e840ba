// shaders/reduce.wgsl: reductions over any set of dims (sum, mean, prod, max/min, argmax/argmin,
// any/all, norms), as workgroup tree reductions.
//
// The input splits into kept dims (the output's, over M_SHAPE with the generic offsets():
// operand 0 out, 1 input, 2 index out) and reduced dims (M_RED_SHAPE / M_RED_STRIDES, merged by
// Rust). Every reduction is a fold of Acc pairs (value, position in the reduced space): plain
// reductions ignore the position, arg-reductions keep the best one (first occurrence; NaN wins).
//
// `main`: one workgroup per (output, chunk of M_RED_CHUNK positions); each thread folds a
// strided slice, then the workgroup folds its 256 partials pairwise in a fixed tree, so results
// do not depend on timing. With one chunk per output it writes the result; otherwise it writes
// partials [output * chunks + chunk] and a second dispatch (an input of partials, `PARTIAL`)
// folds those. `per_thread`: one thread per output folds all its positions, for short reductions.

{{BINDINGS}}
struct Acc {
    v: {{AT}},
    i: u32,
}
var<workgroup> sh: array<Acc, 256>;

fn identity() -> Acc {
    return Acc({{IDENTITY}}, 0xffffffffu);
}
// The accumulator value of input element v.
fn premap(v: {{XT}}) -> {{AT}} {
    {{PREMAP}}
}
fn merge(a: Acc, b: Acc) -> Acc {
    {{MERGE}}
}
fn finish(a: Acc) -> {{OT}} {
    {{FINISH}}
}
// Input element r (of the reduced space) of output o's slice starting at `base`.
fn load(base: i32, r: u32) -> Acc {
    let at = base + offset_in(r, mw(M_RED_RANK), M_RED_SHAPE, M_RED_STRIDES);
    {{LOAD}}
}
fn store(o: u32, g: u32, a: Acc) {
    {{STORE}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let g = flat_group(wg, nwg);
    let chunks = mw(M_RED_CHUNKS);
    if (g >= mw(M_N) * chunks) {
        return;
    }
    let o = g / chunks;
    let r0 = (g % chunks) * mw(M_RED_CHUNK);
    let r1 = min(mw(M_RED_N), r0 + mw(M_RED_CHUNK));
    let base = offsets(o).y;
    var acc = identity();
    for (var r = r0 + lid; r < r1; r = r + WG) {
        acc = merge(acc, load(base, r));
    }
    sh[lid] = acc;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (lid < s) {
            sh[lid] = merge(sh[lid], sh[lid + s]);
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        store(o, g, sh[0]);
    }
}

@compute @workgroup_size(256)
fn per_thread(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let o = flat_item(wg, nwg, lid);
    if (o >= mw(M_N)) {
        return;
    }
    let base = offsets(o).y;
    var acc = identity();
    for (var r = 0u; r < mw(M_RED_N); r = r + 1u) {
        acc = merge(acc, load(base, r));
    }
    store(o, o, acc);
}
