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
# # Exercises: state-space models and hybrids
#
# 1. **Two views of one SSM (guided).** Build the convolution kernel of an LTI SSM
#    and check that the convolution equals the recurrence.
# 2. **A parallel scan (supported).** Write the log-depth scan for
#    h_t = a_t·h_{t−1} + b_t and check a selective SSM against its loop.
# 3. **Recall against state size (independent).** Store N pairs in a d×d state,
#    measure recall as N grows, and find where it breaks for three widths.
#
# Every cell runs on a CPU in seconds, in float64. The exercises do not depend on
# each other.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from kernels.exercise import TODO
from kernels.recall import kv_cache_read, random_pairs, recall_accuracy
from kernels.ssm import discretize_zoh, lti_ssm_recurrent, selective_scan_recurrent

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: two views of one SSM (guided)
#
# A diagonal LTI SSM with state size N has three vectors: `a_bar` (how fast each
# state number fades), `b_bar` (how the input enters) and `c` (how the state is
# read). Unrolled, its output is y_t = Σ_k K_k x_{t−k} with K_k = Σ_n c_n·a_bar_n^k·b_bar_n.
#
# **Predict first:** the input is a single 1 at step 0 and zeros after it (an
# impulse). What does the recurrence output, step by step?
#
# Fill in `my_kernel` and `my_convolution` (a plain causal convolution, no FFT).

# %% tags=["work"]
def my_kernel(a_bar, b_bar, c, length):
    """a_bar, b_bar, c (N,) -> K (length,), K_k = Σ_n c_n a_bar_n^k b_bar_n."""
    return TODO("powers a_bar**k for k = 0..length-1, times b_bar*c, summed over n")


def my_convolution(x, kernel):
    """x (T,), kernel (T,) -> y (T,), y_t = Σ_{k≤t} kernel_k x_{t−k}."""
    return TODO("one sum per t over k = 0..t of kernel[k] * x[t - k]")


# %% tags=["solution"]
def my_kernel(a_bar, b_bar, c, length):
    """a_bar, b_bar, c (N,) -> K (length,), K_k = Σ_n c_n a_bar_n^k b_bar_n."""
    k = torch.arange(length, dtype=a_bar.dtype).unsqueeze(1)  # (length, 1)
    return (a_bar.unsqueeze(0) ** k * (b_bar * c)).sum(-1)


def my_convolution(x, kernel):
    """x (T,), kernel (T,) -> y (T,), y_t = Σ_{k≤t} kernel_k x_{t−k}."""
    return torch.stack([(kernel[: t + 1] * x[: t + 1].flip(0)).sum()
                        for t in range(len(x))])


# %% tags=["check"]
a_bar = torch.tensor([0.9, 0.5, 0.2], dtype=torch.float64)
b_bar = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
c = torch.tensor([0.3, 0.7, -1.0], dtype=torch.float64)
impulse = torch.zeros(1, 12, dtype=torch.float64)
impulse[0, 0] = 1.0
assert torch.allclose(my_kernel(a_bar, b_bar, c, 12),
                      lti_ssm_recurrent(impulse, a_bar, b_bar, c)[0]), \
    "the kernel should equal the response to an impulse: check k = 0 first"
x = torch.randn(40, dtype=torch.float64)
y_conv = my_convolution(x, my_kernel(a_bar, b_bar, c, 40))
y_rec = lti_ssm_recurrent(x.unsqueeze(0), a_bar, b_bar, c)[0]
assert torch.allclose(y_conv, y_rec), \
    "convolution and recurrence should agree at every step: is y_t using x[t-k]?"
print("max difference:", float((y_conv - y_rec).abs().max()))

# %% [markdown] tags=["solution"]
# The impulse response *is* the kernel: the recurrence's output at step k, after a
# single 1 at step 0, is C·Ā^k·B̄. That is why the two views agree to rounding.

# %% [markdown]
# ## Exercise 2: a parallel scan (supported)
#
# Each step h ↦ a_t·h + b_t is an affine map. Applying (a₁, b₁) and then (a₂, b₂)
# gives (a₂·a₁, a₂·b₁ + b₂), and that composition is associative. A Hillis–Steele
# scan uses it: in round r every position t ≥ s, with s = 2^r, combines its running
# (a, b) with the one at t − s, all positions at once.
#
# **Predict first:** how many rounds does the scan need for 97 steps? For a
# million?
#
# Write `my_scan`, then use it for a selective SSM.

