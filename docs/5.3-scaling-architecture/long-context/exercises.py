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
# 1. **RoPE keeps only the gap (guided).** Build the 2-D rotation, rotate a query
#    and a key, shift both positions, and check that the score does not move.
# 2. **Sparse masks (supported).** Write a dilated mask next to the causal and
#    sliding-window ones, draw all three, and count what each computes as the
#    sequence grows.
# 3. **A GQA forward pass (supported).** Eight query heads share two key/value
#    heads; compare the output with multi-head attention's and count what gets
#    cached.
# 4. **An attention cost calculator (independent).** One function that prices
#    attention FLOPs and the KV cache for any configuration, applied to GPT-2 and to
#    LLaMA 2 70B with each fix added in turn.
#
# Everything runs on a CPU in a few seconds. The exercises do not depend on each
# other.

# %%
import math

import matplotlib.pyplot as plt
import torch
from matplotlib.colors import ListedColormap

from kernels.attention import attention, causal_mask
from kernels.costs import attention_score_flops, kv_cache_bytes
from kernels.exercise import TODO
from kernels.gqa import grouped_query_attention
from kernels.presets import get_preset
from kernels.rope import apply_rope
from kernels.sparse import count_scores, dilated_mask, sliding_window_mask

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: RoPE keeps only the gap (guided)
#
# RoPE turns each pair of channels by an angle proportional to the position. Start
# with a single pair, a 2-D vector. Write `rotation_matrix_2d(angle)`, the matrix
# that turns a 2-D vector anticlockwise by `angle` radians:
# `[[cos, -sin], [sin, cos]]`. The rest is given: a query at position 3 and a key
# at position 7, one pair turning `theta = 0.5` radians per position.
#
# **Predict first:** if you shift both positions by 1000, to 1003 and 1007, will
# their dot product change?

# %% tags=["work"]
def rotation_matrix_2d(angle: float) -> torch.Tensor:
    """(2, 2) float64 matrix that rotates a 2-D vector anticlockwise by `angle`."""
    c, s = math.cos(angle), math.sin(angle)
    return TODO("a (2, 2) float64 tensor built from c and s")


# %% tags=["solution"]
def rotation_matrix_2d(angle: float) -> torch.Tensor:
    """(2, 2) float64 matrix that rotates a 2-D vector anticlockwise by `angle`."""
    c, s = math.cos(angle), math.sin(angle)
    return torch.tensor([[c, -s], [s, c]], dtype=torch.float64)


# %% tags=["check"]
e1 = torch.tensor([1.0, 0.0], dtype=torch.float64)
quarter = rotation_matrix_2d(math.pi / 2) @ e1
assert torch.allclose(quarter, torch.tensor([0.0, 1.0], dtype=torch.float64)), \
    f"a quarter turn anticlockwise should take (1, 0) to (0, 1), got " \
    f"{quarter.tolist()}: check the signs of the sin entries"
r = rotation_matrix_2d(0.7)
assert torch.allclose(r @ r.T, torch.eye(2, dtype=torch.float64)), \
    "a rotation keeps lengths, so R @ R.T must be the identity"
assert torch.allclose(rotation_matrix_2d(0.3) @ rotation_matrix_2d(0.4), r), \
    "turning by 0.3 and then by 0.4 should equal one turn by 0.7"
print("rotation_matrix_2d behaves like a rotation")

# %%
theta = 0.5                                    # radians per position, one pair
q2 = torch.tensor([1.0, 0.2], dtype=torch.float64)
k2 = torch.tensor([0.3, 1.1], dtype=torch.float64)


def pair_score(m: int, n: int) -> float:
    """Dot product of q2 rotated for position m with k2 rotated for position n."""
    q_rot = rotation_matrix_2d(m * theta) @ q2
    k_rot = rotation_matrix_2d(n * theta) @ k2
    return float(q_rot @ k_rot)


for m, n in ((3, 7), (1003, 1007)):
    print(f"q at {m:>4}, k at {n:>4}: score {pair_score(m, n):+.6f}")

