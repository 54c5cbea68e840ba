//! Element-wise kernels (shaders/map.wgsl): fill, arange, linspace, copy/cast between any dtypes,
//! unary and binary ops (either binary operand may be a scalar, so `x * 0.5` uploads nothing),
//! where, clamp between tensors and masked fill.
//!
//! Inputs are given already broadcast to the output's shape (stride 0 where they repeat). An
//! input whose buffer is the output's is read through the output binding when its layout is the
//! output's (an in-place op: each thread reads and writes its own element); any other overlap
//! computes into a fresh buffer first, then copies, so a parallel kernel never races itself.

use super::ops_wgsl::{self, binary_name, unary_name};
use super::{check_bounds, check_dtype, groups_for};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::{scalar_bits, slot, Meta, Space};
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, libraries, wgsl_type, Bindings, Family, ShaderKey, MAP};
use crate::kinds::{BinaryOp, UnaryOp};
use crate::layout::Layout;

/// Ops of the fill family.
pub const FILL_OPS: &[&str] = &["fill", "arange", "linspace"];
/// Random fills (shaders/random.wgsl); `bits` is Philox's first word, for its known-answer test.
pub const RANDOM_OPS: &[&str] = &["uniform", "normal", "bernoulli", "bernoulli_tensor", "randint", "exponential", "bits"];
/// Ops of the ternary family (`clamp_min` / `clamp_max` take one bound).
pub const TERNARY_OPS: &[&str] = &["where", "clamp", "clamp_min", "clamp_max", "masked_fill"];

/// Variant bit: input k (1..=3) reads the output's buffer.
const fn alias_bit(k: usize) -> u32 {
    1 << (k - 1)
}
/// Variant bit: input k (1..=2) is scalar slot 0 instead of a buffer.
const fn scalar_bit(k: usize) -> u32 {
    8 << (k - 1)
}

/// One input of a map kernel.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// A tensor: its buffer and its layout, already broadcast to the output's shape.
    Tensor(&'a GpuBuffer, &'a Layout),
    /// Scalar slot 0 (binary ops only).
    Scalar,
}

/// Output dtype and input dtypes of a map kernel key.
fn signature(key: &ShaderKey) -> Result<(DType, Vec<DType>)> {
    let d = key.dtypes[0];
    Ok(match key.family {
        Family::Fill => (d, vec![]),
        Family::Random if key.op == "bernoulli_tensor" => (d, vec![key.dtypes[1]]),
        Family::Random => (d, vec![]),
        Family::Copy => (d, vec![key.dtypes[1]]),
        Family::Unary => {
            let op = unary_op(key.op)?;
            (if op.is_bool_output() { DType::Bool } else { d }, vec![d])
        }
        Family::Binary => {
            let op = binary_op(key.op)?;
            (if op.is_bool_output() { DType::Bool } else { d }, vec![d, d])
        }
        Family::Ternary => match key.op {
            "where" => (d, vec![DType::Bool, d, d]),
            "clamp" => (d, vec![d, d, d]),
            "clamp_min" | "clamp_max" => (d, vec![d, d]),
            "masked_fill" => (d, vec![d, DType::Bool]),
            other => return Err(Error::Value(format!("unknown ternary op '{other}'"))),
        },
        other => return Err(Error::Runtime(format!("shader family {other:?} is not a map kernel"))),
    })
}

fn unary_op(name: &str) -> Result<UnaryOp> {
    ops_wgsl::UNARY_OPS.iter().find(|(n, _)| *n == name).map(|(_, o)| *o).ok_or_else(|| Error::Value(format!("unknown unary op '{name}'")))
}
fn binary_op(name: &str) -> Result<BinaryOp> {
    ops_wgsl::BINARY_OPS.iter().find(|(n, _)| *n == name).map(|(_, o)| *o).ok_or_else(|| Error::Value(format!("unknown binary op '{name}'")))
}

