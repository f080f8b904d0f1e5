"""Associative recall, measured: N key→value pairs in a fixed d×d state vs a KV cache.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
Random unit keys and values (kernels.recall), seeded, fp64; each point is the share
of the N keys whose read-out is nearest its own value, averaged over REPEATS draws.
"""

import matplotlib.pyplot as plt
import torch

from kernels.recall import (fixed_state_read, fixed_state_write, kv_cache_read,
                            random_pairs, recall_accuracy)

WIDTHS = (16, 32, 64)                 # d: the state is d × d numbers
PAIRS = [2 ** p for p in range(2, 10)]  # N = 4 … 512
REPEATS = 3
SHARPNESS = 4.0                       # softmax scale = SHARPNESS · √d


# --8<-- [start:experiment]
def measure(d, n, gen):
    keys, values = random_pairs(n, d, gen)
    state = fixed_state_write(keys, values)             # d × d, whatever n is
    fixed = recall_accuracy(fixed_state_read(state, keys), values)
    cache = recall_accuracy(kv_cache_read(keys, values, keys,   # keeps all 2·n·d
                                          scale=SHARPNESS * d ** 0.5), values)
    return fixed, cache


def compute():
    gen = torch.Generator().manual_seed(0)
    results = {}
    for d in WIDTHS:
        for n in PAIRS:
            runs = [measure(d, n, gen) for _ in range(REPEATS)]
            results[d, n] = tuple(sum(r[i] for r in runs) / REPEATS for i in (0, 1))
    return results
# --8<-- [end:experiment]


def draw(theme, results):
    fig, ax = plt.subplots(figsize=(7, 4.8))
    colours = (theme.warn, theme.contrast, theme.accent)
    for d, colour in zip(WIDTHS, colours):
        ax.plot(PAIRS, [results[d, n][0] for n in PAIRS], marker="o", ms=4,
                color=colour, label=f"fixed state, d = {d} ({d * d:,} numbers)")
        ax.axvline(d, color=colour, ls=":", lw=1)
    ax.plot(PAIRS, [results[WIDTHS[0], n][1] for n in PAIRS], color=theme.good,
            lw=2.5, marker="s", ms=4, label=f"KV cache, d = {WIDTHS[0]} (grows with N)")
    ax.set_xscale("log", base=2)
    ax.set_xticks(PAIRS, [str(n) for n in PAIRS])
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("N, key→value pairs stored (dotted lines: N = d)")
    ax.set_ylabel("share of keys recalled correctly")
    # below the axes: inside, every corner is crossed by a falling curve
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize="small")
    fig.tight_layout()
    return fig


def main(book):
    results = compute()
    small, mid, big = WIDTHS
    book.fact("ssm_recall_d_small", small, fmt="d")
    book.fact("ssm_recall_d_mid", mid, fmt="d")
    book.fact("ssm_recall_d_big", big, fmt="d")
    book.fact("ssm_recall_max_n", PAIRS[-1], fmt="d")
    book.fact("ssm_recall_repeats", REPEATS, fmt="d")
    book.fact("ssm_recall_sharpness", SHARPNESS, fmt=".0f")
    for d in WIDTHS:
        for n in (d, 2 * d, 4 * d, 8 * d):
            book.fact(f"ssm_recall_d{d}_n{n}", results[d, n][0], fmt=".0%")
    book.fact("ssm_recall_d16_n512", results[small, 512][0], fmt=".0%")
    cache_min = min(results[d, n][1] for d in WIDTHS for n in PAIRS)
    book.fact("ssm_recall_cache_min", cache_min, fmt=".0%")
    book.claim("ssm_recall_cache_perfect", "every key, at every N and width",
               holds=cache_min == 1.0, because=f"lowest KV-cache accuracy {cache_min}")
    # A bigger state moves the cliff right, but every width still falls below half.
    at_8d = [results[d, 8 * d][0] for d in WIDTHS]
    book.claim("ssm_recall_all_fall", "below half",
               holds=max(at_8d) < 0.5, because=f"accuracy at N = 8d: {at_8d}")
    book.claim("ssm_recall_bigger_helps", "higher for every larger state",
               holds=all(results[a, 512][0] < results[b, 512][0]
                         for a, b in zip(WIDTHS, WIDTHS[1:])),
               because=str([results[d, 512][0] for d in WIDTHS]))
    exact = all(results[d, n][0] == 1.0 for d in WIDTHS for n in PAIRS if n <= d // 2)
    book.claim("ssm_recall_exact_below", "perfect", holds=exact,
               because="fixed-state accuracy is 1.0 for every N ≤ d/2")
    book.fact("ssm_recall_kv_numbers_512", 2 * 512 * small, fmt=",d")
    book.fact("ssm_recall_state_numbers_16", small * small, fmt=",d")
    book.fact("ssm_recall_state_numbers_64", big * big, fmt=",d")
    book.figure(
        lambda theme: draw(theme, results),
        alt=("Recall accuracy against the number of stored pairs, 4 to 512, log scale. "
             "The KV-cache line stays at 100 percent throughout. Each fixed-state line "
             "stays at 100 percent while N is well below its width d, then falls as N "
             f"passes d: for d = {small} to {results[small, 512][0]:.0%} at 512 pairs, "
             f"for d = {big} to {results[big, 512][0]:.0%}."),
        caption=("Store N random key→value pairs, then query every key. Fixed state: "
                 "one d×d matrix, the sum of outer products kᵢvᵢᵀ (kernels.recall). KV "
                 f"cache: all keys and values, read by a sharp softmax (scale "
                 f"{SHARPNESS:.0f}·√d). Seeded, fp64, mean of {REPEATS} draws per point. "
                 "A trained model can store pairs more cleverly than this sum, but no "
                 "d×d state can hold arbitrary pairs without loss once N passes d."))
