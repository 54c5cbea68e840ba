//! The Rust side of `rgrad.autograd.Function`: records a user function's outputs with a
//! backward that calls back into Python. An exception raised by the Python backward is kept
//! and re-raised as itself when the error reaches Python (see `errors.rs`), so users see
//! their own exception class and message.

use super::autograd::tensor_list;
use super::tensor::PyTensor;
use crate::autograd::function::{record_custom, static_name, CustomBackward};
use crate::error::Error;
use crate::tensor::Tensor;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    /// The Python exception a custom backward raised on this thread, until it reaches Python.
    static RAISED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The exception a Python backward raised, if one is waiting to be re-raised.
pub(crate) fn take_raised() -> Option<PyErr> {
    RAISED.with(|r| r.borrow_mut().take())
}

fn keep(e: PyErr) -> Error {
    let msg = e.to_string();
    RAISED.with(|r| *r.borrow_mut() = Some(e));
    Error::Runtime(msg)
}

/// `_record_function(name, inputs, outputs, differentiable, saved, saved_output, backward)`:
/// attaches `outputs` (fresh tensors) to the graph; `backward(saved, grads)` is called with
/// the saved tensors and one gradient per output and returns one gradient (or None) per
/// input. `saved_output[j]` is the index in `outputs` of saved tensor j, or -1.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _record_function(name: &str, inputs: &Bound<'_, PyAny>, outputs: &Bound<'_, PyAny>, differentiable: Vec<bool>, saved: &Bound<'_, PyAny>, saved_output: Vec<i64>, backward: Py<PyAny>) -> PyResult<()> {
    let ins = tensor_list(inputs)?;
    let outs = tensor_list(outputs)?;
    let saved = tensor_list(saved)?;
    if differentiable.len() != outs.len() {
        return Err(Error::Value(format!("_record_function: {} flags for {} outputs", differentiable.len(), outs.len())).into());
    }
    let n_inputs = ins.len();
    let bw: CustomBackward = Arc::new(move |s: &[Tensor], grads: &[Tensor]| {
        Python::attach(|py| {
            let wrap_all = |ts: &[Tensor]| -> PyResult<Bound<'_, PyList>> {
                let objs: Vec<Bound<'_, PyTensor>> = ts.iter().map(|t| Bound::new(py, PyTensor::new(t.clone()))).collect::<PyResult<_>>()?;
                PyList::new(py, objs)
            };
            let r = (|| -> PyResult<Vec<Option<Tensor>>> {
                let out = backward.call1(py, (wrap_all(s)?, wrap_all(grads)?))?;
                let mut res = Vec::with_capacity(n_inputs);
                for item in out.bind(py).try_iter()? {
                    let item = item?;
                    res.push(if item.is_none() { None } else { Some(item.cast::<PyTensor>()?.get().inner.clone()) });
                }
                Ok(res)
            })();
            r.map_err(keep)
        })
    });
    let inputs: Vec<&Tensor> = ins.iter().collect();
    let saved_output: Vec<Option<usize>> = saved_output.iter().map(|&i| (i >= 0 && (i as usize) < outs.len()).then_some(i as usize)).collect();
    record_custom(static_name(name), &inputs, &outs, &differentiable, saved, saved_output, bw)?;
    Ok(())
}

/// Registers the functions of this family.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_record_function, m)?)?;
    Ok(())
}
