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
# # Exercises: training and serving at scale
#
# [Download this notebook (.ipynb)](exercises.ipynb). To run it yourself, clone the
# book's repository and start Jupyter from its root, so `import kernels` works.
# Everything runs on a CPU in a few seconds.
#
# 1. **Training memory calculator (guided).** How much memory does training need,
#    and how far does ZeRO stage 1 stretch data parallelism?
# 2. **Speculative decoding (supported).** How does the acceptance rate behave as
#    the draft gets longer, and which draft length is fastest?
# 3. **Continuous batching (supported).** Simulate a server with a queue of 50
#    requests, static versus continuous.
# 4. **Parallelism advisor (independent).** Given a model and a cluster, which
#    strategy, or combination, is needed?

# %%
import math

import matplotlib.pyplot as plt
import torch

from kernels.batching import Request, simulate_continuous, simulate_static
from kernels.costs import param_count, to_gb
from kernels.hardware import A100_80GB
from kernels.presets import get_preset
from kernels.speculative import (expected_tokens_per_step,
                                 speculative_step_sampling, table_model)
from kernels.training_memory import training_memory_bytes, zero_memory_per_gpu

_ = torch.manual_seed(0)
GPU_BYTES = A100_80GB.memory_bytes          # 80 GiB
print(f"one A100 holds {to_gb(GPU_BYTES):.1f} GB")

# %% [markdown]
# ## Exercise 1 (guided): a training-memory calculator
#
# Mixed-precision Adam stores, per parameter, 2 bytes of bf16 weights, 2 bytes of
# bf16 gradients and 12 bytes of fp32 optimizer state (master weights, momentum,
# variance). Activations come on top; we leave them out.
#
# Step 1 is done for you: the function below returns the bytes by component.
# Run it on GPT-2 small, LLaMA 2 7B and LLaMA 2 70B and compare with one A100.

# %%
def training_memory(n_params, weight_bytes=2, grad_bytes=2, optimizer_bytes=12):
    """Bytes of model state for training one copy of the model."""
    parts = {
        "weights": weight_bytes * n_params,
        "gradients": grad_bytes * n_params,
        "optimizer": optimizer_bytes * n_params,
    }
    parts["total"] = sum(parts.values())
    return parts


for name in ("gpt2-small", "llama2-7b", "llama2-70b"):
    n = param_count(get_preset(name))["total"]
    total = training_memory(n)["total"]
    assert total == training_memory_bytes(n)["total"]      # agrees with the kernel
    print(f"{name:>11}: {n / 1e9:6.2f} B params, {to_gb(total):8.1f} GB, "
          f"{total / GPU_BYTES:5.1f} A100s' worth")

# %% [markdown]
# Step 2. ZeRO stage 1 keeps weights and gradients whole on each of N GPUs and
# gives each GPU 1/N of the optimizer state.
#
# **Predict first:** will ZeRO stage 1 alone make LLaMA 2 70B fit on 8 A100s?
# On 64? Write down your guess, then complete `zero1_per_gpu` and run the table.
#
# <details><summary>Solution</summary>
#
# ```python
# def zero1_per_gpu(n_params, n_gpus):
#     parts = training_memory(n_params)
#     return parts["weights"] + parts["gradients"] + parts["optimizer"] / n_gpus
# ```
#
# No: however many GPUs you add, the weights and gradients (4 bytes per parameter)
# stay whole on every GPU, and for LLaMA 2 70B they alone exceed one A100. Stage 1
# is a big saving that lets data parallelism reach much larger models, but a 70B
# model also needs its weights split: ZeRO stage 3, tensor or pipeline parallelism.
# </details>

# %%
def zero1_per_gpu(n_params, n_gpus):
    """Per-GPU bytes under ZeRO stage 1 (the reference solution)."""
    parts = training_memory(n_params)
    return parts["weights"] + parts["gradients"] + parts["optimizer"] / n_gpus


n70 = param_count(get_preset("llama2-70b"))["total"]
for n_gpus in (1, 2, 4, 8, 64):
    ours = zero1_per_gpu(n70, n_gpus)
    assert math.isclose(ours, zero_memory_per_gpu(n70, n_gpus, stage=1)["total"])
    fits = "fits" if ours <= GPU_BYTES else "does not fit"
    print(f"{n_gpus:>3} GPUs: {to_gb(ours):7.1f} GB per GPU ({fits})")

