"""The speculative-decoding calculator's data and its static fallback table.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md ("Try it:
speculative decoding"). The page script docs/assets/javascripts/speculative-calculator.js
recomputes kernels.speculative.expected_tokens_per_step, walltime_speedup and
best_draft_length (Leviathan et al. 2023, Theorem 3.8) in the browser; without
JavaScript, and on paper, the table below stands in for it.
"""

from kernels.speculative import best_draft_length, walltime_speedup

ALPHAS = (0.5, 0.6, 0.7, 0.8, 0.9)
KS = (1, 2, 3, 4, 6, 8)
COST_RATIO = 0.1   # one draft pass costs a tenth of a target pass
K_MAX = 16         # the calculator searches k = 1..K_MAX for the best draft length
DEFAULTS = {"alpha": 0.8, "k": 4, "cost_ratio": COST_RATIO}


# --8<-- [start:compute]
def compute():
    table = {a: [walltime_speedup(a, k, COST_RATIO) for k in KS] for a in ALPHAS}
    best = {a: best_draft_length(a, COST_RATIO, K_MAX) for a in ALPHAS}
    return table, best
# --8<-- [end:compute]


def main(book):
    table, best = compute()
    head = " | ".join(f"k = {k}" for k in KS)
    lines = [f"| Acceptance rate α | {head} | Best k (1–{K_MAX}) |",
             "|---:|" + "---:|" * len(KS) + "---:|"]
    for alpha, row in table.items():
        cells = " | ".join(f"{s:.2f}×" for s in row)
        lines.append(f"| {alpha:.1f} | {cells} | {best[alpha]} |")
    book.table("\n".join(lines), caption=(
        f"Expected speed-up of speculative decoding over plain decoding, "
        f"(1 − α^(k+1)) / ((1 − α)(c·k + 1)), for a draft whose pass costs "
        f"c = {COST_RATIO} of a target pass, k guesses per step. Assumes independent "
        "acceptances and a target pass over k + 1 tokens that costs as much as over "
        "one (memory-bound decoding). In a browser with JavaScript, the calculator on "
        "this page computes it for any α, k and c."))
    book.data("widget", {"widget": "speculative-calculator", "k_max": K_MAX,
                         "defaults": DEFAULTS})
