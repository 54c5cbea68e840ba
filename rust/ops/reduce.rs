//! Sum-family reductions: sum, mean, dot, and `sum_to_shape` (the backward of broadcasting).
//!
//! # Example
//!
//! The items of this module at work, one block each (a single doctest: `cargo test` builds one
//! program for them, not one per item):
//!
//! ```
//! // sum_dims
//! {
//!     use rgrad::{DType, Tensor};
//!     let t = Tensor::arange(0.0, 6.0, 1.0, DType::F32).unwrap().reshape(&[2, 3]).unwrap(); // [[0, 1, 2], [3, 4, 5]]
//!     assert_eq!(t.sum_dims(Some(&[0]), false, None).unwrap().to_vec::<f32>().unwrap(), vec![3.0, 5.0, 7.0]);
//!     let rows = t.sum_dims(Some(&[-1]), true, None).unwrap(); // keepdim: shape [2, 1]
//!     assert_eq!((rows.shape(), rows.to_vec::<f32>().unwrap()), (&[2, 1][..], vec![3.0, 12.0]));
//!     assert_eq!(t.sum().unwrap().item().unwrap().to_f64(), 15.0);
//! }
//! // mean_dims
//! {
//!     use rgrad::Tensor;
//!     let t = Tensor::from_slice(&[1.0f64, 2.0, 3.0, 5.0], &[2, 2]).unwrap();
//!     assert_eq!(t.mean_dims(Some(&[1]), false, None).unwrap().to_vec::<f64>().unwrap(), vec![1.5, 4.0]);
//!     // integer tensors have no mean (PyTorch's rule): convert first
//!     let i = Tensor::from_slice(&[1i64, 2], &[2]).unwrap();
//!     assert!(i.mean().is_err());
//! }
//! // max_dim
//! {
//!     use rgrad::Tensor;
//!     let t = Tensor::from_slice(&[3i64, 9, 4, 7, 1, 8], &[2, 3]).unwrap();
//!     let (values, indices) = t.max_dim(1, false).unwrap();
//!     assert_eq!(values.to_vec::<i64>().unwrap(), vec![9, 8]);
//!     assert_eq!(indices.to_vec::<i64>().unwrap(), vec![1, 2]);
//! }
//! ```

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{DType, Scalar};
use crate::kinds::ReduceOp;
use crate::error::{Error, Result};
use crate::shape::{fmt_shape, normalize_dim, Shape};
use crate::tensor::{dtype_title, Tensor};

/// Which dims a `dim=` argument names (None = all), as a mask; checks ranges and repeats.
pub fn reduce_mask(rank: usize, dims: Option<&[isize]>) -> Result<Vec<bool>> {
    let mut mask = vec![dims.is_none(); rank];
    if let Some(ds) = dims {
        if ds.is_empty() {
            // PyTorch: an empty dim list reduces everything
            return Ok(vec![true; rank]);
        }
        for &d in ds {
            let d = normalize_dim(d, rank)?;
            if rank == 0 {
                continue;
            }
            if mask[d] {
                return Err(Error::Runtime(format!("dim {d} appears multiple times in the list of dims")));
            }
            mask[d] = true;
        }
    }
    Ok(mask)
}

/// Output shape of a reduction.
pub fn reduced_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Shape {
    let mut out = Shape::new();
    for (i, &s) in shape.iter().enumerate() {
        if mask[i] {
            if keepdim {
                out.push(1);
            }
        } else {
            out.push(s);
        }
    }
    out
}

/// The accumulation dtype of `sum`: integers and bool sum in int64.
fn sum_dtype(d: DType) -> DType {
    if d.is_float() {
        d
    } else {
        DType::I64
    }
}

