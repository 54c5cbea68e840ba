//! The one mapping from rgrad's error kinds to Python exception classes.

use crate::error::Error;
use pyo3::exceptions::{PyIndexError, PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            // a backward PyTorch does not implement (NotImplementedError, a RuntimeError subclass)
            Error::Runtime(m) if m.starts_with("the derivative for '") && m.ends_with("' is not implemented.") => PyNotImplementedError::new_err(m),
            // PyTorch's missing-dtype-kernel errors ("add_cpu" not implemented for 'Bool')
            // are NotImplementedError too
            Error::Runtime(m) if m.contains("\" not implemented for '") => PyNotImplementedError::new_err(m),
            Error::Runtime(m) => PyRuntimeError::new_err(m),
            Error::Index(m) => PyIndexError::new_err(m),
            Error::Value(m) => PyValueError::new_err(m),
            Error::Type(m) => PyTypeError::new_err(m),
            Error::Memory(m) => PyMemoryError::new_err(m),
        }
    }
}
