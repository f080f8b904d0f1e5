"""The hook's numbers: GPT-3's training compute on one A100, generate()'s waste.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Compute by the 6·N·D convention (kernels.scaling_laws); the A100 at its datasheet
peak (kernels.hardware), which no real training run sustains, so the time is a
lower bound. A year is 365.25 days.
"""

from kernels.generation_cost import positions_processed
from kernels.hardware import A100_80GB
from kernels.scaling_laws import (CHINCHILLA, PUBLISHED_RUNS, frontier_loss_exponent,
                                  optimal_exponents, training_flops_6nd)

YEAR_S = 365.25 * 24 * 3600
CONTEXT = 1024
KAPLAN_GAMMA = 0.050  # Kaplan et al. 2020, eq. (1.3)/(5.5): L ∝ C_min^(−0.050)


# --8<-- [start:compute]
def compute():
    gpt3 = next(r for r in PUBLISHED_RUNS if r.name == "GPT-3")
    flops = training_flops_6nd(gpt3.n_params, gpt3.n_tokens)
    years = flops / A100_80GB.peak_flops / YEAR_S
    # generate() without a cache, 1 prompt token, CONTEXT new tokens
    plain = positions_processed(1, CONTEXT, cached=False)
    cached = positions_processed(1, CONTEXT, cached=True)
    return gpt3, flops, years, plain / cached
# --8<-- [end:compute]


def main(book):
    gpt3, flops, years, waste = compute()
    book.fact("hook_gpt3_flops", flops, fmt="sci:3", unit="FLOPs")
    book.fact("hook_gpt3_tokens", gpt3.n_tokens / 1e9, fmt=".0f", unit="billion")
    book.fact("hook_a100_years", years, fmt=".0f", unit="years")
    book.fact("hook_context", CONTEXT, fmt=",d")
    book.fact("hook_waste_avg", waste, fmt=".1f", unit="×")
    a, b = optimal_exponents(CHINCHILLA)
    gamma = frontier_loss_exponent(CHINCHILLA)
    book.fact("opt_exp_n", a, fmt=".2f")
    book.fact("opt_exp_d", b, fmt=".2f")
    book.fact("frontier_gamma", gamma, fmt=".3f")
    book.fact("frontier_double_pct", 100 * (1 - 2 ** -gamma), fmt=".1f", unit="%")
    book.fact("frontier_10x_pct", 100 * (1 - 10 ** -gamma), fmt=".0f", unit="%")
    book.fact("kaplan_gamma", KAPLAN_GAMMA, fmt=".3f")
    book.fact("kaplan_double_pct", 100 * (1 - 2 ** -KAPLAN_GAMMA), fmt=".1f",
              unit="%")
    book.fact("kaplan_halve_factor", 2 ** (1 / KAPLAN_GAMMA), fmt="sci:2")
    # Transfer checkpoint: 10x compute -> N and D each grow by 10^a, 10^b.
    book.fact("ten_x_n", 10**a, fmt=".1f", unit="×")
    book.fact("ten_x_d", 10**b, fmt=".1f", unit="×")
    book.fact("ten_x_sqrt", 10**0.5, fmt=".1f", unit="×")
