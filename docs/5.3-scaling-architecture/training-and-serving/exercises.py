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
# 1. **Training memory calculator (guided).** How much memory does training need,
#    and how far does ZeRO stage 1 stretch data parallelism?
# 2. **Speculative decoding (supported).** How does the acceptance rate behave as
#    the draft gets longer, and which draft lengths are fastest?
# 3. **Continuous batching (supported).** Simulate a server with a queue of 50
#    requests, static versus continuous.
# 4. **Parallelism advisor (independent).** Given a model and a cluster, which
#    strategy, or combination, is needed, and where does each one go?
#
# Everything runs on a CPU in a few seconds. The exercises do not depend on each
# other.

# %%
import math
import statistics

import matplotlib.pyplot as plt
import torch

from kernels.batching import Request, simulate_continuous, simulate_static
from kernels.costs import param_count, to_gb
from kernels.exercise import TODO
from kernels.hardware import A100_80GB
from kernels.presets import get_preset
from kernels.speculative import (expected_tokens_per_step,
                                 speculative_step_sampling, table_model)
from kernels.training_memory import training_memory_bytes, zero_memory_per_gpu

_ = torch.manual_seed(0)
GPU_BYTES = A100_80GB.memory_bytes          # 80 GiB
print(f"one A100 holds {to_gb(GPU_BYTES):.1f} GB")

# %% [markdown]
# ## Exercise 1: a training-memory calculator (guided)
#
# Mixed-precision Adam stores, per parameter, 2 bytes of bf16 weights, 2 bytes of
# bf16 gradients and 12 bytes of fp32 optimizer state (master weights, momentum,
# variance). Activations come on top; leave them out.
#
# Step 1 is done for you: `training_memory` returns the bytes by component.

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
    print(f"{name:>11}: {n / 1e9:6.2f} B params, {to_gb(total):8.1f} GB, "
          f"{total / GPU_BYTES:6.2g} A100s' worth")

# %% [markdown]
# Step 2. ZeRO stage 1 keeps weights and gradients whole on each of N GPUs and
# gives each GPU 1/N of the optimizer state. Complete `zero1_per_gpu`.
#
# **Predict first:** will ZeRO stage 1 alone make LLaMA 2 70B fit on 8 A100s? On
# 64? Write down your guess before you run the table below the check.

# %% tags=["work"]
def zero1_per_gpu(n_params: int, n_gpus: int) -> float:
    """Bytes of model state on each GPU under ZeRO stage 1."""
    parts = training_memory(n_params)
    return TODO("weights and gradients whole, the optimizer state split n_gpus ways")


# %% tags=["solution"]
def zero1_per_gpu(n_params: int, n_gpus: int) -> float:
    """Bytes of model state on each GPU under ZeRO stage 1."""
    parts = training_memory(n_params)
    return parts["weights"] + parts["gradients"] + parts["optimizer"] / n_gpus


# %% tags=["check"]
assert zero1_per_gpu(1000, 1) == training_memory(1000)["total"], \
    "on one GPU nothing is shared: ZeRO stage 1 should cost the full 16 bytes " \
    "per parameter"
for n_gpus in (2, 8, 64):
    mine = zero1_per_gpu(10**9, n_gpus)
    want = zero_memory_per_gpu(10**9, n_gpus, stage=1)["total"]
    assert math.isclose(mine, want), \
        f"with {n_gpus} GPUs you get {mine / 1e9:.2f} bytes per parameter, " \
        f"kernels.training_memory says {want / 1e9:.2f}: which part is split, and " \
        "which stays whole on every GPU?"
print("zero1_per_gpu agrees with kernels.training_memory.zero_memory_per_gpu")

# %%
n70 = param_count(get_preset("llama2-70b"))["total"]
for n_gpus in (1, 2, 4, 8, 64):
    per_gpu = zero1_per_gpu(n70, n_gpus)
    fits = "fits" if per_gpu <= GPU_BYTES else "does not fit"
    print(f"{n_gpus:>3} GPUs: {to_gb(per_gpu):7.1f} GB per GPU ({fits})")

