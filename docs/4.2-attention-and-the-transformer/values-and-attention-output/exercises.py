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
# # Exercises: values and the attention output
#
# 1. **Values (guided).** Project the values and compare them with the keys.
# 2. **Single-head attention (supported).** Write the whole head as one function.
# 3. **The residual (supported).** Add the input back and check the shapes.
# 4. **W_V = I (supported).** Recover the first lesson's average, with learned weights.
# 5. **W_V = W_K (independent).** See what tying the value to the key does.
# 6. **Stretch: keys and values of a trained head.** Train the book's tiny model and
#    compare its keys and values.
#
# Everything runs on a CPU in seconds.

# %%
import math

import matplotlib.pyplot as plt
import torch

from kernels import running_example as rx
from kernels.exercise import TODO

X = rx.embeddings(3)  # (4, 3): The, cat, sat, here
W_Q, W_K, W_V = (rx.tensor(w) for w in (rx.W_Q, rx.W_K, rx.W_V))  # (3, 3) each
ex = rx.running_example()

# %% [markdown]
# ## Exercise 1: values (guided)
#
# **Predict first:** will any token's value equal its key?

# %% tags=["work"]
V = TODO("the four values x W_V, shape (4, 3)")
K = X @ W_K
same_rows = TODO("number of tokens whose value equals their key")

# %% tags=["solution"]
V = X @ W_V  # (4, 3)
K = X @ W_K
same_rows = sum(int(torch.equal(k, v)) for k, v in zip(K, V))

# %% tags=["check"]
assert torch.equal(V, ex["v"]), "a value is the embedding row times W_V"
assert same_rows == 0, "count again: compare each row of K with the same row of V"
print("keys:\n", K, "\nvalues:\n", V)

# %% [markdown]
# ## Exercise 2: single-head attention (supported)
#
# Write `single_head_attention(X, W_Q, W_K, W_V)` returning the (T, d_v) outputs
# softmax(Q Kᵀ / √d_k) V.

# %% tags=["work"]
def single_head_attention(X, W_Q, W_K, W_V):
    """X (T, d), W_Q/W_K (d, d_k), W_V (d, d_v) -> (T, d_v)."""
    return TODO("project, score, scale, softmax each row, average the values")


# %% tags=["solution"]
def single_head_attention(X, W_Q, W_K, W_V):
    """X (T, d), W_Q/W_K (d, d_k), W_V (d, d_v) -> (T, d_v)."""
    Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    weights = torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), dim=-1)  # (T, T)
    return weights @ V


# %% tags=["check"]
out = single_head_attention(X, W_Q, W_K, W_V)
assert out.shape == (4, 3), \
    f"one output per token, as wide as a value; got {tuple(out.shape)}"
torch.testing.assert_close(out, ex["out"], msg=lambda m: (
    "outputs differ from the lesson's table: scale by √d_k, softmax over the last "
    "dimension, then weights @ V\n" + m))
print(out.round(decimals=3))

# %% [markdown]
# ## Exercise 3: the residual (supported)
#
# Add each token's embedding to its attention output. Then imagine an untrained
# layer whose weights are all 1/4: compute its outputs with and without the residual
# and count how many *different* vectors each gives.

# %% tags=["work"]
residual = TODO("attention output plus the input, shape (4, 3)")
uniform_out = TODO("(all weights 1/4) @ V")
distinct_without = TODO("number of distinct rows of uniform_out")
distinct_with = TODO("number of distinct rows of uniform_out + X")

# %% tags=["solution"]
residual = out + X
uniform_out = torch.full((4, 4), 0.25, dtype=X.dtype) @ V
distinct_without = len({tuple(r.tolist()) for r in uniform_out})
distinct_with = len({tuple(r.tolist()) for r in uniform_out + X})

# %% tags=["check"]
assert residual.shape == X.shape, "the residual needs the output as wide as the input"
torch.testing.assert_close(residual, ex["residual"])
assert distinct_without == 1, "with equal weights every token averages the same values"
assert distinct_with == 4, \
    "adding each token's own embedding should tell them apart again"
