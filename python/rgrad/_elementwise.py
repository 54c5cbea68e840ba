"""Python-level pieces of the elementwise op family."""

# Tensor methods that also exist as functions: rgrad.NAME(t, ...) == t.NAME(...)
METHOD_FUNCTIONS = []

# Extra public functions defined here (names listed in __all__) are re-exported by rgrad.
__all__ = []

# Functions this family adds to rgrad.linalg / rgrad.nn.functional (name -> callable).
LINALG = {}
FUNCTIONAL = {}
