//! Sorting and counting ops: sort/argsort/msort/topk/kthvalue (values are
//! differentiable: the gradient is scattered back through the indices),
//! unique/unique_consecutive, searchsorted/bucketize, bincount, histc.

use crate::autograd::{needs_grad, no_grad, record};
use crate::cpu::sort::{self as ks, Rows, SortKey};
use crate::cpu::Element;
use crate::dtype::{promote_types, DType};
use crate::error::{Error, Result};
use crate::shape::{normalize_dim, Shape};
use crate::tensor::{dtype_title, Tensor};
use crate::{dispatch_dtype, rt_err};

/// Row starts (element offsets) of every row along `dim` for a layout.
fn row_starts(shape: &[usize], strides: &[isize], dim: usize) -> Vec<isize> {
    let outer: Vec<usize> = (0..shape.len()).filter(|&d| d != dim).collect();
    let count: usize = outer.iter().map(|&d| shape[d]).product();
    let mut starts = Vec::with_capacity(count);
    if count == 0 {
        return starts;
    }
    let mut idx = vec![0usize; outer.len()];
    let mut off = 0isize;
    for _ in 0..count {
        starts.push(off);
        // increment the multi-index (last outer dim fastest)
        for k in (0..outer.len()).rev() {
            let d = outer[k];
            idx[k] += 1;
            off += strides[d];
            if idx[k] < shape[d] {
                break;
            }
            off -= strides[d] * shape[d] as isize;
            idx[k] = 0;
        }
    }
    starts
}

/// Forward of `sort` (no autograd): contiguous values and int64 indices.
fn sort_raw(x: &Tensor, d: usize, descending: bool) -> Result<(Tensor, Tensor)> {
    let vals = Tensor::empty(x.shape(), x.dtype(), x.device())?;
    let idx = Tensor::empty(x.shape(), DType::I64, x.device())?;
    if x.numel() == 0 {
        return Ok((vals, idx));
    }
    let rows = Rows {
        x_starts: row_starts(x.shape(), x.strides(), d),
        v_starts: row_starts(vals.shape(), vals.strides(), d),
        i_starts: row_starts(idx.shape(), idx.strides(), d),
        len: x.shape()[d],
        x_stride: x.strides()[d],
        v_stride: vals.strides()[d],
        i_stride: idx.strides()[d],
    };
    dispatch_dtype!(x.dtype(), T => unsafe {
        ks::sort_rows::<T>(x.data_ptr() as *const T, vals.data_ptr() as *mut T, idx.data_ptr() as *mut i64, &rows, descending)
    });
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
            return Ok((v, Tensor::zeros(&[], DType::I64, self.device())?));
        }
        let d = normalize_dim(dim, self.rank())?;
        let (vals, idx) = sort_raw(self, d, descending)?;
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            let index = idx.clone();
            record("SortBackward0", &vals, &[self], vec![], move |_, g| Ok(vec![Some(g.jn_scatter_add_dim(&shape, d, &index)?)]));
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

/// What `unique` / `unique_consecutive` return (inverse/counts empty unless asked for).
pub struct UniqueOut {
    pub values: Tensor,
    pub inverse: Tensor,
    pub counts: Tensor,
}

fn vec_tensor<T: Element>(v: Vec<T>, shape: &[usize]) -> Result<Tensor> {
    Tensor::from_slice(&v, shape)
}

