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
# 1. **A router (guided).** Linear layer, softmax, top-2: build it and look at what
#    it picks for five tokens.
# 2. **An MoE forward pass (supported).** Four expert FFNs plus a router; compare
#    with a dense FFN and count stored against used parameters.
# 3. **Routing words (supported).** Route the words of a few sentences and test
#    whether an untrained router's "patterns" mean anything.
# 4. **Router collapse (independent).** Train a toy MoE layer with and without the
#    balancing loss and watch the experts' shares.
#
# Every cell runs on a CPU in seconds. The exercises do not depend on each other.

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

from kernels.exercise import TODO
from kernels.moe import (MoELayer, Router, load_balancing_loss, route_tokens,
                         train_toy_router)

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: a router (guided)
#
# A router turns a token vector of `d_model` channels into one score per expert
# (a linear layer, no bias), makes the scores probabilities with a softmax, and
# keeps the `k` most probable experts. The chosen experts' probabilities are then
# renormalised so the weights of one token add up to 1.
#
# **Predict first:** you build a random router for 4 experts and feed it 5 random
# tokens. Will all 5 tokens pick the same two experts?
#
# Fill in the three gaps of `my_router`.

# %% tags=["work"]
D_MODEL, N_EXPERTS, K = 64, 4, 2
gate = nn.Linear(D_MODEL, N_EXPERTS, bias=False)  # the router's only weights


def my_router(x: torch.Tensor):
    """x (N, C) -> probs (N, E), chosen experts (N, k), weights (N, k)."""
    probs = TODO("softmax of gate(x) over the experts, shape (N, E)")
    top_p, experts = TODO("the k largest probabilities and their expert indices")
    weights = TODO("top_p renormalised so each row sums to 1")
    return probs, experts, weights


# %% tags=["solution"]
D_MODEL, N_EXPERTS, K = 64, 4, 2
gate = nn.Linear(D_MODEL, N_EXPERTS, bias=False)  # the router's only weights


def my_router(x: torch.Tensor):
    """x (N, C) -> probs (N, E), chosen experts (N, k), weights (N, k)."""
    probs = F.softmax(gate(x), dim=-1)  # (N, E)
    top_p, experts = probs.topk(K, dim=-1)  # (N, k) each
    weights = top_p / top_p.sum(dim=-1, keepdim=True)  # (N, k), rows sum to 1
    return probs, experts, weights


# %% tags=["check"]
tokens = torch.randn(5, D_MODEL)  # (5, C): five tokens
with torch.no_grad():
    probs, experts, weights = my_router(tokens)
assert probs.shape == (5, N_EXPERTS), \
    f"probs should have one row per token and one column per expert, got {probs.shape}"
torch.testing.assert_close(probs.sum(-1), torch.ones(5), msg=lambda m: (
    "each token's probabilities should add up to 1: is the softmax over the experts "
    "(the last dimension)?\n" + m))
reference = Router(D_MODEL, N_EXPERTS, K)
reference.gate.load_state_dict(gate.state_dict())
with torch.no_grad():
    _, ref_experts, ref_weights = reference(tokens)
assert torch.equal(experts.sort(-1).values, ref_experts.sort(-1).values), \
    "the chosen experts differ from kernels.moe.Router's: are they the top-k of probs?"
torch.testing.assert_close(weights.sum(-1), torch.ones(5), msg=lambda m: (
    "the k weights of each token should add up to 1 after renormalising\n" + m))
print("your router agrees with kernels.moe.Router")

# %% [markdown]
# Now look at what it picked: one panel per token, the chosen experts highlighted.

# %% alt="Five bar charts, one per token, each showing four router probabilities; the two chosen experts are highlighted and differ from token to token."
fig, axes = plt.subplots(1, 5, figsize=(8, 2.6), sharey=True)
for t, ax in enumerate(axes):
    chosen = set(experts[t].tolist())
    ax.bar(range(N_EXPERTS), probs[t],
           color=["C0" if e in chosen else "C3" for e in range(N_EXPERTS)])
    ax.set_title(f"token {t}", fontsize=11)
    ax.set_xticks(range(N_EXPERTS))
    ax.set_xlabel("expert", fontsize=11)
axes[0].set_ylabel("probability")
plt.show()
print("chosen experts per token:", [sorted(e) for e in experts.tolist()])

# %% [markdown]
# Different tokens pick different pairs even though nothing has been trained: the
# choice depends on the token's direction relative to each row of the router's
# weight matrix, the "expert embeddings". Training moves those rows.

