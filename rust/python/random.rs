//! Random-number state from Python: `rgrad.Generator`, the `generator=` argument of random
//! ops, and the module-level seeding functions (`manual_seed`, `seed`, `initial_seed`,
//! `get_rng_state` / `set_rng_state`, `default_generator`).

use super::convert::parse_device;
use super::dtype::PyDevice;
use super::object::Wrap;
use super::object::PyT;
use super::pytensor::PyTensor;
use crate::ops::random::{self as rng, Generator, Seeded, SharedGenerator};
use crate::dtype::DType;
use crate::error::Error;
use crate::tensor::Tensor;
use crate::Device;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt};
use std::sync::Arc;

/// `rgrad.Generator(device='cpu')`: a random stream of its own, for the `generator=` argument
/// of random ops (`rand`, `randn`, `randint`, `randperm`, `multinomial`, `bernoulli`,
/// `normal`, `uniform_`, ...). Its numbers differ from PyTorch's for the same seed.
///
/// >>> g = rgrad.Generator().manual_seed(0)  # a stream apart from the default generator
/// >>> a = rgrad.rand(3, generator=g)
/// >>> _ = g.manual_seed(0)
/// >>> rgrad.equal(a, rgrad.rand(3, generator=g))
/// True
/// >>> g.initial_seed()
/// 0
#[pyclass(name = "Generator", module = "rgrad", frozen)]
pub struct PyGenerator {
    pub inner: SharedGenerator,
}

/// A seed as PyTorch takes it: any Python int, negative ones wrapping to 64 bits.
fn seed_arg(seed: &Bound<'_, PyAny>) -> PyResult<u64> {
    if seed.is_instance_of::<PyBool>() || !seed.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!("manual_seed expected a long, but got {}", seed.get_type().name()?)));
    }
    if let Ok(v) = seed.extract::<u64>() {
        return Ok(v);
    }
    match seed.extract::<i64>() {
        Ok(v) => Ok(v as u64),
        Err(_) => Err(Error::Runtime(format!("Overflow when unpacking long: seed {seed} does not fit in 64 bits")).into()),
    }
}

/// The state as a tensor: the seed and the four xoshiro256** words, as int64 bit patterns.
/// (PyTorch's is a uint8 tensor of its mt19937 state; both are only meant for `set_state`.)
fn state_tensor(s: &Seeded) -> PyResult<Tensor> {
    let w = s.gen.state();
    let words = [s.seed as i64, w[0] as i64, w[1] as i64, w[2] as i64, w[3] as i64];
    Ok(Tensor::from_slice(&words, &[5])?)
}

fn set_state_from(g: &SharedGenerator, state: &Bound<'_, PyAny>) -> PyResult<()> {
    let t = state.cast::<PyTensor>().map_err(|_| PyTypeError::new_err(format!("expected the tensor get_state() returns, but got {}", state.get_type().name().map(|n| n.to_string()).unwrap_or_default())))?;
    let t = &t.get().inner;
    if t.dtype() != DType::I64 || t.shape() != [5] {
        return Err(Error::Runtime(format!("Expected an RNG state as get_state() returns it (int64, shape [5]), got {} of shape {}", t.dtype().name(), crate::shape::fmt_shape(t.shape()))).into());
    }
    let v = t.contiguous()?.to_vec::<i64>()?;
    let gen = Generator::from_state([v[1] as u64, v[2] as u64, v[3] as u64, v[4] as u64]).ok_or_else(|| Error::Runtime("Invalid RNG state: the generator words are all zero".into()))?;
    *g.lock() = Seeded { gen, seed: v[0] as u64 };
    Ok(())
}

#[pymethods]
impl PyGenerator {
    #[new]
    #[pyo3(signature = (device=None))]
    fn new(device: Option<&Bound<'_, PyAny>>) -> PyResult<PyGenerator> {
        parse_device(device)?;
        Ok(PyGenerator { inner: Arc::new(parking_lot::Mutex::new(Seeded::new(rng::DEFAULT_SEED))) })
    }

