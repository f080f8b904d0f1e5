"""attention.py against torch's SDPA and nn.MultiheadAttention."""

import pytest
import torch
import torch.nn.functional as F

from kernels.attention import (
    MultiHeadAttention,
    attention,
    causal_mask,
    multi_head_attention,
)
from tests.kernels.tolerances import assert_close


def sdpa_fp64(q, k, v, **kwargs):
    """SDPA on fp64 copies of the inputs: the reference for every dtype."""
    return F.scaled_dot_product_attention(q.double(), k.double(), v.double(), **kwargs)


def test_causal_mask_square_is_lower_triangle():
    expected = torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=torch.bool)
    assert torch.equal(causal_mask(3), expected)


def test_causal_mask_with_more_keys_puts_queries_last():
    # Two queries at positions 2 and 3 of a 4-token sequence.
    expected = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=torch.bool)
    assert torch.equal(causal_mask(2, 4), expected)


def test_causal_mask_with_fewer_keys_leaves_early_queries_blind():
    # Three queries at positions -1, 0, 1 of a 2-key sequence.
    expected = torch.tensor([[0, 0], [1, 0], [1, 1]], dtype=torch.bool)
    assert torch.equal(causal_mask(3, 2), expected)


def test_causal_mask_rejects_negative_length():
    with pytest.raises(ValueError, match="must be >= 0"):
        causal_mask(-1)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16])
@pytest.mark.parametrize("t", [1, 97])
@pytest.mark.parametrize("is_causal", [False, True])
def test_matches_sdpa(dtype, t, is_causal):
    q, k, v = (torch.randn(2, 3, t, 59).to(dtype) for _ in range(3))
    out = attention(q, k, v, is_causal=is_causal)
    assert out.shape == (2, 3, t, 59) and out.dtype == dtype
    assert_close(out, sdpa_fp64(q, k, v, is_causal=is_causal))


def test_long_sequence_matches_sdpa():
    q, k, v = (torch.randn(1, 1, 1025, 59) for _ in range(3))
    assert_close(attention(q, k, v, is_causal=True), sdpa_fp64(q, k, v, is_causal=True))


def test_value_width_may_differ_and_scale_is_used():
    q, k, v = torch.randn(1, 2, 5, 8), torch.randn(1, 2, 7, 8), torch.randn(1, 2, 7, 3)
    out = attention(q, k, v, scale=0.3)
    assert_close(out, sdpa_fp64(q, k, v, scale=0.3))


@pytest.mark.parametrize("t_q,t_k", [(1, 97), (5, 12), (12, 12)])
def test_causal_with_cache_is_bottom_right_aligned(t_q, t_k):
    q = torch.randn(2, 2, t_q, 16)
    k, v = torch.randn(2, 2, t_k, 16), torch.randn(2, 2, t_k, 16)
    expected = sdpa_fp64(q, k, v, attn_mask=causal_mask(t_q, t_k))
    assert_close(attention(q, k, v, is_causal=True), expected)


def test_bool_and_float_masks_match_sdpa():
    q, k, v = (torch.randn(2, 3, 9, 8) for _ in range(3))
    bool_mask = torch.rand(2, 1, 9, 9) > 0.3
    bool_mask[..., 0] = True  # every row keeps a key, so SDPA has no NaN edge case
    assert_close(attention(q, k, v, bool_mask), sdpa_fp64(q, k, v, attn_mask=bool_mask))
    float_mask = torch.randn(9, 9, dtype=torch.float64)
    expected = sdpa_fp64(q, k, v, attn_mask=float_mask)
    assert_close(attention(q, k, v, float_mask), expected)


def test_fully_masked_rows_give_zeros_like_sdpa():
    q, k, v = (torch.randn(1, 2, 4, 8) for _ in range(3))
    mask = torch.ones(4, 4, dtype=torch.bool)
    mask[2] = False
    out, weights = attention(q, k, v, mask, return_weights=True)
    assert torch.equal(out[:, :, 2], torch.zeros(1, 2, 8))
    assert torch.equal(weights[:, :, 2], torch.zeros(1, 2, 4))
    assert_close(out, sdpa_fp64(q, k, v, attn_mask=mask))