# %% [markdown] tags=["solution"]
# No, not on 8 and not on 64: however many GPUs you add, the weights and gradients
# (4 bytes per parameter) stay whole on every GPU, and for LLaMA 2 70B they alone
# exceed one A100. Stage 1 is a big saving that lets data parallelism reach much
# larger models, but a 70B model also needs its weights split: ZeRO stage 3,
# tensor or pipeline parallelism.

# %% [markdown]
# ## Exercise 2: draft and verify (supported)
#
# A toy draft and target over a vocabulary of 20 tokens: the target's next-token
# table is random, the draft's is the target's blurred with noise. The kernel's
# `speculative_step_sampling` runs one draft-and-verify step with the exact
# acceptance rule and returns the step's `tokens` and `n_accepted`.
#
# Complete `measure(k, steps, seed)`: run `steps` steps from the prefix `[0]` and
# return the share of drafted tokens that were accepted, the mean number of tokens
# emitted per target pass, and the standard error of that mean.
#
# **Predict first:** as the draft length K grows from 1 to 8, does the share of
# drafted tokens that get accepted go up, down or stay flat? And the tokens per
# target pass?

# %%
V = 20
gen = torch.Generator().manual_seed(1)
target_table = torch.softmax(3 * torch.randn(V, V, generator=gen,
                                             dtype=torch.float64), dim=-1)
noise = torch.softmax(torch.randn(V, V, generator=gen, dtype=torch.float64), -1)
target = table_model(target_table)
draft = table_model(0.6 * target_table + 0.4 * noise)  # a decent but imperfect draft

# %% tags=["work"]
def measure(k: int, steps: int, seed: int = 0) -> tuple[float, float, float]:
    """(share of draft tokens accepted, mean tokens per target pass, its std error)."""
    gen = torch.Generator().manual_seed(seed)
    prefix, accepted, per_pass = [0], 0, []
    for _ in range(steps):
        step = speculative_step_sampling(draft, target, prefix[-1:], k, gen)
        accepted += TODO("how many draft tokens this step accepted")
        per_pass.append(TODO("how many tokens this step emitted"))
        prefix += step.tokens
    mean = statistics.fmean(per_pass)
    return accepted / (k * steps), mean, statistics.stdev(per_pass) / math.sqrt(steps)


# %% tags=["solution"]
def measure(k: int, steps: int, seed: int = 0) -> tuple[float, float, float]:
    """(share of draft tokens accepted, mean tokens per target pass, its std error)."""
    gen = torch.Generator().manual_seed(seed)
    prefix, accepted, per_pass = [0], 0, []
    for _ in range(steps):
        step = speculative_step_sampling(draft, target, prefix[-1:], k, gen)
        accepted += step.n_accepted
        per_pass.append(len(step.tokens))
        prefix += step.tokens
    mean = statistics.fmean(per_pass)
    return accepted / (k * steps), mean, statistics.stdev(per_pass) / math.sqrt(steps)


# %% tags=["check"]
share, per_pass, stderr = measure(3, steps=200)
assert 0 <= share <= 1, f"a share is between 0 and 1, got {share}"
assert math.isclose(per_pass, 1 + 3 * share), \
    "each target pass emits the accepted draft tokens plus exactly one token of " \
    "its own (a correction or a bonus), so tokens per pass = 1 + K × share"
assert measure(3, steps=200) == (share, per_pass, stderr), \
    "the same seed should give the same numbers: use the generator made from seed"
assert 0 < stderr < 0.2, "the standard error of 200 steps should be small but not 0"
print("measure behaves as it should")

# %% [markdown]
# Now the sweep. One draft pass costs `C = 0.1` of a target pass, so a step with
# draft length K costs `K·C + 1` target passes and the time per token is
# `(K·C + 1) / tokens per pass`. The cell measures 1,500 steps per K and draws the
# time per token with an error bar of two standard errors, next to the theory that
# assumes every draft token is accepted independently with the same probability α
# (estimated at K = 1, where the share accepted *is* α).

