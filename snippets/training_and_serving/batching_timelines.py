"""Static versus continuous batching: who holds which slot at every step.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (continuous
batching). kernels.batching.simulate_static / simulate_continuous on one seeded
workload: 24 requests waiting at step 0, output lengths drawn from a normal
distribution (mean 80, standard deviation 60 tokens, clipped to 10..300), 8 slots.
One step = one forward pass that generates one token for every busy slot.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
import torch

from kernels.batching import Request, simulate_continuous, simulate_static

N_REQUESTS = 24
SLOTS = 8
MEAN, STD, LOW, HIGH = 80, 60, 10, 300   # output lengths (tokens), as in exercise 3
PROMPT_LEN = 20
SEED = 0


# --8<-- [start:compute]
def workload(n=N_REQUESTS, seed=SEED):
    gen = torch.Generator().manual_seed(seed)
    lengths = (MEAN + STD * torch.randn(n, generator=gen, dtype=torch.float64))
    lengths = lengths.round().clamp(LOW, HIGH).int().tolist()
    return [Request(arrival_step=0, prompt_len=PROMPT_LEN, output_len=n_out)
            for n_out in lengths]


def compute():
    requests = workload()
    return requests, {"static": simulate_static(requests, SLOTS),
                      "continuous": simulate_continuous(requests, SLOTS)}
# --8<-- [end:compute]


def segments(result, slot):
    """Runs of consecutive steps in which `slot` holds the same request."""
    runs, start = [], 0
    column = [row[slot] for row in result.occupancy]
    for t in range(1, len(column) + 1):
        if t == len(column) or column[t] != column[start]:
            busy = sum(result.busy[u][slot] for u in range(start, t))
            runs.append((column[start], start, t - start, busy))
            start = t
    return runs


# --8<-- [start:draw]
def draw(theme, results, queue_empty):
    longest = max(r.makespan for r in results.values())
    fig, axes = plt.subplots(2, 1, figsize=(7.8, 6.2), sharex=True)
    colours = [theme.accent, theme.contrast, theme.good, *theme.extra]
    for ax, (name, result) in zip(axes, results.items()):
        for slot in range(SLOTS):
            for request, start, length, busy in segments(result, slot):
                if request is None:
                    continue                                # slot empty
                colour = colours[request % len(colours)]
                ax.add_patch(Rectangle((start, slot - 0.42), busy, 0.84,
                                       facecolor=colour, edgecolor=theme.background,
                                       lw=0.8))
                if length > busy:                          # held but finished
                    ax.add_patch(Rectangle((start + busy, slot - 0.42), length - busy,
                                           0.84, facecolor="none", hatch="///",
                                           edgecolor=theme.warn, lw=0.8))
        ax.set_ylim(SLOTS - 0.5, -0.5)
        ax.set_yticks(range(SLOTS), [f"slot {s}" for s in range(SLOTS)])
        ax.tick_params(axis="y", length=0, labelsize=12)
        ax.spines[["left"]].set_visible(False)
        ax.set_xlim(0, longest)
        ax.set_title(f"{name} batching: {100 * result.utilisation:.0f}% of slot-steps "
                     f"make a token; last answer at step {result.makespan}",
                     loc="left", fontsize=12)
    held = Rectangle((0, 0), 0, 0, facecolor="none", hatch="///",
                     edgecolor=theme.warn, label="finished, slot held (wasted)")
    axes[1].legend(handles=[held], loc="lower right", handlelength=1.5)
    axes[1].axvline(queue_empty, color=theme.fg, ls="--", lw=1.2)
    axes[1].annotate("queue empty: the last\nrequest takes a slot",
                     xy=(queue_empty, 0.5), xytext=(0.72 * longest, 1.2),
                     color=theme.fg, fontsize=12, va="center",
                     arrowprops=dict(arrowstyle="-|>", color=theme.fg))
    axes[-1].set_xlabel("step (one forward pass = one token per busy slot)")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    requests, results = compute()
    static, cont = results["static"], results["continuous"]
    mean_latency = {k: sum(r.latencies) / len(r.latencies) for k, r in results.items()}
    book.fact("scale_batch_requests", N_REQUESTS, fmt="d")
    book.fact("scale_batch_slots", SLOTS, fmt="d")
    book.fact("scale_batch_static_util", 100 * static.utilisation, fmt=".0f", unit="%")
    book.fact("scale_batch_cont_util", 100 * cont.utilisation, fmt=".0f", unit="%")
    book.fact("scale_batch_static_steps", static.makespan, fmt="d")
    book.fact("scale_batch_cont_steps", cont.makespan, fmt="d")
    book.fact("scale_batch_static_latency", mean_latency["static"], fmt=".0f",
              unit="steps")
    book.fact("scale_batch_cont_latency", mean_latency["continuous"], fmt=".0f",
              unit="steps")
    book.fact("scale_batch_speedup", static.makespan / cont.makespan, fmt=".2f",
              unit="×")
    shortest = min(r.output_len for r in requests)
    longest = max(r.output_len for r in requests)
    book.fact("scale_batch_shortest", shortest, fmt="d")
    book.fact("scale_batch_longest", longest, fmt="d")
    # while the queue still has requests, continuous batching keeps every slot busy
    queue_empty = min(t for t, row in enumerate(cont.occupancy)
                      if N_REQUESTS - 1 in row)   # the last request takes a slot
    full = all(all(row) for row in cont.busy[:queue_empty + 1])
    assert full, "continuous batching should be full until the last request starts"
    book.fact("scale_batch_queue_empty_step", queue_empty, fmt="d")
    book.figure(
        lambda theme: draw(theme, results, queue_empty),
        alt=(f"Two timelines of {SLOTS} slots. Static batching runs "
             f"{-(-N_REQUESTS // SLOTS)} batches; "
             "in each, slots whose request finished early stay hatched (held, idle) "
             f"until the longest request ends; {100 * static.utilisation:.0f}% of "
             f"slot-steps do work and the last answer comes at step "
             f"{static.makespan}. Continuous batching refills a slot as soon as it "
             f"frees up; {100 * cont.utilisation:.0f}% of slot-steps do work, the "
             f"last answer comes at step {cont.makespan}."),
        caption=(f"{N_REQUESTS} requests (lengths {shortest} to {longest} tokens, "
                 f"seeded) on {SLOTS} slots, from kernels.batching. Static: a batch "
                 "holds its slots until its longest request ends (hatched = finished "
                 f"but held); {100 * static.utilisation:.0f}% utilisation. Continuous: "
                 "a freed slot takes the next request at the next step; "
                 f"{100 * cont.utilisation:.0f}% utilisation. Every slot stays busy "
                 f"until the queue runs dry at step {queue_empty}; after that the "
                 "idle tail is the same problem static batching has."),
    )
