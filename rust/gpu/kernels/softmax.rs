//! softmax / log_softmax along one dim (shaders/softmax.wgsl), forward and backward, in float32
//! (and float64 once exp/log are in f64_math.wgsl: see ops_wgsl::F64_TABLE).

use super::ops_wgsl::check_f64;
use super::{check_bounds, check_dtype, groups_for, line_meta, lines, via_temp};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::buffer::GpuBuffer;
use crate::gpu::context::context;
use crate::gpu::meta::Meta;
use crate::gpu::pipeline::{run, Access, Arg};
use crate::gpu::source::{fill, libraries, wgsl_type, Bindings, Family, ShaderKey, SOFTMAX};
use crate::layout::Layout;

/// Shader op names of the softmax family: the two forwards and their backwards.
pub const SOFTMAX_OPS: &[&str] = &["softmax", "log_softmax", "softmax_backward", "log_softmax_backward"];

/// Lines at most this long run one thread per line.
const SHORT: usize = 32;

pub(crate) fn source(key: &ShaderKey) -> Result<(String, Vec<Access>)> {
    let d = key.dtypes[0];
    if !d.is_float() {
        return Err(Error::NotImplemented(format!("GPU softmax is not implemented for {d}")));
    }
    let log = key.op.starts_with("log_");
    check_f64(if log { "log_softmax" } else { "softmax" }, d)?;
    let t = wgsl_type(d);
    let mut b = Bindings::default();
    b.add("out", t, Access::ReadWrite).add("x", t, Access::Read).add("y", t, Access::Read);
    let (write, bsum, bwrite) = if log {
        ("out[o.x + i32(j) * os] = v - log_T(s);", "s = s + gv;", "out[o.x + i32(j) * os] = gv - exp_T(yv) * s;")
    } else {
        ("out[o.x + i32(j) * os] = exp_T(v) / s;", "s = s + gv * yv;", "out[o.x + i32(j) * os] = yv * (gv - s);")
    };
    let text = fill(
        &SOFTMAX.text(),
        &[("BINDINGS", &b.decls), ("T", t), ("WRITE", &write.replace("_T(", &format!("_{t}("))), ("BWD_SUM", bsum), ("BWD_WRITE", &bwrite.replace("_T(", &format!("_{t}(")))],
    )?;
    let mut accesses = b.accesses;
    if !key.op.ends_with("backward") {
        accesses.pop();
    }
    Ok((format!("{}{text}", libraries(&[d])?), accesses))
}

/// `out = softmax(x)` (or log_softmax) along `dim`; all layouts of one shape.
pub fn softmax(log: bool, dtype: DType, x: &GpuBuffer, x_layout: &Layout, dim: usize, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(x, x_layout, dtype)?;
    check_bounds(out, out_layout, dtype)?;
    if x.id() == out.id() {
        // One buffer cannot be bound both read-only and writable in a dispatch.
        return via_temp(dtype, out, out_layout, |t, tl| softmax(log, dtype, x, x_layout, dim, t, tl));
    }
    let (space, len, strides) = lines(dim, &[out_layout, x_layout])?;
    let n = space.numel();
    if n == 0 || len == 0 {
        return Ok(());
    }
    let mut meta = Meta::default();
    line_meta(&mut meta, &space, len, &strides)?;
    let mut key = ShaderKey::new(Family::Softmax, if log { "log_softmax" } else { "softmax" }, &[dtype], 0);
    let groups = if len <= SHORT {
        key.entry = "forward_short";
        groups_for(n)
    } else {
        key.entry = "forward";
        n as u64
    };
    run(&key, &[Arg::Buf(out), Arg::Buf(x)], &meta, groups)
}

/// The gradient of softmax (or log_softmax) along `dim` from the incoming gradient `grad` and
/// the forward output `y`, into `out`.
#[allow(clippy::too_many_arguments)]
pub fn softmax_backward(log: bool, dtype: DType, grad: &GpuBuffer, grad_layout: &Layout, y: &GpuBuffer, y_layout: &Layout, dim: usize, out: &GpuBuffer, out_layout: &Layout) -> Result<()> {
    let ctx = context()?;
    check_dtype(ctx, dtype)?;
    check_bounds(grad, grad_layout, dtype)?;
    check_bounds(y, y_layout, dtype)?;
    check_bounds(out, out_layout, dtype)?;
    if grad.id() == out.id() || y.id() == out.id() {
        return via_temp(dtype, out, out_layout, |t, tl| softmax_backward(log, dtype, grad, grad_layout, y, y_layout, dim, t, tl));
    }
    let (space, len, strides) = lines(dim, &[out_layout, grad_layout, y_layout])?;
    let n = space.numel();
    if n == 0 || len == 0 {
        return Ok(());
    }
    let mut meta = Meta::default();
    line_meta(&mut meta, &space, len, &strides)?;
    let mut key = ShaderKey::new(Family::Softmax, if log { "log_softmax_backward" } else { "softmax_backward" }, &[dtype], 0);
    let groups = if len <= SHORT {
        key.entry = "backward_short";
        groups_for(n)
    } else {
        key.entry = "backward";
        n as u64
    };
    run(&key, &[Arg::Buf(out), Arg::Buf(grad), Arg::Buf(y)], &meta, groups)
}
