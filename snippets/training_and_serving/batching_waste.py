"""Facts: how much a static batch wastes, and why a bigger batch is no cure.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (continuous
batching). Uses kernels.batching. The often-quoted example: 8 requests whose lengths
spread from 20 to 200 tokens in one batch of 8. The misconception check reuses the
seeded workload of the batching figure (batching_timelines.workload).
"""

import numpy as np

from kernels.batching import Request, simulate_continuous, simulate_static
from snippets.training_and_serving.batching_timelines import SLOTS, workload

SHORT, LONG, N = 20, 200, 8   # the often-quoted example: 8 lengths from 20 to 200
QUOTED_WASTE = 0.225          # often quoted: "22.5% compute wasted in static"
BIG_BATCH = 2 * SLOTS          # the "just use a bigger batch" alternative


# --8<-- [start:compute]
def compute():
    lengths = np.linspace(SHORT, LONG, N).round().astype(int).tolist()  # even spread
    eight = [Request(0, 0, n) for n in lengths]
    waste_static = 1 - simulate_static(eight, N).utilisation
    waste_cont = 1 - simulate_continuous(eight, N).utilisation   # no queue to draw on
    requests = workload()
    big_static = simulate_static(requests, BIG_BATCH)
    small_cont = simulate_continuous(requests, SLOTS)
    return lengths, waste_static, waste_cont, big_static, small_cont
# --8<-- [end:compute]


def main(book):
    lengths, waste_static, waste_cont, big_static, small_cont = compute()
    book.fact("scale_waste_n", N, fmt="d")
    book.fact("scale_waste_short", SHORT, fmt="d")
    book.fact("scale_waste_long", LONG, fmt="d")
    book.fact("scale_waste_lengths", len(lengths),
              text=", ".join(str(n) for n in lengths))
    book.fact("scale_waste_static", 100 * waste_static, fmt=".0f", unit="%",
              disputes=100 * QUOTED_WASTE, rel_tol=0.05,
              source="often quoted: 8 requests of 20-200 tokens waste 22.5% in static")
    book.fact("scale_claim_waste", 100 * QUOTED_WASTE, fmt=".1f", unit="%")
    book.fact("scale_waste_cont_no_queue", 100 * waste_cont, fmt=".0f", unit="%")
    mean_needed = LONG * (1 - QUOTED_WASTE)   # mean length the claim implies
    book.fact("scale_waste_implied_mean", mean_needed, fmt=".0f", unit="tokens")
    book.fact("scale_waste_actual_mean", float(np.mean(lengths)), fmt=".0f",
              unit="tokens")
    book.fact("scale_big_batch", BIG_BATCH, fmt="d")
    book.fact("scale_big_static_util", 100 * big_static.utilisation, fmt=".0f",
              unit="%")
    book.fact("scale_big_static_steps", big_static.makespan, fmt="d")
    book.fact("scale_big_static_latency",
              sum(big_static.latencies) / len(big_static.latencies), fmt=".0f",
              unit="steps")
    book.fact("scale_small_cont_util", 100 * small_cont.utilisation, fmt=".0f",
              unit="%")
