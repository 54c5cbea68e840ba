//! The `rgrad._rgrad` extension module (feature `python`). Only argument
//! parsing and conversion live here; all semantics are in the crate.

mod autograd;
mod config;
mod convert;
mod creation;
mod dtype;
mod elementwise;
mod errors;
mod function;
#[cfg(feature = "gpu")]
mod gpu;
mod indexing;
mod joining;
mod linalg;
mod matmul;
mod nn;
mod numpy;
mod object;
mod pytensor;
mod optim;
mod random;
mod reduce;
mod serialize;
mod tensor;

use pyo3::prelude::*;

#[pymodule]
fn _rgrad(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<pytensor::PyTensor>()?;
    object::install(py);
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<dtype::PyDevice>()?;
    m.add_class::<autograd::PyNode>()?;
    m.add_class::<autograd::PyHookHandle>()?;
    for d in crate::dtype::DType::ALL {
        m.add(d.name(), dtype::dtype_obj(py, d))?;
    }
    m.add_function(wrap_pyfunction!(convert::_set_size_class, m)?)?;
    m.add_function(wrap_pyfunction!(convert::_set_default_device, m)?)?;
    macro_rules! add_fns {
        ($($f:path),* $(,)?) => { $( m.add_function(wrap_pyfunction!($f, m)?)?; )* };
    }
    add_fns!(
        creation::tensor, creation::as_tensor, creation::from_numpy, creation::zeros, creation::ones,
        creation::empty, creation::full, creation::eye, creation::arange, creation::linspace,
        creation::rand, creation::randn, creation::randint, creation::zeros_like, creation::ones_like,
        creation::empty_like, creation::full_like, creation::rand_like, creation::randn_like,
        creation::randint_like,
        creation::get_default_dtype, creation::set_default_dtype, creation::promote_types,
        creation::result_type, creation::can_cast, creation::empty_cache, creation::is_tensor,
        autograd::backward, autograd::grad, autograd::is_grad_enabled, autograd::_set_grad_enabled,
        autograd::gradcheck,
    );
    // op families register their own functions
    elementwise::register(m)?;
    reduce::register(m)?;
    indexing::register(m)?;
    joining::register(m)?;
    matmul::register(m)?;
    linalg::register(m)?;
    random::register(m)?;
    nn::register(m)?;
    optim::register(m)?;
    serialize::register(m)?;
    function::register(m)?;
    config::register(m)?;
    #[cfg(feature = "gpu")]
    gpu::register(m)?;
    Ok(())
}
