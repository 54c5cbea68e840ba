//! Sorting and counting ops: sort/argsort/msort/topk/kthvalue (values are
//! differentiable: the gradient is scattered back through the indices),
//! unique/unique_consecutive, searchsorted/bucketize, bincount, histc.

use crate::autograd::{needs_grad, no_grad, record};
use crate::backend;
use crate::dtype::{promote_types, DType, Scalar};
use crate::error::{Error, Result};
use crate::kinds::ReduceOp;
use crate::ops::checks::{check_same_device, first_out_of_range, not_implemented};
use crate::shape::{normalize_dim, Shape};
use crate::tensor::{dtype_title, Tensor};
use crate::rt_err;

pub use crate::backend::UniqueOut;

/// Forward of `sort` (no autograd): contiguous values and int64 indices.
fn sort_raw(x: &Tensor, d: usize, descending: bool) -> Result<(Tensor, Tensor)> {
    let vals = Tensor::empty_on(x.shape(), x.dtype(), x.device())?;
    let idx = Tensor::empty_on(x.shape(), DType::I64, x.device())?;
    backend::sort(x, d, descending, &vals, &idx)?;
    Ok((vals, idx))
}

impl Tensor {
    /// `sort(dim=-1, descending=False, stable=False)` -> (values, indices). Always
    /// stable; NaN sorts as the largest value. Values are differentiable.
    pub fn sort(&self, dim: isize, descending: bool, stable: bool) -> Result<(Tensor, Tensor)> {
        let _ = stable; // every sort here is stable
        if self.rank() == 0 {
            normalize_dim(dim, 0)?;
            let v = self.clone_t()?;
            return Ok((v, Tensor::zeros_on(&[], DType::I64, self.device())?));
        }
        let d = normalize_dim(dim, self.rank())?;
        let (vals, idx) = sort_raw(self, d, descending)?;
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            let index = idx.clone();
            record("SortBackward0", &vals, &[self], vec![], move |_, g| Ok(vec![Some(g.scatter_add_along(d, &index, &shape)?)]));
        }
        Ok((vals, idx))
    }

    /// `argsort(dim=-1, descending=False, stable=False)`: the indices of `sort`.
    pub fn argsort(&self, dim: isize, descending: bool, stable: bool) -> Result<Tensor> {
        Ok(no_grad(|| self.sort(dim, descending, stable))?.1)
    }

    /// `msort()`: values sorted along dim 0.
    pub fn msort(&self) -> Result<Tensor> {
        Ok(self.sort(0, false, false)?.0)
    }

    /// `topk(k, dim=-1, largest=True, sorted=True)` -> (values, indices).
    pub fn topk(&self, k: isize, dim: isize, largest: bool, sorted: bool) -> Result<(Tensor, Tensor)> {
        let _ = sorted; // results always come sorted
        if self.dtype() == crate::dtype::DType::Bool {
            return Err(Error::NotImplemented("topk does not support bool dtypes on CPU".into()));
        }
        let n = if self.rank() == 0 { 1 } else { self.shape()[normalize_dim(dim, self.rank())?] };
        if k < 0 || k as usize > n {
            return Err(rt_err!("selected index k out of range"));
        }
        let (v, i) = self.sort(dim, largest, true)?;
        if self.rank() == 0 {
            return Ok((v, i));
        }
        Ok((v.narrow(dim, 0, k)?, i.narrow(dim, 0, k)?.contiguous_raw()?))
    }

    /// `kthvalue(k, dim=-1, keepdim=False)` -> (values, indices): the k-th smallest.
    pub fn kthvalue(&self, k: isize, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("\"kthvalue_cpu\" not implemented for 'Bool'".into()));
        }
        let d = normalize_dim(dim, self.rank())?;
        let n = if self.rank() == 0 { 1 } else { self.shape()[d] };
        if k < 1 || k as usize > n {
            return Err(rt_err!("kthvalue(): selected number k out of range for dimension {d}"));
        }
        let (v, i) = self.sort(dim, false, true)?;
        if self.rank() == 0 {
            return Ok((v, i));
        }
        let (mut v, mut i) = (v.select(d as isize, k - 1)?, i.select(d as isize, k - 1)?.contiguous_raw()?);
        if keepdim {
            v = v.unsqueeze(d as isize)?;
            i = i.unsqueeze(d as isize)?;
        }
        Ok((v.contiguous()?, i))
    }
}

// ---------- unique ----------

/// PyTorch records a node for `unique` whose backward raises: the values require grad when
/// the input does, and `backward()` through them fails with "the derivative for '...' is not
/// implemented." (NotImplementedError). `inverse` / `counts` never require grad.
fn mark_not_differentiable(u: UniqueOut, input: &Tensor, node: &'static str, op: &'static str) -> UniqueOut {
    if needs_grad(&[input]) {
        record(node, &u.values, &[input], vec![], move |_, _| Err(Error::NotImplemented(format!("the derivative for '{op}' is not implemented."))));
    }
    u
}

