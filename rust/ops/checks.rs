//! Checks and rules every op family shares: devices (PyTorch's mixing rule), in-place writes,
//! dtype casting and promotion, and the "not implemented for dtype" error.

use crate::backend;
use crate::device::Device;
use crate::dtype::{result_type, DType, Operand};
use crate::error::{Error, Result};
use crate::tensor::{dtype_title, Tensor};

/// The device an op over `tensors` runs on, or PyTorch's error when they disagree: all
/// tensors share one device, except 0-d CPU tensors (what a Python number becomes), which
/// combine with tensors of any device, as PyTorch allows (`gpu_tensor * 2`,
/// `gpu_tensor + cpu_scalar_tensor`). With only such tensors the result is on the CPU.
#[inline]
pub fn common_device(tensors: &[&Tensor]) -> Result<Device> {
    // the common case, two tensors on one device, without the loop
    if let [a, b] = tensors {
        let d = a.device();
        if d == b.device() {
            return Ok(d);
        }
    }
    common_device_of(tensors.iter().map(|t| (t.device(), t.rank())))
}

/// The mixing rule itself, over (device, rank) pairs.
pub(crate) fn common_device_of(items: impl IntoIterator<Item = (Device, usize)>) -> Result<Device> {
    let mut found: Option<Device> = None;
    for (device, rank) in items {
        if rank == 0 && device == Device::Cpu {
            continue;
        }
        match found {
            None => found = Some(device),
            Some(d) if d != device => {
                return Err(Error::Runtime(format!(
                    "Expected all tensors to be on the same device, but found at least two devices, {d} and {device}!"
                )))
            }
            Some(_) => {}
        }
    }
    Ok(found.unwrap_or(Device::Cpu))
}

/// The device check of an in-place op writing `target`: the others must be on its device
/// (0-d CPU tensors excepted), and a 0-d CPU target does not move to another device.
pub fn check_inplace_device(target: &Tensor, others: &[&Tensor]) -> Result<()> {
    // the target counts as dimensioned: it cannot take another device's result
    common_device_of(std::iter::once((target.device(), 1)).chain(others.iter().map(|t| (t.device(), t.rank())))).map(|_| ())
}

/// [`common_device`] when only the check matters.
#[inline]
pub fn check_same_device(tensors: &[&Tensor]) -> Result<()> {
    // the common case, all on one device, without a loop
    if let [a, b] = tensors {
        if a.device() == b.device() {
            return Ok(());
        }
    }
    common_device(tensors).map(|_| ())
}

/// PyTorch's error for an op without a kernel for a dtype: `"add_cpu" not implemented for 'Bool'`
/// (NotImplementedError).
pub fn not_implemented(kernel: &str, d: DType) -> Error {
    Error::NotImplemented(format!("\"{kernel}\" not implemented for '{}'", dtype_title(d)))
}

/// The first value of the integer tensor `index` (row-major) outside `[lo, hi)`, if any: a
/// bounds check run by the backend, whose small result is read back (`backend::read_small`).
pub fn first_out_of_range(index: &Tensor, lo: i64, hi: i64) -> Result<Option<i64>> {
    if index.numel() == 0 {
        return Ok(None);
    }
    let r = backend::read_small::<i64>(&backend::first_out_of_range(index, lo, hi)?)?;
    Ok((r[0] != 0).then_some(r[1]))
}

/// PyTorch's `can_cast`: no float -> int, no non-bool -> bool.
pub fn can_cast(from: DType, to: DType) -> bool {
    let float_to_int = from.is_float() && !to.is_float();
    let to_bool = from != DType::Bool && to == DType::Bool;
    !float_to_int && !to_bool
}

/// Checks that an in-place result of dtype `result` fits the target's dtype.
pub fn check_inplace_dtype(result: DType, target: DType) -> Result<()> {
    if !can_cast(result, target) {
        return Err(Error::Runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            dtype_title(result),
            dtype_title(target)
        )));
    }
    Ok(())
}

