"""``nn.Parameter``: a tensor that a Module registers as trainable."""

from .._rgrad import Tensor
import rgrad


class Parameter(Tensor):
    """A Tensor that is a module parameter: it requires grad by default and is
    listed by ``Module.parameters()``. It shares memory with ``data``.

    >>> p = rgrad.nn.Parameter(rgrad.tensor([1.0, 2.0]))
    >>> p
    Parameter containing:
    tensor([1., 2.])
    >>> p.requires_grad, isinstance(p, rgrad.Tensor)
    (True, True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = rgrad.empty(0)
        t = Tensor.__new__(cls, data)
        t.requires_grad_(requires_grad)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        from .._tensor_str import tensor_repr

        return "Parameter containing:\n" + tensor_repr(self.detach())

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        if self.grad is not None:
            result.grad = self.grad.detach().clone()
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach().numpy().copy(), self.requires_grad))


def _rebuild_parameter(array, requires_grad):
    return Parameter(rgrad.from_numpy(array), requires_grad)
