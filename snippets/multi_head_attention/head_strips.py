"""d_model split into head strips: GPT-2 small (12 × 64) and GPT-3 (96 × 128).

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
"""

import matplotlib.pyplot as plt

from kernels.presets import get_preset


# --8<-- [start:draw]
def draw(theme, models):
    fig, axes = plt.subplots(len(models), 1, figsize=(7.7, 1.4 * len(models) + 0.4))
    for ax, m in zip(axes, models):
        colours = theme.series
        for h in range(m.n_heads):
            ax.add_patch(plt.Rectangle((h / m.n_heads, 0), 1 / m.n_heads, 1,
                                       color=colours[h % len(colours)],
                                       ec=theme.background, lw=0.6 if m.n_heads < 50
                                       else 0.1))
        if m.n_heads <= 16:
            for h in range(m.n_heads):
                ax.text((h + 0.5) / m.n_heads, 0.5, str(m.head_dim), ha="center",
                        va="center", fontsize=12, color=theme.background)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        ax.set_title(f"{m.name}: $d_{{model}}$ = {m.d_model:,} = {m.n_heads} heads × "
                     f"$d_k$ = {m.head_dim}", fontsize=13, loc="left")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    models = [get_preset("gpt2-small"), get_preset("gpt3-175b")]
    for m in models:
        assert m.n_heads * m.head_dim == m.d_model  # the strips fill the width
    book.figure(
        lambda theme: draw(theme, models),
        alt=("Two horizontal bars of equal width. The first, GPT-2 small, is cut into "
             "12 coloured strips labelled 64. The second, GPT-3, is cut into 96 thin "
             "strips of 128."),
        caption=("Heads divide the model width; they do not add to it. Each strip is "
                 "one head's slice of d_model; together the strips are exactly the "
                 "width one head would have had."))
