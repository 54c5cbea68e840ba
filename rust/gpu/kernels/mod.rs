//! Kernel entry points: Rust functions over [`GpuBuffer`]s and [`Layout`]s (shape, signed
//! element strides, offset) plus dtypes and op enums, the same information the CPU kernels get,
//! so the backend's GPU arm is one call per primitive. Like `cpu/`, nothing here knows about
//! `Tensor`, autograd or `ops`.
//!
//! Every entry point records its dispatches into the command stream and returns; results reach
//! the host only through `transfer.rs`.

pub mod index;
pub mod map;
pub mod matmul;
pub mod ops_wgsl;
pub mod reduce;
pub mod scan;
pub mod select;
pub mod softmax;
pub mod sort;

use super::buffer::GpuBuffer;
use super::context::Context;
use super::meta::{slot, Meta, Space};
use super::source::{gpu_elem_size, Family};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::Layout;

/// Err unless `dtype` can live on this adapter: float64 needs SHADER_F64 (never a silent
/// downcast).
pub fn check_dtype(ctx: &Context, dtype: DType) -> Result<()> {
    if dtype == DType::F64 && !ctx.has_f64() {
        return Err(Error::Runtime(format!("float64 is not supported on GPU adapter '{}'; use .float()", ctx.adapter_name())));
    }
    Ok(())
}

/// Err unless every element `layout` can reach lies inside `buf` (elements of `dtype`): a
/// kernel must never be handed a view past its storage.
pub fn check_bounds(buf: &GpuBuffer, layout: &Layout, dtype: DType) -> Result<()> {
    if layout.numel() == 0 {
        return Ok(());
    }
    let (lo, hi) = layout.storage_span();
    let cap = (buf.len_bytes() / gpu_elem_size(dtype) as u64) as isize;
    if lo < 0 || hi > cap {
        return Err(Error::Runtime(format!(
            "GPU kernel: a view reaching elements {lo}..{hi} lies outside its buffer of {cap} {dtype} elements"
        )));
    }
    Ok(())
}

/// Splits layouts of one shape into lines along `dim`: the other dims merged into a [`Space`]
/// (the line index runs over it), the line length, and each operand's stride along `dim`.
pub fn lines(dim: usize, layouts: &[&Layout]) -> Result<(Space, usize, Vec<isize>)> {
    let shape = &layouts[0].shape;
    if dim >= shape.len() {
        return Err(Error::Index(format!("GPU kernel: dim {dim} out of range for rank {}", shape.len())));
    }
    let rest: Vec<Layout> = layouts
        .iter()
        .map(|l| {
            let mut r = (*l).clone();
            r.shape.remove(dim);
            r.strides.remove(dim);
            r
        })
        .collect();
    let refs: Vec<&Layout> = rest.iter().collect();
    Ok((Space::merge(&refs)?, shape[dim], layouts.iter().map(|l| l.strides[dim]).collect()))
}

/// Writes a line plan into the metadata: the other dims as the strided space, then the line
/// length and per-operand strides.
pub fn line_meta(meta: &mut Meta, space: &Space, len: usize, strides: &[isize]) -> Result<()> {
    meta.strided(space)?;
    meta.set(slot::LN_LEN, u32::try_from(len).map_err(|_| Error::Runtime(format!("GPU kernel: line of {len} elements is too long")))?);
    for (k, &s) in strides.iter().enumerate() {
        meta.set_i(slot::LN_STRIDES + k, s as i64)?;
    }
    Ok(())
}

/// Runs `f` into a fresh contiguous buffer of `out_layout`'s shape, then copies that into
/// `out`: for kernels whose output shares a buffer with an input (a dispatch cannot bind one
/// buffer both read-only and writable, and a parallel kernel must not race itself).
pub fn via_temp(dtype: DType, out: &GpuBuffer, out_layout: &Layout, f: impl FnOnce(&GpuBuffer, &Layout) -> Result<()>) -> Result<()> {
    let tmp = GpuBuffer::new((out_layout.numel().max(1) * gpu_elem_size(dtype)) as u64)?;
    let tl = Layout::contiguous(&out_layout.shape);
    f(&tmp, &tl)?;
    map::copy_cast(&tmp, &tl, dtype, out, out_layout, dtype)
}

/// Workgroups of 256 threads covering `n` items.
pub fn groups_for(n: usize) -> u64 {
    (n as u64).div_ceil(256)
}

