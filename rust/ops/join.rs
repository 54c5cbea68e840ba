//! Joining: cat / stack (and the h/v/d/column_stack family, atleast_Nd), broadcast_tensors,
//! meshgrid. Differentiable: cat's backward narrows the gradient back into pieces. (Splitting
//! is in `split.rs`; flips, rolls and repeats in `rearrange.rs`; triangles and diagonals in
//! `diagonal.rs`.)
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // cat
//! {
//!     use rgrad::Tensor;
//!     use rgrad::ops::join::cat;
//!     let a = Tensor::from_slice(&[1i64, 2], &[1, 2]).unwrap();
//!     let b = Tensor::from_slice(&[3i64, 4, 5, 6], &[2, 2]).unwrap();
//!     let c = cat(&[a.clone(), b], 0).unwrap();
//!     assert_eq!((c.shape(), c.to_vec::<i64>().unwrap()), (&[3, 2][..], vec![1, 2, 3, 4, 5, 6]));
//!     // the other dims must match
//!     assert!(cat(&[a, Tensor::from_slice(&[7i64], &[1, 1]).unwrap()], 0).is_err());
//! }
//! // stack
//! {
//!     use rgrad::Tensor;
//!     use rgrad::ops::join::stack;
//!     let a = Tensor::from_slice(&[1i64, 2], &[2]).unwrap();
//!     let b = Tensor::from_slice(&[3i64, 4], &[2]).unwrap();
//!     let s = stack(&[a, b], 1).unwrap();
//!     assert_eq!((s.shape(), s.to_vec::<i64>().unwrap()), (&[2, 2][..], vec![1, 3, 2, 4]));
//! }
//! ```

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::promote_types;
use crate::error::{Error, Result};
use crate::ops::checks::{common_device, first_out_of_range};
use crate::shape::{self, broadcast_all, fmt_shape, normalize_dim, Shape};
use crate::tensor::Tensor;
use crate::rt_err;

/// An index checked to be in range for a dim of `size`, negatives wrapped (`index_select`'s
/// index for NumPy-style `delete` / `insert`, which count from the end): IndexError otherwise.
pub fn normalized_index(idx: &Tensor, size: usize) -> Result<Tensor> {
    let n = size as i64;
    if let Some(i) = first_out_of_range(idx, -n, n)? {
        return Err(Error::Index(format!("index {i} is out of bounds for dimension with size {size}")));
    }
    if n == 0 {
        return Ok(idx.clone());
    }
    crate::autograd::no_grad(|| idx.remainder(&crate::tensor::Tensor::wrapped_scalar(crate::dtype::Scalar::Int(n))))
}

// ---------- cat / stack ----------

/// `torch.cat(tensors, dim)`: joins along an existing dim. Dtypes promote across the
/// inputs; legacy 1-D empty tensors (shape `[0]`) are skipped.
pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(Error::Value("torch.cat(): expected a non-empty list of Tensors".into()));
    }
    for (i, t) in tensors.iter().enumerate() {
        if t.rank() == 0 {
            return Err(rt_err!("zero-dimensional tensor (at position {i}) cannot be concatenated"));
        }
    }
    let dtype = tensors.iter().skip(1).fold(tensors[0].dtype(), |a, t| promote_types(a, t.dtype()));
    let skip = |t: &Tensor| t.rank() == 1 && t.shape()[0] == 0;
    let first = match tensors.iter().position(|t| !skip(t)) {
        Some(i) => i,
        None => {
            // all legacy-empty: PyTorch skips them all, dim unchecked
            return Tensor::empty_on(&[0], dtype, tensors[0].device());
        }
    };
    let device = common_device(&tensors.iter().filter(|t| !skip(t)).collect::<Vec<_>>())?;
    let refshape: Shape = tensors[first].shape().into();
    let rank = refshape.len();
    let d = normalize_dim(dim, rank)?;
    let mut total = 0usize;
    for (i, t) in tensors.iter().enumerate() {
        if skip(t) {
            continue;
        }
        if t.rank() != rank {
            return Err(rt_err!("Tensors must have same number of dimensions: got {} and {}", rank, t.rank()));
        }
        for k in 0..rank {
            if k != d && t.shape()[k] != refshape[k] {
                return Err(rt_err!(
                    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                    d, refshape[k], t.shape()[k], i
                ));
            }
        }
        total += t.shape()[d];
    }
    let mut shape = refshape.clone();
    shape[d] = total;
    let out = Tensor::empty_on(&shape, dtype, device)?;
    // contiguous inputs of the output's dtype and device: one pass of block copies (no
    // per-input plans)
    let blocks = tensors.iter().all(|t| skip(t) || (t.dtype() == dtype && t.is_contiguous() && t.device() == device));
    if blocks && out.numel() > 0 {
        let parts: Vec<&Tensor> = tensors.iter().filter(|t| !skip(t)).collect();
        backend::cat_contiguous(&out, &parts, d)?;
    }
    let mut sizes = Vec::with_capacity(tensors.len());
    let mut start = 0usize;
    for t in tensors {
        if skip(t) {
            sizes.push(None);
            continue;
        }
        let len = t.shape()[d];
        sizes.push(Some((start, len)));
        if len > 0 && !blocks {
            let dst = out.with_layout(out.layout().narrow(d as isize, start as isize, len as isize)?);
            dst.copy_from_raw(t)?;
        }
        start += len;
    }
    let refs: Vec<&Tensor> = tensors.iter().collect();
    if needs_grad(&refs) {
        let wants: Vec<bool> = tensors.iter().map(|t| t.requires_grad()).collect();
        record("CatBackward0", &out, &refs, vec![], move |_, g| {
            sizes
                .iter()
                .zip(&wants)
                .map(|(s, &w)| match (s, w) {
                    (Some((st, len)), true) => Ok(Some(g.narrow(d as isize, *st as isize, *len as isize)?)),
                    (None, true) => Ok(Some(Tensor::zeros_on(&[0], g.dtype(), g.device())?)),
                    _ => Ok(None),
                })
                .collect()
        });
    }
    Ok(out)
}

