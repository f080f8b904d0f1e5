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
# Everything runs on a CPU in a few seconds.
#
# 1. **RoPE keeps only the gap (guided).** Build the 2-D rotation, rotate a query
#    and a key, shift both positions, and check that the score does not move.
# 2. **Sparse masks (supported).** Write a dilated mask next to the causal and
#    sliding-window ones, draw all three, and count what each computes as the
#    sequence grows.
# 3. **A GQA forward pass (supported).** Eight query heads share two key/value heads;
#    compare the output with multi-head attention's and count what gets cached.
# 4. **An attention cost calculator (independent).** One function that prices
#    attention FLOPs and the KV cache for any configuration, applied to GPT-2 and to
#    LLaMA 2 70B with each fix added in turn.
#
# Each exercise gives its solution twice: folded away under **Solution**, and as a
# runnable reference cell so the rest of the notebook works whatever you wrote.

# %%
import math

import matplotlib.pyplot as plt
import torch

from kernels.attention import attention, causal_mask
from kernels.costs import attention_score_flops, kv_cache_bytes
from kernels.gqa import grouped_query_attention
from kernels.presets import get_preset
from kernels.rope import apply_rope
from kernels.sparse import (count_scores, dilated_mask, sliding_window_mask,
                            sliding_window_score_count)

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1 (guided): RoPE keeps only the gap
#
# RoPE turns each pair of channels by an angle proportional to the position. Start
# with a single pair, a 2-D vector. Write `rotation_matrix_2d(angle)`, the matrix
# that turns a 2-D vector anticlockwise by `angle` radians:
# `[[cos, -sin], [sin, cos]]`.
#
# The first pair is worked for you below: a query at position 3 and a key at
# position 7, one pair turning `theta = 0.5` radians per position.
#
# **Predict first:** if you shift both positions by 1000, to 1003 and 1007, will
# their dot product change?
#
# <details><summary>Solution</summary>
#
# ```python
# def rotation_matrix_2d(angle):
#     c, s = math.cos(angle), math.sin(angle)
#     return torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
# ```
#
# The dot product does not change: `(R(a) q) · (R(b) k) = q · (R(b − a) k)`, and
# `b − a` is the same for 3/7 and for 1003/1007.
#
# </details>

# %%
# Reference solution (run it even if you wrote your own).
def rotation_matrix_2d(angle: float) -> torch.Tensor:
    """(2, 2) matrix that rotates a 2-D vector anticlockwise by angle radians."""
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, -s], [s, c]], dtype=torch.float64)


theta = 0.5                                    # radians per position, one pair
q2 = torch.tensor([1.0, 0.2], dtype=torch.float64)
k2 = torch.tensor([0.3, 1.1], dtype=torch.float64)


def pair_score(m: int, n: int) -> float:
    """Dot product of q2 rotated for position m and k2 rotated for position n."""
    return float((rotation_matrix_2d(m * theta) @ q2) @ (rotation_matrix_2d(n * theta)
                                                          @ k2))


for m, n in ((3, 7), (1003, 1007)):
    print(f"q at {m:>4}, k at {n:>4}: score {pair_score(m, n):+.6f}")

# %% [markdown]
# Now look at it. The cell below draws the rotated query and key for three gaps, each
# at two very different absolute positions. Before you run it: in which panels
# should the angle between the arrows match?

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 4))
for ax, gap in zip(axes, (1, 3, 6)):
    for start, style in ((2, "-"), (500, "--")):
        for vec, pos, colour in ((q2, start, "tab:blue"), (k2, start + gap,
                                                            "tab:orange")):
            x, y = (rotation_matrix_2d(pos * theta) @ vec).tolist()
            ax.plot([0, x], [0, y], style, color=colour, lw=2)
        score = pair_score(start, start + gap)
        ax.text(-1.2, 1.35 if start == 2 else 1.15,
                f"{start}/{start + gap}: {score:+.3f}", fontsize=11)
    ax.set_title(f"gap {gap}")
    ax.set_aspect("equal")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.5)
    ax.axis("off")
plt.show()

# %% [markdown]
# Solid arrows start at position 2, dashed ones at 500: the pictures are rotated
# copies of each other, and the printed scores agree within each panel. Across
# panels the gap changes and so does the score.
#
# A real head has many pairs turning at different speeds (the clock with many
# hands). `kernels.rope.apply_rope` does all of them at once. Check the same property
# on a 64-channel head, and then vary the *gap* instead of the shift.

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
for gap in (0, 1, 4, 16, 64):
    print(f"gap {gap:>3}: score {score(3, 3 + gap):+.6f}")

