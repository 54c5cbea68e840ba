//! Dim-wise indexing: `index_select`, `gather` / `scatter` / `scatter_reduce` / `scatter_add`
//! along a dim, `index_add` / `index_copy` / `index_fill`, `take` / `put`, `take_along_dim`.
//! Each is differentiable where PyTorch's is; backward passes are other ops of this file.

use crate::autograd::{needs_grad, record};
use crate::backend;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::kinds::ScatterOp;
use crate::ops::checks::{check_same_device, first_out_of_range};
use crate::ops::index::{as_i64, as_i64_contig, out_of_bounds, AdvSpec};
use crate::shape::{broadcast_shapes, fmt_shape, normalize_dim, Shape};
use crate::tensor::{dtype_title, Tensor};
use smallvec::SmallVec;

/// PyTorch's out-of-range message as a RuntimeError: its gather / scatter / index_add family
/// raise that class (and take no negative indices).
fn out_of_bounds_rt(v: i64, dim: usize, size: usize) -> Error {
    Error::Runtime(format!("index {v} is out of bounds for dimension {dim} with size {size}"))
}

fn check_int_index(index: &Tensor, what: &str) -> Result<()> {
    if !index.dtype().is_int() {
        return Err(Error::Runtime(format!(
            "{what}(): Expected dtype int32/int64 for index, but got {}",
            index.dtype()
        )));
    }
    Ok(())
}

/// A one-dim spec: `index` (1-D) on `dim` of a tensor on `index`'s device.
fn dim_spec(index: &Tensor, dim: usize) -> Result<AdvSpec> {
    let idx = as_i64_contig(&index.reshape_to(&[index.numel()])?.detach(), index.device())?;
    Ok(AdvSpec { dims: vec![dim], origs: vec![dim], bshape: SmallVec::from_slice(&[idx.numel()]), idx: vec![idx], adjacent: true })
}

/// Narrows `src` to `shape` on every dim (a differentiable view).
fn narrow_to(src: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let mut s = if src.rank() == 0 && !shape.is_empty() { src.reshape_to(&vec![1; shape.len()])? } else { src.clone() };
    if s.rank() != shape.len() {
        return Err(Error::Runtime("Index tensor must have the same number of dimensions as src tensor".into()));
    }
    for (d, &n) in shape.iter().enumerate() {
        if s.shape()[d] != n {
            s = s.narrow(d as isize, 0, n as isize)?;
        }
    }
    Ok(s)
}

/// The reduction `scatter_reduce(reduce=...)` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScatterReduce {
    /// Add the sources.
    Sum,
    /// Multiply the sources.
    Prod,
    /// The mean of the sources (and of the destination's own value with `include_self`); integer
    /// dtypes floor-divide.
    Mean,
    /// The largest, NaN-propagating.
    Amax,
    /// The smallest, NaN-propagating.
    Amin,
}

impl ScatterReduce {
    /// Parses PyTorch's names (`'sum'`, `'prod'`, `'mean'`, `'amax'`, `'amin'`, and the legacy
    /// `scatter(reduce='add' | 'multiply')`).
    pub fn parse(s: &str) -> Result<ScatterReduce> {
        Ok(match s {
            "sum" | "add" => ScatterReduce::Sum,
            "prod" | "multiply" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => return Err(Error::Runtime(format!("reduce argument must be either sum, prod, mean, amax or amin, got {s}"))),
        })
    }
}

impl Tensor {
    /// Zeros of `shape` with `self` added at `idx` along `d` (differentiable): the backward of
    /// gathers along a dim (max(dim), cummax, sort, ...).
    pub(crate) fn scatter_add_along(&self, d: usize, idx: &Tensor, shape: &[usize]) -> Result<Tensor> {
        Tensor::zeros_on(shape, self.dtype(), self.device())?.scatter_add_t(d as isize, idx, self)
    }

