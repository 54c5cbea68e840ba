//! Private bindings of the GPU backend: what `python/rgrad/gpu.py` (the public `rgrad.gpu`)
//! wraps (availability, synchronize, memory and transfer counters), and what the shader tests
//! need: the shader sources exactly as the engine fills them (so tests/test_shaders.py loads
//! the same WGSL through wgpu-py), the list of variants to compile, the metadata slot layout.

use crate::gpu;
use pyo3::prelude::*;

/// The filled WGSL of one kernel variant and its storage bindings' access modes
/// ("read", "read_write"; the status words are "read_write").
#[pyfunction]
#[pyo3(signature = (family, op, dtypes, variant=0, entry="main"))]
fn _gpu_shader_source(family: &str, op: &str, dtypes: Vec<String>, variant: u32, entry: &str) -> PyResult<(String, Vec<&'static str>)> {
    let names: Vec<&str> = dtypes.iter().map(|s| s.as_str()).collect();
    let mut key = gpu::source::key_by_name(family, op, &names, variant)?;
    key.entry = gpu::source::entry_static(entry).ok_or_else(|| pyo3::exceptions::PyValueError::new_err(format!("unknown entry point '{entry}'")))?;
    let (src, access) = gpu::shader_source(&key)?;
    Ok((src, access.iter().map(|a| if *a == gpu::pipeline::Access::Read { "read" } else { "read_write" }).collect()))
}

/// Every variant the engine's own compile test covers: (family, op, dtypes, variant, entry).
#[pyfunction]
fn _gpu_shader_variants() -> Vec<(&'static str, &'static str, Vec<&'static str>, u32, &'static str)> {
    gpu::kernels::sample_keys().into_iter().map(|k| (k.family.name(), k.op, k.dtypes.iter().map(|d| d.name()).collect(), k.variant, k.entry)).collect()
}

/// The files in `shaders/` as compiled into the crate: (name, text).
#[pyfunction]
fn _gpu_shader_files() -> Vec<(&'static str, &'static str)> {
    gpu::source::ALL_FILES.iter().map(|f| (f.name, f.embedded)).collect()
}

/// The metadata slot positions (word indices; see rust/gpu/meta.rs) and words per slot.
#[pyfunction]
fn _gpu_meta_layout() -> (Vec<(String, u32)>, usize, usize) {
    let consts = gpu::meta::wgsl_consts();
    let slots = consts
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("const M_")?;
            let (name, v) = rest.split_once(": u32 = ")?;
            Some((name.to_string(), v.trim_end_matches("u;").parse().ok()?))
        })
        .collect();
    (slots, gpu::meta::META_WORDS, gpu::meta::MAX_RANK)
}

/// (usable, the adapter's name or the reason there is none).
#[pyfunction]
fn _gpu_availability() -> (bool, String) {
    match gpu::context::availability() {
        Ok(c) => (true, c.adapter_name().to_string()),
        Err(why) => (false, why),
    }
}

/// `rgrad.gpu.synchronize()`: waits for every recorded GPU kernel (GIL released); an error a
/// kernel reported surfaces here.
#[pyfunction]
fn _gpu_synchronize(py: Python<'_>) -> PyResult<()> {
    if !gpu::is_available() {
        return Ok(());
    }
    Ok(py.detach(gpu::synchronize)?)
}

/// (allocated, reserved) bytes of GPU memory.
#[pyfunction]
fn _gpu_memory() -> (u64, u64) {
    (gpu::memory_allocated(), gpu::memory_reserved())
}

/// Releases the GPU's pooled buffers.
#[pyfunction]
fn _gpu_empty_cache(py: Python<'_>) -> PyResult<()> {
    Ok(py.detach(gpu::empty_cache)?)
}

/// (uploads, downloads): host<->device copies of tensor data so far.
#[pyfunction]
fn _gpu_transfer_counts() -> (u64, u64) {
    gpu::transfer_counts()
}

/// The backend primitives that compute on the host for GPU tensors.
#[pyfunction]
fn _gpu_host_round_trip_ops() -> Vec<&'static str> {
    crate::backend::HOST_ROUND_TRIP.to_vec()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_gpu_synchronize, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_memory, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_empty_cache, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_transfer_counts, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_host_round_trip_ops, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_shader_source, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_shader_variants, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_shader_files, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_meta_layout, m)?)?;
    m.add_function(wrap_pyfunction!(_gpu_availability, m)?)?;
    Ok(())
}
