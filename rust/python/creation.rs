//! Creation functions: tensor, zeros, ones, full, empty, eye, arange, linspace,
//! rand/randn/randint and the `*_like` family, plus dtype utilities.

use super::convert::{parse_device, parse_device_opt, parse_dtype, parse_sizes, scalar_of, tensor_arg, tensor_from_data};
use super::dtype::{dtype_obj, PyDType};
use super::random::generator_arg;
use crate::ops::random as rng;
use super::object::Wrap;
use super::object::PyT;
use super::pytensor::PyTensor;
use crate::dtype::{default_float, set_default_float, DType, Scalar};
use crate::error::Error;
use crate::shape::{check_sizes, fmt_shape};
use crate::tensor::dtype_title;
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyTuple};

/// Applies the `requires_grad=` keyword every creator takes.
fn finish(t: Tensor, requires_grad: bool) -> PyT {
    if requires_grad {
        t.set_requires_grad(true)?;
    }
    Ok(Wrap(t))
}

/// The `out=` tensor of a creation function, checked as PyTorch checks it, and the dtype the
/// result takes: `out`'s unless `dtype=` names one, which must then match.
fn out_arg<'py>(name: &str, out: Option<&Bound<'py, PyAny>>, dtype: Option<DType>) -> PyResult<(Option<Bound<'py, PyTensor>>, Option<DType>)> {
    let Some(o) = out.filter(|o| !o.is_none()) else { return Ok((None, dtype)) };
    let o = o.cast::<PyTensor>().map_err(|_| PyTypeError::new_err(format!("{name}(): argument 'out' must be Tensor, not {}", o.get_type().name().map(|n| n.to_string()).unwrap_or_default())))?;
    let t = &o.get().inner;
    if let Some(d) = dtype {
        if d != t.dtype() {
            return Err(Error::Runtime(format!("dtype {} does not match dtype of out parameter ({})", dtype_title(d), dtype_title(t.dtype()))).into());
        }
    }
    if t.requires_grad() && crate::autograd::is_grad_enabled() {
        return Err(Error::Runtime(format!("{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.")).into());
    }
    Ok((Some(o.clone()), Some(t.dtype())))
}

/// Refuses an `out` of another shape: rgrad tensors can't change shape in place, where
/// PyTorch would resize `out`.
fn check_out_shape(name: &str, out: &Tensor, shape: &[usize]) -> PyResult<()> {
    if out.shape() != shape {
        return Err(Error::Runtime(format!(
            "{name}(): out= tensor has shape {} but the result has shape {}; rgrad can't resize out= tensors yet, pass one of the result's shape",
            fmt_shape(out.shape()),
            fmt_shape(shape)
        ))
        .into());
    }
    Ok(())
}

/// Writes a creation function's result into `out` and returns `out` itself, as PyTorch does,
/// or wraps the result as a new tensor when there is no `out`.
fn finish_out<'py>(py: Python<'py>, name: &str, t: Tensor, out: Option<Bound<'py, PyTensor>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let Some(o) = out else { return finish(t, requires_grad)?.into_pyobject(py) };
    let dst = &o.get().inner;
    check_out_shape(name, dst, t.shape())?;
    dst.copy_(&t)?;
    if requires_grad {
        dst.set_requires_grad(true)?;
    }
    Ok(o.into_any())
}

fn sizes_of(args: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>) -> PyResult<crate::shape::Shape> {
    let raw = match size {
        Some(s) if !s.is_none() => parse_sizes(&PyTuple::new(s.py(), [s])?)?,
        _ => parse_sizes(args)?,
    };
    Ok(check_sizes(&raw)?)
}

/// `tensor(data, *, dtype=None, device=None, requires_grad=False)`: always copies.
///
/// >>> rgrad.tensor([[1, 2], [3, 4]])
/// tensor([[1, 2],
///         [3, 4]])
/// >>> rgrad.tensor([1.0, 2.0], dtype=rgrad.float64)
/// tensor([1., 2.], dtype=rgrad.float64)
/// >>> rgrad.tensor(3.5)
/// tensor(3.5000)
/// >>> rgrad.tensor([True, False]).dtype
/// rgrad.bool
#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyT {
    let _ = pin_memory;
    let device = parse_device(device)?;
    let t = tensor_from_data(data, parse_dtype(dtype)?)?.to_device(device)?;
    finish(t, requires_grad)
}

