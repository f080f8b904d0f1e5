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
# # Exercises: queries and keys
#
# 1. **Project (guided).** Compute queries and keys for the running example.
# 2. **Asymmetry (supported).** Score queries against keys and find the mirror pairs
#    that differ; look at the heatmap.
# 3. **One matrix for both (supported).** Set W_K = W_Q and watch symmetry return.
# 4. **Scaled weights (supported).** Write `attention_weights(Q, K)`.
# 5. **Saturation (independent).** Measure the largest weight at d_k = 8, 64, 512,
#    with and without scaling.
# 6. **Stretch: a trained head.** Train a one-layer model for a few seconds and look
#    at its learned queries and keys.
#
# Everything runs on a CPU in seconds.

# %%
import math

import matplotlib.pyplot as plt
import torch

from kernels import running_example as rx
from kernels.exercise import TODO

X = rx.embeddings(3)  # (4, 3): The, cat, sat, here
W_Q, W_K = rx.tensor(rx.W_Q), rx.tensor(rx.W_K)  # (3, 3) each
ex = rx.running_example()  # the lesson's numbers, for the checks
print("W_Q =\n", W_Q, "\nW_K =\n", W_K)

# %% [markdown]
# ## Exercise 1: project (guided)
#
# A token is a row vector; its query is `x @ W_Q` and its key `x @ W_K`. Do all four
# tokens at once.
#
# **Predict first:** will "cat"'s query equal its key?

# %% tags=["work"]
Q = TODO("the four queries, shape (4, 3)")
K = TODO("the four keys, shape (4, 3)")

# %% tags=["solution"]
Q = X @ W_Q  # (4, 3)
K = X @ W_K  # (4, 3)

# %% tags=["check"]
assert Q.shape == (4, 3) and K.shape == (4, 3), "one 3-number query and key per token"
assert torch.equal(Q, ex["q"]), "a query is the embedding row times W_Q (x @ W_Q)"
assert torch.equal(K, ex["k"]), "a key should be the embedding row times W_K"
print("cat: query", Q[1].tolist(), "key", K[1].tolist())

# %% [markdown]
# ## Exercise 2: asymmetry (supported)
#
# Compute the unscaled scores `S = Q Kᵀ` and list the pairs (i, j), i < j, whose two
# mirror entries differ.
#
# **Predict first:** how many of the six pairs will differ?

# %% tags=["work"]
S = TODO("query i against key j for every i, j: shape (4, 4)")
asymmetric_pairs = TODO("list of (i, j) with i < j and S[i, j] != S[j, i]")

# %% tags=["solution"]
S = Q @ K.T  # (4, 4)
asymmetric_pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)
                    if S[i, j] != S[j, i]]

# %% tags=["check"]
assert torch.equal(S, ex["scores"]), "S[i, j] is Q[i] · K[j]: Q times K transposed"
assert (0, 1) in asymmetric_pairs, \
    "The→cat and cat→The differ: look at S[0, 1] and S[1, 0]"
assert all(S[i, j] != S[j, i] for i, j in asymmetric_pairs), \
    "only list pairs that differ"
print(f"{len(asymmetric_pairs)} of 6 mirror pairs differ:", asymmetric_pairs)

# %% alt="Two heatmaps over The, cat, sat, here: raw scores X Xᵀ, symmetric, and Q Kᵀ, whose cells differ from their mirror cells."
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
for ax, m, title in ((axes[0], X @ X.T, "X Xᵀ"), (axes[1], S, "Q Kᵀ")):
    ax.imshow(m, cmap="Blues")
    for i in range(4):
        for j in range(4):
            ax.text(j, i, f"{m[i, j]:.0f}", ha="center", va="center")
    ax.set_xticks(range(4), rx.TOKENS)
    ax.set_yticks(range(4), rx.TOKENS)
    ax.set_title(title)
plt.show()

# %% [markdown]
# ## Exercise 3: one matrix for both (supported)
#
# Use W_Q for both roles: `S_same = (X W_Q)(X W_Q)ᵀ`.
#
# **Predict first:** symmetric or not?

# %% tags=["work"]
S_same = TODO("scores with W_Q used for queries and keys")

# %% tags=["solution"]
S_same = (X @ W_Q) @ (X @ W_Q).T  # (4, 4)

# %% tags=["check"]
assert S_same.shape == (4, 4), "one score per pair of tokens"
assert torch.equal(S_same, S_same.T), \
    "one matrix for both roles: each score is (x_i W)·(x_j W), symmetric in i and j"
assert not torch.equal(S_same, X @ X.T), \
    "symmetric again, but not raw attention: the lens W_Q still changes the scores"
print("one matrix for both roles: symmetric again")

# %% [markdown]
# ## Exercise 4: scaled weights (supported)
#
# Write `attention_weights(Q, K)` = softmax(Q Kᵀ / √d_k), row by row, where d_k is
# the width of the queries and keys.

