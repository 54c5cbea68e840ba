"""Helpers of the DataLoader (as ``torch.utils.data._utils``)."""

from . import collate  # noqa: F401