impl Tensor {
    /// `unique(sorted=True, return_inverse=False, return_counts=False, dim=None)`.
    /// Output is always sorted; with `dim`, whole slices along `dim` are compared.
    /// Each NaN is its own value, as in PyTorch. Not differentiable: like PyTorch, the values
    /// of an input that requires grad carry a node whose backward raises.
    pub fn unique(&self, return_inverse: bool, return_counts: bool, dim: Option<isize>) -> Result<UniqueOut> {
        if let Some(d) = dim {
            let u = self.unique_dim(d, return_inverse, return_counts, false)?;
            return Ok(mark_not_differentiable(u, self, "UniqueDimBackward0", "unique_dim"));
        }
        let u = self.unique_flat(return_inverse)?;
        Ok(mark_not_differentiable(u, self, "Unique2Backward0", "_unique2"))
    }

    fn unique_flat(&self, return_inverse: bool) -> Result<UniqueOut> {
        let x = self.detach().reshape_to(&[self.numel()])?.contiguous_raw()?;
        backend::unique(&x, false, return_inverse, self.shape())
    }

    /// `unique_consecutive(return_inverse=False, return_counts=False, dim=None)`.
    pub fn unique_consecutive(&self, return_inverse: bool, return_counts: bool, dim: Option<isize>) -> Result<UniqueOut> {
        let u = match dim {
            Some(d) => self.unique_dim(d, return_inverse, return_counts, true)?,
            None => self.unique_consecutive_flat(return_inverse)?,
        };
        Ok(mark_not_differentiable(u, self, "UniqueConsecutiveBackward0", "unique_consecutive"))
    }

    fn unique_consecutive_flat(&self, return_inverse: bool) -> Result<UniqueOut> {
        let x = self.detach().reshape_to(&[self.numel()])?.contiguous_raw()?;
        backend::unique(&x, true, return_inverse, self.shape())
    }

    /// Unique slices along `dim` (sorted lexicographically, or consecutive runs).
    fn unique_dim(&self, dim: isize, return_inverse: bool, return_counts: bool, consecutive: bool) -> Result<UniqueOut> {
        let _ = (return_inverse, return_counts);
        if self.rank() == 0 {
            return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
        }
        let d = normalize_dim(dim, self.rank())?;
        let x = self.detach();
        let moved = x.movedim(&[d as isize], &[0])?.contiguous_raw()?;
        let u = backend::unique_dim(&moved, consecutive)?;
        let values = no_grad(|| x.index_select(d as isize, &u.firsts))?;
        Ok(UniqueOut { values, inverse: u.inverse, counts: u.counts })
    }
}

// ---------- searchsorted / bucketize ----------

/// `searchsorted(sorted_sequence, values, out_int32, right, sorter)`: insertion
/// points. `sorted_sequence` is 1-D, or N-D with leading dims matching `values`.
pub fn searchsorted(seq: &Tensor, values: &Tensor, out_int32: bool, right: bool, sorter: Option<&Tensor>) -> Result<Tensor> {
    if seq.dtype() == DType::Bool {
        return Err(Error::NotImplemented("\"searchsorted_out_cpu\" not implemented for 'Bool'".into()));
    }
    if seq.rank() == 0 {
        return Err(rt_err!("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [] and input value tensor {}", crate::shape::fmt_shape(values.shape())));
    }
    if seq.rank() > 1 && (values.rank() != seq.rank() || values.shape()[..values.rank() - 1] != seq.shape()[..seq.rank() - 1]) {
        return Err(rt_err!(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {} and input value tensor {}",
            crate::shape::fmt_shape(seq.shape()),
            crate::shape::fmt_shape(values.shape())
        ));
    }
    if let Some(s) = sorter {
        if s.shape() != seq.shape() {
            return Err(rt_err!("torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor {} and got sorter tensor {}", crate::shape::fmt_shape(seq.shape()), crate::shape::fmt_shape(s.shape())));
        }
        if s.dtype() != DType::I64 {
            return Err(rt_err!("torch.searchsorted(): sorter must be a tensor of long dtype but got {}", dtype_title(s.dtype())));
        }
    }
    // a Python number (a 0-d CPU tensor) searches a sequence on any device; the result is there
    let device = crate::ops::checks::common_device(&[seq, values])?;
    let common = promote_types(seq.dtype(), values.dtype());
    let seq_c = seq.detach().cast_raw(common)?;
    let vals_c = values.detach().cast_raw(common)?.to_device(device)?;
    let len = seq.shape()[seq.rank() - 1];
    let sorter_c = match sorter {
        Some(s) => {
            if first_out_of_range(s, 0, len as i64)?.is_some() {
                return Err(rt_err!("torch.searchsorted(): sorter index out of range"));
            }
            Some(s.contiguous_raw()?.to_device(device)?)
        }
        None => None,
    };
    let out = Tensor::empty_on(values.shape(), DType::I64, device)?;
    backend::searchsorted(&seq_c, &vals_c, right, sorter_c.as_ref(), &out)?;
    if out_int32 {
        out.cast_raw(DType::I32)
    } else {
        Ok(out)
    }
}

