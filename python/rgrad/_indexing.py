"""Python-level pieces of the indexing op family.

The work happens in Rust (``rust/ops/index.rs``); this module only lists the
tensor methods that are also module functions (``rgrad.gather(t, 1, idx)``).
"""

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = [
    "index_select", "gather", "scatter", "scatter_add", "scatter_reduce", "index_add", "index_copy",
    "index_fill", "masked_fill", "masked_select", "masked_scatter", "take", "put", "take_along_dim",
    "nonzero", "argwhere", "index_put", "index_put_",
]

# Extra public functions defined here (names listed in __all__) are re-exported by rgrad.
__all__ = []

# Functions this family adds to rgrad.linalg / rgrad.nn.functional (name -> callable).
LINALG = {}
FUNCTIONAL = {}