# %% tags=["work"]
def my_scan(a, b):
    """a, b (Bsz, T, ...) -> h (Bsz, T, ...): h_t = a_t h_{t-1} + b_t, h_{-1} = 0"""
    step = 1
    while step < a.shape[1]:
        b = TODO("positions < step keep b; the rest become a[t]*b[t-step] + b[t]")
        a = TODO("positions < step keep a; the rest become a[t]*a[t-step]")
        step *= 2
    return b


# %% tags=["solution"]
def my_scan(a, b):
    """a, b (Bsz, T, ...) -> h (Bsz, T, ...): h_t = a_t h_{t-1} + b_t, h_{-1} = 0"""
    step = 1
    while step < a.shape[1]:
        later = a[:, step:] * b[:, :-step] + b[:, step:]  # positions >= step
        b = torch.cat([b[:, :step], later], dim=1)
        a = torch.cat([a[:, :step], a[:, step:] * a[:, :-step]], dim=1)
        step *= 2
    return b


# %% tags=["check"]
bsz, t, d, n = 2, 97, 3, 4
x = torch.randn(bsz, t, d, dtype=torch.float64)
delta = F.softplus(torch.randn(bsz, t, d, dtype=torch.float64))
A = -torch.exp(torch.randn(d, n, dtype=torch.float64))
B = torch.randn(bsz, t, n, dtype=torch.float64)
C = torch.randn(bsz, t, n, dtype=torch.float64)
a_bar, b_bar = discretize_zoh(delta, A, B)  # (Bsz, T, D, N)
states = my_scan(a_bar, b_bar * x.unsqueeze(-1))
y_scan = (states * C.unsqueeze(2)).sum(-1)
y_loop = selective_scan_recurrent(x, delta, A, B, C)
assert torch.allclose(y_scan, y_loop), \
    "the scan should reproduce the loop: update b with the OLD a before updating a"
print("97 steps, rounds:", (97 - 1).bit_length(), "| max difference:",
      float((y_scan - y_loop).abs().max()))

# %% [markdown] tags=["solution"]
# Seven rounds for 97 steps (2⁷ = 128 ≥ 97), twenty for 2²⁰. The order inside a
# round matters: b must be combined with the previous round's a, so update b first.

# %% [markdown]
# ## Exercise 3: recall against state size (independent)
#
# Write `state_recall(n_pairs, d, gen)`: draw `n_pairs` random unit keys and values
# of width d with `random_pairs`, store them as one d×d matrix S = Σ kᵢvᵢᵀ, read
# every key back with q·S, and return `recall_accuracy` of the read-outs.
#
# **Predict first:** with d = 32, at about which N does recall fall below one half?

# %% tags=["work"]
def state_recall(n_pairs, d, gen):
    """Share of n_pairs keys whose d×d-state read-out is nearest its value."""
    return TODO("random_pairs, then keys.T @ values, then keys @ state, then "
                "recall_accuracy")


# %% tags=["solution"]
def state_recall(n_pairs, d, gen):
    """Share of n_pairs keys whose d×d-state read-out is nearest its value."""
    keys, values = random_pairs(n_pairs, d, gen)
    state = keys.T @ values  # (d, d) however many pairs
    return recall_accuracy(keys @ state, values)


# %% tags=["check"]
gen = torch.Generator().manual_seed(0)
assert state_recall(4, 32, gen) == 1.0, \
    "a few pairs in a 32-wide state should all come back: is the read q·S?"
assert state_recall(512, 16, gen) < 0.2, \
    "512 pairs cannot fit in a 16×16 state: are you storing keys.T @ values?"
print("state_recall works")

# %% alt="Recall accuracy against number of stored pairs for three state widths and for a KV cache: each state falls once N passes its width, the KV cache stays at one."
gen = torch.Generator().manual_seed(1)
pairs = [4, 8, 16, 32, 64, 128, 256, 512]
fig, ax = plt.subplots(figsize=(6, 3.5))
for d in (16, 32, 64):
    ax.plot(pairs, [state_recall(n, d, gen) for n in pairs], marker="o",
            label=f"d×d state, d = {d}")
cache = []
for n in pairs:
    keys, values = random_pairs(n, 16, gen)
    cache.append(recall_accuracy(kv_cache_read(keys, values, keys, 16.0), values))
ax.plot(pairs, cache, marker="s", label="KV cache, d = 16")
ax.set_xscale("log", base=2)
ax.set_xlabel("pairs stored")
ax.set_ylabel("recall")
ax.legend()
plt.show()

# %% [markdown] tags=["solution"]
# Each width keeps perfect recall while N is well below d and falls apart a little
# past it; doubling d moves the cliff right but does not remove it. The KV cache
# holds every pair because it grows with N—2·N·d numbers against the state's d².
