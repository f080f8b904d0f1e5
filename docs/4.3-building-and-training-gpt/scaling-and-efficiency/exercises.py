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
# # Exercises: scaling and efficiency
#
# 1. **Your CPU's roofline (guided).** Count the FLOPs and bytes of a vector add and
#    of a matmul, time both on your CPU, and see which one is limited by memory.
# 2. **An update vanishes (guided).** Find the smallest update that still changes a
#    weight of 1.0 in fp32, fp16 and bf16, and fix the bf16 case with a master copy.
# 3. **A KV cache (supported).** Add a cache to a tiny attention decoder's generate
#    loop, check that the tokens do not change, and count and time the work saved.
# 4. **A compute-optimal frontier (independent).** From small synthetic training
#    runs, find the best model size for each budget and fit the power law.
#
# Everything runs on a CPU in seconds. Timings depend on your machine, so no check
# relies on an exact time. The exercises do not depend on each other.

# %%
import time

import matplotlib.pyplot as plt
import torch

from kernels.exercise import TODO
from kernels.generation_cost import positions_processed
from kernels.roofline import vector_add
from kernels.costs import matmul_cost
from kernels.scaling_laws import LossFit, compute_optimal, fit_power_law, loss

_ = torch.manual_seed(0)
torch.set_num_threads(1)  # one core: timings are steadier and comparable


