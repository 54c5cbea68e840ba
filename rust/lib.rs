//! rgrad: a small tensor library with strided storage, broadcasting kernels and
//! a tape-based autograd. The same crate backs the Python package (`rgrad`).
//!
//! ```
//! use rgrad::{Tensor, DType, Device};
//! let x = Tensor::arange(0.0, 4.0, 1.0, DType::F32).unwrap();
//! x.set_requires_grad(true).unwrap();
//! let y = x.dot(&x).unwrap().mul_scalar(2.0).unwrap();
//! y.backward().unwrap();
//! assert_eq!(x.grad().unwrap().to_vec::<f32>().unwrap(), vec![0.0, 4.0, 8.0, 12.0]);
//! ```

#![warn(missing_docs)]

pub mod autograd;
pub mod backend;
pub mod cpu;
pub mod device;
pub mod dtype;
pub mod error;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod kinds;
pub mod layout;
pub mod ops;
pub mod serialize;
pub mod shape;
pub mod storage;
pub mod tensor;

#[cfg(feature = "python")]
mod python;

pub use device::Device;
pub use dtype::{DType, Scalar};
pub use error::{Error, Result};
pub use layout::Layout;
pub use tensor::Tensor;

impl Tensor {
    /// Backpropagates from this (scalar) tensor into the leaves' `.grad`.
    pub fn backward(&self) -> Result<()> {
        autograd::backward(std::slice::from_ref(self), vec![None], None, false, None)
    }
}

/// Seeds the CPU generator: every random op after this is reproducible.
pub fn manual_seed(seed: u64) {
    ops::random::manual_seed(seed)
}
