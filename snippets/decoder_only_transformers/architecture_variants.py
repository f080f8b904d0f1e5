"""Encoder-only, decoder-only and encoder-decoder: which positions may see which.

Shown on: docs/4.2-attention-and-the-transformer/decoder-only-transformers/index.md.
Masks from kernels.attention.causal_mask: a filled cell means the query (row) may
attend to the key (column). Encoder-decoder shows the decoder's two attentions: its
own causal self-attention and its cross-attention to every encoder position.
"""

import matplotlib.pyplot as plt
import torch

from kernels.attention import causal_mask
from kernels.costs import attention_pairs
from kernels.presets import get_preset

N = 5  # positions drawn per sequence


# --8<-- [start:draw]
def draw(theme):
    full, causal = torch.ones(N, N, dtype=torch.bool), causal_mask(N)
    panels = (
        ("encoder-only (BERT)\nself-attention, no mask", full),
        ("decoder-only (GPT)\ncausal self-attention", causal),
        ("encoder-decoder (T5), decoder side\ncross-attention | causal self-attention",
         torch.cat([full, causal], dim=1)),
    )
    # Two rows: three titles side by side do not fit the column at reading size.
    fig, grid = plt.subplot_mosaic([["bert", "gpt"], ["t5", "t5"]],
                                   figsize=(6.4, 5.6), layout="constrained")
    axes = [grid["bert"], grid["gpt"], grid["t5"]]
    for ax, (title, mask) in zip(axes, panels):
        ax.imshow(mask.float(), cmap=theme.heatmap(), vmin=0, vmax=1)
        ax.set_title(title, fontsize=12)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("keys")
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color(theme.muted)
    axes[0].set_ylabel("queries")
    axes[2].set_ylabel("queries")
    axes[2].axvline(N - 0.5, color=theme.fg, linewidth=2)
    axes[2].set_xlabel("encoder positions | decoder positions")
    return fig
# --8<-- [end:draw]


def main(book):
    book.figure(draw, alt=(
        f"Three masks, {N} positions each. Encoder-only: every cell filled. "
        "Decoder-only: lower triangle filled, upper triangle empty. Encoder-decoder, "
        "decoder side: a fully filled block for the encoder positions next to a "
        "lower-triangular block for the decoder's own positions."), caption=(
        "Who may attend to whom in the three transformer families. Filled cells "
        "are allowed query–key pairs. An encoder reads its whole input both ways; "
        "a decoder sees only the past; an encoder-decoder's decoder sees the whole "
        "encoded input plus its own past. Masks from "
        "kernels.attention.causal_mask."))
    # the upper triangle a naive implementation computes and then throws away
    t = get_preset("gpt2-small").max_seq_len
    full, causal = attention_pairs(t), attention_pairs(t, causal=True)
    book.fact("dt_pairs_full", full, fmt=",d")
    book.fact("dt_pairs_causal", causal, fmt=",d")
    book.fact("dt_pairs_causal_pct", 100 * causal / full, fmt=".2f", unit="%")