fn body(key: &ShaderKey, status: &mut bool) -> Result<String> {
    let d = key.dtypes[0];
    Ok(match key.family {
        Family::Fill => match key.op {
            "fill" => ops_wgsl::instantiate("return scalar_F(0u);", d),
            "arange" if d == DType::Bool => return Err(Error::NotImplemented("GPU arange is not implemented for bool".into())),
            "arange" => ops_wgsl::instantiate("return scalar_F(0u) + F(i) * scalar_F(1u);", d),
            "linspace" if d.is_float() => ops_wgsl::instantiate(
                "let n = mw(M_AUX); if (i < n / 2u) { return scalar_F(0u) + F(i) * scalar_F(2u); } return scalar_F(1u) - F(n - 1u - i) * scalar_F(2u);",
                d,
            ),
            "linspace" => return Err(Error::NotImplemented(format!("GPU linspace computes in a float dtype, not {d}"))),
            other => return Err(Error::Value(format!("unknown fill op '{other}'"))),
        },
        Family::Copy => ops_wgsl::cast_body(key.dtypes[1], d),
        Family::Random => random_body(key)?,
        Family::Unary => ops_wgsl::unary_body(unary_op(key.op)?, d)?,
        Family::Binary => ops_wgsl::binary_body(binary_op(key.op)?, d, status)?,
        Family::Ternary => {
            let b = match (key.op, d) {
                ("where", _) => "return select(b, a, c != 0u);",
                ("masked_fill", _) => "return select(x, scalar_F(0u), m != 0u);",
                ("clamp", DType::F32 | DType::F64) => "if (isnan_F(x)) { return x; } return nan_min_F(nan_max_F(x, lo), hi);",
                ("clamp_min", DType::F32 | DType::F64) => "if (isnan_F(x)) { return x; } return nan_max_F(x, lo);",
                ("clamp_max", DType::F32 | DType::F64) => "if (isnan_F(x)) { return x; } return nan_min_F(x, hi);",
                ("clamp", DType::Bool) => "return (x | lo) & hi;",
                ("clamp_min", DType::Bool) => "return x | lo;",
                ("clamp_max", DType::Bool) => "return x & hi;",
                ("clamp", _) => "return select(select(x, lo, x < lo), hi, select(x, lo, x < lo) > hi);",
                ("clamp_min", _) => "return select(x, lo, x < lo);",
                ("clamp_max", _) => "return select(x, hi, x > hi);",
                (other, _) => return Err(Error::Value(format!("unknown ternary op '{other}'"))),
            };
            ops_wgsl::instantiate(b, d)
        }
        other => return Err(Error::Runtime(format!("shader family {other:?} is not a map kernel"))),
    })
}