/// Raw (no autograd) sum over the masked dims into a fresh tensor of `dtype`.
fn sum_raw(x: &Tensor, mask: &[bool], keepdim: bool, dtype: DType) -> Result<Tensor> {
    let acc = if dtype == DType::Bool { DType::I64 } else { dtype };
    // the input converts to `dtype` first, as in PyTorch (for bool: 0.5 and NaN are true)
    let as_bool = if dtype == DType::Bool && x.dtype() != DType::Bool { Some(x.cast_raw(DType::Bool)?) } else { None };
    let x = as_bool.as_ref().unwrap_or(x).cast_or_borrow(acc)?;
    let out_shape = reduced_shape(x.shape(), mask, keepdim);
    let out = Tensor::empty_on(&out_shape, acc, x.device())?;
    backend::reduce(ReduceOp::Sum, &x, mask, &out, None)?;
    if acc != dtype { out.cast_raw(dtype) } else { Ok(out) }
}

impl Tensor {
    /// Sum of all elements (a 0-d tensor). Ints and bools sum in int64.
    pub fn sum(&self) -> Result<Tensor> {
        self.sum_dims(None, false, None)
    }

    /// `sum(dim, keepdim, dtype)`.
    ///
    /// `dims: None` reduces every dim; negative dims count from the end.
    pub fn sum_dims(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let mask = reduce_mask(self.rank(), dims)?;
        let dtype = dtype.unwrap_or_else(|| sum_dtype(self.dtype()));
        let out = sum_raw(self, &mask, keepdim, dtype)?;
        if needs_grad(&[self]) {
            let in_shape: Shape = self.shape().into();
            let kept = reduced_shape(self.shape(), &mask, true);
            // PyTorch's names: SumBackward0 for the sum of all elements, SumBackward1 with a dim
            let name = if dims.is_none() { "SumBackward0" } else { "SumBackward1" };
            record(name, &out, &[self], vec![], move |_, g| {
                Ok(vec![Some(g.reshape_to(&kept)?.expand_to(&in_shape)?)])
            });
        }
        Ok(out)
    }

    /// Mean of all elements (float dtypes only).
    pub fn mean(&self) -> Result<Tensor> {
        self.mean_dims(None, false, None)
    }

    /// `mean(dim, keepdim, dtype)`.
    pub fn mean_dims(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let dtype = dtype.unwrap_or(self.dtype());
        if !dtype.is_float() {
            return Err(Error::Runtime(format!(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                dtype_title(dtype)
            )));
        }
        let mask = reduce_mask(self.rank(), dims)?;
        let count: usize = self.shape().iter().zip(&mask).filter(|(_, &m)| m).map(|(&s, _)| s).product();
        // the sum divided in the same pass (an empty reduction gives nan, 0/0, as PyTorch)
        let x = self.cast_or_borrow(dtype)?;
        let out = Tensor::empty_on(&reduced_shape(x.shape(), &mask, keepdim), dtype, x.device())?;
        backend::reduce(ReduceOp::Mean, &x, &mask, &out, None)?;
        if needs_grad(&[self]) {
            let in_shape: Shape = self.shape().into();
            let kept = reduced_shape(self.shape(), &mask, true);
            let name = if dims.is_none() { "MeanBackward0" } else { "MeanBackward1" };
            record(name, &out, &[self], vec![], move |_, g| {
                Ok(vec![Some(g.reshape_to(&kept)?.expand_to(&in_shape)?.div_scalar(count as f64)?)])
            });
        }
        Ok(out)
    }

    /// Sums a broadcast gradient back to `shape` (leading dims and dims that were 1).
    pub fn sum_to_shape(&self, shape: &[usize]) -> Result<Tensor> {
        let r = self.rank();
        if shape.len() > r {
            return Err(Error::Runtime(format!(
                "sum_to_shape: cannot reduce {} to {}",
                fmt_shape(self.shape()),
                fmt_shape(shape)
            )));
        }
        let lead = r - shape.len();
        let mut dims: Vec<isize> = (0..lead as isize).collect();
        for (i, &s) in shape.iter().enumerate() {
            let have = self.shape()[lead + i];
            if s == 1 && have != 1 {
                dims.push((lead + i) as isize);
            } else if s != have {
                return Err(Error::Runtime(format!(
                    "sum_to_shape: {} is not broadcastable to {}",
                    fmt_shape(shape),
                    fmt_shape(self.shape())
                )));
            }
        }
        if dims.is_empty() {
            return Ok(self.clone());
        }
        self.sum_dims(Some(&dims), true, None)?.reshape_to(shape)
    }

