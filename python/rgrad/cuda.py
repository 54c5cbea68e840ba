"""``rgrad.cuda``: what ported PyTorch scripts ask about CUDA.

rgrad has no CUDA backend (its GPU backend, when built, is named ``"gpu"``: see
``rgrad.gpu``), so ``rgrad.cuda.is_available()`` is False and the usual
``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU.
"""


def is_available():
    """False: rgrad has no CUDA devices."""
    return False


def device_count():
    """0: rgrad has no CUDA devices."""
    return 0


def manual_seed(seed):
    """Does nothing (there is no CUDA generator); ``rgrad.manual_seed`` seeds rgrad."""


def manual_seed_all(seed):
    """Does nothing (there is no CUDA generator); ``rgrad.manual_seed`` seeds rgrad."""


def synchronize(device=None):
    """Does nothing: there is no CUDA work to wait for."""


def empty_cache():
    """Does nothing: there is no CUDA memory to release."""


def is_bf16_supported(including_emulation=True):
    """False: no CUDA devices."""
    return False


def current_device():
    """Raises RuntimeError, as PyTorch does without a CUDA device."""
    raise RuntimeError("No CUDA GPUs are available")


def get_device_name(device=None):
    """Raises RuntimeError, as PyTorch does without a CUDA device."""
    raise RuntimeError("No CUDA GPUs are available")
