//! Cumulative ops along one dim (shaders/scan.wgsl): cumsum, cumprod (accumulating in the
//! output's dtype, e.g. int64 for an int32 input), cummax / cummin with int64 indices (the
//! latest index of the running extreme, NaN counting as the extreme, as PyTorch), logcumsumexp.

use super::ops_wgsl::{check_f64, instantiate};
use super::{check_bounds, check_dtype, line_meta, lines, via_temp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::Meta;
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, libraries, wgsl_type, Bindings, Family, ShaderKey, SCAN};
use crate::layout::Layout;

/// A cumulative op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// Running sum (`cumsum`).
    Sum,
    /// Running product (`cumprod`).
    Prod,
    /// Running max with the index where it was last reached (`cummax`).
    Max,
    /// Running min with its index (`cummin`).
    Min,
    /// Running `log(sum(exp(x)))`, computed stably (`logcumsumexp`).
    LogSumExp,
}

/// Shader op names of the scan family, in [`Scan`]'s order.
pub const SCAN_OPS: &[&str] = &["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"];

fn name(op: Scan) -> &'static str {
    match op {
        Scan::Sum => "cumsum",
        Scan::Prod => "cumprod",
        Scan::Max => "cummax",
        Scan::Min => "cummin",
        Scan::LogSumExp => "logcumsumexp",
    }
}

/// Shader source of a scan key: dtypes [input, output].
pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let (xd, od) = (key.dtypes[0], key.dtypes[1]);
    let extreme = matches!(key.op, "cummax" | "cummin");
    if extreme && xd != od {
        return Err(Error::Runtime("GPU cummax/cummin: values keep the input's dtype".into()));
    }
    if key.op == "logcumsumexp" {
        if !od.is_float() {
            return Err(Error::NotImplemented(format!("GPU logcumsumexp is not implemented for {od}")));
        }
        check_f64("logcumsumexp", od)?;
    }
    let (at, xt) = (wgsl_type(od), wgsl_type(xd));
    let isnan = |v: &str| if od.is_float() { format!("isnan_F({v})") } else { "false".into() };
    let (premap, combine) = match key.op {
        "cumsum" => (format!("return {at}(v);"), "return Acc(a.v + b.v, 0u);".to_string()),
        "cumprod" => (format!("return {at}(v);"), "return Acc(a.v * b.v, 0u);".to_string()),
        "cummax" | "cummin" => {
            let cmp = if key.op == "cummax" { ">=" } else { "<=" };
            ("return v;".into(), format!("let takes = {} || (!{} && b.v {cmp} a.v); if (takes) {{ return b; }} return a;", isnan("b.v"), isnan("a.v")))
        }
        "logcumsumexp" => (
            format!("return {at}(v);"),
            "if (isnan_F(a.v) || isnan_F(b.v)) { return Acc(nan_F(), 0u); } let hi = max(a.v, b.v); let lo = min(a.v, b.v); \
             if (hi == -inf_F()) { return Acc(hi, 0u); } return Acc(hi + log1p_F(exp_F(lo - hi)), 0u);"
                .into(),
        ),
        other => return Err(Error::Value(format!("unknown scan '{other}'"))),
    };
    let mut b = Bindings::default();
    b.add("out", at, Access::ReadWrite);
    if extreme {
        b.add("idx_out", "i64", Access::ReadWrite);
    }
    b.add("x", xt, Access::Read);
    let store = if extreme { "out[o.x + i32(j) * os] = r.v; idx_out[o.z + i32(j) * is] = i64(r.i);" } else { "out[o.x + i32(j) * os] = r.v;" };
    let text = fill(
        &SCAN.text(),
        &[("BINDINGS", &b.decls), ("AT", at), ("XT", xt), ("PREMAP", &premap), ("COMBINE", &instantiate(&combine, od)), ("STORE", store)],
    )?;
    Ok((format!("{}{text}", libraries(&[xd, od])?), b.accesses))
}

/// Cumulative `op` of `x` along `dim` into `out` (dtype `out_dtype`; for Max/Min the input's,
/// with `indices` the int64 positions). Layouts all of one shape.
#[allow(clippy::too_many_arguments)]
pub fn scan(op: Scan, x_dtype: DType, x: &GpuBuffer, x_layout: &Layout, dim: usize, out_dtype: DType, out: &GpuBuffer, out_layout: &Layout, indices: Option<(&GpuBuffer, &Layout)>) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, x_dtype)?;
    check_dtype(ctx, out_dtype)?;
    check_bounds(x, x_layout, x_dtype)?;
    check_bounds(out, out_layout, out_dtype)?;
    let extreme = matches!(op, Scan::Max | Scan::Min);
    if extreme != indices.is_some() {
        return Err(Error::Runtime("GPU scan: cummax/cummin take an index output, other scans none".into()));
    }
    if x.id() == out.id() {
        return via_temp(out_dtype, out, out_layout, |t, tl| scan(op, x_dtype, x, x_layout, dim, out_dtype, t, tl, indices));
    }
    let mut layouts = vec![out_layout, x_layout];
    if let Some((ib, il)) = indices {
        check_bounds(ib, il, DType::I64)?;
        if ib.id() == x.id() {
            return via_temp(DType::I64, ib, il, |t, tl| scan(op, x_dtype, x, x_layout, dim, out_dtype, out, out_layout, Some((t, tl))));
        }
        layouts.push(il);
    }
    let (space, len, strides) = lines(dim, &layouts)?;
    let n = space.numel();
    if n == 0 || len == 0 {
        return Ok(());
    }
    // Operand order in the shader: out, input, index out (as `layouts`).
    let mut meta = Meta::default();
    line_meta(&mut meta, &space, len, &strides)?;
    let key = ShaderKey::new(Family::Scan, name(op), &[x_dtype, out_dtype], 0);
    let mut args = vec![Arg::Buf(out)];
    if let Some((ib, _)) = indices {
        args.push(Arg::Buf(ib));
    }
    args.push(Arg::Buf(x));
    run(&key, &args, &meta, n as u64)
}
