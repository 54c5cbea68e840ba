//! Sorting and searching: sort / argsort / topk along a dim (shaders/sort.wgsl, bitonic, stable
//! through (key, position) pairs) and searchsorted (shaders/search.wgsl).

use super::{check_bounds, check_dtype, groups_for, line_meta, lines};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::{slot, Meta, Space};
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, libraries, wgsl_type, Bindings, Family, ShaderKey, SEARCH, SORT};
use crate::layout::Layout;

/// Shader op names of the sort family.
pub const SORT_OPS: &[&str] = &["sort"];
/// Shader op names of the search family.
pub const SEARCH_OPS: &[&str] = &["searchsorted"];

/// Variant bit of searchsorted: the row is read through a sorter permutation.
const SORTER: u32 = 1;
/// Variant bit of searchsorted: int32 output.
const OUT_I32: u32 = 2;

fn key_type(d: DType) -> &'static str {
    if matches!(d, DType::F64 | DType::I64) { "u64" } else { "u32" }
}

/// Shader source of a sort key (dtypes [element]).
pub(crate) fn sort_source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let d = key.dtypes[0];
    let t = wgsl_type(d);
    let k = key_type(d);
    let body = match d {
        DType::F32 => "if (isnan_f32(v)) { return 0xffffffffu; } var b = bitcast<u32>(v); if (b == 0x80000000u) { b = 0u; } \
                       if ((b & 0x80000000u) != 0u) { return ~b; } return b | 0x80000000u;",
        DType::F64 => "if (isnan_f64(v)) { return 0xfffffffffffffffflu; } var b = bitcast<u64>(v); if (b == 0x8000000000000000lu) { b = 0lu; } \
                       if ((b & 0x8000000000000000lu) != 0lu) { return ~b; } return b | 0x8000000000000000lu;",
        DType::I32 => "return bitcast<u32>(v) ^ 0x80000000u;",
        DType::I64 => "return bitcast<u64>(v) ^ 0x8000000000000000lu;",
        DType::Bool => "return v;",
    };
    let mut b = Bindings::default();
    b.add("keys", k, Access::ReadWrite).add("sidx", "u32", Access::ReadWrite).add("x", t, Access::Read).add("vals", t, Access::ReadWrite).add("iout", "i64", Access::ReadWrite);
    let text = fill(&SORT.text(), &[("BINDINGS", &b.decls), ("T", t), ("K", k), ("KEY", body)])?;
    let mut accesses = b.accesses;
    match key.entry {
        "init" => accesses.truncate(3),
        "step" => accesses.truncate(2),
        _ => {}
    }
    Ok((format!("{}{text}", libraries(&[d])?), accesses))
}

