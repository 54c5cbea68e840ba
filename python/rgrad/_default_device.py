"""``rgrad.set_default_device`` / ``rgrad.get_default_device``.

Only the CPU exists in this build: ``set_default_device("cpu")`` (or None) is accepted and
any other device raises the same clear error that making a tensor on it raises.
"""

from . import _rgrad

_DEFAULT = _rgrad.device("cpu")


def set_default_device(device):
    """Sets the device new tensors are made on; ``"cpu"`` (or None) in this build, any
    device that is not available raises RuntimeError naming it.

    >>> rgrad.set_default_device("cpu")
    >>> rgrad.zeros(2).device
    device(type='cpu')
    >>> rgrad.set_default_device(None)  # back to the default (the CPU)
    """
    global _DEFAULT
    if device is None:
        _DEFAULT = _rgrad.device("cpu")
        return
    # making an empty tensor there raises the library's own message for a missing device
    _rgrad.empty(0, device=device)
    _DEFAULT = device if isinstance(device, _rgrad.device) else _rgrad.device(device)


def get_default_device():
    """The device new tensors are made on (``device(type='cpu')``).

    >>> rgrad.get_default_device()
    device(type='cpu')
    """
    return _DEFAULT
