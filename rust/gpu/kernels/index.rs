//! Gather / scatter along one dim (shaders/index.wgsl) and the index_select / index_add forms
//! built on them. Out-of-range indices are reported through the status words: the error
//! (IndexError, PyTorch's message) surfaces at the next synchronisation, or at once when the
//! caller asks with `check_status`.

use super::map::scalar_of;
use super::{check_bounds, check_dtype, groups_for, via_temp};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::{slot, Meta, Space};
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, libraries, wgsl_type, Bindings, Family, ShaderKey, INDEX};
use crate::layout::Layout;

/// How a scatter combines a source element with its destination: the enum the backend seam
/// names it with.
pub use crate::kinds::ScatterOp;

/// Shader op names of the index family: gather, and scatter with each [`ScatterOp`] combine mode.
pub const INDEX_OPS: &[&str] = &["gather", "scatter", "scatter_add", "scatter_mul", "scatter_amax", "scatter_amin"];

/// Variant bit: the scattered value is scalar slot 0 (`scatter(dim, index, value)`).
const SCALAR_SRC: u32 = 1;

fn op_name(op: ScatterOp) -> &'static str {
    match op {
        ScatterOp::Assign => "scatter",
        ScatterOp::Add => "scatter_add",
        ScatterOp::Mul => "scatter_mul",
        ScatterOp::Max => "scatter_amax",
        ScatterOp::Min => "scatter_amin",
    }
}

/// WGSL for `fn rmw(j: i32, v: T)`: combine v into dst[j] atomically, and dst's element type.
fn rmw(op: &str, d: DType) -> Result<(String, String)> {
    let t = wgsl_type(d);
    if op == "scatter" {
        return Ok((format!("fn rmw(j: i32, v: {t}) {{ dst[j] = v; }}"), t.into()));
    }
    // Native integer atomics where WGSL has them.
    let native = match (op, d) {
        ("scatter_add", DType::I32) => Some(("atomic<i32>", "atomicAdd")),
        ("scatter_amax", DType::I32) => Some(("atomic<i32>", "atomicMax")),
        ("scatter_amin", DType::I32) => Some(("atomic<i32>", "atomicMin")),
        ("scatter_add" | "scatter_amax", DType::Bool) => Some(("atomic<u32>", "atomicOr")),
        ("scatter_mul" | "scatter_amin", DType::Bool) => Some(("atomic<u32>", "atomicAnd")),
        _ => None,
    };
    if let Some((ty, f)) = native {
        return Ok((format!("fn rmw(j: i32, v: {t}) {{ {f}(&dst[j], v); }}"), ty.into()));
    }
    if op == "scatter_add" && d == DType::I64 {
        // Two 32-bit atomic adds: the low word's old value says whether this add carried.
        return Ok((
            "fn rmw(j: i32, v: i64) { let u = bitcast<u64>(v); let lo = u32(u & 0xfffffffflu); let hi = u32(u >> 32u); \
             let old = atomicAdd(&dst[2 * j], lo); let carry = select(0u, 1u, old + lo < old); atomicAdd(&dst[2 * j + 1], hi + carry); }"
                .into(),
            "atomic<u32>".into(),
        ));
    }
    // Compare-exchange on the element's bits.
    let (word, from, to) = match d {
        DType::F32 => ("u32", "bitcast<f32>(old)", "bitcast<u32>(new_v)"),
        DType::I32 => ("i32", "old", "new_v"),
        DType::F64 => ("u64", "bitcast<f64>(old)", "bitcast<u64>(new_v)"),
        DType::I64 => ("u64", "bitcast<i64>(old)", "bitcast<u64>(new_v)"),
        DType::Bool => unreachable!("bool scatters are native above"),
    };
    let f = |s: &str| super::ops_wgsl::instantiate(s, d);
    let combine = match (op, d.is_float()) {
        ("scatter_add", _) => "cur + v".to_string(),
        ("scatter_mul", _) => "cur * v".into(),
        ("scatter_amax", true) => f("nan_max_F(cur, v)"),
        ("scatter_amin", true) => f("nan_min_F(cur, v)"),
        ("scatter_amax", false) => "select(cur, v, v > cur)".into(),
        ("scatter_amin", false) => "select(cur, v, v < cur)".into(),
        _ => return Err(Error::Value(format!("unknown scatter '{op}'"))),
    };
    Ok((
        format!(
            "fn rmw(j: i32, v: {t}) {{ loop {{ let old = atomicLoad(&dst[j]); let cur = {from}; let new_v = {combine}; \
             let r = atomicCompareExchangeWeak(&dst[j], old, {to}); if (r.exchanged) {{ break; }} }} }}"
        ),
        format!("atomic<{word}>"),
    ))
}

