//! Creation functions: tensor, zeros, ones, full, empty, eye, arange, linspace,
//! rand/randn/randint and the `*_like` family, plus dtype utilities.

use super::convert::{parse_device, parse_dtype, parse_sizes, scalar_of, tensor_arg, tensor_from_data};
use super::dtype::{dtype_obj, PyDType};
use super::tensor::{PyTensor, PyT};
use crate::dtype::{default_float, set_default_float, DType, Scalar};
use crate::error::Error;
use crate::shape::check_sizes;
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyTuple};

/// Applies the `requires_grad=` keyword every creator takes.
fn finish(t: Tensor, requires_grad: bool) -> PyT {
    if requires_grad {
        t.set_requires_grad(true)?;
    }
    Ok(PyTensor::new(t))
}

fn sizes_of(args: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>) -> PyResult<crate::shape::Shape> {
    let raw = match size {
        Some(s) if !s.is_none() => parse_sizes(&PyTuple::new(s.py(), [s])?)?,
        _ => parse_sizes(args)?,
    };
    Ok(check_sizes(&raw)?)
}

/// `tensor(data, *, dtype=None, device=None, requires_grad=False)`: always copies.
#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool) -> PyT {
    let _ = pin_memory;
    parse_device(device)?;
    let t = tensor_from_data(data, parse_dtype(dtype)?)?;
    finish(t, requires_grad)
}

/// `as_tensor(data, dtype=None, device=None)`: shares memory with tensors and NumPy arrays when it can.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor(data: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>) -> PyT {
    parse_device(device)?;
    let dt = parse_dtype(dtype)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let t = &t.get().inner;
        return Ok(PyTensor::new(match dt {
            Some(d) if d != t.dtype() => t.to_dtype(d)?,
            _ => t.clone(),
        }));
    }
    let np = data.py().import("numpy")?;
    if data.is_instance(&np.getattr("ndarray")?)? {
        let t = super::numpy::tensor_from_array(data, false)?;
        return Ok(PyTensor::new(match dt {
            Some(d) if d != t.dtype() => t.cast_raw(d)?,
            _ => t,
        }));
    }
    Ok(PyTensor::new(tensor_from_data(data, dt)?))
}

/// `from_numpy(ndarray)`: a tensor sharing the array's memory (writes are seen on both sides).
#[pyfunction]
pub fn from_numpy(a: &Bound<'_, PyAny>) -> PyT {
    Ok(PyTensor::new(super::numpy::from_numpy(a)?))
}

macro_rules! filled_creator {
    ($name:ident, $doc:literal, $body:expr) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (*size, out=None, dtype=None, layout=None, device=None, requires_grad=false, pin_memory=false, memory_format=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(size: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, pin_memory: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
            let _ = (out, layout, pin_memory, memory_format);
            let shape = sizes_of(size, None)?;
            let device = parse_device(device)?;
            let dtype = parse_dtype(dtype)?.unwrap_or_else(default_float);
            let f: fn(&[usize], DType, crate::Device) -> crate::Result<Tensor> = $body;
            finish(f(&shape, dtype, device)?, requires_grad)
        }
    };
}

filled_creator!(zeros, "`zeros(*size, dtype=None, device=None, requires_grad=False)`.", |s, d, dev| Tensor::zeros(s, d, dev));
filled_creator!(ones, "`ones(*size, dtype=None, device=None, requires_grad=False)`.", |s, d, dev| Tensor::ones(s, d, dev));
filled_creator!(empty, "`empty(*size, ...)`: contents unspecified.", |s, d, dev| Tensor::empty(s, d, dev));

/// `full(size, fill_value, *, dtype=None)`: dtype inferred from the value when not given.
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn full(size: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (out, layout);
    let shape = sizes_of(&PyTuple::empty(size.py()), Some(size))?;
    let v = fill_scalar(fill_value)?;
    let dtype = parse_dtype(dtype)?.unwrap_or(v.default_dtype());
    finish(Tensor::full(&shape, v, dtype, parse_device(device)?)?, requires_grad)
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
#[pyfunction]
#[pyo3(signature = (n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn eye(n: i64, m: Option<i64>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (out, layout);
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(Error::Value(format!("n and m must be non-negative, got n={n}, m={m}")).into());
    }
    parse_device(device)?;
    let dtype = parse_dtype(dtype)?.unwrap_or_else(default_float);
    finish(Tensor::eye(n as usize, m as usize, dtype)?, requires_grad)
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
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn arange(start: &Bound<'_, PyAny>, end: Option<&Bound<'_, PyAny>>, step: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (out, layout);
    parse_device(device)?;
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
    let dtype = parse_dtype(dtype)?.unwrap_or(if any_float { default_float() } else { DType::I64 });
    finish(Tensor::arange(lo, hi, st, dtype)?, requires_grad)
}

/// `linspace(start, end, steps)`.
#[pyfunction]
#[pyo3(signature = (start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn linspace(start: &Bound<'_, PyAny>, end: &Bound<'_, PyAny>, steps: i64, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (out, layout);
    parse_device(device)?;
    if steps < 0 {
        return Err(Error::Runtime(format!("linspace(): number of steps must be non-negative, got {steps}")).into());
    }
    let (s, _) = num(start, "start")?;
    let (e, _) = num(end, "end")?;
    let dtype = parse_dtype(dtype)?.unwrap_or_else(default_float);
    finish(Tensor::linspace(s, e, steps as usize, dtype)?, requires_grad)
}

/// `rand(*size, dtype=None, ...)`: uniform on [0, 1).
#[pyfunction]
#[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn rand(size: &Bound<'_, PyTuple>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (generator, out, layout);
    parse_device(device)?;
    let shape = sizes_of(size, None)?;
    let dtype = parse_dtype(dtype)?.unwrap_or_else(default_float);
    finish(Tensor::rand(&shape, dtype)?, requires_grad)
}