/// `as_tensor(data, dtype=None, device=None)`: shares memory with tensors and NumPy arrays when it can.
///
/// >>> a = np.array([1.0, 2.0])
/// >>> t = rgrad.as_tensor(a)
/// >>> a[0] = 7.0  # shared memory
/// >>> t
/// tensor([7., 2.], dtype=rgrad.float64)
/// >>> rgrad.as_tensor([1, 2], dtype=rgrad.float32)
/// tensor([1., 2.])
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyT {
    let device = parse_device_opt(device)?;
    let dt = parse_dtype(dtype)?;
    let t = if let Ok(t) = data.cast::<PyTensor>() {
        let t = &t.get().inner;
        match dt {
            Some(d) if d != t.dtype() => t.to_dtype(d)?,
            _ => t.clone(),
        }
    } else if data.is_instance(&data.py().import("numpy")?.getattr("ndarray")?)? {
        let t = super::numpy::tensor_from_array(data, false)?;
        match dt {
            Some(d) if d != t.dtype() => t.cast_raw(d)?,
            _ => t,
        }
    } else {
        tensor_from_data(data, dt)?
    };
    // shares memory unless another device is asked for
    Ok(Wrap(match device {
        Some(d) => t.to_device(d)?,
        None => t,
    }))
}

/// `from_numpy(ndarray)`: a tensor sharing the array's memory (writes are seen on both sides).
///
/// >>> a = np.arange(4, dtype=np.int32)
/// >>> t = rgrad.from_numpy(a)
/// >>> t
/// tensor([0, 1, 2, 3], dtype=rgrad.int32)
/// >>> t[0] = 10
/// >>> a
/// array([10,  1,  2,  3], dtype=int32)
#[pyfunction]
pub fn from_numpy(a: &Bound<'_, PyAny>) -> PyT {
    Ok(Wrap(super::numpy::from_numpy(a)?))
}

/// `$body` makes a new tensor; `$fill` is what it writes into an `out=` tensor instead (in
/// place, no temporary), `None` for `empty`, which leaves `out`'s contents.
macro_rules! filled_creator {
    ($(#[$doc:meta])* $name:ident, $body:expr, $fill:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, memory_format=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name<'py>(size: &Bound<'py, PyTuple>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool, pin_memory: bool, memory_format: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
            let _ = (layout, pin_memory, memory_format);
            let name = stringify!($name);
            let shape = sizes_of(size, None)?;
            let device = parse_device(device)?;
            let (out, dtype) = out_arg(name, out, parse_dtype(dtype)?)?;
            let Some(o) = out else {
                let f: fn(&[usize], DType, crate::Device) -> crate::Result<Tensor> = $body;
                return finish(f(&shape, dtype.unwrap_or_else(default_float), device)?, requires_grad)?.into_pyobject(size.py());
            };
            let dst = &o.get().inner;
            check_out_shape(name, dst, &shape)?;
            let fill: Option<Scalar> = $fill;
            if let Some(v) = fill {
                dst.fill_(v)?;
            }
            if requires_grad {
                dst.set_requires_grad(true)?;
            }
            Ok(o.into_any())
        }
    };
}

filled_creator!(
    /// `zeros(*size, dtype=None, device=None, requires_grad=False)`: a tensor of zeros (the default float dtype unless `dtype=`).
    ///
    /// >>> rgrad.zeros(2, 3)
    /// tensor([[0., 0., 0.],
    ///         [0., 0., 0.]])
    /// >>> rgrad.zeros((2,), dtype=rgrad.int64)
    /// tensor([0, 0])
    zeros, |s, d, dev| Tensor::zeros_on(s, d, dev), Some(Scalar::Int(0))
);
filled_creator!(
    /// `ones(*size, dtype=None, device=None, requires_grad=False)`: a tensor of ones (the default float dtype unless `dtype=`).
    ///
    /// >>> rgrad.ones(2, 2)
    /// tensor([[1., 1.],
    ///         [1., 1.]])
    /// >>> rgrad.ones(3, dtype=rgrad.bool)
    /// tensor([True, True, True])
    ones, |s, d, dev| Tensor::ones_on(s, d, dev), Some(Scalar::Int(1))
);
filled_creator!(
    /// `empty(*size, ...)`: a tensor whose contents are unspecified (fill it before reading).
    ///
    /// >>> x = rgrad.empty(2, 3)
    /// >>> x.shape, x.dtype
    /// (rgrad.Size([2, 3]), rgrad.float32)
    /// >>> x.fill_(1.0)
    /// tensor([[1., 1., 1.],
    ///         [1., 1., 1.]])
    empty, |s, d, dev| Tensor::empty_on(s, d, dev), None
);

