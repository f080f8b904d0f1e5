"""Expert utilisation while a toy top-1 MoE layer trains, without and with balancing.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (load balancing).
kernels.moe.train_toy_router trains a tiny Switch-style layer (top-1, weighted by the
raw router probability, plain SGD, expert 0 given a small head start) and records
what share of each batch's tokens every expert received at every step. Left and
middle: one seed, every expert's share over training. Right: the busiest expert's
share at the last step for several seeds.
"""

import matplotlib.pyplot as plt

from kernels.moe import train_toy_router

SEEDS = tuple(range(4))  # 4 runs per setting keep the snippet near 3 s on a CPU
STEPS = 150
N_EXPERTS = 8
AUX_WEIGHT = 0.1   # weight of the balancing loss in the balanced runs
SHOWN_SEED = 0     # the seed drawn step by step
LONG_STEPS = 1000  # the long run with the balancing loss (the notebook's exercise)
DEAD_BELOW = 0.01  # an expert with under 1 % of the tokens is as good as unused
LATE = 100         # the long run's shares are averaged over its last LATE steps


# --8<-- [start:compute]
def compute():
    runs = {w: {s: train_toy_router(s, w, STEPS, n_experts=N_EXPERTS).utilisation
                for s in SEEDS}
            for w in (0.0, AUX_WEIGHT)}  # weight -> seed -> (steps, experts)
    busiest_final = {w: [float(u[-1].max()) for u in by_seed.values()]
                     for w, by_seed in runs.items()}
    return runs, busiest_final


def without_head_start():
    """The same runs with no bias on expert 0: the busiest expert's final share."""
    return [float(train_toy_router(s, 0.0, STEPS, n_experts=N_EXPERTS,
                                   init_bias=0.0).utilisation[-1].max())
            for s in SEEDS]


def long_run():
    """Seed 0 with the balancing loss for LONG_STEPS: shares over the last 100."""
    u = train_toy_router(SHOWN_SEED, AUX_WEIGHT, LONG_STEPS,
                         n_experts=N_EXPERTS).utilisation
    return u[-LATE:].mean(dim=0)  # (experts,)


