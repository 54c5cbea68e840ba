//! Reductions (shaders/reduce.wgsl) over any set of dims of a strided input: the GPU twin of
//! `cpu::reduce`. The reduction is named by [`Reduction`] (the seam's `ReduceOp` maps onto it
//! one to one); output dtypes are the caller's choice (e.g. sum of int32 into int64), the kernel
//! accumulates in the output's type (float32 sums in float32, tree-ordered: the error grows with
//! log2 of the length, not the length).

use super::ops_wgsl::{check_f64, instantiate};
use super::{check_bounds, check_dtype, groups_for};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::{scalar_bits, slot, Meta, Space, MAX_RED_RANK};
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, gpu_elem_size, libraries, wgsl_type, Bindings, Family, ShaderKey, REDUCE};
use crate::layout::Layout;

/// A reduction the GPU computes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reduction {
    /// Sum, NaN-propagating.
    Sum,
    /// Sum treating NaN as zero (`nansum`).
    NanSum,
    /// Sum divided by the reduced count (0/0 = NaN for an empty reduction).
    Mean,
    /// Product.
    Prod,
    /// NaN-propagating max / min values.
    Max,
    /// NaN-propagating min value (see [`Reduction::Max`]).
    Min,
    /// Index of the max / min (first occurrence; NaN counts as the max), optionally with values.
    ArgMax,
    /// Index of the min (first occurrence; NaN counts as the min), see [`Reduction::ArgMax`].
    ArgMin,
    /// Truthiness of any / all elements (bool output).
    Any,
    /// Whether every element is nonzero (bool output); see [`Reduction::Any`].
    All,
    /// Vector norms: sum(|x|^p)^(1/p); `p = inf` max |x|, `-inf` min |x|, `0` count of non-zeros.
    Norm(f64),
}

/// Every reduction by shader op name (norms split by the p values with their own shader).
pub const REDUCE_OPS: &[&str] = &["sum", "nansum", "mean", "prod", "max", "min", "argmax", "argmin", "any", "all", "norm1", "norm2", "normp", "norm_inf", "norm_neginf", "norm0"];

// float comparisons stay guards: float patterns read as exact-bit matches, which these are not
// meant to look like (`-0.0 == 0.0`)
#[allow(clippy::redundant_guards)]
fn op_name(r: Reduction) -> &'static str {
    match r {
        Reduction::Sum => "sum",
        Reduction::NanSum => "nansum",
        Reduction::Mean => "mean",
        Reduction::Prod => "prod",
        Reduction::Max => "max",
        Reduction::Min => "min",
        Reduction::ArgMax => "argmax",
        Reduction::ArgMin => "argmin",
        Reduction::Any => "any",
        Reduction::All => "all",
        Reduction::Norm(p) if p == 1.0 => "norm1",
        Reduction::Norm(p) if p == 2.0 => "norm2",
        Reduction::Norm(p) if p == f64::INFINITY => "norm_inf",
        Reduction::Norm(p) if p == f64::NEG_INFINITY => "norm_neginf",
        Reduction::Norm(p) if p == 0.0 => "norm0",
        Reduction::Norm(_) => "normp",
    }
}

/// Variant bits: the input is the tensor (premap applied; position = index in the reduced
/// space), not partials of an earlier pass.
const FIRST: u32 = 1;
/// The dispatch writes results (through the output's strides), not partials.
const FINAL: u32 = 2;

fn is_arg(op: &str) -> bool {
    op == "argmax" || op == "argmin"
}

/// Identity (as a WGSL expression of type AT) of an extreme fold.
fn extreme_identity(d: DType, max: bool) -> &'static str {
    match (d, max) {
        (DType::F32 | DType::F64, true) => "-inf_F()",
        (DType::F32 | DType::F64, false) => "inf_F()",
        (DType::I32, true) => "(-2147483647i - 1i)",
        (DType::I32, false) => "2147483647i",
        (DType::I64, true) => "(-9223372036854775807li - 1li)",
        (DType::I64, false) => "9223372036854775807li",
        (DType::Bool, true) => "0u",
        (DType::Bool, false) => "1u",
    }
}

