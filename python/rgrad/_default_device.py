"""``rgrad.set_default_device`` / ``rgrad.get_default_device``: the device creators use when
no ``device=`` is given (``"cpu"`` unless set; ``"gpu"`` where a GPU is available).
"""

from . import _rgrad

_DEFAULT = _rgrad.device("cpu")


def set_default_device(device):
    """Sets the device new tensors are made on when a creator gets no ``device=``: ``"cpu"``,
    ``"gpu"`` (where available) or None (back to the CPU). A device that is not available
    raises RuntimeError naming it, and the default stays as it was.

    >>> rgrad.set_default_device("cpu")
    >>> rgrad.zeros(2).device
    device(type='cpu')
    >>> rgrad.set_default_device(None)  # back to the default (the CPU)
    """
    global _DEFAULT
    _rgrad._set_default_device(device)
    _DEFAULT = _rgrad.device("cpu") if device is None else (device if isinstance(device, _rgrad.device) else _rgrad.device(device))


def get_default_device():
    """The device new tensors are made on (``device(type='cpu')`` unless set).

    >>> rgrad.get_default_device()
    device(type='cpu')
    """
    return _DEFAULT
