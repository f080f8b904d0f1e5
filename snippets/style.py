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

    def text_on(self, face: str) -> str:
        """The text colour for a label drawn on a `face`-coloured fill: whichever
        of the theme's own text/background colours, black or white reads best
        (WCAG contrast; tests/pipeline/test_figure_style.py asserts >= 4.5:1)."""
        return max((self.background, self.fg, "#000000", "#ffffff"),
                   key=lambda c: contrast_ratio(c, face))

    def heatmap(self, colour: str | None = None) -> LinearSegmentedColormap:
        """A colormap from 'empty' (the grid colour) to `colour` (default: accent)."""
        top = colour or self.accent
        return LinearSegmentedColormap.from_list(
            f"{self.name}-heat", [to_rgba(self.grid), to_rgba(top)]
        )


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    def luminance(colour):
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                    for c in to_rgba(colour)[:3]]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


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
FONT_STACK = ["DejaVu Sans", "Verdana", "Arial", "Helvetica"]


def rc_params(theme: Theme) -> dict:
    """matplotlib rcParams for one variant. Applied by the build around draw(theme)."""
    return {
        # Laid out with DejaVu Sans (ships with matplotlib). SVG text stays text, so
        # the browser draws it with the first of these fonts the reader has;
        # Verdana has DejaVu's wide metrics, so labels still fit their boxes.
        "font.family": "sans-serif",
        "font.sans-serif": FONT_STACK,
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
