"""Facts only: the remaining often-quoted numbers, recomputed, plus the checkpoint's.

Used on: docs/5.3-scaling-architecture/long-context/index.md (the walls, the
"You may see a different number quoted" notes, checkpoint 2, putting it together). Costs from kernels.costs
(2 FLOPs per multiply-add; fp16 = 2 bytes; GB = 10⁹ bytes, GiB = 2³⁰ bytes), model
shapes from kernels.presets.
"""

from kernels.costs import (attention_score_flops, kv_cache_bytes, param_count,
                           to_gb, to_gib)
from kernels.presets import get_preset

QUOTED = "often quoted"
CK2_LONG, CK2_TRAINED, CK2_KV_GROUPS = 65536, 4096, 8   # checkpoint 2's scenario


# --8<-- [start:compute]
def plan_flops_row():
    """The often-quoted 'attention FLOPs ~ 2·n²·d_model' row, and what it counts."""
    gpt2 = get_preset("gpt2-small")
    both_matmuls = attention_score_flops(1024, gpt2.n_heads, gpt2.head_dim,
                                         causal=True)   # this page's convention
    # Only QKᵀ (half of the two matmuls) at a decimal "1K" = 1,000 tokens:
    scores_only = attention_score_flops(1000, gpt2.n_heads, gpt2.head_dim) // 2
    return gpt2, both_matmuls, scores_only


def seventy_b_memory():
    llama = get_preset("llama2-70b")
    weights = 2 * param_count(llama)["total"]               # fp16 bytes
    per_head_layer = kv_cache_bytes(seq_len=131072, n_layers=1, n_kv_heads=1,
                                    head_dim=llama.head_dim)  # one head, one layer
    mha = kv_cache_bytes(llama, seq_len=131072, n_kv_heads=llama.n_heads)
    gqa = kv_cache_bytes(llama, seq_len=131072)
    return llama, weights, per_head_layer, mha, gqa


def checkpoint_model(long=CK2_LONG, trained=CK2_TRAINED, kv_groups=CK2_KV_GROUPS):
    """Checkpoint 2's 7B model (LLaMA 2 7B's shape: 32 heads, MHA)."""
    cfg = get_preset("llama2-7b")
    flops = lambda n: attention_score_flops(n, cfg.n_heads, cfg.head_dim,  # noqa
                                            causal=True)
    windowed = attention_score_flops(long, cfg.n_heads, cfg.head_dim,
                                     window=trained)
    mha = kv_cache_bytes(cfg, seq_len=long)
    gqa = kv_cache_bytes(cfg, seq_len=long, n_kv_heads=kv_groups)
    return cfg, flops(long) / flops(trained), flops(long) / windowed, mha, gqa


def mistral_rolling_buffer(n=131072):
    """Mistral 7B caches only its window: K/V older than the window are never read."""
    cfg = get_preset("mistral-7b")
    return cfg, kv_cache_bytes(cfg, seq_len=n), kv_cache_bytes(
        cfg, seq_len=cfg.sliding_window)
# --8<-- [end:compute]