def best_time(fn, repeats=5):
    """Fastest of `repeats` runs of fn(), in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


# %% [markdown]
# ## Exercise 1: your CPU's roofline (guided)
#
# The arithmetic intensity of an operation is its FLOPs divided by the bytes it
# moves to and from memory. Count one add or one multiply as one FLOP, and count
# each input read once and each output written once.
#
# Write `add_cost(n)` for `z = x + y` on fp32 vectors of `n` elements, and
# `matmul_cost_fp32(n)` for `(n, n) @ (n, n)` in fp32. Each returns
# `(flops, bytes)`.
#
# **Predict first:** which of the two will reach more GFLOP/s on your CPU, and by
# roughly how much?

# %% tags=["work"]
FP32 = 4  # bytes per element


def add_cost(n):
    flops = TODO("FLOPs of n additions")
    n_bytes = TODO("bytes of x and y read plus z written, fp32")
    return flops, n_bytes


def matmul_cost_fp32(n):
    flops = TODO("2·n³: n³ multiply-adds, each a multiply and an add")
    n_bytes = TODO("three n×n fp32 matrices: two read, one written")
    return flops, n_bytes


# %% tags=["solution"]
FP32 = 4  # bytes per element


def add_cost(n):
    flops = n  # one add per element
    n_bytes = 3 * n * FP32  # read x and y, write z
    return flops, n_bytes


def matmul_cost_fp32(n):
    flops = 2 * n**3
    n_bytes = 3 * n * n * FP32
    return flops, n_bytes


# %% tags=["check"]
assert add_cost(1000) == tuple(vector_add(1000, bytes_per_element=4)), \
    "add_cost should count one FLOP per element and three fp32 elements moved"
ref = matmul_cost(64, 64, 64, bytes_per_element=4)
assert matmul_cost_fp32(64) == (ref.flops, ref.bytes_moved), \
    "a matmul does n multiply-adds per output element and moves 3·n² elements"
print("your counts agree with kernels.roofline and kernels.costs")

# %% [markdown]
# Now time them. A vector add of 8 million elements is far larger than your CPU's
# caches, so its data really comes from main memory.

# %% tags=["measure"]
N_ADD = 8_000_000
x, y = torch.randn(N_ADD), torch.randn(N_ADD)
z = torch.empty(N_ADD)
points = []  # (name, intensity, measured GFLOP/s)
flops, n_bytes = add_cost(N_ADD)
seconds = best_time(lambda: torch.add(x, y, out=z))
points.append(("vector add", flops / n_bytes, flops / seconds / 1e9))
print(f"vector add: {n_bytes / seconds / 1e9:.1f} GB/s, "
      f"{flops / seconds / 1e9:.2f} GFLOP/s")
for n in (16, 64, 256, 512):
    a, b = torch.randn(n, n), torch.randn(n, n)
    flops, n_bytes = matmul_cost_fp32(n)
    seconds = best_time(lambda: a @ b)
    points.append((f"matmul {n}", flops / n_bytes, flops / seconds / 1e9))
    print(f"matmul {n:>3}: intensity {flops / n_bytes:6.1f}, "
          f"{flops / seconds / 1e9:6.1f} GFLOP/s")

# %% tags=["measure"] alt="Measured GFLOP/s against arithmetic intensity on log-log axes for a vector add and four matmul sizes; the points rise with intensity and level off for the largest matmuls."
fig, ax = plt.subplots(figsize=(6, 4))
for i, (name, intensity, gflops) in enumerate(points):
    ax.plot(intensity, gflops, "o", color="C3" if name == "vector add" else "C0")
    # alternate above and below: neighbouring matmuls land close together
    ax.annotate(name, (intensity, gflops), xytext=(5, 5 if i % 2 == 0 else -14),
                textcoords="offset points")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("arithmetic intensity (FLOPs per byte)")
ax.set_ylabel("measured GFLOP/s")
ax.set_title("your CPU, one core")
plt.show()

# %% [markdown]
# The vector add does a fraction of a FLOP per byte, and its GFLOP/s is set by how
# fast memory delivers bytes (GB/s), not by the arithmetic. The matmuls climb as
# their intensity grows, until the arithmetic units are the limit. That is the
# roofline of the lesson, measured on your machine: memory-bound on the left,
# compute-bound on the right.

# %% [markdown]
# ## Exercise 2: an update vanishes (guided)
#
# Write `survives(update, dtype)`: does adding `update` to a weight of 1.0, both
# stored in `dtype`, change the stored weight? Then `smallest_surviving(dtype)`:
# halve an update starting from 1.0 until it no longer survives, and return the last
# one that did.
#
# **Predict first:** which is larger, the smallest surviving update in fp16 or in
# bf16?

# %% tags=["work"]
def survives(update, dtype):
    weight = torch.tensor(1.0, dtype=dtype)
    new = TODO("weight + update, with the update stored in dtype as well")
    return TODO("True if the stored weight changed")


def smallest_surviving(dtype):
    update = 1.0
    while survives(update / 2, dtype):
        update = TODO("halve it")
    return update


# %% tags=["solution"]
def survives(update, dtype):
    weight = torch.tensor(1.0, dtype=dtype)
    new = weight + torch.tensor(update, dtype=dtype)
    return bool(new != weight)


def smallest_surviving(dtype):
    update = 1.0
    while survives(update / 2, dtype):
        update = update / 2
    return update


# %% tags=["check"]
for dtype in (torch.float32, torch.float16, torch.bfloat16):
    eps = torch.finfo(dtype).eps
    found = smallest_surviving(dtype)
    assert survives(found, dtype) and not survives(found / 2, dtype), \
        f"{dtype}: the update you return should survive and half of it should not"
    assert eps / 2 <= found <= eps, (
        f"{dtype}: a power of two survives only if it is more than half the gap "
        "between 1 and the next number (torch.finfo(dtype).eps); check the loop")
    print(f"{str(dtype):15} smallest surviving update {found:.3g}")
assert not survives(1e-4, torch.bfloat16) and survives(1e-4, torch.float32), \
    "1.0 + 0.0001 should survive in fp32 and vanish in bf16"

# %% [markdown]
# Now the fix. Train a single weight for 1,000 steps with an update of 0.0001 per
# step, computed in bf16. Write `train(master_dtype)`: keep the weight in
# `master_dtype`, add the bf16 update converted to `master_dtype` each step, and
# return the final weight as a float.

# %% tags=["work"]
def train(master_dtype, steps=1000, update=1e-4):
    weight = torch.tensor(1.0, dtype=master_dtype)
    for _ in range(steps):
        step = torch.tensor(update, dtype=torch.bfloat16)
        weight = TODO("add the step, converted to master_dtype")
    return weight.item()


# %% tags=["solution"]
def train(master_dtype, steps=1000, update=1e-4):
    weight = torch.tensor(1.0, dtype=master_dtype)
    for _ in range(steps):
        step = torch.tensor(update, dtype=torch.bfloat16)
        weight = weight + step.to(master_dtype)
    return weight.item()


# %% tags=["check"]
in_bf16, in_fp32 = train(torch.bfloat16), train(torch.float32)
assert in_bf16 == 1.0, "a bf16 weight should never move: every update rounds away"
assert abs(in_fp32 - 1.1) < 1e-3, (
    "an fp32 master weight should reach about 1 + 1000·0.0001 = 1.1; is the step "
    "converted to fp32 before the add?")
print(f"bf16 weight: {in_bf16}, fp32 master weight: {in_fp32:.5f}")

# %% [markdown]
# ## Exercise 3: a KV cache (supported)
#
# Below is a tiny decoder: one causal self-attention layer with its own
# embedding, and `generate_plain`, which runs the whole sequence at every step like
# the `generate()` you know. Write `generate_cached`: run the prompt once, keep every
# position's K and V, and at each later step run only the newest token, appending its
# K and V to the cache. It must produce exactly the same tokens (greedy decoding).
#
# **Predict first:** generating 200 tokens after a 10-token prompt, how many times
# fewer positions does the cached loop process?

# %%
VOCAB, D = 50, 64
embed = torch.randn(VOCAB, D) / D**0.5
w_q, w_k, w_v = (torch.randn(D, D) / D**0.5 for _ in range(3))
w_out = torch.randn(D, VOCAB) / D**0.5


def attend(q, k, v):
    """q (n_q, D) against k, v (n_k, D); query i sits at position n_k − n_q + i."""
    n_q, n_k = q.shape[0], k.shape[0]
    query_pos = torch.arange(n_k - n_q, n_k)[:, None]
    mask = torch.arange(n_k)[None, :] > query_pos  # True = a future key
    scores = (q @ k.T / D**0.5).masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def generate_plain(prompt, new_tokens):
    tokens, processed = list(prompt), 0
    for _ in range(new_tokens):
        x = embed[tokens]  # the whole sequence, every step
        processed += len(tokens)
        out = attend(x @ w_q, x @ w_k, x @ w_v)
        tokens.append(int((out[-1] @ w_out).argmax()))
    return tokens, processed


# %% tags=["work"]
def generate_cached(prompt, new_tokens):
    tokens, processed = list(prompt), 0
    k_cache = v_cache = None
    for step in range(new_tokens):
        todo = TODO("the embeddings to run: the whole prompt at step 0, then only "
                    "the newest token (keep it 2-D: shape (1, D))")
        processed += todo.shape[0]
        k_cache, v_cache = TODO("append todo @ w_k and todo @ w_v to the caches")
        out = attend(todo @ w_q, k_cache, v_cache)
        tokens.append(int((out[-1] @ w_out).argmax()))
    return tokens, processed


# %% tags=["solution"]
def generate_cached(prompt, new_tokens):
    tokens, processed = list(prompt), 0
    k_cache = v_cache = None
    for step in range(new_tokens):
        todo = embed[tokens] if step == 0 else embed[tokens[-1:]]  # (n, D)
        processed += todo.shape[0]
        k_new, v_new = todo @ w_k, todo @ w_v
        k_cache = k_new if k_cache is None else torch.cat([k_cache, k_new])
        v_cache = v_new if v_cache is None else torch.cat([v_cache, v_new])
        out = attend(todo @ w_q, k_cache, v_cache)
        tokens.append(int((out[-1] @ w_out).argmax()))
    return tokens, processed


# %% tags=["check"]
PROMPT, NEW = list(range(10)), 200
plain_tokens, plain_work = generate_plain(PROMPT, NEW)
cached_tokens, cached_work = generate_cached(PROMPT, NEW)
assert cached_tokens == plain_tokens, (
    "the cached loop should pick exactly the same tokens; does the newest query "
    "attend over every cached key, including its own?")
assert cached_work == positions_processed(len(PROMPT), NEW, cached=True), (
    "after the prompt, each step should run exactly one position")
assert plain_work == positions_processed(len(PROMPT), NEW, cached=False)
print(f"positions: {plain_work:,} without a cache, {cached_work:,} with one "
      f"({plain_work / cached_work:.0f}× fewer)")

# %% [markdown]
# Now time both. Your numbers will differ from anyone else's; the ratio is what to
# look at, and it grows with the number of tokens generated.

# %% tags=["measure"]
for new in (50, 200):
    t_plain = best_time(lambda: generate_plain(PROMPT, new), repeats=3)
    t_cached = best_time(lambda: generate_cached(PROMPT, new), repeats=3)
    print(f"{new:>3} tokens: {t_plain * 1e3:7.1f} ms without, {t_cached * 1e3:6.1f} ms "
          f"with a cache ({t_plain / t_cached:.1f}× faster)")

# %% [markdown]
# The measured speed-up is smaller than the ratio of positions: a tiny model spends
# much of each step on Python and on small-tensor overhead, which the cache does not
# remove. In a large model the per-position work dominates and the saving approaches
# the count.

# %% [markdown]
# ## Exercise 4: a compute-optimal frontier (independent)
#
# Here are "training runs" from a hidden loss law with noise: for each compute
# budget, several model sizes, each trained on the tokens the budget allows
# (C = 6·N·D). For each budget, find the model size with the lowest loss, then fit
# N_opt = k·C^a with `fit_power_law`. Write `best_sizes(runs)`, returning two lists
# (budgets, best N), and then fit.
#
# **Predict first:** if parameters and tokens should grow together, what exponent
# `a` do you expect?

# %%
hidden = LossFit(E=1.8, A=400.0, B=1200.0, alpha=0.34, beta=0.34)  # a made-up law
noise = torch.Generator().manual_seed(1)
budgets = [1e17, 1e18, 1e19, 1e20, 1e21]
runs = []  # (compute, n_params, loss)
for c in budgets:
    for n in torch.logspace(6, 11, 41).tolist():
        d = c / (6 * n)
        jitter = 0.002 * torch.randn(1, generator=noise).item()
        runs.append((c, n, loss(n, d, hidden) + jitter))


# %% tags=["work"]
def best_sizes(runs):
    budgets_seen = TODO("the distinct compute budgets, sorted")
    best = TODO("for each budget, the n_params of its lowest-loss run")
    return budgets_seen, best


k, a = TODO("fit_power_law of best N against budget")


# %% tags=["solution"]
def best_sizes(runs):
    budgets_seen = sorted({c for c, _, _ in runs})
    best = [min((r for r in runs if r[0] == c), key=lambda r: r[2])[1]
            for c in budgets_seen]
    return budgets_seen, best


k, a = fit_power_law(*best_sizes(runs))


# %% tags=["check"]
seen, best = best_sizes(runs)
assert seen == budgets, "one entry per budget, smallest first"
true_a = hidden.beta / (hidden.alpha + hidden.beta)
assert abs(a - true_a) < 0.06, (
    f"your exponent {a:.2f} is far from what this law implies; did you pick the "
    "lowest loss (not the highest) for each budget, and fit N against C?")
print(f"fitted exponent a = {a:.3f}; N_opt at 1e22 FLOPs ≈ {k * 1e22**a:.3g} params")
print("closed form from the hidden law:", f"{compute_optimal(1e22, hidden)[0]:.3g}")

# %% alt="Loss against model size for five compute budgets on a log x-axis, each a U-shaped curve whose minimum moves to larger models as the budget grows; the minima are marked."
fig, ax = plt.subplots(figsize=(6, 4))
for i, c in enumerate(budgets):
    ns = [n for cc, n, _ in runs if cc == c]
    ls = [l for cc, _, l in runs if cc == c]
    ax.plot(ns, ls, color=f"C{i}", label=f"C = {c:.0e}")
    ax.plot(best[i], min(ls), "o", color=f"C{i}")
ax.set_xscale("log")
ax.set_ylim(1.9, 4.0)
ax.set_xlabel("parameters N")
ax.set_ylabel("loss")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Each budget gives a valley: too small a model cannot use the data, too large a
# model sees too few tokens. With equal exponents for N and D, the bottom of the
# valley moves as the square root of compute: grow parameters and tokens together.
# This is the Chinchilla paper's second method (IsoFLOP profiles), applied to toy
# runs.
