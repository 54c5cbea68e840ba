//! Reductions built on the kernels: softmax / log_softmax (fused kernels with
//! their own backward), logsumexp, var / std, vector norms, nansum / nanmean.

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{default_float, DType};
use crate::error::{Error, Result};
use crate::ops::checks::not_implemented;
use crate::ops::creation::wrapped;
use crate::ops::reduce::{reduce_mask, reduced_shape};
use crate::shape::normalize_dim;
use crate::tensor::{dtype_title, Tensor};

/// The reduced dims of a mask as an explicit list (None for a 0-d tensor).
fn dims_of(mask: &[bool]) -> Option<Vec<isize>> {
    if mask.is_empty() {
        return None;
    }
    Some((0..mask.len()).filter(|&d| mask[d]).map(|d| d as isize).collect())
}

/// Number of elements each output of a reduction over `mask` sees.
fn reduced_count(shape: &[usize], mask: &[bool]) -> usize {
    shape.iter().zip(mask).filter(|(_, &m)| m).map(|(&s, _)| s).product()
}

/// Raw fused softmax along `d` (input converted to a contiguous copy when needed).
fn softmax_raw(x: &Tensor, d: usize, log: bool) -> Result<Tensor> {
    let src = if x.is_contiguous() { x.detach() } else { x.contiguous_raw()? };
    if !x.dtype().is_float() {
        return Err(not_implemented(if log { "log_softmax_lastdim_kernel_impl" } else { "softmax_lastdim_kernel_impl" }, x.dtype()));
    }
    let out = Tensor::empty_on(x.shape(), x.dtype(), x.device())?;
    backend::softmax(&src, d, log, &out)?;
    Ok(out)
}

impl Tensor {
    fn softmax_impl(&self, dim: isize, dtype: Option<DType>, log: bool) -> Result<Tensor> {
        let x = match dtype {
            Some(dt) => self.to_dtype(dt)?,
            None => self.clone(),
        };
        let d = normalize_dim(dim, x.rank())?;
        if x.numel() == 0 && !x.dtype().is_float() {
            // nothing to compute: PyTorch returns an empty tensor even where it has no kernel
            return Tensor::empty_on(x.shape(), x.dtype(), x.device());
        }
        let out = softmax_raw(&x, d, log)?;
        if needs_grad(&[&x]) {
            let name = if log { "LogSoftmaxBackward0" } else { "SoftmaxBackward0" };
            // the backward reads only the output (PyTorch's too), so only the output is saved
            record(name, &out, &[&x], vec![out.clone()], move |s, g| {
                let y = &s[0];
                let dd = [d as isize];
                let dims = if y.rank() == 0 { None } else { Some(&dd[..]) };
                let gx = if log {
                    // g - softmax * sum(g)
                    g.sub(&y.exp()?.mul(&g.sum_dims(dims, true, None)?)?)?
                } else {
                    // y * (g - sum(g * y))
                    y.mul(&g.sub(&g.mul(y)?.sum_dims(dims, true, None)?)?)?
                };
                Ok(vec![Some(gx)])
            });
        }
        Ok(out)
    }

    /// `softmax(dim, dtype=None)`: a fused kernel (max, exp, sum, scale) with its own backward.
    pub fn softmax(&self, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        self.softmax_impl(dim, dtype, false)
    }
    /// `log_softmax(dim, dtype=None)`.
    pub fn log_softmax(&self, dim: isize, dtype: Option<DType>) -> Result<Tensor> {
        self.softmax_impl(dim, dtype, true)
    }

    /// `logsumexp(dim, keepdim=False)`: `log(sum(exp(x)))` computed stably; ints become floats.
    pub fn logsumexp(&self, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        let x = if self.dtype().is_float() { self.clone() } else { self.to_dtype(default_float())? };
        let mask = reduce_mask(x.rank(), dims)?;
        let dl = dims_of(&mask);
        let dl = dl.as_deref();
        // the shift is a constant for autograd; infinite maxima shift by 0
        let m = crate::autograd::no_grad(|| -> Result<Tensor> {
            if x.numel() == 0 {
                return Tensor::zeros_on(&reduced_shape(x.shape(), &mask, true), x.dtype(), x.device());
            }
            let m = x.detach().amax(Some(dl.unwrap_or(&[])), true)?;
            let inf = m.abs()?.eq_t(&wrapped(f64::INFINITY))?;
            m.masked_fill_scalar(&inf, 0.0)
        })?;
        let s = x.sub(&m)?.exp()?.sum_dims(dl, true, None)?.log()?.add(&m)?;
        if keepdim {
            Ok(s)
        } else {
            s.reshape_to(&reduced_shape(x.shape(), &mask, false))
        }
    }

