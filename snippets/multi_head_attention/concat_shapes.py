"""The shape walk of multi-head attention: input, per-head outputs, concat, W_O.

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
Shapes are those of the worked example (T = 4, d_model = 6, h = 2) computed by
running it, with GPT-2 small's beside them from the presets.
"""

import matplotlib.pyplot as plt

from kernels.presets import get_preset
from kernels.running_example import N_HEADS, two_heads


# --8<-- [start:compute]
def compute():
    r = two_heads()
    g = get_preset("gpt2-small")
    t = "n"
    stages = [
        ("input X", tuple(r["x"].shape), (t, g.d_model)),
        ("head 1 output", tuple(r["heads"][0]["out"].shape), (t, g.head_dim)),
        ("head 2 output", tuple(r["heads"][1]["out"].shape), (t, g.head_dim)),
        ("concat", tuple(r["concat"].shape), (t, g.d_model)),
        ("concat · $W_O$", tuple(r["out"].shape), (t, g.d_model)),
        ("+ X (residual)", tuple(r["residual"].shape), (t, g.d_model)),
    ]
    return stages, g
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, stages, g):
    fig, ax = plt.subplots(figsize=(7.7, 3.6))
    xs = [0, 2.2, 2.2, 4.4, 6.6, 8.8]
    ys = [0.5, 1.05, -0.05, 0.5, 0.5, 0.5]
    colours = [theme.muted, theme.accent, theme.contrast, theme.good, theme.warn,
               theme.muted]
    for (name, shape, big), x, y, c in zip(stages, xs, ys, colours):
        width = 1.6 * shape[1] / 6
        ax.add_patch(plt.Rectangle((x, y), width, 0.55, color=c, alpha=0.85))
        ax.text(x + width / 2, y + 0.27, f"{shape[0]}×{shape[1]}", ha="center",
                va="center", color=theme.background, fontsize=12, fontweight="bold")
        # Head 1's label goes above its box so it cannot run into head 2's box.
        above = name == stages[1][0]
        ax.text(x + width / 2, y + 0.63 if above else y - 0.08,
                f"{name}\nGPT-2: {big[0]}×{big[1]}", ha="center",
                va="bottom" if above else "top", fontsize=12, color=theme.fg)
    arrow = dict(arrowstyle="-|>", color=theme.fg, lw=1.5)
    for (x0, y0), (x1, y1) in (((1.65, 0.78), (2.15, 1.3)), ((1.65, 0.78),
                               (2.15, 0.25)), ((3.05, 1.3), (4.35, 0.85)),
                               ((3.05, 0.25), (4.35, 0.7)), ((6.05, 0.78),
                               (6.55, 0.78)), ((8.25, 0.78), (8.75, 0.78))):
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=arrow)
    ax.set_xlim(-0.2, 10.6)
    ax.set_ylim(-0.65, 2.1)
    ax.axis("off")
    return fig
# --8<-- [end:draw]


def main(book):
    stages, g = compute()
    assert stages[3][1][1] == stages[0][1][1]  # concat restores d_model
    book.fact("mh_heads", N_HEADS, fmt="d")
    book.fact("mh_d_model", stages[0][1][1], fmt="d")
    book.fact("mh_d_k", stages[1][1][1], fmt="d")
    book.figure(
        lambda theme: draw(theme, stages, g),
        alt=("Boxes left to right: input X 4×6; two head outputs 4×3 each; concat "
             "4×6; concat times W_O 4×6; plus X, 4×6. Under each, GPT-2's shape: "
             "n×768, n×64 per head, n×768."),
        caption=("The shape walk of the worked example (T = 4 tokens, d_model = 6, "
                 "two heads of d_k = 3), with GPT-2 small's shapes for n tokens "
                 "under each box. Concatenation restores the width; W_O then mixes "
                 "across the heads' slices."))
