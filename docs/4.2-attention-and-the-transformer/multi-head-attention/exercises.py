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
# # Exercises: multi-head attention
#
# 1. **One head (guided).** A single-head function to build on.
# 2. **Two heads from scratch (supported).** The worked example: d_model = 6, h = 2.
# 3. **Split, not multiplied (supported).** Count FLOPs for 1 head and for 12.
# 4. **A module (independent).** Multi-head attention as an `nn.Module` with a batch
#    dimension, checked against the book's kernel.
# 5. **Stretch: a trained model's heads.** Train the book's tiny model and look at
#    every head's pattern.
#
# Everything runs on a CPU in seconds.

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from kernels import running_example as rx
from kernels.attention import multi_head_attention
from kernels.exercise import TODO

X6 = rx.embeddings(6)  # (4, 6): The, cat, sat, here
HEADS = [rx.head_weights(i) for i in range(2)]  # [(W_Q, W_K, W_V)], each (6, 3)
W_O = rx.tensor(rx.W_O)  # (6, 6)
ref = rx.two_heads()

# %% [markdown]
# ## Exercise 1: one head (guided)

# %% tags=["work"]
def head(X, W_Q, W_K, W_V):
    """X (T, d), W_* (d, d_k) -> (weights (T, T), out (T, d_k))."""
    weights = TODO("softmax(Q Kᵀ / √d_k) row by row")
    return weights, TODO("weights @ V")


# %% tags=["solution"]
def head(X, W_Q, W_K, W_V):
    """X (T, d), W_* (d, d_k) -> (weights (T, T), out (T, d_k))."""
    Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    weights = torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), dim=-1)
    return weights, weights @ V


# %% tags=["check"]
w1, o1 = head(X6, *HEADS[0])
torch.testing.assert_close(w1, ref["heads"][0]["weights"], msg=lambda m: (
    "head 1's weights differ from the lesson's: scale by √d_k with d_k = 3\n" + m))
torch.testing.assert_close(o1, ref["heads"][0]["out"])
print("head 1, row 'here':", w1[3].round(decimals=3).tolist())

# %% [markdown]
# ## Exercise 2: two heads from scratch (supported)
#
# Run both heads, concatenate their outputs, multiply by W_O, add the residual.
#
# **Predict first:** what shape does the concatenation have?

# %% tags=["work"]
concat = TODO("both heads' outputs side by side, shape (4, 6)")
mha = TODO("concat @ W_O")
final = TODO("mha plus the input")

# %% tags=["solution"]
concat = torch.cat([head(X6, *w)[1] for w in HEADS], dim=-1)  # (4, 6)
mha = concat @ W_O  # (4, 6)
final = mha + X6

# %% tags=["check"]
assert concat.shape == (4, 6), \
    f"2 heads × d_k = 3 should give 6 columns, got {tuple(concat.shape)}"
torch.testing.assert_close(concat, ref["concat"], msg=lambda m: (
    "head 1's output goes in columns 0–2, head 2's in 3–5\n" + m))
torch.testing.assert_close(mha, ref["out"])
torch.testing.assert_close(final, ref["residual"])
print("'here' after the layer:", final[3].round(decimals=3).tolist())

# %% [markdown]
# ## Exercise 3: split, not multiplied (supported)
#
# Count the FLOPs of `kernels.attention.multi_head_attention` on (1, 256, 768) with
# 1 head and with 12 heads, using PyTorch's `FlopCounterMode`.
#
# **Predict first:** how do the two counts compare?

# %% tags=["work"]
x = torch.randn(1, 256, 768)
ws = [torch.randn(768, 768) for _ in range(4)]
flops = {}
for h in (1, 12):
    flops[h] = TODO("total FLOPs of multi_head_attention(x, *ws, h)")

# %% tags=["solution"]
x = torch.randn(1, 256, 768)
ws = [torch.randn(768, 768) for _ in range(4)]
flops = {}
for h in (1, 12):
    with FlopCounterMode(display=False) as counter:
        multi_head_attention(x, *ws, h)
    flops[h] = counter.get_total_flops()