    /// Dot product of two 1-D tensors of the same dtype and size.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
        if self.rank() != 1 || other.rank() != 1 {
            return Err(Error::Runtime(format!(
                "1D tensors expected, but got {}D and {}D tensors",
                self.rank(),
                other.rank()
            )));
        }
        if self.dtype() != other.dtype() {
            return Err(Error::Runtime(format!(
                "dot : expected both vectors to have same dtype, but found {} and {}",
                dtype_title(self.dtype()),
                dtype_title(other.dtype())
            )));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("\"dot\" not implemented for 'Bool'".into()));
        }
        if self.numel() != other.numel() {
            return Err(Error::Runtime(format!(
                "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                self.numel(),
                other.numel(),
                self.numel(),
                other.numel()
            )));
        }
        let out = crate::autograd::no_grad(|| {
            let prod = self.mul(other)?;
            let s = prod.sum()?;
            if s.dtype() != self.dtype() { s.cast_raw(self.dtype()) } else { Ok(s) }
        })?;
        if needs_grad(&[self, other]) {
            let (ga, gb) = (self.requires_grad(), other.requires_grad());
            record("DotBackward0", &out, &[self, other], vec![self.clone(), other.clone()], move |s, g| {
                Ok(vec![
                    if ga { Some(g.mul(&s[1])?) } else { None },
                    if gb { Some(g.mul(&s[0])?) } else { None },
                ])
            });
        }
        Ok(out)
    }
}

// ---------- max / min / arg / prod / all / any ----------

/// PyTorch's checks before a reduction without identity (max, amax, argmax, ...):
/// a full reduction of an empty tensor, or a reduced dim of size 0, is an error.
fn check_no_identity(name: &str, x: &Tensor, mask: &[bool], dims_given: bool, full_is_index: bool) -> Result<()> {
    if !dims_given || x.rank() == 0 {
        if x.numel() == 0 {
            let msg = format!("{name}(): Expected reduction dim to be specified for input.numel() == 0.");
            return Err(if full_is_index {
                Error::Index(msg)
            } else {
                Error::Runtime(format!("{msg} Specify the reduction dim with the 'dim' argument."))
            });
        }
        return Ok(());
    }
    for (d, (&m, &s)) in mask.iter().zip(x.shape()).enumerate() {
        if m && s == 0 {
            return Err(Error::Index(format!("{name}(): Expected reduction dim {d} to have non-zero size.")));
        }
    }
    Ok(())
}

/// Raw `amax`/`amin` over the masked dims.
fn extreme_raw(x: &Tensor, mask: &[bool], keepdim: bool, max: bool) -> Result<Tensor> {
    let out = Tensor::empty_on(&reduced_shape(x.shape(), mask, keepdim), x.dtype(), x.device())?;
    backend::reduce(if max { ReduceOp::Max } else { ReduceOp::Min }, x, mask, &out, None)?;
    Ok(out)
}