/// `randn(*size, dtype=None, ...)`: standard normal.
#[pyfunction]
#[pyo3(signature = (*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn randn(size: &Bound<'_, PyTuple>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (generator, out, layout);
    parse_device(device)?;
    let shape = sizes_of(size, None)?;
    let dtype = parse_dtype(dtype)?.unwrap_or_else(default_float);
    finish(Tensor::randn(&shape, dtype)?, requires_grad)
}

/// `randint(low=0, high, size, *, dtype=int64)`.
#[pyfunction]
#[pyo3(signature = (*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=false))]
pub fn randint(args: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>, generator: Option<&Bound<'_, PyAny>>, out: Option<&Bound<'_, PyAny>>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool) -> PyT {
    let _ = (generator, out, layout);
    parse_device(device)?;
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
    let dtype = parse_dtype(dtype)?.unwrap_or(DType::I64);
    finish(Tensor::randint(low, high, &shape, dtype)?, requires_grad)
}

fn like_dtype(input: &Tensor, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<DType> {
    Ok(parse_dtype(dtype)?.unwrap_or(input.dtype()))
}

macro_rules! like_creator {
    ($name:ident, $doc:literal, |$t:ident, $d:ident| $body:expr) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (input, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
        pub fn $name(input: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
            let _ = (layout, memory_format);
            parse_device(device)?;
            let $t = tensor_arg(input, "input")?;
            let $d = like_dtype(&$t, dtype)?;
            finish($body?, requires_grad)
        }
    };
}

like_creator!(zeros_like, "Zeros with `input`'s shape and dtype.", |t, d| Tensor::zeros(t.shape(), d, t.device()));
like_creator!(ones_like, "Ones with `input`'s shape and dtype.", |t, d| Tensor::ones(t.shape(), d, t.device()));
like_creator!(empty_like, "Uninitialised with `input`'s shape and dtype.", |t, d| Tensor::empty(t.shape(), d, t.device()));
like_creator!(rand_like, "Uniform [0, 1) with `input`'s shape and dtype.", |t, d| Tensor::rand(t.shape(), d));
like_creator!(randn_like, "Standard normal with `input`'s shape and dtype.", |t, d| Tensor::randn(t.shape(), d));

/// `full_like(input, fill_value, *, dtype=None)`.
#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn full_like(input: &Bound<'_, PyAny>, fill_value: &Bound<'_, PyAny>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
    let _ = (layout, memory_format);
    parse_device(device)?;
    let t = tensor_arg(input, "input")?;
    let d = like_dtype(&t, dtype)?;
    finish(Tensor::full(t.shape(), fill_scalar(fill_value)?, d, t.device())?, requires_grad)
}

/// `randint_like(input, low=0, high)`.
#[pyfunction]
#[pyo3(signature = (input, low, high=None, *, dtype=None, layout=None, device=None, requires_grad=false, memory_format=None))]
pub fn randint_like(input: &Bound<'_, PyAny>, low: i64, high: Option<i64>, dtype: Option<&Bound<'_, PyAny>>, layout: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, requires_grad: bool, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
    let _ = (layout, memory_format);
    parse_device(device)?;
    let t = tensor_arg(input, "input")?;
    let d = like_dtype(&t, dtype)?;
    let (lo, hi) = match high {
        Some(h) => (low, h),
        None => (0, low),
    };
    finish(Tensor::randint(lo, hi, t.shape(), d)?, requires_grad)
}

/// Seeds the generator; returns nothing (PyTorch returns a Generator).
#[pyfunction]
pub fn manual_seed(seed: i64) {
    crate::cpu::rng::manual_seed(seed as u64)
}

/// The seed the CPU generator was last seeded with.
#[pyfunction]
pub fn initial_seed() -> u64 {
    crate::cpu::rng::initial_seed()
}

/// The default floating dtype (float32 unless changed with `set_default_dtype`).
#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> Py<PyDType> {
    dtype_obj(py, default_float())
}

/// Sets the default floating dtype (float32 or float64) used by creators and promotion.
#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = parse_dtype(Some(d))?.ok_or_else(|| PyTypeError::new_err("dtype must not be None"))?;
    Ok(set_default_float(d)?)
}

/// `promote_types(a, b)`.
#[pyfunction]
pub fn promote_types(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyDType>> {
    let (a, b) = (parse_dtype(Some(a))?.unwrap(), parse_dtype(Some(b))?.unwrap());
    Ok(dtype_obj(py, crate::dtype::promote_types(a, b)))
}

/// `result_type(a, b)` for tensors and numbers.
#[pyfunction]
pub fn result_type(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<Py<PyDType>> {
    let a = super::convert::operand_required(a, "tensor1")?;
    let b = super::convert::operand_required(b, "tensor2")?;
    Ok(dtype_obj(py, crate::ops::result_type2(&a, &b)))
}

/// `can_cast(from_, to)`: whether PyTorch's casting rules allow an in-place result of `from_` into `to`.
#[pyfunction]
pub fn can_cast(from_: &Bound<'_, PyAny>, to: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(crate::ops::can_cast(parse_dtype(Some(from_))?.unwrap(), parse_dtype(Some(to))?.unwrap()))
}

/// Returns freed large buffers to the system.
#[pyfunction]
pub fn empty_cache() {
    crate::cpu::alloc::empty_cache()
}

/// True when `obj` is an rgrad Tensor.
#[pyfunction]
pub fn is_tensor(obj: &Bound<'_, PyAny>) -> bool {
    obj.cast::<PyTensor>().is_ok()
}