# %% [markdown]
# ## Exercise 2: an MoE forward pass (supported)
#
# The layer below has 4 GELU experts (`d_model` = 64, `d_ff` = 256: `up`, GELU,
# `down`) and a router. For each token, run only its two experts and add their
# outputs weighted by the router. Then count the parameters the layer stores and
# the parameters one token actually uses.
#
# **Predict first:** the layer stores 4 experts. How many of its weights does one
# token use, compared with one dense FFN of the same expert shape?
#
# Hints: loop over experts, not tokens. `(experts == e).nonzero(as_tuple=True)`
# gives the (token, slot) pairs that chose expert `e`, and `out.index_add_(0,
# token, y)` adds the rows of `y` into `out` at those tokens.

# %% tags=["work"]
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
            token, slot = TODO("the (token, slot) pairs that chose expert e")
            y = TODO("expert e applied to those tokens: down(gelu(up(x)))")
            out.index_add_(0, token, y * weights[token, slot, None])
        return out, experts


def parameter_counts(moe: MyMoE) -> tuple[int, int]:
    """(parameters stored, parameters one token uses: router + its k experts)."""
    return TODO("count with p.numel() over moe.parameters() and one expert's")


# %% tags=["solution"]
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


def parameter_counts(moe: MyMoE) -> tuple[int, int]:
    """(parameters stored, parameters one token uses: router + its k experts)."""
    stored = sum(p.numel() for p in moe.parameters())
    per_expert = sum(p.numel() for p in moe.experts[0].parameters())
    return stored, moe.gate.weight.numel() + moe.k * per_expert


# %% tags=["check"]
moe = MyMoE(D_MODEL, D_FF, N_EXPERTS, K)
reference = MoELayer(D_MODEL, D_FF, N_EXPERTS, K, ffn="gelu")
with torch.no_grad():  # give the kernel's layer the same weights
    reference.router.gate.weight.copy_(moe.gate.weight)
    for mine, theirs in zip(moe.experts, reference.experts):
        theirs.up.weight.copy_(mine["up"].weight)
        theirs.down.weight.copy_(mine["down"].weight)
batch = torch.randn(8, D_MODEL)  # (8, C): eight tokens
with torch.no_grad():
    out, chosen = moe(batch)
    torch.testing.assert_close(out, reference(batch).output, msg=lambda m: (
        "your layer's output differs from kernels.moe.MoELayer's with the same "
        "weights: does each expert see only its tokens, and is each output scaled "
        "by that token's weight for the expert?\n" + m))
stored, used = parameter_counts(moe)
assert stored == sum(p.numel() for p in reference.parameters()), \
    "stored parameters: count every weight of the router and of all experts"
assert used < stored, "a token uses only its k experts, not all of them"
one_expert = sum(p.numel() for p in reference.experts[0].parameters())
assert used == reference.router.gate.weight.numel() + K * one_expert, \
    "used parameters: the router's weights plus k whole experts (up and down)"
print("your MoE layer agrees with kernels.moe.MoELayer")

# %%
dense = nn.Sequential(nn.Linear(D_MODEL, D_FF, bias=False), nn.GELU(),
                      nn.Linear(D_FF, D_MODEL, bias=False))
n_dense = sum(p.numel() for p in dense.parameters())
print("output shape:", tuple(out.shape), "| dense FFN output:",
      tuple(dense(batch).shape))
print(f"dense FFN parameters:        {n_dense:>7,}")
print(f"MoE parameters stored:       {stored:>7,}")
print(f"MoE parameters used / token: {used:>7,}  ({used / stored:.0%} of stored)")

# %% [markdown]
# Stored parameters grow with the number of experts; the parameters one token uses
# grow with `k`. Try `k = 1` and 16 experts: what happens to each number?

# %% [markdown]
# ## Exercise 3: routing words (supported)
#
# `kernels.moe.route_tokens(ids, seed=...)` routes a list of token ids through a
# seeded, *untrained* router of 8 experts with top-2, each word seen alone. Write
# `show_routing(sentence, seed)`, which prints each word of a sentence with its
# two experts, using the fixed word list below as the tokenizer. Then write
# `share_rate(word_a, word_b, seeds)`: over many random routers (one per seed), how
# often do the two words share at least one expert?
#
# **Predict first:** "cell" and "protein" are both biology, "protein" and "def" are
# not. Will an untrained router put the biology pair together more often? And what
# share would pure chance give, with 2 of 8 experts per word?

# %% tags=["work"]
WORDS = ("the", "cell", "mitochondria", "is", "powerhouse", "of", "a", "and",
         "energy", "protein", "in", "function", "returns", "list", "def", "to",
         "makes", "every", "value")
SENTENCES = ("the mitochondria is the powerhouse of the cell",
             "a protein makes energy in the cell",
             "def function returns a list of every value")


def show_routing(sentence: str, seed: int = 0) -> list[tuple[str, list[int]]]:
    """Print and return (word, its two experts) for each word of `sentence`."""
    ids = TODO("each word's position in WORDS")
    experts, weights = route_tokens(ids, seed=seed)  # (T, 2) each
    ...


