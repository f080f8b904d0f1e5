"""The whole GPT-2 forward pass, token ids to next-token probabilities.

Shown on: docs/4.2-attention-and-the-transformer/decoder-only-transformers/index.md.
Sizes from the gpt2-small preset; structure as kernels/gpt2.py's GPT (token and
position embeddings, N pre-norm blocks with causal attention, final LayerNorm, an
output head that reuses the token-embedding matrix).
"""

import matplotlib.pyplot as plt

from kernels.presets import get_preset
from snippets.the_transformer_block._diagram import arrow, box, colours, label


# --8<-- [start:draw]
def draw(theme, cfg):
    c = colours(theme)
    V, d, T, L = cfg.vocab_size, cfg.d_model, cfg.max_seq_len, cfg.n_layers
    fig, ax = plt.subplots(figsize=(9, 11))
    ax.set_xlim(0, 12)
    ax.set_ylim(-0.4, 15.6)
    ax.axis("off")
    x = 5.0
    stages = [  # (y, text, colour, height, shape after this stage)
        (0.3, "token ids", c["muted"], 0.7, "(n,) integers < " + f"{V:,}"),
        (1.9, f"token embedding\nlook up rows of $W_E$ ({V:,} × {d})", c["embed"], 1.1,
         f"(n, {d})"),
        (3.6, f"+ position embedding\nrows 0…n−1 of a {T:,} × {d} table", c["embed"],
         1.1, f"(n, {d}): the residual stream"),
        (6.4, f"{L} transformer blocks\npre-norm, causal multi-head attention\n"
         f"{cfg.n_heads} heads × {cfg.head_dim}, FFN {d} → {cfg.d_ff:,} → {d}",
         c["attn"], 2.4, f"(n, {d})"),
        (9.0, "final LayerNorm", c["norm"], 0.8, f"(n, {d})"),
        (10.7, f"output head: × $W_E^\\top$ ({d} × {V:,})", c["embed"], 1.0,
         f"(n, {V:,}) logits"),
        (12.4, "softmax over the vocabulary", c["muted"], 0.8,
         f"(n, {V:,}) probabilities"),
    ]
    prev_top = None
    for y, text, edge, h, shape in stages:
        if prev_top is not None:
            arrow(ax, (x, prev_top), (x, y - h / 2), c["stream"], width=2.2)
        box(ax, x, y, 5.8, h, text, edge, theme, size=12)
        label(ax, x + 3.1, y + h / 2 + 0.25, shape, theme, size=12)
        prev_top = y + h / 2
    ax.text(x, 13.55, "row i: P(token i + 1 | tokens 0…i)", ha="center",
            fontsize=12, color=c["fg"])
    # weight tying: the same matrix at the bottom and the top
    ax.plot([2.1, 1.0, 1.0, 2.1], [1.9, 1.9, 10.7, 10.7], color=c["embed"],
            linestyle="--", linewidth=2)
    ax.text(0.7, 6.3, "one shared matrix $W_E$ (weight tying)", rotation=90,
            ha="center", va="center", color=c["embed"], fontsize=12)
    ax.text(x, 15.0, "GPT-2 small, from token ids to next-token probabilities",
            ha="center", fontsize=13, fontweight="bold", color=c["fg"])
    return fig
# --8<-- [end:draw]


def main(book):
    cfg = get_preset("gpt2-small")
    V, d = cfg.vocab_size, cfg.d_model
    book.figure(lambda theme: draw(theme, cfg), alt=(
        "A vertical flow of seven stages: token ids; token embedding (look up rows "
        f"of a {V} by {d} matrix); plus position embedding, giving an (n, {d}) "
        f"residual stream; {cfg.n_layers} pre-norm transformer blocks with causal "
        "multi-head attention; a final LayerNorm; an output head that multiplies "
        f"by the transpose of the embedding matrix, giving (n, {V}) logits; and a "
        "softmax giving next-token probabilities. A dashed line joins the token "
        "embedding and the output head, labelled as one shared matrix."), caption=(
        "The whole model. Every stage but the embeddings and the head keeps the "
        f"shape (n, {d}); the head turns each position's vector into {V:,} scores, "
        "one per vocabulary entry, and row i predicts token i + 1. The dashed line "
        "is weight tying: the head uses the token-embedding matrix, transposed. "
        "Sizes from the gpt2-small preset; structure as in kernels/gpt2.py."))