/// Sorts the lines of `x` along `dim` and writes the first `take` of each: values and int64
/// positions (`values` / `indices` layouts have `take` along `dim`).
#[allow(clippy::too_many_arguments)]
fn sort_take(dtype: DType, x: &GpuBuffer, x_layout: &Layout, dim: usize, descending: bool, take: usize, values: (&GpuBuffer, &Layout), indices: (&GpuBuffer, &Layout)) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(x, x_layout, dtype)?;
    check_bounds(values.0, values.1, dtype)?;
    check_bounds(indices.0, indices.1, DType::I64)?;
    if dim >= x_layout.rank() {
        return Err(Error::Index(format!("GPU sort: dim {dim} out of range for rank {}", x_layout.rank())));
    }
    let len = x_layout.shape[dim];
    if take > len || values.1.shape[dim] != take || indices.1.shape[dim] != take {
        return Err(Error::Runtime(format!("GPU sort: outputs must have {take} (<= {len}) along dim {dim}")));
    }
    if values.0.id() == x.id() || indices.0.id() == x.id() || values.0.id() == indices.0.id() {
        return Err(Error::Runtime("GPU sort: outputs must not share memory with the input or each other".into()));
    }
    // The outputs' lines are `take` long; the line space (other dims) is shared.
    let mut xl = x_layout.clone();
    xl.shape[dim] = take;
    let (space, _, strides) = lines(dim, &[values.1, &xl, indices.1])?;
    let nlines = space.numel();
    if nlines == 0 || take == 0 {
        return Ok(());
    }
    let p = len.next_power_of_two();
    let total = nlines.checked_mul(p).filter(|&t| t <= u32::MAX as usize).ok_or_else(|| Error::Runtime("GPU sort: too many elements".into()))?;
    let mut meta = Meta::default();
    line_meta(&mut meta, &space, len, &strides)?;
    meta.set(slot::SORT_P, p as u32).set(slot::SORT_LINES, nlines as u32).set(slot::SORT_TAKE, take as u32).set(slot::FLAGS, descending as u32);
    let kb = if key_type(dtype) == "u64" { 8 } else { 4 };
    let keys = GpuBuffer::new((total * kb) as u64)?;
    let sidx = GpuBuffer::new((total * 4) as u64)?;
    let mut key = ShaderKey::new(Family::Sort, "sort", &[dtype], 0);
    key.entry = "init";
    run(&key, &[Arg::Buf(&keys), Arg::Buf(&sidx), Arg::Buf(x)], &meta, groups_for(total))?;
    key.entry = "step";
    let mut k = 2;
    while k <= p {
        let mut j = k / 2;
        while j >= 1 {
            meta.set(slot::SORT_K, k as u32).set(slot::SORT_J, j as u32);
            run(&key, &[Arg::Buf(&keys), Arg::Buf(&sidx)], &meta, groups_for(total / 2))?;
            j /= 2;
        }
        k *= 2;
    }
    key.entry = "gather_out";
    run(&key, &[Arg::Buf(&keys), Arg::Buf(&sidx), Arg::Buf(x), Arg::Buf(values.0), Arg::Buf(indices.0)], &meta, groups_for(nlines * take))
}

/// `torch.sort(x, dim, descending, stable)`: values and int64 indices (always stable; NaN sorts
/// as the largest value, as PyTorch).
pub fn sort(dtype: DType, x: &GpuBuffer, x_layout: &Layout, dim: usize, descending: bool, values: (&GpuBuffer, &Layout), indices: (&GpuBuffer, &Layout)) -> Result<()> {
    let len = x_layout.shape.get(dim).copied().unwrap_or(0);
    sort_take(dtype, x, x_layout, dim, descending, len, values, indices)
}

/// `torch.topk(x, k, dim, largest, sorted=True)`: the k largest (or smallest) values in order,
/// ties in input order, with their int64 indices.
#[allow(clippy::too_many_arguments)]
pub fn topk(dtype: DType, x: &GpuBuffer, x_layout: &Layout, dim: usize, k: usize, largest: bool, values: (&GpuBuffer, &Layout), indices: (&GpuBuffer, &Layout)) -> Result<()> {
    sort_take(dtype, x, x_layout, dim, largest, k, values, indices)
}

/// Shader source of a searchsorted key (dtypes [element]).
pub(crate) fn search_source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let d = key.dtypes[0];
    let t = wgsl_type(d);
    let ot = if key.variant & OUT_I32 != 0 { "i32" } else { "i64" };
    let mut b = Bindings::default();
    b.add("out", ot, Access::ReadWrite).add("vals", t, Access::Read).add("seq", t, Access::Read);
    let load = if key.variant & SORTER != 0 {
        b.add("sorter", "i64", Access::Read);
        "let m = seq[o.z + i32(sorter[o.w + i32(mid) * mi(M_LN_STRIDES + 1u)]) * mi(M_LN_STRIDES)];"
    } else {
        "let m = seq[o.z + i32(mid) * mi(M_LN_STRIDES)];"
    };
    let lt = if d.is_float() { format!("if (isnan_{t}(b)) {{ return !isnan_{t}(a); }} return !isnan_{t}(a) && a < b;") } else { "return a < b;".into() };
    let text = fill(&SEARCH.text(), &[("BINDINGS", &b.decls), ("T", t), ("OT", ot), ("LT", &lt), ("LOAD_MID", load)])?;
    Ok((format!("{}{text}", libraries(&[d])?), b.accesses))
}

