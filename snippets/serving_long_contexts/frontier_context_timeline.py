"""Context windows of well-known models by announcement date, every point cited.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (Long
context at the frontier). Data: frontier_context_windows.csv, one row per model and
window with its docs/references.bib key (checked by _frontier_data.load). Windows
are plotted as the source states them; a vendor's "128K" is read as 128,000 tokens.
"""

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, NullLocator

from snippets.serving_long_contexts._frontier_data import load

DATA_FILES = ("snippets/serving_long_contexts/frontier_context_windows.csv",
              "docs/references.bib")
# Label offsets in points (dx, dy) and alignment, so no two labels overlap.
LABELS = {
    "GPT-3": (8, 0, "left"),
    "LLaMA": (-8, -2, "right"),
    "GPT-4": (-8, 2, "right"),
    "GPT-4-32k": (-8, 0, "right"),
    "Claude": (-8, 0, "right"),
    "Llama 2": (8, -8, "left"),
    "GPT-4 Turbo": (6, -16, "left"),
    "Claude 2.1": (-8, 8, "right"),
    "Gemini 1.5 Pro": (-8, 0, "right"),
    "Gemini 1.5 Pro, research test": (-8, 0, "right"),
    "Llama 3.1": (8, 0, "left"),
}


def short(tokens: int) -> str:
    """2,048 -> '2,048'; 128,000 -> '128K'; 1,000,000 -> '1M' (decimal K and M)."""
    if tokens >= 1_000_000 and tokens % 1_000_000 == 0:
        return f"{tokens // 1_000_000}M"
    if tokens >= 10_000 and tokens % 1000 == 0:
        return f"{tokens // 1000}K"
    return f"{tokens:,}"


# --8<-- [start:draw]
def draw(theme, rows):
    colour = {"OpenAI": theme.accent, "Anthropic": theme.contrast,
              "Google": theme.good, "Meta": theme.extra[0]}
    fig, ax = plt.subplots(figsize=(8, 5.4))
    for w in rows:
        c = colour[w.developer]
        ax.scatter(w.when, w.tokens, s=70, zorder=3, color=c,
                   facecolors="none" if w.research_only else c, linewidths=2)
        dx, dy, ha = LABELS[w.model]
        ax.annotate(f"{w.model}  {short(w.tokens)}", (w.when, w.tokens),
                    xytext=(dx, dy), textcoords="offset points", ha=ha,
                    va="center", fontsize=12, color=theme.fg)
    ax.set_yscale("log")
    ax.set_ylim(1000, 3e7)
    ticks = [1e3, 1e4, 1e5, 1e6, 1e7]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_yticks(ticks, ["1K", "10K", "100K", "1M", "10M"])
    ax.set_xlim(2019.9, 2025.0)
    ax.set_xticks([2020, 2021, 2022, 2023, 2024, 2025])
    ax.grid(axis="y", color=theme.grid)
    ax.set_xlabel("announced")
    ax.set_ylabel("context window (tokens, log scale)")
    for dev, c in colour.items():
        ax.scatter([], [], color=c, s=70, label=dev)
    ax.scatter([], [], facecolors="none", color=theme.muted, linewidths=2, s=70,
               label="tested in research only")
    ax.legend(loc="upper left")
    return fig
# --8<-- [end:draw]


def main(book):
    rows = load()
    by_model = {w.model: w for w in rows}
    gpt3, gemini = by_model["GPT-3"], by_model["Gemini 1.5 Pro"]
    tested = by_model["Gemini 1.5 Pro, research test"]
    book.fact("frontier_gpt3_tokens", gpt3.tokens, fmt=",d", unit="tokens",
              expected=2048, rel_tol=0, source="Brown et al. 2020: n_ctx = 2048")
    book.fact("frontier_gemini_tokens", gemini.tokens, fmt=",d", unit="tokens")
    book.fact("frontier_tested_tokens", tested.tokens, fmt=",d", unit="tokens")
    book.fact("frontier_growth", gemini.tokens / gpt3.tokens, fmt=",.0f", unit="×")
    book.fact("frontier_growth_years", gemini.when - gpt3.when, fmt=".1f",
              unit="years")
    book.fact("frontier_n_windows", len(rows), fmt="d")
    # "128K" read as binary would be 131,072: how far apart the two readings are.
    book.fact("frontier_k_gap_pct", 100 * (131072 - 128000) / 128000, fmt=".1f",
              unit="%")
    book.figure(
        lambda theme: draw(theme, rows),
        alt="A scatter plot of context window against announcement date on a log "
            "scale: GPT-3 at 2,048 tokens in 2020, LLaMA and Llama 2 at 2,048 and "
            "4,096, GPT-4 at 8K and 32K in March 2023, Claude at 100K in May 2023, "
            "GPT-4 Turbo at 128K and Claude 2.1 at 200K in November 2023, Gemini "
            "1.5 Pro at 1M in February 2024 with 10M tested in research, and "
            "Llama 3.1 at 128K in July 2024.",
        caption="Context windows as announced, one point per cited source "
                "(table below). Filled points were offered to users; the hollow one "
                "was only tested in research. The vertical axis is logarithmic: each "
                "gridline is ten times the one below.")
