"""gqa.py against SDPA(enable_gqa=True) and the repeat-then-attend twin."""

import pytest
import torch
import torch.nn.functional as F

from kernels.attention import attention, causal_mask
from kernels.gqa import (
    expand_kv,
    grouped_query_attention,
    grouped_query_attention_naive,
)
from tests.kernels.tolerances import assert_close


@pytest.mark.parametrize("n_kv_heads", [8, 2, 1])  # MHA, GQA, MQA
@pytest.mark.parametrize("t", [1, 97])
@pytest.mark.parametrize("is_causal", [False, True])
def test_matches_sdpa_with_enable_gqa(n_kv_heads, t, is_causal):
    q = torch.randn(2, 8, t, 59)
    k, v = (torch.randn(2, n_kv_heads, t, 59) for _ in range(2))
    out = grouped_query_attention(q, k, v, is_causal=is_causal)
    expected = F.scaled_dot_product_attention(
        q.double(), k.double(), v.double(), is_causal=is_causal, enable_gqa=True
    )
    assert out.shape == (2, 8, t, 59)
    assert_close(out, expected)
    assert_close(out, grouped_query_attention_naive(q, k, v, is_causal=is_causal))


def test_decoding_queries_with_a_longer_cache():
    q = torch.randn(1, 6, 3, 16)  # 3 new tokens, 6 query heads
    k, v = torch.randn(1, 2, 20, 16), torch.randn(1, 2, 20, 5)  # 20 cached, 2 KV heads
    mask = causal_mask(3, 20)
    expected = F.scaled_dot_product_attention(
        q.double(), k.double(), v.double(), attn_mask=mask, enable_gqa=True
    )
    assert_close(grouped_query_attention(q, k, v, is_causal=True), expected)


def test_each_kv_head_serves_consecutive_query_heads():
    k = torch.arange(3.0).view(1, 3, 1, 1)  # head j holds the number j
    assert expand_kv(k, 6).flatten().tolist() == [0, 0, 1, 1, 2, 2]


def test_query_heads_in_a_group_see_the_same_keys():
    # Query heads 0 and 1 share KV head 0; head 2 uses KV head 1.
    q = torch.randn(1, 1, 5, 8).expand(1, 4, 5, 8)
    k, v = torch.randn(1, 2, 5, 8), torch.randn(1, 2, 5, 8)
    out = grouped_query_attention(q, k, v)
    assert_close(out[:, 0], out[:, 1])
    assert_close(out[:, 2], attention(q[:, 2:3], k[:, 1:2], v[:, 1:2])[:, 0])


@pytest.mark.parametrize(
    "q_shape,kv_shape,message",
    [
        ((1, 6, 4, 8), (1, 4, 4, 8), "multiple of"),
        ((6, 4, 8), (1, 2, 4, 8), "4-D"),
        ((2, 4, 4, 8), (1, 2, 4, 8), "disagree"),
    ],
)
def test_bad_head_counts_raise(q_shape, kv_shape, message):
    q, k = torch.randn(*q_shape), torch.randn(*kv_shape)
    with pytest.raises(ValueError, match=message):
        grouped_query_attention(q, k, k)
    if message == "multiple of":
        with pytest.raises(ValueError, match=message):
            expand_kv(k, q_shape[1])
