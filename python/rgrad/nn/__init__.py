"""``rgrad.nn``: parameters, modules, layers and losses (as ``torch.nn``)."""

from . import functional, init  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __dict__ as _modules_dict
from .parameter import Parameter  # noqa: F401
from . import utils  # noqa: F401,E402

__all__ = [n for n, v in _modules_dict.items() if isinstance(v, type)] + ["Parameter", "functional", "init", "utils"]
del _modules_dict