/// Shader source of an index key (dtypes [element type]).
pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let d = key.dtypes[0];
    let t = wgsl_type(d);
    let mut b = Bindings::default();
    let (helpers, body) = if key.op == "gather" {
        b.add("src", t, Access::Read).add("idx", "i64", Access::Read).add("out", t, Access::ReadWrite);
        (String::new(), format!("var v = {t}(0); if (at >= 0) {{ v = src[at]; }} out[o.z] = v;"))
    } else {
        let (helper, dst_t) = rmw(key.op, d)?;
        b.add("dst", &dst_t, Access::ReadWrite).add("idx", "i64", Access::Read);
        let src = if key.variant & SCALAR_SRC != 0 {
            format!("scalar_{t}(0u)")
        } else {
            b.add("src", t, Access::Read);
            "src[o.z]".into()
        };
        let scale = if key.op == "scatter_add" && d != DType::Bool { format!(" if ((mw(M_FLAGS) & 2u) != 0u) {{ v = v * scalar_{t}(1u); }}") } else { String::new() };
        (helper, format!("if (at >= 0) {{ var v = {src};{scale} rmw(at, v); }}"))
    };
    b.status();
    let text = fill(&INDEX.text(), &[("BINDINGS", &b.decls), ("HELPERS", &helpers), ("BODY", &body)])?;
    Ok((format!("{}{text}", libraries(&[d])?), b.accesses))
}

/// The layout of `l` with `dim`'s stride zeroed and shape replaced by `shape` (the line starts).
fn line_starts(l: &Layout, dim: usize, shape: &[usize]) -> Layout {
    let mut s = l.clone();
    s.shape = shape.into();
    s.strides[dim] = 0;
    s
}

fn meta_for(dim: usize, size: usize, stride: isize, wrap: bool, layouts: &[&Layout]) -> Result<Meta> {
    let mut meta = Meta::default();
    meta.strided(&Space::merge(layouts)?)?;
    meta.set(slot::IX_SIZE, u32::try_from(size).map_err(|_| Error::Runtime("GPU index: dim too long".into()))?);
    meta.set_i(slot::IX_STRIDE, stride as i64)?;
    meta.set(slot::IX_DIM, dim as u32);
    meta.set(slot::FLAGS, wrap as u32);
    Ok(meta)
}

/// `out = src.gather(dim, index)`: `index` (int64) and `out` of one shape, `src` of the same rank
/// (its other dims at least as long; PyTorch's checks are the caller's). Negative indices count
/// from the end when `wrap` (index_select style), else they are out of range (gather).
#[allow(clippy::too_many_arguments)]
pub fn gather(dtype: DType, src: &GpuBuffer, src_layout: &Layout, dim: usize, index: &GpuBuffer, index_layout: &Layout, out: &GpuBuffer, out_layout: &Layout, wrap: bool) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(src, src_layout, dtype)?;
    check_bounds(index, index_layout, DType::I64)?;
    check_bounds(out, out_layout, dtype)?;
    if dim >= src_layout.rank() || index_layout.shape != out_layout.shape || src_layout.rank() != out_layout.rank() {
        return Err(Error::Runtime("GPU gather: index and output must share a shape, of the source's rank".into()));
    }
    if out.id() == src.id() || out.id() == index.id() {
        return via_temp(dtype, out, out_layout, |t, tl| gather(dtype, src, src_layout, dim, index, index_layout, t, tl, wrap));
    }
    let n = out_layout.numel();
    if n == 0 {
        return Ok(());
    }
    let starts = line_starts(src_layout, dim, &out_layout.shape);
    let meta = meta_for(dim, src_layout.shape[dim], src_layout.strides[dim], wrap, &[&starts, index_layout, out_layout])?;
    run(&ShaderKey::new(Family::Index, "gather", &[dtype], 0), &[Arg::Buf(src), Arg::Buf(index), Arg::Buf(out)], &meta, groups_for(n))
}

