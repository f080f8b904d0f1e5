"""The book's one palette and figure style, in a light and a dark variant.

Every figure is drawn twice by the same code, once per ``Theme``; the site shows the
variant that matches the reader's palette toggle. Colours are the Okabe–Ito set
(distinguishable with the common colour-vision deficiencies), brightened for the dark
variant so they keep their contrast on Material's slate background.

Use colours by role (``theme.accent``, ``theme.contrast``, ...) rather than by hex, so a
figure means the same thing in both variants.
"""

from dataclasses import dataclass, field

from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap, to_rgba


@dataclass(frozen=True)
class Theme:
    name: str            # "light" or "dark": also the file suffix of the variant
    background: str      # the page behind the (transparent) figure, for contrast only
    fg: str              # text, axes, outlines
    muted: str           # secondary text, guides
    grid: str            # gridlines, empty cells
    panel: str           # filled boxes behind text
    accent: str          # the thing the figure is about
    contrast: str        # the thing it is compared with
    good: str            # a fix, a saving, "allowed"
    warn: str            # a cost, a limit, "wasted"
    extra: tuple = field(default=())  # more series colours, in order

    @property
    def series(self) -> tuple:
        return (self.accent, self.contrast, self.good, self.warn, *self.extra)

    def heatmap(self, colour: str | None = None) -> LinearSegmentedColormap:
        """A colormap from 'empty' (the grid colour) to `colour` (default: accent)."""
        top = colour or self.accent
        return LinearSegmentedColormap.from_list(
            f"{self.name}-heat", [to_rgba(self.grid), to_rgba(top)]
        )


LIGHT = Theme(
    name="light",
    background="#ffffff",
    fg="#1f2328",
    muted="#5b6470",
    grid="#e6e8eb",
    panel="#f3f4f6",
    accent="#0072B2",
    contrast="#D55E00",
    good="#009E73",
    warn="#C7342B",
    extra=("#CC79A7", "#E69F00", "#56B4E9"),
)

DARK = Theme(
    name="dark",
    background="#1e2029",
    fg="#e6e8eb",
    muted="#a4acb9",
    grid="#353a47",
    panel="#2a2e3a",
    accent="#56B4E9",
    contrast="#FF8A3D",
    good="#3DD6A3",
    warn="#FF6B6B",
    extra=("#E69FD0", "#F5C542", "#9FD4F5"),
)

THEMES = (LIGHT, DARK)

# Reading size: figures are drawn 8 inches wide and shown at the content width
# (about 750 px), so 13 pt text lands near the 16 px body text.
FIGURE_WIDTH_IN = 8.0
BASE_FONT_PT = 13


def rc_params(theme: Theme) -> dict:
    """matplotlib rcParams for one variant. Applied by the build around draw(theme)."""
    return {
        "font.family": "DejaVu Sans",  # ships with matplotlib: same glyphs everywhere
        "font.size": BASE_FONT_PT,
        "axes.titlesize": BASE_FONT_PT + 1,
        "axes.titleweight": "bold",
        "axes.labelsize": BASE_FONT_PT,
        "xtick.labelsize": BASE_FONT_PT - 1,
        "ytick.labelsize": BASE_FONT_PT - 1,
        "legend.fontsize": BASE_FONT_PT - 1,
        "text.color": theme.fg,
        "axes.labelcolor": theme.fg,
        "axes.edgecolor": theme.muted,
        "xtick.color": theme.fg,
        "ytick.color": theme.fg,
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "axes.prop_cycle": cycler(color=list(theme.series)),
        "grid.color": theme.grid,
        "axes.grid": False,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.figsize": (FIGURE_WIDTH_IN, 4.5),
        "lines.linewidth": 2.2,
        "image.cmap": "viridis",
    }