/// The body of a random fill's `op(i)` (scalars: 0 and 1 the distribution's parameters, 3 the
/// seed). Values are drawn in float32 or float64 and converted to the output type.
fn random_body(key: &ShaderKey) -> Result<String> {
    let d = key.dtypes[0];
    let t = wgsl_type(d);
    // Uniform draws in the float type values are drawn in: u in [0, 1), `open` in (0, 1] (safe
    // under a logarithm), `u2` independent of both.
    let (ft, u, open, u2) = if d == DType::F64 {
        (
            "f64",
            "(f64(bits64(r.y, r.x) >> 11u) * 1.1102230246251565e-16)",
            "((f64(bits64(r.y, r.x) >> 11u) + 1.0) * 1.1102230246251565e-16)",
            "(f64(bits64(r.w, r.z) >> 11u) * 1.1102230246251565e-16)",
        )
    } else {
        ("f32", "unit_f32(r.x)", "unit_open_f32(r.x)", "unit_f32(r.y)")
    };
    let conv = |e: &str| -> String {
        match d {
            DType::F32 | DType::F64 => format!("return {e};"),
            DType::Bool => format!("return select(0u, 1u, {e} != {ft}(0));"),
            _ => format!("return to_{t}_{ft}({e});"),
        }
    };
    if matches!(key.op, "normal" | "exponential") {
        ops_wgsl::check_f64(key.op, d)?;
    }
    Ok(match key.op {
        "bits" if d == DType::I32 => "let r = random_words(i); return bitcast<i32>(r.x);".into(),
        "bits" => return Err(Error::NotImplemented("GPU random bits are int32".into())),
        "uniform" => {
            let lo = format!("scalar_{ft}(0u)");
            let hi = format!("scalar_{ft}(1u)");
            format!("let r = random_words(i); let u = {u}; {}", conv(&format!("{lo} + ({hi} - {lo}) * u")))
        }
        "normal" => format!(
            "let r = random_words(i); let z = sqrt(-2.0 * log_{ft}({open})) * cos_{ft}(6.283185307179586 * {u2}); {}",
            conv(&format!("scalar_{ft}(0u) + scalar_{ft}(1u) * z"))
        ),
        "exponential" => format!("let r = random_words(i); {}", conv(&format!("-log_{ft}({open}) / scalar_{ft}(0u)"))),
        "bernoulli" => format!("let r = random_words(i); let u = {u}; {}", conv(&format!("select({ft}(0), {ft}(1), u < scalar_{ft}(0u))"))),
        "bernoulli_tensor" => {
            format!("let r = random_words(i); let u = {u}; {}", conv(&format!("select({ft}(0), {ft}(1), u < {ft}(p))")))
        }
        "randint" => {
            let draw = "let r = random_words(i); let span = scalar_u64(1u); let v = scalar_i64(0u) + bitcast<i64>(bits64(r.x, r.y) % span);";
            match d {
                DType::F32 | DType::F64 => format!("{draw} return {t}(v);"),
                DType::Bool => format!("{draw} return select(0u, 1u, v != 0li);"),
                _ => format!("{draw} return {t}(v);"),
            }
        }
        other => return Err(Error::Value(format!("unknown random op '{other}'"))),
    })
}

/// Parameter names of `op(...)` after `i`.
fn param_names(key: &ShaderKey) -> &'static [&'static str] {
    match (key.family, key.op) {
        (Family::Fill, _) => &[],
        (Family::Random, "bernoulli_tensor") => &["p"],
        (Family::Random, _) => &[],
        (Family::Copy | Family::Unary, _) => &["x"],
        (Family::Binary, _) => &["a", "b"],
        (_, "where") => &["c", "a", "b"],
        (_, "clamp") => &["x", "lo", "hi"],
        (_, "clamp_min") => &["x", "lo"],
        (_, "clamp_max") => &["x", "hi"],
        _ => &["x", "m"],
    }
}

/// Shader source of a map-family key (called by `source::shader_source`).
pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let (out_t, in_t) = signature(key)?;
    let mut status = false;
    let body = body(key, &mut status)?;
    let mut b = Bindings::default();
    b.add("out", wgsl_type(out_t), Access::ReadWrite);
    let lanes = ["o.y", "o.z", "o.w"];
    let mut params = String::new();
    let mut loads = Vec::new();
    for (k, (name, t)) in param_names(key).iter().zip(&in_t).enumerate() {
        let ty = wgsl_type(*t);
        params.push_str(&format!(", {name}: {ty}"));
        let pos = k + 1;
        if key.variant & scalar_bit(pos) != 0 && pos <= 2 {
            loads.push(format!("scalar_{ty}(0u)"));
        } else if key.variant & alias_bit(pos) != 0 {
            if *t != out_t {
                return Err(Error::Runtime(format!("shader {}: an input aliasing the output must share its dtype", key.name())));
            }
            loads.push(format!("out[{}]", lanes[k]));
        } else {
            let buf = format!("in{pos}");
            b.add(&buf, ty, Access::Read);
            loads.push(format!("{buf}[{}]", lanes[k]));
        }
    }
    if status {
        b.status();
    }
    let args: String = loads.iter().map(|l| format!(", {l}")).collect();
    let store = format!("out[o.x] = op(i{args});");
    let mut dtypes: Vec<DType> = in_t.clone();
    dtypes.push(out_t);
    if key.family == Family::Random {
        // Draws are made in float32 (float64 for float64 outputs) and converted.
        dtypes.push(if key.dtypes[0] == DType::F64 { DType::F64 } else { DType::F32 });
    }
    let mut libs = libraries(&dtypes)?;
    if key.family == Family::Random {
        libs.push_str(&crate::gpu::source::RANDOM.text());
    }
    let text = fill(&MAP.text(), &[("BINDINGS", &b.decls), ("PARAMS", &params), ("OT", wgsl_type(out_t)), ("BODY", &body), ("STORE", &store)])?;
    Ok((format!("{libs}{text}"), b.accesses))
}

