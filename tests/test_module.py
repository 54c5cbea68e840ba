"""nn.Module: registration, walking the tree, hooks, modes, conversion, state dicts, repr,
containers (as torch.nn.Module)."""

import copy

import numpy as np
import pytest

import rgrad
from rgrad import nn
from conftest import to_np


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.block = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
        self.scale = nn.Parameter(rgrad.ones(1))
        self.register_buffer("count", rgrad.zeros(1))
        self.register_buffer("tmp", rgrad.zeros(2), persistent=False)

    def forward(self, x):
        return self.block(self.act(self.fc1(x))) * self.scale


def test_registration_and_walks():
    m = Net()
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias"]
    assert [n for n, _ in m.named_buffers()] == ["count", "tmp"]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "block"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "block", "block.0", "block.1"]
    assert len(list(m.parameters(recurse=False))) == 1
    assert m.get_submodule("block.0") is m.block[0]
    assert m.get_parameter("block.0.bias") is m.block[0].bias
    assert m.get_buffer("count") is m.count
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        m.get_submodule("block.nope")
    with pytest.raises(AttributeError, match="is not an nn.Module"):
        m.get_submodule("scale")
    # a shared parameter is listed once
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="buffer name can"):
        m.register_buffer("a.b", rgrad.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        m.register_buffer("b", 3)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' object to parameter 'w'"):
        m.register_parameter("w", rgrad.zeros(1))
    m.w = nn.Parameter(rgrad.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = rgrad.zeros(1)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'missing'"):
        m.missing
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        m(1)
    del m.w
    assert "w" not in dict(m.named_parameters())


def test_forward_hooks_and_pre_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    out = lin(rgrad.ones(1, 2))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(to_np(out), to_np(lin.bias.reshape(1, 2)) + 1, rtol=1e-6)
    h1.remove()
    h2.remove()
    calls.clear()
    lin(rgrad.ones(1, 2))
    assert calls == []
    seen = {}
    with lin.register_forward_hook(lambda mod, args, kwargs, out: seen.update(kwargs), with_kwargs=True):
        pass
    h = lin.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs), with_kwargs=True)
    lin(rgrad.ones(1, 2))
    h.remove()


def test_train_eval_apply_requires_grad_zero_grad():
    m = Net()
    assert m.training and m.block[1].training
    m.eval()
    assert not m.training and not m.block[1].training
    m.train()
    assert m.block[0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)
    names = []
    m.apply(lambda mod: names.append(type(mod).__name__))
    assert names == ["Linear", "ReLU", "Linear", "Tanh", "Sequential", "Net"]
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(rgrad.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


@pytest.mark.cpu_only  # `.to("cpu")` of a module made on the CPU is a no-op
def test_to_and_dtype_conversion():
    m = Net()
    params_before = list(m.parameters())
    assert m.to("cpu") is m and list(m.parameters())[0] is params_before[0]
    assert m.cpu() is m
    m.double()
    assert all(p.dtype == rgrad.float64 for p in m.parameters())
    assert m.count.dtype == rgrad.float64
    out = m(rgrad.randn(2, 4, dtype=rgrad.float64))
    assert out.dtype == rgrad.float64
    m.to(rgrad.float32)
    assert all(p.dtype == rgrad.float32 for p in m.parameters())
    with pytest.raises(TypeError, match="only accepts floating point"):
        m.to(rgrad.int64)
    with pytest.raises(RuntimeError, match="not available"):
        m.to("gpu:3")
    with pytest.raises(TypeError, match="float16"):
        m.half()


def test_state_dict_roundtrip_and_strictness():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["scale", "count", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias"]
    assert "tmp" not in sd  # non-persistent buffer
    assert sd["fc1.weight"].data_ptr() == a.fc1.weight.data_ptr()  # shares memory, detached
    assert not sd["fc1.weight"].requires_grad
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    x = rgrad.randn(3, 4)
    np.testing.assert_array_equal(to_np(a(x)), to_np(b(x)))
    partial = {k: v for k, v in sd.items() if k != "scale"}
    partial["extra"] = rgrad.zeros(1)
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "scale"'):
        b.load_state_dict(partial)
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "extra"'):
        b.load_state_dict(partial)
    r = b.load_state_dict(partial, strict=False)
    assert r.missing_keys == ["scale"] and r.unexpected_keys == ["extra"]
    bad = dict(sd)
    bad["fc1.bias"] = rgrad.zeros(5)
    with pytest.raises(RuntimeError, match="size mismatch for fc1.bias: copying a param with shape"):
        b.load_state_dict(bad, strict=False)


def test_repr_tree_matches_pytorch_layout():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.2)))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.2, inplace=False)\n"
        "  )\n"
        ")"
    )


