//! Python bindings for reductions: `#[pymethods]` on Tensor and module functions.

use pyo3::prelude::*;

/// Adds this family's module-level functions to `rgrad._rgrad`.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
