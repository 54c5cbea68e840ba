//! Threads and configuration: `set_num_threads`, `get_num_threads`, the data behind
//! `rgrad.__config__` / `rgrad.show_config()`, and the private instruction-set switch the
//! tests use (`_set_cpu_isa`).

use crate::cpu::{isa, par};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Sets the number of threads rgrad's CPU kernels use (as ``torch.set_num_threads``).
///
/// Takes effect at once, for every later operation. The start value comes from
/// ``RGRAD_NUM_THREADS``, else ``OMP_NUM_THREADS``, else the number of CPUs rgrad may run on.
/// Results do not depend on the thread count: work is cut by the sizes only (docs/cpu.md).
///
/// >>> n = rgrad.get_num_threads()
/// >>> rgrad.set_num_threads(1)
/// >>> rgrad.get_num_threads()
/// 1
/// >>> rgrad.set_num_threads(n)
#[pyfunction]
pub fn set_num_threads(n: &Bound<'_, PyAny>) -> PyResult<()> {
    if n.is_instance_of::<pyo3::types::PyFloat>() {
        return Err(PyRuntimeError::new_err(format!(
            "set_num_threads expects an int, but got {}",
            n.get_type().name()?
        )));
    }
    let n: i64 = n
        .extract()
        .map_err(|_| PyRuntimeError::new_err(format!("set_num_threads expects an int, but got {}", n.get_type().name().map(|s| s.to_string()).unwrap_or_default())))?;
    if n <= 0 {
        return Err(PyRuntimeError::new_err("set_num_threads expects a positive integer"));
    }
    par::set_threads(n as usize);
    Ok(())
}

/// The number of threads rgrad's CPU kernels use (as ``torch.get_num_threads``).
///
/// >>> rgrad.get_num_threads() >= 1
/// True
#[pyfunction]
pub fn get_num_threads() -> usize {
    par::threads()
}

/// Switches the instruction set the hand-written kernels use: ``'baseline'``, ``'avx2'`` or
/// ``'avx512'`` (private: for tests and comparisons; ``RGRAD_CPU_ISA`` caps it at start).
/// Raises ``RuntimeError`` when this CPU lacks the level. Returns the previous level.
#[pyfunction]
pub fn _set_cpu_isa(level: &str) -> PyResult<&'static str> {
    let l = isa::Isa::parse(level).ok_or_else(|| PyValueError::new_err(format!("unknown instruction set '{level}': expected 'baseline', 'avx2' or 'avx512'")))?;
    let before = isa::active().name();
    isa::set_active(l).map_err(PyRuntimeError::new_err)?;
    Ok(before)
}

/// The instruction-set levels this CPU can run, lowest first (private: for tests).
#[pyfunction]
pub fn _cpu_isa_levels() -> Vec<&'static str> {
    isa::Isa::ALL.iter().filter(|&&l| l <= isa::detected()).map(|l| l.name()).collect()
}

/// The configuration `rgrad.__config__.show()` prints, as a dict (private).
#[pyfunction]
pub fn _config(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("version", env!("CARGO_PKG_VERSION"))?;
    d.set_item("profile", env!("RGRAD_BUILD_PROFILE"))?;
    d.set_item("opt_level", env!("RGRAD_BUILD_OPT_LEVEL"))?;
    d.set_item("target", env!("RGRAD_BUILD_TARGET"))?;
    d.set_item("target_features", env!("RGRAD_BUILD_TARGET_FEATURES"))?;
    d.set_item("rustc", env!("RGRAD_BUILD_RUSTC"))?;
    d.set_item("debug_assertions", cfg!(debug_assertions))?;
    d.set_item("cpu_model", isa::cpu_model())?;
    d.set_item("cpu_flags", isa::cpu_flags())?;
    d.set_item("logical_cpus", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))?;
    d.set_item("isa", isa::active().name())?;
    d.set_item("isa_description", isa::active().describe())?;
    d.set_item("isa_detected", isa::detected().name())?;
    d.set_item(
        "isa_env",
        match isa::env_cap() {
            None => None,
            Some(Ok(l)) => Some(l.name().to_string()),
            Some(Err(v)) => Some(format!("{v} (not a level: ignored)")),
        },
    )?;
    d.set_item("num_threads", par::threads())?;
    for var in ["RGRAD_NUM_THREADS", "OMP_NUM_THREADS", "RGRAD_CPU_ISA"] {
        d.set_item(var, std::env::var(var).ok())?;
    }
    d.set_item(
        "gemm",
        if isa::gemm_kernels().starts_with("AVX-512") {
            "gemm 0.19 (feature x86-v4) for float32/float64; a plain loop for integers"
        } else {
            "gemm 0.19 (feature x86-v4) for float32/float64, matrixmultiply 0.3 for products whose dims all lie in 40..192; a plain loop for integers"
        },
    )?;
    d.set_item("gemm_kernels", isa::gemm_kernels())?;
    Ok(d)
}

/// Adds this file's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(_set_cpu_isa, m)?)?;
    m.add_function(wrap_pyfunction!(_cpu_isa_levels, m)?)?;
    m.add_function(wrap_pyfunction!(_config, m)?)?;
    Ok(())
}
