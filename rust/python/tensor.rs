//! The core methods of `rgrad.Tensor` (the class is `pytensor.rs`): attributes, conversion,
//! devices, views, arithmetic dunders. Op families add their methods in their own
//! `#[pymethods]` blocks.

use super::autograd::PyNode;
use super::convert::{index_arg, make_size, operand, operand_required, parse_device, parse_dtype, parse_sizes, scalar_to_py, tensor_from_data, to_nested_list};
use super::dtype::{dtype_obj, PyDType, PyDevice};
use super::numpy;
use super::object::{ok, wrap, Wrap};
use crate::dtype::{default_float, DType, Scalar};
use crate::error::Error;
use crate::tensor::Tensor;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

// also imported from here by the linalg bindings
pub use super::convert::parse_dims;
pub use super::object::PyT;
pub use super::pytensor::{maybe_detach, PyTensor};

macro_rules! binary_dunders {
    ($($fwd:ident, $rev:ident, $inp:ident, $method:ident, $inplace:ident);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $fwd(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
                    let a = &self.inner;
                    let r = maybe_detach(py, a.numel().max(o.numel()), || a.$method(&o))?;
                    Ok(wrap(py, r)?.unbind())
                }
                fn $rev(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
                    let a = &self.inner;
                    let r = maybe_detach(py, a.numel(), || o.$method(a))?;
                    Ok(wrap(py, r)?.unbind())
                }
                fn $inp(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<()> {
                    let o = operand_required(other, "other")?;
                    let a = &self.inner;
                    maybe_detach(py, a.numel(), || a.$inplace(&o))?;
                    Ok(())
                }
            )*
        }
    };
}

binary_dunders! {
    __add__, __radd__, __iadd__, add, add_;
    __sub__, __rsub__, __isub__, sub, sub_;
    __mul__, __rmul__, __imul__, mul, mul_;
    __truediv__, __rtruediv__, __itruediv__, div, div_;
}

macro_rules! compare_dunders {
    ($($name:ident, $method:ident);* $(;)?) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
                    let a = &self.inner;
                    Ok(wrap(py, maybe_detach(py, a.numel().max(o.numel()), || a.$method(&o))?)?.unbind())
                }
            )*
        }
    };
}

compare_dunders! {
    __eq__, eq_t; __ne__, ne_t; __lt__, lt_t; __le__, le_t; __gt__, gt_t; __ge__, ge_t;
}

/// Scales `other` by `alpha` (the `alpha=` of add/sub).
/// `alpha * other` for `add` / `sub`. As PyTorch, alpha is a number converted to the result
/// type of `this` and `other` (so it never changes the result's dtype): a bool alpha only for
/// bool results, a float one only for float results, and it must fit (a bool result takes
/// any alpha as nonzero / zero).
pub(super) fn scaled(this: &Tensor, other: Tensor, alpha: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
    let Some(a) = alpha else { return Ok(other) };
    let a = match super::convert::scalar_of(a) {
        Some(v) => v,
        None => operand_required(a, "alpha")?.item()?,
    };
    let dtype = crate::ops::checks::result_type2(this, &other);
    match (a, dtype) {
        (Scalar::Bool(_), d) if d != DType::Bool => return Err(Error::Runtime("Boolean alpha only supported for Boolean results.".into()).into()),
        (Scalar::Float(_), d) if !d.is_float() => {
            return Err(Error::Runtime("For integral input tensors, argument alpha must not be a floating point number.".into()).into())
        }
        _ => a.check_fits(dtype)?,
    }
    let a = if dtype == DType::Bool { Scalar::Bool(a.to_f64() != 0.0) } else { a };
    if other.is_wrapped_number() {
        // a number times a number stays a number (it must not gain a tensor's rank in promotion)
        let o = other.item()?;
        let v = match (o, a) {
            (Scalar::Bool(x), Scalar::Bool(y)) => Scalar::Bool(x && y),
            (Scalar::Float(_), _) | (_, Scalar::Float(_)) => Scalar::Float(o.to_f64() * a.to_f64()),
            _ => Scalar::Int(o.to_i64().wrapping_mul(a.to_i64())),
        };
        return Ok(Tensor::wrapped_scalar(v));
    }
    Ok(other.mul(&Tensor::wrapped_scalar(a))?)
}