def share_rate(word_a: str, word_b: str, seeds: range) -> float:
    """Share of routers (one per seed) that give the two words a common expert."""
    return TODO("route both words with each seed and count the overlaps")


# %% tags=["solution"]
WORDS = ("the", "cell", "mitochondria", "is", "powerhouse", "of", "a", "and",
         "energy", "protein", "in", "function", "returns", "list", "def", "to",
         "makes", "every", "value")
SENTENCES = ("the mitochondria is the powerhouse of the cell",
             "a protein makes energy in the cell",
             "def function returns a list of every value")


def show_routing(sentence: str, seed: int = 0) -> list[tuple[str, list[int]]]:
    """Print and return (word, its two experts) for each word of `sentence`."""
    ids = [WORDS.index(w) for w in sentence.split()]
    experts, weights = route_tokens(ids, seed=seed)  # (T, 2) each
    rows = []
    for word, e, p in zip(sentence.split(), experts.tolist(), weights.tolist()):
        print(f"{word:>13}: E{e[0]} ({p[0]:.2f})  E{e[1]} ({p[1]:.2f})")
        rows.append((word, e))
    return rows


def share_rate(word_a: str, word_b: str, seeds: range) -> float:
    """Share of routers (one per seed) that give the two words a common expert."""
    shared = 0
    for seed in seeds:
        experts, _ = route_tokens([WORDS.index(word_a), WORDS.index(word_b)],
                                  seed=seed)
        shared += bool(set(experts[0].tolist()) & set(experts[1].tolist()))
    return shared / len(seeds)


# %% tags=["check"]
rows = show_routing(SENTENCES[0])
assert [w for w, _ in rows] == SENTENCES[0].split(), \
    "show_routing should return one (word, experts) pair per word, in order"
the = [tuple(sorted(e)) for w, e in rows if w == "the"]
assert len(set(the)) == 1, "the three copies of 'the' should get the same experts: " \
    "does every word go through route_tokens with the same seed?"
assert rows != show_routing(SENTENCES[0], seed=1), \
    "another seed is another random router: its choices should differ somewhere"
SEEDS = range(300)
bio, mixed = share_rate("cell", "protein", SEEDS), share_rate("protein", "def", SEEDS)
assert 0 < bio < 1 and 0 < mixed < 1, \
    "a share of routers is a fraction between 0 and 1"
ids = [WORDS.index("cell"), WORDS.index("protein")]
spot = [bool(set(e[0].tolist()) & set(e[1].tolist()))
        for e in (route_tokens(ids, seed=s)[0] for s in range(20))]
assert share_rate("cell", "protein", range(20)) == sum(spot) / 20, \
    "share_rate disagrees with a direct count over seeds 0..19: count a router " \
    "when the two words have at least one expert in common"

# %%
chance = 1 - math.comb(6, 2) / math.comb(8, 2)  # the second word avoids both
print(f"cell & protein share an expert in {bio:.0%} of {len(SEEDS)} routers")
print(f"protein & def share an expert in {mixed:.0%} of {len(SEEDS)} routers")
print(f"chance, two random pairs out of 8 experts: {chance:.0%}")

# %% [markdown] tags=["solution"]
# Both pairs share an expert about as often as chance predicts: an untrained
# router has no topics, so any "biology expert" you spot in one seed is noise, and
# another seed reshuffles it. Every copy of "the" goes to the same experts only
# because this router sees each word alone. Patterns such as function words
# gathering on some experts are *learned*: they appear in trained models (early
# layers lean syntactic, later ones semantic), and they come from the router's
# rows moving during training, which is what Exercise 4 watches.

# %% [markdown]
# ## Exercise 4: router collapse (independent)
#
# `train_toy_router(seed, aux_loss_weight, steps)` trains a tiny top-1 MoE layer
# (8 experts; expert 0's router bias starts 0.2 nats higher, so at step 0 it gets
# about a third of the tokens instead of an eighth) and returns, among others,
# `utilisation`: a `(steps, 8)` tensor with each expert's share of the tokens at
# every step. `load_balancing_loss(router_probs, expert_indices, n_experts)` is the
# balancing loss: 1 at perfect balance, 8 with every token sure of one expert.
#
# Write `expert_shares(aux_loss_weight)` (seed 0, 1,000 steps; the rows for the
# steps in `SNAPSHOTS`) and `loss_at_extremes()`, which builds a perfectly
# balanced routing and a fully collapsed one for 64 tokens and returns the loss of
# each. The check runs your functions for the three weights below; the cell after
# it draws the shares.
#
# **Predict first:** without the balancing loss, what share will the busiest expert
# have at the last step? And with `aux_loss_weight = 0.1`?