/// Shader source of a reduction key: dtypes [input, output].
pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let (xd, od) = (key.dtypes[0], key.dtypes[1]);
    let op = key.op;
    let first = key.variant & FIRST != 0;
    let fin = key.variant & FINAL != 0;
    let arg = is_arg(op);
    let float_in = xd.is_float();
    // The dtype pairs each reduction takes (the op layer picks the output dtype).
    let valid = match op {
        "max" | "min" | "argmax" | "argmin" => od == xd,
        "any" | "all" => od == DType::Bool,
        "sum" | "prod" => od != DType::Bool,
        "mean" | "nansum" => od.is_float(),
        _ => float_in && od.is_float(),
    };
    if !valid {
        return Err(Error::NotImplemented(format!("GPU reduction {op} of {xd} into {od}")));
    }
    // The accumulator: the output's type, except extremes (exact in the input's type).
    let ad = if matches!(op, "max" | "min" | "argmax" | "argmin") { xd } else { od };
    let at = wgsl_type(ad);
    let xt = if first { wgsl_type(xd) } else { at };
    let ot = if fin { wgsl_type(od) } else { at };
    for d in [xd, od] {
        if d.is_float() {
            check_f64(if op == "normp" { "pow" } else { op }, d)?;
        }
    }
    let isnan = |v: &str| if ad.is_float() { format!("isnan_F({v})") } else { "false".to_string() };
    let (identity, premap, merge, finish): (String, String, String, String) = match op {
        "sum" | "mean" | "nansum" | "norm1" | "norm2" | "normp" | "norm0" => {
            let pre = match (op, float_in) {
                ("nansum", true) => "if (isnan_X(v)) { return AT(0); } return AT(v);".to_string(),
                ("norm1", true) => "return AT(fabs_X(v));".into(),
                ("norm2", true) => "let a = AT(v); return a * a;".into(),
                ("normp", true) => "return pow_A(fabs_A(AT(v)), scalar_A(0u));".into(),
                ("norm0", true) => "return select(AT(0), AT(1), truthy_X(v));".into(),
                ("norm1" | "norm2" | "normp" | "norm0", false) => return Err(Error::NotImplemented(format!("GPU {op} of {xd}"))),
                _ => "return AT(v);".into(),
            };
            let fin_expr = match op {
                "mean" => "return a.v / scalar_A(0u);",
                "norm2" => "return sqrt(a.v);",
                "normp" => "return pow_A(a.v, scalar_A(1u));",
                _ => "return a.v;",
            };
            ("AT(0)".into(), pre, "return Acc(a.v + b.v, 0u);".into(), fin_expr.into())
        }
        "prod" => ("AT(1)".into(), "return AT(v);".into(), "return Acc(a.v * b.v, 0u);".into(), "return a.v;".into()),
        "max" | "min" | "norm_inf" | "norm_neginf" => {
            let max = op == "max" || op == "norm_inf";
            let m = match (ad.is_float(), ad == DType::Bool, max) {
                (true, _, true) => "nan_max_A(a.v, b.v)",
                (true, _, false) => "nan_min_A(a.v, b.v)",
                (false, true, true) => "a.v | b.v",
                (false, true, false) => "a.v & b.v",
                (false, false, true) => "select(b.v, a.v, a.v > b.v)",
                (false, false, false) => "select(b.v, a.v, a.v < b.v)",
            };
            let pre = if op.starts_with("norm") {
                if !float_in {
                    return Err(Error::NotImplemented(format!("GPU {op} of {xd}")));
                }
                "return AT(fabs_X(v));"
            } else {
                "return v;"
            };
            (extreme_identity(ad, max).into(), pre.into(), format!("return Acc({m}, 0u);"), "return a.v;".into())
        }
        "argmax" | "argmin" => {
            let cmp = if op == "argmax" { ">" } else { "<" };
            let merge = format!(
                "let an = {}; let bn = {}; var a_wins: bool; if (an != bn) {{ a_wins = an; }} else if (an || a.v == b.v) {{ a_wins = a.i < b.i; }} else {{ a_wins = a.v {cmp} b.v; }} if (a_wins) {{ return a; }} return b;",
                isnan("a.v"),
                isnan("b.v")
            );
            (extreme_identity(ad, op == "argmax").into(), "return v;".into(), merge, "return a.v;".into())
        }
        "any" | "all" => {
            let pre = if float_in { "return select(0u, 1u, truthy_X(v));" } else if xd == DType::Bool { "return v;" } else { "return select(0u, 1u, v != X(0));" };
            let (id, m) = if op == "any" { ("0u", "a.v | b.v") } else { ("1u", "a.v & b.v") };
            (id.into(), pre.into(), format!("return Acc({m}, 0u);"), "return a.v;".into())
        }
        other => return Err(Error::Value(format!("unknown reduction '{other}'"))),
    };
    let mut b = Bindings::default();
    b.add("out", ot, Access::ReadWrite);
    if arg {
        b.add("idx_out", if fin { "i64" } else { "u32" }, Access::ReadWrite);
    }
    b.add("x", xt, Access::Read);
    if arg && !first {
        b.add("x_idx", "u32", Access::Read);
    }
    // Partial passes never call premap (their input is already accumulated), but it must still
    // type-check against their input type.
    let premap = if first { premap } else { "return v;".to_string() };
    let load = match (first, arg) {
        (true, _) => "return Acc(premap(x[at]), r);",
        (false, true) => "return Acc(x[at], x_idx[at]);",
        (false, false) => "return Acc(x[at], 0u);",
    };
    let store = match (fin, arg) {
        (true, true) => "let q = offsets(o); out[q.x] = a.v; idx_out[q.z] = i64(a.i);",
        (true, false) => "let q = offsets(o); out[q.x] = finish(a);",
        (false, true) => "out[g] = a.v; idx_out[g] = a.i;",
        (false, false) => "out[g] = a.v;",
    };
    // Type letters: AT/A the accumulator, X the input (premap's argument).
    let types = |s: &str| {
        let s = s.replace("AT(", &format!("{at}(")).replace("_A(", &format!("_{at}(")).replace("_X(", &format!("_{}(", wgsl_type(xd)));
        instantiate(&s.replace("X(0)", &format!("{}(0)", wgsl_type(xd))), ad)
    };
    let text = fill(
        &REDUCE.text(),
        &[
            ("BINDINGS", &b.decls),
            ("AT", at),
            ("XT", xt),
            ("OT", ot),
            ("IDENTITY", &types(&identity)),
            ("PREMAP", &types(&premap)),
            ("MERGE", &types(&merge)),
            ("FINISH", &types(&finish)),
            ("LOAD", load),
            ("STORE", store),
        ],
    )?;
    Ok((format!("{}{text}", libraries(&[xd, ad, od])?), b.accesses))
}

