"""Dense 13B vs Mixtral 8x7B vs a dense model with Mixtral's total parameters.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (parameter-compute
decoupling). Parameters from kernels.costs.param_count ("total" = stored, "active" =
touched by one token); FLOPs from kernels.costs.forward_flops_per_token (2 FLOPs per
active matmul parameter, plus attention scores averaged over the tokens of a causal
4,096-token sequence: token t scores t keys, (T + 1)/2 on average). There is no dense-47B preset, so
the third model is derived from Mixtral's preset: one feed-forward network as wide as
all eight experts together, used by every token.
"""

import dataclasses

from kernels.costs import forward_flops_per_token, param_count, to_gb, training_flops
from kernels.presets import get_preset

SEQ_LEN = 4096        # tokens of context the attention term of the FLOPs assumes
BYTES_PER_PARAM = 2   # bf16/fp16 weights
TRAIN_TOKENS = 10**12  # the second checkpoint's training run


# --8<-- [start:dense_twin]
def dense_twin(moe):
    """A dense model that stores what `moe` stores: one FFN n_experts times wider."""
    return dataclasses.replace(
        moe, name=f"dense twin of {moe.name}",
        d_ff=moe.d_ff * moe.n_experts,  # all experts' hidden units in one FFN
        n_experts=1, experts_per_token=1,  # ... and every token uses all of them
    )
# --8<-- [end:dense_twin]


# --8<-- [start:compute]
def compute():
    mixtral = get_preset("mixtral-8x7b")
    models = {
        "LLaMA 2 13B (dense)": get_preset("llama2-13b"),
        "Mixtral 8x7B (MoE, top-2 of 8)": mixtral,
        "Dense, Mixtral's total parameters": dense_twin(mixtral),
    }
    rows = {}
    for label, cfg in models.items():
        params = param_count(cfg)
        rows[label] = dict(
            cfg=cfg, total=params["total"], active=params["active"],
            flops=forward_flops_per_token(cfg, SEQ_LEN, causal=True),
            weights_bytes=params["total"] * BYTES_PER_PARAM,
            train_flops=training_flops(cfg, TRAIN_TOKENS),
        )
    return rows
# --8<-- [end:compute]


def main(book):
    rows = compute()
    dense13, mixtral, dense47 = rows.values()
    lines = ["| Model | Total parameters (stored) | Active parameters per token | "
             "Forward FLOPs per token | Weights in bf16 |",
             "|---|---:|---:|---:|---:|"]
    for label, r in rows.items():
        lines.append(
            f"| {label} | {r['total'] / 1e9:.1f} B | {r['active'] / 1e9:.1f} B | "
            f"{r['flops'] / 1e9:.1f} GFLOPs | {to_gb(r['weights_bytes']):.1f} GB |")
    book.table("\n".join(lines), caption=(
        "Three models, computed from the presets with kernels.costs. Forward FLOPs "
        "per token: 2 FLOPs (one multiply, one add) per active parameter that "
        "multiplies the token's activations (the input embedding lookup excluded), "
        "plus attention scores averaged over a causal "
        f"{SEQ_LEN:,}-token sequence (token t scores t keys, "
        f"{(SEQ_LEN + 1) / 2:,.1f} on average). The third row "
        "is not a real model: it is Mixtral's preset with its "
        f"{mixtral['cfg'].n_experts} experts merged into one feed-forward network "
        "that every token uses. Weights at "
        f"{BYTES_PER_PARAM} bytes per parameter; GB = 10⁹ bytes."))

    m = mixtral["cfg"]
    claim = "Mixtral paper / often quoted: 46.7B total, 12.9B active (≈47B / ≈13B)"
    book.fact("moe_mixtral_total_b", mixtral["total"] / 1e9, fmt=".1f", unit="B",
              expected=46.7, abs_tol=0.05, source=claim)
    book.fact("moe_mixtral_active_b", mixtral["active"] / 1e9, fmt=".1f", unit="B",
              expected=12.9, abs_tol=0.05, source=claim)
    book.fact("moe_dense13_total_b", dense13["total"] / 1e9, fmt=".1f", unit="B")
    book.fact("moe_dense47_total_b", dense47["total"] / 1e9, fmt=".1f", unit="B")
    book.fact("moe_dense13_gflops", dense13["flops"] / 1e9, fmt=".1f",
              unit="GFLOPs")
    book.fact("moe_mixtral_gflops", mixtral["flops"] / 1e9, fmt=".1f",
              unit="GFLOPs")
    book.fact("moe_dense47_gflops", dense47["flops"] / 1e9, fmt=".1f",
              unit="GFLOPs")
    # "13B-class compute": Mixtral's per-token FLOPs within 10 % of a dense 13B's
    book.fact("moe_mixtral_vs_dense13_flops_pct",
              100 * mixtral["flops"] / dense13["flops"], fmt=".0f", unit="%",
              expected=100, rel_tol=0.10,
              source="often quoted: Mixtral has 13B-class per-token compute")
    ratio13 = mixtral["flops"] / dense13["flops"]
    book.claim("moe_same_speed", "about the same compute per token",
               holds=abs(ratio13 - 1) < 0.10, because=f"Mixtral / dense 13B = {ratio13:.3f}")
    book.fact("moe_dense47_vs_mixtral_flops", dense47["flops"] / mixtral["flops"],
              fmt=".1f", unit="×")
    # "Mixtral uses ~3.5x more memory than its active parameter count suggests"
    book.fact("moe_total_over_active", mixtral["total"] / mixtral["active"],
              fmt=".1f", unit="×", disputes=3.5, rel_tol=0.02,
              source="often quoted: ~3.5x more memory than active parameters")
    book.fact("moe_claimed_total_over_active", 3.5, fmt=".1f", unit="×")
    book.fact("moe_mixtral_weights_gb", to_gb(mixtral["weights_bytes"]), fmt=".1f",
              unit="GB")
    book.fact("moe_dense13_weights_gb", to_gb(dense13["weights_bytes"]), fmt=".1f",
              unit="GB")
    book.fact("moe_seq_len", SEQ_LEN, fmt=",d", unit="tokens")
    book.fact("moe_bytes_per_param", BYTES_PER_PARAM, fmt="d")
    # The second checkpoint: 1T training tokens by the 6·N·D rule
    book.fact("moe_train_tokens", TRAIN_TOKENS, text="1 trillion")
    train13 = mixtral["train_flops"] / dense13["train_flops"]
    book.claim("moe_train_about_same", "About the same",
               holds=abs(train13 - 1) < 0.10,
               because=f"6ND, Mixtral active / dense 13B = {train13:.3f}")
    book.fact("moe_dense13_train_flops", dense13["train_flops"], fmt="sci:2",
              unit="FLOPs")
    book.fact("moe_mixtral_train_flops", mixtral["train_flops"], fmt="sci:2",
              unit="FLOPs")
    book.fact("moe_dense47_train_flops", dense47["train_flops"], fmt="sci:2",
              unit="FLOPs")
    # Mixtral's shape, for prose
    book.fact("moe_n_experts", m.n_experts, fmt="d")
    book.fact("moe_top_k", m.experts_per_token, fmt="d")
    book.fact("moe_n_layers", m.n_layers, fmt="d")
    book.fact("moe_d_model", m.d_model, fmt=",d")
    book.fact("moe_d_ff", m.d_ff, fmt=",d")
    book.fact("moe_dense47_d_ff", dense47["cfg"].d_ff, fmt=",d")
    book.fact("moe_active_expert_pct", 100 * m.experts_per_token / m.n_experts,
              fmt=".0f", unit="%")