/// Runs a map kernel: `family`/`op` over `dtypes` (the key's), writing `out` (`out_dtype`)
/// through `out_layout` from `inputs`; `meta` carries the op's scalars and flags.
#[allow(clippy::too_many_arguments)] // the kernel's description: key, output view, inputs, metadata
fn run_map(family: Family, op: &'static str, dtypes: &[DType], out: &GpuBuffer, out_layout: &Layout, out_dtype: DType, inputs: &[(Input, DType)], mut meta: Meta) -> Result<()> {
    let ctx = context()?;
    for &d in dtypes.iter().chain(std::iter::once(&out_dtype)) {
        check_dtype(ctx, d)?;
    }
    check_bounds(out, out_layout, out_dtype)?;
    let mut variant = 0u32;
    let mut needs_temp = false;
    for (k, (inp, d)) in inputs.iter().enumerate() {
        match inp {
            Input::Scalar => variant |= scalar_bit(k + 1),
            Input::Tensor(buf, l) => {
                if l.shape != out_layout.shape {
                    return Err(Error::Runtime(format!(
                        "GPU kernel: input shape {:?} is not the output's {:?} (broadcast first)",
                        l.shape.as_slice(),
                        out_layout.shape.as_slice()
                    )));
                }
                check_bounds(buf, l, *d)?;
                if buf.id() == out.id() {
                    if *l == out_layout && *d == out_dtype {
                        variant |= alias_bit(k + 1);
                    } else {
                        needs_temp = true;
                    }
                }
            }
        }
    }
    let n = out_layout.numel();
    if n == 0 {
        return Ok(());
    }
    if needs_temp {
        // Overlapping but not identical views of the output: compute into a fresh buffer.
        let tmp = GpuBuffer::new((n * crate::gpu::source::gpu_elem_size(out_dtype)) as u64)?;
        let tl = Layout::contiguous(&out_layout.shape);
        run_map(family, op, dtypes, &tmp, &tl, out_dtype, inputs, meta)?;
        return copy_cast(&tmp, &tl, out_dtype, out, out_layout, out_dtype);
    }
    let mut layouts: Vec<&Layout> = vec![out_layout];
    for (inp, _) in inputs {
        layouts.push(match inp {
            Input::Tensor(_, l) => l,
            Input::Scalar => out_layout,
        });
    }
    let space = Space::merge(&layouts)?;
    meta.strided(&space)?;
    let key = ShaderKey::new(family, op, dtypes, variant);
    let mut args = vec![Arg::Buf(out)];
    for (k, (inp, _)) in inputs.iter().enumerate() {
        if let Input::Tensor(buf, _) = inp {
            if variant & alias_bit(k + 1) == 0 {
                args.push(Arg::Buf(buf));
            }
        }
    }
    run(&key, &args, &meta, groups_for(n))
}

/// A random distribution for [`random`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform in [low, high) (`rand`, `uniform_`).
    Uniform {
        /// Inclusive lower bound.
        low: f64,
        /// Exclusive upper bound.
        high: f64,
    },
    /// `normal_(mean, std)` / `randn` (Box-Muller).
    Normal {
        /// Mean of the distribution.
        mean: f64,
        /// Standard deviation (not the variance).
        std: f64,
    },
    /// 1 with probability p (`bernoulli_(p)`).
    Bernoulli(f64),
    /// Integers uniform in [low, high) (`randint`, `random_`); high > low.
    RandInt {
        /// Smallest value drawn.
        low: i64,
        /// One past the largest value drawn.
        high: i64,
    },
    /// `exponential_(lambd)`.
    Exponential(f64),
    /// Philox's raw first word as int32 (known-answer tests).
    Bits,
}

