//! Sorting, unique and search kernels (issue: indexing/joining).
