"""``rgrad.gpu``: the GPU backend (wgpu over Vulkan, Metal or DX12), named as ``torch.cuda`` names
its functions.

Tensors go to the GPU with ``t.to("gpu")``, ``t.gpu()`` or ``device="gpu"`` on any creator, and
every op on them runs there. GPU work is queued and runs asynchronously; reading a value back
(``item()``, ``tolist()``, ``cpu()``, printing) or :func:`synchronize` waits for it.

>>> import rgrad
>>> isinstance(rgrad.gpu.is_available(), bool)
True
"""

from . import _rgrad

_HAS_BACKEND = hasattr(_rgrad, "_gpu_availability")


def is_available():
    """Whether a usable GPU is present (and rgrad was built with its GPU backend).

    >>> import rgrad
    >>> rgrad.gpu.is_available() in (True, False)
    True
    """
    return _HAS_BACKEND and _rgrad._gpu_availability()[0]


def why_unavailable():
    """The reason no GPU is usable (no Vulkan driver, no adapter, no 64-bit integers), or
    ``None`` when one is.

    >>> import rgrad
    >>> rgrad.gpu.why_unavailable() is None or isinstance(rgrad.gpu.why_unavailable(), str)
    True
    """
    if not _HAS_BACKEND:
        return "rgrad was built without its GPU backend (cargo feature 'gpu')"
    ok, text = _rgrad._gpu_availability()
    return None if ok else text


def device_count():
    """The number of GPUs rgrad can use: 1 when one is available (rgrad opens one, ``gpu:0``),
    else 0.

    >>> import rgrad
    >>> rgrad.gpu.device_count() == int(rgrad.gpu.is_available())
    True
    """
    return int(is_available())


def get_device_name(device=None):
    """The GPU adapter's name (e.g. ``"NVIDIA H200"`` or ``"llvmpipe (LLVM 15.0.6, 256 bits)"``).

    Raises RuntimeError when no GPU is usable.
    """
    if not is_available():
        raise RuntimeError(f"no GPU is available: {why_unavailable()}")
    return _rgrad._gpu_availability()[1]


def current_device():
    """The index of the GPU in use: always 0."""
    return 0


def synchronize(device=None):
    """Waits until the GPU has run every kernel queued so far (the GIL is released meanwhile).
    An error a kernel found (an index out of range) is raised here. Does nothing without a GPU.

    >>> import rgrad
    >>> rgrad.gpu.synchronize()
    """
    if _HAS_BACKEND:
        _rgrad._gpu_synchronize()


def memory_allocated(device=None):
    """Bytes of GPU memory held by live tensors (buffers are allocated in size classes).

    >>> import rgrad
    >>> rgrad.gpu.memory_allocated() >= 0
    True
    """
    return _rgrad._gpu_memory()[0] if _HAS_BACKEND else 0


def memory_reserved(device=None):
    """Bytes held by live tensors plus the pool of freed buffers kept for reuse.

    >>> import rgrad
    >>> rgrad.gpu.memory_reserved() >= rgrad.gpu.memory_allocated()
    True
    """
    return _rgrad._gpu_memory()[1] if _HAS_BACKEND else 0


def empty_cache():
    """Releases the pooled GPU buffers (live tensors keep theirs).

    >>> import rgrad
    >>> rgrad.gpu.empty_cache()
    """
    if _HAS_BACKEND:
        _rgrad._gpu_empty_cache()


def transfer_counts():
    """``(uploads, downloads)``: how many times tensor data has crossed between host memory and
    the GPU so far. A training loop that keeps everything on the GPU adds none.

    >>> import rgrad
    >>> up, down = rgrad.gpu.transfer_counts()
    >>> up >= 0 and down >= 0
    True
    """
    return _rgrad._gpu_transfer_counts() if _HAS_BACKEND else (0, 0)


def host_round_trip_ops():
    """The backend primitives that, for GPU tensors, still compute on the host (their inputs
    copied back, the CPU kernel run, the results uploaded): linear algebra, data-dependent
    sizes (``unique``, ``bincount``, ``histc``), advanced-index resolution, and the fused kernels
    listed in docs/gpu.md. Every crossing shows in :func:`transfer_counts`.

    >>> import rgrad
    >>> "svd" in rgrad.gpu.host_round_trip_ops() or not rgrad.gpu.is_available()
    True
    """
    return list(_rgrad._gpu_host_round_trip_ops()) if _HAS_BACKEND else []
