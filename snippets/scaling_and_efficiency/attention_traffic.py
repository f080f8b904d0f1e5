"""Bytes naive and tiled attention move between device memory and the chip.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Traffic from kernels.tiled_attention.{naive,tiled}_hbm_elements (one head, no mask,
fp16 = 2 bytes); FLOPs 4·T²·d (QKᵀ and PV) for both; times are roofline bounds on
an A100 (kernels.hardware), not measurements. MB = 10⁶ bytes.
"""

import matplotlib.pyplot as plt

from kernels.hardware import (A100_80GB, A100_SM_COUNT, A100_SRAM_PER_SM_BYTES,
                              roofline_time_s)
from kernels.presets import get_preset
from kernels.tiled_attention import (naive_hbm_elements, naive_peak_elements,
                                     tiled_hbm_elements, tiled_peak_elements)

LENGTHS = (512, 1024, 2048, 4096, 8192, 16384)
BLOCKS = (64, 128, 256)
HEAD_DIM = 64        # GPT-2 small's head width
FP16 = 2
T_EXAMPLE, B_EXAMPLE = 4096, 128


# --8<-- [start:compute]
def traffic(t, block=None):
    """Bytes moved for one head of length t: naive if block is None, else tiled."""
    if block is None:
        return naive_hbm_elements(t, HEAD_DIM) * FP16
    return tiled_hbm_elements(t, HEAD_DIM, block, block) * FP16


def working_memory(t, block=None):
    """Bytes of scores and running state held at once, beyond inputs and output."""
    if block is None:
        return naive_peak_elements(t, HEAD_DIM) * FP16
    return tiled_peak_elements(t, HEAD_DIM, block, block) * FP16


def flops(t):
    return 4 * t * t * HEAD_DIM


def a100_time(t, block=None):
    return roofline_time_s(flops(t), traffic(t, block), A100_80GB)
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme):
    fig, (mem, left, right) = plt.subplots(1, 3, figsize=(7.6, 4.8))
    colours = (theme.good, theme.accent, theme.extra[0])
    series = [(None, theme.warn, "naive")] + [
        (b, c, f"tiled {b}×{b}") for b, c in zip(BLOCKS, colours)]
    for block, colour, label in series:
        mem.plot(LENGTHS, [working_memory(t, block) / 1e6 for t in LENGTHS], "o-",
                 color=colour, label=label, ms=4)
        left.plot(LENGTHS, [traffic(t, block) / 1e6 for t in LENGTHS], "o-",
                  color=colour, label=label, ms=4)
        right.plot(LENGTHS, [a100_time(t, block) * 1e6 for t in LENGTHS], "o-",
                   color=colour, label=label, ms=4)
    right.plot(LENGTHS, [flops(t) / A100_80GB.peak_flops * 1e6 for t in LENGTHS],
               "--", color=theme.muted, label="arithmetic alone")
    for ax in (mem, left, right):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(LENGTHS[::2], [f"{t // 1024}K" if t >= 1024 else str(t)
                                     for t in LENGTHS[::2]])
        ax.set_xlabel("tokens")
    mem.set_title("working memory (MB)", fontsize=12)
    left.set_title("bytes moved (MB)", fontsize=12)
    right.set_title("A100 time bound (µs)", fontsize=12)
    # One legend under the panels: inside them it would cover the lines.
    fig.legend(handles=mem.get_lines() + right.get_lines()[-1:], loc="lower center",
               ncol=3, frameon=False)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    return fig
# --8<-- [end:draw]


