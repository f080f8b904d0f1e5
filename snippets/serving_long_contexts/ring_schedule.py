"""Ring attention's schedule: which key/value block each device holds at each step.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (Long
context at the frontier). Runs kernels.ring_attention on P simulated devices, checks
it against fp64 SDPA, and draws the trace (causal). Memory and traffic counts are
per (batch, head) in scalars, from ring_peak_elements / ring_sent_elements.
"""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Patch, Rectangle
from torch.utils.flop_counter import FlopCounterMode

from kernels.attention import attention

from kernels.ring_attention import (ring_attention, ring_attention_trace,
                                    ring_peak_elements, ring_sent_elements)

P = 4                 # devices in the figure
T, D = 1024, 64       # length and head width of the correctness check
LONG_T, LONG_P = 128_000, 8   # the sizing example: a 128K window over 8 devices


# --8<-- [start:compute]
def check_against_sdpa():
    """Largest |ring − SDPA| over causal and non-causal, fp64, P = 2, 4, 8."""
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 2, T, D, dtype=torch.float64, generator=gen)
               for _ in range(3))
    worst = 0.0
    for causal in (False, True):
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        for p in (2, 4, 8):
            out = ring_attention(q, k, v, p, is_causal=causal)
            worst = max(worst, float((out - expected).abs().max()))
    return worst


def counted_flops(fn, *args, **kwargs):
    """Matmul FLOPs torch's flop counter records for one call."""
    with FlopCounterMode(display=False) as counter:
        fn(*args, **kwargs)
    return counter.get_total_flops()


def flops_ring_vs_full(t=256, p=P):
    """(ring on p devices, full attention on one), non-causal, one head."""
    q, k, v = (torch.randn(1, 1, t, D) for _ in range(3))
    return counted_flops(ring_attention, q, k, v, p), counted_flops(attention, q, k, v)


def schedule(p=P):
    """The causal trace of a tiny run: only the schedule matters, not the values."""
    x = torch.zeros(1, 1, 4 * p, 2)
    return ring_attention_trace(x, x, x, p, is_causal=True)[1]
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, trace, p=P):
    fig, ax = plt.subplots(figsize=(8, 4.4))
    fills = {"own": theme.accent, "full": theme.good, "skip": theme.grid}
    for s in trace:
        kind = ("own" if s.kv_block == s.device else
                "full" if s.computed else "skip")
        ax.add_patch(Rectangle((s.step, s.device), 0.94, 0.9,
                               facecolor=fills[kind], edgecolor="none"))
        ax.text(s.step + 0.47, s.device + 0.45, f"K/V block {s.kv_block}",
                ha="center", va="center", fontsize=12,
                color=theme.text_on(fills[kind]))
    ax.set_xlim(-0.1, p)
    ax.set_ylim(p, -0.15)
    ax.set_xticks([i + 0.47 for i in range(p)], [f"step {i}" for i in range(p)])
    ax.set_yticks([i + 0.45 for i in range(p)],
                  [f"device {i}\n(queries {i})" for i in range(p)])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[
        Patch(color=fills["own"], label="own block: causal mask inside"),
        Patch(color=fills["full"], label="earlier block: attend to all"),
        Patch(color=fills["skip"], label="later block: skipped (causal)")],
        loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=12)
    return fig
# --8<-- [end:draw]


def main(book):
    trace = schedule()
    book.bound("ring_max_diff", check_against_sdpa(), dtype="float64")
    book.fact("ring_devices", P, fmt="d")
    book.fact("ring_check_len", T, fmt=",d", unit="tokens")
    work = [sum(s.computed for s in trace if s.device == i) for i in range(P)]
    book.fact("ring_causal_computed", sum(work), fmt="d",
              expected=P * (P + 1) // 2, rel_tol=0, source="1 + 2 + ... + P")
    book.fact("ring_cells", len(trace), fmt="d")
    book.fact("ring_last_device_work", work[-1], fmt="d")
    book.claim("ring_causal_unbalanced", f"{work[-1] // work[0]} times as many",
               holds=work == list(range(1, P + 1)),
               because=f"blocks computed per device {work}")

    ring_flops, full_flops = flops_ring_vs_full()
    book.claim("ring_same_flops", "exactly as many multiply-adds as",
               holds=ring_flops == full_flops,
               because=f"ring {ring_flops:,} vs full {full_flops:,} matmul FLOPs")
    b = LONG_T // LONG_P
    book.fact("ring_long_len", LONG_T, fmt=",d", unit="tokens")
    book.fact("ring_long_devices", LONG_P, fmt="d")
    book.fact("ring_long_block", b, fmt=",d", unit="tokens")
    # At any moment a device holds two K/V blocks (in use and arriving) of P.
    book.fact("ring_kv_held_pct", 100 * 2 / LONG_P, fmt=".0f", unit="%")
    sent = ring_sent_elements(LONG_T, 128, LONG_P)
    book.fact("ring_sent_pct", 100 * sent / (2 * LONG_T * 128), fmt=".1f", unit="%",
              expected=100 * (LONG_P - 1) / LONG_P, rel_tol=1e-12,
              source="(P - 1)/P of all keys and values")
    peak = ring_peak_elements(LONG_T, 128, LONG_P)
    book.fact("ring_score_tile_ratio", (LONG_T / b) ** 2, fmt=",.0f", unit="×")
    book.claim("ring_peak_below_full", "a small fraction of",
               holds=peak < 0.05 * LONG_T * LONG_T,
               because=f"peak {peak:,} vs full score matrix {LONG_T ** 2:,}")
    book.figure(
        lambda theme: draw(theme, trace),
        alt=f"A {P} by {P} grid, devices down and steps across. Device i holds "
            "K/V block i at step 0, then i−1, i−2 and so on, wrapping around. "
            "Cells on the diagonal are the device's own block, cells with an "
            "earlier block are computed in full, cells with a later block are "
            "skipped under the causal mask, so device 0 computes one block and "
            f"device {P - 1} computes {P}.",
        caption=f"Ring attention on {P} devices with a causal mask, read from the "
                "kernel's trace. Queries never move; at each step every device "
                "passes the key/value block it holds to the next device down "
                "(the last passes to device 0).")
