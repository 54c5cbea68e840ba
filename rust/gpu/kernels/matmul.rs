//! Batched strided matrix product (shaders/matmul.wgsl), the GPU twin of `cpu::gemm`:
//! `out[b] = alpha * a[b] @ b[b] + beta * out[b]` over a batch shape, every operand through its
//! own strides (transposed, sliced and broadcast operands are read in place), in float32,
//! float64, int32 and int64 (integers wrap, as PyTorch's CPU integer matmul does).

use super::{check_bounds, check_dtype, map};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::{slot, Meta, Space};
use crate::gpu::pipeline::{run_grid, Access, Arg};
use crate::gpu::source::{fill, gpu_elem_size, libraries, wgsl_type, Bindings, Family, ShaderKey, MATMUL};
use crate::layout::Layout;

/// Shader source of a matmul key (`dtypes[0]` the element type).
pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let d = key.dtypes[0];
    if d == DType::Bool {
        return Err(Error::NotImplemented("GPU matmul is not implemented for bool".into()));
    }
    let t = wgsl_type(d);
    let mut b = Bindings::default();
    b.add("out", t, Access::ReadWrite).add("a", t, Access::Read).add("b", t, Access::Read);
    // 8-byte elements take half-depth slices so both tiles fit WebGPU's 16 KiB of workgroup memory.
    let bk = if gpu_elem_size(d) == 8 { 8 } else { 16 };
    let text = fill(&MATMUL.text(), &[("BINDINGS", &b.decls), ("T", t), ("BK", &format!("{bk}u")), ("TILE", &format!("{}", bk * 64))])?;
    Ok((format!("{}{text}", libraries(&[d])?), b.accesses))
}

fn split(l: &Layout) -> (Layout, isize, isize) {
    let r = l.rank();
    let batch = Layout { shape: l.shape[..r - 2].into(), strides: l.strides[..r - 2].into(), offset: l.offset };
    (batch, l.strides[r - 2], l.strides[r - 1])
}

/// `out = alpha * a @ b (+ beta * out)`: layouts `[..batch, m, k]`, `[..batch, k, n]` and
/// `[..batch, m, n]` with the batch dims already broadcast to `out`'s (stride 0 where an operand
/// repeats). `beta = None` overwrites `out` without reading it (NaN there does not leak in).
#[allow(clippy::too_many_arguments)]
pub fn matmul(dtype: DType, a: &GpuBuffer, a_layout: &Layout, b: &GpuBuffer, b_layout: &Layout, out: &GpuBuffer, out_layout: &Layout, alpha: Scalar, beta: Option<Scalar>) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    let r = out_layout.rank();
    if r < 2 || a_layout.rank() != r || b_layout.rank() != r {
        return Err(Error::Runtime(format!("GPU matmul: operands must all have rank >= 2 and equal ranks (a {}, b {}, out {r})", a_layout.rank(), b_layout.rank())));
    }
    let (m, n, k) = (out_layout.shape[r - 2], out_layout.shape[r - 1], a_layout.shape[r - 1]);
    let batch_shape = &out_layout.shape[..r - 2];
    if a_layout.shape[..r - 2] != *batch_shape || b_layout.shape[..r - 2] != *batch_shape || a_layout.shape[r - 2] != m || b_layout.shape[r - 2] != k || b_layout.shape[r - 1] != n {
        return Err(Error::Runtime(format!(
            "GPU matmul: shapes {:?} @ {:?} -> {:?} do not agree",
            a_layout.shape.as_slice(),
            b_layout.shape.as_slice(),
            out_layout.shape.as_slice()
        )));
    }
    check_bounds(a, a_layout, dtype)?;
    check_bounds(b, b_layout, dtype)?;
    check_bounds(out, out_layout, dtype)?;
    if out_layout.numel() == 0 {
        return Ok(());
    }
    if a.id() == out.id() || b.id() == out.id() {
        // A tile of out may be written while another workgroup still reads the same memory as
        // an operand: compute into a fresh buffer, then copy.
        let tmp = GpuBuffer::new((out_layout.numel() * gpu_elem_size(dtype)) as u64)?;
        let tl = Layout::contiguous(&out_layout.shape);
        if beta.is_some() {
            map::copy_cast(out, out_layout, dtype, &tmp, &tl, dtype)?;
        }
        matmul(dtype, a, a_layout, b, b_layout, &tmp, &tl, alpha, beta)?;
        return map::copy_cast(&tmp, &tl, dtype, out, out_layout, dtype);
    }
    let (ob, c_rs, c_cs) = split(out_layout);
    let (ab, a_rs, a_cs) = split(a_layout);
    let (bb, b_rs, b_cs) = split(b_layout);
    let space = Space::merge(&[&ob, &ab, &bb])?;
    let mut meta = Meta::default();
    meta.strided(&space)?;
    let words = [(slot::MM_M, m), (slot::MM_N, n), (slot::MM_K, k)];
    for (s, v) in words {
        meta.set(s, u32::try_from(v).map_err(|_| Error::Runtime(format!("GPU matmul: size {v} is too large")))?);
    }
    for (s, v) in [(slot::MM_A_RS, a_rs), (slot::MM_A_CS, a_cs), (slot::MM_B_RS, b_rs), (slot::MM_B_CS, b_cs), (slot::MM_C_RS, c_rs), (slot::MM_C_CS, c_cs)] {
        meta.set_i(s, v as i64)?;
    }
    meta.scalar(0, map::scalar_of(alpha, dtype));
    if let Some(bv) = beta {
        meta.scalar(1, map::scalar_of(bv, dtype));
        meta.set(slot::FLAGS, 1);
    }
    let key = ShaderKey::new(Family::Matmul, "matmul", &[dtype], 0);
    let (gx, gy) = (n.div_ceil(64) as u32, m.div_ceil(64) as u32);
    let nb = space.numel().max(1);
    let max = ctx.max_groups() as usize;
    let mut first = 0;
    while first < nb {
        let count = (nb - first).min(max);
        meta.set(slot::MM_BATCH0, first as u32);
        run_grid(&key, &[Arg::Buf(out), Arg::Buf(a), Arg::Buf(b)], &meta, [gx, gy, count as u32])?;
        first += count;
    }
    Ok(())
}
