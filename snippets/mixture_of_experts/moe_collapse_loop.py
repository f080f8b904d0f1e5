"""The router-collapse feedback loop, with the toy run's measured outcome beside it.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (load balancing).
Four steps of a rich-get-richer loop drawn as a cycle; the result box quotes one run
of kernels.moe.train_toy_router without a balancing loss (the same run as seed 0 in
moe_utilisation_curves).
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from kernels.moe import train_toy_router
from snippets.mixture_of_experts.moe_utilisation_curves import (
    N_EXPERTS,
    SHOWN_SEED,
    STEPS,
    collapse_step,
)

STAGES = (  # (x, y) centre, text: clockwise from the top
    ((3.5, 5.2), "router sends expert 0\nslightly more tokens"),
    ((6.8, 3.0), "expert 0 gets more\ngradient updates"),
    ((3.5, 0.8), "expert 0 learns faster,\ngets more useful"),
    ((0.2, 3.0), "router learns to\nraise expert 0's\nprobability"),
)


# --8<-- [start:compute]
def compute():
    u = train_toy_router(SHOWN_SEED, 0.0, STEPS, n_experts=N_EXPERTS).utilisation
    return dict(start=float(u[0, 0]), step=collapse_step(u))
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, d):
    fig, ax = plt.subplots(figsize=(10, 5.0))
    ax.set_xlim(-2.1, 13.4)
    ax.set_ylim(-0.2, 6.2)
    ax.axis("off")
    for (x, y), text in STAGES:
        ax.add_patch(FancyBboxPatch((x - 2.0, y - 0.6), 4.0, 1.2,
                                    boxstyle="round,pad=0.05,rounding_size=0.2",
                                    facecolor=theme.panel, edgecolor=theme.warn,
                                    linewidth=1.6))
        ax.text(x, y, text, ha="center", va="center", color=theme.fg, fontsize=12)
    ends = (((5.4, 5.05), (6.8, 3.7)), ((6.8, 2.3), (5.4, 0.95)),
            ((1.6, 0.95), (0.2, 2.3)), ((0.2, 3.7), (1.6, 5.05)))
    for start, end in ends:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=18,
                                     color=theme.warn, linewidth=1.8,
                                     connectionstyle="arc3,rad=-0.3"))
    ax.text(3.5, 3.0, "rich get\nricher", ha="center", va="center",
            color=theme.warn, fontsize=14, fontweight="bold")
    result = (f"Toy run, no balancing\nloss (seed {SHOWN_SEED}, {N_EXPERTS} experts)"
              f"\n\nstep 0: expert 0 gets\n{100 * d['start']:.0f}% of the tokens\n\n"
              f"step {d['step']} on: it gets\nall of them; experts\n"
              f"1–{N_EXPERTS - 1} get no tokens,\nso no gradient, and\nstop learning")
    ax.add_patch(FancyBboxPatch((9.2, 0.9), 4.1, 4.2,
                                boxstyle="round,pad=0.05,rounding_size=0.2",
                                facecolor=theme.panel, edgecolor=theme.muted,
                                linewidth=1.4))
    ax.text(11.25, 3.0, result, ha="center", va="center", color=theme.fg,
            fontsize=12)
    ax.add_patch(FancyArrowPatch((8.9, 3.0), (9.2, 3.0), arrowstyle="-|>",
                                 mutation_scale=18, color=theme.muted,
                                 linewidth=1.6))
    return fig
# --8<-- [end:draw]


def main(book):
    d = compute()
    book.figure(
        lambda theme: draw(theme, d),
        alt=("A cycle of four boxes: the router sends expert 0 slightly more tokens; "
             "expert 0 gets more gradient updates; it learns faster and becomes more "
             "useful; the router learns to raise its probability; and back to the "
             "start. A side box reports the toy run: expert 0 starts with "
             f"{100 * d['start']:.0f}% of the tokens and has all of them from step "
             f"{d['step']} on."),
        caption=(
            "Router collapse is a feedback loop: each turn makes the favourite more "
            "attractive, and nothing in the task loss pushes back. The side box "
            "is measured on the toy layer of the next figure (seed "
            f"{SHOWN_SEED}, no balancing loss): a head start of "
            f"{100 * d['start']:.0f}% of the tokens becomes all of them by step "
            f"{d['step']}."),
    )
