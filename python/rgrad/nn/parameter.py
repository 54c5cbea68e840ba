"""``nn.Parameter``: a tensor that a Module registers as trainable."""

from .._rgrad import Tensor
from .. import _rgrad


class Parameter(Tensor):
    """A Tensor that is a module parameter: it requires grad by default and is
    listed by ``Module.parameters()``. It shares memory with ``data``."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _rgrad.empty(0)
        t = Tensor.__new__(cls, data)
        t.requires_grad_(requires_grad)
        return t

    def __repr__(self):
        from .._tensor_str import tensor_repr

        return "Parameter containing:\n" + tensor_repr(self.detach())

    __str__ = __repr__
