"""Recurrent layers, attention and the transformer encoder layer against NumPy re-implementations
of PyTorch's documented equations, gradcheck in float64, shapes and errors.

Tolerance 1e-10: float64 throughout, a few dozen roundings per output.
"""

import math

import numpy as np
import pytest

import rgrad
from rgrad import nn
import rgrad.nn.functional as F
from conftest import to_np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def params_np(layer):
    return {n: to_np(p) for n, p in layer.named_parameters()}


def rnn_oracle(mode, p, x, h0, c0, num_layers, bidirectional, hidden):
    """(L, N, in) input, PyTorch's equations, layer by layer, direction by direction."""
    dirs = 2 if bidirectional else 1
    hs, cs = [], []
    inp = x
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            wih, whh = p["weight_ih" + sfx], p["weight_hh" + sfx]
            bih, bhh = p["bias_ih" + sfx], p["bias_hh" + sfx]
            h, c = h0[layer * dirs + d], (c0[layer * dirs + d] if c0 is not None else None)
            steps = range(len(inp) - 1, -1, -1) if d else range(len(inp))
            out = [None] * len(inp)
            for t in steps:
                gi = inp[t] @ wih.T + bih
                gh = h @ whh.T + bhh
                if mode == "tanh":
                    h = np.tanh(gi + gh)
                elif mode == "lstm":
                    i, f, g, o = np.split(gi + gh, 4, axis=-1)
                    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                    h = sigmoid(o) * np.tanh(c)
                else:  # gru
                    ir, iz, inn = np.split(gi, 3, axis=-1)
                    hr, hz, hn = np.split(gh, 3, axis=-1)
                    r, z = sigmoid(ir + hr), sigmoid(iz + hz)
                    n = np.tanh(inn + r * hn)
                    h = (1 - z) * n + z * h
                out[t] = h
            outs.append(np.stack(out))
            hs.append(h)
            cs.append(c)
        inp = np.concatenate(outs, -1)
    return inp, np.stack(hs), (np.stack(cs) if c0 is not None else None)


@pytest.mark.parametrize("kind", ["tanh", "lstm", "gru"])
@pytest.mark.parametrize("num_layers,bidirectional,batch_first", [(1, False, False), (2, True, True)])
def test_recurrent_layers_match_equations(kind, num_layers, bidirectional, batch_first):
    rng = np.random.default_rng(1)
    cls = {"tanh": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    layer = cls(3, 4, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, dtype=rgrad.float64)
    dirs = 2 if bidirectional else 1
    x = rng.standard_normal((5, 2, 3))
    h0 = rng.standard_normal((num_layers * dirs, 2, 4))
    c0 = rng.standard_normal((num_layers * dirs, 2, 4)) if kind == "lstm" else None
    xin = rgrad.tensor(x.transpose(1, 0, 2) if batch_first else x)
    hx = (rgrad.tensor(h0), rgrad.tensor(c0)) if kind == "lstm" else rgrad.tensor(h0)
    out, hn = layer(xin, hx)
    eo, eh, ec = rnn_oracle(kind, params_np(layer), x, h0, c0, num_layers, bidirectional, 4)
    got = to_np(out)
    np.testing.assert_allclose(got.transpose(1, 0, 2) if batch_first else got, eo, rtol=1e-10, atol=1e-12)
    if kind == "lstm":
        np.testing.assert_allclose(to_np(hn[0]), eh, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(to_np(hn[1]), ec, rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(to_np(hn), eh, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_recurrent_gradcheck_and_unbatched(cls):
    rng = np.random.default_rng(2)
    layer = cls(2, 3, dtype=rgrad.float64)
    x = rgrad.tensor(rng.standard_normal((4, 2)), requires_grad=True)  # unbatched (L, in)
    out, _ = layer(x)
    assert out.shape == (4, 3)
    w = layer.weight_hh_l0
    assert rgrad.autograd.gradcheck(lambda a, k: layer(a)[0], (x, w))


def test_recurrent_errors_and_repr():
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(2, 3, dropout=2)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. Expected 2, got 5"):
        nn.GRU(2, 3)(rgrad.randn(4, 1, 5))
    with pytest.raises(RuntimeError, match="Expected hidden size"):
        nn.RNN(2, 3)(rgrad.randn(4, 1, 2), rgrad.zeros(2, 1, 3))
    assert repr(nn.LSTM(2, 3, num_layers=2, batch_first=True)) == "LSTM(2, 3, num_layers=2, batch_first=True)"
    lstm = nn.LSTM(3, 5, proj_size=2, dtype=rgrad.float64)
    out, (h, c) = lstm(rgrad.randn(4, 2, 3, dtype=rgrad.float64))
    assert out.shape == (4, 2, 2) and h.shape == (1, 2, 2) and c.shape == (1, 2, 5)


def sdpa_oracle(q, k, v, mask=None, causal=False, scale=None):
    s = (q @ np.swapaxes(k, -1, -2)) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:], bool)), s, -np.inf)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    s = np.exp(s - s.max(-1, keepdims=True))
    return (s / s.sum(-1, keepdims=True)) @ v