/// `full(size, fill_value, *, dtype=None)`: dtype inferred from the value when not given.
///
/// >>> rgrad.full((2, 3), 7)
/// tensor([[7, 7, 7],
///         [7, 7, 7]])
/// >>> rgrad.full((2,), 0.5)
/// tensor([0.5000, 0.5000])
/// >>> rgrad.full((2,), 1, dtype=rgrad.float32)
/// tensor([1., 1.])
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn full<'py>(size: &Bound<'py, PyAny>, fill_value: &Bound<'py, PyAny>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let shape = sizes_of(&PyTuple::empty(size.py()), Some(size))?;
    let v = fill_scalar(fill_value)?;
    let (out, dtype) = out_arg("full", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or(v.default_dtype());
    v.check_fits(dtype)?;
    finish_out(size.py(), "full", Tensor::full_on(&shape, v, dtype, parse_device(device)?)?, out, requires_grad)
}

fn fill_scalar(v: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Some(s) = scalar_of(v) {
        return Ok(s);
    }
    if let Ok(t) = v.cast::<PyTensor>() {
        let t = &t.get().inner;
        if t.numel() == 1 {
            return Ok(t.item()?);
        }
    }
    Err(PyTypeError::new_err(format!("fill_value must be a number, not {}", v.get_type().name()?)))
}

/// `eye(n, m=None, *, dtype=None, device=None, requires_grad=False)`.
///
/// >>> rgrad.eye(3)
/// tensor([[1., 0., 0.],
///         [0., 1., 0.],
///         [0., 0., 1.]])
/// >>> rgrad.eye(2, 3, dtype=rgrad.int64)
/// tensor([[1, 0, 0],
///         [0, 1, 0]])
#[pyfunction]
#[pyo3(signature = (n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn eye<'py>(py: Python<'py>, n: i64, m: Option<i64>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(Error::Value(format!("n and m must be non-negative, got n={n}, m={m}")).into());
    }
    let device = parse_device(device)?;
    let (out, dtype) = out_arg("eye", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or_else(default_float);
    finish_out(py, "eye", Tensor::eye_on(n as usize, m as usize, dtype, device)?, out, requires_grad)
}

fn num(v: &Bound<'_, PyAny>, what: &str) -> PyResult<(f64, bool)> {
    match scalar_of(v) {
        Some(Scalar::Float(f)) => Ok((f, true)),
        Some(s) => Ok((s.to_f64(), false)),
        None => {
            if let Ok(t) = v.cast::<PyTensor>() {
                let t = &t.get().inner;
                if t.numel() == 1 {
                    return Ok((t.item()?.to_f64(), t.dtype().is_float()));
                }
            }
            Err(PyTypeError::new_err(format!("{what} must be a number, not {}", v.get_type().name()?)))
        }
    }
}

/// `arange(end)`, `arange(start, end, step=1)`: int64 when all arguments are ints.
///
/// >>> rgrad.arange(5)
/// tensor([0, 1, 2, 3, 4])
/// >>> rgrad.arange(1, 2.5, 0.5)
/// tensor([1.0000, 1.5000, 2.0000])
/// >>> rgrad.arange(10, 0, -3)
/// tensor([10,  7,  4,  1])
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn arange<'py>(start: &Bound<'py, PyAny>, end: Option<&Bound<'py, PyAny>>, step: Option<&Bound<'py, PyAny>>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let device = parse_device(device)?;
    let (s, sf) = num(start, "start")?;
    let (mut lo, mut hi, mut any_float) = (0.0, s, sf);
    if let Some(e) = end {
        if !e.is_none() {
            let (e, ef) = num(e, "end")?;
            lo = s;
            hi = e;
            any_float |= ef;
        }
    }
    let mut st = 1.0;
    if let Some(stp) = step {
        if !stp.is_none() {
            let (v, f) = num(stp, "step")?;
            st = v;
            any_float |= f;
        }
    }
    let (out, dtype) = out_arg("arange", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or(if any_float { default_float() } else { DType::I64 });
    finish_out(start.py(), "arange", Tensor::arange_on(lo, hi, st, dtype, device)?, out, requires_grad)
}