def collapse_step(utilisation):
    """First step from which expert 0 receives every token for the rest of training,
    or None if that never happens."""
    alone = (utilisation[:, 0] == 1.0).tolist()
    for step in range(len(alone)):
        if all(alone[step:]):
            return step
    return None
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, runs, busiest_final):
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 4.2), sharey=True,
                             gridspec_kw=dict(width_ratios=[2, 2, 1.15]))
    steps = range(STEPS)
    for ax, w, title in ((axes[0], 0.0, "no balancing loss"),
                         (axes[1], AUX_WEIGHT, f"balancing loss × {AUX_WEIGHT}")):
        u = runs[w][SHOWN_SEED]
        for e in range(1, N_EXPERTS):
            ax.plot(steps, u[:, e], color=theme.muted, linewidth=1.0,
                    label=f"experts 1–{N_EXPERTS - 1}" if e == 1 else None)
        ax.plot(steps, u[:, 0], color=theme.warn, label="expert 0 (head start)")
        ax.axhline(1 / N_EXPERTS, color=theme.good, linestyle="--", linewidth=1.4,
                   label=f"even share, 1/{N_EXPERTS}")
        ax.set_title(title)
        ax.set_xlabel("training step")
        ax.set_xlim(0, STEPS - 1)
    axes[0].set_ylabel("share of the batch's tokens")
    axes[0].set_ylim(0, 1.02)
    # Below the panels: inside the first one it covered the curves.
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper center",
               bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=12)
    ax = axes[2]
    for x, w in enumerate((0.0, AUX_WEIGHT)):
        jitter = [x + 0.08 * (s - (len(SEEDS) - 1) / 2) for s in range(len(SEEDS))]
        ax.scatter(jitter, busiest_final[w], s=50, zorder=3,
                   color=theme.warn if w == 0 else theme.good, alpha=0.8)
    ax.axhline(1 / N_EXPERTS, color=theme.good, linestyle="--", linewidth=1.4)
    ax.set_xticks([0, 1], ["no loss", f"× {AUX_WEIGHT}"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_title(f"busiest expert,\nlast step, {len(SEEDS)} seeds", fontsize=12)
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    runs, busiest_final = compute()
    shown_off, shown_on = runs[0.0][SHOWN_SEED], runs[AUX_WEIGHT][SHOWN_SEED]
    step = collapse_step(shown_off)
    collapsed = sum(b >= 0.99 for b in busiest_final[0.0])
    e0_start = 100 * float(shown_off[0, 0])
    worst_on = 100 * max(busiest_final[AUX_WEIGHT])
    shown_on_max = 100 * float(shown_on[-1].max())
    shown_on_min = 100 * float(shown_on[-1].min())
    book.fact("moe_toy_steps", STEPS, fmt="d")
    book.fact("moe_toy_n_seeds", len(SEEDS), fmt="d")
    book.fact("moe_toy_seed_range", 0, text=f"{SEEDS[0]}–{SEEDS[-1]}")
    book.fact("moe_toy_shown_seed", SHOWN_SEED, fmt="d")
    book.fact("moe_toy_experts", N_EXPERTS, fmt="d")
    book.fact("moe_toy_even_pct", 100 / N_EXPERTS, fmt=".1f", unit="%")
    book.fact("moe_toy_aux_weight", AUX_WEIGHT, fmt="g")
    book.fact("moe_toy_e0_start_pct", e0_start, fmt=".0f", unit="%")
    book.fact("moe_toy_collapse_step", step, fmt="d")
    book.fact("moe_toy_idle_steps", STEPS - step, fmt="d")
    book.fact("moe_toy_seeds_collapsed", collapsed, fmt="d")
    book.fact("moe_toy_balanced_max_pct", shown_on_max, fmt=".0f", unit="%")
    book.fact("moe_toy_balanced_min_pct", shown_on_min, fmt=".0f", unit="%")
    book.fact("moe_toy_balanced_worst_pct", worst_on, fmt=".0f", unit="%")
    fair = without_head_start()
    book.fact("moe_toy_nohead_max_pct", 100 * max(fair), fmt=".0f", unit="%")
    book.fact("moe_toy_nohead_min_pct", 100 * min(fair), fmt=".0f", unit="%")
    book.claim("moe_toy_nohead_uneven", "still ends far from even",
               holds=min(fair) > 2 / N_EXPERTS,
               because=f"busiest final shares without head start: {fair}")
    late = long_run()
    dead = int((late < DEAD_BELOW).sum())
    book.fact("moe_toy_long_steps", LONG_STEPS, fmt=",d")
    book.fact("moe_toy_long_dead", dead, fmt="d")
    book.fact("moe_toy_dead_below_pct", 100 * DEAD_BELOW, fmt=".0f", unit="%")
    book.fact("moe_toy_late_steps", LATE, fmt="d")
    book.fact("moe_toy_long_busiest_pct", 100 * float(late.max()), fmt=".0f", unit="%")
    book.figure(
        lambda theme: draw(theme, runs, busiest_final),
        alt=(f"Three panels. Left: without a balancing loss, expert 0's share of "
             f"tokens rises from {e0_start:.0f}% at step 0 to 100% from step {step} "
             f"on, while experts 1 to {N_EXPERTS - 1} fall to zero. Middle: with the "
             f"loss at weight {AUX_WEIGHT}, all {N_EXPERTS} experts stay near the "
             f"even share of {100 / N_EXPERTS:.1f}%. Right: the busiest expert's "
             f"final share for {len(SEEDS)} seeds: 100% in {collapsed} runs without "
             f"the loss, at most {worst_on:.0f}% with it."),
        caption=(
            "Measured, not sketched: kernels.moe.train_toy_router, a top-1 layer "
            f"with {N_EXPERTS} experts trained for {STEPS} steps of plain SGD on a "
            "task that is the same for every token. Expert 0 is given a head start: "
            f"a router bias that sends it {e0_start:.0f}% of the tokens at step 0 "
            f"instead of {100 / N_EXPERTS:.1f}%. Left and middle show seed "
            f"{SHOWN_SEED}: without a balancing loss expert 0 grows from "
            f"{e0_start:.0f}% of the tokens at step 0 to every token from step "
            f"{step} on; with the loss at weight {AUX_WEIGHT} the final shares "
            f"range from {shown_on_min:.0f}% to {shown_on_max:.0f}%. Right: the "
            f"busiest expert's share at the last step for seeds {SEEDS[0]}–"
            f"{SEEDS[-1]}: all tokens in {collapsed} of {len(SEEDS)} runs without the "
            f"loss, never more than {worst_on:.0f}% with it. Shares are per batch "
            "and noisy step to step."),
    )