/// Fills `out`'s view with draws from `dist`, element i from Philox(counter i, `seed`): the
/// caller draws `seed` from rgrad's generator, so `manual_seed` makes GPU fills reproducible.
pub fn random(dist: Distribution, dtype: DType, out: &GpuBuffer, out_layout: &Layout, seed: u64) -> Result<()> {
    let mut meta = Meta::default();
    meta.scalar(3, seed);
    // Parameters travel in the float type values are drawn in.
    let ft = if dtype == DType::F64 { DType::F64 } else { DType::F32 };
    let op = match dist {
        Distribution::Uniform { low, high } => {
            meta.scalar(0, scalar_bits(low, ft)).scalar(1, scalar_bits(high, ft));
            "uniform"
        }
        Distribution::Normal { mean, std } => {
            meta.scalar(0, scalar_bits(mean, ft)).scalar(1, scalar_bits(std, ft));
            "normal"
        }
        Distribution::Bernoulli(p) => {
            meta.scalar(0, scalar_bits(p, ft));
            "bernoulli"
        }
        Distribution::Exponential(l) => {
            meta.scalar(0, scalar_bits(l, ft));
            "exponential"
        }
        Distribution::RandInt { low, high } => {
            if high <= low {
                return Err(Error::Runtime(format!("random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")));
            }
            meta.scalar(0, low as u64).scalar(1, high.wrapping_sub(low) as u64);
            "randint"
        }
        Distribution::Bits => {
            if dtype != DType::I32 {
                return Err(Error::Runtime("GPU random bits are int32".into()));
            }
            "bits"
        }
    };
    run_map(Family::Random, op, &[dtype], out, out_layout, dtype, &[], meta)
}

/// `out = bernoulli(p)`: 1 where a uniform draw is below `p` (float, same shape as `out`).
pub fn bernoulli_tensor(p_dtype: DType, p: &GpuBuffer, p_layout: &Layout, out_dtype: DType, out: &GpuBuffer, out_layout: &Layout, seed: u64) -> Result<()> {
    let mut meta = Meta::default();
    meta.scalar(3, seed);
    run_map(Family::Random, "bernoulli_tensor", &[out_dtype, p_dtype], out, out_layout, out_dtype, &[(Input::Tensor(p, p_layout), p_dtype)], meta)
}

/// Writes `value` (converted to `dtype` as a cast would) into every element of `out`'s view.
pub fn fill_value(out: &GpuBuffer, layout: &Layout, dtype: DType, value: Scalar) -> Result<()> {
    let mut meta = Meta::default();
    meta.scalar(0, scalar_of(value, dtype));
    run_map(Family::Fill, "fill", &[dtype], out, layout, dtype, &[], meta)
}

/// The bit pattern of `value` as `dtype` (ints stay exact beyond 2^53).
pub fn scalar_of(value: Scalar, dtype: DType) -> u64 {
    match (value, dtype) {
        (Scalar::Int(i), DType::I64) => i as u64,
        (Scalar::Int(i), DType::I32) => i as i32 as u32 as u64,
        (Scalar::Int(i), DType::Bool) => (i != 0) as u64,
        (v, d) => scalar_bits(v.to_f64(), d),
    }
}

/// `out[i] = start + i * step` (`torch.arange`), in `dtype`'s arithmetic.
pub fn arange(out: &GpuBuffer, layout: &Layout, dtype: DType, start: Scalar, step: Scalar) -> Result<()> {
    let mut meta = Meta::default();
    meta.scalar(0, scalar_of(start, dtype)).scalar(1, scalar_of(step, dtype));
    run_map(Family::Fill, "arange", &[dtype], out, layout, dtype, &[], meta)
}