/// `linspace(start, end, steps)`.
///
/// >>> rgrad.linspace(0, 1, steps=5)
/// tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
/// >>> rgrad.linspace(-1, 1, 3, dtype=rgrad.float64)
/// tensor([-1.,  0.,  1.], dtype=rgrad.float64)
#[pyfunction]
#[pyo3(signature = (start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn linspace<'py>(start: &Bound<'py, PyAny>, end: &Bound<'py, PyAny>, steps: i64, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let device = parse_device(device)?;
    if steps < 0 {
        return Err(Error::Runtime(format!("linspace(): number of steps must be non-negative, got {steps}")).into());
    }
    let (s, _) = num(start, "start")?;
    let (e, _) = num(end, "end")?;
    let (out, dtype) = out_arg("linspace", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or_else(default_float);
    finish_out(start.py(), "linspace", Tensor::linspace_on(s, e, steps as usize, dtype, device)?, out, requires_grad)
}

/// `rand(*size, dtype=None, ...)`: uniform on [0, 1).
///
/// >>> _ = rgrad.manual_seed(0)
/// >>> x = rgrad.rand(2, 3)
/// >>> x.shape, bool(((x >= 0) & (x < 1)).all())
/// (rgrad.Size([2, 3]), True)
/// >>> _ = rgrad.manual_seed(0)
/// >>> rgrad.equal(x, rgrad.rand(2, 3))  # the same seed draws the same numbers
/// True
#[pyfunction]
#[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn rand<'py>(size: &Bound<'py, PyTuple>, generator: Option<&Bound<'py, PyAny>>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let generator = generator_arg("rand", generator)?;
    let device = parse_device(device)?;
    let shape = sizes_of(size, None)?;
    let (out, dtype) = out_arg("rand", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or_else(default_float);
    let t = rng::drawing_from(generator.as_ref(), || Tensor::rand_on(&shape, dtype, device))?;
    finish_out(size.py(), "rand", t, out, requires_grad)
}

/// `randn(*size, dtype=None, ...)`: standard normal.
///
/// >>> _ = rgrad.manual_seed(0)
/// >>> x = rgrad.randn(1000, dtype=rgrad.float64)
/// >>> x.shape, x.dtype
/// (rgrad.Size([1000]), rgrad.float64)
/// >>> bool(x.mean().abs() < 0.2), bool((x.std() - 1).abs() < 0.2)
/// (True, True)
#[pyfunction]
#[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn randn<'py>(size: &Bound<'py, PyTuple>, generator: Option<&Bound<'py, PyAny>>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let generator = generator_arg("randn", generator)?;
    let device = parse_device(device)?;
    let shape = sizes_of(size, None)?;
    let (out, dtype) = out_arg("randn", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or_else(default_float);
    let t = rng::drawing_from(generator.as_ref(), || Tensor::randn_on(&shape, dtype, device))?;
    finish_out(size.py(), "randn", t, out, requires_grad)
}

/// `randint(low=0, high, size, *, dtype=int64)`.
///
/// >>> _ = rgrad.manual_seed(0)
/// >>> x = rgrad.randint(0, 10, (2, 5))
/// >>> x.shape, x.dtype, bool(((x >= 0) & (x < 10)).all())
/// (rgrad.Size([2, 5]), rgrad.int64, True)
/// >>> bool(rgrad.randint(3, (4,)).max() < 3)  # one bound: low=0
/// True
#[pyfunction]
#[pyo3(signature = (*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn randint<'py>(args: &Bound<'py, PyTuple>, size: Option<&Bound<'py, PyAny>>, generator: Option<&Bound<'py, PyAny>>, out: Option<&Bound<'py, PyAny>>, dtype: Option<&Bound<'py, PyAny>>, layout: Option<&Bound<'py, PyAny>>, device: Option<&Bound<'py, PyAny>>, requires_grad: bool) -> PyResult<Bound<'py, PyAny>> {
    let _ = layout;
    let generator = generator_arg("randint", generator)?;
    let device = parse_device(device)?;
    let mut ints: Vec<i64> = Vec::new();
    let mut size_obj = size.cloned();
    for a in args.iter() {
        if a.is_instance_of::<PyFloat>() {
            return Err(PyTypeError::new_err("randint(): low and high must be integers"));
        }
        if a.is_instance_of::<pyo3::types::PyInt>() {
            ints.push(a.extract::<i64>()?);
            continue;
        }
        if size_obj.is_some() {
            return Err(PyTypeError::new_err("randint() got multiple values for argument 'size'"));
        }
        size_obj = Some(a);
    }
    let (low, high) = match ints.as_slice() {
        [h] => (0, *h),
        [l, h] => (*l, *h),
        _ => return Err(PyTypeError::new_err("randint() expects (high, size) or (low, high, size)")),
    };
    let size_obj = size_obj.ok_or_else(|| PyTypeError::new_err("randint() missing required argument 'size'"))?;
    let shape = sizes_of(&PyTuple::empty(args.py()), Some(&size_obj))?;
    let (out, dtype) = out_arg("randint", out, parse_dtype(dtype)?)?;
    let dtype = dtype.unwrap_or(DType::I64);
    let t = rng::drawing_from(generator.as_ref(), || Tensor::randint_on(low, high, &shape, dtype, device))?;
    finish_out(args.py(), "randint", t, out, requires_grad)
}

