import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels import costs
from kernels.presets import PRESETS

# Published / independently derived parameter counts.
# GPT-2 small: HF `sum(p.numel() for p in GPT2LMHeadModel.parameters())` with tied
# embeddings = 124,439,808. By hand: wte 50257*768 + wpe 1024*768 + 12 * (2 LayerNorms
# 2*1536 + c_attn 768*2304+2304 + c_proj 768*768+768 + c_fc 768*3072+3072
# + c_proj 3072*768+768) + ln_f 1536.
# LLaMA 2 / Mistral / Mixtral: HF model.num_parameters() of the released checkpoints.
PUBLISHED_TOTALS = {
    "gpt2-small": 124_439_808,
    "llama2-7b": 6_738_415_616,
    "llama2-13b": 13_015_864_320,
    "llama2-70b": 68_976_648_192,
    "mistral-7b": 7_241_732_096,
    "mixtral-8x7b": 46_702_792_704,
}


@pytest.mark.parametrize("key, expected", sorted(PUBLISHED_TOTALS.items()))
def test_param_count_matches_published(key, expected):
    counts = costs.param_count(PRESETS[key])
    assert counts["total"] == expected
    parts = ("embedding", "attention", "ffn", "norm")
    assert sum(counts[p] for p in parts) == counts["total"]


def test_gpt2_small_by_hand():
    layer = 2 * 1536 + (768 * 2304 + 2304) + (768 * 768 + 768)
    layer += (768 * 3072 + 3072) + (3072 * 768 + 768)
    expected = 50257 * 768 + 1024 * 768 + 12 * layer + 1536
    assert costs.param_count(PRESETS["gpt2-small"])["total"] == expected


def test_dense_models_have_active_equal_total():
    for key in ("gpt2-small", "llama2-70b", "mistral-7b"):
        counts = costs.param_count(PRESETS[key])
        assert counts["active"] == counts["total"]


def test_mixtral_active_params():
    # Mixtral paper: "13B active parameters"; exact count with top-2 of 8 experts,
    # router (4096*8 per layer) and untied LM head = 12,879,925,248.
    counts = costs.param_count(PRESETS["mixtral-8x7b"])
    assert counts["active"] == 12_879_925_248
    # Independent route: Mistral 7B differs only in window and router, and one
    # extra expert per layer is active.
    mistral = costs.param_count(PRESETS["mistral-7b"])["total"]
    extra_expert = 3 * 4096 * 14336
    router = 4096 * 8
    assert counts["active"] == mistral + 32 * (extra_expert + router)


def test_gpt3_175b_is_about_174_6e9():
    # Assumptions: GPT-2 vocab (50257), tied LM head, learned 2048 positions,
    # biases and LayerNorms as GPT-2. 12·L·d² alone gives 173.95e9.
    total = costs.param_count(PRESETS["gpt3-175b"])["total"]
    assert abs(total - 174.6e9) < 0.05e9
    assert total > 12 * 96 * 12288**2


def test_gqa_shrinks_only_kv_projections():
    mha = dataclasses.replace(PRESETS["llama2-70b"], n_kv_heads=64)
    saved = costs.param_count(mha)["attention"] - costs.param_count(
        PRESETS["llama2-70b"])["attention"]
    # K and V each lose (64 - 8) heads * 128 channels of 8192 inputs, per layer
    assert saved == 80 * 2 * 8192 * (64 - 8) * 128


def test_attention_pairs_by_hand():
    assert costs.attention_pairs(4) == 16
    assert costs.attention_pairs(4, causal=True) == 10  # 1+2+3+4
    assert costs.attention_pairs(5, window=2) == 1 + 2 + 2 + 2 + 2
    assert costs.attention_pairs(3, window=10) == 6  # window wider than the sequence


@given(t=st.integers(1, 300), w=st.integers(1, 300))
def test_window_pairs_match_sum_definition(t, w):
    assert costs.attention_pairs(t, window=w) == sum(min(i + 1, w) for i in range(t))


def test_attention_score_flops_full_is_4_t2_h_d():
    t, h, d = 97, 3, 59
    assert costs.attention_score_flops(t, h, d) == 4 * t * t * h * d
    assert costs.attention_score_flops(t, h, d, n_layers=2, batch=3) == (
        6 * 4 * t * t * h * d
    )
    assert costs.attention_score_flops(t, h, d, causal=True) == (
        4 * h * d * t * (t + 1) // 2
    )


