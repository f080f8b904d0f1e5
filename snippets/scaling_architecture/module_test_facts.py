"""Numbers for the Module 5.3 test, each computed from the kernels and presets.

Shown on: docs/5.3-scaling-architecture/module-test.md. Facts only, no figure.
"""

import torch

import dataclasses

from kernels.costs import attention_score_flops, kv_cache_bytes, param_count, to_gb
from kernels.hardware import A100_80GB
from kernels.moe import load_balancing_loss
from kernels.pipeline_schedule import bubble_fraction_formula, gpipe_schedule
from kernels.presets import get_preset
from kernels.sparse import count_scores, dilated_mask, receptive_field
from kernels.speculative import expected_tokens_per_step
from kernels.training_memory import (ring_allreduce_bytes_per_gpu,
                                    training_memory_bytes, zero_memory_per_gpu)

PIPELINE_STAGES = 4
FEW_MICROBATCHES, MANY_MICROBATCHES = 1, 16
DRAFT_ACCEPT_RATE, DRAFT_TOKENS = 0.8, 4
ZERO_PARAMS, ZERO_GPUS = 7_500_000_000, 64  # the ZeRO paper's worked example
RING_GPUS = 4                  # data-parallel GPUs in the all-reduce question
DP_GPUS_7B = 16                # GPUs in the data-parallel-limits question
FEWER_HEADS = 8                # the "fewer heads" proposal for Mistral 7B
DILATED_KEYS, DILATION = 4, 3  # the dilated-attention question
TP_PP_GPUS = 8                 # the tensor-vs-pipeline question, GPT-3
BYTES_BF16 = 2


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
        weights_bf16=BYTES_BF16 * counts["total"], n_experts=n,
        top_k=mixtral.experts_per_token,
        per_expert=3 * mixtral.d_model * mixtral.d_ff,          # SwiGLU: 3 matrices
        d_model=mixtral.d_model, d_ff=mixtral.d_ff,
        two_matrix_total=param_count(dataclasses.replace(mixtral, ffn="gelu"))["total"])
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
    # "Fewer heads": 8 heads of d_model/8 channels, each caching its own K and V.
    fewer_dim = mistral.d_model // FEWER_HEADS
    fewer = kv_cache_bytes(mistral, seq_len=8192, n_kv_heads=FEWER_HEADS,
                           head_dim=fewer_dim)
    dilated = dilated_mask(64, DILATED_KEYS, DILATION)
    return dict(flops_ratio=double / short, kv_saving=mha / gqa, mqa_saving=mha / mqa,
                fewer_dim=fewer_dim, fewer_vs_mha=fewer / mha,
                dilated_scores_last=int(dilated[-1].sum()),
                dilated_span=int(63 - dilated[-1].nonzero().min()) + 1,
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
        speculative=expected_tokens_per_step(DRAFT_ACCEPT_RATE, DRAFT_TOKENS),
        all_accepted=expected_tokens_per_step(1.0, DRAFT_TOKENS),
        grad_7b=BYTES_BF16 * llama7,
        ring_7b=ring_allreduce_bytes_per_gpu(BYTES_BF16 * llama7, RING_GPUS),
        zero1_7b=zero_memory_per_gpu(llama7, DP_GPUS_7B, stage=1)["total"],
        gpu=A100_80GB.memory_bytes)
# --8<-- [end:scale]


