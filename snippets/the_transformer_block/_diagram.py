"""Drawing helpers shared by the block, norm-placement, stacking and GPT diagrams.

One colour per part, by role, in every diagram of lessons 4.2.5 and 4.2.6:
residual stream = accent, attention = contrast, FFN = good, LayerNorm = extra[1],
embeddings and the output head = extra[0].
"""

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch


def colours(theme) -> dict:
    """Role -> colour for one theme."""
    return {"stream": theme.accent, "attn": theme.contrast, "ffn": theme.good,
            "norm": theme.extra[1], "embed": theme.extra[0], "fg": theme.fg,
            "muted": theme.muted, "panel": theme.panel}


def box(ax, x, y, w, h, text, edge, theme, *, size=12, dashed=False, bold=False):
    """A rounded box centred on (x, y) with centred text."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=theme.panel, edgecolor=edge, linewidth=1.8,
                                linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", color=theme.fg, fontsize=size,
            fontweight="bold" if bold else "normal")


def arrow(ax, start, end, colour, *, width=1.5, style="-|>", connection="arc3"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=13,
                                 color=colour, linewidth=width,
                                 connectionstyle=connection, shrinkA=0, shrinkB=0))


def add_node(ax, x, y, theme, r=0.25):
    """The ⊕ where a sub-layer's output is added to the residual stream."""
    ax.add_patch(Circle((x, y), r, facecolor=theme.panel, edgecolor=theme.accent,
                        linewidth=1.8, zorder=3))
    ax.text(x, y, "+", ha="center", va="center", color=theme.fg, fontsize=13,
            zorder=4)


def label(ax, x, y, text, theme, *, size=12, ha="left", colour=None, **kw):
    ax.text(x, y, text, ha=ha, va="center", color=colour or theme.muted,
            fontsize=size, **kw)
