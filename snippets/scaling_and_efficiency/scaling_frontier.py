"""Loss against compute from the Chinchilla fit, the compute-optimal frontier, and
four published models placed on it.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Loss is the fit L(N, D) = E + A/N^α + B/D^β of Hoffmann et al. 2022 (kernels.
scaling_laws.CHINCHILLA, nats per token on their data); compute C ≈ 6·N·D FLOPs.
The models' points are what the fit predicts for their N and D, not their measured
losses (GPT-3 and LLaMA were trained on other data).
"""

import matplotlib.pyplot as plt
import numpy as np

from kernels.scaling_laws import (CHINCHILLA, PUBLISHED_RUNS, compute_optimal, loss,
                                  training_flops_6nd)

SIZES = (1e9, 1e10, 70e9, 280e9, 1e12)  # parameters of the iso-parameter curves
COMPUTE = np.logspace(20, 25.5, 200)    # FLOPs
KEYS = {"GPT-3": "gpt3", "Gopher": "gopher", "Chinchilla": "chinchilla",
        "LLaMA-65B": "llama"}
# Label offsets (points) per model on the left panel: the labels sit in the empty
# lower-left corner, each joined to its marker by a thin line, so no curve crosses
# a label and the two overlapping markers (Chinchilla, LLaMA-65B) stay apart.
LABEL_AT = {"GPT-3": (-50, 22), "Gopher": (-50, 7),
            "Chinchilla": (-50, -8), "LLaMA-65B": (-50, -23)}


# --8<-- [start:compute]
def curves():
    """Loss along each fixed-N curve as D (and so C = 6ND) grows."""
    return {n: [loss(n, c / (6 * n)) for c in COMPUTE] for n in SIZES}


def frontier():
    """(N_opt, D_opt, loss) at each compute budget."""
    out = []
    for c in COMPUTE:
        n, d = compute_optimal(c)
        out.append((n, d, loss(n, d)))
    return out


def models():
    return [(r.name, r.n_params, r.n_tokens, training_flops_6nd(r.n_params,
                                                                 r.n_tokens),
             loss(r.n_params, r.n_tokens)) for r in PUBLISHED_RUNS]
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme):
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.6, 5.6))
    front = frontier()
    shades = (theme.extra[2], theme.accent, theme.good, theme.contrast,
              theme.extra[0])
    for (n, ys), colour in zip(curves().items(), shades):
        left.plot(COMPUTE, ys, color=colour, lw=1.6, label=f"N = {n / 1e9:,.0f}B")
    left.plot(COMPUTE, [f[2] for f in front], color=theme.fg, lw=2.6, ls="--",
              label="compute-optimal")
    right.plot(COMPUTE, [f[0] for f in front], color=theme.fg, lw=2.6, ls="--",
               label="fit's optimal N")
    # D = 20·N and C = 6·N·D give N = sqrt(C / 120)
    right.plot(COMPUTE, np.sqrt(COMPUTE / 120), color=theme.muted, lw=1.5, ls=":",
               label="20 tokens per parameter")
    markers = ("s", "^", "o", "D")
    for (name, n, d, c, l), m in zip(models(), markers):
        left.plot(c, l, m, color=theme.warn, ms=8)
        dx, dy = LABEL_AT[name]
        left.annotate(name, (c, l), xytext=(dx, dy), textcoords="offset points",
                      ha="right", va="center", fontsize=12, color=theme.warn,
                      arrowprops=dict(arrowstyle="-", color=theme.warn, lw=0.7,
                                      shrinkA=2, shrinkB=5))
        right.plot(c, n, m, color=theme.warn, ms=8)
        dy = {"Chinchilla": 7, "LLaMA-65B": -9}.get(name, 0)
        right.annotate(name, (c, n), xytext=(8, dy), textcoords="offset points",
                       va="center", fontsize=12, color=theme.warn)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("training compute C ≈ 6·N·D (FLOPs)")
    left.set_ylim(1.85, 2.6)
    left.set_ylabel("predicted loss (nats per token)")
    # under the panel: inside, it would cover the curves
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    right.set_yscale("log")
    right.set_xlim(1e22, 1e25)
    right.set_ylim(1e10, 1e12)
    right.set_ylabel("parameters N")
    right.legend(loc="upper left")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    fit = CHINCHILLA
    for key in ("E", "A", "B", "alpha", "beta"):
        book.fact(f"chin_{key.lower()}", getattr(fit, key), fmt="g",
                  source=fit.source)
    rows = {name: (n, d, c, l) for name, n, d, c, l in models()}
    for name, (n, d, c, l) in rows.items():
        key = KEYS[name]
        book.fact(f"run_{key}_n", n / 1e9, fmt=".0f" if n % 1e9 == 0 else ".1f",
                  unit="billion")
        tokens = (f"{d / 1e12:g} trillion tokens" if d >= 1e12
                  else f"{d / 1e9:g} billion tokens")
        book.fact(f"run_{key}_d", d, text=tokens)
        book.fact(f"run_{key}_c", c, fmt="sci:2", unit="FLOPs")
        book.fact(f"run_{key}_loss", l, fmt=".3f")
        book.fact(f"run_{key}_tpp", d / n, fmt=".1f")
    book.fact("run_gpt3_c_paper", 3.14e23, fmt="sci:3", unit="FLOPs",
              source="Brown et al. 2020, Table D.1: 3.14E+23 training FLOPs")
    book.fact("run_gpt3_c_check", rows["GPT-3"][2], fmt="sci:3", unit="FLOPs",
              expected=3.14e23, rel_tol=0.01, source="GPT-3 paper Table D.1")
    chin, gopher = rows["Chinchilla"], rows["Gopher"]
    book.fact("tpp_rule", chin[1] / chin[0], fmt=".0f", expected=20, rel_tol=1e-9,
              source="Chinchilla: 1.4T tokens / 70B parameters")
    book.fact("gopher_over_chinchilla", gopher[0] / chin[0], fmt=".0f", unit="×")
    book.claim("chinchilla_beats_gopher", "lower loss than",
               holds=chin[3] < gopher[3], because=f"{chin[3]:.3f} < {gopher[3]:.3f}")
    book.fact("chin_gopher_compute_pct", 100 * (chin[2] / gopher[2] - 1), fmt=".0f",
              unit="%")
    n_opt, d_opt = compute_optimal(gopher[2])
    book.fact("fit_opt_n_gopher_budget", n_opt / 1e9, fmt=".0f", unit="billion")
    book.fact("fit_opt_d_gopher_budget", d_opt / 1e12, fmt=".1f", unit="trillion tokens")
    book.fact("fit_opt_tpp", d_opt / n_opt, fmt=".0f")
    book.figure(
        draw,
        alt=("Left: predicted loss falling as compute grows, one curve per model size "
             "from 1 billion to 1 trillion parameters; each curve flattens, and a dashed "
             "envelope touches them from below. Gopher, GPT-3, Chinchilla and LLaMA-"
             "65B are marked; Chinchilla and LLaMA sit lower than Gopher at similar "
             "compute. Right: parameters against compute; the dashed optimal line "
             "runs below Gopher and GPT-3; Chinchilla and LLaMA sit lower, near the "
             "20-tokens-per-parameter line."),
        caption=("Left: loss predicted by the Chinchilla fit for five model sizes as "
                 "training tokens grow (loss on the vertical axis, lower is better); "
                 "the dashed line is the lowest loss reachable at each compute. "
                 "Right: how many parameters that optimum uses, with four published "
                 "models at their own N and C ≈ 6·N·D. Model points are the fit's "
                 "prediction for their N and D, not measured losses."))