#[pymethods]
impl PyTensor {
    /// Legacy constructor: `rgrad.Tensor([1, 2])` (float32 data) or `rgrad.Tensor(2, 3)` (a shape).
    #[new]
    #[pyo3(signature = (*args))]
    fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        if args.is_empty() {
            return Ok(PyTensor::new(Tensor::empty_on(&[0], default_float(), crate::Device::Cpu)?));
        }
        let first = args.get_item(0)?;
        if args.len() == 1 {
            if let Ok(t) = first.cast::<PyTensor>() {
                // shares data: used by subclasses (nn.Parameter(t))
                return Ok(PyTensor::new(t.get().inner.detach()));
            }
            if !first.is_instance_of::<pyo3::types::PyInt>() {
                return Ok(PyTensor::new(tensor_from_data(&first, Some(default_float()))?));
            }
        }
        let sizes = crate::shape::check_sizes(&parse_sizes(args)?)?;
        Ok(PyTensor::new(Tensor::zeros_on(&sizes, default_float(), crate::Device::Cpu)?))
    }

    // ---------- attributes ----------

    /// The element type, an `rgrad.dtype` (`rgrad.float32`, `rgrad.int64`, ...).
    ///
    /// >>> rgrad.tensor([1.0, 2.0]).dtype
    /// rgrad.float32
    /// >>> rgrad.tensor([1, 2]).dtype
    /// rgrad.int64
    #[getter]
    fn dtype(&self, py: Python<'_>) -> Py<PyDType> {
        dtype_obj(py, self.inner.dtype())
    }
    /// The size of each dim, an `rgrad.Size` (a tuple); the same as `size()`.
    ///
    /// >>> t = rgrad.zeros(2, 3)
    /// >>> t.shape
    /// rgrad.Size([2, 3])
    /// >>> t.shape[-1]
    /// 3
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.inner.shape())
    }
    /// `size()` -> rgrad.Size; `size(dim)` -> int.
    ///
    /// >>> t = rgrad.zeros(2, 3)
    /// >>> t.size()
    /// rgrad.Size([2, 3])
    /// >>> t.size(1)
    /// 3
    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => make_size(py, self.inner.shape()),
            Some(d) => {
                let d = index_arg(d, "dim")?;
                if self.inner.rank() == 0 {
                    // a 0-d tensor has no dim to ask about (PyTorch)
                    return Err(PyIndexError::new_err(format!("Dimension specified as {d} but tensor has no dimensions")));
                }
                let d = crate::shape::normalize_dim(d, self.inner.rank())?;
                self.inner.shape()[d].into_bound_py_any(py)
            }
        }
    }
    /// The number of dims (0 for a scalar tensor).
    ///
    /// >>> rgrad.zeros(2, 3).dim()
    /// 2
    /// >>> rgrad.tensor(5.0).dim()
    /// 0
    fn dim(&self) -> usize {
        self.inner.rank()
    }
    /// The number of dims (alias of `dim()`).
    ///
    /// >>> rgrad.zeros(2, 3, 4).ndimension()
    /// 3
    fn ndimension(&self) -> usize {
        self.inner.rank()
    }
    /// The number of dims (the property form of `dim()`).
    ///
    /// >>> rgrad.zeros(2, 3).ndim
    /// 2
    #[getter]
    fn ndim(&self) -> usize {
        self.inner.rank()
    }
    /// The number of elements (the product of the sizes).
    ///
    /// >>> rgrad.zeros(2, 3).numel()
    /// 6
    fn numel(&self) -> usize {
        self.inner.numel()
    }
    /// The number of elements (alias of `numel()`).
    ///
    /// >>> rgrad.zeros(2, 3).nelement()
    /// 6
    fn nelement(&self) -> usize {
        self.inner.numel()
    }
    /// The device the tensor lives on, an `rgrad.device`.
    ///
    /// >>> rgrad.zeros(2).device
    /// device(type='cpu')
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice { device: self.inner.device() }
    }
    /// Whether the tensor is on a CUDA device: always False (rgrad's GPU is ``"gpu"``, see
    /// :attr:`is_gpu`).
    ///
    /// >>> rgrad.zeros(2).is_cuda
    /// False
    #[getter]
    fn is_cuda(&self) -> bool {
        false
    }
    /// Whether the tensor lives on the GPU (``device.type == "gpu"``).
    ///
    /// >>> rgrad.ones(2).is_gpu
    /// False
    #[getter]
    fn is_gpu(&self) -> bool {
        self.inner.device() != crate::Device::Cpu
    }
    /// Whether the tensor is on the CPU.
    ///
    /// >>> rgrad.zeros(2).is_cpu
    /// True
    #[getter]
    fn is_cpu(&self) -> bool {
        self.inner.device() == crate::Device::Cpu
    }
    /// `stride()` -> tuple; `stride(dim)` -> int.
    ///
    /// >>> t = rgrad.zeros(2, 3)
    /// >>> t.stride()
    /// (3, 1)
    /// >>> t.t().stride()
    /// (1, 3)
    /// >>> t.stride(0)
    /// 3
    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<isize>) -> PyResult<Bound<'py, PyAny>> {
        match dim {
            None => PyTuple::new(py, self.inner.strides())?.into_bound_py_any(py),
            Some(d) => {
                let d = crate::shape::normalize_dim(d, self.inner.rank())?;
                let s = if self.inner.rank() == 0 { 1 } else { self.inner.strides()[d] };
                s.into_bound_py_any(py)
            }
        }
    }
    /// The offset of element 0 in the underlying storage, in elements.
    ///
    /// >>> t = rgrad.arange(6)
    /// >>> t.storage_offset()
    /// 0
    /// >>> t[2:].storage_offset()
    /// 2
    fn storage_offset(&self) -> usize {
        self.inner.storage_offset()
    }
    /// Whether the elements are laid out densely in row-major order.
    ///
    /// >>> t = rgrad.zeros(2, 3)
    /// >>> t.is_contiguous()
    /// True
    /// >>> t.t().is_contiguous()
    /// False
    fn is_contiguous(&self) -> bool {
        self.inner.is_contiguous()
    }
    /// The size of one element in bytes.
    ///
    /// >>> rgrad.zeros(2, dtype=rgrad.float32).element_size()
    /// 4
    /// >>> rgrad.zeros(2, dtype=rgrad.int64).element_size()
    /// 8
    fn element_size(&self) -> usize {
        self.inner.dtype().size()
    }
    /// The size of one element in bytes (the property form of `element_size()`).
    ///
    /// >>> rgrad.zeros(2, dtype=rgrad.float64).itemsize
    /// 8
    #[getter]
    fn itemsize(&self) -> usize {
        self.inner.dtype().size()
    }
    /// The number of bytes the elements take (`numel() * itemsize`).
    ///
    /// >>> rgrad.zeros(2, 3).nbytes
    /// 24
    #[getter]
    fn nbytes(&self) -> usize {
        self.inner.numel() * self.inner.dtype().size()
    }
    /// Whether the dtype is a floating point type.
    ///
    /// >>> rgrad.tensor([1.0]).is_floating_point()
    /// True
    /// >>> rgrad.tensor([1]).is_floating_point()
    /// False
    fn is_floating_point(&self) -> bool {
        self.inner.dtype().is_float()
    }
    /// The address of element 0: in host memory for a CPU tensor; for a GPU tensor a number that
    /// names its device buffer and element (equal exactly when two views start at the same
    /// element of one storage), as CUDA tensors give a device address.
    ///
    /// >>> t = rgrad.tensor([1.0, 2.0, 3.0])
    /// >>> t[1:].data_ptr() - t.data_ptr()  # one float32 further on
    /// 4
    fn data_ptr(&self) -> usize {
        self.inner.host_ptr().map_or_else(|| self.inner.device_address(), |p| p as usize)
    }
    #[getter]
    fn _version(&self) -> u64 {
        self.inner.version()
    }
    /// `T`: the tensor with its dims reversed (the transpose of a matrix).
    ///
    /// >>> t = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    /// >>> t.T
    /// tensor([[1, 4],
    ///         [2, 5],
    ///         [3, 6]])
    #[getter(T)]
    fn t_all_prop(&self) -> PyT {
        ok(self.inner.t_all())
    }
    /// `mT`: the transpose of the last two dims (a batch of matrices transposed).
    ///
    /// >>> rgrad.zeros(5, 2, 3).mT.shape
    /// rgrad.Size([5, 3, 2])
    #[getter(mT)]
    fn mt_prop(&self) -> PyT {
        ok(self.inner.mt())
    }
    /// The values as a tensor outside autograd: shares memory, `requires_grad=False`.
    /// `t.data = other` replaces the values (same shape and dtype) outside autograd; PyTorch
    /// makes `t` share `other`'s memory instead, rgrad copies the values in.
    ///
    /// >>> w = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> w.data
    /// tensor([1., 2.])
    /// >>> w.data = rgrad.tensor([3.0, 4.0])
    /// >>> w
    /// tensor([3., 4.], requires_grad=True)
    #[getter]
    fn data(&self) -> PyTensor {
        PyTensor::new(self.inner.detach())
    }
    // `t.data = other` (a plain comment: the property's docstring is the getter's, above)
    #[setter]
    fn set_data(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let v = super::convert::tensor_arg(value, "data")?;
        let t = &self.inner;
        if v.shape() != t.shape() || v.dtype() != t.dtype() {
            return Err(Error::Runtime(format!(
                "rgrad: `.data =` needs a tensor of the same shape and dtype ({} {}), got {} {}: rgrad copies the values in \
                 (PyTorch swaps the storage); use `t = new_tensor` or `t.copy_(...)` instead",
                crate::shape::fmt_shape(t.shape()),
                t.dtype().name(),
                crate::shape::fmt_shape(v.shape()),
                v.dtype().name()
            ))
            .into());
        }
        if !v.same_storage(t) || v.storage_offset() != t.storage_offset() || v.strides() != t.strides() {
            crate::autograd::no_grad(|| t.copy_(&v))?;
        }
        Ok(())
    }

    // ---------- autograd attributes ----------

    /// Whether autograd records operations on this tensor (settable on leaves).
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0])
    /// >>> x.requires_grad
    /// False
    /// >>> x.requires_grad = True
    /// >>> (x * 2).requires_grad
    /// True
    #[getter]
    fn get_requires_grad(&self) -> bool {
        self.inner.requires_grad()
    }
    #[setter]
    fn set_requires_grad(&self, on: bool) -> PyResult<()> {
        Ok(self.inner.set_requires_grad(on)?)
    }
    /// `requires_grad_(requires_grad=True)`: returns self.
    ///
    /// >>> x = rgrad.zeros(2).requires_grad_()
    /// >>> x.requires_grad
    /// True
    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_<'py>(slf: &Bound<'py, Self>, requires_grad: bool) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.set_requires_grad(requires_grad)?;
        Ok(slf.clone())
    }
    /// The gradient `backward()` accumulated into this leaf (None before); settable.
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> x.grad is None
    /// True
    /// >>> (x * x).sum().backward()
    /// >>> x.grad
    /// tensor([2., 4.])
    #[getter]
    fn get_grad(&self) -> Option<PyTensor> {
        self.inner.grad().map(PyTensor::new)
    }
    #[setter]
    fn set_grad(&self, g: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let g = match g {
            None => None,
            Some(o) if o.is_none() => None,
            Some(o) => Some(super::convert::tensor_arg(o, "grad")?),
        };
        Ok(self.inner.set_grad(g)?)
    }
    /// The autograd node that made this tensor (None for leaves and outside autograd).
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> x.grad_fn is None
    /// True
    /// >>> (x * 2).grad_fn.name()
    /// 'MulBackward0'
    #[getter]
    fn grad_fn(&self) -> Option<PyNode> {
        self.inner.grad_fn().map(|n| PyNode { node: n })
    }
    /// `Tensor._base`: for a view, the tensor whose memory it looks into (else None).
    #[getter]
    fn _base(&self) -> Option<PyTensor> {
        self.inner.view_base().cloned().map(PyTensor::new)
    }
    /// `Tensor._is_view()`: whether this tensor is a view of another (see `_base`).
    fn _is_view(&self) -> bool {
        self.inner.view_base().is_some()
    }
    /// Whether the tensor is a leaf of the graph (made by the user, not by a recorded op).
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> x.is_leaf, (x * 2).is_leaf
    /// (True, False)
    #[getter]
    fn is_leaf(&self) -> bool {
        self.inner.is_leaf()
    }
    /// Whether this non-leaf keeps its `.grad` after `backward()` (see `retain_grad`).
    ///
    /// >>> x = rgrad.tensor([1.0], requires_grad=True)
    /// >>> y = x * 2
    /// >>> y.retains_grad
    /// False
    /// >>> y.retain_grad()
    /// >>> y.retains_grad
    /// True
    #[getter]
    fn retains_grad(&self) -> bool {
        self.inner.retains_grad()
    }
    /// Makes this non-leaf tensor keep its `.grad` when `backward()` runs.
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> y = x * 2
    /// >>> y.retain_grad()
    /// >>> (y * y).sum().backward()
    /// >>> y.grad
    /// tensor([4., 8.])
    fn retain_grad(&self) -> PyResult<()> {
        Ok(self.inner.retain_grad()?)
    }
    /// A tensor sharing this one's memory, cut from the graph (`requires_grad=False`).
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> y = (x * 2).detach()
    /// >>> y, y.requires_grad
    /// (tensor([2., 4.]), False)
    fn detach(&self) -> PyTensor {
        PyTensor::new(self.inner.detach())
    }
    /// Cuts this tensor from the graph in place (it becomes a leaf); returns self.
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> y = x * 2
    /// >>> _ = y.detach_()
    /// >>> y.requires_grad, y.is_leaf
    /// (False, True)
    fn detach_<'py>(slf: &Bound<'py, Self>) -> Bound<'py, Self> {
        slf.get().inner.detach_();
        slf.clone()
    }
    /// `backward(gradient=None, retain_graph=None, create_graph=False, inputs=None)`.
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    /// >>> (x ** 2).sum().backward()
    /// >>> x.grad
    /// tensor([2., 4., 6.])
    /// >>> y = x * 2  # not a scalar: pass the gradient of the output
    /// >>> y.backward(rgrad.ones(3))
    /// >>> x.grad  # accumulates
    /// tensor([4., 6., 8.])
    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(&self, py: Python<'_>, gradient: Option<&Bound<'_, PyAny>>, retain_graph: Option<bool>, create_graph: bool, inputs: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let g = match gradient {
            Some(g) if !g.is_none() => Some(operand_required(g, "gradient")?),
            _ => None,
        };
        let inputs = match inputs {
            None => None,
            Some(i) if i.is_none() => None,
            Some(i) => Some(super::autograd::tensor_list(i)?),
        };
        let root = self.inner.clone();
        let _ = py;
        crate::autograd::backward(&[root], vec![g], retain_graph, create_graph, inputs.as_deref())?;
        Ok(())
    }
    /// Registers `hook(grad) -> Tensor | None`; returns a handle with `.remove()`.
    ///
    /// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
    /// >>> handle = x.register_hook(lambda grad: grad * 10)
    /// >>> (x * 3).sum().backward()
    /// >>> x.grad
    /// tensor([30., 30.])
    /// >>> handle.remove()
    fn register_hook(&self, hook: Py<PyAny>) -> PyResult<super::autograd::PyHookHandle> {
        // one reference to the callable, shared by the closure and the hook's owner slot: the
        // collector matches the references `__traverse__` reports against the refcount
        let hook = std::sync::Arc::new(hook);
        let owner: std::sync::Arc<dyn std::any::Any + Send + Sync> = hook.clone();
        let f: crate::autograd::Hook = std::sync::Arc::new(move |g: &Tensor| {
            Python::attach(|py| {
                let r = hook.call1(py, (PyTensor::new(g.clone()),)).map_err(|e| Error::Runtime(format!("hook raised: {e}")))?;
                if r.is_none(py) {
                    return Ok(None);
                }
                let t = r.cast_bound::<PyTensor>(py).map_err(|_| Error::Runtime("hook must return a Tensor or None".into()))?;
                Ok(Some(t.get().inner.clone()))
            })
        });
        let id = self.inner.register_hook_owned(f, Some(owner))?;
        Ok(super::autograd::PyHookHandle { tensor: self.inner.clone(), id })
    }

    /// Python's garbage collector: the hook callables only this tensor can reach. A hook that
    /// refers to its own tensor (`t.register_hook(lambda g: g * t)`) is a cycle through Rust;
    /// reporting its callable here lets the collector free it.
    fn __traverse__(&self, visit: pyo3::pyclass::PyVisit<'_>) -> Result<(), pyo3::pyclass::PyTraverseError> {
        let mut result = Ok(());
        self.inner.for_each_exclusive_hook_owner(|owner| {
            if let (Ok(()), Some(callable)) = (&result, owner.downcast_ref::<Py<PyAny>>()) {
                result = visit.call(callable);
            }
        });
        result
    }
    /// Breaks such a cycle: drops the hooks only this tensor could run.
    fn __clear__(&self) {
        drop(self.inner.take_exclusive_owned_hooks());
    }

    // ---------- conversion ----------

    /// The legacy type name (`'rgrad.FloatTensor'`), or a converted copy when given a dtype.
    ///
    /// >>> t = rgrad.tensor([1.5, 2.5])
    /// >>> t.type()
    /// 'rgrad.FloatTensor'
    /// >>> t.type(rgrad.int32)
    /// tensor([1, 2], dtype=rgrad.int32)
    #[pyo3(signature = (dtype=None))]
    fn r#type(&self, py: Python<'_>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        match dtype {
            None => Ok(PyString::new(py, &self.inner.type_name()).into_any().unbind()),
            Some(d) => {
                let dt = match d.cast::<PyString>() {
                    Ok(s) => {
                        let s = s.to_string_lossy();
                        let name = s.trim_start_matches("rgrad.").trim_start_matches("torch.");
                        DType::ALL
                            .into_iter()
                            .find(|x| x.tensor_type_name() == name)
                            .ok_or_else(|| PyValueError::new_err(format!("invalid type: '{s}'")))?
                    }
                    Err(_) => match d.getattr("dtype") {
                        Ok(inner) if inner.cast::<PyDType>().is_ok() => parse_dtype(Some(&inner))?.unwrap(),
                        _ => parse_dtype(Some(d))?.unwrap(),
                    },
                };
                PyTensor::new(self.inner.to_dtype(dt)?).into_py_any(py)
            }
        }
    }
    /// `to(dtype)`, `to(device)`, `to(tensor)`, `to(device, dtype)`, with `dtype=`/`device=` keywords.
    ///
    /// >>> t = rgrad.tensor([1.5, 2.5])
    /// >>> t.to(rgrad.int64)
    /// tensor([1, 2])
    /// >>> t.to("cpu", dtype=rgrad.float64)
    /// tensor([1.5000, 2.5000], dtype=rgrad.float64)
    /// >>> t.to(rgrad.tensor([1], dtype=rgrad.int32))  # another tensor's dtype and device
    /// tensor([1, 2], dtype=rgrad.int32)
    #[pyo3(signature = (*args, dtype=None, device=None, non_blocking=false, copy=false))]
    fn to(&self, args: &Bound<'_, PyTuple>, dtype: Option<&Bound<'_, PyAny>>, device: Option<&Bound<'_, PyAny>>, non_blocking: bool, copy: bool) -> PyT {
        let _ = non_blocking;
        let mut target_dtype = parse_dtype(dtype)?;
        let mut target_device = match device {
            Some(d) if !d.is_none() => Some(parse_device(Some(d))?),
            _ => None,
        };
        for a in args.iter() {
            if let Ok(t) = a.cast::<PyTensor>() {
                target_dtype = Some(t.get().inner.dtype());
                target_device = Some(t.get().inner.device());
            } else if a.cast::<PyDType>().is_ok() {
                target_dtype = parse_dtype(Some(&a))?;
            } else if a.cast::<PyString>().is_ok() || a.cast::<PyDevice>().is_ok() {
                target_device = Some(parse_device(Some(&a))?);
            } else if !a.is_none() {
                return Err(PyTypeError::new_err(format!("to() received an invalid combination of arguments: {}", a.get_type().name()?)));
            }
        }
        let moved = match target_device {
            Some(d) if d != self.inner.device() => Some(self.inner.to_device(d)?),
            _ => None,
        };
        let t = moved.as_ref().unwrap_or(&self.inner);
        let t = match target_dtype {
            Some(d) if d != t.dtype() => t.to_dtype(d)?,
            _ if copy && moved.is_none() => t.clone_t()?,
            _ => t.clone(),
        };
        Ok(Wrap(t))
    }
    /// `cpu()`: self when already on the CPU, else a copy there (differentiable).
    ///
    /// >>> t = rgrad.tensor([1.0, 2.0])
    /// >>> t.cpu() is t
    /// True
    fn cpu<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let t = &slf.get().inner;
        if t.device() == crate::Device::Cpu {
            return Ok(slf.clone().into_any());
        }
        let py = slf.py();
        let moved = py.detach(|| t.to_device(crate::Device::Cpu))?;
        super::object::wrap(py, moved)
    }
    /// `gpu(device=None)`: self when already on that GPU, else a copy there (differentiable);
    /// RuntimeError naming the reason when no GPU is usable.
    ///
    /// >>> t = rgrad.ones(2)
    /// >>> t.gpu().device.type if rgrad.gpu.is_available() else "gpu"
    /// 'gpu'
    #[pyo3(signature = (device=None, non_blocking=false))]
    fn gpu<'py>(slf: &Bound<'py, Self>, device: Option<&Bound<'py, PyAny>>, non_blocking: bool) -> PyResult<Bound<'py, PyAny>> {
        let _ = non_blocking;
        let target = match device {
            Some(d) if !d.is_none() => match d.extract::<usize>() {
                Ok(i) => crate::Device::Gpu(i),
                Err(_) => parse_device(Some(d))?,
            },
            _ => crate::Device::Gpu(0),
        };
        if target == crate::Device::Cpu {
            return Err(PyValueError::new_err(format!("Expected a gpu device, but got: {target}")));
        }
        target.check_available()?;
        let t = &slf.get().inner;
        if t.device() == target {
            return Ok(slf.clone().into_any());
        }
        super::object::wrap(slf.py(), t.to_device(target)?)
    }
    /// The tensor as float32 (`to(rgrad.float32)`).
    ///
    /// >>> rgrad.tensor([1, 2]).float()
    /// tensor([1., 2.])
    fn float(&self) -> PyT {
        ok(self.inner.to_dtype(DType::F32))
    }
    /// The tensor as float64 (`to(rgrad.float64)`).
    ///
    /// >>> rgrad.tensor([1, 2]).double()
    /// tensor([1., 2.], dtype=rgrad.float64)
    fn double(&self) -> PyT {
        ok(self.inner.to_dtype(DType::F64))
    }
    /// The tensor as int64 (`to(rgrad.int64)`; floats truncate towards zero).
    ///
    /// >>> rgrad.tensor([1.7, -1.7]).long()
    /// tensor([ 1, -1])
    fn long(&self) -> PyT {
        ok(self.inner.to_dtype(DType::I64))
    }
    /// The tensor as int32 (`to(rgrad.int32)`; floats truncate towards zero).
    ///
    /// >>> rgrad.tensor([1.7, -1.7]).int()
    /// tensor([ 1, -1], dtype=rgrad.int32)
    fn int(&self) -> PyT {
        ok(self.inner.to_dtype(DType::I32))
    }
    /// The tensor as bool (`to(rgrad.bool)`; nonzero is True).
    ///
    /// >>> rgrad.tensor([0.0, 2.0]).bool()
    /// tensor([False,  True])
    fn bool(&self) -> PyT {
        ok(self.inner.to_dtype(DType::Bool))
    }
    /// The Python number in a one-element tensor.
    ///
    /// >>> rgrad.tensor([2.5]).item()
    /// 2.5
    /// >>> rgrad.tensor(3).item()
    /// 3
    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, self.inner.item()?)
    }
    /// The values as (nested) Python lists of Python numbers.
    ///
    /// >>> rgrad.tensor([[1, 2], [3, 4]]).tolist()
    /// [[1, 2], [3, 4]]
    /// >>> rgrad.tensor(1.5).tolist()
    /// 1.5
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_nested_list(py, &self.inner)
    }
    /// A NumPy array sharing this tensor's memory (`force=True` detaches/copies as needed).
    ///
    /// >>> t = rgrad.tensor([1.0, 2.0])
    /// >>> a = t.numpy()
    /// >>> a
    /// array([1., 2.], dtype=float32)
    /// >>> a[0] = 5.0
    /// >>> t
    /// tensor([5., 2.])
    #[pyo3(signature = (*, force=false))]
    fn numpy<'py>(slf: &Bound<'py, Self>, force: bool) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = &slf.get().inner;
        numpy::check_numpy_allowed(t, force)?;
        let np = py.import("numpy")?;
        if force && t.requires_grad() {
            let d = Bound::new(py, PyTensor::new(t.detach()))?;
            return np.call_method1("asarray", (d,));
        }
        np.call_method1("asarray", (slf,))
    }
    /// NumPy's array interface (CPU tensors only: a GPU tensor has none, so `hasattr` is False
    /// and NumPy falls back to `__array__`, which raises PyTorch's TypeError).
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        if self.inner.device() != crate::Device::Cpu {
            return Err(pyo3::exceptions::PyAttributeError::new_err(format!("a tensor on {} has no __array_interface__ (its memory is not host memory)", self.inner.device())));
        }
        numpy::check_numpy_allowed(&self.inner, false)?;
        numpy::array_interface(py, &self.inner)
    }
    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(slf: &Bound<'py, Self>, dtype: Option<&Bound<'py, PyAny>>, copy: Option<bool>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let np = py.import("numpy")?;
        let arr = Self::numpy(slf, false)?;
        let arr = match dtype {
            Some(d) if !d.is_none() => arr.call_method1("astype", (d,))?,
            _ => arr,
        };
        if copy == Some(true) {
            return np.call_method1("array", (arr,));
        }
        Ok(arr)
    }
    fn __len__(&self) -> PyResult<usize> {
        if self.inner.rank() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.inner.shape()[0])
    }
    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let t = &slf.get().inner;
        if t.rank() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let items: Vec<PyTensor> = (0..t.shape()[0] as isize).map(|i| t.select(0, i).map(PyTensor::new)).collect::<crate::Result<_>>()?;
        let list = pyo3::types::PyList::new(slf.py(), items)?;
        Ok(list.call_method0("__iter__")?.unbind())
    }
    fn __bool__(&self) -> PyResult<bool> {
        if self.inner.numel() != 1 {
            return Err(Error::Runtime(format!(
                "Boolean value of Tensor with more than one value is ambiguous (shape {})",
                crate::shape::fmt_shape(self.inner.shape())
            ))
            .into());
        }
        Ok(self.inner.item()?.to_f64() != 0.0)
    }
    fn __float__(&self) -> PyResult<f64> {
        if self.inner.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(self.inner.item()?.to_f64())
    }
    fn __int__(&self) -> PyResult<i64> {
        if self.inner.numel() != 1 {
            return Err(PyValueError::new_err("only one element tensors can be converted to Python scalars"));
        }
        Ok(match self.inner.item()? {
            Scalar::Float(f) => {
                if !f.is_finite() {
                    return Err(PyValueError::new_err(format!("cannot convert float {f} to integer")));
                }
                f.trunc() as i64
            }
            s => s.to_i64(),
        })
    }
    fn __index__(&self) -> PyResult<i64> {
        if self.inner.numel() != 1 || self.inner.dtype().is_float() {
            return Err(PyTypeError::new_err("only integer tensors of a single element can be converted to an index"));
        }
        Ok(self.inner.item()?.to_i64())
    }
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }
    fn __neg__(&self) -> PyT {
        ok(self.inner.neg())
    }
    fn __pos__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        if slf.get().inner.dtype() == DType::Bool {
            return Err(Error::NotImplemented("The `+` operator, on a bool tensor is not supported.".into()).into());
        }
        Ok(slf.clone())
    }
    fn __abs__(&self) -> PyT {
        ok(self.inner.abs())
    }
    fn __pow__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
        let a = &self.inner;
        PyTensor::new(maybe_detach(py, a.numel(), || a.pow(&o))?).into_py_any(py)
    }
    fn __rpow__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, modulo: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let _ = modulo;
        let Some(o) = operand(other)? else { return Ok(py.NotImplemented()) };
        let a = &self.inner;
        PyTensor::new(maybe_detach(py, a.numel(), || o.pow(a))?).into_py_any(py)
    }

    // ---------- views ----------

    /// `view(*shape)`: the same memory seen with another shape (one size may be -1); needs
    /// compatible strides (see `reshape`).
    ///
    /// >>> t = rgrad.arange(6)
    /// >>> t.view(2, 3)
    /// tensor([[0, 1, 2],
    ///         [3, 4, 5]])
    /// >>> t.view(-1, 2).shape
    /// rgrad.Size([3, 2])
    #[pyo3(signature = (*shape))]
    fn view(&self, shape: &Bound<'_, PyTuple>) -> PyT {
        if shape.is_empty() {
            return Err(PyTypeError::new_err("view() missing 1 required positional argument: \"size\" (or dtype)"));
        }
        if shape.len() == 1 {
            let a = shape.get_item(0)?;
            if a.cast::<PyDType>().is_ok() {
                return Err(Error::Runtime("view(dtype) is not supported; use .to(dtype)".into()).into());
            }
        }
        ok(self.inner.view(&parse_sizes(shape)?))
    }
    /// `reshape(*shape)`: the same elements with another shape (one size may be -1); a view
    /// when the strides allow, else a copy.
    ///
    /// >>> t = rgrad.arange(6)
    /// >>> t.reshape(2, 3)
    /// tensor([[0, 1, 2],
    ///         [3, 4, 5]])
    /// >>> t.reshape(3, -1).shape
    /// rgrad.Size([3, 2])
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyT {
        if shape.is_empty() {
            // `reshape(())` is the 0-d shape; no argument at all is a mistake (PyTorch)
            return Err(PyTypeError::new_err("reshape() missing 1 required positional arguments: \"shape\""));
        }
        ok(self.inner.reshape(&parse_sizes(shape)?))
    }
    /// `view_as(other)`: `view(other.shape)`.
    ///
    /// >>> rgrad.arange(6).view_as(rgrad.zeros(3, 2))
    /// tensor([[0, 1],
    ///         [2, 3],
    ///         [4, 5]])
    fn view_as(&self, other: PyRef<'_, PyTensor>) -> PyT {
        let s: Vec<isize> = other.inner.shape().iter().map(|&x| x as isize).collect();
        ok(self.inner.view(&s))
    }
    /// `reshape_as(other)`: `reshape(other.shape)`.
    ///
    /// >>> rgrad.arange(6).reshape_as(rgrad.zeros(2, 3))
    /// tensor([[0, 1, 2],
    ///         [3, 4, 5]])
    fn reshape_as(&self, other: PyRef<'_, PyTensor>) -> PyT {
        ok(self.inner.reshape_to(other.inner.shape()))
    }
    /// `flatten(start_dim=0, end_dim=-1)`: merges dims `start_dim..=end_dim` into one.
    ///
    /// >>> t = rgrad.zeros(2, 3, 4)
    /// >>> t.flatten().shape
    /// rgrad.Size([24])
    /// >>> t.flatten(1).shape
    /// rgrad.Size([2, 12])
    #[pyo3(signature = (start_dim=0, end_dim=-1))]
    fn flatten(&self, start_dim: isize, end_dim: isize) -> PyT {
        ok(self.inner.flatten(start_dim, end_dim))
    }
    /// `unflatten(dim, sizes)`: splits `dim` into dims of the given sizes (one may be -1).
    ///
    /// >>> rgrad.zeros(2, 12).unflatten(1, (3, 4)).shape
    /// rgrad.Size([2, 3, 4])
    fn unflatten(&self, dim: isize, sizes: &Bound<'_, PyAny>) -> PyT {
        let t = PyTuple::new(sizes.py(), [sizes])?;
        ok(self.inner.unflatten(dim, &parse_sizes(&t)?))
    }
    /// `t()`: the transpose of a matrix (0-d and 1-d tensors are returned as they are).
    ///
    /// >>> rgrad.tensor([[1, 2, 3], [4, 5, 6]]).t()
    /// tensor([[1, 4],
    ///         [2, 5],
    ///         [3, 6]])
    fn t(&self) -> PyT {
        ok(self.inner.t())
    }
    /// `transpose(dim0, dim1)`: a view with the two dims swapped.
    ///
    /// >>> t = rgrad.tensor([[1, 2, 3], [4, 5, 6]])
    /// >>> t.transpose(0, 1)
    /// tensor([[1, 4],
    ///         [2, 5],
    ///         [3, 6]])
    /// >>> rgrad.zeros(2, 3, 4).transpose(0, 2).shape
    /// rgrad.Size([4, 3, 2])
    fn transpose(&self, dim0: isize, dim1: isize) -> PyT {
        ok(self.inner.transpose(dim0, dim1))
    }
    /// `swapaxes(axis0, axis1)`: alias of `transpose`.
    ///
    /// >>> rgrad.zeros(2, 3, 4).swapaxes(0, 2).shape
    /// rgrad.Size([4, 3, 2])
    fn swapaxes(&self, axis0: isize, axis1: isize) -> PyT {
        ok(self.inner.transpose(axis0, axis1))
    }
    /// `swapdims(dim0, dim1)`: alias of `transpose`.
    ///
    /// >>> rgrad.zeros(2, 3, 4).swapdims(1, 2).shape
    /// rgrad.Size([2, 4, 3])
    fn swapdims(&self, dim0: isize, dim1: isize) -> PyT {
        ok(self.inner.transpose(dim0, dim1))
    }
    /// `permute(*dims)`: a view with the dims reordered.
    ///
    /// >>> t = rgrad.zeros(2, 3, 4)
    /// >>> t.permute(2, 0, 1).shape
    /// rgrad.Size([4, 2, 3])
    /// >>> t.permute(2, 0, 1).stride()
    /// (1, 12, 4)
    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyT {
        if dims.is_empty() {
            return Err(PyTypeError::new_err("permute() missing 1 required positional arguments: \"dims\""));
        }
        ok(self.inner.permute(&parse_sizes(dims)?))
    }
    /// `expand(*sizes)`: a view with size-1 dims repeated to `sizes` (no copy; -1 keeps a size).
    ///
    /// >>> t = rgrad.tensor([[1], [2]])
    /// >>> t.expand(2, 3)
    /// tensor([[1, 1, 1],
    ///         [2, 2, 2]])
    /// >>> t.expand(-1, 4).shape
    /// rgrad.Size([2, 4])
    #[pyo3(signature = (*sizes))]
    fn expand(&self, sizes: &Bound<'_, PyTuple>) -> PyT {
        ok(self.inner.expand(&parse_sizes(sizes)?))
    }
    /// `expand_as(other)`: `expand(other.shape)`.
    ///
    /// >>> rgrad.tensor([1, 2, 3]).expand_as(rgrad.zeros(2, 3))
    /// tensor([[1, 2, 3],
    ///         [1, 2, 3]])
    fn expand_as(&self, other: PyRef<'_, PyTensor>) -> PyT {
        ok(self.inner.expand_as(&other.inner))
    }
    /// `squeeze(dim=None)`: removes size-1 dims (all of them, or those of `dim`, an int or tuple).
    ///
    /// >>> t = rgrad.zeros(2, 1, 3, 1)
    /// >>> t.squeeze().shape
    /// rgrad.Size([2, 3])
    /// >>> t.squeeze(1).shape
    /// rgrad.Size([2, 3, 1])
    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, dim: Option<&Bound<'_, PyAny>>) -> PyT {
        let dims = parse_dims(dim)?;
        ok(self.inner.squeeze(dims.as_deref()))
    }
    /// `unsqueeze(dim)`: a view with a size-1 dim inserted at `dim`.
    ///
    /// >>> t = rgrad.tensor([1, 2, 3])
    /// >>> t.unsqueeze(0)
    /// tensor([[1, 2, 3]])
    /// >>> t.unsqueeze(1).shape
    /// rgrad.Size([3, 1])
    fn unsqueeze(&self, dim: isize) -> PyT {
        ok(self.inner.unsqueeze(dim))
    }
    /// `narrow(dim, start, length)`: a view of `length` elements of `dim` from `start`.
    ///
    /// >>> t = rgrad.arange(12).reshape(3, 4)
    /// >>> t.narrow(1, 1, 2)
    /// tensor([[ 1,  2],
    ///         [ 5,  6],
    ///         [ 9, 10]])
    fn narrow(&self, dim: isize, start: &Bound<'_, PyAny>, length: isize) -> PyT {
        ok(self.inner.narrow(dim, index_arg(start, "start")?, length))
    }
    /// `unfold(dimension, size, step)`: a view of the windows of `size` elements along
    /// `dimension`, `step` apart, as a new last dim (windows may overlap).
    ///
    /// >>> rgrad.arange(6.0).unfold(0, 3, 2)
    /// tensor([[0., 1., 2.],
    ///         [2., 3., 4.]])
    fn unfold(&self, dimension: isize, size: isize, step: isize) -> PyT {
        ok(self.inner.unfold(dimension, size, step))
    }
    /// `select(dim, index)`: a view of one slice of `dim` (which goes away): `t[:, index]` for dim 1.
    ///
    /// >>> t = rgrad.arange(6).reshape(2, 3)
    /// >>> t.select(1, 0)
    /// tensor([0, 3])
    /// >>> t.select(0, -1)
    /// tensor([3, 4, 5])
    fn select(&self, dim: isize, index: &Bound<'_, PyAny>) -> PyT {
        ok(self.inner.select(dim, index_arg(index, "index")?))
    }
    /// The same values laid out densely in row-major order: copies only when not already so.
    ///
    /// >>> t = rgrad.arange(6).reshape(2, 3).t()
    /// >>> t.is_contiguous(), t.contiguous().is_contiguous()
    /// (False, True)
    #[pyo3(signature = (*, memory_format=None))]
    fn contiguous(&self, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
        let _ = memory_format;
        ok(self.inner.contiguous())
    }
    /// A copy with its own memory (recorded by autograd: gradients flow back to self).
    ///
    /// >>> t = rgrad.tensor([1.0, 2.0])
    /// >>> c = t.clone()
    /// >>> c[0] = 9.0
    /// >>> t, c
    /// (tensor([1., 2.]), tensor([9., 2.]))
    #[pyo3(signature = (*, memory_format=None))]
    fn clone(&self, memory_format: Option<&Bound<'_, PyAny>>) -> PyT {
        let _ = memory_format;
        ok(self.inner.clone_t())
    }

    // ---------- arithmetic methods ----------

    /// `add(other, *, alpha=1)`: self + alpha * other.
    ///
    /// >>> a = rgrad.tensor([1.0, 2.0, 3.0])
    /// >>> a.add(1)
    /// tensor([2., 3., 4.])
    /// >>> a.add(rgrad.tensor([10.0, 20.0, 30.0]), alpha=2)
    /// tensor([21., 42., 63.])
    /// >>> rgrad.add(a, a)
    /// tensor([2., 4., 6.])
    #[pyo3(signature = (other, *, alpha=None))]
    fn add(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let a = &self.inner;
        let o = scaled(a, operand_required(other, "other")?, alpha)?;
        ok(maybe_detach(py, a.numel(), || a.add(&o)))
    }
    /// `sub(other, *, alpha=1)`: self - alpha * other.
    ///
    /// >>> a = rgrad.tensor([5.0, 6.0])
    /// >>> a.sub(1)
    /// tensor([4., 5.])
    /// >>> a.sub(rgrad.tensor([1.0, 2.0]), alpha=2)
    /// tensor([3., 2.])
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub(&self, py: Python<'_>, other: &Bound<'_, PyAny>, alpha: Option<&Bound<'_, PyAny>>) -> PyT {
        let a = &self.inner;
        let o = scaled(a, operand_required(other, "other")?, alpha)?;
        ok(maybe_detach(py, a.numel(), || a.sub(&o)))
    }
    /// `mul(other)`: elementwise product with broadcasting.
    ///
    /// >>> a = rgrad.tensor([1.0, 2.0, 3.0])
    /// >>> a.mul(2)
    /// tensor([2., 4., 6.])
    /// >>> a.mul(rgrad.tensor([[1.0], [10.0]]))  # broadcasts to (2, 3)
    /// tensor([[ 1.,  2.,  3.],
    ///         [10., 20., 30.]])
    fn mul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyT {
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.mul(&o)))
    }
    /// `div(other, *, rounding_mode=None)`: true division, or 'trunc' / 'floor' rounding.
    ///
    /// >>> a = rgrad.tensor([7.0, -7.0])
    /// >>> a.div(2)
    /// tensor([ 3.5000, -3.5000])
    /// >>> a.div(2, rounding_mode='trunc')
    /// tensor([ 3., -3.])
    /// >>> a.div(2, rounding_mode='floor')
    /// tensor([ 3., -4.])
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div(&self, py: Python<'_>, other: &Bound<'_, PyAny>, rounding_mode: Option<String>) -> PyT {
        let o = operand_required(other, "other")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel().max(o.numel()), || a.div_mode(&o, rounding_mode.as_deref())))
    }
    /// `pow(exponent)`: elementwise power (integer tensors refuse negative integer exponents).
    ///
    /// >>> rgrad.tensor([1, 2, 3]).pow(2)
    /// tensor([1, 4, 9])
    /// >>> rgrad.tensor([4.0, 9.0]).pow(0.5)
    /// tensor([2., 3.])
    /// >>> rgrad.tensor([2.0, 3.0]).pow(rgrad.tensor([3.0, 2.0]))
    /// tensor([8., 9.])
    fn pow(&self, py: Python<'_>, exponent: &Bound<'_, PyAny>) -> PyT {
        let o = operand_required(exponent, "exponent")?;
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.pow(&o)))
    }
    /// `neg()`: -self.
    ///
    /// >>> rgrad.tensor([1.0, -2.0]).neg()
    /// tensor([-1.,  2.])
    fn neg(&self) -> PyT {
        ok(self.inner.neg())
    }
    /// `negative()`: alias of `neg`.
    ///
    /// >>> rgrad.tensor([1.0, -2.0]).negative()
    /// tensor([-1.,  2.])
    fn negative(&self) -> PyT {
        ok(self.inner.neg())
    }
    /// `exp()`: e ** self (vectorised, about 1 ulp).
    ///
    /// >>> rgrad.tensor([0.0, 1.0, 2.0]).exp()
    /// tensor([1.0000, 2.7183, 7.3891])
    fn exp(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.exp()))
    }
    /// `log()`: natural logarithm.
    ///
    /// >>> rgrad.tensor([1.0, 2.0, 10.0]).log()
    /// tensor([0.0000, 0.6931, 2.3026])
    fn log(&self, py: Python<'_>) -> PyT {
        let a = &self.inner;
        ok(maybe_detach(py, a.numel(), || a.log()))
    }
    /// `dot(other)`: the dot product of two 1-D tensors (a 0-d tensor).
    ///
    /// >>> rgrad.tensor([1.0, 2.0, 3.0]).dot(rgrad.tensor([4.0, 5.0, 6.0]))
    /// tensor(32.)
    fn dot(&self, other: &Bound<'_, PyAny>) -> PyT {
        ok(self.inner.dot(&super::convert::tensor_arg(other, "tensor")?))
    }
    // ---------- in-place ----------

    /// In-place `add_(other, *, alpha=1)`: self += alpha * other; returns self.
    ///
    /// >>> a = rgrad.tensor([1.0, 2.0])
    /// >>> _ = a.add_(rgrad.tensor([1.0, 1.0]), alpha=10)
    /// >>> a
    /// tensor([11., 12.])
    #[pyo3(signature = (other, *, alpha=None))]
    fn add_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let o = scaled(&slf.get().inner, operand_required(other, "other")?, alpha)?;
        slf.get().inner.add_(&o)?;
        Ok(slf.clone())
    }
    /// In-place `sub_(other, *, alpha=1)`: self -= alpha * other; returns self.
    ///
    /// >>> a = rgrad.tensor([5.0, 6.0])
    /// >>> _ = a.sub_(1)
    /// >>> a
    /// tensor([4., 5.])
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, alpha: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        let o = scaled(&slf.get().inner, operand_required(other, "other")?, alpha)?;
        slf.get().inner.sub_(&o)?;
        Ok(slf.clone())
    }
    /// In-place `mul_(other)`.
    ///
    /// >>> a = rgrad.tensor([1.0, 2.0])
    /// >>> _ = a.mul_(3)
    /// >>> a
    /// tensor([3., 6.])
    fn mul_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.mul_(&operand_required(other, "other")?)?;
        Ok(slf.clone())
    }
    /// In-place `div_(other, *, rounding_mode=None)`.
    ///
    /// >>> a = rgrad.tensor([7.0, -7.0])
    /// >>> _ = a.div_(2, rounding_mode='floor')
    /// >>> a
    /// tensor([ 3., -4.])
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div_<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>, rounding_mode: Option<String>) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.div_mode_(&operand_required(other, "other")?, rounding_mode.as_deref())?;
        Ok(slf.clone())
    }
    /// Fills self with zeros in place; returns self.
    ///
    /// >>> a = rgrad.tensor([1.0, 2.0])
    /// >>> a.zero_()
    /// tensor([0., 0.])
    fn zero_<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        slf.get().inner.zero_()?;
        Ok(slf.clone())
    }
    /// `fill_(value)`: writes `value` (a number or a 0-d tensor) to every element; returns self.
    ///
    /// >>> a = rgrad.zeros(2, 2)
    /// >>> a.fill_(7)
    /// tensor([[7., 7.],
    ///         [7., 7.]])
    fn fill_<'py>(slf: &Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = match super::convert::scalar_of(value) {
            // a Python number must fit the dtype (a tensor's value converts as a cast, as in PyTorch)
            Some(v) => {
                v.check_fits(slf.get().inner.dtype())?;
                v
            }
            None => {
                let t = super::convert::tensor_arg(value, "value")?;
                if t.rank() != 0 {
                    return Err(Error::Runtime(format!("fill_ only supports 0-dimension value tensor but got tensor with {} dimensions.", t.rank())).into());
                }
                t.item()?
            }
        };
        slf.get().inner.fill_(v)?;
        Ok(slf.clone())
    }
    /// `copy_(src)`: copies `src`'s values into self (broadcast, cast to self's dtype); returns self.
    ///
    /// >>> a = rgrad.zeros(2, 3)
    /// >>> a.copy_(rgrad.tensor([1, 2, 3]))
    /// tensor([[1., 2., 3.],
    ///         [1., 2., 3.]])
    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_<'py>(slf: &Bound<'py, Self>, src: &Bound<'py, PyAny>, non_blocking: bool) -> PyResult<Bound<'py, Self>> {
        let _ = non_blocking;
        slf.get().inner.copy_(&super::convert::tensor_arg(src, "src")?)?;
        Ok(slf.clone())
    }
    fn _repr_data(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_nested_list(py, &self.inner.detach())
    }
}
