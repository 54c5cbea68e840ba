//! Which reducer runs a `ReduceOp` on the CPU: the CPU arm of `backend::reduce`, so the
//! reduction engine's generic `Reducer` trait stays inside `cpu/`.

use crate::cpu::iter::{Operand, SendPtr};
use crate::cpu::reduce::{reduce, ArgR, ExtremeR, LogicR, MeanR, PowSumR, ProdR, SumR};
use crate::dtype::DType;
use crate::kinds::ReduceOp;

/// Runs reduction `op` over the `mask`ed dims of `input` (shape `shape`, elements of `dtype`)
/// into the contiguous `out` (and, for `Max`/`Min` with a non-null `indices`, the int64 index
/// of each extreme; `ArgMax`/`ArgMin` write only indices, into `out`). Returns false when
/// `op` has no kernel for `dtype` (the ops layer converts first: sums and products of bool
/// run in int64, norms on floats only).
///
/// # Safety
/// `input` must describe readable elements of `dtype` over `shape`; `out` (and `indices`)
/// must hold one element per kept position.
pub unsafe fn reduce_op(op: ReduceOp, dtype: DType, shape: &[usize], mask: &[bool], input: &Operand, out: *mut u8, indices: *mut u8) -> bool {
    let outs = [SendPtr(out), SendPtr(indices)];
    macro_rules! arith {
        ($R:ident) => {
            match dtype {
                DType::F32 => reduce(&$R::<f32>::new(), shape, mask, input, outs),
                DType::F64 => reduce(&$R::<f64>::new(), shape, mask, input, outs),
                DType::I64 => reduce(&$R::<i64>::new(), shape, mask, input, outs),
                DType::I32 => reduce(&$R::<i32>::new(), shape, mask, input, outs),
                DType::Bool => return false,
            }
        };
    }
    match op {
        ReduceOp::Sum => arith!(SumR),
        ReduceOp::Prod => arith!(ProdR),
        ReduceOp::Mean => {
            let count: usize = shape.iter().zip(mask).filter(|(_, &m)| m).map(|(&s, _)| s).product();
            match dtype {
                DType::F32 => reduce(&MeanR::<f32>::new(count), shape, mask, input, outs),
                DType::F64 => reduce(&MeanR::<f64>::new(count), shape, mask, input, outs),
                _ => return false,
            }
        }
        ReduceOp::Max | ReduceOp::Min => {
            let max = op == ReduceOp::Max;
            crate::dispatch_dtype!(dtype, T => match (max, indices.is_null()) {
                (true, true) => reduce(&ExtremeR::<T, true>::new(), shape, mask, input, outs),
                (false, true) => reduce(&ExtremeR::<T, false>::new(), shape, mask, input, outs),
                (true, false) => reduce(&ArgR::<T, true>::new(true), shape, mask, input, outs),
                (false, false) => reduce(&ArgR::<T, false>::new(true), shape, mask, input, outs),
            })
        }
        ReduceOp::ArgMax => crate::dispatch_dtype!(dtype, T => reduce(&ArgR::<T, true>::new(false), shape, mask, input, outs)),
        ReduceOp::ArgMin => crate::dispatch_dtype!(dtype, T => reduce(&ArgR::<T, false>::new(false), shape, mask, input, outs)),
        ReduceOp::Any => crate::dispatch_dtype!(dtype, T => reduce(&LogicR::<T, false>::new(), shape, mask, input, outs)),
        ReduceOp::All => crate::dispatch_dtype!(dtype, T => reduce(&LogicR::<T, true>::new(), shape, mask, input, outs)),
        ReduceOp::SumAbs | ReduceOp::SumSquare => match (dtype, op == ReduceOp::SumAbs) {
            (DType::F32, true) => reduce(&PowSumR::<f32, 1>::new(), shape, mask, input, outs),
            (DType::F32, false) => reduce(&PowSumR::<f32, 2>::new(), shape, mask, input, outs),
            (DType::F64, true) => reduce(&PowSumR::<f64, 1>::new(), shape, mask, input, outs),
            (DType::F64, false) => reduce(&PowSumR::<f64, 2>::new(), shape, mask, input, outs),
            _ => return false,
        },
    }
    true
}