# %% tags=["work"]
def attention_weights(Q: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Q (T, d_k), K (T, d_k) -> weights (T, T), rows summing to 1."""
    return TODO("softmax of Q Kᵀ / √d_k over the last dimension")


# %% tags=["solution"]
def attention_weights(Q: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Q (T, d_k), K (T, d_k) -> weights (T, T), rows summing to 1."""
    d_k = K.shape[-1]
    return torch.softmax(Q @ K.T / math.sqrt(d_k), dim=-1)


# %% tags=["check"]
w = attention_weights(ex["q"], ex["k"])
torch.testing.assert_close(w.sum(-1), torch.ones(4, dtype=w.dtype), msg=lambda m: (
    "each row should sum to 1: is the softmax over the last dimension?\n" + m))
torch.testing.assert_close(w, ex["weights"], msg=lambda m: (
    "rows sum to 1 but differ from the lesson's table: divided by √d_k = √3?\n"
    + m))
print(w.round(decimals=3))

# %% [markdown]
# ## Exercise 5: saturation (independent)
#
# For d_k in (8, 64, 512), draw 1000 random queries and 1000 × 16 random keys with
# standard normal entries. For each query, softmax its 16 scores, once raw and once
# divided by √d_k, and record the mean of the largest weight. Fill `results[d_k] =
# (mean_max_raw, mean_max_scaled)`.
#
# **Predict first:** at which width does the raw softmax become nearly one-hot?

# %% tags=["work"]
results = {}
gen = torch.Generator().manual_seed(0)
for d_k in (8, 64, 512):
    results[d_k] = TODO("(mean largest raw weight, mean largest scaled weight)")

# %% tags=["solution"]
results = {}
gen = torch.Generator().manual_seed(0)
for d_k in (8, 64, 512):
    q = torch.randn(1000, 1, d_k, generator=gen)
    k = torch.randn(1000, 16, d_k, generator=gen)
    s = (q * k).sum(-1)  # (1000, 16)
    raw = torch.softmax(s, -1).max(-1).values.mean().item()
    scaled = torch.softmax(s / math.sqrt(d_k), -1).max(-1).values.mean().item()
    results[d_k] = (raw, scaled)

# %% tags=["check"]
assert set(results) == {8, 64, 512}, "one entry per width"
assert results[512][0] > 0.85, \
    "at d_k = 512 raw scores spread by about √512 ≈ 23: the top weight nears 1"
assert all(abs(results[d][1] - results[8][1]) < 0.05 for d in results), \
    "divided by √d_k, scores spread alike at every width: the top weight barely moves"
for d, (raw, scaled) in results.items():
    print(f"d_k={d:4d}: largest weight {raw:.2f} raw, {scaled:.2f} scaled")

# %% [markdown]
# ## Exercise 6 (stretch): a trained head
#
# Pretrained GPT-2 weights cannot be downloaded here, so train the book's tiny
# one-layer, attention-only model instead (about five seconds). Its task: at every
# position, output the token one position back and the token two positions back.
# Then look at each head's attention weights on one sequence, and compare its
# learned Q Kᵀ with its mirror.
#
# One thing this model has that the lesson has not shown yet: a *mask* (lesson
# 4.2.6) that sets every score of a later position to −∞ before the softmax, so a
# position can never draw on the future. Its weights above the diagonal are zero
# because of the mask, not because of anything learned—so to see what the queries
# and keys learned, the last cell looks at the scores *before* the mask.

# %%
from kernels.tiny_attention_model import lag_score, lagged_batch, train_lagged

model, losses = train_lagged((1, 2), steps=400, seed=0)
ids, _ = lagged_batch(1, 12, 16, (1, 2), torch.Generator().manual_seed(3))
with torch.no_grad():
    _, weights = model(ids)
print(f"loss {losses[0]:.2f} -> {losses[-1]:.4f}")
for lag in (1, 2):
    shares = [round(x, 2) for x in lag_score(weights, lag).tolist()]
    print(f"weight on t−{lag} per head:", shares)

# %% alt="Two 12-by-12 attention maps of the trained model, one per head: each is a thin diagonal line, one just below the main diagonal (previous token), the other two below it."
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
for h, ax in enumerate(axes):
    ax.imshow(weights[0, h], cmap="Blues", vmin=0, vmax=1)
    ax.set_title(f"head {h + 1}")
    ax.set_xlabel("key position")
axes[0].set_ylabel("query position")
plt.show()

# %%
with torch.no_grad():  # the learned scores Q Kᵀ / √d_k, before the mask
    x = model.tok(ids) + model.pos(torch.arange(ids.shape[1]))  # (1, 12, 32)
    q, k, _ = model.qkv(x).chunk(3, dim=-1)  # (1, 12, 32) each
    d = q.shape[-1] // model.n_heads
    q, k = (z.view(1, -1, model.n_heads, d).transpose(1, 2) for z in (q, k))
    S = (q @ k.transpose(-2, -1) / math.sqrt(d))[0]  # (heads, 12, 12)
for h in range(model.n_heads):
    for lag in (1, 2):
        back = S[h].diagonal(-lag).mean().item()  # query t, key t − lag
        ahead = S[h].diagonal(lag).mean().item()  # the mirror: query t − lag, key t
        print(f"head {h + 1}: score for t−{lag} {back:6.2f}, mirror {ahead:6.2f}")

# %% [markdown]
# The learned scores are far from symmetric before any mask: in the head that took
# the previous token, query t scores key t − 1 high while the mirror, query t − 1
# against key t, scores low. Nobody told either head which offset to take; training
# decided, by shaping W_Q and W_K. Re-run with `seed=1` and see whether the same
# head takes the same job.
