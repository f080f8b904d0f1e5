"""Which tokens "it" can draw on: a convolution's window vs attention's all pairs.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
"""

import matplotlib.pyplot as plt

from kernels.running_example import SENTENCE

KERNEL = 3  # a width-3 convolution: the token and one neighbour on each side


# --8<-- [start:compute]
def compute():
    it = SENTENCE.index("it")
    mat, cat = SENTENCE.index("mat"), SENTENCE.index("cat")
    conv = [j for j in range(len(SENTENCE)) if abs(j - it) <= KERNEL // 2]
    attention = list(range(len(SENTENCE)))  # every position, at any distance
    return {"it": it, "mat": mat, "cat": cat, "conv": conv, "attention": attention}
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, r):
    fig, axes = plt.subplots(2, 1, figsize=(7.7, 3.0))
    titles = (f"one convolution layer (width {KERNEL})", "one attention layer")
    for ax, key, title in zip(axes, ("conv", "attention"), titles):
        for j, word in enumerate(SENTENCE):
            seen = j in r[key]
            colour = theme.accent if seen else theme.grid
            ax.add_patch(plt.Rectangle((j - 0.45, -0.4), 0.9, 0.8, color=colour,
                                       alpha=0.9 if seen else 0.6))
            ax.text(j, 0, word, ha="center", va="center", fontsize=12,
                    color=theme.background if seen else theme.fg)
        ax.annotate("", xy=(r["mat"], 0.45), xytext=(r["it"], 0.45),
                    arrowprops=dict(arrowstyle="-|>", color=theme.contrast, lw=2,
                                    connectionstyle="arc3,rad=0.6",
                                    linestyle="-" if r["mat"] in r[key] else ":"))
        ax.set_xlim(-0.6, len(SENTENCE) - 0.4)
        ax.set_ylim(-0.5, 1.2)
        ax.axis("off")
        ax.set_title(f"what “it” reads in {title}", fontsize=12, loc="left")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    r = compute()
    book.fact("it_position", r["it"], fmt="d")
    book.fact("it_mat_distance", r["it"] - r["mat"], fmt="d", disputes=6,
              source="a distance of 6 is often quoted for this sentence; that is "
                     "'it' to 'cat'")
    book.fact("it_mat_quoted", 6, fmt="d", expected=r["it"] - r["cat"], rel_tol=0,
              source="a figure often quoted for 'it' to 'mat'; it is 'it' to 'cat'")
    book.fact("it_cat_distance", r["it"] - r["cat"], fmt="d")
    book.fact("conv_kernel", KERNEL, fmt="d")
    book.fact("sentence_tokens", len(SENTENCE), fmt="d")
    book.claim("conv_misses_mat", "cannot reach",
               holds=r["mat"] not in r["conv"], because=f"window {r['conv']}")
    book.figure(
        lambda theme: draw(theme, r),
        alt=("The sentence 'The cat sat on the mat because it was soft' twice. Top: "
             "a width-3 convolution lets 'it' read only 'because', 'it' and 'was'; "
             "the arrow to 'mat' is dotted. Bottom: attention lets 'it' read every "
             "word; the arrow to 'mat' is solid."),
        caption=(f"One layer of each. A width-{KERNEL} convolution (a fixed filter "
                 "that slides along the sentence) lets “it” read only its "
                 "neighbours; it would need more layers to reach “mat”. Attention "
                 "scores every pair in one step, so “mat”, "
                 f"{r['it'] - r['mat']} positions back, and “cat”, "
                 f"{r['it'] - r['cat']} back, are both in reach."))