    /// `var(dim=None, *, correction=1, keepdim=False)`: two-pass (mean first) variance.
    pub fn var_dims(&self, dims: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        self.var_impl("var", dims, correction, keepdim)?.to_dtype(self.dtype())
    }

    /// The variance (two-pass: the mean first). Squared deviations of float32 values overflow
    /// float32 long before the variance, or the std, does (`tensor([1e20, 2.]).std()` is
    /// 7.07e19 in PyTorch, which accumulates in double): where a float32 result came out
    /// non-finite from finite input, it is computed again in float64 (and returned in float64,
    /// for std's square root). The common case stays in float32, at float32's speed.
    fn var_impl(&self, _name: &str, dims: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(Error::NotImplemented("std and var only support floating point and complex dtypes".into()));
        }
        let mask = reduce_mask(self.rank(), dims)?;
        let dl = dims_of(&mask);
        let n = reduced_count(self.shape(), &mask) as f64;
        let two_pass = |x: &Tensor| -> Result<Tensor> {
            let mean = x.mean_dims(dl.as_deref(), true, None)?;
            let dev = x.sub(&mean)?;
            dev.mul(&dev)?.sum_dims(dl.as_deref(), keepdim, None)?.div_scalar((n - correction).max(0.0))
        };
        let var = two_pass(self)?;
        if self.dtype() == DType::F32 {
            let all_finite = |t: &Tensor| -> Result<bool> { Ok(crate::autograd::no_grad(|| t.isfinite()?.all_dims(None, false))?.item()?.to_i64() != 0) };
            if !all_finite(&var)? && all_finite(self)? {
                return two_pass(&self.to_dtype(DType::F64)?);
            }
        }
        Ok(var)
    }

    /// `std(dim=None, *, correction=1, keepdim=False)`. Its gradient is 0 where the std is 0
    /// (every element equal), as PyTorch's, where sqrt's would be 0 * inf.
    pub fn std_dims(&self, dims: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        let var = self.var_impl("std", dims, correction, keepdim)?;
        let out = crate::autograd::no_grad(|| var.sqrt())?;
        if needs_grad(&[&var]) {
            record("StdBackward0", &out, &[&var], vec![out.clone()], |s, g| {
                let y = &s[0];
                Ok(vec![Some(g.div(&y.mul_scalar(2.0)?)?.masked_fill_scalar(&y.eq_t(&wrapped(0.0))?, 0.0)?)])
            });
        }
        out.to_dtype(self.dtype())
    }

    /// `nansum(dim=None, keepdim=False, dtype=None)`: sum treating NaN as 0.
    pub fn nansum(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return self.sum_dims(dims, keepdim, dtype);
        }
        let nan = self.ne_t(self)?;
        self.masked_fill_scalar(&nan, 0.0)?.sum_dims(dims, keepdim, dtype)
    }

    /// `nanmean(dim=None, keepdim=False, dtype=None)`: mean of the non-NaN elements.
    pub fn nanmean(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(Error::Runtime(format!(
                "nanmean(): expected input to have floating point or complex dtype but got {}",
                dtype_title(self.dtype())
            )));
        }
        let valid = self.eq_t(self)?;
        let count = valid.sum_dims(dims, keepdim, None)?;
        self.nansum(dims, keepdim, dtype)?.div(&count)
    }

    /// `linalg.vector_norm(ord, dim, keepdim, dtype)`: p-norms for any float p, inf, -inf and 0.
    /// The gradient is 0 where the norm is 0 (a subgradient), as PyTorch.
    pub fn vector_norm(&self, ord: f64, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        if !self.dtype().is_float() {
            return Err(Error::NotImplemented(format!(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
                dtype_title(self.dtype())
            )));
        }
        let x = match dtype {
            Some(dt) => {
                if !dt.is_float() {
                    return Err(Error::Runtime(format!("linalg.vector_norm: dtype should be floating point or complex, but got {}", dtype_title(dt))));
                }
                self.to_dtype(dt)?
            }
            None => self.clone(),
        };
        let mask = reduce_mask(x.rank(), dims)?;
        if ord.is_infinite() || ord < 0.0 {
            let empty = if dims.is_some_and(|d| !d.is_empty()) { mask.iter().zip(x.shape()).any(|(&m, &s)| m && s == 0) } else { x.numel() == 0 };
            if empty {
                return Err(Error::Runtime(format!(
                    "linalg.vector_norm cannot compute the {} norm on an empty tensor because the operation does not have an identity",
                    if ord.is_infinite() { if ord > 0.0 { "inf".to_string() } else { "-inf".to_string() } } else { ord.to_string() }
                )));
            }
        }
        let out = crate::autograd::no_grad(|| norm_forward(&x.detach(), ord, &mask, keepdim))?;
        if needs_grad(&[&x]) {
            record("LinalgVectorNormBackward0", &out, &[&x], vec![x.clone(), out.clone()], move |s, g| {
                // the 0-"norm" counts nonzeros: no gradient at all (None, as PyTorch), not zeros
                if ord == 0.0 {
                    return Ok(vec![None]);
                }
                Ok(vec![Some(norm_backward(&s[0], &s[1], g, ord, &mask, keepdim)?)])
            });
        }
        Ok(out)
    }
}