fn like_dtype(input: &Tensor, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<DType> {
    Ok(parse_dtype(dtype)?.unwrap_or(input.dtype()))
}

/// The device of a `*_like` result: `device=` when given, else the input's.
fn like_device(input: &Tensor, device: Option<&Bound<'_, PyAny>>) -> PyResult<crate::Device> {
    Ok(parse_device_opt(device)?.unwrap_or(input.device()))
}

macro_rules! like_creator {
    ($(#[$doc:meta])* $name:ident, |$t:ident, $d:ident, $dev:ident| $body:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
        pub fn $name(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
            let _ = (layout, memory_format);
            let $t = tensor_arg(input, "input")?;
            let $dev = like_device(&$t, device)?;
            let $d = like_dtype(&$t, dtype)?;
            finish($body?, requires_grad)
        }
    };
}

like_creator!(
    /// Zeros with `input`'s shape, dtype and device.
    ///
    /// >>> rgrad.zeros_like(rgrad.tensor([[1, 2], [3, 4]]))
    /// tensor([[0, 0],
    ///         [0, 0]])
    /// >>> rgrad.zeros_like(rgrad.tensor([1, 2]), dtype=rgrad.float32)
    /// tensor([0., 0.])
    zeros_like, |t, d, dev| Tensor::zeros_on(t.shape(), d, dev)
);
like_creator!(
    /// Ones with `input`'s shape, dtype and device.
    ///
    /// >>> rgrad.ones_like(rgrad.tensor([[1.5, 2.5]]))
    /// tensor([[1., 1.]])
    ones_like, |t, d, dev| Tensor::ones_on(t.shape(), d, dev)
);
like_creator!(
    /// Uninitialised with `input`'s shape, dtype and device.
    ///
    /// >>> x = rgrad.empty_like(rgrad.zeros(2, 3, dtype=rgrad.float64))
    /// >>> x.shape, x.dtype
    /// (rgrad.Size([2, 3]), rgrad.float64)
    empty_like, |t, d, dev| Tensor::empty_on(t.shape(), d, dev)
);
like_creator!(
    /// Uniform [0, 1) with `input`'s shape, dtype and device.
    ///
    /// >>> _ = rgrad.manual_seed(0)
    /// >>> x = rgrad.rand_like(rgrad.zeros(2, 2, dtype=rgrad.float64))
    /// >>> x.shape, x.dtype, bool(((x >= 0) & (x < 1)).all())
    /// (rgrad.Size([2, 2]), rgrad.float64, True)
    rand_like, |t, d, dev| Tensor::rand_on(t.shape(), d, dev)
);
like_creator!(
    /// Standard normal with `input`'s shape, dtype and device.
    ///
    /// >>> _ = rgrad.manual_seed(0)
    /// >>> x = rgrad.randn_like(rgrad.zeros(3, 4))
    /// >>> x.shape, x.dtype
    /// (rgrad.Size([3, 4]), rgrad.float32)
    randn_like, |t, d, dev| Tensor::randn_on(t.shape(), d, dev)
);

/// `full_like(input, fill_value, *, dtype=None)`.
///
/// >>> rgrad.full_like(rgrad.zeros(2, 2), 3.5)
/// tensor([[3.5000, 3.5000],
///         [3.5000, 3.5000]])
/// >>> rgrad.full_like(rgrad.tensor([1, 2]), 7)
/// tensor([7, 7])
#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn full_like(input: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
    let _ = (layout, memory_format);
    let t = tensor_arg(input, "input")?;
    let dev = like_device(&t, device)?;
    let d = like_dtype(&t, dtype)?;
    let v = fill_scalar(fill_value)?;
    v.check_fits(d)?;
    finish(Tensor::full_on(t.shape(), v, d, dev)?, requires_grad)
}

/// `randint_like(input, low=0, high)`.
///
/// >>> _ = rgrad.manual_seed(0)
/// >>> x = rgrad.randint_like(rgrad.zeros(2, 3), 5)  # from 0 to 4, dtype and shape of the input
/// >>> x.shape, x.dtype, bool(((x >= 0) & (x < 5)).all())
/// (rgrad.Size([2, 3]), rgrad.float32, True)
#[pyfunction]
#[pyo3(signature = (input, low, high=None, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
// one parameter per keyword of torch.randint_like (PyO3 maps the Python signature onto this one)
#[allow(clippy::too_many_arguments)]
pub fn randint_like(input: &Bound<'_, PyAny>, low: i64, high: Option<i64>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
    let _ = (layout, memory_format);
    let t = tensor_arg(input, "input")?;
    let dev = like_device(&t, device)?;
    let d = like_dtype(&t, dtype)?;
    let (lo, hi) = match high {
        Some(h) => (low, h),
        None => (0, low),
    };
    finish(Tensor::randint_on(lo, hi, t.shape(), d, dev)?, requires_grad)
}

/// The default floating dtype (float32 unless changed with `set_default_dtype`).
///
/// >>> rgrad.get_default_dtype()
/// rgrad.float32
#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> Py<PyDType> {
    dtype_obj(py, default_float())
}