# %% alt="Two panels against draft length K from 1 to 8. Left: the share of draft tokens accepted falls steadily as K grows. Right: time per token, measured with error bars and predicted by the independent-acceptance theory, drops steeply from K = 1 to K = 3, then stays in a flat valley up to about K = 6 before rising slowly."
C, KS, STEPS = 0.1, range(1, 9), 1500
runs = {k: measure(k, STEPS) for k in KS}
alpha = runs[1][0]
time_per_token = {k: (k * C + 1) / r[1] for k, r in runs.items()}
error = {k: 2 * time_per_token[k] * r[2] / r[1] for k, r in runs.items()}
theory = {k: (k * C + 1) / expected_tokens_per_step(alpha, k) for k in KS}
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6))
left.plot(KS, [runs[k][0] for k in KS], "o-")
left.set_xlabel("draft length K")
left.set_ylabel("share of drafts accepted")
right.errorbar(KS, time_per_token.values(), yerr=list(error.values()), fmt="o",
               capsize=3, label="measured ± 2 SE")
right.plot(KS, theory.values(), "--", color="C1", label=f"theory, α = {alpha:.2f}")
right.set_xlabel("draft length K")
right.set_ylabel("time per token")
right.legend(fontsize=10)
fig.tight_layout()
plt.show()
best = min(time_per_token, key=time_per_token.get)
close = [k for k in KS
         if time_per_token[k] - error[k] <= time_per_token[best] + error[best]]
print(f"fastest measured: K = {best}; within the noise of it: K = {close}")
print(f"theory's fastest: K = {min(theory, key=theory.get)}")

# %% [markdown] tags=["solution"]
# The share accepted *falls* with K: a draft token is only checked if every token
# before it was accepted, so later positions are accepted less often. Tokens per
# pass still rise, but more and more slowly, while the drafting cost grows
# linearly. So the time per token drops fast at first and then lies in a flat
# valley: several draft lengths are equally good within the measurement's noise,
# and the theory's minimum sits in the same valley. "The optimal K" is a range, not
# a number, and where the range lies depends on the draft's cost C and its quality
# α. Try `C = 0.3`, or a worse draft, and watch the valley move left.

# %% [markdown]
# ## Exercise 3: continuous batching (supported)
#
# A queue of 50 requests, all waiting at step 0, each with a prompt of 20 tokens
# and an output length drawn from a normal distribution with mean 80 and standard
# deviation 60, rounded and clipped to 10..300. The server has 8 slots; one step
# generates one token per busy slot.
#
# Write `make_requests(n, seed)`; the cell after the check runs both simulators
# from `kernels.batching` on your queue and plots the busy slots at every step.
#
# **Predict first:** what share of slot-steps does static batching keep busy, and
# what share does continuous batching? Which one returns the *average* answer
# sooner, and by how much?

# %% tags=["work"]
def make_requests(n: int = 50, seed: int = 0) -> list[Request]:
    """n requests waiting at step 0: prompt 20, output length ~ N(80, 60²) clipped."""
    gen = torch.Generator().manual_seed(seed)
    lengths = TODO("n normal draws with mean 80 and std 60 (torch.randn with gen), "
                   "rounded and clipped to 10..300, as a list of ints")
    return [Request(arrival_step=0, prompt_len=20, output_len=n) for n in lengths]


# %% tags=["solution"]
def make_requests(n: int = 50, seed: int = 0) -> list[Request]:
    """n requests waiting at step 0: prompt 20, output length ~ N(80, 60²) clipped."""
    gen = torch.Generator().manual_seed(seed)
    lengths = 80 + 60 * torch.randn(n, generator=gen, dtype=torch.float64)
    lengths = lengths.round().clamp(10, 300).int().tolist()
    return [Request(arrival_step=0, prompt_len=20, output_len=n) for n in lengths]


# %% tags=["check"]
requests = make_requests()
outs = [r.output_len for r in requests]
assert len(requests) == 50, f"expected 50 requests, got {len(requests)}"
assert all(isinstance(n, int) and 10 <= n <= 300 for n in outs), \
    "every output length should be a whole number of tokens between 10 and 300"
assert 60 <= statistics.fmean(outs) <= 110 and 35 <= statistics.stdev(outs) <= 75, \
    f"your lengths have mean {statistics.fmean(outs):.0f} and std " \
    f"{statistics.stdev(outs):.0f}; a N(80, 60²) sample of 50, clipped, should " \
    "land near 80 and 60"
