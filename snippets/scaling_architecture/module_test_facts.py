"""Numbers for the Module 5.3 test, each computed from the kernels and presets.

Shown on: docs/5.3-scaling-architecture/module-test.md. Facts only, no figure.
"""

import torch

from kernels.costs import attention_score_flops, kv_cache_bytes, param_count, to_gb
from kernels.moe import load_balancing_loss
from kernels.pipeline_schedule import bubble_fraction_formula, gpipe_schedule
from kernels.presets import get_preset
from kernels.sparse import receptive_field
from kernels.speculative import expected_tokens_per_step
from kernels.training_memory import training_memory_bytes, zero_memory_per_gpu

PIPELINE_STAGES = 4
FEW_MICROBATCHES, MANY_MICROBATCHES = 1, 16
DRAFT_ACCEPT_RATE, DRAFT_TOKENS = 0.8, 4
ZERO_PARAMS, ZERO_GPUS = 7_500_000_000, 64  # the ZeRO paper's worked example


# --8<-- [start:moe]
def moe_facts():
    mixtral, mistral = get_preset("mixtral-8x7b"), get_preset("mistral-7b")
    counts = param_count(mixtral)
    n = mixtral.n_experts
    uniform_probs = torch.full((n * 100, n), 1.0 / n)        # every token 1/E each
    balanced_choice = torch.arange(n * 100).remainder(n)[:, None]
    collapsed_probs = torch.zeros(n * 100, n)
    collapsed_probs[:, 0] = 1.0                                # all on expert 0
    collapsed_choice = torch.zeros(n * 100, 1, dtype=torch.long)
    return dict(
        total=counts["total"], active=counts["active"],
        naive=n * param_count(mistral)["total"],
        balanced=float(load_balancing_loss(uniform_probs, balanced_choice, n)),
        collapsed=float(load_balancing_loss(collapsed_probs, collapsed_choice, n)),
        weights_fp16=2 * counts["total"], n_experts=n, top_k=mixtral.experts_per_token)
# --8<-- [end:moe]


# --8<-- [start:long_context]
def long_context_facts():
    mistral = get_preset("mistral-7b")
    short = attention_score_flops(4096, mistral.n_heads, mistral.head_dim)
    double = attention_score_flops(8192, mistral.n_heads, mistral.head_dim)
    mha = kv_cache_bytes(mistral, seq_len=8192, n_kv_heads=mistral.n_heads)
    gqa = kv_cache_bytes(mistral, seq_len=8192)
    mqa = kv_cache_bytes(mistral, seq_len=8192, n_kv_heads=1)
    kv_double = kv_cache_bytes(mistral, seq_len=2 * 8192) / gqa
    return dict(flops_ratio=double / short, kv_saving=mha / gqa, mqa_saving=mha / mqa,
                kv_double=kv_double,
                reach=receptive_field(mistral.n_layers, mistral.sliding_window),
                layers=mistral.n_layers, window=mistral.sliding_window,
                q_heads=mistral.n_heads, kv_heads=mistral.n_kv_heads)
# --8<-- [end:long_context]


# --8<-- [start:scale]
def scale_facts():
    few = gpipe_schedule(PIPELINE_STAGES, FEW_MICROBATCHES)
    many = gpipe_schedule(PIPELINE_STAGES, MANY_MICROBATCHES)
    llama7 = param_count(get_preset("llama2-7b"))["total"]
    return dict(
        bubble_few=few.bubble_fraction, bubble_many=many.bubble_fraction,
        train_7b=training_memory_bytes(llama7)["total"],
        parts_7b=training_memory_bytes(llama7), llama7=llama7,
        zero1=zero_memory_per_gpu(ZERO_PARAMS, ZERO_GPUS, stage=1)["total"],
        zero0=zero_memory_per_gpu(ZERO_PARAMS, ZERO_GPUS, stage=0)["total"],
        speculative=expected_tokens_per_step(DRAFT_ACCEPT_RATE, DRAFT_TOKENS))
# --8<-- [end:scale]


