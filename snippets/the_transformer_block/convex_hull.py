"""Attention blends, the FFN transforms: the convex-hull argument, computed.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md.
Three value vectors in 2-D (so the picture is exact; the argument holds in any
width). Random queries and keys give many different attention patterns; every output
of kernels.attention lands inside the triangle of the values. A linear layer maps that
triangle to another triangle, and every mapped output stays inside it. A small FFN
(Linear, GELU, Linear) bends the triangle, and some outputs land outside the triangle
of its mapped corners: points no blend of those corners can produce.
"""

import matplotlib.pyplot as plt
import torch
from torch import nn

from kernels.attention import attention

N_QUERIES = 400
VALUES = ((-1.6, -1.0), (1.8, -0.7), (0.1, 1.9))  # three tokens' value vectors
HIDDEN = 16  # FFN hidden width (the real FFN has 4x d_model; here any width bends)
TOL = 1e-12


def barycentric(points, corners):
    """points (N, 2), corners (3, 2) -> (N, 3) weights; all >= 0 means inside."""
    a, b, c = corners
    m = torch.stack([b - a, c - a], dim=1)  # (2, 2)
    uv = torch.linalg.solve(m, (points - a).T).T  # (N, 2)
    return torch.cat([1 - uv.sum(1, keepdim=True), uv], dim=1)


def outside(points, corners):
    return (barycentric(points, corners) < -TOL).any(dim=1)


# --8<-- [start:compute]
def compute():
    gen = torch.Generator().manual_seed(0)
    v = torch.tensor(VALUES, dtype=torch.float64)  # (3, 2)
    q = 2.0 * torch.randn(N_QUERIES, 4, generator=gen, dtype=torch.float64)
    k = torch.randn(3, 4, generator=gen, dtype=torch.float64)
    out = attention(q[None, None], k[None, None], v[None, None])[0, 0]  # (N, 2)

    torch.manual_seed(0)
    linear = nn.Linear(2, 2).double()
    ffn = nn.Sequential(nn.Linear(2, HIDDEN), nn.GELU(),
                        nn.Linear(HIDDEN, 2)).double()
    with torch.no_grad():
        lin_out, lin_v = linear(out), linear(v)
        ffn_out, ffn_v = ffn(out), ffn(v)
        grid = torch.rand(4000, 3, generator=gen, dtype=torch.float64)
        grid = grid / grid.sum(1, keepdim=True) @ v  # blends of the values
        ffn_grid = ffn(grid)
    return dict(v=v, out=out, lin_v=lin_v, lin_out=lin_out, ffn_v=ffn_v,
                ffn_out=ffn_out, ffn_grid=ffn_grid,
                att_outside=int(outside(out, v).sum()),
                lin_outside=int(outside(lin_out, lin_v).sum()),
                ffn_outside=int(outside(ffn_out, ffn_v).sum()))
# --8<-- [end:compute]


def _triangle(ax, corners, theme, colour, names=True):
    c = torch.cat([corners, corners[:1]])
    ax.plot(c[:, 0], c[:, 1], color=colour, linewidth=2)
    if names:
        for (x, y), name in zip(corners.tolist(), "ABC"):
            ax.text(x, y, f" {name}", color=theme.fg, fontsize=12,
                    fontweight="bold", va="bottom")


# --8<-- [start:draw]
def draw(theme, d):
    fig, axes = plt.subplots(1, 3, figsize=(7.7, 4.2))
    panels = (
        ("attention output\n(blends of\nA, B, C)", d["v"], d["out"], None),
        ("linear layer\non it (blends of\nmapped corners)", d["lin_v"], d["lin_out"],
         None),
        ("FFN with GELU\non it (the\ntriangle bends)", d["ffn_v"], d["ffn_out"],
         d["ffn_grid"]),
    )
    for ax, (title, corners, pts, cloud) in zip(axes, panels):
        if cloud is not None:
            ax.scatter(cloud[:, 0], cloud[:, 1], s=3, color=theme.muted, alpha=0.25,
                       linewidths=0, zorder=1)
        out = outside(pts, corners)
        ax.scatter(pts[~out, 0], pts[~out, 1], s=9, color=theme.accent, zorder=2)
        ax.scatter(pts[out, 0], pts[out, 1], s=14, color=theme.warn, marker="x",
                   zorder=3)
        _triangle(ax, corners, theme, theme.fg)
        ax.set_title(title, fontsize=12)
        ax.set_aspect("equal", adjustable="datalim")
        ax.tick_params(labelsize=12)
        # few ticks: three narrow panels have no room for more at reading size
        ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        ax.yaxis.set_major_locator(plt.MaxNLocator(4))
    fig.tight_layout(w_pad=1.5)
    return fig
# --8<-- [end:draw]


def main(book):
    d = compute()
    n = N_QUERIES
    book.figure(lambda theme: draw(theme, d), alt=(
        f"Three scatter plots. Left: {n} attention outputs, all inside the triangle "
        "of the three value vectors A, B, C. Middle: the same points after a linear "
        "layer, all inside the triangle of the mapped corners. Right: the same "
        "points after a small feed-forward network with GELU; the set of all blends "
        "becomes a curved region and "
        f"{d['ffn_outside']} points, marked with crosses, lie outside the triangle "
        "of the mapped corners."), caption=(
        f"{n} random attention patterns over three value vectors (left): every "
        "output is a weighted average, so it stays inside their triangle. A linear "
        "layer (middle) only moves the triangle. The FFN's GELU (right) bends it: "
        "crosses mark outputs that no weighted average of the mapped corners can "
        "produce. Grey dots: the FFN applied to every blend of A, B, C. "
        "Two dimensions so the picture is exact; the argument holds at any width."))
    book.fact("tb_hull_queries", n, fmt="d")
    book.fact("tb_hull_att_inside", n - d["att_outside"], fmt="d")
    book.fact("tb_hull_lin_inside", n - d["lin_outside"], fmt="d")
    book.fact("tb_hull_ffn_outside", d["ffn_outside"], fmt="d")
    book.claim("tb_hull_all_inside", "every one of", holds=d["att_outside"] == 0
               and d["lin_outside"] == 0, because=f"outside: {d['att_outside']}, "
               f"{d['lin_outside']}")
    book.claim("tb_hull_ffn_leaves", "leave", holds=d["ffn_outside"] >= 10,
               because=f"{d['ffn_outside']} of {n} outside")