# %% tags=["work"]
STEPS, SNAPSHOTS, WEIGHTS = 1000, (0, 100, 500, 999), (0.0, 0.01, 0.1)


def expert_shares(aux_loss_weight: float) -> torch.Tensor:
    """(len(SNAPSHOTS), 8): each expert's share of the tokens at those steps."""
    return TODO("train with train_toy_router and keep the SNAPSHOTS rows")


def loss_at_extremes() -> tuple[float, float]:
    """(loss of a perfectly balanced routing, loss of a collapsed one), 8 experts."""
    return TODO("router probabilities (N, 8) and choices (N, 1) for both cases")


# %% tags=["solution"]
STEPS, SNAPSHOTS, WEIGHTS = 1000, (0, 100, 500, 999), (0.0, 0.01, 0.1)


def expert_shares(aux_loss_weight: float) -> torch.Tensor:
    """(len(SNAPSHOTS), 8): each expert's share of the tokens at those steps."""
    run = train_toy_router(0, aux_loss_weight, steps=STEPS)
    return run.utilisation[list(SNAPSHOTS)]


def loss_at_extremes() -> tuple[float, float]:
    """(loss of a perfectly balanced routing, loss of a collapsed one), 8 experts."""
    even = torch.full((64, 8), 1 / 8)  # every token: 1/8 per expert
    round_robin = torch.arange(64)[:, None] % 8  # (N, 1): tokens spread evenly
    sure = F.one_hot(torch.zeros(64, dtype=torch.long), 8).float()  # all on 0
    all_zero = torch.zeros(64, 1, dtype=torch.long)
    return (float(load_balancing_loss(even, round_robin, 8)),
            float(load_balancing_loss(sure, all_zero, 8)))


# %% tags=["check"]
shares = {w: expert_shares(w) for w in WEIGHTS}
assert shares[0.0].shape == (len(SNAPSHOTS), 8), \
    f"expected one row per snapshot and one column per expert, got " \
    f"{tuple(shares[0.0].shape)}"
torch.testing.assert_close(shares[0.0].sum(-1), torch.ones(len(SNAPSHOTS)),
                           msg="each row is how all tokens divide among the "
                               "experts, so it should add up to 1")
first_step = train_toy_router(0, 0.01, steps=1).utilisation[0]
assert torch.equal(shares[0.01][0], first_step), \
    "the first row should be the shares at step 0 of train_toy_router with seed 0"
assert not torch.equal(shares[0.01][0], shares[0.01][-1]), \
    "the rows should come from different steps: pick utilisation[SNAPSHOTS]"
balanced, collapsed = loss_at_extremes()
assert math.isclose(balanced, 1.0, rel_tol=1e-6), \
    f"the balanced routing scores {balanced:.3f}, not the minimum 1: every expert " \
    "should get 1/8 of the tokens and 1/8 of the probability"
assert math.isclose(collapsed, 8.0, rel_tol=1e-6), \
    f"the collapsed routing scores {collapsed:.3f}, not the maximum 8: every token " \
    "should go to one expert with probability 1"

# %% alt="A grid of bar charts, one row per balancing-loss weight (0, 0.01, 0.1) and one column per training step (0, 100, 500, 999): without the loss one expert ends with every token, with 0.01 the collapse comes later, with 0.1 the tokens stay spread over the experts."
fig, axes = plt.subplots(len(WEIGHTS), len(SNAPSHOTS), figsize=(8, 5.4),
                         sharey=True, sharex=True)
for row, (w, u) in zip(axes, shares.items()):
    for ax, share in zip(row, u):
        ax.bar(range(8), share, color=["C3"] + ["C0"] * 7)
        ax.axhline(1 / 8, color="C2", linestyle="--", linewidth=1.2)
    row[0].set_ylabel(f"weight {w}\nshare")
for ax, step in zip(axes[0], SNAPSHOTS):
    ax.set_title(f"step {step}")
for ax in axes[-1]:
    ax.set_xlabel("expert")
fig.tight_layout()
plt.show()
for w, u in shares.items():
    print(f"weight {w:<5}: at step {SNAPSHOTS[-1]} the busiest expert has "
          f"{u[-1].max():.0%} of the tokens, the quietest {u[-1].min():.1%}")

# %% [markdown] tags=["solution"]
# Without the loss the head start snowballs until one expert takes every token;
# the others then get no gradient and stay as they were. A weight of 0.01 only
# delays the collapse here (try seeds 1 to 5). At 0.1 no single expert takes over,
# but balance is not restored either: look at the smallest shares at step 1,000,
# where some experts get almost no tokens. The balancing loss is a soft pressure
# traded against the task loss, so its weight is a hyperparameter; real systems add
# hard limits too (a capacity per expert, or a routing bias adjusted to keep loads
# even).
# The dashed line marks 1/8, the share of each expert at perfect balance.
