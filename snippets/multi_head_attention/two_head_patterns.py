"""The worked example's two heads on the same four tokens (6-dim, d_k = 3).

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
"""

import matplotlib.pyplot as plt

from kernels.running_example import TOKENS, two_heads, two_heads_by_kernel
from snippets.attention_plots import heatmap, vec


# --8<-- [start:draw]
def draw(theme, result):
    fig, axes = plt.subplots(1, 2, figsize=(7.7, 3.9))
    for h, ax in enumerate(axes):
        heatmap(ax, result["heads"][h]["weights"], TOKENS, TOKENS, theme, vmin=0,
                vmax=1, fontsize=12)
        ax.set_title(f"head {h + 1}", fontsize=13)
    axes[0].set_ylabel("row: query token")
    fig.supxlabel("column: key token", fontsize=12)
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    result = two_heads()
    here, cat = TOKENS.index("here"), TOKENS.index("cat")
    w1, w2 = (h["weights"] for h in result["heads"])
    book.fact("mh_h1_here_cat", w1[here, cat], fmt=".3f")
    book.fact("mh_h2_here_here", w2[here, here], fmt=".3f")
    book.fact("mh_h1_here_here", w1[here, here], fmt=".3f")
    book.fact("mh_h2_here_cat", w2[here, cat], fmt=".3f")
    book.fact("mh_h1_cat_cat", w1[cat, cat], fmt=".3f")
    book.fact("mh_h2_cat_here", w2[cat, here], fmt=".3f")
    for i, t in enumerate(TOKENS):
        book.fact(f"mh_x6_{t.lower()}", 0, text=vec(result["x"][i]))
    book.fact("mh_concat_here", 0, text=vec(result["concat"][here]))
    book.fact("mh_out_here", 0, text=vec(result["out"][here]))
    book.fact("mh_resid_here", 0, text=vec(result["residual"][here]))
    book.fact("mh_head1_out_here", 0, text=vec(result["heads"][0]["out"][here]))
    book.fact("mh_head2_out_here", 0, text=vec(result["heads"][1]["out"][here]))
    diff = float((two_heads_by_kernel() - result["out"]).abs().max())
    book.bound("mh_kernel_diff", diff, dtype="float64")
    book.claim("mh_heads_disagree", "different tokens",
               holds=int(w1[here].argmax()) != int(w2[here].argmax()),
               because=f"head 1 → {TOKENS[int(w1[here].argmax())]}, "
                       f"head 2 → {TOKENS[int(w2[here].argmax())]}")
    book.figure(
        lambda theme: draw(theme, result),
        alt=(f"Two 4-by-4 heatmaps of attention weights. In head 1, row 'here' is "
             f"darkest at 'cat' ({w1[here, cat]:.2f}); in head 2, row 'here' is "
             f"darkest at 'here' itself ({w2[here, here]:.2f})."),
        caption=("Two heads, same four tokens, same input: each head's own W_Q, W_K "
                 "give it its own pattern. Head 1 sends “here” mostly to “cat”; "
                 "head 2 mostly to itself."))
