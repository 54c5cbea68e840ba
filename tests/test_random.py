"""Random state: rgrad.Generator, generator= on random ops, and the module-level seeding
functions. Checked against themselves (a replayed stream must repeat, another stream must
not disturb it) and against NumPy for the values' range and moments."""

import numpy as np
import pytest

import rgrad


def same(a, b):
    return np.array_equal(a.numpy(), b.numpy())


def test_generator_seeds_its_own_stream():
    g = rgrad.Generator().manual_seed(7)
    assert g.initial_seed() == 7
    a = rgrad.rand(100, generator=g)
    assert g.manual_seed(7) is g
    b = rgrad.rand(100, generator=g)
    assert same(a, b)
    assert not same(a, rgrad.rand(100, generator=g))  # the stream moved on
    assert isinstance(g.device, rgrad.device) and str(g.device) == "cpu"
    assert rgrad.Generator(device="cpu").initial_seed() == rgrad.Generator().initial_seed()


def test_generator_leaves_the_default_stream_alone():
    g = rgrad.Generator().manual_seed(1)
    rgrad.manual_seed(0)
    x = rgrad.randn(50)
    rgrad.manual_seed(0)
    rgrad.randn(50, generator=g)
    rgrad.randint(0, 9, (20,), generator=g)
    assert same(rgrad.randn(50), x)


@pytest.mark.parametrize(
    "draw",
    [
        lambda g: rgrad.rand(3, 4, generator=g),
        lambda g: rgrad.randn(5, dtype=rgrad.float64, generator=g),
        lambda g: rgrad.randint(0, 100, (30,), generator=g),
        lambda g: rgrad.randperm(20, generator=g),
        lambda g: rgrad.multinomial(rgrad.tensor([0.2, 0.3, 0.5]), 10, replacement=True, generator=g),
        lambda g: rgrad.bernoulli(rgrad.full((40,), 0.5), generator=g),
        lambda g: rgrad.normal(rgrad.zeros(6), rgrad.ones(6), generator=g),
        lambda g: rgrad.empty(8).uniform_(-2, 2, generator=g),
        lambda g: rgrad.empty(8).normal_(1, 3, generator=g),
        lambda g: rgrad.empty(8).bernoulli_(0.3, generator=g),
        lambda g: rgrad.nn.init.uniform_(rgrad.empty(4, 4), generator=g),
        lambda g: rgrad.nn.init.normal_(rgrad.empty(4, 4), generator=g),
        lambda g: rgrad.nn.init.kaiming_uniform_(rgrad.empty(4, 4), generator=g),
        lambda g: rgrad.nn.init.xavier_uniform_(rgrad.empty(4, 4), generator=g),
    ],
)
def test_every_random_op_follows_its_generator(draw):
    g = rgrad.Generator()
    g.manual_seed(123)
    a = draw(g)
    g.manual_seed(123)
    assert same(draw(g), a)


def test_state_round_trip():
    g = rgrad.Generator().manual_seed(5)
    rgrad.rand(3, generator=g)
    state = g.get_state()
    a = rgrad.randn(10, generator=g)
    assert g.set_state(state) is g
    assert same(rgrad.randn(10, generator=g), a)
    assert g.initial_seed() == 5
    # the default generator's state, through the module functions
    s = rgrad.get_rng_state()
    b = rgrad.rand(10)
    rgrad.set_rng_state(s)
    assert same(rgrad.rand(10), b)


def test_module_seeding():
    g = rgrad.manual_seed(11)
    assert isinstance(g, rgrad.Generator)
    assert rgrad.initial_seed() == 11 == rgrad.default_generator.initial_seed()
    a = rgrad.rand(5)
    rgrad.default_generator.manual_seed(11)
    assert same(rgrad.rand(5), a)
    s = rgrad.seed()
    assert rgrad.initial_seed() == s
    assert rgrad.Generator().seed() != rgrad.Generator().seed()
    # negative seeds wrap to 64 bits, as PyTorch
    assert rgrad.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    rgrad.manual_seed(0)


def test_generator_values_are_uniform_and_normal():
    g = rgrad.Generator().manual_seed(2)
    u = rgrad.rand(200_000, dtype=rgrad.float64, generator=g).numpy()
    assert u.min() >= 0 and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    n = rgrad.randn(200_000, dtype=rgrad.float64, generator=g).numpy()
    assert abs(n.mean()) < 0.01 and abs(n.std() - 1) < 0.01
    k = rgrad.randint(3, 8, (100_000,), generator=g).numpy()
    assert set(np.unique(k)) == {3, 4, 5, 6, 7}


def test_bad_generator_arguments():
    with pytest.raises(TypeError, match="argument 'generator' must be rgrad.Generator, not int"):
        rgrad.rand(3, generator=5)
    with pytest.raises(TypeError, match="argument 'generator'"):
        rgrad.randperm(3, generator="g")
    g = rgrad.Generator()
    with pytest.raises(TypeError, match="manual_seed expected a long, but got float"):
        g.manual_seed(1.5)
    with pytest.raises(TypeError):
        rgrad.manual_seed(True)
    with pytest.raises(RuntimeError, match="int64, shape \\[5\\]"):
        g.set_state(rgrad.zeros(3))
    with pytest.raises(RuntimeError, match="all zero"):
        g.set_state(rgrad.zeros(5, dtype=rgrad.int64))
    with pytest.raises(TypeError, match="get_state"):
        g.set_state([1, 2, 3])
    with pytest.raises(RuntimeError, match="not available"):
        rgrad.Generator(device=5)
