"""The Chinchilla parametric loss L(N, D) = E + A/N^α + B/D^β and its optimum.

N is the number of parameters, D the number of training tokens, C ≈ 6·N·D the
training compute in FLOPs (kernels/costs.py's convention: 2 FLOPs per parameter per
token forward, 4 backward; an approximation that ignores attention's T² term).
Loss is cross-entropy in nats per token on the fit's data (MassiveText).
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LossFit:
    E: float  # irreducible loss (nats/token): the entropy of text itself
    A: float  # parameter term coefficient
    B: float  # data term coefficient
    alpha: float  # exponent of N
    beta: float  # exponent of D
    source: str = ""


# Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models", Section
# 3.3 (Approach 3), equation (10): the published, rounded estimates.
CHINCHILLA = LossFit(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28,
                     source="Hoffmann et al. 2022, eq. (10)")


def loss(n_params: float, n_tokens: float, fit: LossFit = CHINCHILLA) -> float:
    """Predicted loss E + A/N^α + B/D^β (nats per token) for N params, D tokens."""
    if n_params <= 0 or n_tokens <= 0:
        raise ValueError(f"N and D must be > 0, got {n_params}, {n_tokens}")
    return fit.E + fit.A / n_params**fit.alpha + fit.B / n_tokens**fit.beta


def optimal_exponents(fit: LossFit = CHINCHILLA) -> tuple[float, float]:
    """(a, b) with N_opt ∝ C^a and D_opt ∝ C^b: a = β/(α+β), b = α/(α+β)."""
    total = fit.alpha + fit.beta
    return fit.beta / total, fit.alpha / total


def compute_optimal(flops: float, fit: LossFit = CHINCHILLA) -> tuple[float, float]:
    """(N_opt, D_opt) minimising loss(N, D) subject to 6·N·D = flops.

    Setting dL/dN = 0 along D = C/(6N) gives
    N_opt = G·(C/6)^(β/(α+β)) with G = (α·A / (β·B))^(1/(α+β)), D_opt = C/(6·N_opt).
    """
    if flops <= 0:
        raise ValueError(f"flops must be > 0, got {flops}")
    a, _ = optimal_exponents(fit)
    g = (fit.alpha * fit.A / (fit.beta * fit.B)) ** (1 / (fit.alpha + fit.beta))
    n_opt = g * (flops / 6) ** a
    return n_opt, flops / (6 * n_opt)


def frontier_loss_exponent(fit: LossFit = CHINCHILLA) -> float:
    """γ with L_opt(C) − E ∝ C^(−γ) along the compute-optimal frontier: αβ/(α+β)."""
    return fit.alpha * fit.beta / (fit.alpha + fit.beta)


def fit_power_law(x: list[float], y: list[float]) -> tuple[float, float]:
    """Least-squares fit of y = k·x^p on log-log axes; returns (k, p)."""
    if len(x) != len(y) or len(x) < 2:
        raise ValueError("need at least two (x, y) pairs of equal length")
    if min(x) <= 0 or min(y) <= 0:
        raise ValueError("a power law needs positive x and y")
    lx = [math.log(v) for v in x]
    ly = [math.log(v) for v in y]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    if sxx == 0:
        raise ValueError("x values must not all be equal")
    p = sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sxx
    return math.exp(my - p * mx), p


@dataclass(frozen=True)
class TrainingRun:
    name: str
    n_params: float  # parameters, as published
    n_tokens: float  # training tokens, as published
    source: str


PUBLISHED_RUNS = (
    # Brown et al. 2020, Table 2.1 (175.0B) and Table D.1 / section 2.2 (300B tokens)
    TrainingRun("GPT-3", 175e9, 300e9, "Brown et al. 2020, Tables 2.1 and D.1"),
    # Rae et al. 2021, Table 1 (280B) and section 3 (trained on 300B tokens)
    TrainingRun("Gopher", 280e9, 300e9, "Rae et al. 2021, Table 1 and section 3"),
    # Hoffmann et al. 2022, section 4.1: 70B parameters, 1.4 trillion tokens
    TrainingRun("Chinchilla", 70e9, 1.4e12, "Hoffmann et al. 2022, section 4.1"),
    # Touvron et al. 2023 (LLaMA 1), Table 2: 65.2B params, 1.4T tokens
    TrainingRun("LLaMA-65B", 65.2e9, 1.4e12, "Touvron et al. 2023, Table 2"),
)


def training_flops_6nd(n_params: float, n_tokens: float) -> float:
    """C ≈ 6·N·D (kernels.costs.training_flops's convention, for published N, D)."""
    if n_params <= 0 or n_tokens <= 0:
        raise ValueError(f"N and D must be > 0, got {n_params}, {n_tokens}")
    return 6 * n_params * n_tokens
