"""kv_cache.py: caching changes how attention is computed, never what it computes."""

import math

import pytest
import torch

from kernels.attention import attention, multi_head_attention
from kernels.kv_cache import (
    KVCache,
    PagedKVCache,
    compare_fragmentation,
    decode_with_cache,
    dequantize_int8,
    quantization_error,
    quantize_int8,
)
from tests.kernels.tolerances import assert_close




def test_contiguous_cache_appends_and_views():
    cache = KVCache(batch=2, n_heads=3, max_len=10, head_dim=4)
    chunks = [torch.randn(2, 3, n, 4) for n in (1, 4, 2)]
    for chunk in chunks:
        cache.append(chunk, -chunk)
    assert cache.length == 7
    assert torch.equal(cache.keys(), torch.cat(chunks, dim=2))
    assert torch.equal(cache.values(), -torch.cat(chunks, dim=2))
    with pytest.raises(ValueError, match="cache full"):
        cache.append(torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="matching the cache"):
        cache.append(torch.randn(2, 2, 1, 4), torch.randn(2, 2, 1, 4))


@pytest.mark.parametrize("t,prefill_len", [(1, 0), (1, 1), (97, 0), (97, 40)])
def test_decoding_with_a_cache_equals_full_causal_attention(t, prefill_len):
    d_model, n_heads = 32, 4
    x = torch.randn(2, t, d_model)
    weights = [torch.randn(d_model, d_model) / math.sqrt(d_model) for _ in range(4)]
    full = multi_head_attention(x, *weights, n_heads, is_causal=True)
    decoded = decode_with_cache(x, *weights, n_heads, prefill_len=prefill_len)
    assert_close(decoded, full)


def test_decode_rejects_bad_arguments():
    w = torch.randn(8, 8)
    with pytest.raises(ValueError, match="prefill_len"):
        decode_with_cache(torch.randn(1, 3, 8), w, w, w, w, 2, prefill_len=4)
    with pytest.raises(ValueError, match="dividing C"):
        decode_with_cache(torch.randn(1, 3, 8), w, w, w, w, 3)


def test_paged_gather_equals_contiguous_cache():
    n_heads, head_dim, page_size = 2, 3, 4
    paged = PagedKVCache(page_size, n_pages=12, n_heads=n_heads, head_dim=head_dim)
    contiguous = {seq: KVCache(1, n_heads, 40, head_dim) for seq in (0, 1)}
    # Interleave two sequences so their pages are not adjacent in the pool.
    for seq, n_tokens in [(0, 3), (1, 6), (0, 1), (0, 5), (1, 1), (0, 9)]:
        k, v = (torch.randn(n_heads, n_tokens, head_dim) for _ in range(2))
        paged.append(seq, k, v)
        contiguous[seq].append(k.unsqueeze(0), v.unsqueeze(0))
    for seq in (0, 1):
        keys, values = paged.gather(seq)
        assert torch.equal(keys, contiguous[seq].keys()[0])
        assert torch.equal(values, contiguous[seq].values()[0])
    # Pages are handed out in pool order as each sequence grows (worked by hand).
    assert paged.block_tables == {0: [0, 3, 4, 5, 6], 1: [1, 2]}


def test_paged_fragmentation_matches_the_formula_and_frees_pages():
    paged = PagedKVCache(page_size=16, n_pages=8, n_heads=1, head_dim=2)
    lengths = [1, 16, 17]
    for seq, n in enumerate(lengths):
        paged.append(seq, torch.randn(1, n, 2), torch.randn(1, n, 2))
    # 34 tokens in 1 + 1 + 2 pages of 16 slots.
    assert paged.fragmentation() == pytest.approx(1 - 34 / 64)
    expected = compare_fragmentation(lengths, max_len=32, page_size=16)
    assert paged.fragmentation() == pytest.approx(expected["paged"])
    assert expected["contiguous"] == pytest.approx(1 - 34 / 96)
    assert len(paged.free_pages) == 4
    paged.free(2)
    assert len(paged.free_pages) == 6 and paged.fragmentation() == pytest.approx(
        1 - 17 / 32
    )


def test_paged_cache_errors():
    paged = PagedKVCache(page_size=4, n_pages=2, n_heads=1, head_dim=2)
    with pytest.raises(RuntimeError, match="out of pages"):
        paged.append(0, torch.randn(1, 9, 2), torch.randn(1, 9, 2))
    with pytest.raises(ValueError, match=r"\(H, t, D\)"):
        paged.append(0, torch.randn(1, 1, 9, 2), torch.randn(1, 1, 9, 2))
    with pytest.raises(ValueError, match=">= 1"):
        PagedKVCache(page_size=0, n_pages=2, n_heads=1, head_dim=2)
    with pytest.raises(ValueError, match="max_len"):
        compare_fragmentation([5, 50], max_len=32, page_size=16)
    empty = PagedKVCache(page_size=4, n_pages=2, n_heads=1, head_dim=2)
    assert empty.fragmentation() == 0.0
    assert compare_fragmentation([], 8, 4) == {"contiguous": 0.0, "paged": 0.0}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_int8_round_trip_error_is_at_most_half_a_step(dtype):
    x = torch.randn(2, 3, 97, 59, dtype=dtype) * 3
    x[0, 0, 0] = 0.0  # an all-zero row must survive exactly
    q, scale = quantize_int8(x)
    assert q.dtype == torch.int8 and scale.shape == (2, 3, 97, 1)
    error = (dequantize_int8(q, scale) - x).abs()
    # Half a quantisation step, plus one rounding of x in its own dtype.
    assert (error <= scale / 2 + torch.finfo(dtype).eps * x.abs()).all()
    assert torch.equal(dequantize_int8(q, scale)[0, 0, 0], x[0, 0, 0])
    assert quantization_error(x) == pytest.approx(error.max().item())
    # The row's largest entry is exactly ±127 steps.
    assert (q.abs().amax(-1) == 127)[x.abs().amax(-1) > 0].all()


def test_attention_with_an_int8_cache_stays_within_its_bound():
    q, k, v = (torch.randn(1, 4, 97, 64, dtype=torch.float64) for _ in range(3))
    exact = attention(q, k, v, is_causal=True)
    k_int8, k_scale = quantize_int8(k)
    v_int8, v_scale = quantize_int8(v)
    approx = attention(
        q, dequantize_int8(k_int8, k_scale), dequantize_int8(v_int8, v_scale),
        is_causal=True,
    )
    # Each score moves by at most ε = |q|₁ · max(k_scale)/2 / √D, which changes each
    # weight by a factor within e^{±2ε}; V's rounding adds at most max(v_scale)/2.
    eps = q.abs().sum(-1) * k_scale.amax((-2, -1)).unsqueeze(-1) / 2 / 8  # (B, H, T)
    bound = (torch.exp(2 * eps) - 1) * v.abs().amax((-2, -1)).unsqueeze(-1)
    bound = bound + v_scale.amax((-2, -1)).unsqueeze(-1) / 2
    error = (approx - exact).abs().amax(-1)  # (B, H, T)
    assert (error <= bound).all()
