"""Attention-score FLOPs from 1K to 128K tokens: the quadratic wall in numbers.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the compute barrier).
Convention (kernels.costs.attention_score_flops), the one this page uses throughout:
QKᵀ and weights·V only, causal pairs only (query i scores keys 1…i, T(T+1)/2 pairs,
what a decoder's causal kernel computes), 2 FLOPs per multiply-add.
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
        per_layer = attention_score_flops(n, cfg.n_heads, cfg.head_dim, causal=True)
        rows.append((n, n * (n + 1) // 2, per_layer, per_layer * cfg.n_layers))
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
    lines = ["| Context (tokens) | Causal query–key pairs | FLOPs per layer | "
             f"FLOPs, all {cfg.n_layers} layers | × the 1K cost |",
             "|---:|---:|---:|---:|---:|"]
    for n, pairs, per_layer, total in rows:
        lines.append(f"| {n:,} | {pairs:,} | {sci(per_layer)} | {sci(total)} | "
                     f"{per_layer / base:,.0f} |")
    book.table("\n".join(lines), caption=(
        f"Attention-score FLOPs for one sequence through LLaMA 2 70B ({cfg.n_heads} "
        f"query heads of {cfg.head_dim} channels, {cfg.n_layers} layers). Counted: "
        "the QKᵀ and weights·V matmuls over the causal pairs only (each query scores "
        "itself and the keys before it, T(T+1)/2 pairs), 2 FLOPs per multiply-add; "
        "not counted: projections, softmax, the feed-forward network."))
    longest, shortest = LENGTHS[-1], LENGTHS[0]
    ratio = rows[-1][2] / base
    # Causal pairs T(T+1)/2 grow as T² up to the diagonal's share, 1/T.
    book.fact("flops_ratio_128k_vs_1k", ratio, fmt=",.0f", unit="×",
              expected=(longest / shortest) ** 2, rel_tol=1e-3,
              source="(128K / 1K)² = 16,384, less the diagonal")
    book.fact("context_ratio_sq", (longest / shortest) ** 2, fmt=",.0f")
    book.claim("flops_ratio_is_square", "the length ratio squared, to within 0.1 %",
               holds=abs(ratio / (longest / shortest) ** 2 - 1) < 1e-3,
               because=f"ratio {ratio:.1f} vs {(longest / shortest) ** 2:.0f}")
    all_pairs_128k = attention_score_flops(longest, cfg.n_heads, cfg.head_dim)
    book.fact("flops_layer_128k_all_pairs", all_pairs_128k, fmt="sci:3", unit="FLOPs")
    book.claim("causal_half_of_all_pairs", "about half",
               holds=abs(rows[-1][2] / all_pairs_128k - 0.5) < 0.01,
               because=f"causal/all = {rows[-1][2] / all_pairs_128k:.4f}")
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
