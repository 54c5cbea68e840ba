"""``out=`` on the function forms of ops, as PyTorch: the result lands in ``out`` (values
checked against NumPy), ``out`` itself comes back, dtype rules and autograd refusals follow
PyTorch's messages, and an ``out`` of another shape is refused (PyTorch would resize it)."""

import numpy as np
import pytest

import rgrad

A = np.array([[0.5, -1.5, 2.0], [3.25, 0.0, -4.0]])
B = np.array([1.0, -2.0, 0.5])


def T(x, dtype=rgrad.float64):
    return rgrad.tensor(x, dtype=dtype)


CASES = [
    ("add", lambda m: m.add(T(A), T(B)), A + B),
    ("sub", lambda m: m.sub(T(A), T(B), alpha=2), A - 2 * B),
    ("mul", lambda m: m.mul(T(A), 3), A * 3),
    ("div", lambda m: m.div(T(A), T(B)), A / B),
    ("pow (scalar first)", lambda m: m.pow(2, T(A)), 2.0**A),
    ("remainder", lambda m: m.remainder(T(A), 1.5), np.remainder(A, 1.5)),
    ("maximum", lambda m: m.maximum(T(A), T(B)), np.maximum(A, B)),
    ("exp", lambda m: m.exp(T(A)), np.exp(A)),
    ("abs", lambda m: m.abs(T(A)), np.abs(A)),
    ("sin", lambda m: m.sin(T(A)), np.sin(A)),
    ("clamp", lambda m: m.clamp(T(A), -1, 1), np.clip(A, -1, 1)),
    ("where", lambda m: m.where(T(A) > 0, T(A), 0.0), np.where(A > 0, A, 0.0)),
    ("lerp", lambda m: m.lerp(T(A), T(B), 0.25), A + 0.25 * (B - A)),
    ("xlogy", lambda m: m.xlogy(T(np.abs(A)), T(np.abs(A) + 1)), np.abs(A) * np.log(np.abs(A) + 1)),
    ("sum dim", lambda m: m.sum(T(A), 1), A.sum(1)),
    ("mean", lambda m: m.mean(T(A), 0), A.mean(0)),
    ("prod", lambda m: m.prod(T(A), 1), A.prod(1)),
    ("amax", lambda m: m.amax(T(A), 1), A.max(1)),
    ("std", lambda m: m.std(T(A), 1), A.std(1, ddof=1)),
    ("logsumexp", lambda m: m.logsumexp(T(A), 1), np.log(np.exp(A).sum(1))),
    ("cumsum", lambda m: m.cumsum(T(A), 1), A.cumsum(1)),
    ("softmax", lambda m: m.softmax(T(A), 1), np.exp(A) / np.exp(A).sum(1, keepdims=True)),
    ("norm", lambda m: m.norm(T(A)), np.linalg.norm(A)),
    ("index_select", lambda m: m.index_select(T(A), 1, rgrad.tensor([2, 0])), A[:, [2, 0]]),
    ("gather", lambda m: m.gather(T(A), 1, rgrad.tensor([[1], [0]])), A[[0, 1], [1, 0]][:, None]),
    ("masked_select", lambda m: m.masked_select(T(A), T(A) > 0), A[A > 0]),
    ("take", lambda m: m.take(T(A), rgrad.tensor([5, 0])), A.ravel()[[5, 0]]),
    ("tril", lambda m: m.tril(T(A)), np.tril(A)),
    ("cat", lambda m: m.cat([T(A), T(A)], 0), np.concatenate([A, A])),
    ("stack", lambda m: m.stack([T(B), T(B)]), np.stack([B, B])),
    ("hstack", lambda m: m.hstack([T(A), T(A)]), np.hstack([A, A])),
    ("diff", lambda m: m.diff(T(A), dim=1), np.diff(A, axis=1)),
]


@pytest.mark.parametrize("name, op, expected", CASES, ids=[c[0] for c in CASES])
def test_out_gets_the_result_and_comes_back(name, op, expected):
    out = rgrad.full(expected.shape, 99.0, dtype=rgrad.float64)
    r = op(_Out(out))
    assert r is out
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


class _Out:
    """``rgrad`` with ``out=`` added to every call, so one lambda serves both forms."""

    def __init__(self, out):
        self.out = out

    def __getattr__(self, name):
        fn = getattr(rgrad, name)
        return lambda *a, **k: fn(*a, out=self.out, **k)