# %% tags=["check"]
assert set(flops) == {1, 12}, "one count per head setting"
assert flops[1] == 8 * 256 * 768**2 + 4 * 256**2 * 768, \
    "one head: 4 projections (2·T·d² each) plus scores and sum (2·T²·d each)"
assert flops[12] == flops[1], \
    "12 heads of 64 should cost exactly what one head of 768 does"
print(flops)

# %% [markdown]
# ## Exercise 4: a module (independent)
#
# Write `MyMultiHeadAttention(d_model, n_heads)`: four `nn.Linear(d_model, d_model,
# bias=False)` layers (q, k, v, out) and a `forward(x)` for x of shape (B, T, C) that
# splits the channels into heads, runs attention in every head, concatenates and
# applies the output layer. No residual inside. Check it against
# `kernels.attention.multi_head_attention` with the same weights.

# %% tags=["work"]
class MyMultiHeadAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        TODO("store n_heads and create q, k, v, out linear layers")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return TODO("(B, T, C) -> (B, T, C)")


# %% tags=["solution"]
class MyMultiHeadAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.q, self.k, self.v, self.out = (nn.Linear(d_model, d_model, bias=False)
                                            for _ in range(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, c = x.shape
        d = c // self.n_heads

        def split(z):  # (B, T, C) -> (B, H, T, d)
            return z.view(b, t, self.n_heads, d).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d), dim=-1)
        mixed = (weights @ v).transpose(1, 2).reshape(b, t, c)  # concat heads
        return self.out(mixed)


# %% tags=["check"]
torch.manual_seed(0)
mine = MyMultiHeadAttention(16, 4)
xb = torch.randn(3, 5, 16)  # a batch of 3 sequences of 5 tokens
got = mine(xb)
assert got.shape == (3, 5, 16), \
    f"the layer keeps the shape (B, T, C), got {tuple(got.shape)}"
expected = multi_head_attention(xb, mine.q.weight, mine.k.weight, mine.v.weight,
                                mine.out.weight, 4)
torch.testing.assert_close(got, expected, msg=lambda m: (
    "differs from the kernel: split channels as (B, T, H, d) then move H before T, "
    "and scale by √d with d = C / H\n" + m))
print("your module agrees with kernels.attention.multi_head_attention")

# %% [markdown]
# ## Exercise 5 (stretch): a trained model's heads
#
# Pretrained GPT-2 weights cannot be downloaded here. Train the book's tiny model
# instead: one attention layer, four heads, asked to output the tokens 1, 2 and 3
# positions back (about ten seconds). Plot every head's attention on one sequence
# and name what each head does. Is any head idle?

# %%
from kernels.tiny_attention_model import lag_score, lagged_batch, train_lagged

lags = (1, 2, 3)
model, losses = train_lagged(lags, steps=400, n_heads=4, seed=0)
ids, _ = lagged_batch(64, 12, 16, lags, torch.Generator().manual_seed(3))
with torch.no_grad():
    _, w = model(ids)
print(f"loss {losses[0]:.2f} -> {losses[-1]:.4f}")
for lag in lags:
    shares = [round(x, 2) for x in lag_score(w, lag).tolist()]
    print(f"weight on t−{lag} per head:", shares)

# %% alt="Four 12-by-12 attention maps, one per head of the trained model; most show a thin diagonal line one, two or three steps below the main diagonal."
fig, axes = plt.subplots(1, 4, figsize=(12, 3.4))
for h, ax in enumerate(axes):
    ax.imshow(w[0, h], cmap="Blues", vmin=0, vmax=1)
    ax.set_title(f"head {h + 1}")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# Three offsets, four heads: training has to decide what the spare head does—share
# an offset, split its weight, or do little at all. Try other seeds. The architecture
# provides capacity; what fills it is learned.
