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
# # Exercises: Serving long contexts
#
# 1. **Size a cache (guided).** Compute one sequence's KV cache from a model's shape
#    and check it against `kernels.costs.kv_cache_bytes`.
# 2. **A block table (supported).** Hand out pages to growing sequences and count the
#    slots left empty, against a contiguous reservation.
# 3. **Quantise a cache (supported).** Write int4 quantisation with one scale per
#    token or per channel and measure the error on keys with an outlier channel.
# 4. **Read less or compute more? (independent).** Use the roofline to find which of
#    two changes speeds up a decode step.
# 5. **Who works in the ring? (independent).** Write ring attention's schedule and
#    count which device-steps a causal mask leaves idle.
#
# Every cell runs on a CPU in seconds. The exercises do not depend on each other.

# %%
import math

import matplotlib.pyplot as plt
import torch

from kernels.costs import kv_cache_bytes
from kernels.exercise import TODO
from kernels.hardware import A100_80GB, roofline_time_s
from kernels.kv_cache import PagedKVCache, quantize_symmetric
from kernels.ring_attention import ring_attention_trace
from kernels.presets import get_preset

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: size a cache (guided)
#
# Every layer keeps one key and one value vector of width `head_dim` per K/V head for
# every token. Write `cache_bytes(n_layers, n_kv_heads, head_dim, seq_len,
# bytes_per_number)` for one sequence.
#
# **Predict first:** LLaMA 2 7B has 32 layers and 32 K/V heads of width 128. How many
# GiB does one fp16 sequence of 4,096 tokens take?

# %% tags=["work"]
def cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, bytes_per_number=2):
    """Bytes of one sequence's K and V cache, all layers."""
    return TODO("K and V, for every layer, head, channel and token, times the bytes")


# %% tags=["solution"]
def cache_bytes(n_layers, n_kv_heads, head_dim, seq_len, bytes_per_number=2):
    """Bytes of one sequence's K and V cache, all layers."""
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * bytes_per_number


# %% tags=["check"]
for name in ("llama2-7b", "llama3-8b", "opt-13b"):
    cfg = get_preset(name)
    mine = cache_bytes(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, 4096)
    assert mine == kv_cache_bytes(cfg, seq_len=4096), (
        f"{name}: your count differs from kv_cache_bytes; did you count both K and V?")
print("cache_bytes agrees with kernels.costs for three models")

# %%
cfg = get_preset("llama2-7b")
print(f"LLaMA 2 7B, 4,096 tokens: "
      f"{cache_bytes(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, 4096) / 2**30:.2f} GiB")

# %% [markdown] tags=["solution"]
# 2 × 32 × 32 × 128 × 4,096 × 2 bytes = 2 GiB. LLaMA 3 8B has the same number of
# layers and head width but only 8 K/V heads, so a quarter of that.

# %% [markdown]
# ## Exercise 2: a block table (supported)
#
# Write `allocate(lengths, page_size)`: for sequences that grow to the given lengths,
# return each sequence's block table (a list of page numbers, handed out from 0
# upwards in the order the sequences ask for them, all at once per sequence) and the
# number of slots that stay empty. Then compare with reserving `max_len` slots each.
#
# **Predict first:** with pages of 16, what is the most one sequence can waste?

# %% tags=["work"]
def allocate(lengths, page_size):
    """-> (block tables: list of lists of page ids, empty slots: int)."""
    tables, next_page, empty = [], 0, 0
    for n in lengths:
        n_pages = TODO("pages needed for n tokens")
        tables.append(list(range(next_page, next_page + n_pages)))
        next_page += n_pages
        empty += TODO("slots in those pages that hold no token")
    return tables, empty


# %% tags=["solution"]
def allocate(lengths, page_size):
    """-> (block tables: list of lists of page ids, empty slots: int)."""
    tables, next_page, empty = [], 0, 0
    for n in lengths:
        n_pages = math.ceil(n / page_size)
        tables.append(list(range(next_page, next_page + n_pages)))
        next_page += n_pages
        empty += n_pages * page_size - n
    return tables, empty


# %% tags=["check"]
tables, empty = allocate([1, 16, 17], 16)
assert tables == [[0], [1], [2, 3]], (
    "a sequence of 17 tokens needs two pages of 16; one of 16 tokens needs exactly one")
