"""How many microbatches a pipeline needs: idle share versus microbatches.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (pipeline
parallelism). Points are measured with kernels.pipeline_schedule.gpipe_schedule; the
line is the closed form (p − 1)/(m + p − 1) from bubble_fraction_formula.
"""

import math
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np

from kernels.pipeline_schedule import (bubble_fraction_formula, gpipe_schedule,
                                       one_f_one_b_schedule)

STAGE_COUNTS = (4, 8)
MEASURED_M = (1, 2, 4, 8, 16, 32, 64)
M_EXAMPLE = 16  # microbatches for the 1F1B memory comparison
TARGET = 0.10  # "close to full use": strictly under 10% idle
TARGET_EXACT = Fraction(1, 10)  # compared exactly: m = 9(p − 1) gives exactly 10 %


# --8<-- [start:compute]
def microbatches_needed(p, target=TARGET_EXACT):
    """Smallest m with (p - 1)/(m + p - 1) strictly under target (exact fractions),
    confirmed by the simulator."""
    m = 1
    while Fraction(p - 1, m + p - 1) >= target:
        m += 1
    assert gpipe_schedule(p, m).bubble_fraction < float(target)
    assert gpipe_schedule(p, m - 1).bubble_fraction >= float(target) - 1e-12
    return m


def compute():
    measured = {p: [gpipe_schedule(p, m).bubble_fraction for m in MEASURED_M]
                for p in STAGE_COUNTS}
    for p in STAGE_COUNTS:
        for m, b in zip(MEASURED_M, measured[p]):
            assert math.isclose(b, bubble_fraction_formula(p, m))
    needed = {p: microbatches_needed(p) for p in STAGE_COUNTS}
    return measured, needed
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, measured, needed):
    fig, ax = plt.subplots(figsize=(8, 4.4))
    m_line = np.geomspace(1, 100, 200)
    for p, colour in zip(STAGE_COUNTS, (theme.accent, theme.contrast)):
        ax.plot(m_line, 100 * (p - 1) / (m_line + p - 1), color=colour,
                label=f"{p} stages: (p − 1)/(m + p − 1)")
        ax.plot(MEASURED_M, [100 * b for b in measured[p]], "o", color=colour,
                markersize=7, label=f"{p} stages: simulated")
        ax.annotate(f"m = {needed[p]}", xy=(needed[p], 100 * TARGET),
                    xytext=(needed[p], 100 * TARGET + 22), color=colour,
                    ha="center", fontweight="bold",
                    arrowprops=dict(arrowstyle="-|>", color=colour))
    ax.axhline(100 * TARGET, color=theme.muted, ls="--", lw=1.2)
    ax.text(1.05, 100 * TARGET + 1.5, f"{100 * TARGET:.0f}% idle", color=theme.muted)
    ax.set_xscale("log", base=2)
    ax.set_xticks(MEASURED_M, [str(m) for m in MEASURED_M])
    ax.set_xlim(0.9, 110)
    ax.set_ylim(0, 100)
    ax.set_xlabel("microbatches per batch, m")
    ax.set_ylabel("idle share of GPU time (%)")
    ax.grid(True, axis="y")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    measured, needed = compute()
    p4, p8 = STAGE_COUNTS
    book.fact("scale_bubble_target", 100 * TARGET, fmt=".0f", unit="%")
    book.fact("scale_bubble_m_needed_p4", needed[p4], fmt="d")
    book.fact("scale_bubble_m_needed_p8", needed[p8], fmt="d")
    book.fact("scale_bubble_m_exact_p4", needed[p4] - 1, fmt="d")
    book.fact("scale_bubble_m_exact_p8", needed[p8] - 1, fmt="d")
    book.claim("scale_bubble_first_under", "the first m strictly under",
               holds=all(Fraction(p - 1, needed[p] + p - 1) < TARGET_EXACT
                         <= Fraction(p - 1, needed[p] + p - 2)
                         for p in STAGE_COUNTS),
               because=f"needed {needed}")
    book.fact("scale_bubble_p8", p8, fmt="d")
    book.fact("scale_bubble_m16", M_EXAMPLE, fmt="d")
    book.fact("scale_bubble_p8_m8", 100 * measured[p8][MEASURED_M.index(8)],
              fmt=".0f", unit="%")
    book.fact("scale_bubble_p4_m16", 100 * measured[p4][MEASURED_M.index(M_EXAMPLE)],
              fmt=".0f", unit="%")
    # 1F1B has the same bubble but holds fewer microbatches' activations at once
    gp, ofob = gpipe_schedule(p4, M_EXAMPLE), one_f_one_b_schedule(p4, M_EXAMPLE)
    assert math.isclose(gp.bubble_fraction, ofob.bubble_fraction)
    book.fact("scale_gpipe_in_flight_16", max(gp.peak_in_flight), fmt="d")
    book.fact("scale_1f1b_in_flight_16", max(ofob.peak_in_flight), fmt="d")
    book.figure(
        lambda theme: draw(theme, measured, needed),
        alt=(f"Idle share against microbatches, log scale, for {p4} and {p8} "
             "stages. Both curves fall slowly; the simulated points lie on the "
             f"formula. Getting strictly under {100 * TARGET:.0f}% idle takes "
             f"{needed[p4]} microbatches with {p4} stages and {needed[p8]} with {p8}; "
             f"{needed[p4] - 1} and {needed[p8] - 1} give exactly "
             f"{100 * TARGET:.0f}%."),
        caption=(f"How many microbatches it takes. Dots: idle share measured by the "
                 "schedule simulator; lines: (p − 1)/(m + p − 1). To get strictly "
                 f"under {100 * TARGET:.0f}% idle you need m = {needed[p4]} "
                 f"microbatches with {p4} stages and m = {needed[p8]} with {p8}, that "
                 f"is {(1 - TARGET) / TARGET:.0f}(p − 1) + 1; m = "
                 f"{(1 - TARGET) / TARGET:.0f}(p − 1) gives exactly "
                 f"{100 * TARGET:.0f}%."),
    )