/// In-place ops on a leaf that requires grad are refused outside `no_grad`, and so are
/// writes into read-only memory and the view cases PyTorch refuses.
pub fn check_inplace_allowed(t: &Tensor) -> Result<()> {
    if crate::autograd::is_grad_enabled() && t.is_leaf() && t.requires_grad() {
        return Err(Error::Runtime("a leaf Variable that requires grad is being used in an in-place operation.".into()));
    }
    if !t.storage().writeable() {
        return Err(Error::Runtime("cannot write to a tensor whose memory is read-only (from a read-only NumPy array)".into()));
    }
    crate::autograd::views::check_inplace_view(t)
}

/// `check_inplace_allowed` for a write of one value (fill_, `t[idx] = number`): memory
/// that several elements share may be written (PyTorch allows it: every alias gets the value).
pub fn check_fill_allowed(t: &Tensor) -> Result<()> {
    if crate::autograd::is_grad_enabled() && t.is_leaf() && t.requires_grad() {
        return Err(Error::Runtime("a leaf Variable that requires grad is being used in an in-place operation.".into()));
    }
    if !t.storage().writeable() {
        return Err(Error::Runtime("cannot write to a tensor whose memory is read-only (from a read-only NumPy array)".into()));
    }
    crate::autograd::views::check_view_autograd(t)
}

/// What `t` contributes to type promotion: a Python number, a 0-d tensor or a dimensioned one.
pub fn promotion_of(t: &Tensor) -> Operand {
    if t.is_wrapped_number() {
        Operand::Wrapped(t.dtype().category())
    } else if t.rank() == 0 {
        Operand::ZeroDim(t.dtype())
    } else {
        Operand::Dimensioned(t.dtype())
    }
}

/// `torch.result_type(a, b)`.
pub fn result_type2(a: &Tensor, b: &Tensor) -> DType {
    result_type(&[promotion_of(a), promotion_of(b)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::Scalar;
    use crate::storage::Storage;

    #[test]
    fn zero_dim_cpu_tensors_mix_with_any_device() {
        let (cpu, gpu) = (Device::Cpu, Device::Gpu(0));
        // a wrapped Python number (0-d CPU) joins a GPU tensor; the result is on the GPU
        assert_eq!(common_device_of([(gpu, 2), (cpu, 0)]).unwrap(), gpu);
        assert_eq!(common_device_of([(cpu, 0), (gpu, 1), (cpu, 0)]).unwrap(), gpu);
        assert_eq!(common_device_of([(gpu, 0), (gpu, 3)]).unwrap(), gpu);
        // only 0-d CPU tensors: the CPU
        assert_eq!(common_device_of([(cpu, 0), (cpu, 0)]).unwrap(), cpu);
        assert_eq!(common_device_of([]).unwrap(), cpu);
        // a 0-d GPU tensor does not join CPU tensors, nor do two GPUs or a CPU and a GPU tensor
        let e = common_device_of([(cpu, 1), (gpu, 0)]).unwrap_err().to_string();
        assert!(e.contains("Expected all tensors to be on the same device") && e.contains("cpu and gpu:0"), "{e}");
        assert!(common_device_of([(gpu, 1), (Device::Gpu(1), 1)]).is_err());
        assert!(common_device_of([(cpu, 3), (gpu, 3)]).is_err());
        assert!(common_device_of([(gpu, 3), (cpu, 0), (cpu, 1)]).is_err());
    }

    #[test]
    fn common_device_reads_tensors() {
        let a = Tensor::empty_on(&[2, 3], DType::F32, Device::Cpu).unwrap();
        let s = Tensor::wrapped_scalar(Scalar::Float(2.0));
        assert_eq!(common_device(&[&a, &s]).unwrap(), Device::Cpu);
        assert_eq!(common_device(&[&s]).unwrap(), Device::Cpu);
        assert!(check_same_device(&[&a, &a, &s]).is_ok());
        // memory on a GPU that does not exist is refused (gpu:7: no machine here has eight)
        assert!(Storage::uninit(16, DType::F32, Device::Gpu(7)).is_err());
        assert!(Tensor::empty_on(&[2], DType::F32, Device::Gpu(7)).unwrap_err().to_string().contains("not available"));
    }
}