# %% [markdown]
# Now look at it. Each panel draws the rotated query and key on the unit circle for
# one gap, at two very different starting positions. Before you run it: in which
# panels should the angle between the arrows match?

# %% alt="Three unit circles, for gaps 1, 3 and 6. In each, a query and a key arrow are drawn for positions starting at 2 (solid) and at 500 (dashed); the dashed pair is the solid pair turned as a whole, so the angle between query and key is the same, and the printed scores agree within each panel."
fig, axes = plt.subplots(1, 3, figsize=(8, 3.4))
circle = torch.linspace(0, 2 * math.pi, 200)
for ax, gap in zip(axes, (1, 3, 6)):
    ax.plot(torch.cos(circle), torch.sin(circle), color="0.6", linewidth=1)
    for start, style in ((2, "-"), (500, "--")):
        for vec, pos, colour, name in ((q2, start, "C0", "query"),
                                       (k2, start + gap, "C1", "key")):
            x, y = (rotation_matrix_2d(pos * theta) @ vec).tolist()
            ax.annotate("", xy=(x, y), xytext=(0, 0), arrowprops=dict(
                arrowstyle="-|>", color=colour, linestyle=style, linewidth=1.8))
            ax.plot([], [], style, color=colour, label=f"{name}, from {start}")
        ax.text(0, -1.45 if start == 2 else -1.75,
                f"{start}/{start + gap}: score {pair_score(start, start + gap):+.3f}",
                ha="center", fontsize=10)
    ax.set_title(f"gap {gap}")
    ax.set_aspect("equal")
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.9, 1.25)
    ax.axis("off")
handles, labels = axes[0].get_legend_handles_labels()
fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=10,
           bbox_to_anchor=(0.5, -0.08))
plt.show()

# %% [markdown]
# Solid arrows start at position 2, dashed ones at 500: each dashed pair is the
# solid pair turned as a whole, and the printed scores agree within each panel.
# Across panels the gap changes, and so does the score.
#
# A real head has many pairs turning at different speeds (the clock with many
# hands). `kernels.rope.apply_rope` turns all of them at once. The same property
# holds on a 64-channel head; now vary the *gap* instead of the shift.

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
# The shift never matters (up to the last digits of floating point); the gap
# does. Position has entered attention through the dot product, as a relative
# distance.

# %% [markdown]
# ## Exercise 2: sparse attention masks (supported)
#
# A mask is a `(T, T)` boolean tensor, True where query `i` may attend to key `j`.
# The causal and sliding-window masks are given. Write `my_dilated_mask(t, window,
# dilation)`: query `i` sees the `window` keys `i, i − dilation, i − 2·dilation, …`
# that are not negative.
#
# **Predict first:** for 64 tokens, a window of 8 and a dilation of 4, how many
# scores does each mask compute? How wide a span does the dilated one cover?

# %% tags=["work"]
def my_causal_mask(t: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]  # (t, 1) query positions
    j = torch.arange(t)[None, :]  # (1, t) key positions
    return j <= i