/// `torch.linspace(start, end, n)`: the first half counts up from `start`, the second down from
/// `end`, as PyTorch does, so both ends are exact. Float dtypes.
pub fn linspace(out: &GpuBuffer, layout: &Layout, dtype: DType, start: f64, end: f64) -> Result<()> {
    let n = layout.numel();
    let step = if n > 1 { (end - start) / (n - 1) as f64 } else { 0.0 };
    let mut meta = Meta::default();
    meta.scalar(0, scalar_bits(start, dtype)).scalar(1, scalar_bits(end, dtype)).scalar(2, scalar_bits(step, dtype));
    meta.set(slot::AUX, n as u32);
    run_map(Family::Fill, "linspace", &[dtype], out, layout, dtype, &[], meta)
}

/// Copies `src`'s view into `dst`'s view (same shape), converting `src_dtype` to `dst_dtype`
/// as a cast does. Serves `contiguous`, `to(dtype)`, `copy_`, `cat` and the like.
pub fn copy_cast(src: &GpuBuffer, src_layout: &Layout, src_dtype: DType, dst: &GpuBuffer, dst_layout: &Layout, dst_dtype: DType) -> Result<()> {
    if src.id() == dst.id() && src_layout == dst_layout && src_dtype == dst_dtype {
        return Ok(());
    }
    if src_dtype == dst_dtype && src.id() != dst.id() && src_layout.is_contiguous() && dst_layout.is_contiguous() {
        // Same bytes in the same order: a plain buffer copy, no kernel.
        check_bounds(src, src_layout, src_dtype)?;
        check_bounds(dst, dst_layout, dst_dtype)?;
        let es = crate::gpu::source::gpu_elem_size(src_dtype) as u64;
        let ctx = context()?;
        ctx.stream.lock().copy(ctx, src.raw(), src_layout.offset as u64 * es, dst.raw(), dst_layout.offset as u64 * es, src_layout.numel() as u64 * es);
        return Ok(());
    }
    run_map(Family::Copy, "copy", &[dst_dtype, src_dtype], dst, dst_layout, dst_dtype, &[(Input::Tensor(src, src_layout), src_dtype)], Meta::default())
}

/// `out = op(x)`; `out`'s dtype is `dtype`, or bool for `is_bool_output` ops.
pub fn unary(op: UnaryOp, dtype: DType, x: &GpuBuffer, x_layout: &Layout, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let mut meta = Meta::default();
    match op {
        UnaryOp::Softplus { beta, threshold } => {
            meta.scalar(0, scalar_bits(beta, dtype)).scalar(1, scalar_bits(threshold, dtype));
        }
        UnaryOp::RoundDecimals(d) => {
            meta.scalar(0, scalar_bits(10f64.powi(d.unsigned_abs().min(400) as i32), dtype));
            meta.set(slot::FLAGS, (d < 0) as u32);
        }
        UnaryOp::Clamp { min, max } => {
            if dtype == DType::Bool {
                meta.scalar(0, min.is_some_and(|v| v != 0.0) as u64).scalar(1, max.is_none_or(|v| v != 0.0) as u64);
            } else {
                meta.scalar(0, scalar_bits(min.unwrap_or(0.0), dtype)).scalar(1, scalar_bits(max.unwrap_or(0.0), dtype));
                meta.set(slot::FLAGS, min.is_some() as u32 | (max.is_some() as u32) << 1);
            }
        }
        UnaryOp::NanToNum { nan, posinf, neginf } => {
            let (hi, lo) = if dtype == DType::F32 { (f32::MAX as f64, f32::MIN as f64) } else { (f64::MAX, f64::MIN) };
            meta.scalar(0, scalar_bits(nan, dtype)).scalar(1, scalar_bits(posinf.unwrap_or(hi), dtype)).scalar(2, scalar_bits(neginf.unwrap_or(lo), dtype));
        }
        _ => {}
    }
    let out_dtype = if op.is_bool_output() { DType::Bool } else { dtype };
    run_map(Family::Unary, unary_name(op), &[dtype], out, out_layout, out_dtype, &[(Input::Tensor(x, x_layout), dtype)], meta)
}

