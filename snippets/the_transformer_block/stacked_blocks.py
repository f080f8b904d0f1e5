"""Blocks stacked on one residual stream, from embeddings to the output head.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md.
Block counts and widths from the gpt2-small and gpt3-175b presets.
"""

import matplotlib.pyplot as plt

from kernels.presets import get_preset
from snippets.the_transformer_block._diagram import add_node, arrow, box, colours, label

SHOWN = (1, 2, None, "N")  # blocks drawn; None is the gap


# --8<-- [start:draw]
def draw(theme, gpt2, gpt3):
    c = colours(theme)
    fig, ax = plt.subplots(figsize=(8.6, 8.3))
    ax.set_xlim(-0.5, 14)
    ax.set_ylim(-0.6, 15.0)
    ax.axis("off")
    sx = 3.0
    ax.plot([sx, sx], [1.2, 13.2], color=c["stream"], linewidth=5,
            solid_capstyle="butt")
    box(ax, sx, 0.6, 6.6, 1.0, "token + position embeddings", c["embed"], theme)
    box(ax, sx, 13.8, 6.6, 1.0, "final LayerNorm → output head", c["embed"], theme)
    y = 1.6
    for name in SHOWN:
        if name is None:
            ax.text(sx + 3.6, y + 0.9, "⋮", ha="center", fontsize=22, color=c["fg"])
            y += 1.8
            continue
        # one block = a read by attention, a write by the FFN, both added
        ax.add_patch(plt.Rectangle((sx - 0.6, y), 7.6, 2.6, facecolor="none",
                                   edgecolor=c["muted"], linestyle="--"))
        label(ax, sx + 6.9, y + 2.35, f"block {name}", theme, ha="right",
              colour=c["fg"], size=12, fontweight="bold")
        for dy, text, edge in ((0.3, "LN → attention", c["attn"]),
                               (1.45, "LN → FFN", c["ffn"])):
            ax.plot([sx, sx + 1.2], [y + dy, y + dy], color=c["fg"], linewidth=1.3)
            box(ax, sx + 2.75, y + dy + 0.35, 3.1, 0.7, text, edge, theme, size=12)
            arrow(ax, (sx + 4.3, y + dy + 0.35), (sx + 4.8, y + dy + 0.35), c["fg"])
            ax.plot([sx + 4.8, sx + 4.8, sx + 0.25], [y + dy + 0.35, y + dy + 0.85,
                    y + dy + 0.85], color=c["fg"], linewidth=1.3)
            add_node(ax, sx, y + dy + 0.85, theme, r=0.2)
        y += 3.1
    label(ax, 0.2, 7.0, r"residual stream" + "\n" + r"(n, $d_{model}$)", theme, colour=c["stream"],
          size=12, rotation=90, ha="center")
    label(ax, 10.4, 4.6, f"GPT-2: N = {gpt2.n_layers}\n"
          f"{2 * gpt2.n_layers} sub-layers\n$d_{{model}}$ = {gpt2.d_model:,}", theme,
          colour=c["fg"], size=12)
    label(ax, 10.4, 11.2, f"GPT-3: N = {gpt3.n_layers}\n"
          f"{2 * gpt3.n_layers} sub-layers\n$d_{{model}}$ = {gpt3.d_model:,}", theme,
          colour=c["fg"], size=12)
    return fig
# --8<-- [end:draw]


def main(book):
    gpt2, gpt3 = get_preset("gpt2-small"), get_preset("gpt3-175b")
    book.figure(lambda theme: draw(theme, gpt2, gpt3), alt=(
        "A vertical residual stream runs from token and position embeddings at the "
        "bottom to a final LayerNorm and output head at the top. Dashed boxes mark "
        "block 1, block 2, a gap, and block N; each contains two branches, LayerNorm "
        "then attention and LayerNorm then FFN, whose outputs are added back to the "
        f"stream. Notes: GPT-2 has N = {gpt2.n_layers}, GPT-3 has N = "
        f"{gpt3.n_layers}."), caption=(
        "Stacking identical blocks on one stream. Every block takes and returns "
        "an (n, d_model) tensor, so any number of them can be chained; each "
        "sub-layer reads the stream and adds its result to it. Counts from the "
        "gpt2-small and gpt3-175b presets."))
