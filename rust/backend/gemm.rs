//! Batched strided matrix products: `out = alpha * a @ b (+ beta * out)`.

use super::gpu_arm;
use super::operands::host_ptr;
use crate::cpu::gemm::{batched_gemm, Gemm, MatOperand};
use crate::device::Device;
use crate::dtype::Scalar;
use crate::error::Result;
use crate::shape::Shape;
use crate::tensor::Tensor;

/// `t` broadcast to `batch + [rows, cols]` as a kernel operand: strides in elements, 0 on
/// broadcast dims (transposed and sliced views reach the kernel as strides, never copied).
fn mat_operand(t: &Tensor, batch: &[usize], rows: usize, cols: usize) -> Result<MatOperand> {
    let mut full: Shape = batch.into();
    full.push(rows);
    full.push(cols);
    let l = t.layout().broadcast_to(&full)?;
    let r = l.rank();
    Ok(MatOperand { ptr: host_ptr(t), batch_strides: l.strides[..r - 2].to_vec(), rs: l.strides[r - 2], cs: l.strides[r - 1] })
}

/// `out = alpha * a @ b`, plus `beta * out` when `beta` is given (else `out` is not read, so
/// NaNs in it don't propagate). `a`: (..., m, k), `b`: (..., k, n), batch dims broadcasting to
/// `out`'s (batch..., m, n); all of `out`'s dtype (not bool); `out` must not overlap `a` or `b`.
pub fn gemm(out: &Tensor, a: &Tensor, b: &Tensor, alpha: Scalar, beta: Option<Scalar>) -> Result<()> {
    match out.device() {
        Device::Cpu => {
            let r = out.rank();
            let batch = &out.shape()[..r - 2];
            let (m, n) = (out.shape()[r - 2], out.shape()[r - 1]);
            let k = a.shape()[a.rank() - 1];
            let g = Gemm { m, n, k, batch, out: mat_operand(out, batch, m, n)?, a: mat_operand(a, batch, m, k)?, b: mat_operand(b, batch, k, n)?, alpha, beta };
            // SAFETY: the operands describe the three views; `out` does not overlap the inputs
            unsafe { batched_gemm(out.dtype(), &g) };
            Ok(())
        }
        Device::Gpu(_) => gpu_arm!("gemm", {
            use super::gpu_operands::{buf, view};
            let r = out.rank();
            let batch = &out.shape()[..r - 2];
            let (m, n) = (out.shape()[r - 2], out.shape()[r - 1]);
            let k = a.shape()[a.rank() - 1];
            let full = |rows: usize, cols: usize| -> Shape {
                let mut s: Shape = batch.into();
                s.push(rows);
                s.push(cols);
                s
            };
            if out.numel() == 0 {
                return Ok(());
            }
            if k == 0 {
                // an empty sum: beta * out, or zeros
                return match beta {
                    None => super::fill(out, Scalar::Int(0)),
                    Some(b) => {
                        let (ob, ol) = view(out)?;
                        crate::gpu::kernels::map::binary_scalar(crate::kinds::BinaryOp::Mul, out.dtype(), ob, &ol, b, false, ob, &ol)
                    }
                };
            }
            let al = a.layout().broadcast_to(&full(m, k))?;
            let bl = b.layout().broadcast_to(&full(k, n))?;
            let (ob, ol) = view(out)?;
            crate::gpu::kernels::matmul::matmul(out.dtype(), buf(a)?, &al, buf(b)?, &bl, ob, &ol, alpha, beta)
        }),
    }
}