def my_sliding_window_mask(t: int, window: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    return (j <= i) & (i - j < window)  # the window counts the token itself


def my_dilated_mask(t: int, window: int, dilation: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    offset = i - j  # (t, t): how far back key j is from query i
    return TODO("offset not negative, a multiple of dilation, fewer than "
                "window steps back")


# %% tags=["solution"]
def my_causal_mask(t: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]  # (t, 1) query positions
    j = torch.arange(t)[None, :]  # (1, t) key positions
    return j <= i


def my_sliding_window_mask(t: int, window: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    return (j <= i) & (i - j < window)  # the window counts the token itself


def my_dilated_mask(t: int, window: int, dilation: int) -> torch.Tensor:
    i = torch.arange(t)[:, None]
    j = torch.arange(t)[None, :]
    offset = i - j  # (t, t): how far back key j is from query i
    return (offset >= 0) & (offset % dilation == 0) & (offset // dilation < window)


# %% tags=["check"]
for t, w, d in ((64, 8, 4), (97, 5, 3), (10, 3, 1)):
    mine = my_dilated_mask(t, w, d)
    assert mine.shape == (t, t) and mine.dtype == torch.bool, \
        f"the mask should be a ({t}, {t}) bool tensor, got {mine.dtype} {mine.shape}"
    assert not mine.triu(1).any(), "a query must never see a later key"
    rows = mine.sum(-1)
    assert rows.max() <= w, f"some query sees {int(rows.max())} keys, more than " \
        f"the window of {w}"
    assert torch.equal(mine, dilated_mask(t, w, d)), \
        f"for t={t}, window={w}, dilation={d} your mask differs from " \
        "kernels.sparse.dilated_mask: print a small one (t=10) and compare row 9"
assert torch.equal(my_dilated_mask(12, 4, 1), my_sliding_window_mask(12, 4)), \
    "with dilation 1 the dilated mask is the sliding window"
print("your dilated mask agrees with kernels.sparse.dilated_mask")

# %% alt="Three 64 by 64 masks side by side: causal is a filled lower triangle, the sliding window a diagonal band 8 keys wide, the dilated mask a band of 8 dotted diagonals spaced 4 apart that reaches 29 positions back."
T, WINDOW, DILATION = 64, 8, 4
masks = {
    "causal": my_causal_mask(T),
    "sliding window": my_sliding_window_mask(T, WINDOW),
    "dilated": my_dilated_mask(T, WINDOW, DILATION),
}
assert torch.equal(masks["causal"], causal_mask(T))
assert torch.equal(masks["sliding window"], sliding_window_mask(T, WINDOW))
fig, axes = plt.subplots(1, 3, figsize=(8, 3.2))
for ax, (name, mask) in zip(axes, masks.items()):
    ax.imshow(mask.numpy(), cmap=ListedColormap(["none", "C0"]),
              interpolation="nearest")
    ax.set_title(f"{name}\n{count_scores(mask)} scores", fontsize=12)
    ax.set_xlabel("key j", fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
axes[0].set_ylabel("query i", fontsize=11)
plt.show()

# %% [markdown]
# Now the sequence grows. The cell below counts each mask's scores for T from 64 to
# 4,096 and plots them on log–log axes, where `count = c·T^p` is a straight line
# of slope `p`. Which mask has slope 2, and which have slope 1?

# %% alt="Log-log plot of scores computed against sequence length from 64 to 4096 tokens: the causal count is a line of slope 2, the sliding-window and dilated counts lie on top of each other on a line of slope 1, far below."
lengths = [64 * 2**i for i in range(7)]
counts = {name: [] for name in masks}
for t in lengths:
    counts["causal"].append(count_scores(my_causal_mask(t)))
    counts["sliding window"].append(count_scores(my_sliding_window_mask(t, WINDOW)))
    counts["dilated"].append(count_scores(my_dilated_mask(t, WINDOW, DILATION)))
fig, ax = plt.subplots(figsize=(8, 4.2))
for (name, values), style in zip(counts.items(), ("o-", "s-", "x--")):
    ax.loglog(lengths, values, style, label=name, base=2)
ax.set_xlabel("tokens T")
ax.set_ylabel("scores computed")
ax.legend()
plt.show()
for name, values in counts.items():
    slope = math.log2(values[-1] / values[-2])
    print(f"{name:>14}: slope {slope:.2f} over the last doubling")

# %% [markdown]
# Causal attention grows with T², the two sparse patterns with T·w: double the
# length and they do twice the work, not four times. On linear axes the sparse
# lines would hug zero; on log–log axes the slopes are the story.

# %% [markdown]
# ## Exercise 3: a GQA forward pass (supported)
#
# A layer with `d_model = 64`, 8 query heads and 2 key/value heads (4 query heads
# per group), applied to 16 tokens. The projections are given. Your part is
# `my_gqa_attention(q, k, v)`: give every query head the K/V head of its group,
# then run ordinary causal attention.
#
# Query heads 0–3 use K/V head 0 and heads 4–7 use K/V head 1 (consecutive groups,
# as in LLaMA). `torch.repeat_interleave` along the head axis does the copying.
#
# **Predict first:** what shape does the output have, compared with multi-head
# attention with 8 K/V heads? How many numbers per token does each version cache?

# %% tags=["work"]
D_MODEL, H_Q, H_KV, T_GQA = 64, 8, 2, 16
HEAD = D_MODEL // H_Q                                  # 8 channels per head


def my_gqa_attention(q: torch.Tensor, k: torch.Tensor,
                     v: torch.Tensor) -> torch.Tensor:
    """q (B, Hq, T, D), k and v (B, Hkv, T, D) -> (B, Hq, T, D), causal."""
    group = q.shape[1] // k.shape[1]                   # query heads per K/V head
    k_full = TODO("k with each K/V head repeated for its group: (B, Hq, T, D)")
    v_full = TODO("the same for v")
    scores = q @ k_full.transpose(-2, -1) / math.sqrt(q.shape[-1])
    t = q.shape[-2]
    future = torch.ones(t, t, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    return weights @ v_full                            # (B, Hq, T, D)


# %% tags=["solution"]
D_MODEL, H_Q, H_KV, T_GQA = 64, 8, 2, 16
HEAD = D_MODEL // H_Q                                  # 8 channels per head


def my_gqa_attention(q: torch.Tensor, k: torch.Tensor,
                     v: torch.Tensor) -> torch.Tensor:
    """q (B, Hq, T, D), k and v (B, Hkv, T, D) -> (B, Hq, T, D), causal."""
    group = q.shape[1] // k.shape[1]                   # query heads per K/V head
    k_full = k.repeat_interleave(group, dim=1)         # (B, Hq, T, D)
    v_full = v.repeat_interleave(group, dim=1)
    scores = q @ k_full.transpose(-2, -1) / math.sqrt(q.shape[-1])
    t = q.shape[-2]
    future = torch.ones(t, t, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
    return weights @ v_full                            # (B, Hq, T, D)


# %% tags=["check"]
gen = torch.Generator().manual_seed(1)
x = torch.randn(1, T_GQA, D_MODEL, generator=gen)      # (B, T, C)
w_q = torch.randn(D_MODEL, H_Q * HEAD, generator=gen) / math.sqrt(D_MODEL)
w_k = torch.randn(D_MODEL, H_KV * HEAD, generator=gen) / math.sqrt(D_MODEL)
w_v = torch.randn(D_MODEL, H_KV * HEAD, generator=gen) / math.sqrt(D_MODEL)


def heads(y: torch.Tensor, n: int) -> torch.Tensor:
    """(B, T, n·HEAD) -> (B, n, T, HEAD)."""
    return y.view(y.shape[0], y.shape[1], n, HEAD).transpose(1, 2)


q_h, k_h, v_h = heads(x @ w_q, H_Q), heads(x @ w_k, H_KV), heads(x @ w_v, H_KV)
out_gqa = my_gqa_attention(q_h, k_h, v_h)
assert out_gqa.shape == q_h.shape, \
    f"one output per query head: expected {tuple(q_h.shape)}, got " \
    f"{tuple(out_gqa.shape)}"
reference = grouped_query_attention(q_h, k_h, v_h, is_causal=True)
assert torch.allclose(out_gqa[:, :4], reference[:, :4], atol=1e-6), \
    "query heads 0-3 differ from kernels.gqa: they should all use K/V head 0"
assert torch.allclose(out_gqa, reference, atol=1e-6), \
    "heads 4-7 differ: repeat_interleave keeps groups consecutive (0,0,0,0,1,1,1," \
    "1); repeat would interleave them (0,1,0,1,...)"
print("your GQA agrees with kernels.gqa.grouped_query_attention")

# %%
w_k_mha = torch.randn(D_MODEL, H_Q * HEAD, generator=gen) / math.sqrt(D_MODEL)
w_v_mha = torch.randn(D_MODEL, H_Q * HEAD, generator=gen) / math.sqrt(D_MODEL)
out_mha = attention(q_h, heads(x @ w_k_mha, H_Q), heads(x @ w_v_mha, H_Q),
                    is_causal=True)
print("GQA output", tuple(out_gqa.shape), "| MHA output", tuple(out_mha.shape))
cached_mha = 2 * H_Q * HEAD     # K and V numbers cached per token, per layer
cached_gqa = 2 * H_KV * HEAD
print(f"cached per token per layer: MHA {cached_mha}, GQA {cached_gqa} "
      f"({cached_mha // cached_gqa}x fewer)")

# %% [markdown] tags=["solution"]
# Same output shape, the same eight distinct query heads, a quarter of the cache:
# the work is still done per query head, only the stored keys and values are
# shared.

# %% [markdown]
# ## Exercise 4: an attention cost calculator (independent)
#
# Write `attention_costs(...)`, which for one causal sequence returns
#
# - the FLOPs of the two attention matmuls (QKᵀ and weights·V) over all layers,
#   counting 2 FLOPs per multiply-add and, with a sliding window `w`, only the
#   `min(i + 1, w)` keys query `i` sees; and
# - the bytes of the KV cache: K and V for every layer, K/V head, channel and
#   cached token, at `bytes_per_element` bytes (2 for fp16). With a sliding window
#   only the last `w` tokens need to be kept (a rolling buffer, as in Mistral).
#
# The cell after the check prices five configurations with it: GPT-2 small at
# 1,024 tokens; LLaMA 2 70B as if it had 64 K/V heads (MHA) at 4,096; as shipped
# with GQA at 4,096; with GQA at 131,072; and with GQA plus a 4,096-token window at
# 131,072.
#
# **Predict first:** which step changes the FLOPs, which the cache, and which both?

# %% tags=["work"]
def attention_costs(n_layers: int, d_model: int, n_heads: int, n_kv_heads: int,
                    seq_len: int, window: int | None = None,
                    bytes_per_element: int = 2) -> tuple[int, int]:
    """(attention-matmul FLOPs, KV-cache bytes) for one causal sequence."""
    return TODO("count the (query, key) pairs first, then FLOPs and bytes")


# %% tags=["solution"]
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


# %% tags=["check"]
for layers, d, h, kv, n, w in ((2, 64, 4, 4, 10, None), (3, 96, 6, 2, 37, None),
                               (2, 64, 4, 1, 37, 8), (1, 32, 2, 2, 5, 8)):
    flops, kv_bytes = attention_costs(layers, d, h, kv, n, window=w)
    want_flops = attention_score_flops(n, h, d // h, n_layers=layers, causal=True,
                                       window=w)
    kept = n if w is None else min(n, w)
    want_bytes = kv_cache_bytes(seq_len=kept, n_layers=layers, n_kv_heads=kv,
                                head_dim=d // h)
    case = f"{layers} layers, d_model {d}, {h} heads, {kv} K/V heads, T={n}, " \
           f"window {w}"
    assert flops == want_flops, \
        f"FLOPs for {case}: got {flops}, off by a factor {flops / want_flops:.3g}. " \
        "Count the causal pairs exactly (query i sees i + 1 keys), then 2 matmuls " \
        "× 2 FLOPs × head_dim per pair, per query head and layer"
    assert kv_bytes == want_bytes, \
        f"KV bytes for {case}: got {kv_bytes}, off by a factor " \
        f"{kv_bytes / want_bytes:.3g}. K and V, per layer, per K/V head (not query " \
        "head), per channel, per kept token"
print("attention_costs agrees with kernels.costs on every test case")

# %%
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
    print(f"{label:<26}{flops:>18.3e}{kv_bytes / 1e9:>16.3f}")

# %% [markdown] tags=["solution"]
# GQA (b → c) leaves the FLOPs alone and cuts the cache eightfold, because the work
# is done per query head and only storage is shared. The longer context (c → d)
# multiplies the cache by 32 and the FLOPs by about a thousand. The window (d → e)
# cuts both: the FLOPs by about 16× and, with a rolling buffer, the cache back to
# its 4K size. RoPE does not appear at all: it costs nothing here, and what it
# buys, positions past the training length, is not a cost you can print. The fixes
# address different walls, so their savings multiply.
