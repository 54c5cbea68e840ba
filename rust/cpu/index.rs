//! Gather/scatter/index kernels (issue: indexing).
