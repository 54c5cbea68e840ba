"""``rgrad.nn``: layers and losses."""

from . import functional  # noqa: F401
