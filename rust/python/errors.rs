//! The one mapping from rgrad's error kinds to Python exception classes.

use crate::error::Error;
use pyo3::exceptions::{PyIndexError, PyMemoryError, PyNotImplementedError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        // an exception raised by a Python backward (autograd.Function) comes back as itself
        if let Some(raised) = super::function::take_raised() {
            return raised;
        }
        match e {
            Error::Runtime(m) => PyRuntimeError::new_err(m),
            Error::Index(m) => PyIndexError::new_err(m),
            Error::Value(m) => PyValueError::new_err(m),
            Error::Type(m) => PyTypeError::new_err(m),
            Error::Memory(m) => PyMemoryError::new_err(m),
            Error::NotImplemented(m) => PyNotImplementedError::new_err(m),
            Error::LinAlg(m) => super::linalg::LinAlgError::new_err(m),
        }
    }
}