/// `torch.stack(tensors, dim)`: joins equal-shaped tensors along a new dim.
pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("stack expects a non-empty TensorList"));
    }
    let s0 = tensors[0].shape();
    for (i, t) in tensors.iter().enumerate().skip(1) {
        if t.shape() != s0 {
            return Err(rt_err!(
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                fmt_shape(s0),
                fmt_shape(t.shape()),
                i
            ));
        }
    }
    let d = normalize_dim(dim, s0.len() + 1)? as isize;
    let parts: Vec<Tensor> = tensors.iter().map(|t| t.unsqueeze(d)).collect::<Result<_>>()?;
    cat(&parts, d)
}

/// `atleast_1d` / `atleast_2d` / `atleast_3d` as NumPy: leading (and for 3-D, trailing) size-1 dims.
pub fn atleast(t: &Tensor, n: usize) -> Result<Tensor> {
    match (n, t.rank()) {
        (_, r) if r >= n => Ok(t.clone()),
        (1, 0) => t.reshape_to(&[1]),
        (2, 0) => t.reshape_to(&[1, 1]),
        (2, 1) => t.unsqueeze(0),
        (3, 0) => t.reshape_to(&[1, 1, 1]),
        (3, 1) => t.unsqueeze(0)?.unsqueeze(2),
        (3, 2) => t.unsqueeze(2),
        _ => Ok(t.clone()),
    }
}

/// `hstack`: cat along dim 1, or dim 0 for 1-D inputs (after atleast_1d).
pub fn hstack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("hstack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors.iter().map(|t| atleast(t, 1)).collect::<Result<_>>()?;
    let d = if ts[0].rank() == 1 { 0 } else { 1 };
    cat(&ts, d)
}

/// `vstack` / `row_stack`: cat along dim 0 after atleast_2d.
pub fn vstack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("vstack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors.iter().map(|t| atleast(t, 2)).collect::<Result<_>>()?;
    cat(&ts, 0)
}

/// `dstack`: cat along dim 2 after atleast_3d.
pub fn dstack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("dstack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors.iter().map(|t| atleast(t, 3)).collect::<Result<_>>()?;
    cat(&ts, 2)
}

/// `column_stack`: 0-d/1-d inputs become columns, then cat along dim 1.
pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
    if tensors.is_empty() {
        return Err(rt_err!("column_stack expects a non-empty TensorList"));
    }
    let ts: Vec<Tensor> = tensors
        .iter()
        .map(|t| if t.rank() <= 1 { t.reshape_to(&[t.numel(), 1]) } else { Ok(t.clone()) })
        .collect::<Result<_>>()?;
    cat(&ts, 1)
}

/// `broadcast_tensors(*tensors)`: expanded views to the common shape.
pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
    let shapes: Vec<&[usize]> = tensors.iter().map(|t| t.shape()).collect();
    let shape = broadcast_all(&shapes).map_err(|_| {
        // PyTorch names the first mismatching pair
        let mut acc: Shape = Shape::new();
        for s in &shapes {
            match shape::broadcast_shapes(&acc, s) {
                Ok(n) => acc = n,
                Err(_) => {
                    let n = acc.len().max(s.len());
                    for i in 0..n {
                        let a = if i + acc.len() >= n { acc[i + acc.len() - n] } else { 1 };
                        let b = if i + s.len() >= n { s[i + s.len() - n] } else { 1 };
                        if a != b && a != 1 && b != 1 {
                            return rt_err!("The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {i}");
                        }
                    }
                }
            }
        }
        rt_err!("shapes cannot be broadcast")
    })?;
    tensors.iter().map(|t| t.expand_to(&shape)).collect()
}

/// `meshgrid(*tensors, indexing)`: N 0-d/1-d tensors to N N-d grids (views).
pub fn meshgrid(tensors: &[Tensor], indexing: &str) -> Result<Vec<Tensor>> {
    if indexing != "ij" && indexing != "xy" {
        return Err(rt_err!("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}"));
    }
    if tensors.is_empty() {
        return Err(rt_err!("meshgrid expects a non-empty TensorList"));
    }
    for t in tensors {
        if t.rank() > 1 {
            return Err(rt_err!("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got a tensor of shape {}", fmt_shape(t.shape())));
        }
        if t.dtype() != tensors[0].dtype() {
            return Err(rt_err!("torch.meshgrid: Expected all tensors in the tensor list to have the same dtype"));
        }
    }
    let n = tensors.len();
    let swap = indexing == "xy" && n >= 2;
    let mut sizes: Vec<usize> = tensors.iter().map(|t| t.numel()).collect();
    if swap {
        sizes.swap(0, 1);
    }
    let mut out = Vec::with_capacity(n);
    for (i, t) in tensors.iter().enumerate() {
        let pos = if swap && i < 2 { 1 - i } else { i };
        let mut vshape = vec![1usize; n];
        vshape[pos] = t.numel();
        out.push(t.reshape_to(&vshape)?.expand_to(&sizes)?);
    }
    Ok(out)
}
