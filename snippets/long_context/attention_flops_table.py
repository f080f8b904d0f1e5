"""Attention-score FLOPs from 1K to 128K tokens: the quadratic wall in numbers.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the compute barrier).
Convention (kernels.costs.attention_score_flops): QKᵀ and weights·V only, every
query–key pair counted (no causal halving), 2 FLOPs per multiply-add.
"""

from kernels.costs import attention_score_flops
from kernels.presets import get_preset
from snippets.formatting import sci

MODEL = "llama2-70b"
LENGTHS = (1024, 4096, 32768, 131072)


# --8<-- [start:compute]
def compute():
    cfg = get_preset(MODEL)
    rows = []
    for n in LENGTHS:
        per_layer = attention_score_flops(n, cfg.n_heads, cfg.head_dim)
        rows.append((n, n * n, per_layer, per_layer * cfg.n_layers))
    return cfg, rows


CLAIMED_LENGTH = 100_000     # a figure often quoted:
CLAIMED_FLOPS = 3.8e14       # "~3.8×10¹⁴ FLOPs per layer at 100K tokens, 96 heads"


def gpt3_flops_at_100k():
    """Recompute the quoted claim with GPT-3's head shape, full and causal."""
    gpt3 = get_preset("gpt3-175b")
    full = attention_score_flops(CLAIMED_LENGTH, gpt3.n_heads, gpt3.head_dim)
    causal = attention_score_flops(CLAIMED_LENGTH, gpt3.n_heads, gpt3.head_dim,
                                   causal=True)
    return gpt3, full, causal
# --8<-- [end:compute]


def main(book):
    cfg, rows = compute()
    base = rows[0][2]
    lines = ["| Context (tokens) | Query–key pairs | FLOPs per layer | "
             f"FLOPs, all {cfg.n_layers} layers | × the 1K cost |",
             "|---:|---:|---:|---:|---:|"]
    for n, pairs, per_layer, total in rows:
        lines.append(f"| {n:,} | {pairs:,} | {sci(per_layer)} | {sci(total)} | "
                     f"{per_layer // base:,} |")
    book.table("\n".join(lines), caption=(
        f"Attention-score FLOPs for one sequence through LLaMA 2 70B ({cfg.n_heads} "
        f"query heads of {cfg.head_dim} channels, {cfg.n_layers} layers). Counted: "
        "the QKᵀ and weights·V matmuls for every query–key pair, 2 FLOPs per "
        "multiply-add; not counted: projections, softmax, the feed-forward network."))
    longest, shortest = LENGTHS[-1], LENGTHS[0]
    book.fact("flops_ratio_128k_vs_1k", rows[-1][2] / base, fmt=",.0f", unit="×",
              expected=(longest / shortest) ** 2, source="(128K / 1K)² = 16,384")
    book.fact("flops_layer_1k", rows[0][2], fmt="sci:3", unit="FLOPs")
    book.fact("flops_layer_128k", rows[-1][2], fmt="sci:3", unit="FLOPs")
    book.fact("flops_model_128k", rows[-1][3], fmt="sci:3", unit="FLOPs")
    book.fact("context_ratio_128k_vs_1k", longest / shortest, fmt=".0f")
    book.fact("context_short", shortest, text=f"{shortest // 1024}K")
    book.fact("context_long", longest, text=f"{longest // 1024}K")
    gpt3, full, causal = gpt3_flops_at_100k()
    claim = "often quoted: ~3.8×10¹⁴ FLOPs per layer at 100K tokens, 96 heads"
    book.fact("gpt3_heads", gpt3.n_heads, fmt="d")
    book.fact("gpt3_head_dim", gpt3.head_dim, fmt="d")
    book.fact("claimed_length", CLAIMED_LENGTH, text=f"{CLAIMED_LENGTH // 1000}K")
    book.fact("claimed_gpt3_flops", CLAIMED_FLOPS, fmt="sci:2", unit="FLOPs")
    book.fact("gpt3_attention_flops_100k", full, fmt="sci:2", unit="FLOPs",
              disputes=CLAIMED_FLOPS, rel_tol=0.05, source=claim)
    book.fact("gpt3_attention_flops_100k_causal", causal, fmt="sci:2", unit="FLOPs",
              disputes=CLAIMED_FLOPS, rel_tol=0.05, source=claim)