def test_forward_flops_per_token_llama2_7b():
    cfg = PRESETS["llama2-7b"]
    # matmul params = total minus the input embedding table (lookup)
    n = 6_738_415_616 - 32000 * 4096
    attention = 4 * 32 * 4096 * 4096  # 4·T·(H·D)·L per token, T = 4096
    assert costs.forward_flops_per_token(cfg, 4096) == 2 * n + attention


def test_forward_flops_gpt2_tied_keeps_lm_head_drops_positions():
    cfg = PRESETS["gpt2-small"]
    n = 124_439_808 - 1024 * 768
    causal_attention = 4 * 12 * 768 * (1024 * 1025 // 2) // 1024
    assert costs.forward_flops_per_token(cfg, 1024, causal=True) == (
        2 * n + causal_attention
    )


def test_training_flops_reproduces_gpt3_paper():
    # GPT-3 paper Table D.1: 175B trained on 300B tokens = 3.14e23 FLOPs
    flops = costs.training_flops(PRESETS["gpt3-175b"], 300 * 10**9)
    assert abs(flops / 3.14e23 - 1) < 0.01


def test_kv_cache_llama2_70b_at_128k():
    cfg = PRESETS["llama2-70b"]
    n_bytes = costs.kv_cache_bytes(cfg, seq_len=131072)
    assert n_bytes == 42_949_672_960  # 2*80*8*128*131072*2
    assert costs.to_gib(n_bytes) == 40.0
    assert round(costs.to_gb(n_bytes), 1) == 42.9
    # the same model as MHA (64 KV heads) and MQA (1 KV head)
    assert costs.kv_cache_bytes(cfg, seq_len=131072, n_kv_heads=64) == 8 * n_bytes
    assert costs.kv_cache_bytes(cfg, seq_len=131072, n_kv_heads=1) * 8 == n_bytes


def test_kv_cache_gpt2_small_fp32_vs_fp16():
    cfg = PRESETS["gpt2-small"]
    fp32 = costs.kv_cache_bytes(cfg, seq_len=1024, bytes_per_element=4)
    fp16 = costs.kv_cache_bytes(cfg, seq_len=1024, bytes_per_element=2)
    # by hand: 2 * 12 layers * 12 heads * 64 dims * 1024 tokens * 4 bytes = 72 MiB
    assert fp32 == 75_497_472 == 72 * 2**20
    assert fp16 * 2 == fp32


def test_kv_cache_from_explicit_numbers():
    assert costs.kv_cache_bytes(
        seq_len=10, n_layers=2, n_kv_heads=3, head_dim=5, batch=7,
        bytes_per_element=1,
    ) == 2 * 2 * 3 * 5 * 10 * 7


def test_kv_cache_errors():
    with pytest.raises(ValueError, match="n_layers, n_kv_heads and head_dim"):
        costs.kv_cache_bytes(seq_len=10, n_layers=2)
    with pytest.raises(ValueError, match="seq_len"):
        costs.kv_cache_bytes(PRESETS["gpt2-small"], seq_len=0)


def test_matmul_cost_square_fp16():
    cost = costs.matmul_cost(4096, 4096, 4096, bytes_per_element=2)
    assert cost.flops == 2 * 4096**3
    assert cost.bytes_moved == 3 * 4096**2 * 2
    assert cost.intensity == pytest.approx(4096 / 3)


def test_matmul_vector_has_intensity_about_one():
    # matrix-vector in fp16: 2·k·n FLOPs over ~2·k·n bytes -> about 1 FLOP/byte,
    # why decoding one token at a time is memory-bound
    assert costs.matmul_cost(1, 4096, 4096).intensity == pytest.approx(1.0, rel=1e-3)


def test_arithmetic_intensity_errors():
    assert costs.arithmetic_intensity(10, 4) == 2.5
    with pytest.raises(ValueError, match="bytes_moved"):
        costs.arithmetic_intensity(1, 0)
    with pytest.raises(ValueError, match="flops"):
        costs.arithmetic_intensity(-1, 1)
    with pytest.raises(ValueError, match="m must be"):
        costs.matmul_cost(0, 1, 1)


def test_unit_helpers():
    assert costs.GB == 1_000_000_000
    assert costs.GiB == 1_073_741_824
    assert costs.to_gb(3 * 10**9) == 3.0
    assert costs.to_gib(2**31) == 2.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="window"):
        costs.attention_pairs(10, window=0)
    with pytest.raises(ValueError, match="n_heads"):
        costs.attention_score_flops(10, 0, 64)
    with pytest.raises(ValueError, match="n_tokens"):
        costs.training_flops(PRESETS["gpt2-small"], 0)