def main(book):
    gpt2, both, scores_only = plan_flops_row()
    book.fact("lc_gpt2_flops_1k", both, fmt="sci:3", unit="FLOPs",
              disputes=1.5e9, rel_tol=0.05,
              source=f"{QUOTED}: '~1.5 billion' attention FLOPs per layer at 1K")
    book.fact("lc_plan_flops_1k", 1.5e9, fmt="sci:2", unit="FLOPs")
    book.fact("lc_decimal_1k", 1000, fmt=",d")
    book.fact("lc_gpt2_scores_only_1000", scores_only, fmt="sci:3", unit="FLOPs",
              expected=1.5e9, rel_tol=0.05,
              source=f"{QUOTED}: 2·n²·d_model with n = 1,000 and GPT-2's 768")
    book.fact("lc_gpt2_d_model", gpt2.d_model, fmt="d")
    gpt2_cache = kv_cache_bytes(gpt2, seq_len=gpt2.max_seq_len)
    book.fact("lc_kv_gpt2_1k_mb", gpt2_cache / 1e6, fmt=".1f", unit="MB",
              expected=37.7, rel_tol=0.002,
              source="lesson 4.3.3: GPT-2 KV cache at 1024 tokens ~37.7 MB (fp16)")
    book.fact("lc_kv_gpt2_1k_mib", gpt2_cache / 2**20, fmt=".0f", unit="MiB",
              expected=36, rel_tol=1e-9, source="2·12·768·1024·2 B = 36 MiB")
    book.fact("lc_kv_gpt2_1k_fp32_mb", 2 * gpt2_cache / 1e6, fmt=".1f", unit="MB",
              expected=75.5, rel_tol=0.002, source="fp32: 4 bytes per number")

    llama, weights, per_head, mha, gqa = seventy_b_memory()
    book.fact("lc_weights_70b_gb", to_gb(weights), fmt=".0f", unit="GB",
              expected=140, rel_tol=0.02, source=f"{QUOTED}: '140 GB model weights'")
    book.fact("lc_kv_head_layer_128k_mb", per_head / 1e6, fmt=".1f", unit="MB",
              disputes=65, rel_tol=0.01, source=f"{QUOTED}: per-head cache '~65 MB'")
    book.fact("lc_kv_head_layer_128k_mib", per_head / 2**20, fmt=".0f", unit="MiB",
              expected=64, rel_tol=1e-9, source="2·131072·128·2 B = 64 MiB")
    book.fact("lc_plan_mha_gb", 332, fmt=".0f", unit="GB")
    # The other reading of "128K": 128,000 tokens. The quoted figures follow it.
    per_head_dec = kv_cache_bytes(seq_len=128_000, n_layers=1, n_kv_heads=1,
                                  head_dim=llama.head_dim)
    mha_dec = kv_cache_bytes(llama, seq_len=128_000, n_kv_heads=llama.n_heads)
    gqa_dec = kv_cache_bytes(llama, seq_len=128_000)
    book.fact("lc_128k_decimal", 128_000, fmt=",d")
    book.fact("lc_128k_binary", 131_072, fmt=",d")
    book.fact("lc_kv_head_layer_128000_mb", per_head_dec / 1e6, fmt=".1f", unit="MB",
              expected=65.5, rel_tol=1e-3, source=f"{QUOTED}: '~65 MB' per head")
    book.fact("lc_kv_mha_128000_gb", to_gb(mha_dec), fmt=".1f", unit="GB",
              expected=335.5, rel_tol=1e-3, source="65.5 MB · 64 heads · 80 layers")
    book.fact("lc_kv_gqa_128000_gb", to_gb(gqa_dec), fmt=".1f", unit="GB",
              expected=42, rel_tol=0.01, source=f"{QUOTED}: GQA '~42 GB'")
    book.fact("lc_kv_mha_128k_gb_1dp", to_gb(mha), fmt=".1f", unit="GB")
    book.claim("lc_quoted_rounds_65", "rounded down to 65 MB before multiplying",
               holds=abs(65e6 * llama.n_heads * llama.n_layers / 1e9 - 332) < 1,
               because="65 MB · 64 · 80 = 332.8 GB")
    book.fact("lc_plan_gqa_gb", 42, fmt=".0f", unit="GB")
    book.fact("lc_plan_head_mb", 65, fmt=".0f", unit="MB")
    book.fact("lc_kv_mha_128k_gib", to_gib(mha), fmt=".0f", unit="GiB",
              expected=320, rel_tol=1e-9, source="2·80·64·128·131072·2 B")
    book.fact("lc_kv_gqa_128k_gb_check", to_gb(gqa), fmt=".1f", unit="GB",
              disputes=42, rel_tol=0.01,
              source=f"{QUOTED}: GQA '~42 GB' (= 332 / 8), at 131,072 tokens")
    assert to_gb(gqa) > 40   # the looser phrasing, "40+ GB", holds
    book.fact("lc_cache_vs_weights", mha / weights, fmt=".1f", unit="×")

    train = get_preset("llama2-70b").max_seq_len      # the lesson's "trained at 4K"
    book.fact("lc_ck1_doc_len", 2 * train, text=f"{2 * train // 1024}K")
    book.fact("lc_ck1_first_unseen", train + 1, fmt=",d")   # 1-indexed position
    book.fact("lc_ck1_last_trained", train, fmt=",d")
    cfg, flops_ratio, window_ratio, ck_mha, ck_gqa = checkpoint_model()
    book.fact("lc_ck2_len", CK2_LONG, text=f"{CK2_LONG // 1024}K")
    book.fact("lc_ck2_trained", CK2_TRAINED, fmt=",d")
    book.fact("lc_ck2_len_ratio", CK2_LONG / CK2_TRAINED, fmt=".0f", unit="×")
    book.fact("lc_ck2_heads", cfg.n_heads, fmt="d")
    book.fact("lc_ck2_flops_ratio", flops_ratio, fmt=",.0f", unit="×",
              expected=256, rel_tol=0.01, source=f"{QUOTED}: (64K / 4K)² = 256×")
    book.fact("lc_ck2_window_saving", window_ratio, fmt=".0f", unit="×")
    book.fact("lc_ck2_kv_mha_gb", to_gb(ck_mha), fmt=".1f", unit="GB")
    book.fact("lc_ck2_kv_gqa_gb", to_gb(ck_gqa), fmt=".1f", unit="GB")
    book.fact("lc_ck2_kv_groups", CK2_KV_GROUPS, fmt="d")

    mistral, full, rolling = mistral_rolling_buffer()
    book.fact("lc_mistral_kv_full_gb", to_gb(full), fmt=".1f", unit="GB")
    book.fact("lc_mistral_kv_rolling_gb", to_gb(rolling), fmt=".2f", unit="GB")
    book.fact("lc_mistral_kv_heads", mistral.n_kv_heads, fmt="d")
    book.fact("lc_mistral_query_heads", mistral.n_heads, fmt="d")
    book.fact("lc_mistral_rolling_saving", full / rolling, fmt=".0f", unit="×")