assert empty == 15 + 0 + 15, "count the empty slots of each sequence's last page"
lengths = torch.randint(1, 2049, (200,)).tolist()
_, empty = allocate(lengths, 16)
cache = PagedKVCache(16, n_pages=sum(math.ceil(n / 16) for n in lengths), n_heads=1,
                     head_dim=1)
for i, n in enumerate(lengths):
    cache.append(i, torch.zeros(1, n, 1), torch.zeros(1, n, 1))
assert math.isclose(empty / (empty + sum(lengths)), cache.fragmentation()), (
    "your empty-slot count should match PagedKVCache.fragmentation on the same lengths")
print("allocate matches kernels.kv_cache.PagedKVCache")

# %% alt="Two bars: the percentage of reserved slots left empty by contiguous reservation at 2,048 tokens (large) and by 16-token pages (near zero) for 200 random lengths."
_, empty = allocate(lengths, 16)
contiguous = 1 - sum(lengths) / (2048 * len(lengths))
paged = empty / (empty + sum(lengths))
plt.bar(["contiguous, 2,048 each", "pages of 16"], [100 * contiguous, 100 * paged])
plt.ylabel("reserved slots left empty (%)")
plt.show()

# %% [markdown] tags=["solution"]
# At most 15 slots (P − 1) per sequence, in its last page, so paging wastes well
# under one per cent here, whereas reserving 2,048 for lengths spread evenly up to
# 2,048 leaves about half of every reservation empty.

# %% [markdown]
# ## Exercise 3: quantise a cache (supported)
#
# Write `quantize_int4(x, axis)` for keys of shape (T, D): one scale per token
# (`axis="token"`, the largest |x| of the row) or per channel (`axis="channel"`, of
# the column), integers in −7..7, and return the dequantised tensor. Then measure the
# relative error on keys where channel 0 is 10 times larger than the rest.
#
# **Predict first:** which axis gives the smaller error on those keys, and why?

# %% tags=["work"]
def quantize_int4(x, axis):
    """x (T, D) -> x rounded to 15 levels per group, dequantised, same shape."""
    dim = TODO("the axis to take the max over: -1 for one scale per token")
    scale = x.abs().amax(dim=dim, keepdim=True).clamp_min(1e-12) / 7
    return TODO("round x / scale to integers in [-7, 7], multiply back by scale")


# %% tags=["solution"]
def quantize_int4(x, axis):
    """x (T, D) -> x rounded to 15 levels per group, dequantised, same shape."""
    dim = -1 if axis == "token" else -2
    scale = x.abs().amax(dim=dim, keepdim=True).clamp_min(1e-12) / 7
    return torch.round(x / scale).clamp(-7, 7) * scale


# %% tags=["check"]
keys = torch.randn(256, 64)
keys[:, 0] *= 10  # an outlier channel
for axis in ("token", "channel"):
    q, s = quantize_symmetric(keys, 4, axis)
    assert torch.allclose(quantize_int4(keys, axis), q.float() * s), (
        f"axis={axis}: compare your scale's shape with the one-scale-per-group rule")
err = {a: float((quantize_int4(keys, a) - keys).norm() / keys.norm())
       for a in ("token", "channel")}
print({a: f"{100 * e:.1f} %" for a, e in err.items()})

# %% [markdown] tags=["solution"]
# One scale per channel wins. With one scale per token, channel 0 sets every token's
# scale, so the other 63 channels round to a handful of levels; with one scale per
# channel they get a scale of their own. This is the pattern KIVI reports in real
# keys, and why it quantises keys per channel.

# %% [markdown]
# ## Exercise 4: read less or compute more? (independent)
#
# A decode step of LLaMA 2 7B with 8 sequences of 4,096 cached tokens reads the fp16
# weights (2 bytes × 6.7 billion parameters) and the caches (use `cache_bytes`), and
# does about 2 × 6.7 billion FLOPs per sequence. Write `step_seconds(gpu_flops,
# kv_bytes_per_number)` with `roofline_time_s`, then compare two upgrades: twice the
# FLOP/s, or an int8 cache (1 byte per number).

