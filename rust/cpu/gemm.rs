//! Matrix-multiply kernels (issue: matrix products).