def main(book):
    m = moe_facts()
    book.fact("mt_mixtral_total_b", m["total"] / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_mixtral_active_b", m["active"] / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_mixtral_naive_b", m["naive"] / 1e9, fmt=".1f", unit="billion")
    book.fact("mt_mixtral_experts", m["n_experts"], fmt="d")
    book.fact("mt_mixtral_top_k", m["top_k"], fmt="d")
    book.fact("mt_mixtral_weights_gb", to_gb(m["weights_bf16"]), fmt=".1f", unit="GB")
    book.fact("mt_expert_params_m", m["per_expert"] / 1e6, fmt=".1f", unit="million")
    book.fact("mt_expert_two_matrix_m", m["per_expert"] * 2 / 3 / 1e6, fmt=".1f",
              unit="million")
    book.fact("mt_mixtral_d_model", m["d_model"], fmt=",d")
    book.fact("mt_mixtral_d_ff", m["d_ff"], fmt=",d")
    book.fact("mt_two_matrix_total_b", m["two_matrix_total"] / 1e9, fmt=".1f",
              unit="billion", expected=31.7, rel_tol=0.005,
              source="Mixtral with two-matrix experts")
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
    book.fact("mt_fewer_heads", FEWER_HEADS, fmt="d")
    book.fact("mt_fewer_head_dim", lc["fewer_dim"], fmt="d")
    book.claim("mt_fewer_same_cache", "exactly as large as",
               holds=lc["fewer_vs_mha"] == 1.0,
               because=f"fewer/MHA cache = {lc['fewer_vs_mha']}")
    book.fact("mt_dilated_keys", DILATED_KEYS, fmt="d")
    book.fact("mt_dilation", DILATION, fmt="d")
    book.fact("mt_dilated_scores", lc["dilated_scores_last"], fmt="d",
              expected=DILATED_KEYS, source="w keys per query")
    book.fact("mt_dilated_span", lc["dilated_span"], fmt="d",
              expected=(DILATED_KEYS - 1) * DILATION + 1, source="(w − 1)·k + 1")
    book.fact("mt_dilated_span_wrong", DILATED_KEYS * DILATION, fmt="d")
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
    book.fact("mt_spec_all_accepted", s["all_accepted"], fmt=".0f",
              expected=DRAFT_TOKENS + 1, source="k accepted + 1 bonus token")
    book.fact("mt_spec_three_accepted", DRAFT_TOKENS - 1, fmt="d")
    book.fact("mt_ring_gpus", RING_GPUS, fmt="d")
    book.fact("mt_grad_7b_gb", to_gb(s["grad_7b"]), fmt=".1f", unit="GB")
    book.fact("mt_ring_7b_gb", to_gb(s["ring_7b"]), fmt=".1f", unit="GB",
              expected=to_gb(s["grad_7b"]) * 2 * (RING_GPUS - 1) / RING_GPUS,
              source="2(N − 1)/N × gradient")
    book.fact("mt_ring_twice_gb", 2 * to_gb(s["grad_7b"]), fmt=".1f", unit="GB")
    book.fact("mt_ring_naive_gb", (RING_GPUS - 1) * to_gb(s["grad_7b"]), fmt=".1f",
              unit="GB")   # the whole gradient to each of the other N − 1 GPUs
    book.fact("mt_dp_gpus_7b", DP_GPUS_7B, fmt="d")
    book.fact("mt_gpu_gb", to_gb(s["gpu"]), fmt=".1f", unit="GB")
    book.fact("mt_gpu_gib", s["gpu"] / 2**30, fmt=".0f", unit="GiB")
    book.fact("mt_zero1_7b_gb", to_gb(s["zero1_7b"]), fmt=".1f", unit="GB")
    book.claim("mt_dp_7b_does_not_fit", "does not fit",
               holds=s["train_7b"] > s["gpu"] > s["zero1_7b"],
               because=f"{s['train_7b']:.3g} > {s['gpu']:.3g} > {s['zero1_7b']:.3g}")
    gpt3 = get_preset("gpt3-175b")
    book.fact("mt_gpt3_layers", gpt3.n_layers, fmt="d")
    book.fact("mt_tp_pp_gpus", TP_PP_GPUS, fmt="d")
    book.fact("mt_tp_allreduces", 2 * gpt3.n_layers, fmt="d")   # 2 per block
    book.fact("mt_pp_sends", TP_PP_GPUS - 1, fmt="d")           # one per boundary
    book.fact("mt_spec_tokens", s["speculative"], fmt=".2f",
              expected=(1 - DRAFT_ACCEPT_RATE ** (DRAFT_TOKENS + 1))
              / (1 - DRAFT_ACCEPT_RATE), source="Leviathan et al. 2023, eq. 1")