def test_out_casts_up_and_refuses_down():
    a = rgrad.tensor([1, 2, 3])
    out = rgrad.empty(3)  # int64 result into float32: allowed
    assert rgrad.add(a, a, out=out) is out and out.tolist() == [2.0, 4.0, 6.0]
    flags = rgrad.empty(3, dtype=rgrad.int32)  # bool into int32: allowed
    rgrad.gt(a, 1, out=flags)
    assert flags.tolist() == [0, 1, 1]
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        rgrad.mul(rgrad.ones(3), 2, out=rgrad.empty(3, dtype=rgrad.int64))
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired output type Bool"):
        rgrad.add(a, a, out=rgrad.empty(3, dtype=rgrad.bool))
    # index results need int64 exactly
    idx = rgrad.empty(2, dtype=rgrad.int64)
    assert rgrad.argmax(T(A), 1, out=idx) is idx and idx.tolist() == list(A.argmax(1))
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype long int, but got float instead"):
        rgrad.argmin(T(A), 1, out=rgrad.empty(2))


def test_out_tuple_for_two_results():
    values, indices = rgrad.empty(2, dtype=rgrad.float64), rgrad.empty(2, dtype=rgrad.int64)
    r = rgrad.max(T(A), 1, out=(values, indices))
    assert r.values is values and r.indices is indices
    np.testing.assert_array_equal(values.numpy(), A.max(1))
    np.testing.assert_array_equal(indices.numpy(), A.argmax(1))
    s, i = rgrad.sort(T(B), out=(rgrad.empty(3, dtype=rgrad.float64), rgrad.empty(3, dtype=rgrad.int64)))
    np.testing.assert_array_equal(s.numpy(), np.sort(B))
    np.testing.assert_array_equal(i.numpy(), np.argsort(B))
    with pytest.raises(TypeError, match="must be a tuple of 2 Tensors"):
        rgrad.max(T(A), 1, out=values)
    # both results need their dtype exactly, as PyTorch's two-result kernels
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype long int, but got float instead"):
        rgrad.max(T(A), 1, out=(values, rgrad.empty(2)))
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype double, but got float instead"):
        rgrad.topk(T(B), 2, out=(rgrad.empty(2), rgrad.empty(2, dtype=rgrad.int64)))


def test_out_may_be_an_input_or_a_view():
    x = T(A)
    assert rgrad.mul(x, 2, out=x) is x
    np.testing.assert_array_equal(x.numpy(), 2 * A)
    base = rgrad.zeros(2, 6, dtype=rgrad.float64)
    col = base[:, ::2]  # a strided view: the writes land in the base
    rgrad.add(T(A), 1, out=col)
    np.testing.assert_array_equal(base.numpy()[:, ::2], A + 1)
    np.testing.assert_array_equal(base.numpy()[:, 1::2], 0)


def test_out_errors():
    with pytest.raises(RuntimeError, match=r"add\(\): out= tensor has shape \[3\] but the result has shape \[2, 3\]"):
        rgrad.add(T(A), 1, out=rgrad.empty(3, dtype=rgrad.float64))
    msg = r"exp\(\): functions with out=\.\.\. arguments don't support automatic differentiation"
    with pytest.raises(RuntimeError, match=msg):
        rgrad.exp(T(A).requires_grad_(), out=rgrad.empty(2, 3, dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match=r"cat\(\): functions with out="):
        rgrad.cat([T(A).requires_grad_(), T(A)], out=rgrad.empty(4, 3, dtype=rgrad.float64))
    with pytest.raises(RuntimeError, match="automatic differentiation"):
        rgrad.exp(T(A), out=rgrad.empty(2, 3, dtype=rgrad.float64, requires_grad=True))
    with rgrad.no_grad():  # no history is recorded, so PyTorch allows it
        assert rgrad.exp(T(A).requires_grad_(), out=rgrad.empty(2, 3, dtype=rgrad.float64)) is not None
    with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
        rgrad.exp(T(A), out=[1])
    # ops without out= in PyTorch refuse it
    with pytest.raises(TypeError, match="out"):
        rgrad.reshape(T(A), (3, 2), out=rgrad.empty(3, 2))
    with pytest.raises(TypeError, match="keyword"):
        rgrad.relu(T(A), out=rgrad.empty(2, 3))


def test_out_of_searchsorted_and_bucketize():
    seq = rgrad.tensor([1.0, 3.0, 5.0])
    vals = rgrad.tensor([0.0, 3.0, 6.0])
    out = rgrad.empty(3, dtype=rgrad.int64)
    assert rgrad.searchsorted(seq, vals, out=out) is out
    np.testing.assert_array_equal(out.numpy(), np.searchsorted(seq.numpy(), vals.numpy()))
    assert rgrad.bucketize(vals, seq, right=True, out=out) is out
    np.testing.assert_array_equal(out.numpy(), np.searchsorted(seq.numpy(), vals.numpy(), side="right"))
    with pytest.raises(RuntimeError, match="Expected out tensor to have dtype long int, but got float instead"):
        rgrad.searchsorted(seq, vals, out=rgrad.empty(3))
