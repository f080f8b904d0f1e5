"""Drawing helpers shared by Module 4.2's figures: annotated attention heatmaps.

Colours by role from snippets/style.py, so light and dark variants mean the same.
"""

from matplotlib.colors import LinearSegmentedColormap, to_rgba


def diverging(theme):
    """contrast (negative) → grid (zero) → accent (positive), for raw scores."""
    return LinearSegmentedColormap.from_list(
        f"{theme.name}-div",
        [to_rgba(theme.contrast), to_rgba(theme.grid), to_rgba(theme.accent)])


def heatmap(ax, matrix, rows, cols, theme, *, fmt="{:.2f}", vmin=None, vmax=None,
            cmap=None, fontsize=11, show_values=True):
    """An annotated heatmap: row i = query token, column j = key token."""
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    vmin = m.min() if vmin is None else vmin
    vmax = m.max() if vmax is None else vmax
    ax.imshow(m, cmap=cmap or theme.heatmap(), vmin=vmin, vmax=vmax,
              interpolation="nearest", aspect="equal")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right",
                  rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), rows)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    if show_values:
        span = (vmax - vmin) or 1.0
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                # Light text on strong cells, dark text on pale ones, in both themes.
                strong = abs((m[i, j] - vmin) / span - (0.5 if cmap else 0)) > (
                    0.45 if cmap else 0.55)
                colour = theme.background if strong else theme.fg
                ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center",
                        fontsize=fontsize, color=colour)
    return ax


def matrix_table(matrix, rows, cols, *, fmt="{:.3f}", corner="", trim=True) -> str:
    """A Markdown table of `matrix` with row and column labels (numbers right-aligned).
    With `trim`, whole numbers print without decimals whatever `fmt` says."""
    def show(x):
        x = float(x)
        return f"{x:.0f}" if trim and x == int(x) else fmt.format(x)
    lines = ["| " + " | ".join([corner, *cols]) + " |",
             "|" + "---|" + "---:|" * len(cols)]
    for label, row in zip(rows, matrix):
        lines.append("| " + " | ".join([f"**{label}**", *map(show, row)]) + " |")
    return "\n".join(lines)


def vec(v, fmt="{:.3f}") -> str:
    """(a, b, c) with whole numbers shown without decimals."""
    return "(" + ", ".join(f"{float(x):.0f}" if float(x) == int(x) else fmt.format(
        float(x)) for x in v) + ")"


def projection_arrows(theme, points, lim=3.0):
    """3-d arrows from the origin, one per labelled point: an embedding and where the
    projection matrices send it (lessons 4.2.2 and 4.2.3)."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(7.5, 6))
    ax = fig.add_subplot(projection="3d")
    colours = (theme.fg, theme.accent, theme.contrast, theme.good)
    for (label, p), colour in zip(points.items(), colours):
        ax.quiver(0, 0, 0, *p, color=colour, lw=2.5, arrow_length_ratio=0.12)
        ax.text(*(p * 1.08), label, color=colour, fontsize=13, fontweight="bold",
                ha="right" if label.startswith("x") else "left")
    for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
        setter(0, lim)
    ax.set_xlabel("dim 1")
    ax.set_ylabel("dim 2")
    ax.set_zlabel("dim 3")
    ax.view_init(elev=22, azim=-60)
    for pane in (ax.xaxis.pane, ax.yaxis.pane, ax.zaxis.pane):
        pane.set_alpha(0)
        pane.set_edgecolor(theme.grid)
    ax.tick_params(colors=theme.muted)
    return fig