/// `out = op(a, b)`, both of `dtype` (already promoted) and broadcast to `out`'s shape; `out`
/// is `dtype`, or bool for comparisons and logical ops. Integer division by zero is reported at
/// the next synchronisation (ZeroDivisionError).
#[allow(clippy::too_many_arguments)]
pub fn binary(op: BinaryOp, dtype: DType, a: &GpuBuffer, a_layout: &Layout, b: &GpuBuffer, b_layout: &Layout, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let out_dtype = if op.is_bool_output() { DType::Bool } else { dtype };
    let inputs = [(Input::Tensor(a, a_layout), dtype), (Input::Tensor(b, b_layout), dtype)];
    run_map(Family::Binary, binary_name(op), &[dtype], out, out_layout, out_dtype, &inputs, Meta::default())
}

/// `out = op(a, s)` (or `op(s, a)` when `scalar_first`) with a scalar operand that travels in
/// the dispatch's metadata, so no upload happens; `s` is converted to `dtype`.
#[allow(clippy::too_many_arguments)] // an input view, a scalar and an output view: one dispatch's operands
pub fn binary_scalar(op: BinaryOp, dtype: DType, a: &GpuBuffer, a_layout: &Layout, s: Scalar, scalar_first: bool, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let out_dtype = if op.is_bool_output() { DType::Bool } else { dtype };
    let t = (Input::Tensor(a, a_layout), dtype);
    let sc = (Input::Scalar, dtype);
    let inputs = if scalar_first { [sc, t] } else { [t, sc] };
    let mut meta = Meta::default();
    meta.scalar(0, scalar_of(s, dtype));
    run_map(Family::Binary, binary_name(op), &[dtype], out, out_layout, out_dtype, &inputs, meta)
}

/// `out = where(cond, a, b)`: cond bool, a and b of `dtype`, all broadcast to `out`'s shape.
#[allow(clippy::too_many_arguments)]
pub fn where_(dtype: DType, cond: &GpuBuffer, cond_layout: &Layout, a: &GpuBuffer, a_layout: &Layout, b: &GpuBuffer, b_layout: &Layout, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let inputs = [(Input::Tensor(cond, cond_layout), DType::Bool), (Input::Tensor(a, a_layout), dtype), (Input::Tensor(b, b_layout), dtype)];
    run_map(Family::Ternary, "where", &[dtype], out, out_layout, dtype, &inputs, Meta::default())
}

/// Clamp between tensor bounds (either may be absent), NaN propagating as `torch.clamp`.
#[allow(clippy::too_many_arguments)]
pub fn clamp_tensor(dtype: DType, x: &GpuBuffer, x_layout: &Layout, lo: Option<(&GpuBuffer, &Layout)>, hi: Option<(&GpuBuffer, &Layout)>, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let xi = (Input::Tensor(x, x_layout), dtype);
    let (op, inputs): (&'static str, Vec<(Input, DType)>) = match (lo, hi) {
        (Some((l, ll)), Some((h, hl))) => ("clamp", vec![xi, (Input::Tensor(l, ll), dtype), (Input::Tensor(h, hl), dtype)]),
        (Some((l, ll)), None) => ("clamp_min", vec![xi, (Input::Tensor(l, ll), dtype)]),
        (None, Some((h, hl))) => ("clamp_max", vec![xi, (Input::Tensor(h, hl), dtype)]),
        (None, None) => return copy_cast(x, x_layout, dtype, out, out_layout, dtype),
    };
    run_map(Family::Ternary, op, &[dtype], out, out_layout, dtype, &inputs, Meta::default())
}

/// `out = where(mask, value, x)` (`masked_fill`): mask bool, broadcast to `out`'s shape.
#[allow(clippy::too_many_arguments)] // three views and a value: one dispatch's operands
pub fn masked_fill(dtype: DType, x: &GpuBuffer, x_layout: &Layout, mask: &GpuBuffer, mask_layout: &Layout, value: Scalar, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let mut meta = Meta::default();
    meta.scalar(0, scalar_of(value, dtype));
    let inputs = [(Input::Tensor(x, x_layout), dtype), (Input::Tensor(mask, mask_layout), DType::Bool)];
    run_map(Family::Ternary, "masked_fill", &[dtype], out, out_layout, dtype, &inputs, meta)
}
