//! masked_select and nonzero (shaders/select.wgsl): the outputs' sizes depend on the data, so
//! these count the hits, read the total back (one 4-byte readback, the data-dependent size
//! PyTorch also synchronises for), allocate, and compact.

use super::check_bounds;
use super::check_dtype;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::{slot, Meta, Space, MAX_RANK};
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, gpu_elem_size, libraries, wgsl_type, Bindings, Family, ShaderKey, SELECT};
use crate::layout::Layout;

/// Shader op names of the select family (each counts, then compacts).
pub const SELECT_OPS: &[&str] = &["masked_select", "nonzero"];

/// Shader source of a select key: dtypes [tested dtype, value dtype].
pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let (md, vd) = (key.dtypes[0], key.dtypes[1]);
    let mt = wgsl_type(md);
    let hit = match md {
        DType::F32 | DType::F64 => format!("return truthy_{mt}(mask[o.x]);"),
        DType::Bool => "return mask[o.x] != 0u;".into(),
        _ => format!("return mask[o.x] != {mt}(0);"),
    };
    let mut b = Bindings::default();
    b.add("offs", "u32", Access::ReadWrite).add("mask", mt, Access::Read);
    let write = if key.op == "masked_select" {
        b.add("out", wgsl_type(vd), Access::ReadWrite).add("src", wgsl_type(vd), Access::Read);
        "out[pos] = src[o.y];".to_string()
    } else {
        b.add("out", "i64", Access::ReadWrite);
        "var rem = i; let rank = mw(M_RANK); for (var d = rank; d > 0u; d = d - 1u) { let s = mw(M_SHAPE + d - 1u); out[pos * rank + d - 1u] = i64(rem % s); rem = rem / s; }".to_string()
    };
    let text = fill(&SELECT.text(), &[("BINDINGS", &b.decls), ("HIT", &hit), ("WRITE", &write)])?;
    let mut accesses = b.accesses;
    match key.entry {
        "count" => accesses.truncate(2),
        "scan_blocks" => accesses.truncate(1),
        _ => {}
    }
    Ok((format!("{}{text}", libraries(&[md, vd])?), accesses))
}

const BLOCK: usize = 1024;

/// Counts hits of `mask` (metadata in `meta`), returns (per-block offsets buffer, total).
fn count(op: &'static str, dtypes: &[DType], mask: &GpuBuffer, meta: &Meta, n: usize) -> Result<(GpuBuffer, usize)> {
    let ctx = context()?;
    let blocks = n.div_ceil(BLOCK);
    let offs = GpuBuffer::new(((blocks + 1) * 4) as u64)?;
    let mut key = ShaderKey::new(Family::Select, op, dtypes, 0);
    key.entry = "count";
    run(&key, &[Arg::Buf(&offs), Arg::Buf(mask)], meta, blocks as u64)?;
    key.entry = "scan_blocks";
    crate::gpu::pipeline::run_grid(&key, &[Arg::Buf(&offs)], meta, [1, 1, 1])?;
    let total = ctx.stream.lock().read(ctx, offs.raw(), (blocks * 4) as u64, 4)?;
    Ok((offs, u32::from_le_bytes([total[0], total[1], total[2], total[3]]) as usize))
}

/// `src[mask]` as a new 1-D buffer of the selected elements (in row-major order) and their
/// count; `mask` (bool) and `src` already broadcast to one shape.
pub fn masked_select(dtype: DType, src: &GpuBuffer, src_layout: &Layout, mask: &GpuBuffer, mask_layout: &Layout) -> Result<(GpuBuffer, usize)> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(src, src_layout, dtype)?;
    check_bounds(mask, mask_layout, DType::Bool)?;
    let n = src_layout.numel();
    if n == 0 {
        return Ok((GpuBuffer::new(4)?, 0));
    }
    let space = Space::merge(&[mask_layout, src_layout])?;
    let mut meta = Meta::default();
    meta.strided(&space)?;
    meta.set(slot::AUX, n.div_ceil(BLOCK) as u32);
    let dtypes = [DType::Bool, dtype];
    let (offs, total) = count("masked_select", &dtypes, mask, &meta, n)?;
    let out = GpuBuffer::new((total.max(1) * gpu_elem_size(dtype)) as u64)?;
    if total > 0 {
        let mut key = ShaderKey::new(Family::Select, "masked_select", &dtypes, 0);
        key.entry = "compact";
        run(&key, &[Arg::Buf(&offs), Arg::Buf(mask), Arg::Buf(&out), Arg::Buf(src)], &meta, n.div_ceil(BLOCK) as u64)?;
    }
    Ok((out, total))
}

/// `x.nonzero()`: a new int64 buffer of [count, rank] coordinates (row-major order) and the
/// count.
pub fn nonzero(dtype: DType, x: &GpuBuffer, x_layout: &Layout) -> Result<(GpuBuffer, usize)> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(x, x_layout, dtype)?;
    let n = x_layout.numel();
    let rank = x_layout.rank();
    if rank > MAX_RANK {
        return Err(Error::NotImplemented(format!("GPU nonzero handles at most {MAX_RANK} dims")));
    }
    if n == 0 {
        return Ok((GpuBuffer::new(8)?, 0));
    }
    // Coordinates are in the tensor's own shape: no dim merging here.
    let space = Space { shape: x_layout.shape.to_vec(), offsets: vec![x_layout.offset, 0], strides: vec![x_layout.strides.to_vec(), vec![0; rank]] };
    let mut meta = Meta::default();
    meta.strided(&space)?;
    meta.set(slot::AUX, n.div_ceil(BLOCK) as u32);
    let dtypes = [dtype, DType::I64];
    let (offs, total) = count("nonzero", &dtypes, x, &meta, n)?;
    let out = GpuBuffer::new((total.max(1) * rank.max(1) * 8) as u64)?;
    if total > 0 && rank > 0 {
        let mut key = ShaderKey::new(Family::Select, "nonzero", &dtypes, 0);
        key.entry = "compact";
        run(&key, &[Arg::Buf(&offs), Arg::Buf(x), Arg::Buf(&out)], &meta, n.div_ceil(BLOCK) as u64)?;
    }
    Ok((out, total))
}
