"""Measured memory of naive versus tiled (flash-style) attention as length grows.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (flash attention fixes
memory, not compute). Peak bytes are measured with kernels.memory.measure_peak_bytes
(torch's CPU allocation records, counted from the call; the returned output counts
too). One head, fp32, causal. Re-running gives the same bytes: the allocations of a
fixed computation do not vary, and the test suite regenerates this figure to check.
"""

import matplotlib.pyplot as plt
import torch
from torch.utils.flop_counter import FlopCounterMode

from kernels.attention import attention
from kernels.costs import attention_score_flops
from kernels.memory import measure_peak_bytes
from kernels.tiled_attention import naive_peak_elements, tiled_attention

LENGTHS = (256, 512, 1024, 2048, 4096)
HEAD_DIM = 64
BLOCK = 64          # tile size of tiled_attention, queries and keys
FP32 = 4            # bytes per element


# --8<-- [start:compute]
def counted_flops(fn, *args, **kwargs):
    """Matmul FLOPs torch's flop counter records for one call (2 per multiply-add)."""
    with FlopCounterMode(display=False) as counter:
        fn(*args, **kwargs)
    return counter.get_total_flops()


def compute():
    rows = []
    for t in LENGTHS:
        gen = torch.Generator().manual_seed(0)
        q, k, v = (torch.randn(1, 1, t, HEAD_DIM, generator=gen) for _ in range(3))
        out_naive, naive = measure_peak_bytes(attention, q, k, v, is_causal=True)
        out_tiled, tiled = measure_peak_bytes(tiled_attention, q, k, v,
                                              block_q=BLOCK, block_k=BLOCK,
                                              is_causal=True)
        max_diff = float((out_naive - out_tiled).abs().max())  # same up to rounding
        output = t * HEAD_DIM * FP32       # the (t, d) result either method returns
        rows.append((t, naive, tiled, output, max_diff))
    return rows


def flops_at(t):
    """(naive, tiled) matmul FLOPs at length t: the naive kernel scores all t² pairs
    and masks afterwards; the tiled one skips tiles wholly above the diagonal."""
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 1, t, HEAD_DIM, generator=gen) for _ in range(3))
    return (counted_flops(attention, q, k, v, is_causal=True),
            counted_flops(tiled_attention, q, k, v, block_q=BLOCK, block_k=BLOCK,
                          is_causal=True))
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, rows):
    fig, ax = plt.subplots(figsize=(8, 4.6))
    t = [r[0] for r in rows]
    mb = lambda i: [r[i] / 1e6 for r in rows]  # noqa: E731  bytes -> MB
    ax.plot(t, mb(1), "o-", color=theme.warn, label="naive: whole score matrix")
    ax.plot(t, mb(2), "o-", color=theme.good, label=f"tiled: {BLOCK}×{BLOCK} tiles")
    ax.plot(t, mb(3), "--", color=theme.muted, lw=1.5,
            label="the output alone")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(t, [f"{n:,}" for n in t])
    ax.set_xlabel("sequence length (tokens)")
    ax.set_ylabel("measured peak memory (MB)")
    ax.legend(loc="upper left")
    last = rows[-1]
    ax.annotate(f"{last[1] / 1e6:.0f} MB", (last[0], last[1] / 1e6),
                xytext=(-10, 0), textcoords="offset points", ha="right",
                va="center", color=theme.warn, fontsize=12)
    ax.annotate(f"{last[2] / 1e6:.2f} MB", (last[0], last[2] / 1e6),
                xytext=(-8, 8), textcoords="offset points", ha="right",
                va="bottom", color=theme.good, fontsize=12)
    return fig
# --8<-- [end:draw]


def main(book):
    rows = compute()
    t, naive, tiled, output, _ = rows[-1]
    t0, naive0, *_ = rows[0]
    ideal = attention_score_flops(t, 1, HEAD_DIM, causal=True)
    all_pairs = attention_score_flops(t, 1, HEAD_DIM)
    flops_naive, flops_tiled = flops_at(t)
    book.fact("lc_mem_len", t, fmt=",d")
    book.fact("lc_mem_short_len", t0, fmt=",d")
    book.fact("lc_mem_head_dim", HEAD_DIM, fmt="d")
    book.fact("lc_mem_naive_mb", naive / 1e6, fmt=".0f", unit="MB")
    book.fact("lc_mem_tiled_mb", tiled / 1e6, fmt=".2f", unit="MB")
    book.fact("lc_mem_ratio", naive / tiled, fmt=".0f", unit="×")
    book.fact("lc_mem_naive_growth", naive / naive0, fmt=".0f", unit="×",
              expected=(t / t0) ** 2, rel_tol=0.01, source="(4096/256)² = 256")
    book.fact("lc_mem_len_growth", t / t0, fmt=".0f", unit="×")
    book.fact("lc_mem_score_bytes", naive_peak_elements(t, HEAD_DIM) * FP32 / 1e6,
              fmt=".0f", unit="MB")
    book.fact("lc_mem_flops_naive", flops_naive, fmt="sci:3", unit="FLOPs",
              expected=all_pairs, rel_tol=1e-9, source="4·t²·d: every pair scored")
    book.fact("lc_mem_flops_tiled", flops_tiled, fmt="sci:3", unit="FLOPs")
    book.fact("lc_mem_flops_causal", ideal, fmt="sci:3", unit="FLOPs")
    book.fact("lc_mem_flops_saving", flops_naive / flops_tiled, fmt=".2f", unit="×")
    book.claim("tiled_half_flops", "about half the FLOPs of",
               holds=0.45 < flops_tiled / flops_naive < 0.55,
               because=f"tiled {flops_tiled:.4g} / naive {flops_naive:.4g}")
    book.claim("tiled_above_causal", "slightly more than",
               holds=ideal < flops_tiled < 1.05 * ideal,
               because=f"tiled {flops_tiled:.4g} vs ideal causal {ideal:.4g}")
    book.claim("memory_saving_dwarfs_flops", "far more than",
               holds=naive / tiled > 20 * flops_naive / flops_tiled,
               because=f"memory {naive / tiled:.0f}x vs FLOPs "
                       f"{flops_naive / flops_tiled:.2f}x")
    book.bound("lc_mem_max_diff", max(r[4] for r in rows), dtype="float32")
    book.figure(
        lambda theme: draw(theme, rows),
        alt=(f"Log-log plot of measured peak memory against sequence length from "
             f"{t0:,} to {t:,} tokens for one attention head. Naive attention rises "
             f"with slope 2 to {naive / 1e6:.0f} MB; tiled attention stays just above "
             f"the size of the output and ends at {tiled / 1e6:.2f} MB."),
        caption=(
            "Peak memory measured while one causal head (d = "
            f"{HEAD_DIM}, fp32) runs, with kernels.memory.measure_peak_bytes. Naive "
            "attention holds the whole score matrix, so its memory grows with the "
            f"square of the length; tiled attention holds one {BLOCK}×{BLOCK} tile "
            "at a time and tracks the output it has to return anyway. The two outputs "
            "agree to rounding (largest difference under {{fact:lc_mem_max_diff}} "
            "in fp32, at every length). The FLOPs the two kernels run (2 per "
            "multiply-add, counted by torch) are not equal: the naive kernel scores "
            "every pair and masks afterwards, the tiled one skips tiles above the "
            "diagonal and lands just above the ideal causal count used elsewhere on "
            "this page."),
    )
