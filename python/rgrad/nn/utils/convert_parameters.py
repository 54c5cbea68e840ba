"""``parameters_to_vector`` and ``vector_to_parameters``."""

import rgrad
from ..._rgrad import Tensor


def parameters_to_vector(parameters):
    """All ``parameters`` flattened and concatenated into one 1-D tensor."""
    return rgrad.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copies consecutive slices of the 1-D ``vec`` into ``parameters`` (in place)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    with rgrad.no_grad():
        for p in parameters:
            n = p.numel()
            p.copy_(vec[pointer:pointer + n].view_as(p))
            pointer += n