assert make_requests() == requests and make_requests(seed=1) != requests, \
    "the seed should decide the queue: same seed, same queue"
print("make_requests builds a sensible queue")

# %% alt="Busy slots out of 8 at every step: continuous batching stays at 8 until the queue empties and then tails off; static batching drops in steps inside every batch as short requests finish, and takes many more steps in total."
static = simulate_static(requests, 8)
cont = simulate_continuous(requests, 8)
for name, r in (("static", static), ("continuous", cont)):
    mean_latency = statistics.fmean(r.latencies)
    print(f"{name:>10}: {r.makespan} steps, utilisation {r.utilisation:.0%}, "
          f"mean latency {mean_latency:.0f} steps")
fig, ax = plt.subplots(figsize=(8, 3.6))
for name, r in (("static", static), ("continuous", cont)):
    ax.plot([sum(row) for row in r.busy], label=name)
ax.set_xlabel("step")
ax.set_ylabel("busy slots (of 8)")
ax.legend()
plt.show()

# %% [markdown] tags=["solution"]
# Static batching stays well under full: in every batch the short requests finish
# early and hold their slots until the longest one is done. Continuous batching
# keeps all 8 slots busy until the queue empties, then tails off; the average
# latency drops sharply, because no answer waits for a stranger's long one.

# %% [markdown]
# ## Exercise 4: a parallelism advisor (independent)
#
# Write `advise(n_params, n_gpus, gpu_bytes, gpus_per_node=8)` for training with
# mixed-precision Adam (16 bytes per parameter, activations ignored). GPUs inside
# one server (a *node*) talk over fast NVLink; between servers the network is
# several times slower. Return a dict:
#
# - `"data_parallel_alone"`: does the whole training state fit on one GPU?
# - `"zero_stage"`: the lowest ZeRO stage (1, 2 or 3) whose per-GPU state fits
#   when all `n_gpus` GPUs share it; `None` when it cannot help (one GPU has
#   nothing to share with) or when no stage fits;
# - `"tensor_parallel"`: how many GPUs split each layer, a power of two that stays
#   inside one node: tensor parallelism all-reduces inside every layer, so it needs
#   NVLink;
# - `"pipeline_stages"`: how many groups of layers, a power of two: stages only
#   pass activations at their boundaries, so they may span nodes;
# - `"data_parallel_copies"`: how many copies of that split model the cluster
#   holds. Split the layers before you add stages, and use no more of either than
#   the state needs; `None` for all three when even the whole cluster is too small.
#
# The cell after the check prints the advice for five configurations, from GPT-2
# small on 1 GPU to GPT-3 on 64. **Predict first:** for LLaMA 2 70B on 8 GPUs,
# which options are left? And on 16?

# %% tags=["work"]
def advise(n_params: int, n_gpus: int, gpu_bytes: int,
           gpus_per_node: int = 8) -> dict:
    """Which parallelism a training run needs; see the keys above."""
    return TODO("start from training_memory_bytes(n_params)['total']")


# %% tags=["solution"]
def advise(n_params: int, n_gpus: int, gpu_bytes: int,
           gpus_per_node: int = 8) -> dict:
    """Which parallelism a training run needs; see the keys above."""
    full = training_memory_bytes(n_params)["total"]
    zero_stage = None
    if n_gpus > 1:
        zero_stage = next((s for s in (1, 2, 3) if zero_memory_per_gpu(
            n_params, n_gpus, s)["total"] <= gpu_bytes), None)
    tensor, stages = 1, 1
    while full / tensor > gpu_bytes and tensor * 2 <= min(gpus_per_node, n_gpus):
        tensor *= 2                       # split layers inside a node first
    while full / (tensor * stages) > gpu_bytes and tensor * stages * 2 <= n_gpus:
        stages *= 2                       # then stages, which may span nodes
    fits = full / (tensor * stages) <= gpu_bytes
    return {
        "data_parallel_alone": full <= gpu_bytes,
        "zero_stage": zero_stage,
        "tensor_parallel": tensor if fits else None,
        "pipeline_stages": stages if fits else None,
        "data_parallel_copies": n_gpus // (tensor * stages) if fits else None,
    }