/// `bucketize(input, boundaries, out_int32, right)`: bucket index of each input
/// value among 1-D `boundaries` (same as searchsorted(boundaries, input)).
pub fn bucketize(input: &Tensor, boundaries: &Tensor, out_int32: bool, right: bool) -> Result<Tensor> {
    if boundaries.rank() != 1 {
        return Err(rt_err!("boundaries tensor must be 1 dimension, but got dim({})", boundaries.rank()));
    }
    searchsorted(boundaries, input, out_int32, right, None)
}

// ---------- bincount / histc ----------

impl Tensor {
    /// `bincount(weights=None, minlength=0)`: counts (or weight sums) of each
    /// non-negative integer in a 1-D tensor.
    pub fn bincount(&self, weights: Option<&Tensor>, minlength: isize) -> Result<Tensor> {
        if self.dtype().is_float() || self.dtype() == DType::Bool {
            return Err(not_implemented("bincount_cpu", self.dtype()));
        }
        if minlength < 0 {
            return Err(rt_err!("minlength should be >= 0"));
        }
        if self.rank() != 1 {
            return Err(rt_err!("bincount only supports 1-d non-negative integral inputs."));
        }
        // host reads: whether any value is negative, and the largest (the output's length)
        if first_out_of_range(self, 0, i64::MAX)?.is_some() {
            return Err(rt_err!("bincount only supports 1-d non-negative integral inputs."));
        }
        let x = self.detach().cast_raw(DType::I64)?;
        let len = if x.numel() == 0 { 0 } else { reduce_read(&x, ReduceOp::Max)?.to_i64() as usize + 1 }.max(minlength as usize);
        match weights {
            None => {
                // allocation failures surface as MemoryError, not an abort
                let out = Tensor::zeros_on(&[len], DType::I64, self.device())?;
                backend::bincount(&x, None, &out)?;
                Ok(out)
            }
            Some(w) => {
                if w.rank() != 1 || w.numel() != x.numel() {
                    return Err(rt_err!("weights should be 1-d and have the same length as input"));
                }
                check_same_device(&[self, w])?;
                let wv = w.detach().cast_raw(DType::F64)?;
                let t = Tensor::zeros_on(&[len], DType::F64, self.device())?;
                backend::bincount(&x, Some(&wv), &t)?;
                if w.dtype() == DType::F32 {
                    t.cast_raw(DType::F32)
                } else {
                    Ok(t)
                }
            }
        }
    }

    /// `histc(bins=100, min=0, max=0)`: histogram with equal-width bins over
    /// [min, max] (the data's range when min == max); values outside are ignored.
    pub fn histc(&self, bins: isize, min: f64, max: f64) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(not_implemented("histogram_cpu", self.dtype()));
        }
        if bins <= 0 {
            return Err(rt_err!("torch.histogram(): bins must be > 0, but got {bins} for dimension 0"));
        }
        let x = self.detach().reshape_to(&[self.numel()])?.cast_raw(DType::F64)?;
        let (mut lo, mut hi) = (min, max);
        if lo == hi && x.numel() > 0 {
            // the data's range, NaN ignored (host reads of two reductions)
            let nan = no_grad(|| x.isnan())?;
            lo = reduce_read(&x.masked_fill_scalar(&nan, f64::INFINITY)?, ReduceOp::Min)?.to_f64();
            hi = reduce_read(&x.masked_fill_scalar(&nan, f64::NEG_INFINITY)?, ReduceOp::Max)?.to_f64();
            if lo > hi {
                lo = min;
                hi = max;
            }
        }
        if lo == hi {
            lo -= 1.0;
            hi += 1.0;
        }
        if lo > hi {
            return Err(rt_err!("torch.histc: max must be larger than min"));
        }
        if !lo.is_finite() || !hi.is_finite() {
            return Err(rt_err!("torch.histc: range of [{lo}, {hi}] is not finite"));
        }
        let nb = bins as usize;
        let ht = Tensor::zeros_on(&[nb], DType::F64, self.device())?;
        // bin edges are computed in the input's precision, as PyTorch does
        let (lo_t, hi_t) = if self.dtype() == DType::F32 { (lo as f32 as f64, hi as f32 as f64) } else { (lo, hi) };
        backend::histc(&x, lo_t, hi_t, &ht)?;
        ht.cast_raw(self.dtype())
    }
}

/// The full reduction `op` of `x`, read back to the host.
fn reduce_read(x: &Tensor, op: ReduceOp) -> Result<Scalar> {
    let out = Tensor::empty_on(&[], x.dtype(), x.device())?;
    let mask = vec![true; x.rank()];
    backend::reduce(op, x, &mask, &out, None)?;
    backend::read_scalar(&out)
}
