"""Attention in ``rgrad.nn.functional``: ``scaled_dot_product_attention`` and
``multi_head_attention_forward`` (what ``nn.MultiheadAttention`` runs)."""

import math

import rgrad
from ..._messages import dtype_title
from ..._matmul import linear
from .misc import dropout


def _canonical_mask(mask, dtype):
    """nn.MultiheadAttention's masks: a boolean True marks a position that may NOT be
    attended (the opposite of scaled_dot_product_attention's rule); as 0 / -inf."""
    if mask is None or mask.dtype != rgrad.bool:
        return mask
    return rgrad.zeros(tuple(mask.shape), dtype=dtype).masked_fill(mask, -math.inf)


def _mask_to_additive(mask, dtype):
    """A boolean mask (True = attend) as 0 / -inf to add to the scores; a float mask as is."""
    if mask is None:
        return None
    if mask.dtype == rgrad.bool:
        return rgrad.zeros(tuple(mask.shape), dtype=dtype).masked_fill(mask.logical_not(), -math.inf)
    return mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """``scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
    is_causal=False, scale=None, enable_gqa=False)``: ``softmax(q k^T * scale + mask) v``
    over (..., L, E) queries and (..., S, E) keys; a boolean ``attn_mask`` marks the
    positions that may be attended (True), a float one is added; ``is_causal`` masks the
    future. ``scale`` defaults to ``1 / sqrt(E)``.

    >>> q = rgrad.zeros(1, 2, 2)  # zero queries weigh every key alike
    >>> k = rgrad.ones(1, 2, 2)
    >>> v = rgrad.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    >>> rgrad.nn.functional.scaled_dot_product_attention(q, k, v)
    tensor([[[2., 3.],
             [2., 3.]]])
    >>> rgrad.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)  # the first query sees only the first key
    tensor([[[1., 2.],
             [2., 3.]]])
    """
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least 2-D")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: {query.dtype} "
                           f"key.dtype: {key.dtype} and value.dtype: {value.dtype} instead." if len({query.dtype, key.dtype, value.dtype}) > 1
                           else f'"baddbmm_with_gemm" not implemented for \'{dtype_title(query.dtype)}\'')
    if len({query.dtype, key.dtype, value.dtype}) > 1:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: {query.dtype} "
                           f"key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query and key must have the same embedding size, got "
                           f"{query.shape[-1]} and {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key and value must have the same sequence length, got "
                           f"{key.shape[-2]} and {value.shape[-2]}")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(rep, -3)
        value = value.repeat_interleave(rep, -3)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if is_causal:
        attn_mask = rgrad.ones(L, S, dtype=rgrad.bool).tril()
    return _attention_composite(query, key, value, _mask_to_additive(attn_mask, query.dtype), scale, dropout_p)


def _attention_composite(q, k, v, mask, scale, dropout_p):
    scores = q.matmul(k.transpose(-2, -1)) * scale
    if mask is not None:
        scores = scores + mask
    attn = scores.softmax(-1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn.matmul(v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None, use_separate_proj_weight=False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """``multi_head_attention_forward(...)``: PyTorch's function behind
    ``nn.MultiheadAttention``, for (L, N, E) inputs (or unbatched (L, E)). Returns
    ``(output, weights)``; weights are averaged over heads unless
    ``average_attn_weights=False``, and None when ``need_weights=False``.

    >>> mha = rgrad.nn.MultiheadAttention(embed_dim=4, num_heads=2)
    >>> x = rgrad.zeros(3, 1, 4)  # 3 positions, batch 1
    >>> out, weights = rgrad.nn.functional.multi_head_attention_forward(
    ...     x, x, x, 4, 2, mha.in_proj_weight, mha.in_proj_bias, None, None, False, 0.0,
    ...     mha.out_proj.weight, mha.out_proj.bias)
    >>> out.shape, weights.shape
    (rgrad.Size([3, 1, 4]), rgrad.Size([1, 3, 3]))
    """
    unbatched = query.dim() == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    if embed_dim % num_heads:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    head_dim = embed_dim // num_heads
    if use_separate_proj_weight:
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q = linear(query, q_proj_weight, bq)
        k = linear(key, k_proj_weight, bk)
        v = linear(value, v_proj_weight, bv)
    elif query is key and key is value:
        # self-attention: one product for q, k and v
        q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    else:
        wq, wk, wv = in_proj_weight.chunk(3)
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q, k, v = linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)
    if bias_k is not None and bias_v is not None:
        k = rgrad.cat([k, bias_k.reshape(1, 1, embed_dim).expand(1, bsz, embed_dim)])
        v = rgrad.cat([v, bias_v.reshape(1, 1, embed_dim).expand(1, bsz, embed_dim)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    # (L, N, E) -> (N, H, L, D)
    q = q.reshape(tgt_len, bsz, num_heads, head_dim).permute(1, 2, 0, 3)
    k = (static_k.reshape(bsz, num_heads, -1, head_dim) if static_k is not None
         else k.reshape(k.shape[0], bsz, num_heads, head_dim).permute(1, 2, 0, 3))
    v = (static_v.reshape(bsz, num_heads, -1, head_dim) if static_v is not None
         else v.reshape(v.shape[0], bsz, num_heads, head_dim).permute(1, 2, 0, 3))
    if add_zero_attn:
        k = rgrad.cat([k, rgrad.zeros(bsz, num_heads, 1, head_dim, dtype=k.dtype)], 2)
        v = rgrad.cat([v, rgrad.zeros(bsz, num_heads, 1, head_dim, dtype=v.dtype)], 2)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[2]
    mask = _canonical_mask(attn_mask, q.dtype)
    if is_causal and mask is None:
        mask = _mask_to_additive(rgrad.ones(tgt_len, src_len, dtype=rgrad.bool).tril(), q.dtype)
    if mask is not None and mask.dim() == 3:
        mask = mask.reshape(bsz, num_heads, tgt_len, src_len)
    if key_padding_mask is not None:
        # True in key_padding_mask = ignore that key (the opposite of attn_mask's bool rule)
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        kpm = _canonical_mask(kpm, q.dtype)
        mask = kpm if mask is None else mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        scores = q.matmul(k.transpose(-2, -1)) * (1.0 / math.sqrt(head_dim))
        if mask is not None:
            scores = scores + mask
        weights = scores.softmax(-1)
        attn = dropout(weights, dropout_p, True) if dropout_p > 0.0 else weights
        out = attn.matmul(v)
    else:
        out = _attention_composite(q, k, v, mask, 1.0 / math.sqrt(head_dim), dropout_p)
        weights = None
    out = out.permute(2, 0, 1, 3).reshape(tgt_len, bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    if unbatched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights


def _pad_last(mask):
    """One more (attendable) key column for bias_k / add_zero_attn."""
    from .misc import pad

    if mask.dtype == rgrad.bool:
        return rgrad.cat([mask, rgrad.zeros(*mask.shape[:-1], 1, dtype=rgrad.bool)], -1)
    return pad(mask, (0, 1))