/// Each row's starts for the values: a row layout (`[..., L]` or 1-D `[L]`) with its last dim
/// dropped, broadcast over `values_shape`'s leading dims, stride 0 along the last.
fn row_starts(row: &Layout, values_shape: &[usize]) -> Result<Layout> {
    let r = values_shape.len();
    let mut l = Layout { shape: values_shape.into(), strides: std::iter::repeat_n(0, r).collect(), offset: row.offset };
    if row.rank() > 1 {
        if row.rank() != r || row.shape[..r - 1] != values_shape[..r - 1] {
            return Err(Error::Runtime("GPU searchsorted: the sorted rows' leading dims must match the values'".into()));
        }
        l.strides[..r - 1].copy_from_slice(&row.strides[..r - 1]);
    }
    Ok(l)
}

/// `torch.searchsorted(seq, values, right=, sorter=)` into `out` (int64, or int32 when
/// `out_i32`), `out` of the values' shape.
#[allow(clippy::too_many_arguments)]
pub fn searchsorted(dtype: DType, seq: &GpuBuffer, seq_layout: &Layout, values: &GpuBuffer, values_layout: &Layout, sorter: Option<(&GpuBuffer, &Layout)>, right: bool, out: &GpuBuffer, out_layout: &Layout, out_i32: bool) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    let od = if out_i32 { DType::I32 } else { DType::I64 };
    check_bounds(seq, seq_layout, dtype)?;
    check_bounds(values, values_layout, dtype)?;
    check_bounds(out, out_layout, od)?;
    if seq_layout.rank() == 0 || values_layout.rank() == 0 || values_layout.shape != out_layout.shape {
        return Err(Error::Runtime("GPU searchsorted: a non-empty sorted dim and output of the values' shape".into()));
    }
    let n = values_layout.numel();
    if n == 0 {
        return Ok(());
    }
    let len = *seq_layout.shape.last().unwrap();
    let starts = row_starts(seq_layout, &values_layout.shape)?;
    let mut layouts = vec![out_layout, values_layout, &starts];
    let sorter_starts;
    let mut variant = if out_i32 { OUT_I32 } else { 0 };
    if let Some((sb, sl)) = sorter {
        check_bounds(sb, sl, DType::I64)?;
        if sl.shape != seq_layout.shape {
            return Err(Error::Runtime("GPU searchsorted: the sorter must have the sorted rows' shape".into()));
        }
        sorter_starts = row_starts(sl, &values_layout.shape)?;
        layouts.push(&sorter_starts);
        variant |= SORTER;
    }
    let mut meta = Meta::default();
    meta.strided(&Space::merge(&layouts)?)?;
    meta.set(slot::LN_LEN, len as u32);
    meta.set_i(slot::LN_STRIDES, *seq_layout.strides.last().unwrap() as i64)?;
    if let Some((_, sl)) = sorter {
        meta.set_i(slot::LN_STRIDES + 1, *sl.strides.last().unwrap() as i64)?;
    }
    meta.set(slot::FLAGS, right as u32);
    let mut args = vec![Arg::Buf(out), Arg::Buf(values), Arg::Buf(seq)];
    if let Some((sb, _)) = sorter {
        args.push(Arg::Buf(sb));
    }
    if args[1..].iter().any(|a| matches!(a, Arg::Buf(b) if b.id() == out.id())) {
        return Err(Error::Runtime("GPU searchsorted: the output must not share memory with an input".into()));
    }
    run(&ShaderKey::new(Family::Search, "searchsorted", &[dtype], variant), &args, &meta, groups_for(n))
}