    /// Checks shared by gather/scatter: same rank, int64 index, index fits.
    fn check_gather_scatter(&self, dim: usize, index: &Tensor, src: Option<&Tensor>, what: &str) -> Result<()> {
        if !index.dtype().is_int() {
            return Err(Error::Runtime(format!("{what}(): Expected dtype int32/int64 for index")));
        }
        let r = self.rank().max(1);
        if index.rank().max(1) != r {
            return Err(Error::Runtime(format!("Index tensor must have the same number of dimensions as {} tensor", if what == "gather" { "input" } else { "self" })));
        }
        if let Some(s) = src {
            if s.rank().max(1) != r {
                return Err(Error::Runtime("Index tensor must have the same number of dimensions as src tensor".into()));
            }
        }
        let sh = |t: &Tensor, d: usize| if t.rank() == 0 { 1 } else { t.shape()[d] };
        for d in 0..r {
            if d != dim && sh(index, d) > sh(self, d) {
                return Err(Error::Runtime(format!(
                    "Size does not match at dimension {d} expected index {} to be smaller than self {} apart from dimension {dim}",
                    fmt_shape(index.shape()),
                    fmt_shape(self.shape())
                )));
            }
            if let Some(s) = src {
                if sh(index, d) > sh(s, d) {
                    return Err(Error::Runtime(format!(
                        "Size does not match at dimension {d} expected index {} to be smaller than src {}",
                        fmt_shape(index.shape()),
                        fmt_shape(s.shape())
                    )));
                }
            }
        }
        Ok(())
    }

    /// `index_select(dim, index)`: the slices at `index` (1-D int) along `dim`.
    ///
    /// ```
    /// use rgrad::Tensor;
    /// let m = Tensor::from_slice(&[1i64, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    /// let cols = Tensor::from_slice(&[2i64, 2, 0], &[3]).unwrap();
    /// assert_eq!(m.index_select(1, &cols).unwrap().to_vec::<i64>().unwrap(), vec![3, 3, 1, 6, 6, 4]);
    /// let bad = Tensor::from_slice(&[3i64], &[1]).unwrap();
    /// assert!(m.index_select(1, &bad).is_err()); // index out of range
    /// ```
    pub fn index_select(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        if index.rank() > 1 {
            return Err(Error::Index("index_select(): Index is supposed to be a vector".into()));
        }
        check_int_index(index, "index_select")?;
        if self.rank() == 0 {
            // a 0-d tensor takes exactly one index and stays 0-d (PyTorch)
            normalize_dim(dim, 0)?;
            if index.numel() != 1 {
                return Err(Error::Runtime(format!("index_select(): Index to scalar can have only 1 value, got {} value(s)", index.numel())));
            }
            return self.reshape_to(&[1])?.index_select(0, &index.reshape_to(&[1])?)?.reshape_to(&[]);
        }
        let d = normalize_dim(dim, self.rank())?;
        check_same_device(&[self, index])?;
        if let Some(v) = first_out_of_range(index, 0, self.shape()[d] as i64)? {
            // no negative indices; the class is PyTorch's (2.15), which depends on its kernel
            // path: a RuntimeError along dim 1, an IndexError ("index out of range in self")
            // along any other
            let msg = format!("index_select(): index {v} is out of range in self: dimension {d} has size {}", self.shape()[d]);
            return Err(if d == 1 { Error::Runtime(msg) } else { Error::Index(msg) });
        }
        if self.device() != crate::device::Device::Cpu {
            // On a GPU the advanced-index machinery would resolve offsets on the host (a
            // readback of the index, an upload of offsets); a gather with the index broadcast
            // along the other dims runs on the device both ways (its backward a scatter-add).
            let n = index.numel();
            let mut along = vec![1isize; self.rank()];
            along[d] = n as isize;
            let mut shape: Vec<isize> = self.shape().iter().map(|&s| s as isize).collect();
            shape[d] = n as isize;
            let idx = as_i64(index)?.reshape(&along)?.expand(&shape)?;
            return self.gather(d as isize, &idx);
        }
        self.index_adv("IndexSelectBackward0", &dim_spec(index, d)?)
    }

    /// `gather(dim, index)`: `out[i][j] = self[index[i][j]][j]` (dim 0), shape of `index`.
    /// Indices must lie in `[0, size)`: PyTorch's gather takes no negative ones.
    pub fn gather(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        self.gather_impl(dim, index, false)
    }