    /// `manual_seed(seed)`: restarts the stream from `seed`; returns the generator.
    fn manual_seed<'py>(slf: &Bound<'py, Self>, seed: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let seed = seed_arg(seed)?;
        *slf.get().inner.lock() = Seeded::new(seed);
        Ok(slf.clone())
    }

    /// `seed()`: reseeds from a nondeterministic seed and returns that seed.
    fn seed(&self) -> u64 {
        let s = rng::fresh_seed();
        *self.inner.lock() = Seeded::new(s);
        s
    }

    /// `initial_seed()`: the seed the stream was last started from.
    fn initial_seed(&self) -> u64 {
        self.inner.lock().seed
    }

    /// `get_state()`: a tensor that `set_state` restores the stream from.
    fn get_state(&self) -> PyT {
        Ok(Wrap(state_tensor(&self.inner.lock())?))
    }

    /// `set_state(state)`: continues from a state `get_state` returned; returns the generator.
    fn set_state<'py>(slf: &Bound<'py, Self>, new_state: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        set_state_from(&slf.get().inner, new_state)?;
        Ok(slf.clone())
    }

    /// Always the CPU: rgrad's random ops run there.
    #[getter]
    fn device(&self) -> PyDevice {
        PyDevice { device: Device::Cpu }
    }
}

/// An op's `generator=` argument: `None` (the default generator) or an `rgrad.Generator`.
pub fn generator_arg(name: &str, generator: Option<&Bound<'_, PyAny>>) -> PyResult<Option<SharedGenerator>> {
    let Some(g) = generator.filter(|g| !g.is_none()) else { return Ok(None) };
    match g.cast::<PyGenerator>() {
        Ok(g) => Ok(Some(g.get().inner.clone())),
        Err(_) => Err(PyTypeError::new_err(format!("{name}(): argument 'generator' must be rgrad.Generator, not {}", g.get_type().name()?))),
    }
}

/// `manual_seed(seed)`: reseeds the default generator and returns it.
///
/// >>> _ = rgrad.manual_seed(42)
/// >>> a = rgrad.rand(3)
/// >>> _ = rgrad.manual_seed(42)
/// >>> rgrad.equal(a, rgrad.rand(3))
/// True
/// >>> rgrad.initial_seed()
/// 42
#[pyfunction]
pub fn manual_seed(seed: &Bound<'_, PyAny>) -> PyResult<PyGenerator> {
    rng::manual_seed(seed_arg(seed)?);
    Ok(PyGenerator { inner: rng::default_generator() })
}

/// `seed()`: reseeds the default generator nondeterministically and returns the seed.
///
/// >>> s = rgrad.seed()
/// >>> rgrad.initial_seed() == s
/// True
#[pyfunction]
pub fn seed() -> u64 {
    let s = rng::fresh_seed();
    rng::manual_seed(s);
    s
}

/// `initial_seed()`: the seed the default generator was last seeded with.
///
/// >>> _ = rgrad.manual_seed(7)
/// >>> rgrad.initial_seed()
/// 7
#[pyfunction]
pub fn initial_seed() -> u64 {
    rng::initial_seed()
}

/// `get_rng_state()`: the default generator's state (see `Generator.get_state`).
///
/// >>> state = rgrad.get_rng_state()
/// >>> a = rgrad.rand(2)
/// >>> rgrad.set_rng_state(state)
/// >>> rgrad.equal(a, rgrad.rand(2))
/// True
#[pyfunction]
pub fn get_rng_state() -> PyT {
    Ok(Wrap(state_tensor(&rng::default_generator().lock())?))
}

/// `set_rng_state(new_state)`: restores the default generator from `get_rng_state()`.
///
/// >>> state = rgrad.get_rng_state()
/// >>> a = rgrad.randn(3)
/// >>> rgrad.set_rng_state(state)  # replay the same draws
/// >>> rgrad.equal(a, rgrad.randn(3))
/// True
#[pyfunction]
pub fn set_rng_state(new_state: &Bound<'_, PyAny>) -> PyResult<()> {
    set_state_from(&rng::default_generator(), new_state)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGenerator>()?;
    m.add("default_generator", PyGenerator { inner: rng::default_generator() })?;
    m.add_function(wrap_pyfunction!(manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(seed, m)?)?;
    m.add_function(wrap_pyfunction!(initial_seed, m)?)?;
    m.add_function(wrap_pyfunction!(get_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(set_rng_state, m)?)?;
    Ok(())
}
