// shaders/map.wgsl: the strided element-wise kernel behind fill, copy/cast, unary, binary and
// ternary ops. Thread i computes output element i (row-major over M_SHAPE):
//     out[o.x] = op(i, in1[o.y], in2[o.z], in3[o.w])
// where o = offsets(i) walks each operand through its own offset and signed strides, so views,
// reversed slices and broadcast (stride 0) operands need no copy. Rust fills: the bindings, the
// op's parameter list and body (rust/gpu/kernels/ops_wgsl.rs) and the store line, which reads an
// input from `out` when it is the output's own buffer (an in-place op binds it once).

{{BINDINGS}}
fn op(i: u32{{PARAMS}}) -> {{OT}} {
    {{BODY}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = flat_item(wg, nwg, lid);
    if (i >= mw(M_N)) {
        return;
    }
    let o = offsets(i);
    {{STORE}}
}
