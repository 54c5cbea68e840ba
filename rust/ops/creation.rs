//! Creating tensors with contents: constants (`full`, `ones`, 0-d scalars, the wrapped numbers
//! Python operands become), host data (`from_slice`), ranges (`arange`, `linspace`) and `eye`.
//! (`Tensor::empty` / `Tensor::zeros` only allocate and live with the handle in `tensor.rs`;
//! random creators are in `random.rs`.)
//!
//! Every creator comes in two forms (the rule is spelled out on [`Tensor`]): the plain form
//! creates on the CPU, and the `_on` form takes the device as its last argument. Inside `ops`,
//! helpers are made with the `_on` forms on their input's device.
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // full
//! {
//!     use rgrad::{DType, Scalar, Tensor};
//!     let t = Tensor::full(&[3], Scalar::Float(2.5), DType::F64).unwrap();
//!     assert_eq!(t.to_vec::<f64>().unwrap(), vec![2.5; 3]);
//!     // the value is converted like a cast: 2.5 into an integer dtype truncates
//!     let i = Tensor::full(&[2], Scalar::Float(2.5), DType::I32).unwrap();
//!     assert_eq!(i.to_vec::<i32>().unwrap(), vec![2, 2]);
//! }
//! // ones
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::ones(&[2, 3], DType::F32).unwrap();
//!     assert_eq!(t.shape(), &[2, 3]);
//!     assert_eq!(t.to_vec::<f32>().unwrap(), vec![1.0; 6]);
//! }
//! // from_slice
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
//!     assert_eq!((t.shape(), t.dtype()), (&[2, 3][..], DType::F32));
//!     // the element count must match the shape
//!     assert!(Tensor::from_slice(&[1i64, 2, 3], &[2, 2]).is_err());
//! }
//! // scalar
//! {
//!     use rgrad::{DType, Scalar, Tensor};
//!     let s = Tensor::scalar(Scalar::Int(7), DType::I32).unwrap();
//!     assert_eq!(s.rank(), 0);
//!     assert_eq!(s.item().unwrap().to_f64(), 7.0);
//! }
//! // arange
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::arange(0.0, 1.0, 0.25, DType::F64).unwrap();
//!     assert_eq!(t.to_vec::<f64>().unwrap(), vec![0.0, 0.25, 0.5, 0.75]); // `end` excluded
//!     let i = Tensor::arange(5.0, 0.0, -2.0, DType::I64).unwrap();
//!     assert_eq!(i.to_vec::<i64>().unwrap(), vec![5, 3, 1]);
//!     assert!(Tensor::arange(0.0, 1.0, 0.0, DType::F32).is_err()); // a zero step
//! }
//! // linspace
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::linspace(0.0, 1.0, 5, DType::F64).unwrap();
//!     assert_eq!(t.to_vec::<f64>().unwrap(), vec![0.0, 0.25, 0.5, 0.75, 1.0]); // `end` included
//! }
//! // eye
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::eye(2, 3, DType::I64).unwrap();
//!     assert_eq!(t.to_vec::<i64>().unwrap(), vec![1, 0, 0, 0, 1, 0]);
//! }
//! ```

use crate::backend::{self, RangeFill};
use crate::device::Device;
use crate::dtype::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::shape;
use crate::storage::Storage;
use crate::tensor::Tensor;
use std::sync::Arc;