fn norm_forward(x: &Tensor, ord: f64, mask: &[bool], keepdim: bool) -> Result<Tensor> {
    let dl = dims_of(mask);
    let dl = dl.as_deref();
    if ord != 0.0 && reduced_count(x.shape(), mask) == 1 && x.numel() > 0 {
        // the norm of one element is its magnitude: no |x|^p that could overflow (PyTorch
        // gives 3e38 for tensor([3e38]).norm() this way)
        return x.abs()?.reshape_to(&reduced_shape(x.shape(), mask, keepdim));
    }
    if ord == 2.0 && !needs_grad(&[x]) {
        crate::ops::reduce::pow_sum_raw(x, mask, keepdim, 2)?.sqrt()
    } else if ord == 1.0 && !needs_grad(&[x]) {
        crate::ops::reduce::pow_sum_raw(x, mask, keepdim, 1)
    } else if ord == 2.0 {
        x.mul(x)?.sum_dims(dl, keepdim, None)?.sqrt()
    } else if ord == 1.0 {
        x.abs()?.sum_dims(dl, keepdim, None)
    } else if ord == f64::INFINITY {
        x.abs()?.amax(Some(dl.unwrap_or(&[])), keepdim)
    } else if ord == f64::NEG_INFINITY {
        x.abs()?.amin(Some(dl.unwrap_or(&[])), keepdim)
    } else if ord == 0.0 {
        x.ne_t(&wrapped(0.0))?.sum_dims(dl, keepdim, Some(x.dtype()))
    } else {
        x.abs()?.pow(&wrapped(ord))?.sum_dims(dl, keepdim, None)?.pow(&wrapped(1.0 / ord))
    }
}

fn norm_backward(x: &Tensor, out: &Tensor, g: &Tensor, ord: f64, mask: &[bool], keepdim: bool) -> Result<Tensor> {
    let kept = reduced_shape(x.shape(), mask, true);
    let (out, g) = if keepdim { (out.clone(), g.clone()) } else { (out.reshape_to(&kept)?, g.reshape_to(&kept)?) };
    let zero = wrapped(0.0);
    if ord == 0.0 {
        return x.mul(&zero)?.mul(&g);
    }
    if ord == 1.0 {
        return x.sign()?.mul(&g);
    }
    let out_zero = out.eq_t(&zero)?;
    if ord.is_infinite() {
        let hit = x.abs()?.eq_t(&out)?.to_dtype(x.dtype())?;
        let dl = dims_of(mask);
        let count = if x.rank() == 0 { hit.clone() } else { hit.sum_dims(dl.as_deref(), true, None)? };
        return x.sign()?.mul(&hit)?.mul(&g.div(&count)?);
    }
    if ord == 2.0 {
        let scale = g.div(&out)?.masked_fill_scalar(&out_zero, 0.0)?;
        return x.mul(&scale);
    }
    // g * x |x|^(p-2) / out^(p-1), zero where x == 0 or the norm is 0
    let t = x.mul(&x.abs()?.pow(&wrapped(ord - 2.0))?)?.masked_fill_scalar(&x.eq_t(&zero)?, 0.0)?;
    let scale = g.div(&out.pow(&wrapped(ord - 1.0))?)?.masked_fill_scalar(&out_zero, 0.0)?;
    t.mul(&scale)
}
