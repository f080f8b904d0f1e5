"""kernels.serving_memory against the book's other kernels and real tensors."""

import dataclasses

import pytest
import torch

from kernels import costs
from kernels import serving_memory as sm
from kernels.kv_cache import compare_fragmentation, quantize_int8, quantized_bytes
from kernels.presets import PRESETS, get_preset


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("precision,nbytes", [("fp32", 4), ("bf16", 2), ("fp8", 1)])
def test_cache_size_equals_kv_cache_bytes_without_scales(name, precision, nbytes):
    cfg = get_preset(name)
    size = sm.kv_cache_size(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, 4096,
                            batch=3, precision=precision)
    assert size == costs.kv_cache_bytes(cfg, seq_len=4096, batch=3,
                                        bytes_per_element=nbytes)


def test_int8_and_int4_bytes_are_what_quantize_int8_stores():
    # One layer's K of (B, H_kv, T, D): int8 payload plus one fp16 scale per row.
    b, h, t, d = 2, 4, 5, 64
    q, scale = quantize_int8(torch.randn(b, h, t, d, dtype=torch.float16))
    stored = q.numel() * q.element_size() + scale.numel() * scale.element_size()
    assert 2 * stored == sm.kv_cache_size(1, h, d, t, batch=b, precision="int8")
    # int4 packs two numbers a byte and keeps the same scales.
    assert sm.kv_bytes_per_token(1, h, d, "int4") == 2 * h * (d // 2 + 2)
    with pytest.raises(ValueError, match="whole bytes"):
        sm.kv_bytes_per_token(1, 1, 3, "int4")
    with pytest.raises(ValueError, match="precision"):
        sm.kv_bytes_per_token(1, 1, 64, "fp16")
    with pytest.raises(ValueError, match="n_kv_heads"):
        sm.kv_bytes_per_token(1, 0, 64)


@pytest.mark.parametrize("precision,bits", [("int8", 8), ("int4", 4)])
def test_calculator_bytes_agree_with_the_quantisers_byte_count(precision, bits):
    # Lesson 5.4.2 counts quantised bytes with kv_cache.quantized_bytes, the
    # calculator with KV_PRECISIONS: the same storage, per-token fp16 scales.
    layers, heads, d, t = 3, 4, 128, 1000
    per_tensor = quantized_bytes(t, d, bits, "token")  # one head's K (or V)
    assert sm.kv_cache_size(layers, heads, d, t, precision=precision) == \
        2 * layers * heads * per_tensor


def test_window_caps_the_cache_and_refuses_to_exceed_the_context():
    assert sm.cached_tokens(32768) == 32768
    assert sm.cached_tokens(32768, 4096) == 4096
    assert sm.cached_tokens(4096, 4096) == 4096
    full = sm.kv_cache_size(32, 8, 128, 32768)
    assert sm.kv_cache_size(32, 8, 128, 32768, window=4096) * 8 == full
    with pytest.raises(ValueError, match="longer than the context"):
        sm.cached_tokens(1024, 4096)
    with pytest.raises(ValueError, match="window"):
        sm.cached_tokens(1024, 0)
    with pytest.raises(ValueError, match="context_len"):
        sm.cached_tokens(0)
    with pytest.raises(ValueError, match="batch"):
        sm.kv_cache_size(1, 1, 64, 10, batch=0)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_matmul_params_are_those_forward_flops_per_token_counts(name):
    cfg = get_preset(name)
    t = 4096
    attention = costs.attention_score_flops(t, cfg.n_heads, cfg.head_dim,
                                            n_layers=cfg.n_layers,
                                            window=cfg.sliding_window)
    assert (2 * sm.matmul_param_count(cfg) + attention // t
            == costs.forward_flops_per_token(cfg, t))


def test_decode_flops_attention_is_the_last_row_of_the_causal_count():
    # The token at position T attends to T keys: the causal count for T tokens minus
    # the count for T - 1 tokens is exactly its row.
    cfg = get_preset("llama2-7b")
    t = 3000
    row = (costs.attention_score_flops(t, cfg.n_heads, cfg.head_dim,
                                       n_layers=cfg.n_layers, causal=True)
           - costs.attention_score_flops(t - 1, cfg.n_heads, cfg.head_dim,
                                         n_layers=cfg.n_layers, causal=True))
    flops = sm.decode_flops_per_token(cfg, t)
    assert flops["attention"] == row
    assert flops["total"] == flops["weights"] + flops["attention"]
    # A sliding window caps it: Mistral attends to at most 4096 keys.
    mistral = get_preset("mistral-7b")
    assert (sm.decode_flops_per_token(mistral, 32768)["attention"]
            == sm.decode_flops_per_token(mistral, 4096)["attention"])
    with pytest.raises(ValueError, match="longer than the context"):
        sm.decode_flops_per_token(mistral, 1000)


def test_decode_weight_flops_of_a_moe_count_only_active_experts():
    mixtral = get_preset("mixtral-8x7b")
    dense = dataclasses.replace(mixtral, experts_per_token=8)
    assert (sm.decode_flops_per_token(mixtral, 100)["weights"]
            < sm.decode_flops_per_token(dense, 100)["weights"])


def test_sequences_that_fit():
    assert sm.sequences_that_fit(100, 30) == 3
    assert sm.sequences_that_fit(90, 30) == 3
    assert sm.sequences_that_fit(89, 30) == 2
    assert sm.sequences_that_fit(-5, 30) == 0  # the weights alone overflow
    assert sm.sequences_that_fit(100, 30, n_sequences=4) == 13  # 7.5 bytes each
    with pytest.raises(ValueError, match="reserved_bytes"):
        sm.sequences_that_fit(100, 0)


def test_spread_lengths_and_paged_slots_agree_with_compare_fragmentation():
    lens = sm.spread_lengths(4096, 100)
    assert len(lens) == 100 and lens[0] == 41 and lens[-1] == 4096
    assert lens == sorted(lens)
    assert sm.spread_lengths(3, 5) == [1, 2, 2, 3, 3]
    for page in (1, 16, 100, 4096):
        slots = sm.paged_slots(lens, page)
        waste = compare_fragmentation(lens, 4096, page)["paged"]
        assert waste == pytest.approx(1 - sum(lens) / slots, abs=1e-15)
    assert sm.paged_slots(lens, 1) == sum(lens)
    with pytest.raises(ValueError, match="page_size"):
        sm.paged_slots(lens, 0)
    with pytest.raises(ValueError, match="n"):
        sm.spread_lengths(10, 0)


def test_cache_lengths_cap_the_spread_at_the_window():
    assert sm.cache_lengths(8, 4) == [2, 4, 6, 8]
    assert sm.cache_lengths(8, 4, window=5) == [2, 4, 5, 5]