/// `dst.scatter_(dim, index, src)` with `op` (Assign, or an accumulating reduce): element i of
/// `index` sends `src[i]` (or the scalar `value` when `src` is None) to its place in `dst`.
/// `alpha` scales added values (index_add). Assign with duplicate indices leaves one of the
/// values (which one is unspecified, as in PyTorch on CUDA).
#[allow(clippy::too_many_arguments)]
pub fn scatter(op: ScatterOp, dtype: DType, dst: &GpuBuffer, dst_layout: &Layout, dim: usize, index: &GpuBuffer, index_layout: &Layout, src: Option<(&GpuBuffer, &Layout)>, value: Scalar, alpha: Option<Scalar>, wrap: bool) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(dst, dst_layout, dtype)?;
    check_bounds(index, index_layout, DType::I64)?;
    if dim >= dst_layout.rank() || index_layout.rank() != dst_layout.rank() {
        return Err(Error::Runtime("GPU scatter: index must have the destination's rank".into()));
    }
    let is_64 = matches!(dtype, DType::F64 | DType::I64);
    if is_64 && op != ScatterOp::Assign && !(op == ScatterOp::Add && dtype == DType::I64) && !ctx.has_atomic64() {
        return Err(Error::NotImplemented(format!(
            "scatter with reduce '{op:?}' on {dtype} needs 64-bit atomics, which GPU adapter '{}' lacks",
            ctx.adapter_name()
        )));
    }
    if let Some((sb, sl)) = src {
        check_bounds(sb, sl, dtype)?;
        if sl.shape != index_layout.shape {
            return Err(Error::Runtime("GPU scatter: source must have the index's shape (a view of it)".into()));
        }
        if sb.id() == dst.id() {
            // Read the source from a copy: the scatter writes where it might still read.
            let tmp = GpuBuffer::new((sl.numel().max(1) * crate::gpu::source::gpu_elem_size(dtype)) as u64)?;
            let tl = Layout::contiguous(&sl.shape);
            super::map::copy_cast(sb, sl, dtype, &tmp, &tl, dtype)?;
            return scatter(op, dtype, dst, dst_layout, dim, index, index_layout, Some((&tmp, &tl)), value, alpha, wrap);
        }
    }
    if index.id() == dst.id() {
        let tmp = GpuBuffer::new((index_layout.numel().max(1) * 8) as u64)?;
        let tl = Layout::contiguous(&index_layout.shape);
        super::map::copy_cast(index, index_layout, DType::I64, &tmp, &tl, DType::I64)?;
        return scatter(op, dtype, dst, dst_layout, dim, &tmp, &tl, src, value, alpha, wrap);
    }
    let n = index_layout.numel();
    if n == 0 {
        return Ok(());
    }
    let starts = line_starts(dst_layout, dim, &index_layout.shape);
    let src_l = src.map_or(index_layout, |(_, l)| l);
    let mut meta = meta_for(dim, dst_layout.shape[dim], dst_layout.strides[dim], wrap, &[&starts, index_layout, src_l])?;
    meta.scalar(0, scalar_of(value, dtype));
    if let Some(a) = alpha {
        meta.scalar(1, scalar_of(a, dtype));
        meta.set(slot::FLAGS, wrap as u32 | 2);
    }
    let key = ShaderKey::new(Family::Index, op_name(op), &[dtype], if src.is_none() { SCALAR_SRC } else { 0 });
    let mut args = vec![Arg::Buf(dst), Arg::Buf(index)];
    if let Some((sb, _)) = src {
        args.push(Arg::Buf(sb));
    }
    run(&key, &args, &meta, groups_for(n))
}

/// `index` (1-D int64 of k entries) expanded to `shape` along `dim`: entry j at position j of
/// `dim`, repeated (stride 0) along the other dims; so index_select is a gather.
fn expanded_index(index_layout: &Layout, dim: usize, shape: &[usize]) -> Result<Layout> {
    if index_layout.rank() > 1 || (index_layout.rank() == 1 && index_layout.shape[0] != shape[dim]) {
        return Err(Error::Runtime("GPU index_select / index_add: the index must be 1-D with one entry per selected position".into()));
    }
    let mut l = Layout { shape: shape.into(), strides: std::iter::repeat_n(0, shape.len()).collect(), offset: index_layout.offset };
    l.strides[dim] = if index_layout.rank() == 1 { index_layout.strides[0] } else { 0 };
    Ok(l)
}

/// `out = src.index_select(dim, index)` (negative indices count from the end).
#[allow(clippy::too_many_arguments)]
pub fn index_select(dtype: DType, src: &GpuBuffer, src_layout: &Layout, dim: usize, index: &GpuBuffer, index_layout: &Layout, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    if dim >= out_layout.rank() {
        return Err(Error::Index(format!("GPU index_select: dim {dim} out of range")));
    }
    let il = expanded_index(index_layout, dim, &out_layout.shape)?;
    gather(dtype, src, src_layout, dim, index, &il, out, out_layout, true)
}

/// `dst.index_add_(dim, index, src, alpha)`: src's slice j is added (times alpha) to dst's slice
/// `index[j]`; duplicates accumulate (atomically).
#[allow(clippy::too_many_arguments)]
pub fn index_add(dtype: DType, dst: &GpuBuffer, dst_layout: &Layout, dim: usize, index: &GpuBuffer, index_layout: &Layout, src: &GpuBuffer, src_layout: &Layout, alpha: Scalar) -> Result<()> {
    if dim >= src_layout.rank() {
        return Err(Error::Index(format!("GPU index_add: dim {dim} out of range")));
    }
    let il = expanded_index(index_layout, dim, &src_layout.shape)?;
    let op = if dtype == DType::Bool { ScatterOp::Max } else { ScatterOp::Add };
    scatter(op, dtype, dst, dst_layout, dim, index, &il, Some((src, src_layout)), Scalar::Int(0), Some(alpha), true)
}