# %% tags=["work"]
def step_seconds(flops_per_s, kv_bytes_per_number):
    cfg, params, batch = get_preset("llama2-7b"), 6.7e9, 8
    gpu = A100_80GB.__class__(A100_80GB.name, A100_80GB.memory_bytes, flops_per_s,
                              A100_80GB.hbm_bytes_per_s)
    flops = TODO("2 FLOPs per parameter per sequence")
    bytes_moved = TODO("weights once plus every sequence's cache")
    return roofline_time_s(flops, bytes_moved, gpu)


# %% tags=["solution"]
def step_seconds(flops_per_s, kv_bytes_per_number):
    cfg, params, batch = get_preset("llama2-7b"), 6.7e9, 8
    gpu = A100_80GB.__class__(A100_80GB.name, A100_80GB.memory_bytes, flops_per_s,
                              A100_80GB.hbm_bytes_per_s)
    flops = 2 * params * batch
    bytes_moved = 2 * params + batch * cache_bytes(
        cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, 4096, kv_bytes_per_number)
    return roofline_time_s(flops, bytes_moved, gpu)


# %% tags=["check"]
base = step_seconds(A100_80GB.peak_flops, 2)
assert 1e-3 < base < 1e-1, "a decode step of a 7B model takes milliseconds: check units"
assert step_seconds(2 * A100_80GB.peak_flops, 2) == base, (
    "with twice the FLOP/s the step should take the same time: what limits it?")
assert step_seconds(A100_80GB.peak_flops, 1) < 0.8 * base, (
    "an int8 cache should shorten the step: did the cache bytes use kv_bytes_per_number?")
print(f"fp16: {1e3 * base:.2f} ms, 2x FLOP/s: "
      f"{1e3 * step_seconds(2 * A100_80GB.peak_flops, 2):.2f} ms, int8 cache: "
      f"{1e3 * step_seconds(A100_80GB.peak_flops, 1):.2f} ms")

# %% [markdown] tags=["solution"]
# The step is memory-bound: its time is bytes / bandwidth, so more FLOP/s changes
# nothing, while the int8 cache halves the cache, a bit over half of all the bytes
# read here, and so shortens the step by more than a quarter.

# %% [markdown]
# ## Exercise 5: who works in the ring? (independent)
#
# In ring attention over `p` devices, device `i` holds its own key/value block at
# step 0 and, at every later step, the block the device before it held a step
# earlier. Under a causal mask it computes only blocks that do not come after its
# own queries. Write `ring_work(p)`: for every device, the list of K/V blocks it
# computes, in step order.
#
# **Predict first:** with 8 devices, how many of the 64 device-steps compute
# anything, and how much more work does the busiest device do than the idlest?

# %% tags=["work"]
def ring_work(p):
    """-> list over devices of the K/V block indices each computes, in step order."""
    work = []
    for device in range(p):
        blocks = [TODO("the block this device holds at this step") for step in range(p)]
        work.append([j for j in blocks if TODO("True when a causal mask lets it compute")])
    return work


# %% tags=["solution"]
def ring_work(p):
    """-> list over devices of the K/V block indices each computes, in step order."""
    work = []
    for device in range(p):
        blocks = [(device - step) % p for step in range(p)]
        work.append([j for j in blocks if j <= device])
    return work


# %% tags=["check"]
for p in (2, 4, 8):
    x = torch.randn(1, 1, 4 * p, 8, dtype=torch.float64)
    _, trace = ring_attention_trace(x, x, x, p, is_causal=True)
    expected = [[s.kv_block for s in trace if s.device == i and s.computed]
                for i in range(p)]
    assert ring_work(p) == expected, (
        f"p={p}: compare with the kernel's trace; does block (device - step) mod p "
        "wrap around, and are blocks after the device's own skipped?")
work = ring_work(8)
print("blocks computed per device:", [len(w) for w in work],
      f"total {sum(map(len, work))} of 64")

# %% [markdown] tags=["solution"]
# Device i computes i + 1 blocks, so 1 + 2 + … + 8 = 36 of the 64 device-steps do
# work, and the last device does eight times as much as device 0, which idles after
# step 0. That is why long-context training gives each device one early and one late
# piece of the sequence: every device then computes about the same number of blocks.
