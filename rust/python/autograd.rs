//! Python face of the autograd: `grad_fn` objects, hook handles, `backward`,
//! `autograd.grad`, grad mode, `gradcheck`.

use super::convert::{operand_required, tensor_arg};
use super::pytensor::PyTensor;
use crate::autograd::Node;
use crate::error::Error;
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use std::sync::Arc;

/// A node of the tape (`tensor.grad_fn`): `name()`, `next_functions`.
///
/// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
/// >>> y = (x * 2).sum()
/// >>> y.grad_fn.name()
/// 'SumBackward0'
/// >>> y.grad_fn.next_functions[0][0].name()
/// 'MulBackward0'
#[pyclass(name = "Node", module = "rgrad.autograd", frozen)]
pub struct PyNode {
    pub node: Arc<Node>,
}

#[pymethods]
impl PyNode {
    fn name(&self) -> &'static str {
        self.node.name
    }
    /// `((node_or_None, 0), ...)`, one per input, as PyTorch.
    #[getter]
    fn next_functions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let items: Vec<Bound<'py, PyTuple>> = self
            .node
            .next
            .iter()
            .map(|e| {
                let n: Py<PyAny> = match &e.node {
                    Some(n) => Py::new(py, PyNode { node: n.clone() })?.into_any(),
                    None => py.None(),
                };
                PyTuple::new(py, [n, 0i64.into_pyobject(py)?.into_any().unbind()])
            })
            .collect::<PyResult<_>>()?;
        PyTuple::new(py, items)
    }
    /// For AccumulateGrad nodes: the leaf tensor.
    #[getter]
    fn variable(&self) -> Option<PyTensor> {
        self.node.leaf().map(PyTensor::new)
    }
    /// For AccumulateGrad nodes: whether `tensor` is this node's leaf itself (PyTorch's
    /// `node.variable is tensor`; rgrad's `variable` makes a new Python object each time).
    fn _is_variable(&self, tensor: &Bound<'_, PyAny>) -> bool {
        match (tensor.cast::<PyTensor>(), self.node.leaf()) {
            (Ok(t), Some(leaf)) => leaf.ptr_eq(&t.get().inner),
            _ => false,
        }
    }
    /// The tensors this node saved for its backward, in the order the op saved them
    /// (`()` for AccumulateGrad and ops that save none; Python numbers are left out). PyTorch
    /// names each one (`_saved_self`, ...); rgrad's nodes keep an unnamed list. Used by
    /// `rgrad.autograd.graph(..., show_saved=True)`.
    #[getter]
    fn _saved_tensors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let list: Vec<PyTensor> = match &self.node.kind {
            crate::autograd::node::NodeKind::Op { saved, had_saved, .. } => match saved.lock().as_ref() {
                // a Python number the op took is a wrapped 0-d tensor here; PyTorch keeps it
                // as a number (`_saved_exponent`), not a saved tensor
                Some(list) => list.iter().filter(|s| !s.tensor.is_wrapped_number()).map(|s| PyTensor::new(s.tensor.clone())).collect(),
                None if *had_saved => {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
                    ))
                }
                None => Vec::new(),
            },
            crate::autograd::node::NodeKind::AccumulateGrad { .. } => Vec::new(),
        };
        PyTuple::new(py, list)
    }
    fn __repr__(&self) -> String {
        format!("<{} object at {:#x}>", self.node.name, Arc::as_ptr(&self.node) as usize)
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyNode>().map(|o| Arc::ptr_eq(&o.get().node, &self.node)).unwrap_or(false)
    }
    fn __hash__(&self) -> isize {
        Arc::as_ptr(&self.node) as isize
    }
}

/// Returned by `register_hook`; `.remove()` unregisters.
///
/// >>> x = rgrad.tensor([1.0], requires_grad=True)
/// >>> handle = x.register_hook(lambda g: g * 100)
/// >>> handle.remove()  # the hook no longer runs
/// >>> (x * 2).sum().backward()
/// >>> x.grad
/// tensor([2.])
#[pyclass(name = "RemovableHandle", module = "rgrad.utils.hooks", frozen)]
pub struct PyHookHandle {
    pub tensor: Tensor,
    pub id: u64,
}

#[pymethods]
impl PyHookHandle {
    fn remove(&self) {
        self.tensor.remove_hook(self.id);
    }
}

/// A tensor or a sequence of tensors, as a Vec.
pub fn tensor_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Tensor>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![t.get().inner.clone()]);
    }
    let mut out = Vec::new();
    for item in obj.try_iter().map_err(|_| PyTypeError::new_err("expected a Tensor or a sequence of Tensors"))? {
        out.push(tensor_arg(&item?, "each element")?);
    }
    Ok(out)
}

