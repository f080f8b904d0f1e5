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
# # Exercises: mixture of experts
#
# [Download this notebook (.ipynb)](exercises.ipynb). To run it yourself, clone the
# book's repository and start Jupyter from its root, so `import kernels` works. Every
# cell runs on a CPU in seconds.
#
# 1. **A router (guided).** Linear layer, softmax, top-2: build it and look at what
#    it picks for five tokens.
# 2. **An MoE forward pass (supported).** Four expert FFNs plus your router; compare
#    with a dense FFN and count active against total parameters.
# 3. **Routing real text (supported).** Route the words of sentences and look for
#    patterns.
# 4. **Router collapse (independent).** Train a toy MoE layer with and without the
#    balancing loss and watch the experts' shares.
#
# Each exercise gives its solution twice: folded away in a "Solution" block, and as
# a runnable cell right after it, so later exercises work even if you skip one.

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from kernels.moe import (
    MoELayer,
    Router,
    expert_fractions,
    load_balancing_loss,
    route_tokens,
    train_toy_router,
)

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: a router (guided)
#
# A router turns a token vector of `d_model` channels into one score per expert,
# makes the scores probabilities with a softmax, and keeps the `k` best.
#
# **Predict first:** you build a random router for 4 experts and feed it 5 random
# tokens. Will all 5 tokens pick the same two experts?
#
# Fill in the three steps of `my_router` below (the cell as given runs, with a
# placeholder that picks experts 0 and 1 for everyone).

# %%
D_MODEL, N_EXPERTS, K = 64, 4, 2
gate = nn.Linear(D_MODEL, N_EXPERTS, bias=False)  # the router's only weights


def my_router(x: torch.Tensor):
    """x (N, C) -> probs (N, E), chosen experts (N, k), weights (N, k)."""
    n = x.shape[0]
    probs = torch.full((n, N_EXPERTS), 1 / N_EXPERTS)  # TODO: softmax(gate(x))
    experts = torch.tensor([[0, 1]]).repeat(n, 1)  # TODO: top-k of probs
    weights = torch.full((n, K), 1 / K)  # TODO: chosen probs, renormalised
    return probs, experts, weights


tokens = torch.randn(5, D_MODEL)  # (5, C): five tokens
probs, experts, weights = my_router(tokens)
print(experts)

# %% [markdown]
# <details><summary>Solution</summary>
#
# ```python
# def my_router(x):
#     probs = F.softmax(gate(x), dim=-1)  # (N, E)
#     top_p, experts = probs.topk(K, dim=-1)  # (N, k) each
#     weights = top_p / top_p.sum(dim=-1, keepdim=True)  # (N, k), rows sum to 1
#     return probs, experts, weights
# ```
#
# </details>
#
# Run the reference version: it checks itself against `kernels.moe.Router` with the
# same weights, then draws each token's probabilities.

# %%
def my_router(x: torch.Tensor):
    """x (N, C) -> probs (N, E), chosen experts (N, k), weights (N, k)."""
    probs = F.softmax(gate(x), dim=-1)  # (N, E)
    top_p, experts = probs.topk(K, dim=-1)  # (N, k) each
    weights = top_p / top_p.sum(dim=-1, keepdim=True)  # (N, k), rows sum to 1
    return probs, experts, weights


reference = Router(D_MODEL, N_EXPERTS, K)
reference.gate.load_state_dict(gate.state_dict())
with torch.no_grad():
    probs, experts, weights = my_router(tokens)
    ref_probs, ref_experts, ref_weights = reference(tokens)
assert torch.equal(experts, ref_experts)
torch.testing.assert_close(weights, ref_weights)

fig, axes = plt.subplots(1, 5, figsize=(12, 2.6), sharey=True)
for t, ax in enumerate(axes):
    colours = ["C2" if e in experts[t] else "C7" for e in range(N_EXPERTS)]
    ax.bar(range(N_EXPERTS), probs[t], color=colours)
    ax.set_title(f"token {t}: experts {sorted(experts[t].tolist())}")
    ax.set_xticks(range(N_EXPERTS))
