"""Which query–key scores three causal attention patterns compute, counted.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (sparse attention).
Masks come from kernels.sparse; a window counts the token itself.
"""

import matplotlib.pyplot as plt

from kernels.sparse import (causal_score_count, count_scores, dilated_mask,
                            sliding_window_mask)
from kernels.attention import causal_mask

T = 16          # tokens drawn: small enough to see every cell
WINDOW = 4      # keys per query, the query itself included
DILATION = 2    # dilated: every 2nd token, same number of keys as the window


# --8<-- [start:compute]
def compute():
    patterns = {
        "Full causal": causal_mask(T),
        "Sliding window": sliding_window_mask(T, WINDOW),
        "Dilated": dilated_mask(T, WINDOW, DILATION),
    }
    # Models often mix the two, e.g. in different heads; a query then sees the union.
    patterns["Combined"] = patterns["Sliding window"] | patterns["Dilated"]
    counts = {name: count_scores(mask) for name, mask in patterns.items()}
    return patterns, counts
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, patterns, counts):
    fig, axes = plt.subplots(1, 4, figsize=(10, 3.9))
    details = ("every earlier key", f"itself + {WINDOW - 1} before",
               f"{WINDOW} keys, every {DILATION}nd",
               "window ∪ dilated")  # what each query row sees
    for ax, (name, mask), detail in zip(axes, patterns.items(), details):
        ax.imshow(mask.numpy(), cmap=theme.heatmap(), vmin=0, vmax=1,
                  interpolation="nearest")
        ax.set_title(f"{name}\n{detail}", fontsize=13, linespacing=1.4)
        ax.set_xlabel(f"key position →\n{counts[name]} scores")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(True)
            side.set_color(theme.muted)
    axes[0].set_ylabel("query position →")
    return fig
# --8<-- [end:draw]


def main(book):
    patterns, counts = compute()
    full, window, dilated, combined = (counts[n] for n in patterns)
    # The mask count must agree with the closed form T(T+1)/2.
    book.fact("patterns_tokens", T, fmt="d")
    book.fact("patterns_window", WINDOW, fmt="d")
    book.fact("patterns_dilation", DILATION, fmt="d")
    book.fact("patterns_causal_scores", full, fmt="d",
              expected=causal_score_count(T), source="T(T+1)/2")
    book.fact("patterns_window_scores", window, fmt="d")
    book.fact("patterns_dilated_scores", dilated, fmt="d")
    book.fact("patterns_dilated_span", (WINDOW - 1) * DILATION + 1, fmt="d")
    book.fact("lc_patterns_combined_scores", combined, fmt="d")
    book.figure(
        lambda theme: draw(theme, patterns, counts),
        alt=(f"Four {T}×{T} grids of query rows and key columns. Full causal fills "
             f"the lower triangle ({full} cells), the sliding window is a diagonal "
             f"band {WINDOW} wide ({window} cells), the dilated pattern is a band "
             f"with every other cell skipped ({dilated} cells), and the combined "
             f"pattern is their union ({combined} cells)."),
        caption=(f"Scores each pattern computes for {T} tokens; a filled cell is one "
                 f"query–key dot product. The sliding window and the dilated pattern "
                 f"give every query at most {WINDOW} keys, but the dilated one "
                 f"spans {(WINDOW - 1) * DILATION + 1} positions instead of {WINDOW}. "
                 "Combined: the keys one token can draw on in a layer where some "
                 "heads use the window and others the dilated pattern."),
    )