# %% tags=["check"]
GiB = 2**30
cases = [(124_000_000, 1, 80 * GiB), (7 * 10**9, 8, 80 * GiB),
         (70 * 10**9, 8, 80 * GiB), (70 * 10**9, 16, 80 * GiB),
         (70 * 10**9, 64, 80 * GiB), (175 * 10**9, 64, 80 * GiB),
         (13 * 10**9, 4, 24 * GiB)]
for n, gpus, mem in cases:
    got = advise(n, gpus, mem)
    full = training_memory_bytes(n)["total"]
    case = f"{n / 1e9:g} B parameters on {gpus} GPUs of {mem // GiB} GiB"
    assert got["data_parallel_alone"] == (full <= mem), \
        f"{case}: data_parallel_alone asks whether the full state fits one GPU"
    z = got["zero_stage"]
    if gpus == 1:
        assert z is None, f"{case}: with one GPU there is nothing to shard across"
    elif z is not None:
        assert zero_memory_per_gpu(n, gpus, z)["total"] <= mem, \
            f"{case}: ZeRO stage {z} does not fit; check the per-GPU state"
    if z is None or z > 1:
        lower = [s for s in (1, 2, 3) if z is None or s < z]
        assert gpus == 1 or all(zero_memory_per_gpu(n, gpus, s)["total"] > mem
                                for s in lower), \
            f"{case}: a lower ZeRO stage already fits; return the lowest"
    t, p, copies = (got["tensor_parallel"], got["pipeline_stages"],
                    got["data_parallel_copies"])
    if t is None:
        assert full / gpus > mem, f"{case}: it fits when split {gpus} ways"
        continue
    assert t <= 8 and t & (t - 1) == 0 and p & (p - 1) == 0, \
        f"{case}: degrees are powers of two and tensor parallelism stays in a node"
    assert full / (t * p) <= mem, f"{case}: a {t}x{p} split still does not fit"
    assert t * p * copies == gpus, f"{case}: every GPU should be used"
    if t * p > 1:
        assert full / (t * p // 2) > mem, \
            f"{case}: a split half as large would fit; use no more than needed"
    if p > 1:
        assert t == min(8, gpus), \
            f"{case}: fill a node with tensor parallelism before adding stages"
print("advise passes every case")

# %%
print(f"{'model':<11}{'GPUs':>5}{'DP alone':>10}{'ZeRO':>6}{'tensor':>8}"
      f"{'stages':>8}{'copies':>8}")
for name, n_gpus in (("gpt2-small", 1), ("llama2-7b", 8), ("llama2-70b", 8),
                     ("llama2-70b", 16), ("gpt3-175b", 64)):
    a = advise(param_count(get_preset(name))["total"], n_gpus, GPU_BYTES)
    cells = [a["data_parallel_alone"], a["zero_stage"], a["tensor_parallel"],
             a["pipeline_stages"], a["data_parallel_copies"]]
    print(f"{name:<11}{n_gpus:>5}" + "".join(
        f"{str(c if c is not None else '-'):>{w}}"
        for c, w in zip(cells, (10, 6, 8, 8, 8))))

# %% [markdown] tags=["solution"]
# GPT-2 small trains on one GPU with plain data parallelism; there is nothing for
# ZeRO to shard. LLaMA 2 7B fits no single A100 but fits 8 with ZeRO stage 1: a
# memory problem solved without touching the layers (a 2-way split with 4 copies
# would also do). LLaMA 2 70B on 8 A100s fits no way
# at all: the cluster is simply too small. On 16 it fits either with ZeRO stage 3
# or with 8-way tensor parallelism inside each node and 2 pipeline stages across
# the two nodes. Which to pick is a communication question: stage 3 fetches every
# layer's weights from the other GPUs in every pass, while the split keeps its
# per-layer all-reduces on NVLink and sends only activations between nodes. The
# choice follows the bottleneck: compute for small models (data parallelism for
# speed), memory for mid-size ones (ZeRO), memory and communication for the
# largest (tensor inside a node, pipeline across nodes).
