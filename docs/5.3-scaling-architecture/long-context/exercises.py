# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises: long context and efficient attention
#
# [Download this notebook (.ipynb)](exercises.ipynb). To run it yourself, clone the
# book's repository and start Jupyter from its root, so `import kernels` works.
#
# 1. **RoPE keeps only the gap (guided).** Rotate a query and a key, shift both
#    positions, and check that the score does not move.
# 2. **Count what a sparse pattern computes (supported).** Build a sliding-window
#    mask yourself and compare its count with the closed form.
#
# More exercises (GQA forward pass, the cost calculator) arrive with the full lesson.

# %%
import torch

from kernels.rope import apply_rope
from kernels.sparse import count_scores, sliding_window_score_count

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: RoPE keeps only the gap
#
# Predict first: if you move a query from position 3 to 1003 and its key from 7 to
# 1007, does their score change? Then run the cell.

# %%
q = torch.randn(1, 64, dtype=torch.float64)
k = torch.randn(1, 64, dtype=torch.float64)


def score(m: int, n: int) -> float:
    """Score of q at position m with k at position n after RoPE."""
    q_rot = apply_rope(q, torch.tensor([m]))[0]
    k_rot = apply_rope(k, torch.tensor([n]))[0]
    return float(q_rot @ k_rot)


for shift in (0, 1000, 100_000):
    m, n = 3 + shift, 7 + shift
    print(f"positions {m:>6} and {n:>6}: score {score(m, n):+.6f}")

# %% [markdown]
# Now change the *gap* instead of the shift: print `score(3, 3 + gap)` for a few
# gaps. Which way does the score move, and why can it not stay constant?

# %%
for gap in (0, 1, 4, 16, 64):
    print(f"gap {gap:>3}: score {score(3, 3 + gap):+.6f}")

# %% [markdown]
# ## Exercise 2: count what a sliding window computes
#
# Write `my_sliding_window_mask(t, window)`: a `(t, t)` boolean tensor where query
# `i` may attend to key `j` when `j <= i` and `i - j < window` (the window counts
# the token itself). Then compare `count_scores` of your mask with the closed form.
# Try it in a new cell first; the cell after the solution is the reference version,
# which checks itself against `kernels.sparse`.
#
# <details><summary>Solution</summary>
#
# ```python
# def my_sliding_window_mask(t, window):
#     i = torch.arange(t)[:, None]
#     j = torch.arange(t)[None, :]
#     return (j <= i) & (i - j < window)
# ```
#
# </details>

# %%
def my_sliding_window_mask(t: int, window: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]  # (t, 1) query positions
    j = torch.arange(t)[None, :]  # (1, t) key positions
    return (j <= i) & (i - j < window)


for t, window in ((16, 4), (64, 8), (256, 32)):
    mine = count_scores(my_sliding_window_mask(t, window))
    closed = sliding_window_score_count(t, window)
    assert mine == closed, (t, window, mine, closed)
    causal = t * (t + 1) // 2
    print(f"T={t:>3}, w={window:>2}: {mine:>5} scores of {causal:>6} causal")