print("without residual:", distinct_without, "distinct vector; with:", distinct_with)

# %% [markdown]
# ## Exercise 4: W_V = I (supported)
#
# **Predict first:** with W_V the identity, what is the output in terms of the
# weights and X?

# %% tags=["work"]
out_identity = TODO("single-head attention with W_V = identity")
weights = torch.softmax((X @ W_Q) @ (X @ W_K).T / math.sqrt(3), dim=-1)
lesson_one_style = TODO("the weights applied to the raw embeddings X")

# %% tags=["solution"]
out_identity = single_head_attention(X, W_Q, W_K, torch.eye(3, dtype=X.dtype))
weights = torch.softmax((X @ W_Q) @ (X @ W_K).T / math.sqrt(3), dim=-1)
lesson_one_style = weights @ X

# %% tags=["check"]
torch.testing.assert_close(out_identity, lesson_one_style, msg=lambda m: (
    "with V = X the output should be the weights times the raw embeddings\n" + m))
assert not torch.allclose(out_identity, rx.raw_attention(X)["out"]), \
    "same form as lesson 1, but the weights now come from queries and keys"
print("W_V = I gives softmax(QKᵀ/√d_k) X")

# %% [markdown]
# ## Exercise 5: W_V = W_K (independent)
#
# Tie the value matrix to the key matrix. Show that every output is then a weighted
# average of the keys, and find the token whose output moves furthest from the
# untied version.

# %% tags=["work"]
out_tied = TODO("single-head attention with W_V = W_K")
moved = TODO("index of the token whose output changed most (Euclidean distance)")

# %% tags=["solution"]
out_tied = single_head_attention(X, W_Q, W_K, W_K)
moved = int((out_tied - out).norm(dim=-1).argmax())

# %% tags=["check"]
torch.testing.assert_close(out_tied, weights @ (X @ W_K), msg=lambda m: (
    "tied values are the keys: the output should be weights @ K\n" + m))
expected = int((weights @ (X @ W_K) - ex["out"]).norm(dim=-1).argmax())
assert moved == expected, \
    "measure each token's change as the length of its row of (tied − untied)"
print(f"tying moved '{rx.TOKENS[moved]}' most; now",
      [round(x, 3) for x in out_tied[moved].tolist()])

# %% [markdown]
# ## Exercise 6 (stretch): keys and values of a trained head
#
# Pretrained GPT-2 weights cannot be downloaded here; train the book's tiny model
# (one attention layer, two heads, about five seconds) and compare, for one head,
# the key and the value it computes for the same tokens. Are they the same vectors?
# How similar (cosine) are they on average?

# %%
from kernels.tiny_attention_model import lagged_batch, train_lagged

model, _ = train_lagged((1, 2), steps=400, seed=0)
ids, _ = lagged_batch(1, 12, 16, (1, 2), torch.Generator().manual_seed(3))
with torch.no_grad():
    x = model.tok(ids) + model.pos(torch.arange(12))  # (1, 12, 32)
    q, k, v = model.qkv(x).chunk(3, dim=-1)  # (1, 12, 32) each
head = slice(0, 16)  # head 1's 16 channels
cos = torch.cosine_similarity(k[0, :, head], v[0, :, head], dim=-1)
print("cosine(key, value) per position, head 1:")
print([round(c, 2) for c in cos.tolist()])

# %% alt="Bar chart of the cosine between the trained head's key and value at each of the 12 positions; the bars are small and of both signs, far from 1."
fig, ax = plt.subplots(figsize=(8, 2.8))
ax.bar(range(12), cos, color="C0")
ax.axhline(0, color="C7", lw=1)
ax.set_ylim(-1, 1)
ax.set_xlabel("position")
ax.set_ylabel("cosine(key, value)")
plt.show()

# %% [markdown]
# The trained key and value of the same token point in nearly unrelated directions:
# the model used its freedom to make *what gets a token found* different from *what
# it hands over*. For a previous-token head that is what you would expect: the key
# has to say where a token is, the value what it is.