/// The `&'static str` op name a shader key carries, looked up by name (for keys built from
/// strings, as the Python shader tests do).
pub fn op_name_static(family: Family, op: &str) -> Option<&'static str> {
    let names: Vec<&'static str> = match family {
        Family::Unary => ops_wgsl::UNARY_OPS.iter().map(|(n, _)| *n).collect(),
        Family::Binary => ops_wgsl::BINARY_OPS.iter().map(|(n, _)| *n).collect(),
        Family::Fill => map::FILL_OPS.to_vec(),
        Family::Random => map::RANDOM_OPS.to_vec(),
        Family::Copy => vec!["copy"],
        Family::Ternary => map::TERNARY_OPS.to_vec(),
        Family::Matmul => vec!["matmul"],
        Family::Reduce => reduce::REDUCE_OPS.to_vec(),
        Family::Scan => scan::SCAN_OPS.to_vec(),
        Family::Softmax => softmax::SOFTMAX_OPS.to_vec(),
        Family::Index => index::INDEX_OPS.to_vec(),
        Family::Select => select::SELECT_OPS.to_vec(),
        Family::Sort => sort::SORT_OPS.to_vec(),
        Family::Search => sort::SEARCH_OPS.to_vec(),
    };
    names.into_iter().find(|n| *n == op)
}

/// A key for every (family, op, dtypes, variant, entry point) worth compiling on its own: each
/// op of each family in each dtype it takes (combinations a family refuses are left out), the
/// scalar / aliasing variants and every entry point. The shader tests compile all of them, in
/// Rust (tests/rust/gpu.rs) and through wgpu-py (tests/test_shaders.py).
pub fn sample_keys() -> Vec<super::source::ShaderKey> {
    use super::source::{shader_source, ShaderKey};
    use DType::*;
    let all = DType::ALL;
    let mut keys = Vec::new();
    let mut add = |family: Family, op: &'static str, dtypes: &[DType], variant: u32, entry: &'static str| {
        let mut k = ShaderKey::new(family, op, dtypes, variant);
        k.entry = entry;
        if shader_source(&k).is_ok() {
            keys.push(k);
        }
    };
    for &d in &all {
        for &op in map::FILL_OPS {
            add(Family::Fill, op, &[d], 0, "main");
        }
        for &s in &all {
            add(Family::Copy, "copy", &[d, s], 0, "main");
        }
        for (op, _) in ops_wgsl::UNARY_OPS {
            add(Family::Unary, op, &[d], 0, "main");
        }
        add(Family::Unary, "neg", &[d], 1, "main");
        for (op, _) in ops_wgsl::BINARY_OPS {
            add(Family::Binary, op, &[d], 0, "main");
        }
        for v in [1, 2, 8, 16, 8 | 2] {
            add(Family::Binary, "add", &[d], v, "main");
        }
        for &op in map::TERNARY_OPS {
            add(Family::Ternary, op, &[d], 0, "main");
        }
        add(Family::Ternary, "where", &[d], 2, "main");
        for &op in map::RANDOM_OPS {
            add(Family::Random, op, &[d, F32], 0, "main");
        }
        add(Family::Matmul, "matmul", &[d], 0, "main");
        for &op in reduce::REDUCE_OPS {
            for out in [d, I64, Bool, F32] {
                for v in 0..4 {
                    add(Family::Reduce, op, &[d, out], v, "main");
                }
                add(Family::Reduce, op, &[d, out], 3, "per_thread");
            }
        }
        for &op in scan::SCAN_OPS {
            for out in [d, I64] {
                add(Family::Scan, op, &[d, out], 0, "main");
            }
        }
        for &op in softmax::SOFTMAX_OPS {
            let (e1, e2) = if op.ends_with("backward") { ("backward", "backward_short") } else { ("forward", "forward_short") };
            add(Family::Softmax, op, &[d], 0, e1);
            add(Family::Softmax, op, &[d], 0, e2);
        }
        for &op in index::INDEX_OPS {
            add(Family::Index, op, &[d], 0, "main");
            add(Family::Index, op, &[d], 1, "main");
        }
        for entry in ["count", "scan_blocks", "compact"] {
            add(Family::Select, "masked_select", &[Bool, d], 0, entry);
            add(Family::Select, "nonzero", &[d, I64], 0, entry);
        }
        for entry in ["init", "step", "gather_out"] {
            add(Family::Sort, "sort", &[d], 0, entry);
        }
        for v in 0..4 {
            add(Family::Search, "searchsorted", &[d], v, "main");
        }
    }
    keys
}