# %% [markdown]
# ## Exercise 2 (supported): draft and verify
#
# A toy draft and target over a vocabulary of 20 tokens: the target's next-token
# table is random, the draft's is the target's blurred with noise (`blur` controls
# how much). The kernel's `speculative_step_sampling` runs one draft-and-verify
# step with the exact acceptance rule.
#
# **Predict first:** as the draft length K grows from 1 to 8, does the share of
# drafted tokens that get accepted go up, down or stay flat? And the number of
# tokens per target pass?
#
# Your task: complete `measure(k)` so it runs 300 steps and returns (share of draft
# tokens accepted, tokens emitted per target pass). Then estimate the time per
# token when one draft pass costs `c` of a target pass: (k·c + 1) / tokens per pass.
#
# <details><summary>Solution</summary>
#
# ```python
# def measure(k, steps=300, seed=0):
#     gen = torch.Generator().manual_seed(seed)
#     prefix, accepted, emitted = [0], 0, 0
#     for _ in range(steps):
#         step = speculative_step_sampling(draft, target, prefix, k, gen)
#         accepted += step.n_accepted
#         emitted += len(step.tokens)
#         prefix = prefix + step.tokens
#     return accepted / (k * steps), emitted / steps
# ```
#
# The share accepted *falls* with K: a draft token is only checked if every token
# before it was accepted, so later positions are accepted less often. Tokens per
# pass still rise, but more and more slowly, while the drafting cost grows linearly,
# so the time per token has a minimum at a moderate K.
# </details>

# %%
V = 20
gen = torch.Generator().manual_seed(1)
target_table = torch.softmax(3 * torch.randn(V, V, generator=gen,
                                             dtype=torch.float64), dim=-1)


def make_draft(blur):
    noise = torch.softmax(torch.randn(V, V, generator=gen, dtype=torch.float64), -1)
    return (1 - blur) * target_table + blur * noise


target = table_model(target_table)
draft = table_model(make_draft(blur=0.4))


def measure(k, steps=300, seed=0):
    """(share of draft tokens accepted, tokens per target pass) over `steps` steps."""
    gen = torch.Generator().manual_seed(seed)
    prefix, accepted, emitted = [0], 0, 0
    for _ in range(steps):
        step = speculative_step_sampling(draft, target, prefix, k, gen)
        accepted += step.n_accepted
        emitted += len(step.tokens)
        prefix = prefix + step.tokens
    return accepted / (k * steps), emitted / steps


c = 0.1            # one draft pass costs a tenth of a target pass
ks = (1, 2, 3, 5, 8)
results = {k: measure(k) for k in ks}
for k, (share, per_pass) in results.items():
    print(f"K={k}: {100 * share:5.1f}% of drafts accepted, {per_pass:.2f} tokens "
          f"per target pass, time per token {(k * c + 1) / per_pass:.2f}")

# %% [markdown]
# Compare with theory. If every draft token were accepted independently with the
# same probability α, the expected tokens per pass would be
# `expected_tokens_per_step(alpha, k)`. Estimate α from K = 1 (where the share
# accepted *is* α) and plot both.

# %%
alpha = results[1][0]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ks, [results[k][1] for k in ks], "o-", label="simulated")
ax.plot(ks, [expected_tokens_per_step(alpha, k) for k in ks], "--",
        label=f"independent, α = {alpha:.2f}")
ax.set_xlabel("draft length K")
ax.set_ylabel("tokens per target pass")
ax.legend()
plt.show()

# %% [markdown]
# ## Exercise 3 (supported): continuous batching
#
# A queue of 50 requests, all waiting at step 0, with output lengths drawn from a
# normal distribution with mean 80 and standard deviation 60, clipped to 10..300.
# The server has 8 slots; one step generates one token per busy slot.
#
# **Predict first:** what share of slot-steps does static batching keep busy, and
# what share does continuous batching? Which one returns the *average* answer
# sooner, and by how much?
#
# Your task: build the workload, run both simulators from `kernels.batching`, and
# plot the number of busy slots at every step for both.
#
# <details><summary>Solution</summary>
#
# ```python
# gen = torch.Generator().manual_seed(0)
# lengths = (80 + 60 * torch.randn(50, generator=gen, dtype=torch.float64))
# lengths = lengths.round().clamp(10, 300).int().tolist()
# requests = [Request(0, 20, n) for n in lengths]
# static = simulate_static(requests, 8)
# cont = simulate_continuous(requests, 8)
# ```
#
# Static batching stays well under half busy: in every batch the short requests
# finish early and hold their slots. Continuous batching keeps all 8 slots busy
# until the queue empties, then tails off; the average latency drops by more than
# half, because no answer waits for a stranger's long one.
# </details>