/// Raw arg-reduction over one dim (`None` = the flattened tensor): (values?, indices).
fn arg_raw(x: &Tensor, dim: Option<usize>, keepdim: bool, max: bool, with_values: bool) -> Result<(Option<Tensor>, Tensor)> {
    let (src, mask, out_shape): (Tensor, Vec<bool>, Shape) = match dim {
        Some(d) if x.rank() > 0 => {
            let mut mask = vec![false; x.rank()];
            mask[d] = true;
            let shape = reduced_shape(x.shape(), &mask, keepdim);
            (x.clone(), mask, shape)
        }
        _ => {
            // positions are row-major over the whole tensor: reduce it as one flat run (a
            // graph-free handle on its storage when contiguous, else a contiguous copy); one
            // handle made directly, which matters for the per-call cost of a small argmax
            let c = if x.is_contiguous() { x.clone() } else { x.contiguous_raw()? };
            let run = crate::layout::Layout { shape: smallvec::smallvec![x.numel()], strides: smallvec::smallvec![1], offset: c.storage_offset() };
            let flat = Tensor::from_parts(std::sync::Arc::clone(c.storage()), run, c.dtype());
            let shape: Shape = if keepdim { std::iter::repeat_n(1, x.rank()).collect() } else { Shape::new() };
            (flat, vec![true], shape)
        }
    };
    let idx = Tensor::empty_on(&out_shape, DType::I64, x.device())?;
    let vals = if with_values { Some(Tensor::empty_on(&out_shape, x.dtype(), x.device())?) } else { None };
    match &vals {
        // max(dim) / min(dim): the values, and the index of each
        Some(v) => backend::reduce(if max { ReduceOp::Max } else { ReduceOp::Min }, &src, &mask, v, Some(&idx))?,
        None => backend::reduce(if max { ReduceOp::ArgMax } else { ReduceOp::ArgMin }, &src, &mask, &idx, None)?,
    }
    Ok((vals, idx))
}

/// Gradient of a max/min-like reduction: `g` split evenly among the elements equal to the result.
fn evenly_distribute(x: &Tensor, out: &Tensor, g: &Tensor, mask: &[bool], keepdim: bool) -> Result<Tensor> {
    let kept = reduced_shape(x.shape(), mask, true);
    let (out_k, g_k) = if keepdim { (out.clone(), g.clone()) } else { (out.reshape_to(&kept)?, g.reshape_to(&kept)?) };
    let hit = x.eq_t(&out_k)?.to_dtype(g.dtype())?;
    let dims: Vec<isize> = (0..x.rank()).filter(|&d| mask[d]).map(|d| d as isize).collect();
    let count = if x.rank() == 0 { hit.clone() } else { hit.sum_dims(Some(&dims), true, None)? };
    g_k.mul(&hit)?.div(&count)
}

impl Tensor {
    fn extreme(&self, name: &'static str, dims: Option<&[isize]>, keepdim: bool, max: bool) -> Result<Tensor> {
        let mask = reduce_mask(self.rank(), dims)?;
        let given = dims.is_some_and(|d| !d.is_empty());
        check_no_identity(name, self, &mask, given, false)?;
        let out = extreme_raw(self, &mask, keepdim, max)?;
        if needs_grad(&[self]) {
            let node = match (name, max) {
                ("amax", _) => "AmaxBackward0",
                ("amin", _) => "AminBackward0",
                (_, true) => "MaxBackward1",
                (_, false) => "MinBackward1",
            };
            record(node, &out, &[self], vec![self.clone(), out.detach()], move |s, g| {
                let out = if crate::autograd::is_grad_enabled() { extreme_raw(&s[0], &mask, keepdim, max)? } else { s[1].clone() };
                Ok(vec![Some(evenly_distribute(&s[0], &out, g, &mask, keepdim)?)])
            });
        }
        Ok(out)
    }

    /// `amax(dim=(), keepdim=False)`: NaN-propagating max over dims; ties share the gradient evenly.
    pub fn amax(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.extreme("amax", dims, keepdim, true)
    }
    /// `amin(dim=(), keepdim=False)`.
    pub fn amin(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        self.extreme("amin", dims, keepdim, false)
    }
    /// `max()`: the largest element (0-d); NaN propagates; ties share the gradient.
    pub fn max_all(&self) -> Result<Tensor> {
        self.extreme("max", None, false, true)
    }
    /// `min()`.
    pub fn min_all(&self) -> Result<Tensor> {
        self.extreme("min", None, false, false)
    }

