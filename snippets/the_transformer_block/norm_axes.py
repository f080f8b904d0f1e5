"""Batch norm vs layer norm: which numbers share a mean and variance.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md.
A batch of three sentences of different lengths (padded to the longest), each token a
row of features. Batch norm pools one feature over every token of the batch; layer
norm pools one token over its own features. The snippet also measures what that means:
swap one *other* sentence in the batch and see whether a fixed token's normalised
vector changes (torch.nn.functional.batch_norm in training mode vs layer_norm).
"""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

LENGTHS = (5, 3, 4)  # tokens per sentence; padded to max(LENGTHS)
N_FEATURES = 6
WATCH = (0, 2)  # (sentence, position) of the token we follow
FEATURE = 2  # the feature column batch norm is shown pooling


# --8<-- [start:measure]
def normalise_both(batch, lengths):
    """batch (B, T, C) -> (batch-normed, layer-normed), real tokens only."""
    real = torch.cat([batch[b, :n] for b, n in enumerate(lengths)])  # (tokens, C)
    bn = F.batch_norm(real, None, None, training=True)  # per feature, over tokens
    ln = F.layer_norm(real, (real.shape[-1],))  # per token, over features
    return bn, ln


def swap_effect():
    """Change sentence 3 only; how far does token WATCH's normalised vector move?"""
    gen = torch.Generator().manual_seed(0)
    b, t = len(LENGTHS), max(LENGTHS)
    batch = torch.randn(b, t, N_FEATURES, generator=gen, dtype=torch.float64)
    other = batch.clone()
    other[2] = 3.0 * torch.randn(t, N_FEATURES, generator=gen,
                                 dtype=torch.float64) + 1.0
    row = sum(LENGTHS[: WATCH[0]]) + WATCH[1]  # WATCH's row among the real tokens
    (bn_a, ln_a), (bn_b, ln_b) = (normalise_both(x, LENGTHS) for x in (batch, other))
    return ((bn_a[row] - bn_b[row]).abs().max().item(),
            (ln_a[row] - ln_b[row]).abs().max().item())
# --8<-- [end:measure]


def _grid(ax, theme, title, highlight):
    t = max(LENGTHS)
    y = 0
    for s, n in enumerate(LENGTHS):
        for pos in range(t):
            for f in range(N_FEATURES):
                pad = pos >= n
                on = highlight(s, pos, f) and not pad
                ax.add_patch(Rectangle(
                    (f, -y - 1), 1, 1, linewidth=0.8, edgecolor=theme.background,
                    facecolor=theme.accent if on else theme.grid,
                    hatch="//" if pad else None, alpha=1.0 if not pad else 0.45))
            ax.text(-0.25, -y - 0.5, f"s{s + 1} t{pos + 1}" if pos < n else "pad",
                    ha="right", va="center", fontsize=12,
                    color=theme.fg if pos < n else theme.muted)
            y += 1
        y += 0.5  # gap between sentences
    ax.set_xlim(-2.0, N_FEATURES + 0.2)
    ax.set_ylim(-y - 0.3, 1.6)
    ax.axis("off")
    for f in range(N_FEATURES):
        ax.text(f + 0.5, 0.35, f"f{f + 1}", ha="center", fontsize=12, color=theme.fg)
    ax.text(N_FEATURES / 2, 1.15, title, ha="center", fontsize=12,
            fontweight="bold", color=theme.fg)


# --8<-- [start:draw]
def draw(theme):
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 7.2))
    _grid(left, theme, "batch norm: one feature,\nevery token in the batch",
          lambda s, pos, f: f == FEATURE)
    _grid(right, theme, "layer norm: one token,\nall of its features",
          lambda s, pos, f: (s, pos) == WATCH)
    return fig
# --8<-- [end:draw]


def main(book):
    bn_change, ln_change = swap_effect()
    book.figure(draw, alt=(
        f"Two grids of {sum(LENGTHS)} token rows from {len(LENGTHS)} sentences of "
        f"lengths {', '.join(map(str, LENGTHS))}, padded to {max(LENGTHS)}, with "
        f"{N_FEATURES} feature columns; padding cells are hatched. Left, batch norm: "
        f"the whole column of feature {FEATURE + 1} is highlighted across all "
        "sentences. Right, layer norm: only the row of sentence 1, token 3 is "
        "highlighted."), caption=(
        "Same formula, different axis. Batch norm (left) computes one mean and "
        "variance per feature from every real token in the batch, so a token's "
        "result depends on which other sentences came along; layer norm (right) "
        "computes them per token from its own features. Hatched cells are padding: "
        "sentences differ in length. Row labels: s2 t3 is sentence 2, token 3."))
    book.fact("tb_bn_swap_change", round(bn_change, 9), fmt=".2f")
    book.claim("tb_bn_moves", "changes", holds=bn_change > 0.1,
               because=f"max |Δ| of the watched token after batch norm {bn_change:.6g}")
    book.claim("tb_ln_same", "does not change at all", holds=ln_change == 0.0,
               because=f"max |Δ| after layer norm {ln_change}")
