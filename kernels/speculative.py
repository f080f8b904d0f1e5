"""Speculative decoding: a cheap draft model proposes, the target model verifies.

A "model" here is any callable prefix -> next-token distribution, a 1-D tensor of V
probabilities summing to 1. `table_model` turns an explicit probability table into
one, so tests and figures can use tiny vocabularies with exact answers.

One step: the draft proposes k tokens one at a time; the target scores all k + 1
positions (prefix, prefix + x1, ..., prefix + x1..xk), which on real hardware is one
batched forward pass. Tokens are accepted left to right; the first rejected position
gets a token from the target instead, and if all k are accepted the target's k+1-th
distribution gives a bonus token. So every step emits between 1 and k + 1 tokens.

Greedy variant: accept x_i iff it equals the target's argmax. Sampling variant
(Leviathan et al. 2023; Chen et al. 2023): accept x_i ~ q with probability
min(1, p(x_i)/q(x_i)); on rejection sample from norm(max(0, p - q)). Its output is
distributed exactly as sampling from the target p.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

Model = Callable[[Sequence[int]], torch.Tensor]


def table_model(table: torch.Tensor) -> Model:
    """A model from a table: (V,) is context-free, (V, V) conditions on the last token.

    For a (V, V) table row t is the distribution after token t; an empty prefix uses
    row 0.
    """
    if table.ndim not in (1, 2):
        raise ValueError(
            f"table must be (V,) or (V, V), got shape {tuple(table.shape)}"
        )
    if not torch.allclose(table.sum(-1), torch.ones((), dtype=table.dtype)):
        raise ValueError("every distribution in the table must sum to 1")

    def model(prefix: Sequence[int]) -> torch.Tensor:
        if table.ndim == 1:
            return table
        return table[prefix[-1] if prefix else 0]

    return model


@dataclass(frozen=True)
class SpeculativeStep:
    proposed: list[int]  # the k draft tokens
    n_accepted: int  # how many of them the target kept (0..k)
    tokens: list[int]  # emitted this step: accepted drafts + 1 target token


def greedy_decode(model: Model, prefix: Sequence[int], n_tokens: int) -> list[int]:
    """Plain greedy decoding: append argmax n_tokens times; returns the new tokens."""
    seq = list(prefix)
    for _ in range(n_tokens):
        seq.append(int(model(seq).argmax()))
    return seq[len(prefix):]


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k (draft tokens per step) must be >= 1, got {k}")


def speculative_step_greedy(draft: Model, target: Model, prefix: Sequence[int],
                            k: int) -> SpeculativeStep:
    """One greedy draft-and-verify step; output identical to greedy on the target."""
    _check_k(k)
    proposed = greedy_decode(draft, prefix, k)
    # the target's argmax at each of the k + 1 positions (one batched pass)
    verified = [int(target([*prefix, *proposed[:i]]).argmax()) for i in range(k + 1)]
    n_accepted = 0
    while n_accepted < k and proposed[n_accepted] == verified[n_accepted]:
        n_accepted += 1
    tokens = proposed[:n_accepted] + [verified[n_accepted]]
    return SpeculativeStep(proposed, n_accepted, tokens)


def residual_distribution(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """norm(max(0, p - q)): where to sample after a rejection.

    If p == q there is nothing left (and rejection has probability 0); return p.
    """
    residual = (p - q).clamp(min=0)
    total = residual.sum()
    return residual / total if total > 0 else p


def speculative_step_sampling(draft: Model, target: Model, prefix: Sequence[int],
                              k: int, generator: torch.Generator) -> SpeculativeStep:
    """One draft-and-verify step with the rejection-sampling rule.

    All randomness comes from `generator`, so a seeded generator makes it
    reproducible.
    """
    _check_k(k)
    seq, proposed, draft_dists = list(prefix), [], []
    for _ in range(k):
        q = draft(seq)
        token = int(torch.multinomial(q, 1, generator=generator))
        proposed.append(token)
        draft_dists.append(q)
        seq.append(token)
    target_dists = [target([*prefix, *proposed[:i]]) for i in range(k + 1)]
    for i, token in enumerate(proposed):
        p, q = target_dists[i], draft_dists[i]
        accept_prob = min(1.0, float(p[token] / q[token]))
        if float(torch.rand((), generator=generator)) >= accept_prob:
            correction = torch.multinomial(residual_distribution(p, q), 1,
                                           generator=generator)
            return SpeculativeStep(proposed, i, proposed[:i] + [int(correction)])
    bonus = int(torch.multinomial(target_dists[k], 1, generator=generator))
    return SpeculativeStep(proposed, k, proposed + [bonus])


def first_token_distribution(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Exact distribution of the first emitted token, k = 1, by enumeration.

    Draft proposes x with probability q(x) and it is kept with probability
    a(x) = min(1, p(x)/q(x)); otherwise (total probability 1 - Σ q·a) the token
    comes from the residual. The theorem says the result equals p.
    """
    accept = torch.where(q > 0, (p / q).clamp(max=1.0), torch.zeros_like(p))
    kept = q * accept
    return kept + (1 - kept.sum()) * residual_distribution(p, q)


def acceptance_rate(p: torch.Tensor, q: torch.Tensor) -> float:
    """α = Σ_x min(p(x), q(x)) = 1 - total variation distance (Leviathan et al.)."""
    return float(torch.minimum(p, q).sum())


def expected_tokens_per_step(alpha: float, k: int) -> float:
    """(1 - α^(k+1)) / (1 - α): mean tokens per step if each draft token is accepted
    independently with probability α (Leviathan et al. 2023, eq. 1); k + 1 at α = 1.
    """
    _check_k(k)
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if alpha == 1:
        return float(k + 1)
    return (1 - alpha ** (k + 1)) / (1 - alpha)


def walltime_speedup(alpha: float, k: int, cost_ratio: float) -> float:
    """Expected speed-up over plain decoding, Leviathan et al. (2023), Theorem 3.8:
    (1 − α^(k+1)) / ((1 − α)(c·k + 1)).

    A step costs k draft passes (c each, in target-pass units) plus one target pass
    and yields expected_tokens_per_step(α, k) tokens; plain decoding yields one per
    target pass. Assumes a target pass over k + 1 tokens costs the same as over one
    (memory-bound decoding) and independent acceptances.
    """
    if cost_ratio < 0:
        raise ValueError(f"cost_ratio must be >= 0, got {cost_ratio}")
    return expected_tokens_per_step(alpha, k) / (cost_ratio * k + 1)


def best_draft_length(alpha: float, cost_ratio: float, k_max: int) -> int:
    """The k in 1..k_max with the largest walltime_speedup (the smallest on a tie)."""
    _check_k(k_max)
    speedups = [walltime_speedup(alpha, k, cost_ratio) for k in range(1, k_max + 1)]
    return 1 + speedups.index(max(speedups))
