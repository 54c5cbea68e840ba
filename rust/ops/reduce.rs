//! Sum-family reductions: sum, mean, dot, and `sum_to_shape` (the backward of broadcasting).

use crate::autograd::{needs_grad, record};
use crate::cpu::iter::Plan;
use crate::cpu::reduce;
use crate::dtype::DType;
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
    let x = if x.dtype() != dtype { x.cast_raw(dtype)? } else { x.clone() };
    let out_shape = reduced_shape(x.shape(), mask, keepdim);
    if mask.iter().all(|&m| m) {
        let plan = Plan::<1>::new(x.shape(), [x.operand()]);
        let out = Tensor::empty(&out_shape, dtype, x.device())?;
        let p = out.data_ptr();
        unsafe {
            match dtype {
                DType::F32 => *(p as *mut f32) = reduce::sum_all::<f32>(&plan),
                DType::F64 => *(p as *mut f64) = reduce::sum_all::<f64>(&plan),
                DType::I64 => *(p as *mut i64) = int_sum(&x, &plan),
                DType::I32 => *(p as *mut i32) = int_sum(&x, &plan) as i32,
                DType::Bool => *(p as *mut bool) = int_sum(&x, &plan) != 0,
            }
        }
        return Ok(out);
    }
    let out = Tensor::empty(&out_shape, dtype, x.device())?;
    let p = out.data_ptr();
    match dtype {
        DType::F32 => reduce::sum_dims::<f32>(x.shape(), mask, x.operand(), p),
        DType::F64 => reduce::sum_dims::<f64>(x.shape(), mask, x.operand(), p),
        DType::I64 => reduce::sum_dims::<WrapI64>(x.shape(), mask, x.operand(), p),
        other => return Err(Error::Runtime(format!("sum: unsupported accumulation dtype {other}"))),
    }
    Ok(out)
}

fn int_sum(x: &Tensor, plan: &Plan<1>) -> i64 {
    match x.dtype() {
        DType::I64 => reduce::sum_all::<WrapI64>(plan).0,
        _ => unreachable!("cast to int64 before summing"),
    }
}

/// int64 with wrap-around addition (integer sums wrap, as in PyTorch).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
#[repr(transparent)]
pub struct WrapI64(pub i64);
impl std::ops::Add for WrapI64 {
    type Output = WrapI64;
    #[inline(always)]
    fn add(self, o: WrapI64) -> WrapI64 {
        WrapI64(self.0.wrapping_add(o.0))
    }
}
impl crate::cpu::Element for WrapI64 {
    const DTYPE: DType = DType::I64;
    fn to_f64(self) -> f64 { self.0 as f64 }
    fn from_f64(v: f64) -> Self { WrapI64(v as i64) }
    fn to_i64(self) -> i64 { self.0 }
    fn from_i64(v: i64) -> Self { WrapI64(v) }
    fn is_nonzero(self) -> bool { self.0 != 0 }
    fn zero() -> Self { WrapI64(0) }
    fn one() -> Self { WrapI64(1) }
}

impl Tensor {
    /// Sum of all elements (a 0-d tensor). Ints and bools sum in int64.
    pub fn sum(&self) -> Result<Tensor> {
        self.sum_dims(None, false, None)
    }

    /// `sum(dim, keepdim, dtype)`.
    pub fn sum_dims(&self, dims: Option<&[isize]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let mask = reduce_mask(self.rank(), dims)?;
        let dtype = dtype.unwrap_or_else(|| sum_dtype(self.dtype()));
        let out = sum_raw(self, &mask, keepdim, dtype)?;
        if needs_grad(&[self]) {
            let in_shape: Shape = self.shape().into();
            let kept = reduced_shape(self.shape(), &mask, true);
            record("SumBackward0", &out, &[self], vec![], move |_, g| {
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
        let x = if self.dtype() != dtype { self.to_dtype(dtype)? } else { self.clone() };
        // sum then scale; an empty reduction gives nan (0/0), as PyTorch
        let s = x.sum_dims(dims, keepdim, Some(dtype))?;
        s.div_scalar(count as f64)
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