def test_weights_are_the_softmax_of_scaled_scores():
    q, k, v = (torch.randn(1, 2, 6, 4, dtype=torch.float64) for _ in range(3))
    out, weights = attention(q, k, v, is_causal=True, return_weights=True)
    scores = (q @ k.transpose(-2, -1)) / 2.0  # 1/√4
    scores = scores.masked_fill(~causal_mask(6), float("-inf"))
    assert_close(weights, torch.softmax(scores, dim=-1))
    assert_close(weights.sum(-1), torch.ones(1, 2, 6, dtype=torch.float64))
    assert_close(out, weights @ v)


@pytest.mark.parametrize(
    "shapes,message",
    [
        (((2, 4, 8), (2, 4, 8), (2, 4, 8)), "must be 4-D"),
        (((1, 1, 4, 8), (1, 1, 4, 7), (1, 1, 4, 8)), "widths differ"),
        (((1, 1, 4, 8), (1, 1, 4, 8), (1, 1, 5, 8)), "must agree"),
        (((2, 3, 4, 8), (2, 2, 4, 8), (2, 2, 4, 8)), "do not broadcast"),
    ],
)
def test_bad_shapes_raise(shapes, message):
    q, k, v = (torch.randn(*shape) for shape in shapes)
    with pytest.raises(ValueError, match=message):
        attention(q, k, v)


def test_bad_masks_raise():
    q = torch.randn(1, 1, 4, 8)
    with pytest.raises(ValueError, match="not both"):
        attention(q, q, q, causal_mask(4), is_causal=True)
    with pytest.raises(ValueError, match="does not broadcast"):
        attention(q, q, q, torch.ones(3, 4, dtype=torch.bool))


def _torch_mha(d_model, n_heads, w_q, w_k, w_v, w_o):
    mha = torch.nn.MultiheadAttention(d_model, n_heads, bias=False, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([w_q, w_k, w_v]))
        mha.out_proj.weight.copy_(w_o)
    return mha


@pytest.mark.parametrize("is_causal", [False, True])
def test_multi_head_attention_matches_torch(is_causal):
    d_model, n_heads, t = 24, 4, 13
    x = torch.randn(2, t, d_model)
    weights = [torch.randn(d_model, d_model) / d_model**0.5 for _ in range(4)]
    ours = multi_head_attention(x, *weights, n_heads, is_causal=is_causal)
    mha = _torch_mha(d_model, n_heads, *weights)
    blocked = ~causal_mask(t) if is_causal else None  # nn.MHA: True = blocked
    theirs, _ = mha(x, x, x, attn_mask=blocked, need_weights=False)
    assert_close(ours, theirs.detach())


def test_module_with_bias_matches_torch():
    torch_mha = torch.nn.MultiheadAttention(16, 2, bias=True, batch_first=True)
    torch.nn.init.normal_(torch_mha.in_proj_bias)
    ours = MultiHeadAttention(16, 2, bias=True)
    with torch.no_grad():
        w_q, w_k, w_v = torch_mha.in_proj_weight.chunk(3)
        b_q, b_k, b_v = torch_mha.in_proj_bias.chunk(3)
        for layer, w, b in zip(
            (ours.q_proj, ours.k_proj, ours.v_proj, ours.out_proj),
            (w_q, w_k, w_v, torch_mha.out_proj.weight),
            (b_q, b_k, b_v, torch_mha.out_proj.bias),
        ):
            layer.weight.copy_(w)
            layer.bias.copy_(b)
    x = torch.randn(3, 7, 16)
    theirs, _ = torch_mha(x, x, x, need_weights=False)
    assert_close(ours(x).detach(), theirs.detach())


def test_multi_head_attention_bad_arguments_raise():
    w = torch.randn(6, 6)
    with pytest.raises(ValueError, match="divide"):
        multi_head_attention(torch.randn(1, 3, 6), w, w, w, w, 4)
    with pytest.raises(ValueError, match=r"\(B, T, C\)"):
        multi_head_attention(torch.randn(3, 6), w, w, w, w, 2)
    with pytest.raises(ValueError, match="divide"):
        MultiHeadAttention(6, 4)