impl Tensor {
    /// A contiguous CPU tensor with every element `value`, converted to `dtype` (`torch.full`).
    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
        Tensor::full_on(shape, value, dtype, Device::Cpu)
    }

    /// [`Tensor::full`] on `device`.
    pub fn full_on(shape: &[usize], value: Scalar, dtype: DType, device: Device) -> Result<Tensor> {
        let t = Tensor::empty_on(shape, dtype, device)?;
        backend::fill(&t, value)?;
        Ok(t)
    }

    /// A contiguous CPU tensor of ones (`torch.ones`).
    pub fn ones(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::ones_on(shape, dtype, Device::Cpu)
    }

    /// [`Tensor::ones`] on `device`.
    pub fn ones_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        Tensor::full_on(shape, Scalar::Int(1), dtype, device)
    }

    /// Zeros of `self`'s shape, dtype and device (`zeros_like`).
    pub fn zeros_like(&self) -> Result<Tensor> {
        Tensor::zeros_on(self.shape(), self.dtype(), self.device())
    }

    /// Ones of `self`'s shape, dtype and device (`ones_like`).
    pub fn ones_like(&self) -> Result<Tensor> {
        Tensor::ones_on(self.shape(), self.dtype(), self.device())
    }

    /// Copies host values into a new contiguous tensor of `shape` on `device`.
    pub fn from_slice_on<T: Element>(data: &[T], shape: &[usize], device: Device) -> Result<Tensor> {
        if shape::numel(shape) != data.len() {
            return Err(Error::Runtime(format!("shape {} is invalid for input of size {}", shape::fmt_shape(shape), data.len())));
        }
        let t = Tensor::empty_on(shape, T::DTYPE, device)?;
        backend::upload(&t, data)?;
        Ok(t)
    }

    /// Copies host values into a new contiguous CPU tensor of `shape`.
    ///
    /// The dtype is the element type's (`f32` gives [`DType::F32`], `i64` [`DType::I64`], ...).
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Tensor> {
        Tensor::from_slice_on(data, shape, Device::Cpu)
    }

    /// A 0-d tensor of `dtype` holding `value`, on `device`.
    pub fn scalar_on(value: Scalar, dtype: DType, device: Device) -> Result<Tensor> {
        Tensor::full_on(&[], value, dtype, device)
    }

    /// A 0-d CPU tensor of `dtype` holding `value`.
    pub fn scalar(value: Scalar, dtype: DType) -> Result<Tensor> {
        Tensor::scalar_on(value, dtype, Device::Cpu)
    }

    /// A Python number as an operand: a 0-d CPU tensor that ranks lowest in type promotion
    /// (bool, int64 or float64 by the value's kind). It stays on the CPU whatever the other
    /// operand's device: 0-d CPU tensors combine with tensors of any device (PyTorch's rule,
    /// `ops::checks::common_device`).
    pub fn wrapped_scalar(value: Scalar) -> Tensor {
        let dtype = match value {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => DType::F64,
        };
        // 8 bytes of host memory cannot fail to allocate short of an abort
        let storage = Storage::uninit(1, dtype, Device::Cpu).expect("0-d allocation");
        let t = Tensor::wrapped_from_parts(Arc::new(storage), dtype);
        backend::fill(&t, value).expect("a CPU fill");
        t
    }

    /// `arange(start, end, step)` on `device`; `dtype` decides the element type.
    pub fn arange_on(start: f64, end: f64, step: f64, dtype: DType, device: Device) -> Result<Tensor> {
        if step == 0.0 {
            return Err(Error::Value("step must be nonzero".into()));
        }
        if !(start.is_finite() && end.is_finite()) {
            return Err(Error::Runtime(format!("unsupported range: {start} -> {end}")));
        }
        if (step > 0.0 && start > end) || (step < 0.0 && start < end) {
            return Err(Error::Runtime("upper bound and larger bound inconsistent with step sign".into()));
        }
        if dtype == DType::Bool {
            return Err(Error::NotImplemented("\"arange_cpu\" not implemented for 'Bool'".into()));
        }
        // the length comes from the arguments as given; the values, for an integer dtype,
        // from start and step truncated to integers first (PyTorch: arange(-1.5, 2.5, 1,
        // dtype=int64) is [-1, 0, 1, 2], not the truncated float values)
        let n = ((end - start) / step).ceil().max(0.0);
        if n >= usize::MAX as f64 {
            return Err(Error::Runtime(format!("arange: the result of {start} to {end} in steps of {step} has too many elements")));
        }
        let (start, step) = if dtype.is_int() { (start.trunc(), step.trunc()) } else { (start, step) };
        let t = Tensor::empty_on(&[n as usize], dtype, device)?;
        backend::fill_range(&t, RangeFill::Arange { start, step })?;
        Ok(t)
    }

    /// `arange(start, end, step)` on the CPU.
    pub fn arange(start: f64, end: f64, step: f64, dtype: DType) -> Result<Tensor> {
        Tensor::arange_on(start, end, step, dtype, Device::Cpu)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive (`torch.linspace`) on
    /// `device`; computed from both ends so that the last value is exactly `end`.
    /// For an integer dtype the ends are truncated to integers first and the values in
    /// between truncated (PyTorch: linspace(2.5, 1, 4, dtype=int64) is [2, 1, 1, 1]).
    pub fn linspace_on(start: f64, end: f64, steps: usize, dtype: DType, device: Device) -> Result<Tensor> {
        if dtype == DType::Bool {
            return Err(Error::NotImplemented("\"linspace_cpu\" not implemented for 'Bool'".into()));
        }
        let (start, end) = if dtype.is_int() { (start.trunc(), end.trunc()) } else { (start, end) };
        let t = Tensor::empty_on(&[steps], dtype, device)?;
        backend::fill_range(&t, RangeFill::Linspace { start, end })?;
        Ok(t)
    }

    /// `linspace` on the CPU.
    pub fn linspace(start: f64, end: f64, steps: usize, dtype: DType) -> Result<Tensor> {
        Tensor::linspace_on(start, end, steps, dtype, Device::Cpu)
    }

    /// An `n` x `m` matrix with ones on the main diagonal (`torch.eye`), on `device`.
    pub fn eye_on(n: usize, m: usize, dtype: DType, device: Device) -> Result<Tensor> {
        let t = Tensor::zeros_on(&[n, m], dtype, device)?;
        // the diagonal as a strided view: one fill
        let diagonal = crate::layout::Layout { shape: smallvec::smallvec![n.min(m)], strides: smallvec::smallvec![m as isize + 1], offset: 0 };
        backend::fill(&t.with_layout(diagonal), Scalar::Int(1))?;
        Ok(t)
    }

    /// `eye` on the CPU.
    pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
        Tensor::eye_on(n, m, dtype, Device::Cpu)
    }
}

/// Returns freed large buffers held for reuse to the system (`empty_cache`).
pub fn empty_cache() {
    backend::empty_cache()
}

/// A Python float as an operand (a wrapped number).
pub(crate) fn wrapped(v: f64) -> Tensor {
    Tensor::wrapped_scalar(Scalar::Float(v))
}