    fn extreme_dim(&self, name: &'static str, dim: isize, keepdim: bool, max: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(dim, self.rank())?;
        let mut mask = vec![false; self.rank()];
        if self.rank() > 0 {
            mask[d] = true;
        }
        check_no_identity(name, self, &mask, true, false)?;
        let (vals, idx) = arg_raw(self, Some(d), keepdim, max, true)?;
        let vals = vals.expect("values requested");
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            let rank = self.rank();
            record(if max { "MaxBackward0" } else { "MinBackward0" }, &vals, &[self], vec![idx.clone()], move |s, g| {
                if rank == 0 {
                    return Ok(vec![Some(g.clone())]);
                }
                let (g, i) = if keepdim { (g.clone(), s[0].clone()) } else { (g.unsqueeze(d as isize)?, s[0].unsqueeze(d as isize)?) };
                Ok(vec![Some(g.scatter_add_along(d, &i, &shape)?)])
            });
        }
        Ok((vals, idx))
    }

    /// `max(dim, keepdim=False)` -> (values, indices); the gradient goes to the returned index.
    pub fn max_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim("max", dim, keepdim, true)
    }
    /// `min(dim, keepdim=False)` -> (values, indices).
    pub fn min_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim("min", dim, keepdim, false)
    }

    fn arg_extreme(&self, name: &'static str, dim: Option<isize>, keepdim: bool, max: bool) -> Result<Tensor> {
        if self.dtype() == DType::Bool {
            return Err(Error::Runtime(format!("{name}(): does not support bool input")));
        }
        let d = match dim {
            Some(d) => Some(normalize_dim(d, self.rank())?),
            None => None,
        };
        let mut mask = vec![false; self.rank()];
        if let (Some(d), true) = (d, self.rank() > 0) {
            mask[d] = true;
        }
        check_no_identity(name, self, &mask, d.is_some(), true)?;
        Ok(arg_raw(self, d, keepdim, max, false)?.1)
    }

    /// `argmax(dim=None, keepdim=False)`: index of the first maximum (the first NaN if any).
    pub fn argmax(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_extreme("argmax", dim, keepdim, true)
    }
    /// `argmin(dim=None, keepdim=False)`.
    pub fn argmin(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_extreme("argmin", dim, keepdim, false)
    }

    /// `aminmax(*, dim=None, keepdim=False)` -> (min, max).
    pub fn aminmax(&self, dim: Option<isize>, keepdim: bool) -> Result<(Tensor, Tensor)> {
        let mask = match dim {
            Some(d) => reduce_mask(self.rank(), Some(&[d]))?,
            None => vec![true; self.rank()],
        };
        let empty = if dim.is_some() && self.rank() > 0 { mask.iter().zip(self.shape()).any(|(&m, &s)| m && s == 0) } else { self.numel() == 0 };
        if empty {
            return Err(Error::Runtime("aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.".into()));
        }
        let dims: Option<Vec<isize>> = dim.map(|d| vec![d]);
        Ok((self.amin(dims.as_deref(), keepdim)?, self.amax(dims.as_deref(), keepdim)?))
    }

    /// `prod(dim=None, keepdim=False, dtype=None)`; ints and bools multiply in int64.
    /// The gradient handles zeros as PyTorch (one zero: the product of the others; more: 0).
    pub fn prod_dims(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let mask = reduce_mask(self.rank(), dims)?;
        let dtype = dtype.unwrap_or_else(|| sum_dtype(self.dtype()));
        let out = prod_raw(self, &mask, keepdim, dtype)?;
        if needs_grad(&[self]) && dtype.is_float() {
            record("ProdBackward0", &out, &[self], vec![self.clone()], move |s, g| Ok(vec![Some(prod_backward(&s[0], g, &mask, keepdim)?)]));
        }
        Ok(out)
    }

    /// `all(dim=None, keepdim=False)`: true where every element is nonzero.
    pub fn all_dims(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let mask = reduce_mask(self.rank(), dims)?;
        let out = Tensor::empty_on(&reduced_shape(self.shape(), &mask, keepdim), DType::Bool, self.device())?;
        backend::reduce(ReduceOp::All, self, &mask, &out, None)?;
        Ok(out)
    }
    /// `any(dim=None, keepdim=False)`: true where some element is nonzero.
    pub fn any_dims(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let mask = reduce_mask(self.rank(), dims)?;
        let out = Tensor::empty_on(&reduced_shape(self.shape(), &mask, keepdim), DType::Bool, self.device())?;
        backend::reduce(ReduceOp::Any, self, &mask, &out, None)?;
        Ok(out)
    }

    /// `count_nonzero(dim=None)`: int64 counts.
    pub fn count_nonzero(&self, dims: Option<&[isize]>) -> Result<Tensor> {
        let nz = crate::autograd::no_grad(|| self.ne_t(&Tensor::wrapped_scalar(Scalar::Int(0))))?;
        nz.sum_dims(dims, false, Some(DType::I64))
    }
}

