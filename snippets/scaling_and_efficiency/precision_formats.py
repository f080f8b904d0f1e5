"""Bit layouts of fp32, fp16, bf16 and fp8 (E4M3), with range and spacing from torch.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Field widths, largest value, smallest normal and spacing at 1.0 are read from
torch.finfo; nothing here is typed from a table.
"""

import math

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

FORMATS = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16,
           "fp8 (E4M3)": torch.float8_e4m3fn}


# --8<-- [start:compute]
def layout(dtype):
    """(sign, exponent, mantissa) bit counts, largest, smallest normal, eps."""
    info = torch.finfo(dtype)
    mantissa = round(-math.log2(info.eps))
    return (1, info.bits - 1 - mantissa, mantissa, info.max, info.smallest_normal,
            info.eps)
# --8<-- [end:compute]


def pow10(x):
    if 1 <= x <= 1e5:
        return f"{x:,.0f}"
    return f"{x:.3g}" if 1e-3 <= x < 1 else f"{x:.2e}".replace("e+", "e")


# --8<-- [start:draw]
def draw(theme):
    fig, ax = plt.subplots(figsize=(8, 5.2))
    cell = 0.25  # width of one bit
    step = 1.45  # vertical distance between formats
    for row, (name, dtype) in enumerate(FORMATS.items()):
        sign, exp, man, top, low, eps = layout(dtype)
        y = -row * step
        x = 0.0
        for count, colour in ((sign, theme.warn), (exp, theme.accent),
                              (man, theme.good)):
            ax.add_patch(Rectangle((x, y), count * cell, 0.55, facecolor=colour,
                                   edgecolor=theme.background, lw=1.5))
            for i in range(1, count):  # thin lines between the bits of a field
                ax.plot([x + i * cell] * 2, [y, y + 0.55], color=theme.background,
                        lw=0.5)
            ax.text(x + count * cell / 2, y + 0.275, str(count), ha="center",
                    va="center", fontsize=10, color="white", fontweight="bold")
            x += count * cell
        ax.text(-0.25, y + 0.275, name, ha="right", va="center", fontsize=12,
                color=theme.fg)
        ax.text(0, y - 0.3,
                f"largest {pow10(top)}   smallest normal {pow10(low)}   "
                f"gap above 1: {pow10(eps)}", ha="left", va="center",
                fontsize=10.5, color=theme.muted)
    for i, (label, colour) in enumerate((("sign", theme.warn),
                                         ("exponent bits: range", theme.accent),
                                         ("mantissa bits: spacing", theme.good))):
        ax.add_patch(Rectangle(((0, 1.6, 5.2)[i], 1.0), 0.3, 0.3, facecolor=colour))
        ax.text((0, 1.6, 5.2)[i] + 0.4, 1.15, label, va="center", fontsize=10.5,
                color=theme.fg)
    ax.set_xlim(-2.4, 32 * cell + 0.3)
    ax.set_ylim(-(len(FORMATS) - 1) * step - 0.6, 1.5)
    ax.axis("off")
    return fig
# --8<-- [end:draw]


def main(book):
    for name, dtype in FORMATS.items():
        key = name.split()[0]
        sign, exp, man, top, low, eps = layout(dtype)
        book.fact(f"{key}_exp_bits", exp, fmt="d")
        book.fact(f"{key}_man_bits", man, fmt="d")
        book.fact(f"{key}_max", top, fmt="sci:3" if top > 1e5 else ",.0f")
        book.fact(f"{key}_min_normal", low, fmt="sci:3", tiny_ok=True)
        book.fact(f"{key}_eps", eps, fmt="sci:3" if eps < 1e-3 else ".4g")
    same_range = torch.finfo(torch.bfloat16).max / torch.finfo(torch.float32).max
    book.claim("bf16_range_like_fp32", "about the same range as",
               holds=0.99 < same_range <= 1.0, because=f"max ratio {same_range}")
    book.figure(
        draw,
        alt=("Four rows of coloured bit cells: fp32 with 1 sign, 8 exponent and 23 "
             "mantissa bits; fp16 with 1, 5 and 10; bf16 with 1, 8 and 7; fp8 E4M3 "
             "with 1, 4 and 3. Beside each row its largest value, smallest normal "
             "value and the gap between 1 and the next number."),
        caption=("Where the bits go. The exponent field sets the range (largest and "
                 "smallest normal number), the mantissa sets the spacing (the gap "
                 "between 1 and the next representable number). bf16 keeps fp32's "
                 "8 exponent bits and gives up mantissa; fp16 does the opposite. "
                 "All numbers read from torch.finfo."))