/// Optional per-output gradients: None, a tensor, or a sequence with Nones.
fn grad_list(obj: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<Tensor>>> {
    let Some(obj) = obj else { return Ok(vec![None; n]) };
    if obj.is_none() {
        return Ok(vec![None; n]);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(vec![Some(t.get().inner.clone())]);
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        out.push(if item.is_none() { None } else { Some(operand_required(&item, "grad_outputs element")?) });
    }
    if out.len() != n {
        return Err(Error::Runtime(format!("grad requires one gradient per output: got {} for {} outputs", out.len(), n)).into());
    }
    Ok(out)
}

/// `rgrad.autograd.backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None)`.
///
/// >>> x = rgrad.tensor([1.0, 2.0], requires_grad=True)
/// >>> y, z = (x * x).sum(), (3 * x).sum()
/// >>> rgrad.autograd.backward([y, z])
/// >>> x.grad
/// tensor([5., 7.])
#[pyfunction]
#[pyo3(signature = (tensors, grad_tensors=None, retain_graph=None, create_graph=false, inputs=None))]
pub fn backward(tensors: &Bound<'_, PyAny>, grad_tensors: Option<&Bound<'_, PyAny>>, retain_graph: Option<bool>, create_graph: bool, inputs: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let roots = tensor_list(tensors)?;
    let grads = grad_list(grad_tensors, roots.len())?;
    let inputs = match inputs {
        Some(i) if !i.is_none() => Some(tensor_list(i)?),
        _ => None,
    };
    Ok(crate::autograd::backward(&roots, grads, retain_graph, create_graph, inputs.as_deref())?)
}

/// `rgrad.autograd.grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False)`.
///
/// >>> x = rgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
/// >>> y = (x ** 2).sum()
/// >>> rgrad.autograd.grad(y, x)
/// (tensor([2., 4., 6.]),)
/// >>> x.grad is None  # grad() returns the gradients instead of accumulating them
/// True
#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=false, allow_unused=None, materialize_grads=false))]
// one parameter per keyword of torch.autograd.grad: PyO3 maps a Python signature onto the
// Rust one, so the arguments can't be grouped into a struct
#[allow(clippy::too_many_arguments)]
pub fn grad<'py>(py: Python<'py>, outputs: &Bound<'py, PyAny>, inputs: &Bound<'py, PyAny>, grad_outputs: Option<&Bound<'py, PyAny>>, retain_graph: Option<bool>, create_graph: bool, allow_unused: Option<bool>, materialize_grads: bool) -> PyResult<Bound<'py, PyTuple>> {
    let outs = tensor_list(outputs)?;
    let ins = tensor_list(inputs)?;
    let grads = grad_list(grad_outputs, outs.len())?;
    let allow = allow_unused.unwrap_or(materialize_grads);
    let res = crate::autograd::grad(&outs, &ins, grads, retain_graph, create_graph, allow)?;
    let items: Vec<Py<PyAny>> = res
        .into_iter()
        .zip(&ins)
        .map(|(g, x)| -> PyResult<Py<PyAny>> {
            Ok(match g {
                Some(g) => Py::new(py, PyTensor::new(g))?.into_any(),
                None if materialize_grads => Py::new(py, PyTensor::new(x.zeros_like()?))?.into_any(),
                None => py.None(),
            })
        })
        .collect::<PyResult<_>>()?;
    PyTuple::new(py, items)
}

/// True when operations are being recorded for autograd (not inside `no_grad`).
///
/// >>> rgrad.is_grad_enabled()
/// True
/// >>> with rgrad.no_grad():
/// ...     rgrad.is_grad_enabled()
/// False
#[pyfunction]
pub fn is_grad_enabled() -> bool {
    crate::autograd::is_grad_enabled()
}

/// Turns gradient recording on or off for this thread (used by the grad-mode context managers).
#[pyfunction]
pub fn _set_grad_enabled(on: bool) {
    crate::autograd::set_grad_enabled(on)
}

/// `gradcheck(func, inputs, eps, atol, rtol)`: compares autograd with central differences.
///
/// >>> x = rgrad.tensor([0.5, 1.5], dtype=rgrad.float64, requires_grad=True)
/// >>> rgrad.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,))
/// True
#[pyfunction]
#[pyo3(signature = (func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=true))]
pub fn gradcheck(py: Python<'_>, func: Py<PyAny>, inputs: &Bound<'_, PyAny>, eps: f64, atol: f64, rtol: f64, raise_exception: bool) -> PyResult<bool> {
    let ins = tensor_list(inputs)?;
    let f = |xs: &[Tensor]| -> crate::Result<Vec<Tensor>> {
        let args: Vec<Py<PyAny>> = xs.iter().map(|t| Py::new(py, PyTensor::new(t.clone())).map(|p| p.into_any())).collect::<PyResult<_>>().map_err(|e| Error::Runtime(e.to_string()))?;
        let r = func.call1(py, PyTuple::new(py, args).map_err(|e| Error::Runtime(e.to_string()))?).map_err(|e| Error::Runtime(format!("gradcheck: function raised {e}")))?;
        let r = r.bind(py);
        if let Ok(t) = r.cast::<PyTensor>() {
            return Ok(vec![t.get().inner.clone()]);
        }
        let mut outs = Vec::new();
        if r.is_instance_of::<PyTuple>() || r.is_instance_of::<PyList>() {
            for item in r.try_iter().map_err(|e| Error::Runtime(e.to_string()))? {
                let item = item.map_err(|e| Error::Runtime(e.to_string()))?;
                if let Ok(t) = item.cast::<PyTensor>() {
                    outs.push(t.get().inner.clone());
                }
            }
            return Ok(outs);
        }
        Err(Error::Runtime("gradcheck: function must return a Tensor or a tuple of Tensors".into()))
    };
    match crate::autograd::gradcheck::gradcheck(&f, &ins, eps, atol, rtol) {
        Ok(b) => Ok(b),
        Err(e) if raise_exception => Err(e.into()),
        Err(_) => Ok(false),
    }
}
