//! One error type for the whole crate. Each variant is a *kind* of mistake; the
//! Python layer maps each kind to the exception class PyTorch raises for it
//! (see `python/errors.rs`). Messages always name what was wrong: shapes, dims,
//! dtypes, indices.

use thiserror::Error;

/// The crate's error: a kind (the Python exception it becomes) and a PyTorch-style message.
///
/// Every fallible function returns [`Result`]; nothing in the public API panics on
/// bad input.
/// ```
/// use rgrad::{DType, Error, Tensor};
/// let a = Tensor::ones(&[2, 3], DType::F32).unwrap();
/// let b = Tensor::ones(&[4], DType::F32).unwrap();
/// match a.add(&b) {
///     Err(Error::Runtime(msg)) => assert!(msg.contains("must match the size"), "{msg}"),
///     other => panic!("expected a shape error, got {other:?}"),
/// }
/// // an index out of range is its own kind (Python's IndexError)
/// assert!(matches!(a.select(0, 5), Err(Error::Index(_))));
/// ```
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Shape, broadcast, device, dtype-combination and autograd mistakes
    /// (PyTorch raises RuntimeError for all of these).
    #[error("{0}")]
    Runtime(String),
    /// An index or dim out of range (IndexError).
    #[error("{0}")]
    Index(String),
    /// A bad argument value: negative size, step 0, unknown option (ValueError).
    #[error("{0}")]
    Value(String),
    /// An argument of the wrong type (TypeError).
    #[error("{0}")]
    Type(String),
    /// An allocation that failed (MemoryError).
    #[error("{0}")]
    Memory(String),
    /// An op PyTorch has no kernel or derivative for at this dtype (NotImplementedError,
    /// a RuntimeError subclass): `"add_cpu" not implemented for 'Bool'`.
    #[error("{0}")]
    NotImplemented(String),
    /// A linear-algebra routine that cannot compute a result: a singular matrix, one that is
    /// not positive definite, no convergence (`torch.linalg.LinAlgError`, a RuntimeError
    /// subclass). The message names the batch element and the failing pivot or minor.
    #[error("{0}")]
    LinAlg(String),
}

/// `std::result::Result` with this crate's [`Error`](enum@Error).
pub type Result<T> = std::result::Result<T, Error>;

/// Shorthands so call sites read like the message they produce.
#[macro_export]
macro_rules! rt_err { ($($a:tt)*) => { $crate::error::Error::Runtime(format!($($a)*)) } }
/// Builds an [`Error::Index`] from `format!` arguments.
#[macro_export]
macro_rules! index_err { ($($a:tt)*) => { $crate::error::Error::Index(format!($($a)*)) } }
/// Builds an [`Error::Value`] from `format!` arguments.
#[macro_export]
macro_rules! value_err { ($($a:tt)*) => { $crate::error::Error::Value(format!($($a)*)) } }
/// Builds an [`Error::Type`] from `format!` arguments.
#[macro_export]
macro_rules! type_err { ($($a:tt)*) => { $crate::error::Error::Type(format!($($a)*)) } }
