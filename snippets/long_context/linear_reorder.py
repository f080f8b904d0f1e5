"""Linear attention's reordering: an n×n intermediate versus a d×d one.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (linear attention).
Left: the two orders of the same product for a toy head (n tokens, d channels),
boxes drawn to scale; the two orders are run with kernels.linear_attention and must
agree. Right: scalars in the intermediate per head, from
quadratic_intermediate_elements and linear_intermediate_elements, at LLaMA 2 70B's
head width.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
import numpy as np
import torch

from kernels.linear_attention import (linear_attention, linear_attention_quadratic,
                                      linear_intermediate_elements,
                                      quadratic_intermediate_elements)
from kernels.presets import get_preset

TOY_N, TOY_D = 12, 3        # toy head: 12 tokens, 3 channels (drawn to scale)
LENGTHS = 2 ** np.arange(6, 18)   # 64 … 131,072 tokens


# --8<-- [start:compute]
def compute():
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 1, TOY_N, TOY_D, generator=gen, dtype=torch.float64)
               for _ in range(3))
    scores_first = linear_attention_quadratic(q, k, v)   # builds (n, n)
    summary_first = linear_attention(q, k, v)            # builds (d, d)
    gap = float((scores_first - summary_first).abs().max())
    d = get_preset("llama2-70b").head_dim
    quad = [quadratic_intermediate_elements(int(n)) for n in LENGTHS]
    lin = [linear_intermediate_elements(d, d) for _ in LENGTHS]
    return gap, d, quad, lin
# --8<-- [end:compute]


def _box(ax, x, mid, w, h, colour, label, theme):
    """A w×h box centred vertically on `mid`, labelled underneath; returns its
    right edge."""
    ax.add_patch(Rectangle((x, mid - h / 2), w, h, facecolor=colour,
                           edgecolor=theme.fg, lw=1))
    ax.text(x + w / 2, mid - h / 2 - 0.5, label, ha="center", va="top",
            color=theme.fg)
    return x + w


def _op(ax, x, mid, text, theme, width=2.0):
    ax.text(x + width / 2, mid, text, ha="center", va="center", fontsize=15,
            color=theme.fg)
    return x + width


# --8<-- [start:draw]
def draw(theme, gap, d, quad, lin):
    # Diagram above, plot below: side by side, the toy matrices were crammed.
    fig, (left, right) = plt.subplots(2, 1, figsize=(8, 8.4),
                                      gridspec_kw={"height_ratios": (1.15, 1)})
    n, dd = TOY_N, TOY_D
    # Scores first: (φ(Q) φ(K)ᵀ) V, the middle box is n × n.
    mid = 0.0
    left.text(0, mid + n / 2 + 1.6, "scores first", fontweight="bold",
              color=theme.fg)
    x = _box(left, 0, mid, dd, n, theme.accent, "Q", theme)
    x = _op(left, x, mid, "·", theme)
    x = _box(left, x, mid, n, dd, theme.contrast, "Kᵀ", theme)
    x = _op(left, x, mid, "→", theme)
    x = _box(left, x, mid, n, n, theme.warn, f"{n}×{n}", theme)
    x = _op(left, x, mid, "·", theme)
    right_edge = _box(left, x, mid, dd, n, theme.good, "V", theme)
    # Summary first: φ(Q) (φ(K)ᵀ V), the middle box is d × d.
    mid = -n - 8.0
    left.text(0, mid + n / 2 + 1.6, "summary first", fontweight="bold",
              color=theme.fg)
    x = _box(left, 0, mid, n, dd, theme.contrast, "Kᵀ", theme)
    x = _op(left, x, mid, "·", theme)
    x = _box(left, x, mid, dd, n, theme.good, "V", theme)
    x = _op(left, x, mid, "→", theme)
    x = _box(left, x, mid, dd, dd, theme.good, f"{dd}×{dd}", theme)
    x = _op(left, x, mid, ";", theme, width=2.6)
    x = _box(left, x, mid, dd, n, theme.accent, "Q", theme)
    x = _op(left, x, mid, "·", theme)
    _box(left, x, mid, dd, dd, theme.good, f"{dd}×{dd}", theme)
    left.set_xlim(-0.5, right_edge + 0.5)
    left.set_ylim(mid - n / 2 - 3.0, n / 2 + 3.5)
    left.set_aspect("equal")
    left.axis("off")
    left.set_title(f"Toy head: {n} tokens, {dd} channels", loc="left")

    right.plot(LENGTHS, quad, color=theme.warn, label="scores first: n × n")
    right.plot(LENGTHS, lin, color=theme.good, label=f"summary first: {d} × {d}")
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xticks([64, 1024, 16384, 131072], ["64", "1K", "16K", "128K"])
    right.set_xlabel("sequence length n (tokens)")
    right.set_ylabel("scalars in the intermediate,\nper head")
    right.set_title(f"Head width d = {d}")
    right.legend(loc="upper left")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    gap, d, quad, lin = compute()
    # Same numbers, different order of work: only float64 rounding separates them.
    book.bound("lc_linear_toy_gap", gap, dtype="float64")
    book.fact("lc_linear_head_dim", d, fmt="d")
    book.fact("lc_linear_n_by_n_128k", quad[-1], fmt="sci:3")
    book.fact("lc_linear_d_by_d", lin[-1], fmt=",d")
    book.fact("lc_linear_ratio_128k", quad[-1] / lin[-1], fmt=",.0f", unit="×")
    book.fact("lc_linear_toy_n", TOY_N, fmt="d")
    book.fact("lc_linear_toy_d", TOY_D, fmt="d")
    book.figure(
        lambda theme: draw(theme, gap, d, quad, lin),
        alt=(f"Left: boxes drawn to scale for a toy head of {TOY_N} tokens and "
             f"{TOY_D} channels. Scores first multiplies Q by K-transpose into a "
             f"{TOY_N}×{TOY_N} box, then by V; summary first multiplies K-transpose "
             f"by V into a {TOY_D}×{TOY_D} box, then Q reads it. Right: log-log plot "
             "of intermediate size against sequence length: n×n rises from "
             f"{quad[0]:,} to {quad[-1]:.2e} scalars, while {d}×{d} stays at "
             f"{lin[-1]:,}."),
        caption=(
            "The same product in two orders. Scores first builds an n×n matrix "
            "before it touches V; summary first folds K and V into a d×d summary "
            "that every query then reads. In the toy head both orders, run by "
            f"kernels.linear_attention, agree to {gap:.0e}. At a head width of {d} "
            f"and 128K tokens the n×n intermediate holds {quad[-1] / lin[-1]:,.0f}× "
            "more numbers. The reordering is only allowed because softmax has been "
            "replaced by a feature map."),
    )
