"""The three dot-product cases: same direction, perpendicular, opposite.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
"""

import math

import matplotlib.pyplot as plt
import torch

# Two-dimensional so they can be drawn; the rule is the same in any width.
CASES = {
    "similar direction": ((2.0, 1.0), (1.5, 1.5)),
    "perpendicular": ((2.0, 1.0), (-1.0, 2.0)),
    "opposite": ((2.0, 1.0), (-1.5, -1.0)),
}


def signed(x: float) -> str:
    """+4.5, 0, −4.0 (a true minus sign)."""
    return f"{x:+.1f}".replace("-", "−") if x else "0"


# --8<-- [start:compute]
def compute():
    rows = {}
    for name, (a, b) in CASES.items():
        a, b = torch.tensor(a), torch.tensor(b)
        dot = float(a @ b)                    # Σ aₖ bₖ
        cos = dot / float(a.norm() * b.norm())  # a·b = |a| |b| cos θ
        rows[name] = (a, b, dot, math.degrees(math.acos(max(-1, min(1, cos)))))
    return rows
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, rows):
    fig, axes = plt.subplots(1, 3, figsize=(7.7, 3.3))
    for ax, (name, (a, b, dot, angle)) in zip(axes, rows.items()):
        for v, colour, label in ((a, theme.accent, "a"), (b, theme.contrast, "b")):
            ax.annotate("", xy=v.tolist(), xytext=(0, 0), arrowprops=dict(
                arrowstyle="-|>", color=colour, lw=2.5, mutation_scale=18))
            ax.text(*(v * 1.12).tolist(), label, color=colour, fontsize=14,
                    ha="center", va="center", fontweight="bold")
        ax.set_xlim(-2.4, 2.6)
        ax.set_ylim(-1.8, 2.4)
        ax.set_aspect("equal")
        ax.axhline(0, color=theme.grid, lw=1)
        ax.axvline(0, color=theme.grid, lw=1)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_title(name, fontsize=13)
        ax.set_xlabel(f"a·b = {signed(dot)}   (angle {angle:.0f}°)", fontsize=12)
    return fig
# --8<-- [end:draw]


def main(book):
    rows = compute()
    for key, (name, row) in zip(("similar", "perp", "opposite"), rows.items()):
        book.fact(f"dot_case_{key}", row[2], text=signed(row[2]))
    sim, perp, opp = (signed(row[2]) for row in rows.values())
    book.figure(
        lambda theme: draw(theme, rows),
        alt=("Three panels, each with two arrows a and b from the origin. Left: they "
             f"point roughly the same way and a·b is {sim}. Middle: they are at "
             f"a right angle and a·b is {perp}. Right: they point roughly "
             f"opposite ways and a·b is {opp}."),
        caption=("The dot product a·b = a₁b₁ + a₂b₂ + … is large and positive when "
                 "two vectors point the same way, zero when they are perpendicular "
                 "and negative when they point apart; longer vectors make it larger "
                 "in size (a·b = |a| |b| cos θ)."))
