"""Generation step by step, without and with a KV cache: what each step computes.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Counts from kernels.generation_cost (positions = tokens run through the model).
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from kernels.generation_cost import positions_processed

PROMPT, NEW = 4, 6  # small enough to draw every cell


# --8<-- [start:compute]
def step_cells(cached):
    """For each step, one state per position: 'new', 'recomputed' or 'cached'."""
    steps = []
    for s in range(1, NEW + 1):
        n = PROMPT + s - 1  # tokens the model sees at this step
        if not cached or s == 1:
            steps.append(["recomputed"] * (n - 1) + ["new"] if s > 1
                         else ["new"] * n)
        else:
            steps.append(["cached"] * (n - 1) + ["new"])
    return steps
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme):
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 4.4), sharey=True)
    colours = {"new": theme.accent, "recomputed": theme.warn, "cached": theme.grid}
    for ax, cached in zip(axes, (False, True)):
        for row, cells in enumerate(step_cells(cached)):
            for col, state in enumerate(cells):
                ax.add_patch(Rectangle((col, -row), 0.9, 0.8,
                                       facecolor=colours[state],
                                       edgecolor=theme.muted if state == "cached"
                                       else colours[state]))
                if state == "new" and (cached and row > 0):
                    # Beside the cell, not in it: "QKV" at reading size is wider
                    # than one cell.
                    ax.text(col + 1.0, -row + 0.4, "QKV", ha="left",
                            va="center", color=theme.fg)
        total = positions_processed(PROMPT, NEW, cached=cached)
        ax.set_title(("with a KV cache" if cached else "without a cache")
                     + f"\n{total} positions computed", fontsize=12)
        ax.set_xlim(-0.2, PROMPT + NEW - 0.8)
        ax.set_ylim(-NEW + 0.6, 1.0)
        ax.set_xticks([i + 0.45 for i in range(PROMPT + NEW - 1)],
                      [str(i + 1) for i in range(PROMPT + NEW - 1)], fontsize=12)
        ax.set_xlabel("token position")
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
    axes[0].set_yticks([-r + 0.4 for r in range(NEW)],
                       [f"step {r + 1}" for r in range(NEW)])
    handles = [Rectangle((0, 0), 1, 1, facecolor=colours[k],
                         edgecolor=theme.muted) for k in colours]
    fig.legend(handles, ["computed this step (new)", "computed again (wasted)",
                         "read from the cache"], loc="lower center", ncol=2,
               fontsize=12, frameon=False)
    fig.subplots_adjust(bottom=0.28, wspace=0.3)
    return fig
# --8<-- [end:draw]


def main(book):
    plain = positions_processed(PROMPT, NEW, cached=False)
    cached = positions_processed(PROMPT, NEW, cached=True)
    book.fact("kvs_prompt", PROMPT, fmt="d")
    book.fact("kvs_new", NEW, fmt="d")
    book.fact("kvs_plain", plain, fmt="d")
    book.fact("kvs_cached", cached, fmt="d")
    book.figure(
        draw,
        alt=(f"Two grids, steps down the side and token positions across. Without a "
             f"cache every step recomputes all earlier positions (red) plus the new "
             f"one (blue), {plain} cells in all. With a cache the first step computes "
             f"the {PROMPT} prompt tokens, and each later step computes only the new "
             f"token's Q, K and V while the earlier positions are read from the "
             f"cache (grey), {cached} cells in all."),
        caption=(f"Generating {NEW} tokens after a {PROMPT}-token prompt. Each filled "
                 "cell is one token position run through the model (projections and "
                 "FFN) at that step. The cache keeps every position's K and V, so "
                 "each step after the first runs one position and attends over the "
                 "cached keys."))
