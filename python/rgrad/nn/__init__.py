"""``rgrad.nn``: parameters, modules, layers and losses (as ``torch.nn``)."""

from . import functional, init  # noqa: F401
from .modules import (  # noqa: F401
    CrossEntropyLoss,
    Flatten,
    Identity,
    L1Loss,
    Linear,
    Module,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from .parameter import Parameter  # noqa: F401