def main(book):
    m = moe_facts()
    book.fact("mt_mixtral_total_b", m["total"] / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_mixtral_active_b", m["active"] / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_mixtral_naive_b", m["naive"] / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_mixtral_experts", m["n_experts"], fmt="d")
    book.fact("mt_mixtral_top_k", m["top_k"], fmt="d")
    book.fact("mt_mixtral_weights_gb", to_gb(m["weights_fp16"]), fmt=".1f", unit="GB")
    book.fact("mt_aux_balanced", m["balanced"], fmt=".1f", expected=1.0,
              source="Switch Transformer: E·Σ f·P = 1 at perfect balance")
    book.fact("mt_aux_collapsed", m["collapsed"], fmt=".1f", expected=m["n_experts"],
              source="all tokens on one expert: E·1·1 = E")
    lc = long_context_facts()
    book.fact("mt_flops_ratio_double", lc["flops_ratio"], fmt=".0f", unit="×",
              expected=4.0, source="(2n)² / n² = 4")
    book.fact("mt_mistral_kv_saving", lc["kv_saving"], fmt=".0f", unit="×")
    book.fact("mt_mistral_mqa_saving", lc["mqa_saving"], fmt=".0f", unit="×")
    book.fact("mt_kv_ratio_double", lc["kv_double"], fmt=".0f", unit="×",
              expected=2.0, source="the cache is linear in length")
    book.fact("mt_mistral_q_heads", lc["q_heads"], fmt="d")
    book.fact("mt_mistral_kv_heads", lc["kv_heads"], fmt="d")
    book.fact("mt_mistral_layers", lc["layers"], fmt="d")
    book.fact("mt_mistral_window", lc["window"], fmt=",d")
    book.fact("mt_mistral_reach", lc["reach"], fmt=",d",
              expected=lc["layers"] * (lc["window"] - 1),
              source="n_layers × (window − 1)")
    s = scale_facts()
    book.fact("mt_stages", PIPELINE_STAGES, fmt="d")
    book.fact("mt_microbatches_few", FEW_MICROBATCHES, fmt="d")
    book.fact("mt_microbatches_many", MANY_MICROBATCHES, fmt="d")
    book.fact("mt_bubble_few", 100 * s["bubble_few"], fmt=".0f", unit="%",
              expected=100 * bubble_fraction_formula(PIPELINE_STAGES, 1),
              source="(p−1)/(m+p−1)")
    book.fact("mt_bubble_many", 100 * s["bubble_many"], fmt=".1f", unit="%",
              expected=100 * bubble_fraction_formula(PIPELINE_STAGES, 16),
              source="(p−1)/(m+p−1)")
    book.fact("mt_train_7b_gb", to_gb(s["train_7b"]), fmt=".0f", unit="GB")
    parts = s["parts_7b"]
    book.fact("mt_llama7_params_b", s["llama7"] / 1e9, fmt=".2f", unit="billion")
    book.fact("mt_weights_7b_gb", to_gb(parts["weights"]), fmt=".1f", unit="GB")
    book.fact("mt_weights_grads_7b_gb", to_gb(parts["weights"] + parts["gradients"]),
              fmt=".1f", unit="GB")
    book.fact("mt_bytes_per_param", parts["total"] / s["llama7"], fmt=".0f",
              unit="bytes", expected=16, source="2 + 2 + 12, mixed-precision Adam")
    book.fact("mt_optimizer_bytes", parts["optimizer_states"] / s["llama7"], fmt=".0f",
              unit="bytes", expected=12, source="fp32 master weights + 2 moments")
    book.fact("mt_zero_params_b", ZERO_PARAMS / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_zero_gpus", ZERO_GPUS, fmt="d")
    book.fact("mt_zero1_gb", to_gb(s["zero1"]), fmt=".1f", unit="GB", expected=31.4,
              rel_tol=0.01, source="ZeRO paper, Figure 1: 31.4 GB")
    book.fact("mt_zero0_gb", to_gb(s["zero0"]), fmt=".0f", unit="GB", expected=120,
              rel_tol=0.01, source="ZeRO paper, Figure 1: 120 GB")
    book.fact("mt_spec_alpha", DRAFT_ACCEPT_RATE, fmt=".1f")
    book.fact("mt_spec_k", DRAFT_TOKENS, fmt="d")
    book.fact("mt_spec_tokens", s["speculative"], fmt=".2f",
              expected=(1 - DRAFT_ACCEPT_RATE ** (DRAFT_TOKENS + 1))
              / (1 - DRAFT_ACCEPT_RATE), source="Leviathan et al. 2023, eq. 1")