/// Raw product in `dtype` (bool results computed in int64 then converted).
fn prod_raw(x: &Tensor, mask: &[bool], keepdim: bool, dtype: DType) -> Result<Tensor> {
    let acc = if dtype == DType::Bool { DType::I64 } else { dtype };
    // the input converts to `dtype` first (see `sum_raw`)
    let as_bool = if dtype == DType::Bool && x.dtype() != DType::Bool { Some(x.cast_raw(DType::Bool)?) } else { None };
    let x = as_bool.as_ref().unwrap_or(x).cast_or_borrow(acc)?;
    let out = Tensor::empty_on(&reduced_shape(x.shape(), mask, keepdim), acc, x.device())?;
    backend::reduce(ReduceOp::Prod, &x, mask, &out, None)?;
    if acc != dtype { out.cast_raw(dtype) } else { Ok(out) }
}

/// d prod / d x_k = product of the other elements, written with differentiable ops:
/// no zero in a slice -> prod / x; exactly one zero -> the product of the rest at the zero; else 0.
fn prod_backward(x: &Tensor, g: &Tensor, mask: &[bool], keepdim: bool) -> Result<Tensor> {
    let kept = reduced_shape(x.shape(), mask, true);
    let g_k = if keepdim { g.clone() } else { g.reshape_to(&kept)? };
    let dims: Vec<isize> = (0..x.rank()).filter(|&d| mask[d]).map(|d| d as isize).collect();
    let dims_opt = if x.rank() == 0 { None } else { Some(dims.as_slice()) };
    let zero = x.eq_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?;
    let zcount = zero.sum_dims(dims_opt, true, None)?;
    let x_safe = x.masked_fill_scalar(&zero, 1.0)?;
    let prod_nz = x_safe.prod_dims(dims_opt, true, None)?;
    // slices without zeros
    let no_zero_part = prod_nz.div(&x_safe)?.masked_fill_scalar(&zcount.ne_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?, 0.0)?;
    // the single zero of slices with exactly one
    let one_zero = zcount.eq_t(&Tensor::wrapped_scalar(Scalar::Int(1)))?.to_dtype(x.dtype())?;
    let single = prod_nz.mul(&one_zero)?.mul(&zero.to_dtype(x.dtype())?)?;
    g_k.mul(&no_zero_part.add(&single)?)
}

/// Fused `sum(|x|)` (p = 1) or `sum(x * x)` (p = 2) over the masked dims (float inputs, no autograd).
pub(crate) fn pow_sum_raw(x: &Tensor, mask: &[bool], keepdim: bool, p: u8) -> Result<Tensor> {
    if !x.dtype().is_float() {
        return Err(Error::Runtime(format!("pow_sum: expected a floating point tensor, got {}", dtype_title(x.dtype()))));
    }
    let out = Tensor::empty_on(&reduced_shape(x.shape(), mask, keepdim), x.dtype(), x.device())?;
    backend::reduce(if p == 1 { ReduceOp::SumAbs } else { ReduceOp::SumSquare }, x, mask, &out, None)?;
    Ok(out)
}
