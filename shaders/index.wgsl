// shaders/index.wgsl: gather and scatter along one dim (torch.gather / scatter / scatter_add /
// scatter_reduce; index_select and index_add are the same kernels with an expanded index).
//
// Thread i handles element i of the index (row-major over M_SHAPE). offsets(i): operand 0 the
// gathered / scattered tensor with the dim's stride zeroed (so it gives the start of the line),
// 1 the int64 index, 2 the other tensor. The line is entered at index value v (M_IX_SIZE long,
// stride M_IX_STRIDE). A value outside [-size, size) (negative ones count from the end only
// when FLAGS bit 0 says so) is reported through the status words (IndexError at the next
// synchronisation) and skipped.
//
// Accumulating scatters combine with atomics: integer adds natively (int64 as two 32-bit words
// with the carry propagated), everything else by compare-exchange loops on the element's bits
// (float32 through u32, 64-bit types through u64 where the adapter has 64-bit atomics).

{{BINDINGS}}
{{HELPERS}}

// The element index of value v in the line starting at `base`, or -1 (reported) when v is out
// of range.
fn entry(base: i32, v: i64) -> i32 {
    let size = i64(mw(M_IX_SIZE));
    var w = v;
    if (w < 0li && (mw(M_FLAGS) & 1u) != 0u) {
        w = w + size;
    }
    if (w < 0li || w >= size) {
        let u = bitcast<u64>(v);
        report(2u, u32(u & 0xfffffffflu), u32(u >> 32u), mw(M_IX_SIZE), mw(M_IX_DIM));
        return -1;
    }
    return base + i32(w) * mi(M_IX_STRIDE);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = flat_item(wg, nwg, lid);
    if (i >= mw(M_N)) {
        return;
    }
    let o = offsets(i);
    let at = entry(o.x, idx[o.y]);
    {{BODY}}
}
