//! Random creators (`rand`, `randn`, `randint`) and the generator state they draw from
//! (re-exported from the backend for the bindings: `rgrad.Generator`, `manual_seed`, ...).
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // rand
//! {
//!     use rgrad::{DType, Tensor};
//!     rgrad::manual_seed(0);
//!     let a = Tensor::rand(&[1000], DType::F32).unwrap().to_vec::<f32>().unwrap();
//!     assert!(a.iter().all(|&x| (0.0..1.0).contains(&x)));
//!     rgrad::manual_seed(0); // the same seed gives the same draws
//!     assert_eq!(Tensor::rand(&[1000], DType::F32).unwrap().to_vec::<f32>().unwrap(), a);
//! }
//! // randn
//! {
//!     use rgrad::{DType, Tensor};
//!     rgrad::manual_seed(1);
//!     let x = Tensor::randn(&[10_000], DType::F64).unwrap();
//!     let (mean, std) = (x.mean().unwrap().item().unwrap().to_f64(), x.std_dims(None, 1.0, false).unwrap().item().unwrap().to_f64());
//!     assert!(mean.abs() < 0.05 && (std - 1.0).abs() < 0.05);
//!     // integer dtypes have no normal distribution
//!     assert!(Tensor::randn(&[2], DType::I64).is_err());
//! }
//! // randint
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::randint(-2, 3, &[500], DType::I64).unwrap();
//!     assert!(t.to_vec::<i64>().unwrap().iter().all(|v| (-2..3).contains(v)));
//! }
//! ```

use crate::backend::{self, RandomFill};
use crate::device::Device;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::checks::not_implemented;
use crate::tensor::Tensor;

pub use crate::backend::random::{default_generator, drawing_from, fresh_seed, initial_seed, manual_seed, Generator, Seeded, SharedGenerator, DEFAULT_SEED};

impl Tensor {
    /// Uniform on [0, 1) (float dtypes), on `device`.
    pub fn rand_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        if !dtype.is_float() {
            return Err(not_implemented("check_uniform_bounds", dtype));
        }
        let t = Tensor::empty_on(shape, dtype, device)?;
        backend::random_fill(&t, RandomFill::Uniform)?;
        Ok(t)
    }

    /// Uniform on [0, 1) on the CPU.
    pub fn rand(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::rand_on(shape, dtype, Device::Cpu)
    }

    /// Standard normal (float dtypes), on `device`.
    pub fn randn_on(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        if !dtype.is_float() {
            return Err(not_implemented("normal_kernel_cpu", dtype));
        }
        let t = Tensor::empty_on(shape, dtype, device)?;
        backend::random_fill(&t, RandomFill::Normal)?;
        Ok(t)
    }

    /// Standard normal on the CPU.
    pub fn randn(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::randn_on(shape, dtype, Device::Cpu)
    }

    /// Uniform integers in [low, high), on `device`.
    pub fn randint_on(low: i64, high: i64, shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        if high <= low {
            return Err(Error::Runtime(format!("random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")));
        }
        let t = Tensor::empty_on(shape, dtype, device)?;
        let span = (high as i128 - low as i128) as u64;
        backend::random_fill(&t, RandomFill::Int { low, span })?;
        Ok(t)
    }

    /// Uniform integers in [low, high) on the CPU.
    pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::randint_on(low, high, shape, dtype, Device::Cpu)
    }
}
