"""``rgrad.utils.data``: datasets, samplers and the DataLoader (as ``torch.utils.data``),
importable by PyTorch's submodule paths (``rgrad.utils.data.dataloader``, ``.dataset``,
``.sampler``, ``._utils.collate``)."""

from . import _utils, dataloader, dataset, sampler  # noqa: F401
from ._utils.collate import default_collate, default_convert  # noqa: F401
from .dataloader import DataLoader, get_worker_info  # noqa: F401
from .dataset import (  # noqa: F401
    ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split,
)
from .sampler import (  # noqa: F401
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)