def test_scaled_dot_product_attention():
    rng = np.random.default_rng(3)
    q, k, v = (rng.standard_normal((2, 3, 4, 5)) for _ in range(3))
    k = k[:, :, :3]
    v = v[:, :, :3]
    tq, tk, tv = (rgrad.tensor(a, requires_grad=True) for a in (q, k, v))
    np.testing.assert_allclose(to_np(F.scaled_dot_product_attention(tq, tk, tv)), sdpa_oracle(q, k, v), rtol=1e-10)
    mask = rng.uniform(size=(4, 3)) > 0.3
    mask[:, 0] = True
    got = F.scaled_dot_product_attention(tq, tk, tv, attn_mask=rgrad.tensor(mask), scale=0.5)
    np.testing.assert_allclose(to_np(got), sdpa_oracle(q, k, v, mask, scale=0.5), rtol=1e-10)
    fmask = rng.standard_normal((4, 3))
    np.testing.assert_allclose(to_np(F.scaled_dot_product_attention(tq, tk, tv, attn_mask=rgrad.tensor(fmask))),
                               sdpa_oracle(q, k, v, fmask), rtol=1e-10)
    qq = rgrad.tensor(q, requires_grad=True)
    np.testing.assert_allclose(to_np(F.scaled_dot_product_attention(qq, qq, qq, is_causal=True)),
                               sdpa_oracle(q, q, q, causal=True), rtol=1e-10)
    assert rgrad.autograd.gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=rgrad.tensor(fmask)), (tq, tk, tv))
    assert rgrad.autograd.gradcheck(lambda a: F.scaled_dot_product_attention(a, a, a, is_causal=True), (qq,))
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal=True"):
        F.scaled_dot_product_attention(tq, tk, tv, attn_mask=rgrad.tensor(mask), is_causal=True)


def mha_oracle(mha, q, k, v, attn_mask=None, key_padding_mask=None):
    """PyTorch's multi-head attention for (L, N, E) inputs: per-head scaled dot products."""
    p = params_np(mha)
    e, h = mha.embed_dim, mha.num_heads
    d = e // h
    wq, wk, wv = np.split(p["in_proj_weight"], 3)
    bq, bk, bv = np.split(p["in_proj_bias"], 3)
    Q, K, V = q @ wq.T + bq, k @ wk.T + bk, v @ wv.T + bv
    L, N, _ = q.shape
    S = k.shape[0]
    Q = Q.reshape(L, N, h, d).transpose(1, 2, 0, 3)
    K = K.reshape(S, N, h, d).transpose(1, 2, 0, 3)
    V = V.reshape(S, N, h, d).transpose(1, 2, 0, 3)
    s = Q @ K.transpose(0, 1, 3, 2) / math.sqrt(d)
    if attn_mask is not None:
        s = np.where(attn_mask, -np.inf, s)  # MHA's bool masks: True = not allowed
    if key_padding_mask is not None:
        s = np.where(key_padding_mask[:, None, None, :], -np.inf, s)
    w = np.exp(s - s.max(-1, keepdims=True))
    w = w / w.sum(-1, keepdims=True)
    out = (w @ V).transpose(2, 0, 1, 3).reshape(L, N, e)
    return out @ p["out_proj.weight"].T + p["out_proj.bias"], w.mean(1)