# %%
gen = torch.Generator().manual_seed(0)
lengths = (80 + 60 * torch.randn(50, generator=gen, dtype=torch.float64))
lengths = lengths.round().clamp(10, 300).int().tolist()
requests = [Request(arrival_step=0, prompt_len=20, output_len=n) for n in lengths]
static = simulate_static(requests, 8)
cont = simulate_continuous(requests, 8)

for name, r in (("static", static), ("continuous", cont)):
    mean_latency = sum(r.latencies) / len(r.latencies)
    print(f"{name:>10}: {r.makespan} steps, utilisation {100 * r.utilisation:.0f}%, "
          f"mean latency {mean_latency:.0f} steps")

fig, ax = plt.subplots(figsize=(7, 3.5))
for name, r in (("static", static), ("continuous", cont)):
    ax.plot([sum(row) for row in r.busy], label=name)
ax.set_xlabel("step")
ax.set_ylabel("busy slots (of 8)")
ax.legend()
plt.show()

# %% [markdown]
# ## Exercise 4 (independent): a parallelism advisor
#
# Write `advise(n_params, n_gpus, gpu_bytes)` for training with mixed-precision
# Adam (16 bytes per parameter, activations ignored). It should return a dict:
#
# - `"data_parallel_alone"`: does the full training state fit on one GPU?
# - `"zero_stage"`: the lowest ZeRO stage (1, 2 or 3) whose per-GPU state fits
#   when all `n_gpus` GPUs share it, or `None`;
# - `"model_shards"`: the smallest power of two, at most `n_gpus`, such that
#   splitting the model that many ways (tensor × pipeline degree) makes one
#   shard's state fit, or `None`;
# - `"data_parallel_copies"`: `n_gpus // model_shards` when there is a split.
#
# Test it on five configurations from GPT-2 small on 1 GPU to GPT-3 175B on 64
# GPUs. **Predict first:** for LLaMA 2 70B on 8 GPUs, which options are left? And
# on 16?
#
# <details><summary>Solution</summary>
#
# ```python
# def advise(n_params, n_gpus, gpu_bytes):
#     full = training_memory_bytes(n_params)["total"]
#     zero_stage = next((s for s in (1, 2, 3) if zero_memory_per_gpu(
#         n_params, n_gpus, s)["total"] <= gpu_bytes), None)
#     shards = 1
#     while full / shards > gpu_bytes and shards < n_gpus:
#         shards *= 2
#     fits = full / shards <= gpu_bytes
#     return {
#         "data_parallel_alone": full <= gpu_bytes,
#         "zero_stage": zero_stage,
#         "model_shards": shards if fits else None,
#         "data_parallel_copies": n_gpus // shards if fits else None,
#     }
# ```
#
# LLaMA 2 70B on 8 A100s fits no way at all: the cluster is simply too small. On
# 16 it fits either with ZeRO stage 3 or with a 16-way model split. Which to pick
# is a communication question: stage 3 fetches every layer's weights from the
# other GPUs in every pass, a model split keeps its heavy all-reduces on NVLink
# inside a server. The choice follows the bottleneck: compute for small models
# (data parallelism for speed), memory for mid-size ones (ZeRO), memory and
# communication for the largest.
# </details>

# %%
def advise(n_params, n_gpus, gpu_bytes):
    """Which parallelism a training run needs (reference solution)."""
    full = training_memory_bytes(n_params)["total"]
    zero_stage = next((s for s in (1, 2, 3) if zero_memory_per_gpu(
        n_params, n_gpus, s)["total"] <= gpu_bytes), None)
    shards = 1
    while full / shards > gpu_bytes and shards < n_gpus:
        shards *= 2
    fits = full / shards <= gpu_bytes
    return {
        "data_parallel_alone": full <= gpu_bytes,
        "zero_stage": zero_stage,
        "model_shards": shards if fits else None,
        "data_parallel_copies": n_gpus // shards if fits else None,
    }


configs = [
    ("gpt2-small", 1),
    ("llama2-7b", 8),
    ("llama2-70b", 8),
    ("llama2-70b", 16),
    ("gpt3-175b", 64),
]
for name, n_gpus in configs:
    n = param_count(get_preset(name))["total"]
    print(f"{name:>11} on {n_gpus:>2} GPUs: {advise(n, n_gpus, GPU_BYTES)}")

# %% [markdown]
# Try it with a smaller GPU (`gpu_bytes = 24 * 2**30`) or with fewer bytes per
# parameter. Which configurations change their answer?
