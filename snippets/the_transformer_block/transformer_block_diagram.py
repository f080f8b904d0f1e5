"""One pre-norm transformer block with the shape of the data at every stage.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md.
Every size comes from the gpt2-small preset; the order of operations is the one
kernels/gpt2.py's Block runs (x + attn(ln_1(x)), then x + mlp(ln_2(x))).
"""

import matplotlib.pyplot as plt

from kernels.presets import get_preset
from snippets.the_transformer_block._diagram import add_node, arrow, box, colours, label

STREAM_X, BRANCH_X = 3.2, 8.2


def _branch(ax, c, y_split, y_box_bottom, y_box_top, y_add, dims_in, dims_out, theme):
    """Stream -> right -> up into a sub-layer; its output back left into a ⊕."""
    ax.plot([STREAM_X, BRANCH_X, BRANCH_X], [y_split, y_split, y_box_bottom],
            color=c["stream"], linewidth=1.6)
    arrow(ax, (BRANCH_X, y_box_bottom - 0.3), (BRANCH_X, y_box_bottom), c["stream"])
    ax.plot([BRANCH_X, BRANCH_X], [y_box_top, y_add], color=c["fg"], linewidth=1.5)
    arrow(ax, (BRANCH_X, y_add), (STREAM_X + 0.25, y_add), c["fg"])
    label(ax, STREAM_X + 0.3, y_split + 0.25, f"copy {dims_in}", theme)
    label(ax, STREAM_X + 0.45, y_add + 0.28, f"add {dims_out}", theme)


# --8<-- [start:draw]
def draw(theme, cfg):
    c = colours(theme)
    d, ff, h, hd = cfg.d_model, cfg.d_ff, cfg.n_heads, cfg.head_dim
    shape = f"(n, {d:,})"
    fig, ax = plt.subplots(figsize=(8.6, 10.2))
    ax.set_xlim(0, 12)
    ax.set_ylim(-0.2, 14.2)
    ax.axis("off")
    # the residual stream: one straight line from input to output
    ax.plot([STREAM_X, STREAM_X], [0.6, 13.3], color=c["stream"], linewidth=5,
            solid_capstyle="butt")
    arrow(ax, (STREAM_X, 13.2), (STREAM_X, 13.7), c["stream"], width=3)
    label(ax, STREAM_X, 0.25, f"x in: {shape}, one vector per token", theme,
          ha="center", size=12, colour=c["fg"])
    label(ax, STREAM_X, 14.0, f"x out: {shape} → next block", theme, ha="center",
          size=12, colour=c["fg"])
    ax.text(1.2, 7.0, f"residual stream {shape}", rotation=90, ha="center",
            va="center", color=c["stream"], fontsize=12, fontweight="bold")

    # sub-layer 1: LayerNorm -> multi-head attention -> add
    _branch(ax, c, 1.1, 1.75, 5.55, 6.2, shape, shape, theme)
    box(ax, BRANCH_X, 2.2, 3.6, 0.8, "LayerNorm 1", c["norm"], theme)
    arrow(ax, (BRANCH_X, 2.6), (BRANCH_X, 3.2), c["fg"])
    label(ax, BRANCH_X + 0.15, 2.9, shape, theme)
    box(ax, BRANCH_X, 4.35, 4.6, 2.3,
        f"multi-head attention\n{h} heads × {hd} dims\nQ, K, V, O: {d}×{d} each\n"
        "mixes tokens: reads", c["attn"], theme)
    add_node(ax, STREAM_X, 6.2, theme)

    # sub-layer 2: LayerNorm -> FFN (expand, GELU, contract) -> add
    _branch(ax, c, 6.9, 7.55, 11.95, 12.45, shape, shape, theme)
    box(ax, BRANCH_X, 8.0, 3.6, 0.8, "LayerNorm 2", c["norm"], theme)
    arrow(ax, (BRANCH_X, 8.4), (BRANCH_X, 8.95), c["fg"])
    label(ax, BRANCH_X + 0.15, 8.68, shape, theme)
    box(ax, BRANCH_X, 10.45, 4.6, 3.0,
        f"feed-forward network\nLinear {d} → {ff:,}\nGELU on (n, {ff:,})\n"
        f"Linear {ff:,} → {d}\nper token: writes", c["ffn"], theme)
    add_node(ax, STREAM_X, 12.45, theme)

    items = ((c["stream"], "residual stream"), (c["norm"], "LayerNorm"),
             (c["attn"], "attention"), (c["ffn"], "feed-forward"))
    for i, (colour, text) in enumerate(items):
        y = 13.6 - 0.45 * i
        ax.plot([9.6, 10.1], [y, y], color=colour, linewidth=3)
        label(ax, 10.25, y, text, theme, size=12, colour=c["fg"])
    return fig
# --8<-- [end:draw]


def main(book):
    cfg = get_preset("gpt2-small")
    d, ff = cfg.d_model, cfg.d_ff
    book.figure(
        lambda theme: draw(theme, cfg),
        alt=(f"A vertical residual stream of shape (n, {d}) runs from the block's "
             "input at the bottom to its output at the top. A first branch copies it "
             f"into LayerNorm 1 and multi-head attention ({cfg.n_heads} heads of "
             f"{cfg.head_dim} dimensions) and adds the (n, {d}) result back at a plus "
             "node. A second branch copies the updated stream into LayerNorm 2 and a "
             f"feed-forward network that expands to {ff} dimensions, applies GELU and "
             f"contracts back to {d}, and adds that back at a second plus node."),
        caption=(
            "A pre-norm transformer block with GPT-2's sizes. The residual stream "
            f"(n tokens × {d:,}) runs straight through; each sub-layer reads a "
            "normalised copy and adds its result back. Only inside the feed-forward "
            f"network is the width different ({ff:,}). Sizes from the gpt2-small "
            "preset; order of operations as in kernels/gpt2.py."),
    )
