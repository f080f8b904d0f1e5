"""The pipeline bubble: 4 stages with 1 microbatch versus 4 microbatches (GPipe).

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (pipeline
parallelism). Timelines from kernels.pipeline_schedule.gpipe_schedule: every stage's
forward (F) and backward (B) blocks, backward taking twice as long as forward (the
kernel's default), communication free. The measured idle share is checked against
(p − 1)/(m + p − 1).
"""

import math

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from kernels.pipeline_schedule import bubble_fraction_formula, gpipe_schedule

STAGES = 4
MICROBATCHES = (1, 4)


# --8<-- [start:compute]
def compute():
    schedules = {m: gpipe_schedule(STAGES, m) for m in MICROBATCHES}
    for m, sched in schedules.items():   # simulator and closed form must agree
        assert math.isclose(sched.bubble_fraction, bubble_fraction_formula(STAGES, m))
    return schedules
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, schedules):
    longest = max(s.makespan for s in schedules.values())
    fig, axes = plt.subplots(len(schedules), 1, figsize=(8, 5.6), sharex=True)
    for ax, (m, sched) in zip(axes, schedules.items()):
        for s in range(STAGES):      # the idle background of every stage's lane
            ax.add_patch(Rectangle((0, s - 0.4), sched.makespan, 0.8,
                                   color=theme.grid, lw=0))
        for e in sched.events:
            colour = theme.accent if e.kind == "F" else theme.contrast
            ax.add_patch(Rectangle((e.start, e.stage - 0.4), e.end - e.start, 0.8,
                                   facecolor=colour, edgecolor=theme.background,
                                   lw=1.5))
            ax.text((e.start + e.end) / 2, e.stage, f"{e.kind}{e.microbatch + 1}",
                    ha="center", va="center", color=theme.text_on(colour),
                    fontsize=12, fontweight="bold")
        ax.set_ylim(STAGES - 0.5, -0.5)          # GPU 0 at the top
        ax.set_yticks(range(STAGES), [f"GPU {s}" for s in range(STAGES)])
        ax.set_xlim(0, longest)
        ax.set_title(f"{m} microbatch{'es' if m > 1 else ''}: "
                     f"{100 * sched.bubble_fraction:.0f}% of GPU time idle",
                     loc="left")
        ax.spines[["left"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlabel("time (one forward block = 1 unit, backward = 2)")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    schedules = compute()
    one, four = (schedules[m] for m in MICROBATCHES)
    book.fact("scale_pp_bubble_stages", STAGES, fmt="d")
    book.fact("scale_pp_bubble_m1", 100 * one.bubble_fraction, fmt=".0f", unit="%",
              expected=75, source="often quoted: 4 stages, 1 microbatch, 75% idle")
    book.fact("scale_pp_bubble_m4", 100 * four.bubble_fraction, fmt=".0f", unit="%",
              disputes=0, abs_tol=10,
              source="often quoted: 4 microbatches give near-full utilisation")
    book.fact("scale_pp_busy_m4", 100 * (1 - four.bubble_fraction), fmt=".0f",
              unit="%")
    book.fact("scale_pp_makespan_m1", one.makespan, fmt=".0f", unit="units")
    book.fact("scale_pp_makespan_m4", four.makespan, fmt=".0f", unit="units")
    book.fact("scale_pp_work_ratio", four.makespan / one.makespan, fmt=".2f",
              unit="×")
    book.figure(
        lambda theme: draw(theme, schedules),
        alt=(f"Two timelines of {STAGES} GPUs. Top: one microbatch passes forward "
             "down the GPUs and backward up again; each GPU is busy for one short "
             f"stretch and idle {100 * one.bubble_fraction:.0f}% of the time. "
             f"Bottom: {four.n_microbatches} microbatches overlap and fill the middle "
             "of the timeline, but "
             f"{100 * four.bubble_fraction:.0f}% of GPU time is still idle at the "
             "start and the end."),
        caption=(f"The pipeline bubble, simulated by kernels.pipeline_schedule "
                 f"(GPipe order, {STAGES} stages). Grey is idle. With one microbatch "
                 f"the idle share is {100 * one.bubble_fraction:.0f}%; with four it "
                 f"is {100 * four.bubble_fraction:.0f}%, which matches "
                 "(p − 1)/(m + p − 1). Four microbatches take "
                 f"{four.makespan / one.makespan:.2f}× as long as one but do "
                 f"{four.n_microbatches}× the work."),
    )
