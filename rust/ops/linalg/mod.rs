//! `torch.linalg`: each op's checks, output shapes and dtypes, one call into
//! `backend::linalg`, and its backward beside it (PyTorch's formulas, written with Tensor ops
//! so that `create_graph=True` differentiates them again).
//!
//! Families, one file each:
//! - `lu.rs`: `lu_factor(_ex)`, `lu`, `lu_unpack`, `lu_solve`;
//! - `solve.rs`: `solve(_ex)`, `inv(_ex)`, `det`, `slogdet`;
//! - `triangular.rs`: `solve_triangular`, `cholesky(_ex)`, `cholesky_solve`, `cholesky_inverse`;
//! - `qr_eigh.rs`: `qr`, `eigh`, `eigvalsh`;
//! - `svd.rs`: `svd`, `svdvals`;
//! - `lstsq.rs`: `lstsq`, `pinv`, `matrix_rank`;
//! - `norms.rs`: `matrix_norm`, `cond`, `vecdot`;
//! - `matrix_fn.rs`: `matrix_exp`, `matrix_power`, `vander`.
//!
//! Saved outputs are kept detached (a saved output holding its own node would be a cycle);
//! under `create_graph` a backward recomputes them from the saved inputs, differentiably.

pub mod lstsq;
pub mod lu;
pub mod matrix_fn;
pub mod norms;
pub mod qr_eigh;
pub mod solve;
pub mod svd;
pub mod triangular;

pub use norms::MatrixOrd;

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::Shape;
use crate::tensor::{dtype_title, Tensor};

/// `name: The input tensor A must have at least 2 dimensions.`
pub(crate) fn check_matrix(a: &Tensor, name: &str, arg: &str) -> Result<()> {
    if a.rank() < 2 {
        return Err(Error::Runtime(format!("{name}: The input tensor {arg} must have at least 2 dimensions.")));
    }
    Ok(())
}

/// Float32 / float64 only; PyTorch raises NotImplementedError (a RuntimeError subclass).
pub(crate) fn check_float(a: &Tensor, name: &str) -> Result<()> {
    if !a.dtype().is_float() {
        return Err(Error::NotImplemented(format!("{name}: Expected a floating point or complex tensor as input. Got {}", dtype_title(a.dtype()))));
    }
    Ok(())
}

/// Batches of square matrices.
pub(crate) fn check_square(a: &Tensor, name: &str, arg: &str) -> Result<()> {
    check_matrix(a, name, arg)?;
    let (m, n) = mn(a);
    if m != n {
        return Err(Error::Runtime(format!("{name}: {arg} must be batches of square matrices, but they are {m} by {n} matrices")));
    }
    Ok(())
}

/// The checks most functions of one square matrix start with, in PyTorch's order.
pub(crate) fn check_square_float(a: &Tensor, name: &str) -> Result<()> {
    check_matrix(a, name, "A")?;
    check_float(a, name)?;
    check_square(a, name, "A")
}

/// Two operands of one solver must share a dtype.
pub(crate) fn check_same_dtype(a: &Tensor, b: &Tensor, name: &str, an: &str, bn: &str) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "{name}: Expected {an} and {bn} to have the same dtype, but found {an} of type {} and {bn} of type {} instead",
            dtype_title(a.dtype()),
            dtype_title(b.dtype())
        )));
    }
    Ok(())
}

/// Rows and columns of the matrices of `a` (rank >= 2).
pub(crate) fn mn(a: &Tensor) -> (usize, usize) {
    let r = a.rank();
    (a.shape()[r - 2], a.shape()[r - 1])
}

/// The batch dims of a batch of matrices.
pub(crate) fn batch_of(a: &Tensor) -> &[usize] {
    &a.shape()[..a.rank() - 2]
}

/// `batch` followed by `tail`.
pub(crate) fn with_tail(batch: &[usize], tail: &[usize]) -> Shape {
    let mut s: Shape = batch.into();
    s.extend_from_slice(tail);
    s
}

/// A fresh `(*batch, rows, cols)` tensor with `like`'s dtype and device, laid out
/// column-major per matrix (the `.mT` of a contiguous tensor), the layout faer works in.
pub(crate) fn col_major(like: &Tensor, batch: &[usize], rows: usize, cols: usize) -> Result<Tensor> {
    Tensor::empty_on(&with_tail(batch, &[cols, rows]), like.dtype(), like.device())?.mt()
}

/// A fresh row-major `shape` tensor with `like`'s dtype and device.
pub(crate) fn empty_like_dtype(like: &Tensor, shape: &[usize]) -> Result<Tensor> {
    Tensor::empty_on(shape, like.dtype(), like.device())
}

/// A fresh int32 tensor of `shape` on `like`'s device (pivots, info).
pub(crate) fn int32(like: &Tensor, shape: &[usize]) -> Result<Tensor> {
    Tensor::zeros_on(shape, DType::I32, like.device())
}

/// The first nonzero `info` (flattened batch index, value), if any.
pub(crate) fn first_failure(info: &Tensor) -> Result<Option<(usize, i32)>> {
    Ok(info.to_vec::<i32>()?.into_iter().enumerate().find(|&(_, v)| v != 0))
}

/// PyTorch's error for a failed `info`: `api: (Batch element i): message` (the batch part only
/// for batched inputs), a `LinAlgError`.
pub(crate) fn linalg_error(api: &str, batched: bool, index: usize, message: &str) -> Error {
    let b = if batched { format!(": (Batch element {index})") } else { String::new() };
    Error::LinAlg(format!("{api}{b}: {message}"))
}

/// Raises [`linalg_error`] for the first failed batch element of `info`.
pub(crate) fn check_info(info: &Tensor, api: &str, batched: bool, message: impl Fn(i32) -> String) -> Result<()> {
    match first_failure(info)? {
        Some((i, code)) => Err(linalg_error(api, batched, i, &message(code))),
        None => Ok(()),
    }
}


/// The batch shapes of two operands broadcast together (PyTorch's message when they do not).
pub(crate) fn broadcast_batch(a: &[usize], b: &[usize]) -> Result<Shape> {
    crate::shape::broadcast_shapes(a, b)
}

/// `x` expanded to `batch` followed by its own last two dims (a view).
pub(crate) fn expand_batch(x: &Tensor, batch: &[usize]) -> Result<Tensor> {
    let (m, n) = mn(x);
    if batch_of(x) == batch {
        return Ok(x.clone());
    }
    x.expand_to(&with_tail(batch, &[m, n]))
}

/// `g` with zeros: a gradient that is identically zero, shaped like `like`.
pub(crate) fn zeros_as(like: &Tensor) -> Result<Tensor> {
    Tensor::zeros_on(like.shape(), like.dtype(), like.device())
}

/// `diag(v)` for the last dim of `v`: `(*, n)` -> `(*, n, n)`.
pub(crate) fn diag_matrix(v: &Tensor) -> Result<Tensor> {
    v.diag_embed(0, -2, -1)
}

/// Machine epsilon of a float dtype.
pub(crate) fn eps_of(dtype: DType) -> f64 {
    if dtype == DType::F32 {
        f32::EPSILON as f64
    } else {
        f64::EPSILON
    }
}
