"""Attention patterns of a model actually trained in the build: one attention layer,
two heads, trained for seconds to output the tokens 1 and 2 positions back.

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
"""

import matplotlib.pyplot as plt
import torch

from kernels.tiny_attention_model import lag_score, lagged_batch, train_lagged

LAGS = (1, 2)
STEPS = 400


# --8<-- [start:compute]
def compute():
    runs = {}
    for seed in (0, 1):  # two trainings that differ only in their random start
        model, losses = train_lagged(LAGS, STEPS, seed=seed)
        ids, _ = lagged_batch(256, 12, 16, LAGS, torch.Generator().manual_seed(99))
        with torch.no_grad():
            _, weights = model(ids)  # (256, 2 heads, 12, 12)
        runs[seed] = {"losses": losses, "weights": weights,
                      "lag": {lag: lag_score(weights, lag) for lag in LAGS}}
    return runs
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, runs):
    fig, axes = plt.subplots(2, 2, figsize=(8.5, 8.2))
    for r, (seed, run) in enumerate(runs.items()):
        for h in range(2):
            ax = axes[r, h]
            ax.imshow(run["weights"][0, h], cmap=theme.heatmap(), vmin=0, vmax=1,
                      interpolation="nearest")
            lag = max(LAGS, key=lambda lag: float(run["lag"][lag][h]))
            ax.set_title(f"seed {seed}, head {h + 1}: t−{lag} "
                         f"({float(run['lag'][lag][h]):.2f})", fontsize=12)
            ax.set_xticks([])
            ax.set_yticks([])
    for ax in axes[1]:
        ax.set_xlabel("key position →")
    for ax in axes[:, 0]:
        ax.set_ylabel("query position →")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    runs = compute()
    job = {seed: [max(LAGS, key=lambda lag: float(run["lag"][lag][h]))
                  for h in range(2)] for seed, run in runs.items()}
    book.fact("trained_steps", STEPS, fmt="d")
    book.fact("trained_loss_last", runs[0]["losses"][-1], fmt="sci:1")
    book.fact("trained_lag1_weight", float(runs[0]["lag"][1].max()), fmt=".3f")
    book.fact("trained_lag2_weight", float(runs[0]["lag"][2].max()), fmt=".3f")
    book.claim("trained_one_head_per_lag", "one head for each offset",
               holds=all(sorted(j) == list(LAGS) for j in job.values()),
               because=str(job))
    book.claim("trained_jobs_swap", "the other way round",
               holds=job[0] == job[1][::-1], because=str(job))
    book.figure(
        lambda theme: draw(theme, runs),
        alt=("Four 12-by-12 attention maps in a two-by-two grid: rows are two "
             "trainings (seeds 0 and 1), columns the two heads. Each map is one thin "
             "diagonal line, either one step or two steps below the main diagonal. "
             f"With seed 0 head 1 takes t−{job[0][0]} and head 2 t−{job[0][1]}; with "
             f"seed 1 the jobs are swapped."),
        caption=(f"Measured, not hypothetical: a one-layer, two-head, attention-only "
                 f"model trained in the build for {STEPS} steps to output the tokens "
                 "one and two positions back, shown on one sequence of 12 random "
                 "tokens. Each head learns one offset; which head takes which job "
                 "depends only on the random start."))
