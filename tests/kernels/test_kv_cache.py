"""kv_cache.py: caching changes how attention is computed, never what it computes."""

import math

import pytest
import torch

from kernels.attention import attention, multi_head_attention
from kernels.kv_cache import (
    KVCache,
    PagedKVCache,
    batch_that_fits,
    compare_fragmentation,
    decode_with_cache,
    dequantize_int8,
    quantization_error,
    quantize_int8,
    quantize_symmetric,
    quantized_bytes,
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


def _kv(n_tokens, n_heads=2, head_dim=3):
    return torch.randn(n_heads, n_tokens, head_dim), torch.randn(n_heads, n_tokens, head_dim)


def test_fork_shares_pages_and_copies_a_shared_page_before_writing():
    paged = PagedKVCache(page_size=4, n_pages=8, n_heads=2, head_dim=3)
    prompt = _kv(6)  # one full page and a half-full one
    paged.append(0, *prompt)
    paged.fork(0, 1)
    paged.fork(0, 2)
    # Three sequences of 6 tokens in 2 physical pages: nothing was copied.
    assert paged.pages_in_use() == 2 and paged.ref_counts[:2] == [3, 3]
    tails = {seq: _kv(3) for seq in (0, 1, 2)}
    for seq, kv in tails.items():
        paged.append(seq, *kv)
    # The full first page stays shared; each writer got its own copy of page 1,
    # except the last one, who by then is its only user and writes in place.
    assert [t[0] for t in paged.block_tables.values()] == [0, 0, 0]
    assert len({t[1] for t in paged.block_tables.values()}) == 3
    for seq, (k_tail, v_tail) in tails.items():
        keys, values = paged.gather(seq)
        assert torch.equal(keys, torch.cat([prompt[0], k_tail], dim=1))
        assert torch.equal(values, torch.cat([prompt[1], v_tail], dim=1))
    # Freeing returns a page only when its last user is gone.
    paged.free(0)
    paged.free(1)
    assert paged.ref_counts[0] == 1 and 0 not in paged.free_pages
    paged.free(2)
    assert paged.pages_in_use() == 0 and sorted(paged.free_pages) == list(range(8))


def test_fork_at_a_page_boundary_needs_no_copy_and_errors_are_clear():
    paged = PagedKVCache(page_size=4, n_pages=3, n_heads=2, head_dim=3)
    paged.append(0, *_kv(4))
    paged.fork(0, 1)
    paged.append(1, *_kv(1))  # the shared page is full: only a new page is taken
    assert paged.block_tables == {0: [0], 1: [0, 1]}
    with pytest.raises(ValueError, match="already exists"):
        paged.fork(0, 1)
    paged.append(0, *_kv(2))
    paged.fork(0, 2)
    # Sequence 2 must copy page 2 before writing, and no page is left.
    with pytest.raises(RuntimeError, match="out of pages"):
        paged.append(2, *_kv(1))


def test_batch_that_fits_contiguous_vs_paged():
    lens = [10, 30, 5, 17, 40]
    # Contiguous: every request reserves max_len=40 slots, so 100 slots admit 2.
    assert batch_that_fits(lens, 100, max_len=40) == 2
    # Paged, pages of 8: 16 + 32 + 8 + 24 = 80 slots for four; the fifth needs 40.
    assert batch_that_fits(lens, 100, page_size=8) == 4
    # Pages of one slot waste nothing: admitted while the running sum fits.
    assert batch_that_fits(lens, 62, page_size=1) == 4
    assert batch_that_fits(lens, 61, page_size=1) == 3
    assert batch_that_fits([], 10, page_size=4) == 0
    with pytest.raises(ValueError, match="exactly one"):
        batch_that_fits(lens, 100)
    with pytest.raises(ValueError, match="exceeds max_len"):
        batch_that_fits(lens, 100, max_len=20)
    with pytest.raises(ValueError, match=">= 1"):
        batch_that_fits([0], 100, page_size=4)


@pytest.mark.parametrize("bits", [8, 4])
@pytest.mark.parametrize("axis", ["token", "channel"])
def test_symmetric_quantisation_error_is_at_most_half_a_step(bits, axis):
    x = torch.randn(2, 3, 50, 16, dtype=torch.float64) * 3
    x[..., 5, :] = 0.0
    x[..., :, 7] = 0.0  # an all-zero row and column must survive exactly
    q, scale = quantize_symmetric(x, bits, axis)
    qmax = 2 ** (bits - 1) - 1
    assert q.dtype == torch.int8 and q.abs().max() == qmax
    assert scale.shape == ((2, 3, 50, 1) if axis == "token" else (2, 3, 1, 16))
    x_hat = dequantize_int8(q, scale)
    assert ((x_hat - x).abs() <= scale / 2 + 1e-12).all()
    assert (x_hat[..., 5, :] == 0).all() and (x_hat[..., :, 7] == 0).all()
    if bits == 8 and axis == "token":  # the int8 special case agrees
        q8, s8 = quantize_int8(x)
        assert torch.equal(q, q8) and torch.equal(scale, s8)


def test_per_channel_scales_win_when_one_channel_is_an_outlier():
    torch.manual_seed(0)
    x = torch.randn(64, 16, dtype=torch.float64)
    x[:, 3] *= 50  # a channel far larger than the rest, as in real keys
    ordinary = [c for c in range(16) if c != 3]
    err = {axis: (dequantize_int8(*quantize_symmetric(x, 4, axis)) - x)[:, ordinary]
           .norm() / x[:, ordinary].norm() for axis in ("token", "channel")}
    # One scale per token is set by the outlier, so the ordinary channels round to
    # zero on most tokens; one scale per channel keeps their error small.
    assert err["token"] > 0.5 and err["channel"] < 0.2


def test_quantized_bytes_counts_the_scales():
    # 100 tokens x 64 channels: int8 is 6400 bytes + 100 fp16 scales per token.
    assert quantized_bytes(100, 64, 8, "token") == 6400 + 200
    assert quantized_bytes(100, 64, 4, "channel") == 3200 + 128
    with pytest.raises(ValueError, match="bits 4 or 8"):
        quantized_bytes(100, 64, 3, "token")
    with pytest.raises(ValueError, match="axis"):
        quantized_bytes(100, 64, 8, "row")
    with pytest.raises(ValueError, match="bits must be 4 or 8"):
        quantize_symmetric(torch.ones(2, 2), 2, "token")
    with pytest.raises(ValueError, match="axis"):
        quantize_symmetric(torch.ones(2, 2), 8, "row")
    with pytest.raises(ValueError, match=r"\(…, T, D\)"):
        quantize_symmetric(torch.ones(2), 8, "token")
