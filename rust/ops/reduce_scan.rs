//! Scans along a dim: cumsum, cumprod, cummax, cummin (with gradients), and the
//! differentiable gather / scatter-add along a dim that route max/min/cummax gradients.

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::kinds::ScanOp;
use crate::shape::{normalize_dim, Shape};
use crate::tensor::Tensor;

fn contiguous_of(x: &Tensor, dtype: DType) -> Result<Tensor> {
    if x.dtype() != dtype {
        x.cast_raw(dtype)
    } else if x.is_contiguous() {
        Ok(x.detach())
    } else {
        x.contiguous_raw()
    }
}

/// Raw cumsum / cumprod in `dtype` (bool results computed in int64).
fn scan_arith_raw(x: &Tensor, d: usize, dtype: DType, prod: bool) -> Result<Tensor> {
    if dtype == DType::Bool {
        // PyTorch has no bool kernel: cumsum(dtype=bool) is refused (a bool input's
        // default, int64, is fine)
        let name = if prod { "cumprod_out_cpu" } else { "cumsum_out_cpu" };
        return Err(crate::error::Error::NotImplemented(format!("\"{name}\" not implemented for 'Bool'")));
    }
    let acc = if dtype == DType::Bool { DType::I64 } else { dtype };
    let src = contiguous_of(x, acc)?;
    let out = Tensor::empty_on(x.shape(), acc, x.device())?;
    backend::scan(if prod { ScanOp::Prod } else { ScanOp::Sum }, &src, d, &out, None)?;
    if acc != dtype { out.cast_raw(dtype) } else { Ok(out) }
}

fn scan_dtype(x: DType, dtype: Option<DType>) -> DType {
    dtype.unwrap_or(if x.is_float() { x } else { DType::I64 })
}

/// Sum from each position to the end along `d` (the adjoint of cumsum).
fn reverse_cumsum(g: &Tensor, d: usize) -> Result<Tensor> {
    if g.rank() == 0 {
        return Ok(g.clone());
    }
    let total = g.sum_dims(Some(&[d as isize]), true, None)?;
    total.sub(&g.cumsum(d as isize, None)?)?.add(g)
}

impl Tensor {
    /// `cumsum(dim, *, dtype=None)`: running sums; ints and bools accumulate in int64.
    pub fn cumsum(&self, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        let out = scan_arith_raw(self, d, scan_dtype(self.dtype(), dtype), false)?;
        if needs_grad(&[self]) && out.dtype().is_float() {
            record("CumsumBackward0", &out, &[self], vec![], move |_, g| Ok(vec![Some(reverse_cumsum(g, d)?)]));
        }
        Ok(out)
    }

    /// `cumprod(dim, *, dtype=None)`: running products (gradient exact with zeros).
    pub fn cumprod(&self, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        let out = scan_arith_raw(self, d, scan_dtype(self.dtype(), dtype), true)?;
        if needs_grad(&[self]) && out.dtype().is_float() {
            record("CumprodBackward0", &out, &[self], vec![self.clone(), out.clone()], move |s, g| {
                let x = &s[0];
                // a host read: which formula applies depends on the data
                let any_zero = crate::autograd::no_grad(|| x.eq_t(&Tensor::wrapped_scalar(Scalar::Int(0)))?.any_dims(None, false))?;
                let has_zero = backend::read_scalar(&any_zero)?.to_i64() != 0;
                if !has_zero {
                    // d out_i / d x_k = out_i / x_k for i >= k
                    return Ok(vec![Some(reverse_cumsum(&g.mul(&s[1])?, d)?.div(x)?)]);
                }
                if crate::autograd::is_grad_enabled() {
                    // create_graph: a formula that is itself differentiable
                    return Ok(vec![Some(cumprod_backward_differentiable(x, g, d)?)]);
                }
                Ok(vec![Some(cumprod_backward_zeros(x, g, d)?)])
            });
        }
        Ok(out)
    }

    fn cum_extreme(&self, dim: isize, max: bool) -> Result<(Tensor, Tensor)> {
        let d = normalize_dim(dim, self.rank())?;
        let src = contiguous_of(self, self.dtype())?;
        let vals = Tensor::empty_on(self.shape(), self.dtype(), self.device())?;
        let idx = Tensor::empty_on(self.shape(), DType::I64, self.device())?;
        backend::scan(if max { ScanOp::Max } else { ScanOp::Min }, &src, d, &vals, Some(&idx))?;
        if needs_grad(&[self]) {
            let shape: Shape = self.shape().into();
            let rank = self.rank();
            record(if max { "CummaxBackward0" } else { "CumminBackward0" }, &vals, &[self], vec![idx.clone()], move |s, g| {
                if rank == 0 {
                    return Ok(vec![Some(g.clone())]);
                }
                Ok(vec![Some(g.scatter_add_along(d, &s[0], &shape)?)])
            });
        }
        Ok((vals, idx))
    }

    /// `cummax(dim)` -> (values, indices); the gradient goes to the indices.
    pub fn cummax(&self, dim: isize) -> Result<(Tensor, Tensor)> {
        self.cum_extreme(dim, true)
    }
    /// `cummin(dim)` -> (values, indices).
    pub fn cummin(&self, dim: isize) -> Result<(Tensor, Tensor)> {
        self.cum_extreme(dim, false)
    }


}

/// cumprod's gradient built from differentiable ops (PyTorch's double-backward
/// formula, O(n^2) along `d`): for each k,
/// `grad_k = sum_{i >= k} g_i * prod_{j <= i, j != k} x_j`, correct with zeros.
fn cumprod_backward_differentiable(x: &Tensor, g: &Tensor, d: usize) -> Result<Tensor> {
    if x.rank() == 0 || x.numel() == 0 {
        return Ok(g.clone());
    }
    let n = x.shape()[d];
    let di = d as isize;
    let mut ones_shape: Vec<usize> = x.shape().to_vec();
    ones_shape[d] = 1;
    let ones = Tensor::ones_on(&ones_shape, x.dtype(), x.device())?;
    let mut parts = Vec::with_capacity(n);
    for k in 0..n {
        // omitted[i] = prod_{j <= k + i, j != k} x_j for i in 0..n-k
        let before = if k == 0 { ones.clone() } else { x.narrow(di, 0, k as isize)?.prod_dims(Some(&[di]), true, None)? };
        let omitted = if k + 1 < n {
            let after = x.narrow(di, k as isize + 1, (n - k - 1) as isize)?.cumprod(di, None)?;
            crate::ops::join::cat(&[before.clone(), before.mul(&after)?], di)?
        } else {
            before
        };
        parts.push(g.narrow(di, k as isize, (n - k) as isize)?.mul(&omitted)?.sum_dims(Some(&[di]), true, None)?);
    }
    crate::ops::join::cat(&parts, di)
}

/// cumprod's gradient when some inputs are zero, line by line in float64 (a backend kernel;
/// not differentiable again).
fn cumprod_backward_zeros(x: &Tensor, g: &Tensor, d: usize) -> Result<Tensor> {
    let x64 = contiguous_of(x, DType::F64)?;
    let g64 = contiguous_of(g, DType::F64)?;
    let out = Tensor::empty_on(x.shape(), DType::F64, x.device())?;
    backend::cumprod_backward(&x64, &g64, d, &out)?;
    out.to_dtype(g.dtype())
}