axes[0].set_ylabel("router probability")
fig.tight_layout()
print(experts)

# %% [markdown]
# Different tokens pick different pairs even though nothing has been trained: the
# choice depends on the token's direction relative to each row of the router's
# weight matrix. Training will move those rows.

# %% [markdown]
# ## Exercise 2: an MoE forward pass (supported)
#
# Build a layer with 4 GELU experts (`d_model` = 64, `d_ff` = 256: `up`, then GELU,
# then `down`) and your router from Exercise 1. For each token, run only its two
# experts and add their outputs weighted by the router.
#
# **Predict first:** the MoE layer stores 4 experts. For one token, how many of its
# weights are used, compared with one dense FFN of the same expert shape?
#
# Hints: loop over experts, not tokens. `(experts == e).nonzero(as_tuple=True)`
# gives the (token, slot) pairs that chose expert `e`, and `out.index_add_(0,
# token, y)` adds rows of `y` into `out` at those tokens.

# %% [markdown]
# <details><summary>Solution</summary>
#
# ```python
# class MyMoE(nn.Module):
#     def __init__(self, d_model, d_ff, n_experts, k):
#         super().__init__()
#         self.gate = nn.Linear(d_model, n_experts, bias=False)
#         self.k = k
#         self.experts = nn.ModuleList(
#             nn.ModuleDict({"up": nn.Linear(d_model, d_ff, bias=False),
#                            "down": nn.Linear(d_ff, d_model, bias=False)})
#             for _ in range(n_experts))
#
#     def forward(self, x):  # x (N, C)
#         probs = F.softmax(self.gate(x), dim=-1)  # (N, E)
#         top_p, experts = probs.topk(self.k, dim=-1)  # (N, k)
#         weights = top_p / top_p.sum(dim=-1, keepdim=True)  # (N, k)
#         out = torch.zeros_like(x)
#         for e, ex in enumerate(self.experts):
#             token, slot = (experts == e).nonzero(as_tuple=True)
#             y = ex["down"](F.gelu(ex["up"](x[token])))  # (n_e, C)
#             out.index_add_(0, token, y * weights[token, slot, None])
#         return out, experts
# ```
#
# </details>
#
# The helper cell below is that solution. It checks itself against
# `kernels.moe.MoELayer` with the same weights and then counts parameters.

# %%
D_FF = 256


class MyMoE(nn.Module):
    """Top-k MoE layer of GELU experts: x (N, C) -> (output (N, C), experts (N, k))."""

    def __init__(self, d_model: int, d_ff: int, n_experts: int, k: int):
        super().__init__()
        self.gate = nn.Linear(d_model, n_experts, bias=False)
        self.k = k
        self.experts = nn.ModuleList(
            nn.ModuleDict({"up": nn.Linear(d_model, d_ff, bias=False),
                           "down": nn.Linear(d_ff, d_model, bias=False)})
            for _ in range(n_experts))

    def forward(self, x: torch.Tensor):
        probs = F.softmax(self.gate(x), dim=-1)  # (N, E)
        top_p, experts = probs.topk(self.k, dim=-1)  # (N, k)
        weights = top_p / top_p.sum(dim=-1, keepdim=True)  # (N, k)
        out = torch.zeros_like(x)
        for e, ex in enumerate(self.experts):
            token, slot = (experts == e).nonzero(as_tuple=True)  # (n_e,) each
            y = ex["down"](F.gelu(ex["up"](x[token])))  # (n_e, C)
            out.index_add_(0, token, y * weights[token, slot, None])
        return out, experts


moe = MyMoE(D_MODEL, D_FF, N_EXPERTS, K)
reference = MoELayer(D_MODEL, D_FF, N_EXPERTS, K, ffn="gelu")
with torch.no_grad():  # copy my weights into the kernel's layer
    reference.router.gate.weight.copy_(moe.gate.weight)
    for mine, theirs in zip(moe.experts, reference.experts):
        theirs.up.weight.copy_(mine["up"].weight)
        theirs.down.weight.copy_(mine["down"].weight)

batch = torch.randn(8, D_MODEL)  # (8, C): eight tokens
with torch.no_grad():
    out, chosen = moe(batch)
    torch.testing.assert_close(out, reference(batch).output)