# %% [markdown]
# The shift never matters; the gap does. Position has entered attention through the
# dot product, as a relative distance.

# %% [markdown]
# ## Exercise 2 (supported): sparse attention masks
#
# A mask is a `(T, T)` boolean tensor, True where query `i` may attend to key `j`.
# The causal and sliding-window masks are given. Write `my_dilated_mask(t, window,
# dilation)`: query `i` sees the `window` keys `i, i − dilation, i − 2·dilation, …`
# that are not negative.
#
# **Predict first:** for 64 tokens, a window of 8 and a dilation of 4, how many
# scores does each mask compute? How wide a span does the dilated one cover?
#
# <details><summary>Solution</summary>
#
# ```python
# def my_dilated_mask(t, window, dilation):
#     i = torch.arange(t)[:, None]
#     j = torch.arange(t)[None, :]
#     offset = i - j
#     return ((offset >= 0) & (offset % dilation == 0)
#             & (offset // dilation < window))
# ```
#
# The sliding window and the dilated mask both give each query at most 8 keys; the
# dilated one spreads them over (8 − 1)·4 + 1 = 29 positions.
#
# </details>

# %%
def my_causal_mask(t: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]  # (t, 1) query positions
    j = torch.arange(t)[None, :]  # (1, t) key positions
    return j <= i


