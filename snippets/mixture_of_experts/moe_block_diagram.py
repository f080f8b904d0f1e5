"""A standard transformer block beside an MoE block, labelled from Mixtral's preset.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (MoE architecture).
Drawn with matplotlib patches. Every size in a label comes from
kernels.presets ("mixtral-8x7b"); the two highlighted experts are the ones the seeded
toy router of kernels.moe.route_tokens picks for one token (see moe_token_routing).
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from kernels.moe import route_tokens
from kernels.presets import get_preset
from snippets.mixture_of_experts.moe_token_routing import SEED, token_ids

WORD = "cell"  # one word of the routing figure's sentence


# --8<-- [start:compute]
def compute():
    cfg = get_preset("mixtral-8x7b")
    indices, weights = route_tokens(token_ids([WORD]), n_experts=cfg.n_experts,
                                    k=cfg.experts_per_token, seed=SEED)
    chosen = dict(zip(indices[0].tolist(), weights[0].tolist()))  # expert -> weight
    return cfg, chosen
# --8<-- [end:compute]


def _box(ax, x, y, w, h, text, face, edge, fg, dashed=False, size=12):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0.02,rounding_size=0.15",
                                facecolor=face, edgecolor=edge, linewidth=1.6,
                                linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", color=fg, fontsize=size)


def _arrow(ax, start, end, colour, style="-|>", connection="arc3"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=14,
                                 color=colour, linewidth=1.4,
                                 connectionstyle=connection, shrinkA=0, shrinkB=0))


def _add(ax, x, y, theme):
    ax.add_patch(Circle((x, y), 0.28, facecolor=theme.panel, edgecolor=theme.fg,
                        linewidth=1.4))
    ax.text(x, y, "+", ha="center", va="center", color=theme.fg, fontsize=14)


# --8<-- [start:draw]
def draw(theme, cfg, chosen):
    fig, ax = plt.subplots(figsize=(10, 7.6))
    ax.set_xlim(0, 20)
    ax.set_ylim(-1.7, 14.0)
    ax.axis("off")
    shared = dict(face=theme.panel, edge=theme.accent, fg=theme.fg)
    shape = f"{cfg.d_model:,} → {cfg.d_ff:,} → {cfg.d_model:,}"
    for cx, title, sub in (
            (5, "Dense transformer block", f"one FFN, {shape}"),
            (15, "MoE block (Mixtral)",
             f"{cfg.n_experts} experts, each {shape}")):
        ax.text(cx, 13.55, title, ha="center", fontsize=14, fontweight="bold",
                color=theme.fg)
        ax.text(cx, 12.95, sub, ha="center", fontsize=12, color=theme.muted)
        ax.text(cx, 0.0, "residual stream in ($d_{\\mathrm{model}}$ = "
                f"{cfg.d_model:,})",
                ha="center", va="center", color=theme.muted, fontsize=12)
        _box(ax, cx, 1.3, 4.2, 0.8, "RMSNorm", **shared)
        _box(ax, cx, 2.9, 6.4, 1.4, f"self-attention\n{cfg.n_heads} query heads, "
             f"{cfg.n_kv_heads} K/V heads", size=12, **shared)
        _add(ax, cx, 4.3, theme)
        _box(ax, cx, 5.3, 4.2, 0.8, "RMSNorm", **shared)
        _add(ax, cx, 11.4, theme)
        ax.text(cx, 12.25, "residual stream out", ha="center", va="center",
                color=theme.muted, fontsize=12)
        for y0, y1 in ((0.3, 0.9), (1.7, 2.2), (3.6, 4.02), (4.58, 4.9),
                       (11.68, 12.0)):
            _arrow(ax, (cx, y0), (cx, y1), theme.fg)
        # residual connections: each sub-layer's input skips around it to a "+"
        rx = cx - 3.8
        for y0, y1 in ((0.55, 4.3), (4.72, 11.4)):
            ax.plot([cx, rx, rx], [y0, y0, y1], color=theme.muted, linewidth=1.4)
            _arrow(ax, (rx, y1), (cx - 0.28, y1), theme.muted)
        ax.text(rx - 0.35, 8.0, "residual", rotation=90, ha="center", va="center",
                color=theme.muted, fontsize=12)

    # dense: one FFN that every token uses in full
    _box(ax, 5, 8.35, 5.6, 4.3, f"feed-forward network\n\n{shape}\n\n"
         "every token uses\nevery weight", size=12, **shared)
    _arrow(ax, (5, 5.7), (5, 6.2), theme.fg)
    _arrow(ax, (5, 10.5), (5, 11.12), theme.fg)

    # MoE: router, then n_experts experts of which top-k run
    router = dict(face=theme.panel, edge=theme.contrast, fg=theme.fg)
    _box(ax, 15, 6.75, 5.4, 1.3, f"router: {cfg.d_model:,} → {cfg.n_experts} "
         f"scores\nsoftmax, keep top-{cfg.experts_per_token}", **router)
    _arrow(ax, (15, 5.7), (15, 6.1), theme.fg)
    width, gap = 0.84, 0.06
    left = 15 - (cfg.n_experts * width + (cfg.n_experts - 1) * gap) / 2 + width / 2
    for e in range(cfg.n_experts):
        x = left + e * (width + gap)
        on = e in chosen
        _box(ax, x, 8.85, width, 1.5, f"E{e}",
             face=theme.panel, edge=theme.good if on else theme.muted,
             fg=theme.fg if on else theme.muted, dashed=not on, size=12)
        if on:
            _arrow(ax, (15, 7.4), (x, 8.1), theme.good)
            _arrow(ax, (x, 9.6), (15, 10.1), theme.good)
    _box(ax, 15, 10.5, 7.1, 0.7, "weighted sum of chosen experts",
         face=theme.panel, edge=theme.good, fg=theme.fg, size=12)
    _arrow(ax, (15, 10.8), (15, 11.12), theme.fg)
    ax.plot([10, 10], [-0.4, 13.2], color=theme.grid, linestyle="--", linewidth=1.2)

    # legend
    items = ((theme.accent, "-", "shared: same in both blocks"),
             (theme.contrast, "-", "router"),
             (theme.good, "-", f"the {cfg.experts_per_token} experts chosen "
              "for this token"),
             (theme.muted, "--", "idle experts (stored, not run)"))
    for i, (colour, style, label) in enumerate(items):
        x, y = (1.0 if i % 2 == 0 else 10.6), (-0.9 if i < 2 else -1.45)
        ax.plot([x, x + 0.7], [y, y], color=colour, linestyle=style, linewidth=2.2)
        ax.text(x + 0.9, y, label, va="center", color=theme.fg, fontsize=12)
    return fig
# --8<-- [end:draw]


def main(book):
    cfg, chosen = compute()
    experts = sorted(chosen)
    book.figure(
        lambda theme: draw(theme, cfg, chosen),
        alt=("Two transformer blocks side by side. Both have the same RMSNorm, "
             f"self-attention ({cfg.n_heads} query heads, {cfg.n_kv_heads} K/V heads) "
             "and residual additions. The dense block then has one feed-forward "
             f"network of {cfg.d_model:,} → {cfg.d_ff:,} → {cfg.d_model:,}. "
             "The MoE "
             f"block has a router producing {cfg.n_experts} scores and keeping the "
             f"top {cfg.experts_per_token}, {cfg.n_experts} experts of the same "
             f"shape, of which experts {experts[0]} and {experts[1]} are highlighted "
             "as chosen, and a weighted sum of their outputs."),
        caption=(
            "Only the feed-forward half of the block changes. Left: a dense block "
            f"with Mixtral's sizes (\\(d_\\text{{model}}\\) = {cfg.d_model:,}, "
            f"\\(d_\\text{{ff}}\\) = {cfg.d_ff:,}). "
            f"Right: Mixtral's block, where a router scores {cfg.n_experts} experts "
            f"of that same shape and each token runs only its top "
            f"{cfg.experts_per_token}; their outputs, weighted by the router, are "
            "added to the residual stream. Attention, norms and residual "
            "connections are identical. Sizes come from the mixtral-8x7b preset; "
            f"the highlighted experts ({experts[0]} and {experts[1]}) are the "
            f"seeded toy router's choice for the word '{WORD}' in the routing "
            "figure below."),
    )
