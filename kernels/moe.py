"""Mixture-of-experts: a top-k router, an MoE layer, and why it needs a balancing loss.

Axis legend: N tokens (batch and sequence flattened), C channels (d_model),
E experts, k experts per token, F expert hidden width (d_ff).

Routing rule: logits = x W_r; probs = softmax(logits) over all E experts; pick the
top-k. By default (as Mixtral) the k chosen probabilities are renormalised to sum to
1 and weight the chosen experts' outputs; with renormalise=False (as the Switch
Transformer, k = 1) the raw probabilities weight them. Renormalising a top-1 choice
would make its weight exactly 1 and cut the router off from the task's gradient.
The balancing loss always uses the raw probs.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


class Router(nn.Module):
    """Linear -> softmax -> top-k; top-k weights renormalised to sum to 1 by default."""

    def __init__(self, d_model: int, n_experts: int, k: int, renormalise: bool = True):
        super().__init__()
        if not 1 <= k <= n_experts:
            raise ValueError(f"k must be in [1, n_experts={n_experts}], got {k}")
        self.k = k
        self.renormalise = renormalise
        self.gate = nn.Linear(d_model, n_experts, bias=False)

    def forward(self, x: torch.Tensor):
        """x (N, C) -> probs (N, E), indices (N, k), weights (N, k)."""
        probs = F.softmax(self.gate(x), dim=-1)  # (N, E)
        top_probs, indices = probs.topk(self.k, dim=-1)  # (N, k) each
        if not self.renormalise:
            return probs, indices, top_probs
        weights = top_probs / top_probs.sum(dim=-1, keepdim=True)  # (N, k)
        return probs, indices, weights


class Expert(nn.Module):
    """One feed-forward expert: SwiGLU (three matrices) or GELU (two), no biases."""

    def __init__(self, d_model: int, d_ff: int, ffn: str = "swiglu"):
        super().__init__()
        if ffn not in ("swiglu", "gelu"):
            raise ValueError(f"ffn must be 'swiglu' or 'gelu', got {ffn!r}")
        self.ffn = ffn
        self.up = nn.Linear(d_model, d_ff, bias=False)
        self.down = nn.Linear(d_ff, d_model, bias=False)
        self.gate = nn.Linear(d_model, d_ff, bias=False) if ffn == "swiglu" else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.gate is None:
            return self.down(F.gelu(self.up(x)))
        return self.down(F.silu(self.gate(x)) * self.up(x))


@dataclass
class MoEOutput:
    output: torch.Tensor  # (N, C) or the input's (..., C): weighted expert outputs
    router_probs: torch.Tensor  # (N, E) softmax over all experts, before top-k
    expert_indices: torch.Tensor  # (N, k) experts chosen per token
    tokens_per_expert: torch.Tensor  # (E,) int64: tokens dispatched to each expert


class MoELayer(nn.Module):
    """Sparse MoE feed-forward layer: each token runs only its top-k experts."""

    def __init__(self, d_model: int, d_ff: int, n_experts: int, k: int,
                 ffn: str = "swiglu", renormalise: bool = True):
        super().__init__()
        self.n_experts = n_experts
        self.router = Router(d_model, n_experts, k, renormalise)
        self.experts = nn.ModuleList(
            Expert(d_model, d_ff, ffn) for _ in range(n_experts)
        )

    def forward(self, x: torch.Tensor) -> MoEOutput:
        shape = x.shape
        x = x.reshape(-1, shape[-1])  # (N, C)
        probs, indices, weights = self.router(x)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            token, slot = (indices == e).nonzero(as_tuple=True)  # (n_e,) each
            if token.numel() == 0:
                continue  # an idle expert costs nothing
            y = expert(x[token]) * weights[token, slot, None]  # (n_e, C)
            out.index_add_(0, token, y)
        counts = torch.bincount(indices.flatten(), minlength=self.n_experts)
        return MoEOutput(out.reshape(shape), probs, indices, counts)


def expert_fractions(expert_indices: torch.Tensor, n_experts: int) -> torch.Tensor:
    """f_i: share of the N·k routing assignments that went to expert i, (E,)."""
    counts = torch.bincount(expert_indices.flatten(), minlength=n_experts)
    return counts.to(torch.float32) / expert_indices.numel()


def load_balancing_loss(
    router_probs: torch.Tensor, expert_indices: torch.Tensor, n_experts: int
) -> torch.Tensor:
    """Switch Transformer auxiliary loss: E · Σ_i f_i · P_i.

    f_i = fraction of routing assignments sent to expert i (no gradient: it comes
    from a top-k), P_i = mean router probability of expert i over the N tokens (the
    differentiable part). Perfect balance (f_i = P_i = 1/E) gives 1.0; all tokens on
    one expert with probability 1 gives the maximum, E. 1.0 is not a minimum: when
    the probabilities favour the experts that receive few tokens, it goes below 1.
    router_probs (N, E), expert_indices (N, k).
    """
    if router_probs.shape[-1] != n_experts:
        raise ValueError(
            f"router_probs has {router_probs.shape[-1]} experts, expected {n_experts}"
        )
    f = expert_fractions(expert_indices, n_experts).to(router_probs.dtype)
    p = router_probs.mean(dim=0)  # (E,)
    return n_experts * (f * p).sum()


@dataclass
class ToyRouterRun:
    utilisation: torch.Tensor  # (steps, E): fraction of assignments per expert
    task_loss: torch.Tensor  # (steps,) regression loss before the update
    aux_loss: torch.Tensor  # (steps,) balancing loss before the update


def _clustered_tokens(gen: torch.Generator, n_tokens: int, centres: torch.Tensor):
    """Tokens scattered around random cluster centres, (n_tokens, C)."""
    which = torch.randint(0, centres.shape[0], (n_tokens,), generator=gen)
    noise = 0.1 * torch.randn(n_tokens, centres.shape[1], generator=gen)
    return centres[which] + noise


def train_toy_router(
    seed: int,
    aux_loss_weight: float,
    steps: int = 150,
    *,
    n_experts: int = 8,
    d_model: int = 16,
    d_ff: int = 32,
    n_clusters: int = 16,
    batch: int = 256,
    init_bias: float = 0.2,
    expert_lr: float = 0.1,
    router_lr: float = 1.0,
) -> ToyRouterRun:
    """Train a tiny top-1 MoE layer; record how its router spreads tokens.

    Setup (chosen so the classic failure is real, not staged):
    - Tokens: unit-norm cluster centres (n_clusters of them) plus N(0, 0.1²) noise.
    - Task: regress a frozen random teacher, tanh(x A) B, the same for every token,
      so any expert that learns it is useful everywhere. Loss: squared error summed
      over channels, averaged over tokens.
    - Layer: Switch-style top-1 routing with the raw gate probability as weight
      (renormalising a single choice would give weight 1 and no router gradient);
      GELU experts whose output projection starts at zero, so experts start useless
      and earn their worth by training.
    - Router: default init plus a bias of `init_bias` nats on expert 0, a slight
      head start (about a third of the tokens instead of an eighth at step 0).
    - Plain SGD, so an expert's learning speed is proportional to the tokens it gets.
    Without balancing, rich get richer: expert 0 sees more tokens, learns faster,
    becomes the most useful choice, and the router sends it still more, until
    nearly every token goes to it. With `aux_loss_weight` > 0 (0.1 is plenty) the
    Switch loss pushes back and utilisation stays near 1/n_experts each.
    Deterministic for a given seed (own generator, global RNG untouched); CPU,
    about 0.3 s for the default 150 steps.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if aux_loss_weight < 0:
        raise ValueError(f"aux_loss_weight must be >= 0, got {aux_loss_weight}")
    gen = torch.Generator().manual_seed(seed)
    centres = F.normalize(torch.randn(n_clusters, d_model, generator=gen), dim=-1)
    teacher_in = torch.randn(d_model, d_ff, generator=gen) / d_model**0.5
    teacher_out = torch.randn(d_ff, d_model, generator=gen) / d_ff**0.5

    with torch.random.fork_rng():  # initialise the layer without touching global RNG
        torch.manual_seed(seed)
        layer = MoELayer(d_model, d_ff, n_experts, k=1, ffn="gelu",
                         renormalise=False)
    with torch.no_grad():
        for expert in layer.experts:
            expert.down.weight.zero_()  # experts start useless
    bias = torch.zeros(n_experts)
    bias[0] = init_bias  # the slight head start that the dynamics amplify
    layer.router.gate.register_parameter("bias", nn.Parameter(bias))
    optimiser = torch.optim.SGD([
        {"params": layer.experts.parameters(), "lr": expert_lr},
        {"params": layer.router.parameters(), "lr": router_lr},
    ])

    utilisation = torch.zeros(steps, n_experts)
    task_losses, aux_losses = torch.zeros(steps), torch.zeros(steps)
    for step in range(steps):
        x = _clustered_tokens(gen, batch, centres)  # (N, C)
        target = torch.tanh(x @ teacher_in) @ teacher_out  # (N, C)
        out = layer(x)
        task = (out.output - target).pow(2).sum(dim=-1).mean()  # per-token SSE
        aux = load_balancing_loss(out.router_probs, out.expert_indices, n_experts)
        optimiser.zero_grad()
        (task + aux_loss_weight * aux).backward()
        optimiser.step()
        utilisation[step] = expert_fractions(out.expert_indices, n_experts)
        task_losses[step], aux_losses[step] = task.detach(), aux.detach()
    return ToyRouterRun(utilisation, task_losses, aux_losses)


def route_tokens(
    token_ids: list[int],
    *,
    n_experts: int = 8,
    k: int = 2,
    d_model: int = 32,
    vocab_size: int = 50257,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token expert choices from a seeded, untrained toy router.

    Each token id gets a random embedding from its own generator seeded by
    (seed, id), so no vocab-sized table is built, and a seeded router picks its
    top-k experts. The router sees the token alone, no context, so the same id always
    goes to the same experts; in a real model attention mixes context in first.
    Returns indices (T, k) int64 and renormalised weights (T, k).
    """
    ids = torch.as_tensor(token_ids, dtype=torch.int64)
    if ids.ndim != 1 or ids.numel() == 0:
        raise ValueError("token_ids must be a non-empty list of ints")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"token ids must be in [0, {vocab_size})")
    embeddings = torch.stack([
        torch.randn(d_model, generator=torch.Generator().manual_seed(
            seed * vocab_size + int(i)))
        for i in ids
    ])  # (T, C)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        router = Router(d_model, n_experts, k)
    with torch.no_grad():
        _, indices, weights = router(embeddings)
    return indices, weights