def test_multihead_attention_matches_per_head_oracle():
    rng = np.random.default_rng(4)
    mha = nn.MultiheadAttention(8, 2, dtype=rgrad.float64)
    with rgrad.no_grad():
        mha.in_proj_bias.copy_(rgrad.tensor(rng.standard_normal(24)))
        mha.out_proj.bias.copy_(rgrad.tensor(rng.standard_normal(8)))
    q, k = rng.standard_normal((3, 2, 8)), rng.standard_normal((4, 2, 8))
    amask = np.zeros((3, 4), bool)
    amask[0, 1] = True
    kpm = np.zeros((2, 4), bool)
    kpm[1, 3] = True
    out, w = mha(rgrad.tensor(q), rgrad.tensor(k), rgrad.tensor(k), attn_mask=rgrad.tensor(amask), key_padding_mask=rgrad.tensor(kpm))
    eo, ew = mha_oracle(mha, q, k, k, amask, kpm)
    np.testing.assert_allclose(to_np(out), eo, rtol=1e-10)
    np.testing.assert_allclose(to_np(w), ew, rtol=1e-10)
    # batch_first and self-attention with need_weights=False
    mb = nn.MultiheadAttention(8, 2, batch_first=True, dtype=rgrad.float64)
    x = rng.standard_normal((2, 3, 8))
    o, none = mb(rgrad.tensor(x), rgrad.tensor(x), rgrad.tensor(x), need_weights=False)
    assert none is None
    eo, _ = mha_oracle(mb, x.transpose(1, 0, 2), x.transpose(1, 0, 2), x.transpose(1, 0, 2))
    np.testing.assert_allclose(to_np(o), eo.transpose(1, 0, 2), rtol=1e-10)
    xr = rgrad.tensor(x, requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: mb(a, a, a)[0], (xr,))


def test_transformer_encoder_layer_post_and_pre_norm():
    rng = np.random.default_rng(5)
    for norm_first in (False, True):
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, norm_first=norm_first,
                                           dtype=rgrad.float64)
        x = rng.standard_normal((2, 5, 8))
        p = params_np(layer)

        def ln(z, w, b):
            return (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + 1e-5) * w + b

        def sa(z):
            zt = z.transpose(1, 0, 2)
            return mha_oracle(layer.self_attn, zt, zt, zt)[0].transpose(1, 0, 2)

        def ff(z):
            return np.maximum(z @ p["linear1.weight"].T + p["linear1.bias"], 0) @ p["linear2.weight"].T + p["linear2.bias"]

        if norm_first:
            y = x + sa(ln(x, p["norm1.weight"], p["norm1.bias"]))
            y = y + ff(ln(y, p["norm2.weight"], p["norm2.bias"]))
        else:
            y = ln(x + sa(x), p["norm1.weight"], p["norm1.bias"])
            y = ln(y + ff(y), p["norm2.weight"], p["norm2.bias"])
        np.testing.assert_allclose(to_np(layer(rgrad.tensor(x))), y, rtol=1e-9, atol=1e-10)
    enc = nn.TransformerEncoder(layer, num_layers=2)
    assert len(enc.layers) == 2 and enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    xr = rgrad.tensor(rng.standard_normal((1, 3, 8)), requires_grad=True)
    assert rgrad.autograd.gradcheck(lambda a: layer(a), (xr,))
    assert enc(rgrad.tensor(x)).shape == (2, 5, 8)
