"""Raw XXᵀ beside projected QKᵀ: the same four tokens, symmetric vs asymmetric.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

import matplotlib.pyplot as plt

from kernels.running_example import TOKENS, running_example
from snippets.attention_plots import diverging, heatmap


# --8<-- [start:draw]
def draw(theme, ex):
    fig, axes = plt.subplots(2, 2, figsize=(7.7, 7.4))
    top = float(max(abs(ex["raw_scores"]).max(), abs(ex["scores"]).max()))
    panels = ((ex["raw_scores"], "scores XXᵀ (lesson 4.2.1)", "{:.0f}", True),
              (ex["scores"], "scores QKᵀ (this lesson)", "{:.0f}", True),
              (ex["raw_weights"], "weights softmax(XXᵀ)", "{:.2f}", False),
              (ex["weights"], "weights softmax(QKᵀ/√3)", "{:.2f}", False))
    for ax, (m, title, fmt, signed) in zip(axes.flat, panels):
        if signed:
            heatmap(ax, m, TOKENS, TOKENS, theme, fmt=fmt, vmin=-top, vmax=top,
                    cmap=diverging(theme), fontsize=12)
        else:
            heatmap(ax, m, TOKENS, TOKENS, theme, fmt=fmt, vmin=0, vmax=1,
                    fontsize=12)
        ax.set_title(title, fontsize=13)
    fig.supylabel("row: query token", fontsize=12)
    fig.supxlabel("column: key token", fontsize=12)
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    ex = running_example()
    book.figure(
        lambda theme: draw(theme, ex),
        alt=("Four 4-by-4 heatmaps over The, cat, sat, here. Top left, raw scores "
             "XXᵀ: a mirror image across the diagonal. Top right, QKᵀ: cells differ "
             "from their mirrors, for example The-to-cat is 7 but cat-to-The is 1. "
             "Bottom row: the corresponding softmax weights."),
        caption=("The same four tokens scored two ways. Left: raw dot products of "
                 "the embeddings, symmetric. Right: queries against keys, "
                 "asymmetric—the score of row i for column j no longer equals the "
                 "score of row j for column i."))
