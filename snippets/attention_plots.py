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
