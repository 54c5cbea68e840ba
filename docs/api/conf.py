"""Sphinx settings for rgrad's API reference, built from the docstrings of the installed rgrad.

    python -m sphinx -b html docs/api build/api      (then open build/api/index.html)
"""

project = "rgrad"
extensions = ["sphinx.ext.autodoc"]
# rgrad's docstrings write `code` in single backquotes (Markdown habit, also in the Rust
# bindings' /// comments); show it as code rather than as RST's italic "interpreted text"
default_role = "code"
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}
autodoc_member_order = "alphabetical"
autodoc_typehints = "none"  # signatures come from the functions; the stubs are for type checkers
html_theme = "alabaster"
html_theme_options = {"description": "a tensor library with PyTorch's API, in Rust", "fixed_sidebar": True}
html_title = "rgrad API reference"
exclude_patterns = ["_build"]