def test_sequential_indexing_slicing_append_ordered_dict():
    from collections import OrderedDict

    s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    assert isinstance(s[0], nn.Linear) and isinstance(s[-1], nn.Linear)
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2
    s.append(nn.Sigmoid())
    assert len(s) == 4 and isinstance(s[3], nn.Sigmoid)
    del s[1]
    assert [type(x).__name__ for x in s] == ["Linear", "Linear", "Sigmoid"]
    with pytest.raises(IndexError):
        s[10]
    named = nn.Sequential(OrderedDict([("first", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert [n for n, _ in named.named_children()] == ["first", "act"]
    assert named(rgrad.ones(3, 2)).shape == (3, 2)


def test_module_list_dict_parameter_list_dict():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.Linear(2, 1))
    assert len(ml) == 4 and len(list(ml.parameters())) == 8
    assert isinstance(ml[1:], nn.ModuleList)
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    assert list(md.keys()) == ["a", "b"] and "a" in md
    assert len(list(md.parameters())) == 2
    pl = nn.ParameterList([rgrad.zeros(2), nn.Parameter(rgrad.ones(3))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    pd = nn.ParameterDict({"w": rgrad.zeros(2)})
    assert isinstance(pd["w"], nn.Parameter)

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.pl, self.pd = pl, pd

    assert sorted(n for n, _ in Holder().named_parameters()) == ["pd.w", "pl.0", "pl.1"]


def test_deepcopy_of_a_model_copies_parameters():
    m = Net()
    c = copy.deepcopy(m)
    assert c.fc1.weight is not m.fc1.weight
    assert isinstance(c.fc1.weight, nn.Parameter) and c.fc1.weight.requires_grad
    np.testing.assert_array_equal(to_np(c.fc1.weight), to_np(m.fc1.weight))
    with rgrad.no_grad():
        c.fc1.weight.add_(1)
    assert not np.array_equal(to_np(c.fc1.weight), to_np(m.fc1.weight))


def test_parameter_is_a_leaf_tensor_sharing_memory():
    data = rgrad.zeros(3)
    p = nn.Parameter(data)
    assert isinstance(p, nn.Parameter) and isinstance(p, rgrad.Tensor)
    assert p.requires_grad and p.is_leaf
    with rgrad.no_grad():
        p.add_(1)
    assert data.tolist() == [1, 1, 1]
    assert repr(p).startswith("Parameter containing:\ntensor([1., 1., 1.]")
    assert not nn.Parameter(rgrad.ones(1), requires_grad=False).requires_grad


def test_tensor_data_is_assignable():
    p = nn.Parameter(rgrad.zeros(3))
    p.data = rgrad.tensor([1.0, 2.0, 3.0])
    assert p.tolist() == [1.0, 2.0, 3.0] and p.requires_grad and p.is_leaf
    p.data = p.data * 2  # the usual manual SGD update
    assert p.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="same shape and dtype"):
        p.data = rgrad.zeros(4)
    with pytest.raises(TypeError, match="must be Tensor"):
        p.data = 3
    # a view of the same memory with other strides is a new arrangement of the values
    m = rgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    m.data = m.t()
    assert m.tolist() == [[1.0, 3.0], [2.0, 4.0]]