    /// `gather`, or with `wrap` the `take_along_dim` flavour: negative indices count from the
    /// end and a bad index is an IndexError.
    fn gather_impl(&self, dim: isize, index: &Tensor, wrap: bool) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        self.check_gather_scatter(d, index, None, "gather")?;
        let index = &as_i64(index)?;
        if self.rank() == 0 || index.rank() == 0 {
            // 0-d tensors act as 1-element vectors
            let s = if self.rank() == 0 { self.reshape_to(&[1])? } else { self.clone() };
            let i = index.reshape_to(&[index.numel()])?;
            return s.gather_impl(0, &i, wrap)?.reshape_to(index.shape());
        }
        check_same_device(&[self, index])?;
        let out = Tensor::empty_on(index.shape(), self.dtype(), self.device())?;
        let size = self.shape()[d];
        // the kernel reports the first bad index it meets
        if let Some(v) = backend::gather_dim(&out, self, d, index, wrap)? {
            return Err(out_of_bounds_rt(v, d, size));
        }
        if needs_grad(&[self]) {
            let (in_shape, index) = (Shape::from(self.shape()), index.detach());
            record("GatherBackward0", &out, &[self], vec![], move |_, g| {
                // the scatter below takes no negative indices
                let index = if wrap { index.remainder(&Tensor::wrapped_scalar(Scalar::Int(size as i64)))? } else { index.clone() };
                let z = Tensor::zeros_on(&in_shape, g.dtype(), g.device())?;
                Ok(vec![Some(z.scatter_reduce_t(d as isize, &index, g, ScatterReduce::Sum, true)?)])
            });
        }
        Ok(out)
    }

    /// In-place raw scatter of `src` (tensor of self's dtype, or one element) along `dim`.
    fn scatter_raw(&self, d: usize, index: &Tensor, src: &Tensor, op: ScatterOp) -> Result<()> {
        if index.numel() == 0 {
            return Ok(());
        }
        check_same_device(&[self, index, src])?;
        let src = if src.dtype() != self.dtype() { src.cast_raw(self.dtype())? } else { src.clone() };
        let src = if src.same_storage(self) { src.contiguous_raw()? } else { src };
        let size = if self.rank() == 0 { 1 } else { self.shape()[d] };
        // the kernel reports the first bad index it meets
        match backend::scatter_dim(self, d, index, &src, op)? {
            Some(v) => Err(out_of_bounds_rt(v, d, size)),
            None => Ok(()),
        }
    }

    /// `scatter(dim, index, src)`: a copy of self with `src` written at `index` along `dim`.
    pub fn scatter_t(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        let is_value = src.is_wrapped_number();
        self.check_gather_scatter(d, index, if is_value { None } else { Some(src) }, "scatter")?;
        let index = &as_i64(index)?;
        if is_value {
            src.item()?.check_fits(self.dtype())?;
        }
        if !is_value && src.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "scatter(): Expected self.dtype to be equal to src.dtype, got {} and {}",
                dtype_title(self.dtype()),
                dtype_title(src.dtype())
            )));
        }
        let src_v = if is_value { src.clone() } else { narrow_to(src, index.shape())? };
        let out = self.contiguous_raw()?;
        out.scatter_raw(d, index, &src_v, ScatterOp::Assign)?;
        if needs_grad(&[self, &src_v]) {
            let index = index.detach();
            let (gs, gv) = (self.requires_grad(), src_v.requires_grad() && !is_value);
            record("ScatterBackward0", &out, &[self, &src_v], vec![], move |_, g| {
                Ok(vec![
                    if gs { Some(g.scatter_t(d as isize, &index, &Tensor::wrapped_scalar(Scalar::Int(0)))?) } else { None },
                    if gv { Some(g.gather(d as isize, &index)?) } else { None },
                ])
            });
        }
        Ok(out)
    }

    /// `scatter_reduce(dim, index, src, reduce, include_self)`; also `scatter_add` (sum) and
    /// `scatter(..., reduce=)`.
    pub fn scatter_reduce_t(&self, dim: isize, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<Tensor> {
        let d = normalize_dim(dim, self.rank())?;
        let is_value = src.is_wrapped_number();
        self.check_gather_scatter(d, index, if is_value { None } else { Some(src) }, "scatter")?;
        let index = &as_i64(index)?;
        if reduce == ScatterReduce::Mean && self.dtype() == DType::Bool {
            return Err(Error::NotImplemented("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'".into()));
        }
        if !is_value && src.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "scatter(): Expected self.dtype to be equal to src.dtype, got {} and {}",
                dtype_title(self.dtype()),
                dtype_title(src.dtype())
            )));
        }
        let src_v = if is_value { src.clone() } else { narrow_to(src, index.shape())? };
        let out = self.scatter_reduce_forward(d, index, &src_v, reduce, include_self)?;
        if needs_grad(&[self, &src_v]) {
            let index = index.detach();
            let (gs, gv) = (self.requires_grad(), src_v.requires_grad() && !is_value);
            let saved = vec![self.clone(), src_v.clone(), out.detach()];
            let name = if reduce == ScatterReduce::Sum && include_self { "ScatterAddBackward0" } else { "ScatterReduceBackward0" };
            record(name, &out, &[self, &src_v], saved, move |s, g| {
                let (x, src) = (&s[0], &s[1]);
                let di = d as isize;
                let zero = Tensor::wrapped_scalar(Scalar::Int(0));
                let masked = || g.scatter_t(di, &index, &zero);
                let result = || -> Result<Tensor> {
                    if crate::autograd::is_grad_enabled() { x.scatter_reduce_t(di, &index, src, reduce, include_self) } else { Ok(s[2].clone()) }
                };
                let (g_self, g_src) = match reduce {
                    ScatterReduce::Sum => (if include_self { g.clone() } else { masked()? }, g.gather(di, &index)?),
                    ScatterReduce::Mean => {
                        let n = scatter_counts(x, di, &index, include_self)?;
                        let gn = g.div(&n)?;
                        (if include_self { gn.clone() } else { masked()? }, gn.gather(di, &index)?)
                    }
                    ScatterReduce::Prod => {
                        // PyTorch's formula: each input's gradient is g times the product of the
                        // *other* factors of its output position, computed without dividing by
                        // zero. A zero self is replaced by 1 before reducing again; a src zero
                        // that is the only src zero of its position is replaced by 1 the same
                        // way; with two or more zeros every src gradient there is 0.
                        let one = Tensor::wrapped_scalar(Scalar::Int(1));
                        let g_self = if !gs {
                            None
                        } else if include_self {
                            let masked_self = x.masked_fill_scalar(&x.eq_t(&zero)?, 1.0)?;
                            let prod_others = masked_self.scatter_reduce_t(di, &index, src, ScatterReduce::Prod, true)?;
                            Some(g.mul(&prod_others)?.div(&masked_self)?)
                        } else {
                            Some(masked()?)
                        };
                        let g_src = if !gv {
                            None
                        } else {
                            let res = result()?;
                            let src_zero = src.eq_t(&zero)?;
                            let z = Tensor::zeros_on(x.shape(), g.dtype(), g.device())?;
                            let zeros_at = z.scatter_reduce_t(di, &index, &src_zero.to_dtype(g.dtype())?, ScatterReduce::Sum, true)?.gather(di, &index)?;
                            let single_zero = src_zero.logical_and(&zeros_at.eq_t(&one)?)?;
                            let masked_src = src.masked_fill_scalar(&single_zero, 1.0)?;
                            let prod_others = x.scatter_reduce_t(di, &index, &masked_src, ScatterReduce::Prod, include_self)?;
                            let at_single = g.mul(&prod_others)?.gather(di, &index)?;
                            let quotient = g.mul(&res)?.gather(di, &index)?.div(&src.masked_fill_scalar(&src_zero, 1.0)?)?;
                            Some(single_zero.where_t(&at_single, &quotient)?)
                        };
                        return Ok(vec![g_self, g_src]);
                    }
                    ScatterReduce::Amax | ScatterReduce::Amin => {
                        // ties share the gradient evenly
                        let res = result()?;
                        let self_is = x.eq_t(&res)?.to_dtype(g.dtype())?;
                        let src_is = src.eq_t(&res.gather(di, &index)?)?.to_dtype(g.dtype())?;
                        let z = Tensor::zeros_on(x.shape(), g.dtype(), g.device())?;
                        let mut n = z.scatter_reduce_t(di, &index, &src_is, ScatterReduce::Sum, true)?;
                        if include_self {
                            n = n.add(&self_is)?;
                        }
                        let gn = g.div(&n)?;
                        let gs_v = if include_self { gn.mul(&self_is)?.masked_fill_scalar(&n.eq_t(&zero)?, 0.0)? } else { masked()? };
                        (gs_v, gn.gather(di, &index)?.mul(&src_is)?)
                    }
                };
                Ok(vec![gs.then_some(g_self), gv.then_some(g_src)])
            });
        }
        Ok(out)
    }

    fn scatter_reduce_forward(&self, d: usize, index: &Tensor, src: &Tensor, reduce: ScatterReduce, include_self: bool) -> Result<Tensor> {
        let out = self.contiguous_raw()?;
        if !include_self {
            let dt = self.dtype();
            let ident = match reduce {
                ScatterReduce::Sum | ScatterReduce::Mean => Scalar::Int(0),
                ScatterReduce::Prod => Scalar::Int(1),
                ScatterReduce::Amax => match dt {
                    DType::F32 | DType::F64 => Scalar::Float(f64::NEG_INFINITY),
                    DType::I32 => Scalar::Int(i32::MIN as i64),
                    DType::I64 => Scalar::Int(i64::MIN),
                    DType::Bool => Scalar::Bool(false),
                },
                ScatterReduce::Amin => match dt {
                    DType::F32 | DType::F64 => Scalar::Float(f64::INFINITY),
                    DType::I32 => Scalar::Int(i32::MAX as i64),
                    DType::I64 => Scalar::Int(i64::MAX),
                    DType::Bool => Scalar::Bool(true),
                },
            };
            out.scatter_raw(d, index, &Tensor::scalar_on(ident, dt, self.device())?, ScatterOp::Assign)?;
        }
        let op = match reduce {
            ScatterReduce::Sum | ScatterReduce::Mean => ScatterOp::Add,
            ScatterReduce::Prod => ScatterOp::Mul,
            ScatterReduce::Amax => ScatterOp::Max,
            ScatterReduce::Amin => ScatterOp::Min,
        };
        out.scatter_raw(d, index, &src.detach(), op)?;
        if reduce == ScatterReduce::Mean {
            let n = crate::autograd::no_grad(|| scatter_counts(self, d as isize, index, include_self))?;
            let res = if out.dtype().is_float() {
                crate::autograd::no_grad(|| out.div(&n.to_dtype(out.dtype())?))?
            } else {
                // integer mean: floor division (the counts are at least 1), as PyTorch
                crate::autograd::no_grad(|| out.floor_divide(&n))?.cast_raw(out.dtype())?
            };
            return Ok(res);
        }
        Ok(out)
    }

    /// `scatter_add(dim, index, src)`.
    pub fn scatter_add_t(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        self.scatter_reduce_t(dim, index, src, ScatterReduce::Sum, true)
    }

    /// `index_add(dim, index, source, alpha)`: adds `alpha * source` slices at `index`.
    pub fn index_add_t(&self, dim: isize, index: &Tensor, source: &Tensor, alpha: Option<Scalar>) -> Result<Tensor> {
        let d = self.check_index_family(dim, index, Some(source), "index_add")?;
        let size = if self.rank() == 0 { 1 } else { self.shape()[d] };
        if let Some(v) = first_out_of_range(index, 0, size as i64)? {
            // PyTorch's class depends on its kernel path: an IndexError ("index out of range
            // in self") for a 0-d or 1-D tensor, a RuntimeError for 2-D and up
            return Err(if self.rank() <= 1 { out_of_bounds(v, d, size) } else { out_of_bounds_rt(v, d, size) });
        }
        let src = match alpha {
            Some(a) if a.to_f64() != 1.0 => source.mul(&Tensor::wrapped_scalar(a))?,
            _ => source.clone(),
        };
        let (s, spec) = self.as_dim_target(d, index)?;
        let src = if self.rank() == 0 { src.reshape_to(&[src.numel()])? } else { src };
        s.index_put_adv("IndexAddBackward0", &spec, &src, true)?.reshape_to(self.shape())
    }

    /// `index_copy(dim, index, source)`.
    pub fn index_copy_t(&self, dim: isize, index: &Tensor, source: &Tensor) -> Result<Tensor> {
        let d = self.check_index_family(dim, index, Some(source), "index_copy")?;
        let size = if self.rank() == 0 { 1 } else { self.shape()[d] };
        if let Some(v) = first_out_of_range(index, 0, size as i64)? {
            return Err(Error::Index(format!("index_copy_(): index {v} is out of bounds for dimension {d} with size {size}")));
        }
        let (s, spec) = self.as_dim_target(d, index)?;
        let src = if self.rank() == 0 { source.reshape_to(&[source.numel()])? } else { source.clone() };
        s.index_put_adv("IndexCopyBackward0", &spec, &src, false)?.reshape_to(self.shape())
    }

    /// `index_fill(dim, index, value)`: value is a scalar or a 0-d tensor.
    pub fn index_fill_t(&self, dim: isize, index: &Tensor, value: &Tensor) -> Result<Tensor> {
        let d = self.check_index_family(dim, index, None, "index_fill")?;
        if value.rank() != 0 {
            return Err(Error::Runtime(format!(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                value.rank()
            )));
        }
        if value.is_wrapped_number() {
            value.item()?.check_fits(self.dtype())?;
        }
        let (s, spec) = self.as_dim_target(d, index)?;
        s.index_put_adv("IndexFillBackward0", &spec, value, false)?.reshape_to(self.shape())
    }

    /// 0-d tensors are indexed as 1-element vectors.
    fn as_dim_target(&self, d: usize, index: &Tensor) -> Result<(Tensor, AdvSpec)> {
        let s = if self.rank() == 0 { self.reshape_to(&[1])? } else { self.clone() };
        Ok((s, dim_spec(index, d)?))
    }

    fn check_index_family(&self, dim: isize, index: &Tensor, source: Option<&Tensor>, what: &str) -> Result<usize> {
        let d = normalize_dim(dim, self.rank())?;
        if index.rank() > 1 {
            return Err(Error::Index(format!("{what}_(): Index is supposed to be a vector")));
        }
        check_int_index(index, what)?;
        let mut tensors = vec![self, index];
        tensors.extend(source);
        check_same_device(&tensors)?;
        if let Some(src) = source {
            if what == "index_copy" && src.dtype() != self.dtype() {
                return Err(Error::Runtime(format!(
                    "index_copy_(): self and source expected to have the same dtype, but got (self) {} and (source) {}",
                    dtype_title(self.dtype()),
                    dtype_title(src.dtype())
                )));
            }
            let mut expect: Shape = self.shape().into();
            if !expect.is_empty() {
                expect[d] = index.numel();
            }
            let ok = if self.rank() == 0 { src.numel() == index.numel() } else { src.shape() == expect.as_slice() };
            if !ok {
                return Err(Error::Runtime(format!(
                    "{what}_(): source tensor shape {} must match self tensor shape {}, excluding the specified dimension {d}, with size {} along it",
                    fmt_shape(src.shape()),
                    fmt_shape(self.shape()),
                    index.numel()
                )));
            }
        }
        Ok(d)
    }

    /// `take(index)`: elements of the flattened tensor, in the shape of `index`.
    pub fn take(&self, index: &Tensor) -> Result<Tensor> {
        if index.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("take(): Expected a long tensor for index, but got {}", dtype_title(index.dtype()))));
        }
        let (flat, spec) = self.flat_target(index)?;
        flat.index_adv("TakeBackward0", &spec)
    }

    /// `put(index, source, accumulate=False)`: a copy of self with `source` written (or added)
    /// at the flat, row-major positions `index` (negative ones count from the end).
    pub fn put_t(&self, index: &Tensor, source: &Tensor, accumulate: bool) -> Result<Tensor> {
        if index.dtype() != DType::I64 {
            return Err(Error::Runtime(format!("put_(): Expected a long tensor for index, but got {}", dtype_title(index.dtype()))));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "put_(): self and source expected to have the same dtype, but got self.dtype = {} and source.dtype = {}",
                dtype_title(self.dtype()),
                dtype_title(source.dtype())
            )));
        }
        if source.numel() != index.numel() {
            return Err(Error::Index(format!(
                "put_(): Expected source and index to have the same number of elements, but got source.numel() = {}, index.numel() = {}",
                source.numel(),
                index.numel()
            )));
        }
        let (flat, spec) = self.flat_target(index)?;
        let out = crate::autograd::no_grad(|| flat.index_put_adv("PutBackward0", &spec, &source.reshape_to(index.shape())?, accumulate)?.reshape_to(self.shape()))?;
        if needs_grad(&[self, source]) {
            let (gs, gv, index) = (self.requires_grad(), source.requires_grad(), index.detach());
            let src_shape = Shape::from(source.shape());
            record("PutBackward0", &out, &[self, source], vec![], move |_, g| {
                let g_self = match (gs, accumulate) {
                    (false, _) => None,
                    (true, true) => Some(g.clone()),
                    // overwritten positions get no gradient
                    (true, false) => Some(g.put_t(&index, &Tensor::zeros_on(index.shape(), g.dtype(), g.device())?, false)?),
                };
                Ok(vec![g_self, if gv { Some(g.take(&index)?.reshape_to(&src_shape)?) } else { None }])
            });
        }
        Ok(out)
    }

    /// `take` / `put`: self flattened and `index` as one advanced index into it, checked
    /// with PyTorch's message.
    fn flat_target(&self, index: &Tensor) -> Result<(Tensor, AdvSpec)> {
        let n = self.numel() as i64;
        let idx = as_i64_contig(&index.detach(), self.device())?;
        if let Some(v) = first_out_of_range(&idx, -n, n)? {
            return Err(Error::Index(format!("out of range: tried to access index {v} on a tensor of {n} elements.")));
        }
        let flat = self.reshape_to(&[self.numel()])?;
        Ok((flat, AdvSpec { dims: vec![0], origs: vec![0], bshape: index.shape().into(), idx: vec![idx], adjacent: true }))
    }

    /// `take_along_dim(indices, dim)`: gather with broadcasting; `dim=None` works on the flattened tensor.
    pub fn take_along_dim(&self, indices: &Tensor, dim: Option<isize>) -> Result<Tensor> {
        if !indices.dtype().is_int() {
            return Err(Error::Runtime(format!("gather(): Expected dtype int32/int64 for index, but got {}", indices.dtype())));
        }
        let Some(dim) = dim else {
            // the flattened form is a plain gather (PyTorch: no negative indices here)
            return self.reshape_to(&[self.numel()])?.gather_impl(0, &indices.reshape_to(&[indices.numel()])?, false);
        };
        if self.rank() == 0 {
            return Err(Error::Index(format!("Dimension specified as {dim} but tensor has no dimensions")));
        }
        if self.rank() != indices.rank() {
            return Err(Error::Runtime(format!(
                "torch.take_along_dim(): input and indices should have the same number of dimensions, but got {} dimensions for input, and {} dimensions for indices",
                self.rank(),
                indices.rank()
            )));
        }
        let d = normalize_dim(dim, self.rank())?;
        if self.rank() == 0 {
            return self.gather_impl(0, indices, true);
        }
        let mut s1: Shape = self.shape().into();
        s1[d] = indices.shape()[d];
        let ib = broadcast_shapes(&s1, indices.shape())?;
        let mut s2: Shape = indices.shape().into();
        s2[d] = self.shape()[d];
        let sb = broadcast_shapes(&s2, self.shape())?;
        self.expand_to(&sb)?.gather_impl(d as isize, &indices.expand_to(&ib)?, true)
    }
}

/// How many values land on each position of `x` (plus one for self when included).
fn scatter_counts(x: &Tensor, dim: isize, index: &Tensor, include_self: bool) -> Result<Tensor> {
    let dt = if x.dtype().is_float() { x.dtype() } else { DType::I64 };
    let init = if include_self { 1 } else { 0 };
    let n = Tensor::full_on(x.shape(), Scalar::Int(init), dt, x.device())?;
    let d = normalize_dim(dim, x.rank())?;
    n.scatter_raw(d, index, &Tensor::scalar_on(Scalar::Int(1), dt, x.device())?, ScatterOp::Add)?;
    // positions that nothing reached keep their own value: count 1
    let zero = Tensor::wrapped_scalar(Scalar::Int(0));
    n.masked_fill_raw(&n.eq_t(&zero)?, Scalar::Int(1))?;
    Ok(n)
}