/// PyTorch records a node for `unique` whose backward raises: the values require grad when
/// the input does, and `backward()` through them fails with "the derivative for '...' is not
/// implemented." (NotImplementedError). `inverse` / `counts` never require grad.
fn mark_not_differentiable(u: UniqueOut, input: &Tensor, node: &'static str, op: &'static str) -> UniqueOut {
    if needs_grad(&[input]) {
        record(node, &u.values, &[input], vec![], move |_, _| Err(crate::not_impl_err!("the derivative for '{op}' is not implemented.")));
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
        let n = x.numel();
        dispatch_dtype!(self.dtype(), T => {
            let data = unsafe { std::slice::from_raw_parts(x.data_ptr() as *const T, n) };
            let u = ks::unique_sorted::<T>(data, return_inverse);
            let m = u.values.len();
            Ok(UniqueOut {
                values: vec_tensor(u.values, &[m])?,
                inverse: if return_inverse { vec_tensor(u.inverse, self.shape())? } else { Tensor::empty(&[0], DType::I64, self.device())? },
                counts: vec_tensor(u.counts, &[m])?,
            })
        })
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
        let n = x.numel();
        dispatch_dtype!(self.dtype(), T => {
            let data = unsafe { std::slice::from_raw_parts(x.data_ptr() as *const T, n) };
            let u = ks::unique_consecutive::<T>(data, return_inverse);
            let m = u.values.len();
            Ok(UniqueOut {
                values: vec_tensor(u.values, &[m])?,
                inverse: if return_inverse { vec_tensor(u.inverse, self.shape())? } else { Tensor::empty(&[0], DType::I64, self.device())? },
                counts: vec_tensor(u.counts, &[m])?,
            })
        })
    }

    /// Unique slices along `dim` (sorted lexicographically, or consecutive runs).
    fn unique_dim(&self, dim: isize, return_inverse: bool, return_counts: bool, consecutive: bool) -> Result<UniqueOut> {
        let _ = (return_inverse, return_counts);
        if self.rank() == 0 {
            return Err(Error::Index("Dimension specified as 0 but tensor has no dimensions".into()));
        }
        let d = normalize_dim(dim, self.rank())?;
        let x = self.detach();
        let n = x.shape()[d];
        let moved = x.movedim(&[d as isize], &[0])?.contiguous_raw()?;
        let m = if n == 0 { 0 } else { moved.numel() / n };
        let (order, groups): (Vec<usize>, Vec<(usize, usize)>) = dispatch_dtype!(self.dtype(), T => {
            let data = unsafe { std::slice::from_raw_parts(moved.data_ptr() as *const T, moved.numel()) };
            let row = |i: usize| &data[i * m..(i + 1) * m];
            let cmp = |a: usize, b: usize| -> std::cmp::Ordering {
                for (p, q) in row(a).iter().zip(row(b)) {
                    let (kp, kq) = (SortKey::key(*p), SortKey::key(*q));
                    if kp != kq {
                        return kp.cmp(&kq);
                    }
                }
                std::cmp::Ordering::Equal
            };
            let mut order: Vec<usize> = (0..n).collect();
            if !consecutive {
                order.sort_by(|&a, &b| cmp(a, b));
            }
            let mut groups = Vec::new();
            let mut i = 0;
            while i < n {
                let mut j = i + 1;
                while j < n && cmp(order[i], order[j]) == std::cmp::Ordering::Equal {
                    j += 1;
                }
                groups.push((i, j));
                i = j;
            }
            (order, groups)
        });
        let firsts: Vec<i64> = groups.iter().map(|&(i, _)| order[i] as i64).collect();
        let idx = Tensor::from_slice(&firsts, &[firsts.len()])?;
        let values = no_grad(|| x.jn_take_along(d, &idx))?;
        let mut inverse = vec![0i64; n];
        for (g, &(i, j)) in groups.iter().enumerate() {
            for k in i..j {
                inverse[order[k]] = g as i64;
            }
        }
        let counts: Vec<i64> = groups.iter().map(|&(i, j)| (j - i) as i64).collect();
        Ok(UniqueOut { values, inverse: vec_tensor(inverse, &[n])?, counts: vec_tensor(counts.clone(), &[counts.len()])? })
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
    let common = promote_types(seq.dtype(), values.dtype());
    let seq_c = seq.detach().cast_raw(common)?;
    let vals_c = values.detach().cast_raw(common)?;
    let sorter_c = match sorter {
        Some(s) => Some(s.contiguous_raw()?),
        None => None,
    };
    let len = seq.shape()[seq.rank() - 1];
    if let Some(s) = &sorter_c {
        if s.to_vec::<i64>()?.iter().any(|&i| i < 0 || i as usize >= len) {
            return Err(rt_err!("torch.searchsorted(): sorter index out of range"));
        }
    }
    let n = values.numel();
    let per_row = if values.rank() == 0 { 1 } else { values.shape()[values.rank() - 1] };
    let mut out = vec![0i64; n];
    dispatch_dtype!(common, T => {
        let sp = seq_c.data_ptr() as *const T;
        let vp = vals_c.data_ptr() as *const T;
        for i in 0..n {
            let row = if seq.rank() == 1 { 0 } else { i / per_row.max(1) };
            let v = unsafe { *vp.add(i) };
            let srt = sorter_c.as_ref().map(|s| (unsafe { (s.data_ptr() as *const i64).add(row * len) }, 1isize));
            out[i] = unsafe { ks::search_t::<T>(sp.add(row * len), 1, len, v, right, srt) } as i64;
        }
    });
    let t = Tensor::from_slice(&out, values.shape())?;
    if out_int32 {
        t.cast_raw(DType::I32)
    } else {
        Ok(t)
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
            return Err(crate::not_impl_err!("\"bincount_cpu\" not implemented for '{}'", dtype_title(self.dtype())));
        }
        if minlength < 0 {
            return Err(rt_err!("minlength should be >= 0"));
        }
        if self.rank() != 1 {
            return Err(rt_err!("bincount only supports 1-d non-negative integral inputs."));
        }
        let x = self.to_vec::<i64>()?;
        if x.iter().any(|&v| v < 0) {
            return Err(rt_err!("bincount only supports 1-d non-negative integral inputs."));
        }
        let len = (x.iter().copied().max().map_or(0, |m| m as usize + 1)).max(minlength as usize);
        match weights {
            None => {
                // allocation failures surface as MemoryError, not an abort
                let out = Tensor::zeros(&[len], DType::I64, self.device())?;
                let c = unsafe { std::slice::from_raw_parts_mut(out.data_ptr() as *mut i64, len) };
                for &v in &x {
                    c[v as usize] += 1;
                }
                Ok(out)
            }
            Some(w) => {
                if w.rank() != 1 || w.numel() != x.len() {
                    return Err(rt_err!("weights should be 1-d and have the same length as input"));
                }
                let wv = w.to_vec::<f64>()?;
                let t = Tensor::zeros(&[len], DType::F64, self.device())?;
                let c = unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut f64, len) };
                for (&v, &wt) in x.iter().zip(&wv) {
                    c[v as usize] += wt;
                }
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
            return Err(crate::not_impl_err!("\"histogram_cpu\" not implemented for '{}'", dtype_title(self.dtype())));
        }
        if bins <= 0 {
            return Err(rt_err!("torch.histogram(): bins must be > 0, but got {bins} for dimension 0"));
        }
        let x = self.to_vec::<f64>()?;
        let (mut lo, mut hi) = (min, max);
        if lo == hi && !x.is_empty() {
            let finite = x.iter().filter(|v| !v.is_nan());
            lo = finite.clone().fold(f64::INFINITY, |a, &b| a.min(b));
            hi = finite.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
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
        let ht = Tensor::zeros(&[nb], DType::F64, self.device())?;
        let h = unsafe { std::slice::from_raw_parts_mut(ht.data_ptr() as *mut f64, nb) };
        // bin edges are computed in the input's precision, as PyTorch does
        let (lo_t, hi_t) = if self.dtype() == DType::F32 { (lo as f32 as f64, hi as f32 as f64) } else { (lo, hi) };
        for &v in &x {
            if v.is_nan() || v < lo_t || v > hi_t {
                continue;
            }
            let mut b = ((v - lo_t) * nb as f64 / (hi_t - lo_t)) as usize;
            if b >= nb {
                b = nb - 1;
            }
            h[b] += 1.0;
        }
        ht.cast_raw(self.dtype())
    }
}

