"""rgrad.utils.data: datasets, samplers, DataLoader, default collation (as torch.utils.data)."""

import collections
import importlib
import warnings

import numpy as np
import pytest

import rgrad
from rgrad.utils.data import (
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler, Subset,
    TensorDataset, WeightedRandomSampler, default_collate, random_split,
)
from conftest import to_np


def test_import_paths_match_pytorch():
    for path in ["rgrad.utils.data", "rgrad.utils.data.dataloader", "rgrad.utils.data.dataset", "rgrad.utils.data.sampler",
                 "rgrad.utils.data._utils.collate"]:
        importlib.import_module(path)
    from rgrad.utils.data.dataloader import DataLoader as D
    from rgrad.utils.data.dataset import TensorDataset as T
    from rgrad.utils.data.sampler import RandomSampler as R
    assert D is DataLoader and T is TensorDataset and R is RandomSampler


def test_tensor_dataset_subset_concat():
    x, y = rgrad.arange(10.0).reshape(5, 2), rgrad.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    a, b = ds[3]
    assert a.tolist() == [6.0, 7.0] and b.item() == 3
    sub = Subset(ds, [4, 0])
    assert len(sub) == 2 and sub[0][1].item() == 4
    cat = ConcatDataset([ds, sub])
    assert len(cat) == 7 and cat[5][1].item() == 4 and cat[-1][1].item() == 0
    assert len(ds + sub) == 7
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, rgrad.arange(4))


def test_random_split_lengths_fractions_and_seeding():
    ds = TensorDataset(rgrad.arange(10))
    g = rgrad.Generator()
    g.manual_seed(0)
    a, b = random_split(ds, [7, 3], generator=g)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    g.manual_seed(0)
    a2, _ = random_split(ds, [0.7, 0.3], generator=g)
    assert a2.indices == a.indices
    parts = random_split(TensorDataset(rgrad.arange(11)), [0.5, 0.25, 0.25])
    assert [len(p) for p in parts] == [6, 3, 2]  # floors 5, 2, 2; the remainder (2) dealt from the start
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset"):
        random_split(ds, [3, 3])


def test_samplers():
    data = list(range(6))
    assert list(SequentialSampler(data)) == data
    g = rgrad.Generator()
    g.manual_seed(1)
    perm = list(RandomSampler(data, generator=g))
    assert sorted(perm) == data
    draws = list(RandomSampler(data, replacement=True, num_samples=50, generator=g))
    assert len(draws) == 50 and set(draws) <= set(data)
    assert len(list(RandomSampler(data, num_samples=9, generator=g))) == 9
    batches = list(BatchSampler(SequentialSampler(data), 4, drop_last=False))
    assert batches == [[0, 1, 2, 3], [4, 5]]
    assert list(BatchSampler(range(6), 4, drop_last=True)) == [[0, 1, 2, 3]]
    assert len(BatchSampler(range(6), 4, drop_last=False)) == 2
    w = WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], 20, generator=g)
    assert list(w) == [2] * 20
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(data, num_samples=0)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        BatchSampler(data, 0, False)


def test_default_collate_structures():
    Point = collections.namedtuple("Point", "x y")
    batch = [{"a": rgrad.tensor([1.0, 2.0]), "b": 3, "c": 0.5, "s": "x", "n": np.array([1, 2]), "p": Point(1, 2.0)},
             {"a": rgrad.tensor([3.0, 4.0]), "b": 4, "c": 1.5, "s": "y", "n": np.array([3, 4]), "p": Point(3, 4.0)}]
    out = default_collate(batch)
    assert out["a"].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert out["b"].dtype == rgrad.int64 and out["b"].tolist() == [3, 4]
    assert out["c"].dtype == rgrad.float64
    assert out["s"] == ["x", "y"]
    assert out["n"].tolist() == [[1, 2], [3, 4]] and out["n"].dtype == rgrad.int64
    assert isinstance(out["p"], Point) and out["p"].y.tolist() == [2.0, 4.0]
    pairs = default_collate([(1, 2.0), (3, 4.0)])
    assert isinstance(pairs, list) and pairs[0].tolist() == [1, 3]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object(), object()])


def test_dataloader_batches_shuffle_drop_last_and_generator():
    x = rgrad.arange(20.0).reshape(10, 2)
    y = rgrad.arange(10)
    ds = TensorDataset(x, y)
    dl = DataLoader(ds, batch_size=4)
    batches = list(dl)
    assert len(dl) == 3 and [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert isinstance(batches[0], list) and batches[0][0].shape == (4, 2)
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    g = rgrad.Generator()
    g.manual_seed(5)
    first = [b[1].tolist() for b in DataLoader(ds, batch_size=3, shuffle=True, generator=g)]
    second = [b[1].tolist() for b in DataLoader(ds, batch_size=3, shuffle=True, generator=g)]
    assert sorted(sum(first, [])) == list(range(10)) and first != second  # a new order each epoch
    g.manual_seed(5)
    again = [b[1].tolist() for b in DataLoader(ds, batch_size=3, shuffle=True, generator=g)]
    assert again == first
    # manual_seed alone fixes the shuffling too (a generator drawn from the global one)
    rgrad.manual_seed(9)
    a = [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)]
    rgrad.manual_seed(9)
    assert [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)] == a


def test_tensor_dataset_fast_path_equals_per_sample_collation():
    rng = np.random.default_rng(0)
    x = rgrad.tensor(rng.standard_normal((13, 3, 2)).astype(np.float32))
    y = rgrad.tensor(rng.integers(0, 5, 13))
    ds = TensorDataset(x, y)

    class Plain(Dataset):  # same samples, no shortcut
        def __len__(self):
            return 13

        def __getitem__(self, i):
            return ds[i]

    for sampler in (None, list(reversed(range(13)))):
        fast = list(DataLoader(ds, batch_size=4, sampler=sampler))
        slow = list(DataLoader(Plain(), batch_size=4, sampler=sampler))
        for f, s in zip(fast, slow):
            for a, b in zip(f, s):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(to_np(a), to_np(b))


def test_dataloader_options_and_errors():
    ds = TensorDataset(rgrad.arange(6))
    assert [b[0].tolist() for b in DataLoader(ds, batch_sampler=[[0, 5], [1]])] == [[0, 5], [1]]
    assert [b[0].item() for b in DataLoader(ds, batch_size=None)] == list(range(6))
    assert list(DataLoader(ds, batch_size=3, collate_fn=lambda b: len(b))) == [3, 3]
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive with batch_size"):
        DataLoader(ds, batch_size=2, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        dl = DataLoader(ds, batch_size=2, num_workers=2)
    assert "loads batches in the calling process" in str(w[0].message)
    assert [b[0].tolist() for b in dl] == [[0, 1], [2, 3], [4, 5]]


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(), shuffle=True)
