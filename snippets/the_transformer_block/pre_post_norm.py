"""Post-norm (2017) and pre-norm (GPT-2 onward) sub-layers side by side.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md.
The same sub-layer drawn twice; only the LayerNorm's place differs. Post-norm is
x ← LN(x + F(x)) (Vaswani et al. 2017); pre-norm is x ← x + F(LN(x)), as
kernels/gpt2.py's Block does. The path from output to input is traced in colour.
"""

import matplotlib.pyplot as plt

from snippets.the_transformer_block._diagram import add_node, arrow, box, colours, label


def _sublayer(ax, x0, theme, pre):
    c = colours(theme)
    sx, bx = x0 + 1.0, x0 + 3.6  # stream and branch columns
    top = 9.4
    if pre:
        # the stream never passes through a norm: a straight line from in to out
        ax.plot([sx, sx], [0.6, top], color=c["stream"], linewidth=5,
                solid_capstyle="butt")
        ax.plot([sx, bx, bx], [1.4, 1.4, 2.2], color=c["fg"], linewidth=1.5)
        box(ax, bx, 2.6, 2.4, 0.8, "LayerNorm", c["norm"], theme)
        arrow(ax, (bx, 3.0), (bx, 3.6), c["fg"])
        box(ax, bx, 4.6, 2.4, 2.0, "sub-layer F\n(attention\nor FFN)", c["attn"],
            theme)
        ax.plot([bx, bx], [5.6, 6.6], color=c["fg"], linewidth=1.5)
        arrow(ax, (bx, 6.6), (sx + 0.25, 6.6), c["fg"])
        add_node(ax, sx, 6.6, theme)
        label(ax, sx - 0.35, 2.4, "clean path:\nonly additions", theme, ha="right",
              colour=c["stream"], size=12)
        formula = "x ← x + F(LN(x))"
    else:
        # the stream itself runs through the norm after every addition
        ax.plot([sx, sx], [0.6, 6.35], color=c["stream"], linewidth=5,
                solid_capstyle="butt")
        ax.plot([sx, sx], [6.85, 7.6], color=c["stream"], linewidth=5)
        ax.plot([sx, sx], [8.4, top], color=c["stream"], linewidth=5,
                solid_capstyle="butt")
        ax.plot([sx, bx, bx], [1.4, 1.4, 3.6], color=c["fg"], linewidth=1.5)
        box(ax, bx, 4.6, 2.4, 2.0, "sub-layer F\n(attention\nor FFN)", c["attn"],
            theme)
        ax.plot([bx, bx], [5.6, 6.6], color=c["fg"], linewidth=1.5)
        arrow(ax, (bx, 6.6), (sx + 0.25, 6.6), c["fg"])
        add_node(ax, sx, 6.6, theme)
        box(ax, sx, 8.0, 2.2, 0.8, "LayerNorm", c["norm"], theme)
        label(ax, sx - 0.35, 2.4, "every path\ncrosses a norm", theme, ha="right",
              colour=c["stream"], size=12)
        formula = "x ← LN(x + F(x))"
    arrow(ax, (sx, top - 0.2), (sx, top + 0.3), c["stream"], width=3)
    ax.text(x0 + 2.3, 10.35, ("pre-norm\n(GPT-2, GPT-3, LLaMA)" if pre else
                              "post-norm\n(original 2017 Transformer)"),
            ha="center", fontsize=12, fontweight="bold", color=c["fg"])
    ax.text(x0 + 2.3, 0.1, formula, ha="center", fontsize=12, color=c["fg"])


# --8<-- [start:draw]
def draw(theme):
    fig, ax = plt.subplots(figsize=(7.7, 6.0))
    ax.set_xlim(-1.0, 13.0)
    ax.set_ylim(-0.4, 11.6)
    ax.axis("off")
    _sublayer(ax, 0.0, theme, pre=False)
    _sublayer(ax, 7.2, theme, pre=True)
    return fig
# --8<-- [end:draw]


def main(book):
    book.figure(draw, alt=(
        "Two copies of one sub-layer. Left, post-norm: the residual stream adds the "
        "sub-layer's output and then passes through a LayerNorm box on the stream "
        "itself, formula x becomes LN(x + F(x)). Right, pre-norm: the LayerNorm sits "
        "inside the branch before the sub-layer, and the stream is a straight line "
        "with only an addition on it, formula x becomes x + F(LN(x))."), caption=(
        "The only difference is where the LayerNorm sits. Post-norm (left) "
        "normalises the stream itself after each addition, so the signal and its "
        "gradient cross a norm at every sub-layer. Pre-norm (right) normalises only "
        "the copy the sub-layer reads; the stream from input to output is a chain "
        "of additions."))