def main(book):
    t, b = T_EXAMPLE, B_EXAMPLE
    naive, tiled = traffic(t), traffic(t, b)
    book.fact("fa_len", t, fmt=",d")
    book.fact("fa_block", b, fmt="d")
    book.fact("fa_head_dim", HEAD_DIM, fmt="d")
    book.fact("fa_naive_mb", naive / 1e6, fmt=".1f", unit="MB")
    book.fact("fa_tiled_mb", tiled / 1e6, fmt=".1f", unit="MB")
    book.fact("fa_traffic_ratio", naive / tiled, fmt=".1f", unit="×")
    book.fact("fa_flops", flops(t), fmt="sci:3", unit="FLOPs")
    book.fact("fa_ai_naive", flops(t) / naive, fmt=".0f", unit="FLOPs per byte")
    book.fact("fa_ai_tiled", flops(t) / tiled, fmt=".0f", unit="FLOPs per byte")
    book.fact("fa_time_naive_us", a100_time(t) * 1e6, fmt=".1f", unit="µs")
    book.fact("fa_time_tiled_us", a100_time(t, b) * 1e6, fmt=".1f", unit="µs")
    book.fact("fa_speedup", a100_time(t) / a100_time(t, b), fmt=".1f", unit="×")
    # The traffic of the score matrix alone: T² elements written and read back
    # twice (S and P); the example uses GPT-2 small's 12 heads at 4,096 tokens.
    heads = get_preset("gpt2-small").n_heads
    matrix = heads * t * t * FP16
    tile = heads * b * b * FP16
    book.fact("fa_heads", heads, fmt="d")
    book.fact("fa_matrix_mb", matrix / 1e6, fmt=".1f", unit="MB")
    book.fact("fa_matrix_mib", matrix / 2**20, fmt=".0f", unit="MiB")
    book.fact("fa_tile_kb", tile / 1e3, fmt=".0f", unit="KB")
    book.fact("fa_matrix_over_tile", matrix / tile, fmt=",.0f", unit="×",
              expected=(t / b) ** 2)
    book.fact("fa_one_head_matrix_mb", t * t * FP16 / 1e6, fmt=".1f", unit="MB")
    book.fact("a100_sm_count", A100_SM_COUNT, fmt="d")
    book.fact("a100_sram_kib", A100_SRAM_PER_SM_BYTES / 2**10, fmt=".0f", unit="KiB")
    book.fact("a100_sram_total_mib", A100_SM_COUNT * A100_SRAM_PER_SM_BYTES / 2**20,
              fmt=".2f", unit="MiB")
    # Rescaling the running output costs bq·d multiplies per tile: (t/b)² tiles.
    extra = (t // b) ** 2 * b * HEAD_DIM
    book.fact("fa_rescale_pct", 100 * extra / flops(t), fmt=".1f", unit="%")
    ratio_big = traffic(LENGTHS[-1]) / traffic(LENGTHS[-1], b)
    book.claim("fa_ratio_grows", "grows with the block size, not with the length",
               holds=abs(ratio_big - naive / tiled) / (naive / tiled) < 0.05
               and traffic(t, 256) < traffic(t, 128) < traffic(t, 64),
               because=f"{ratio_big:.2f} at {LENGTHS[-1]} vs {naive / tiled:.2f}")
    book.figure(
        draw,
        alt=("Three log-log panels against sequence length for naive attention and "
             "tiled attention with 64, 128 and 256 blocks. Left: working memory; the "
             "naive line rises with the square of the length, the tiled lines are "
             "flat and far lower. Middle: megabytes moved per head; all lines rise "
             "with the square of the length, naive highest, larger tiles lower. "
             "Right: the A100 time bound; tiled kernels approach the dashed "
             "arithmetic-only line, naive stays above it."),
        caption=(f"One attention head (d = {HEAD_DIM}, fp16, no mask). Left: scores "
                 "and running statistics held at once (naive: the whole score "
                 "matrix and its softmax; tiled: one tile). Middle: bytes moved "
                 "between device memory and the chip; naive attention writes the "
                 "score matrix and reads it back, tiled attention re-reads K and V "
                 "once per query block instead. Right: the time those bytes and "
                 f"the same {4}·T²·d FLOPs need at the A100's bandwidth and peak "
                 "(a lower bound, not a measurement)."))
