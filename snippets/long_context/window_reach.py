"""How far a sliding window reaches when layers are stacked.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (sparse attention, the
misconception that a window cannot see far). Left: a toy causal sliding window,
traced layer by layer with kernels.sparse.reachability. Right: the same rule,
kernels.sparse.receptive_field, at Mistral 7B's window and depth.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

from kernels.presets import get_preset
from kernels.sparse import (furthest_reach, reachability, receptive_field,
                            sliding_window_mask)

TOY_TOKENS = 40     # toy sequence, small enough to draw every cell
TOY_WINDOW = 4      # keys per query in the toy, the query itself included
TOY_LAYERS = 12
SOURCE, TARGET = 1, 50_000   # the often-quoted example: 1-indexed token positions


# --8<-- [start:compute]
def toy_reach():
    """rows[L-1, i] is True when token 0's information has reached token i
    after L stacked window layers (residual stream included)."""
    mask = sliding_window_mask(TOY_TOKENS, TOY_WINDOW)  # (T, T) bool
    rows, furthest = [], []
    for layers in range(1, TOY_LAYERS + 1):
        reach = reachability(mask, layers)  # (T, T): can j's info be at i?
        rows.append(reach[:, 0].numpy())
        furthest.append(furthest_reach(reach))
        # the closed form the right panel uses must agree with the traced one
        assert furthest[-1] == min(receptive_field(layers, TOY_WINDOW),
                                   TOY_TOKENS - 1)
    return np.array(rows), furthest


def real_reach():
    mistral = get_preset("mistral-7b")
    window = mistral.sliding_window
    layers = np.arange(0, mistral.n_layers + 1)
    reach = [receptive_field(int(n), window) for n in layers]
    distance = TARGET - SOURCE
    needed = math.ceil(distance / (window - 1))  # each layer moves window − 1
    return mistral, layers, reach, distance, needed
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, rows, mistral, layers, reach, distance, needed):
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.0, 4.2),
                                      gridspec_kw={"width_ratios": (1.15, 1)})
    left.imshow(rows, cmap=theme.heatmap(), vmin=0, vmax=1, aspect="auto",
                interpolation="nearest",
                extent=(-0.5, TOY_TOKENS - 0.5, TOY_LAYERS + 0.5, 0.5))
    left.set_title(f"Toy: window {TOY_WINDOW}, {TOY_TOKENS} tokens")
    left.set_xlabel("positions token 0's information has reached")
    left.set_ylabel("layers stacked")
    left.set_yticks([1, 4, 8, 12])

    k = np.array(reach) / 1000
    right.plot(layers, k, color=theme.accent, marker="o", markersize=3.5,
               label=f"window {mistral.sliding_window:,}")
    right.axhline(distance / 1000, color=theme.warn, lw=1.5, ls="--")
    right.text(mistral.n_layers, distance / 1000 - 3,
               f"position {SOURCE} → {TARGET:,}", color=theme.warn,
               ha="right", va="top")
    right.plot([needed], [reach[needed] / 1000], "o", color=theme.warn,
               markersize=9, fillstyle="none", mew=2)
    right.annotate(f"{needed} layers: {reach[needed]:,}", xy=(needed,
                   reach[needed] / 1000), xytext=(needed + 1.5, 15),
                   color=theme.fg,
                   arrowprops=dict(arrowstyle="-", color=theme.muted))
    right.annotate(f"all {mistral.n_layers} layers:\n{reach[-1]:,}",
                   xy=(layers[-1], k[-1]), xytext=(layers[-1] - 12, k[-1] - 8),
                   color=theme.fg, ha="right", va="top",
                   arrowprops=dict(arrowstyle="-", color=theme.muted))
    right.set_title("Mistral 7B: window 4,096 per layer")
    right.set_xlabel("layers stacked")
    right.set_ylabel("furthest reach (thousand tokens)")
    right.set_xlim(0, mistral.n_layers + 1)
    right.set_ylim(0, k[-1] * 1.08)
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    rows, furthest = toy_reach()
    mistral, layers, reach, distance, needed = real_reach()
    w = mistral.sliding_window
    book.fact("lc_reach_toy_window", TOY_WINDOW, fmt="d")
    book.fact("lc_reach_toy_step", TOY_WINDOW - 1, fmt="d")
    book.fact("lc_reach_toy_layers", TOY_LAYERS, fmt="d")
    book.fact("lc_reach_toy_tokens", TOY_TOKENS, fmt="d")
    book.fact("lc_reach_source", SOURCE, fmt="d")
    book.fact("lc_reach_target", TARGET, fmt=",d")
    book.fact("lc_reach_step", w - 1, fmt=",d")
    book.fact("lc_reach_layers_needed", needed, fmt="d", expected=13, rel_tol=0,
              source="often quoted: after ~13 layers with window 4096, "
                     "position 1 reaches position 50,000")
    book.fact("lc_reach_at_needed", reach[needed], fmt=",d")
    book.fact("lc_reach_one_fewer", reach[needed - 1], fmt=",d")
    book.fact("lc_reach_mistral_layers", mistral.n_layers, fmt="d")
    book.fact("lc_reach_mistral", reach[-1], fmt=",d")
    book.figure(
        lambda theme: draw(theme, rows, mistral, layers, reach, distance, needed),
        alt=(f"Left: a grid of {TOY_LAYERS} layers by {TOY_TOKENS} positions; the "
             f"filled cells, where token 0's information has arrived, grow by "
             f"{TOY_WINDOW - 1} positions per layer, a staircase. Right: furthest "
             f"reach against layers for a {w:,}-token window, a straight line that "
             f"crosses the {distance:,}-token line at layer {needed} "
             f"({reach[needed]:,} tokens) and reaches {reach[-1]:,} after "
             f"{mistral.n_layers} layers."),
        caption=(
            f"Stacked windows reach far. Left: a toy window of {TOY_WINDOW} keys, "
            "traced with kernels.sparse.reachability; every layer carries token "
            f"0's information {TOY_WINDOW - 1} positions further. Right: the same "
            f"rule at Mistral 7B's window ({w:,} keys, so {w - 1:,} positions per "
            f"layer): position {SOURCE}'s information can be at position "
            f"{TARGET:,} after {needed} layers, and {mistral.n_layers} layers "
            f"reach {reach[-1]:,} positions back. Reaching is not the same as "
            "being used: each hop has to pass the information on."),
    )