def my_sliding_window_mask(t: int, window: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    return (j <= i) & (i - j < window)  # the window counts the token itself


# Reference solution for the part you write:
def my_dilated_mask(t: int, window: int, dilation: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    offset = i - j
    return (offset >= 0) & (offset % dilation == 0) & (offset // dilation < window)


T, WINDOW, DILATION = 64, 8, 4
masks = {
    "causal": my_causal_mask(T),
    "sliding window": my_sliding_window_mask(T, WINDOW),
    "dilated": my_dilated_mask(T, WINDOW, DILATION),
}
# Your masks must agree with the book's kernels.
assert torch.equal(masks["causal"], causal_mask(T))
assert torch.equal(masks["sliding window"], sliding_window_mask(T, WINDOW))
assert torch.equal(masks["dilated"], dilated_mask(T, WINDOW, DILATION))

fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
for ax, (name, mask) in zip(axes, masks.items()):
    ax.imshow(mask.numpy(), cmap="Blues", interpolation="nearest")
    ax.set_title(f"{name}: {count_scores(mask)} scores")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# Now extend to longer sequences. Count the scores of each mask for T from 64 to
# 1024 and plot them. Which curve bends upwards, and which are straight lines?

# %%
lengths = (64, 128, 256, 512, 1024)
counts = {name: [] for name in masks}
for t in lengths:
    counts["causal"].append(count_scores(my_causal_mask(t)))
    counts["sliding window"].append(count_scores(my_sliding_window_mask(t, WINDOW)))
    counts["dilated"].append(count_scores(my_dilated_mask(t, WINDOW, DILATION)))
    assert counts["sliding window"][-1] == sliding_window_score_count(t, WINDOW)
    print(f"T={t:>4}: window {counts['sliding window'][-1]:>5} scores of "
          f"{counts['causal'][-1]:>6} causal")

plt.figure(figsize=(6, 3.6))
for name, values in counts.items():
    plt.plot(lengths, values, "o-", label=name)
plt.xlabel("tokens T")
plt.ylabel("scores computed")
plt.legend()
plt.show()

# %% [markdown]
# Causal attention grows with T², the two sparse patterns with T·w: double the
# length and they do twice the work, not four times.

# %% [markdown]
# ## Exercise 3 (supported): a GQA forward pass
#
# A layer with `d_model = 64`, 8 query heads and 2 key/value heads (4 query heads per
# group), applied to 16 tokens. The projections are given. Your part is
# `my_gqa_attention(q, k, v)`: give every query head the K/V head of its group, then
# run ordinary causal attention.
#
# Query heads `0–3` use K/V head 0 and heads `4–7` use K/V head 1 (consecutive
# groups, as in LLaMA). `torch.repeat_interleave` along the head axis does the
# copying.
#
# **Predict first:** what shape does the output have, compared with standard
# multi-head attention with 8 K/V heads? How many numbers per token does each
# version cache?
#
# <details><summary>Solution</summary>
#
# ```python
# def my_gqa_attention(q, k, v):
#     group = q.shape[1] // k.shape[1]                  # query heads per K/V head
#     k_full = k.repeat_interleave(group, dim=1)        # (B, Hq, T, D)
#     v_full = v.repeat_interleave(group, dim=1)
#     scores = q @ k_full.transpose(-2, -1) / math.sqrt(q.shape[-1])
#     t = q.shape[-2]
#     future = torch.ones(t, t, dtype=torch.bool).triu(1)
#     weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
#     return weights @ v_full                           # (B, Hq, T, D)
# ```
#
# The output is `(1, 8, 16, 8)` either way: every query head still produces its own
# output. MHA caches 2 × 8 heads × 8 channels = 128 numbers per token per layer; GQA
# caches 2 × 2 × 8 = 32, four times fewer.
#
# </details>

# %%
D_MODEL, H_Q, H_KV, T_GQA = 64, 8, 2, 16
HEAD = D_MODEL // H_Q                                  # 8 channels per head
gen = torch.Generator().manual_seed(1)
x = torch.randn(1, T_GQA, D_MODEL, generator=gen)      # (B, T, C)
w_q = torch.randn(D_MODEL, H_Q * HEAD, generator=gen) / math.sqrt(D_MODEL)
w_k = torch.randn(D_MODEL, H_KV * HEAD, generator=gen) / math.sqrt(D_MODEL)
w_v = torch.randn(D_MODEL, H_KV * HEAD, generator=gen) / math.sqrt(D_MODEL)


def heads(y: torch.Tensor, n: int) -> torch.Tensor:
    """(B, T, n·HEAD) -> (B, n, T, HEAD)."""
    return y.view(y.shape[0], y.shape[1], n, HEAD).transpose(1, 2)


q_h = heads(x @ w_q, H_Q)    # (1, 8, 16, 8): eight query heads
k_h = heads(x @ w_k, H_KV)   # (1, 2, 16, 8): two key heads
v_h = heads(x @ w_v, H_KV)   # (1, 2, 16, 8): two value heads


# Reference solution for the part you write:
def my_gqa_attention(q: torch.Tensor, k: torch.Tensor,
                     v: torch.Tensor) -> torch.Tensor:
    group = q.shape[1] // k.shape[1]                   # query heads per K/V head
    k_full = k.repeat_interleave(group, dim=1)         # (B, Hq, T, D)
    v_full = v.repeat_interleave(group, dim=1)
    scores = q @ k_full.transpose(-2, -1) / math.sqrt(q.shape[-1])
    t = q.shape[-2]
    future = torch.ones(t, t, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    return weights @ v_full                            # (B, Hq, T, D)


out_gqa = my_gqa_attention(q_h, k_h, v_h)
reference = grouped_query_attention(q_h, k_h, v_h, is_causal=True)
assert torch.allclose(out_gqa, reference, atol=1e-6)

# Standard MHA for comparison: eight K/V heads of its own.
w_k_mha = torch.randn(D_MODEL, H_Q * HEAD, generator=gen) / math.sqrt(D_MODEL)
w_v_mha = torch.randn(D_MODEL, H_Q * HEAD, generator=gen) / math.sqrt(D_MODEL)
out_mha = attention(q_h, heads(x @ w_k_mha, H_Q), heads(x @ w_v_mha, H_Q),
                    is_causal=True)
print("GQA output", tuple(out_gqa.shape), "| MHA output", tuple(out_mha.shape))

cached_mha = 2 * H_Q * HEAD     # K and V numbers cached per token, per layer
cached_gqa = 2 * H_KV * HEAD
print(f"cached per token per layer: MHA {cached_mha}, GQA {cached_gqa} "
      f"({cached_mha // cached_gqa}x fewer)")
print(f"K/V projection weights: MHA {w_k_mha.numel() + w_v_mha.numel()}, "
      f"GQA {w_k.numel() + w_v.numel()}")

# %% [markdown]
# Same output shape, the same eight distinct query heads, a quarter of the cache.

# %% [markdown]
# ## Exercise 4 (independent): an attention cost calculator
#
# Write a function that, for one sequence, returns
#
# - the FLOPs of the two attention matmuls (QKᵀ and weights·V) over all layers,
#   causal, counting 2 FLOPs per multiply-add and, with a sliding window `w`, only
#   the `min(i + 1, w)` keys query `i` sees; and
# - the bytes of the KV cache: K and V for every layer, K/V head, channel and cached
#   token, at `bytes_per_element` bytes (2 for fp16). With a sliding window only the
#   last `w` tokens need to be kept (a rolling buffer, as in Mistral).
#
# Its inputs: `n_layers, d_model, n_heads, n_kv_heads, seq_len`, an optional
# `window`, and `bytes_per_element`. Then fill in a table for:
#
# | | model | attention | context |
# |---|---|---|---|
# | a | GPT-2 (`gpt2-small`) | MHA | 1,024 |
# | b | LLaMA 2 70B (`llama2-70b`) | as MHA (64 K/V heads) | 4,096 |
# | c | LLaMA 2 70B | GQA, as shipped | 4,096 |
# | d | LLaMA 2 70B | GQA | 131,072 |
# | e | LLaMA 2 70B | GQA + a 4,096-token window | 131,072 |
#
# Take the shapes from `kernels.presets.get_preset`. **Predict first:** which row
# changes the FLOPs, which changes the cache, and which changes both?
#
# <details><summary>Solution</summary>
#
# ```python
# def attention_costs(n_layers, d_model, n_heads, n_kv_heads, seq_len,
#                     window=None, bytes_per_element=2):
#     head_dim = d_model // n_heads
#     if window is None:
#         pairs = seq_len * (seq_len + 1) // 2               # causal
#     else:
#         w = min(window, seq_len)
#         pairs = w * (w + 1) // 2 + (seq_len - w) * w       # ramp, then w each
#     flops = 4 * pairs * head_dim * n_heads * n_layers      # 2 matmuls × 2 FLOPs
#     cached = seq_len if window is None else min(window, seq_len)
#     kv_bytes = (2 * n_layers * n_kv_heads * head_dim * cached
#                 * bytes_per_element)
#     return flops, kv_bytes
# ```
#
# GQA (b → c) leaves the FLOPs alone and cuts the cache 8×, because the work is done
# per query head and only storage is shared. The longer context (c → d) multiplies
# the cache by 32 and the FLOPs by about 1,000. The window (d → e) cuts both: the
# FLOPs by about 16× and, with a rolling buffer, the cache back to its 4K size.
#
# </details>

# %%
# Reference solution (run it to continue).
def attention_costs(n_layers: int, d_model: int, n_heads: int, n_kv_heads: int,
                    seq_len: int, window: int | None = None,
                    bytes_per_element: int = 2) -> tuple[int, int]:
    """(attention-matmul FLOPs, KV-cache bytes) for one causal sequence."""
    head_dim = d_model // n_heads
    if window is None:
        pairs = seq_len * (seq_len + 1) // 2                # causal
    else:
        w = min(window, seq_len)
        pairs = w * (w + 1) // 2 + (seq_len - w) * w        # ramp, then w each
    flops = 4 * pairs * head_dim * n_heads * n_layers       # 2 matmuls × 2 FLOPs
    cached = seq_len if window is None else min(window, seq_len)
    kv_bytes = 2 * n_layers * n_kv_heads * head_dim * cached * bytes_per_element
    return flops, kv_bytes


gpt2, llama = get_preset("gpt2-small"), get_preset("llama2-70b")
window = get_preset("mistral-7b").sliding_window
configs = {  # label: (preset, K/V heads, context, window)
    "a GPT-2, MHA, 1K": (gpt2, gpt2.n_heads, 1024, None),
    "b 70B as MHA, 4K": (llama, llama.n_heads, 4096, None),
    "c 70B GQA, 4K": (llama, llama.n_kv_heads, 4096, None),
    "d 70B GQA, 128K": (llama, llama.n_kv_heads, 131072, None),
    "e 70B GQA + window, 128K": (llama, llama.n_kv_heads, 131072, window),
}
print(f"{'configuration':<26}{'attention FLOPs':>18}{'KV cache (GB)':>16}")
for label, (cfg, kv, n, w) in configs.items():
    flops, kv_bytes = attention_costs(cfg.n_layers, cfg.d_model, cfg.n_heads, kv, n,
                                      window=w)
    # Cross-check against the book's kernels.
    assert flops == attention_score_flops(n, cfg.n_heads, cfg.head_dim,
                                          n_layers=cfg.n_layers, causal=True,
                                          window=w)
    assert kv_bytes == kv_cache_bytes(cfg, seq_len=min(n, w or n), n_kv_heads=kv)
    print(f"{label:<26}{flops:>18.3e}{kv_bytes / 1e9:>16.3f}")

# %% [markdown]
# Read the table as three barriers and three fixes. GQA touches only memory. The
# window touches compute and, with a rolling buffer, memory too. RoPE does not appear
# at all: it costs nothing here, and what it buys, positions past the training
# length, is not a cost you can print. The fixes address different walls, so their
# savings multiply.