dense = nn.Sequential(nn.Linear(D_MODEL, D_FF, bias=False), nn.GELU(),
                      nn.Linear(D_FF, D_MODEL, bias=False))
per_expert = sum(p.numel() for p in moe.experts[0].parameters())
total = sum(p.numel() for p in moe.parameters())
active = moe.gate.weight.numel() + K * per_expert  # router + k experts per token
print("output shape:", tuple(out.shape), "(same as the dense FFN's:",
      tuple(dense(batch).shape), ")")
print(f"dense FFN parameters:        {sum(p.numel() for p in dense.parameters()):>7,}")
print(f"MoE parameters stored:       {total:>7,}")
print(f"MoE parameters used / token: {active:>7,}  ({active / total:.0%} of stored)")
print("experts chosen per token:", chosen.tolist())

# %% [markdown]
# Stored parameters grow with the number of experts; the parameters a token uses
# grow with `k`. Try `k = 1` and `N_EXPERTS = 16`: what happens to each number?

# %% [markdown]
# ## Exercise 3: routing real text (supported)
#
# `kernels.moe.route_tokens` routes a list of token ids with a seeded, untrained
# router of 8 experts and top-2. Tokenise some sentences with the fixed word list
# below (a stand-in for a real tokenizer) and show each word with its two experts.
#
# **Predict first:** the three copies of "the" in the first sentence: same experts
# or different ones? And will "cell" and "protein" (both biology) share an expert?
#
# Write `show_routing(sentence)`: split the sentence, map words to ids with
# `WORDS.index`, call `route_tokens`, and print or plot word, experts and weights.

# %%
WORDS = ("the", "cell", "mitochondria", "is", "powerhouse", "of", "a", "and",
         "energy", "protein", "in", "function", "returns", "list", "def", "to",
         "makes", "every", "value")
SENTENCES = ("the mitochondria is the powerhouse of the cell",
             "a protein makes energy in the cell",
             "def function returns a list of every value")

# %% [markdown]
# <details><summary>Solution</summary>
#
# ```python
# def show_routing(sentence, seed=0):
#     words = sentence.split()
#     ids = [WORDS.index(w) for w in words]
#     experts, weights = route_tokens(ids, seed=seed)
#     for w, e, p in zip(words, experts.tolist(), weights.tolist()):
#         print(f"{w:>13}: E{e[0]} ({p[0]:.2f})  E{e[1]} ({p[1]:.2f})")
# ```
#
# </details>

# %%
def show_routing(sentence: str, seed: int = 0) -> None:
    words = sentence.split()
    ids = [WORDS.index(w) for w in words]
    experts, weights = route_tokens(ids, seed=seed)  # (T, 2) each
    fig, ax = plt.subplots(figsize=(10, 1.4))
    for t, (e, p) in enumerate(zip(experts.tolist(), weights.tolist())):
        ax.text(t, 1, words[t], ha="center", fontsize=11)
        ax.text(t, 0, f"E{e[0]} {p[0]:.2f}\nE{e[1]} {p[1]:.2f}", ha="center",
                fontsize=10, color=f"C{e[0]}")
    ax.set_xlim(-0.7, len(words) - 0.3)
    ax.set_ylim(-0.8, 1.5)
    ax.axis("off")
    for w, e, p in zip(words, experts.tolist(), weights.tolist()):
        print(f"{w:>13}: E{e[0]} ({p[0]:.2f})  E{e[1]} ({p[1]:.2f})")
    print()


for sentence in SENTENCES:
    show_routing(sentence)

# %% [markdown]
# Every "the" goes to the same pair: this toy router sees each word alone, with no
# context, and it is untrained, so any overlap between "cell" and "protein" is
# chance. Run `show_routing(SENTENCES[0], seed=1)` to get a different random router
# and see the pattern change completely. In a trained model the router sees the
# residual stream after attention, so the same word can be routed differently in
# different contexts, and the patterns come from training, not from a seed.

# %%
show_routing(SENTENCES[0], seed=1)

