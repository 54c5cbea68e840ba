"""``Flatten`` and ``Unflatten``."""

from .module import Module


class Flatten(Module):
    """Flattens dims ``start_dim`` .. ``end_dim`` into one (default: all but the batch dim).

    >>> rgrad.nn.Flatten()(rgrad.zeros(2, 3, 4, 5)).shape
    rgrad.Size([2, 60])
    >>> rgrad.nn.Flatten(0, 1)(rgrad.zeros(2, 3, 4)).shape
    rgrad.Size([6, 4])
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim ``dim`` into ``unflattened_size`` (a tuple of sizes, one may be -1).

    >>> rgrad.nn.Unflatten(1, (2, 5))(rgrad.zeros(3, 10)).shape
    rgrad.Size([3, 2, 5])
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(dim, int):
            if not isinstance(unflattened_size, (tuple, list)):
                raise TypeError(f"unflattened_size must be tuple of ints, but found type {type(unflattened_size).__name__}")
            for i, s in enumerate(unflattened_size):
                if not isinstance(s, int):
                    raise TypeError(f"unflattened_size must be tuple of ints, but found element of type {type(s).__name__} at pos {i}")
        else:
            raise TypeError(f"invalid argument type for dim parameter: {type(dim).__name__}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
