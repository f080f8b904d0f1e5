"""Which query heads share which key/value head: MHA, GQA and MQA for LLaMA 2 70B.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the GQA section).
Head counts come from the llama2-70b preset; the query-to-K/V assignment comes from
kernels.gqa.expand_kv (K/V head j serves query heads j·G … j·G + G − 1); the bytes
from kernels.costs.kv_cache_bytes (fp16, all layers, one token).
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
import torch

from kernels.costs import kv_cache_bytes
from kernels.gqa import expand_kv
from kernels.presets import get_preset

BYTES_FP16 = 2


# --8<-- [start:compute]
def serving_kv_head(n_query_heads, n_kv_heads):
    """For each query head, the index of the K/V head it reads, via expand_kv."""
    kv_ids = torch.arange(n_kv_heads, dtype=torch.float64).view(1, n_kv_heads, 1, 1)
    return expand_kv(kv_ids, n_query_heads).flatten().long().tolist()  # (Hq,)


def compute():
    cfg = get_preset("llama2-70b")
    variants = []
    for name, n_kv in (("MHA", cfg.n_heads), ("GQA", cfg.n_kv_heads), ("MQA", 1)):
        per_token = kv_cache_bytes(cfg, seq_len=1, n_kv_heads=n_kv,
                                   bytes_per_element=BYTES_FP16)
        variants.append((name, n_kv, serving_kv_head(cfg.n_heads, n_kv), per_token))
    return cfg, variants
# --8<-- [end:compute]


def _size(n_bytes):
    return f"{n_bytes / 1e6:.2f} MB" if n_bytes >= 1e6 else f"{n_bytes / 1e3:.0f} kB"


# --8<-- [start:draw]
def draw(theme, cfg, variants):
    hq = cfg.n_heads
    fig, ax = plt.subplots(figsize=(10, 5.6))
    colours = (theme.accent, theme.contrast)
    for row, (name, n_kv, serves, per_token) in enumerate(variants):
        top = -row * 3.0             # query heads at y = top, K/V heads 1.4 below
        width = hq / n_kv            # a K/V head sits under its group of queries
        for j in range(n_kv):
            colour = colours[j % 2] if n_kv < hq else theme.accent
            # Drawn as wide as one query head (it caches one head's K and V), so
            # the total K/V area in a row is proportional to that row's cache.
            ax.add_patch(Rectangle(((j + 0.5) * width - 0.38, top - 1.9), 0.76, 0.55,
                                   color=colour))
        for i, j in enumerate(serves):
            colour = colours[j % 2] if n_kv < hq else theme.accent
            ax.add_patch(Rectangle((i + 0.12, top), 0.76, 0.55, color=colour))
            ax.plot([i + 0.5, (j + 0.5) * width], [top, top - 1.35],
                    color=theme.muted, lw=0.6)
        ax.text(-1.5, top - 0.6, f"{name}\n{hq} Q / {n_kv} K/V", ha="right",
                va="center", fontweight="bold", color=theme.fg)
        ax.text(hq + 1.5, top - 0.6, f"cached per token:\n{_size(per_token)}",
                ha="left", va="center", color=theme.fg)
    ax.text(hq / 2, 0.9, f"{hq} query heads (each with its own $W_Q$)", ha="center",
            color=theme.muted)
    ax.text(hq / 2, -2.0 * 3.0 - 2.35, "K/V heads: the only part that is cached",
            ha="center", va="top", color=theme.muted)
    ax.set_xlim(-17, hq + 19)
    ax.set_ylim(-2 * 3.0 - 2.9, 1.5)
    ax.axis("off")
    return fig
# --8<-- [end:draw]


def main(book):
    cfg, variants = compute()
    (_, mha_kv, _, mha), (_, gqa_kv, serves, gqa), (_, _, _, mqa) = variants
    group = cfg.n_heads // cfg.n_kv_heads
    assert serves[:group] == [0] * group and serves[group] == 1  # consecutive groups
    book.fact("lc_gqa_group_size", group, fmt="d")
    book.fact("lc_kv_per_token_mha_mb", mha / 1e6, fmt=".2f", unit="MB")
    book.fact("lc_kv_per_token_gqa_kb", gqa / 1e3, fmt=".0f", unit="kB")
    book.fact("lc_kv_per_token_mqa_kb", mqa / 1e3, fmt=".0f", unit="kB")
    book.fact("lc_mqa_saving", mha / mqa, fmt=".0f", unit="×",
              expected=cfg.n_heads, source="64 K/V heads down to 1")
    book.figure(
        lambda theme: draw(theme, cfg, variants),
        alt=(f"Three rows of {cfg.n_heads} small query-head boxes, each joined by a "
             f"line to the K/V head it reads. MHA: {mha_kv} K/V boxes, one per query "
             f"head, {_size(mha)} cached per token. GQA: {gqa_kv} K/V boxes, each "
             f"joined to {group} consecutive query heads, {_size(gqa)} per token. "
             f"MQA: one K/V box joined to all {cfg.n_heads}, {_size(mqa)} per token. "
             "Every K/V box is as wide as one query-head box."),
        caption=(
            f"LLaMA 2 70B's {cfg.n_heads} query heads with three ways of providing "
            "keys and values. Every row keeps all the query heads; only the number "
            "of K/V heads changes, and with it the bytes cached for each token (fp16, "
            f"all {cfg.n_layers} layers). The lines are kernels.gqa.expand_kv's "
            f"assignment: in GQA each K/V head serves {group} neighbouring query "
            "heads, and colours mark the groups. Each K/V box is drawn as wide as one "
            "query head, so the row's total K/V width is proportional to its cache."),
    )