# %% [markdown]
# ## Exercise 4: router collapse (independent)
#
# `train_toy_router(seed, aux_loss_weight, steps)` trains a tiny top-1 MoE layer
# (8 experts, expert 0 given a small head start) and returns, among others,
# `utilisation`: a `(steps, 8)` tensor with each expert's share of the tokens at
# every step.
#
# **Predict first:** without the balancing loss, what share will the busiest expert
# have at step 1,000? And with `aux_loss_weight = 0.1`?
#
# Design the experiment yourself: train for 1,000 steps with weights 0, 0.01 and 0.1,
# and for each plot the 8 experts' shares at steps 0, 100, 500 and 999 as bars.
# Which weight is enough? Then check your understanding of the balancing loss: at
# perfect balance it should be 1, and with every token on one expert it should be 8.
# Verify both with `load_balancing_loss`.

# %% [markdown]
# <details><summary>Solution</summary>
#
# ```python
# snapshots = (0, 100, 500, 999)
# runs = {w: train_toy_router(0, w, steps=1000).utilisation
#         for w in (0.0, 0.01, 0.1)}
# fig, axes = plt.subplots(3, 4, figsize=(12, 7), sharey=True)
# for row, (w, u) in zip(axes, runs.items()):
#     for ax, step in zip(row, snapshots):
#         ax.bar(range(8), u[step])
#         ax.set_title(f"weight {w}, step {step}")
#
# even = torch.full((64, 8), 1 / 8)  # every token: probability 1/8 per expert
# spread = torch.arange(64)[:, None] % 8  # tokens sent round-robin
# one_hot = F.one_hot(torch.zeros(64, dtype=torch.long), 8).float()
# print(load_balancing_loss(even, spread, 8))  # 1.0
# print(load_balancing_loss(one_hot, torch.zeros(64, 1, dtype=torch.long), 8))  # 8.0
# ```
#
# </details>

# %%
SNAPSHOTS = (0, 100, 500, 999)
WEIGHTS = (0.0, 0.01, 0.1)
runs = {w: train_toy_router(0, w, steps=1000).utilisation for w in WEIGHTS}

fig, axes = plt.subplots(len(WEIGHTS), len(SNAPSHOTS), figsize=(12, 7),
                         sharey=True)
for row, (w, u) in zip(axes, runs.items()):
    for ax, step in zip(row, SNAPSHOTS):
        ax.bar(range(u.shape[1]), u[step], color=["C3"] + ["C0"] * (u.shape[1] - 1))
        ax.axhline(1 / u.shape[1], color="C2", linestyle="--")
        ax.set_title(f"weight {w}, step {step}", fontsize=10)
for ax in axes[:, 0]:
    ax.set_ylabel("share of tokens")
fig.tight_layout()
for w, u in runs.items():
    print(f"weight {w:<5}: busiest expert at the last step has {u[-1].max():.0%}")

even = torch.full((64, 8), 1 / 8)  # (N, E): every token 1/8 per expert
spread = torch.arange(64)[:, None] % 8  # (N, 1): tokens sent round-robin
one_hot = F.one_hot(torch.zeros(64, dtype=torch.long), 8).float()  # all sure of 0
print("balanced:", float(load_balancing_loss(even, spread, 8)))
print("collapsed:", float(load_balancing_loss(
    one_hot, torch.zeros(64, 1, dtype=torch.long), 8)))
print("expert_fractions agrees with the plot:",
      torch.allclose(expert_fractions(torch.zeros(64, 1, dtype=torch.long), 8),
                     one_hot.mean(0)))

# %% [markdown]
# Without the loss the head start snowballs until one expert takes every token; the
# others then get no gradient and stay as they were. A weight of 0.01 only delays
# the collapse here (try seeds 1 to 5: sometimes two experts share the tokens). At
# 0.1 no expert takes over, but look closely at step 999: over a long run the
# shares drift away from 1/8 and some experts get very few tokens. The balancing
# loss is a soft pressure traded against the task loss, so its weight is a
# hyperparameter that real models tune. Going further: write your own training
# loop with `MyMoE` from Exercise 2 and add `load_balancing_loss` to the task loss.