/// Positions per workgroup in the first pass (16 per thread): partial sums stay short.
const CHUNK: usize = 4096;
/// Reductions at most this long run one thread per output.
const PER_THREAD_MAX: usize = 32;

/// Reduces the dims of `x` (layout `x_layout`, dtype `x_dtype`) where `mask` is true into `out`
/// (dtype `out_dtype`). `out_layout` has either the kept dims only or every dim with the reduced
/// ones of size 1 (keepdim). For `ArgMax`/`ArgMin`, `out` receives the values (dtype `x_dtype`)
/// and `indices` (int64, same layout) the positions within the reduced dims, row-major.
#[allow(clippy::too_many_arguments)]
pub fn reduce(op: Reduction, x_dtype: DType, x: &GpuBuffer, x_layout: &Layout, mask: &[bool], out_dtype: DType, out: &GpuBuffer, out_layout: &Layout, indices: Option<(&GpuBuffer, &Layout)>) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, x_dtype)?;
    check_dtype(ctx, out_dtype)?;
    let name = op_name(op);
    let arg = is_arg(name);
    if mask.len() != x_layout.rank() {
        return Err(Error::Runtime(format!("GPU reduce: mask of {} dims for a rank-{} input", mask.len(), x_layout.rank())));
    }
    if arg && (indices.is_none() || out_dtype != x_dtype) {
        return Err(Error::Runtime("GPU arg-reduction: needs an index output and values of the input's dtype".into()));
    }
    let squeeze = |l: &Layout| -> Result<Layout> {
        if l.rank() == x_layout.rank() && mask.iter().any(|&m| m) {
            let mut k = Layout { shape: Default::default(), strides: Default::default(), offset: l.offset };
            for (d, &reduced) in mask.iter().enumerate().take(l.rank()) {
                if !reduced {
                    k.shape.push(l.shape[d]);
                    k.strides.push(l.strides[d]);
                } else if l.shape[d] != 1 {
                    return Err(Error::Runtime("GPU reduce: a keepdim output needs size 1 in reduced dims".into()));
                }
            }
            Ok(k)
        } else {
            Ok(l.clone())
        }
    };
    let ol = squeeze(out_layout)?;
    let il = match indices {
        Some((_, l)) => squeeze(l)?,
        None => ol.clone(),
    };
    let mut kept = Layout { shape: Default::default(), strides: Default::default(), offset: x_layout.offset };
    let mut red = Layout { shape: Default::default(), strides: Default::default(), offset: 0 };
    for (d, &reduced) in mask.iter().enumerate().take(x_layout.rank()) {
        let (dst, s) = if reduced { (&mut red, x_layout.shape[d]) } else { (&mut kept, x_layout.shape[d]) };
        dst.shape.push(s);
        dst.strides.push(x_layout.strides[d]);
    }
    if ol.shape != kept.shape || il.shape != kept.shape {
        return Err(Error::Runtime(format!("GPU reduce: output shape {:?} is not the kept dims {:?}", ol.shape.as_slice(), kept.shape.as_slice())));
    }
    check_bounds(x, x_layout, x_dtype)?;
    check_bounds(out, out_layout, out_dtype)?;
    if let Some((ib, l)) = indices {
        check_bounds(ib, l, DType::I64)?;
    }
    let o = kept.numel();
    if o == 0 {
        return Ok(());
    }
    let space = Space::merge(&[&ol, &kept, &il])?;
    let rspace = Space::merge(&[&red])?;
    if rspace.shape.len() > MAX_RED_RANK {
        return Err(Error::NotImplemented(format!("GPU reduce: more than {MAX_RED_RANK} reduced dims after merging")));
    }
    let r = rspace.numel();
    let mut meta = Meta::default();
    meta.strided(&space)?;
    meta.set(slot::RED_RANK, rspace.shape.len() as u32).set(slot::RED_N, r as u32);
    for (d, (&s, &st)) in rspace.shape.iter().zip(&rspace.strides[0]).enumerate() {
        meta.set(slot::RED_SHAPE + d, s as u32);
        meta.set_i(slot::RED_STRIDES + d, st as i64)?;
    }
    let acc_dtype = if arg || matches!(op, Reduction::Max | Reduction::Min) { x_dtype } else { out_dtype };
    match op {
        Reduction::Mean => {
            meta.scalar(0, scalar_bits(r as f64, acc_dtype));
        }
        Reduction::Norm(p) => {
            meta.scalar(0, scalar_bits(p, acc_dtype)).scalar(1, scalar_bits(1.0 / p, acc_dtype));
        }
        _ => {}
    }
    let dtypes = [x_dtype, out_dtype];
    let mut finals = vec![Arg::Buf(out)];
    if let Some((ib, _)) = indices {
        finals.push(Arg::Buf(ib));
    }
    if r <= PER_THREAD_MAX {
        meta.set(slot::RED_CHUNKS, 1).set(slot::RED_CHUNK, r.max(1) as u32);
        let mut key = ShaderKey::new(Family::Reduce, name, &dtypes, FIRST | FINAL);
        key.entry = "per_thread";
        finals.push(Arg::Buf(x));
        return run(&key, &finals, &meta, groups_for(o));
    }
    // Pass 1 over the tensor; then passes over partials until one chunk per output is left.
    let mut chunks = r.div_ceil(CHUNK);
    meta.set(slot::RED_CHUNKS, chunks as u32).set(slot::RED_CHUNK, CHUNK as u32);
    if chunks == 1 {
        finals.push(Arg::Buf(x));
        return run(&ShaderKey::new(Family::Reduce, name, &dtypes, FIRST | FINAL), &finals, &meta, o as u64);
    }
    let es = gpu_elem_size(acc_dtype) as u64;
    let mut vals = GpuBuffer::new((o * chunks) as u64 * es)?;
    let mut idxs = if arg { Some(GpuBuffer::new((o * chunks) as u64 * 4)?) } else { None };
    {
        let mut args = vec![Arg::Buf(&vals)];
        if let Some(i) = &idxs {
            args.push(Arg::Buf(i));
        }
        args.push(Arg::Buf(x));
        run(&ShaderKey::new(Family::Reduce, name, &dtypes, FIRST), &args, &meta, (o * chunks) as u64)?;
    }
    loop {
        // Partials are [o, chunks] contiguous: kept stride `chunks`, reduced stride 1.
        let n = chunks;
        chunks = n.div_ceil(CHUNK);
        let mut m = meta.clone();
        let part_kept = Layout { shape: kept.shape.clone(), strides: Layout::contiguous(&kept.shape).strides.iter().map(|s| s * n as isize).collect(), offset: 0 };
        let sp = Space::merge(&[&ol, &part_kept, &il])?;
        m.strided(&sp)?;
        m.set(slot::RED_RANK, 1).set(slot::RED_N, n as u32).set(slot::RED_SHAPE, n as u32).set(slot::RED_STRIDES, 1);
        m.set(slot::RED_CHUNKS, chunks as u32).set(slot::RED_CHUNK, CHUNK as u32);
        if chunks == 1 {
            let mut args = finals.clone();
            args.push(Arg::Buf(&vals));
            if let Some(i) = &idxs {
                args.push(Arg::Buf(i));
            }
            return run(&ShaderKey::new(Family::Reduce, name, &dtypes, FINAL), &args, &m, o as u64);
        }
        let nv = GpuBuffer::new((o * chunks) as u64 * es)?;
        let ni = if arg { Some(GpuBuffer::new((o * chunks) as u64 * 4)?) } else { None };
        {
            let mut args = vec![Arg::Buf(&nv)];
            if let Some(i) = &ni {
                args.push(Arg::Buf(i));
            }
            args.push(Arg::Buf(&vals));
            if let Some(i) = &idxs {
                args.push(Arg::Buf(i));
            }
            run(&ShaderKey::new(Family::Reduce, name, &dtypes, 0), &args, &m, (o * chunks) as u64)?;
        }
        vals = nv;
        idxs = ni;
    }
}