/// Sets the default floating dtype (float32 or float64) used by creators and promotion.
///
/// >>> rgrad.set_default_dtype(rgrad.float64)
/// >>> rgrad.tensor([1.5]).dtype, rgrad.zeros(1).dtype
/// (rgrad.float64, rgrad.float64)
/// >>> rgrad.set_default_dtype(rgrad.float32)  # back to the default
#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = parse_dtype(Some(d))?.ok_or_else(|| PyTypeError::new_err("dtype must not be None"))?;
    Ok(set_default_float(d)?)
}

/// `promote_types(a, b)`.
///
/// >>> rgrad.promote_types(rgrad.int32, rgrad.float32)
/// rgrad.float32
/// >>> rgrad.promote_types(rgrad.bool, rgrad.int32)
/// rgrad.int32
#[pyfunction]
pub fn promote_types(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyDType>> {
    let (a, b) = (parse_dtype(Some(a))?.unwrap(), parse_dtype(Some(b))?.unwrap());
    Ok(dtype_obj(py, crate::dtype::promote_types(a, b)))
}

/// `result_type(a, b)` for tensors and numbers.
///
/// >>> rgrad.result_type(rgrad.tensor([1, 2]), 1.0)
/// rgrad.float32
/// >>> rgrad.result_type(rgrad.tensor([1, 2], dtype=rgrad.int32), rgrad.tensor([1, 2]))
/// rgrad.int64
/// >>> rgrad.result_type(rgrad.tensor([1.0]), rgrad.tensor(1.0, dtype=rgrad.float64))  # a 0-d tensor ranks below a 1-d one
/// rgrad.float32
#[pyfunction]
pub fn result_type(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyDType>> {
    let a = super::convert::operand_required(a, "tensor1")?;
    let b = super::convert::operand_required(b, "tensor2")?;
    Ok(dtype_obj(py, crate::ops::result_type2(&a, &b)))
}

/// `can_cast(from_, to)`: whether PyTorch's casting rules allow an in-place result of `from_` into `to`.
///
/// >>> rgrad.can_cast(rgrad.int64, rgrad.float32)
/// True
/// >>> rgrad.can_cast(rgrad.float32, rgrad.int64)
/// False
#[pyfunction]
pub fn can_cast(from_: &Bound<'_, PyAny>, to: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(crate::ops::can_cast(parse_dtype(Some(from_))?.unwrap(), parse_dtype(Some(to))?.unwrap()))
}

/// Returns freed large buffers to the system.
///
/// >>> rgrad.empty_cache()
#[pyfunction]
pub fn empty_cache() {
    crate::ops::creation::empty_cache()
}

/// True when `obj` is an rgrad Tensor.
///
/// >>> rgrad.is_tensor(rgrad.zeros(1)), rgrad.is_tensor([0.0])
/// (True, False)
#[pyfunction]
pub fn is_tensor(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyTensor>().is_ok()
}
