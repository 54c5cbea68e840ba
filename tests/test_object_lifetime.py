"""rgrad.Tensor Python objects are made and freed by rgrad's own tp_alloc call and tp_dealloc
(rust/python/object.rs). These tests check what a wrong dealloc would break: references to the
type, weak references and their callbacks, Python subclasses (with __dict__, __slots__ and
__del__), memory reuse, and the data a freed view leaves behind."""

import gc
import sys
import weakref

import numpy as np

import rgrad


def test_type_reference_count_is_balanced():
    t = rgrad.tensor(np.arange(100, dtype=np.float32))

    def churn(n):
        for _ in range(n):
            t[0]
            t[1:3]
            t + 1
            t.sum()

    churn(1)  # first calls may cache things that refer to the type
    before = sys.getrefcount(rgrad.Tensor)
    churn(10_000)
    after = sys.getrefcount(rgrad.Tensor)  # not inside assert: pytest's rewrite holds a reference
    assert after == before


def test_weakref_is_cleared_and_callback_runs():
    calls = []
    v = rgrad.arange(5.0)[1:3]
    w = weakref.ref(v, lambda r: calls.append(r))
    assert w() is v
    del v
    assert w() is None
    assert len(calls) == 1


def test_weak_value_dictionary_of_tensors():
    d = weakref.WeakValueDictionary()
    keep = [rgrad.ones(2) * i for i in range(4)]
    for i, t in enumerate(keep):
        d[i] = t
    del keep[1:], t
    gc.collect()
    assert list(d.keys()) == [0]


class _WithDel(rgrad.Tensor):
    deleted = 0

    def __del__(self):
        type(self).deleted += 1


class _WithSlots(rgrad.Tensor):
    __slots__ = ("tag",)


def test_python_subclasses_free_their_parts():
    before = sys.getrefcount(_WithDel)
    for _ in range(100):
        s = _WithDel(rgrad.arange(3.0))
        s.note = [1, 2, 3]  # instance __dict__
        del s
    assert _WithDel.deleted == 100
    assert sys.getrefcount(_WithDel) == before
    tag = object()
    tag_refs = sys.getrefcount(tag)
    s = _WithSlots(rgrad.arange(3.0))
    s.tag = tag
    assert sys.getrefcount(tag) == tag_refs + 1
    del s
    assert sys.getrefcount(tag) == tag_refs


def test_parameter_with_hook_and_grad_is_freed():
    p = rgrad.nn.Parameter(rgrad.ones(3))
    seen = []
    p.register_hook(lambda g: seen.append(1))
    (p * 2).sum().backward()
    w = weakref.ref(p)
    del p
    gc.collect()
    assert w() is None and seen == [1]


def test_views_outlive_their_base_object():
    base = rgrad.tensor(np.arange(12, dtype=np.float64).reshape(3, 4))
    rows = [base[i] for i in range(3)]
    del base
    gc.collect()
    # fresh allocations reuse the freed memory; the views still see their data
    junk = [rgrad.zeros(3, 4) for _ in range(50)]
    np.testing.assert_array_equal(np.stack([r.numpy() for r in rows]), np.arange(12.0).reshape(3, 4))
    del junk


def test_reference_cycle_through_a_tensor_attribute_is_collected():
    class Holder(rgrad.Tensor):
        pass

    h = Holder(rgrad.ones(2))
    h.me = h
    w = weakref.ref(h)
    del h
    gc.collect()
    assert w() is None


def test_numpy_array_is_released_as_soon_as_its_tensors_are():
    a = np.arange(10.0)
    before = sys.getrefcount(a)
    t = rgrad.from_numpy(a)
    v = t[2:5]
    del t
    held = sys.getrefcount(a)
    assert held > before  # the view keeps the array alive
    del v
    after = sys.getrefcount(a)  # no rgrad call in between: released at once
    assert after == before


def test_hook_closure_is_released_with_its_tensor():
    class Marker:
        pass

    m = Marker()
    w = weakref.ref(m)
    x = rgrad.ones(3, requires_grad=True)
    x.register_hook(lambda g, m=m: g)
    del m
    assert w() is not None
    del x
    assert w() is None
