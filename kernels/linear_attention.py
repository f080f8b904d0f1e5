"""Linear attention: replace softmax by a feature map and reorder the product.

Axes: B batch, H heads, T positions, D query/key width, Dv value width.

Softmax attention needs every score exp(q·k) before it can normalise. If the
similarity is instead φ(q)·φ(k) for a positive feature map φ (Katharopoulos et al.
2020 use elu(x) + 1), then

    out_i = Σ_j (φ(q_i)·φ(k_j)) v_j / Σ_j φ(q_i)·φ(k_j)
          = φ(q_i) (Σ_j φ(k_j)ᵀ v_j) / φ(q_i) (Σ_j φ(k_j))

and the bracket, a (D, Dv) matrix, is shared by every query. Quadratic form: build the
(T, T) matrix φ(Q)φ(K)ᵀ. Linear form: build φ(K)ᵀV (D × Dv) once, O(T) in length.
Causal attention replaces the sum over all j by a running (prefix) sum over j ≤ i.

It is not softmax attention: the two forms below agree with each other, not with
attention.py.
"""

from collections.abc import Callable

import torch

FeatureMap = Callable[[torch.Tensor], torch.Tensor]


def elu_feature_map(x: torch.Tensor) -> torch.Tensor:
    """φ(x) = elu(x) + 1: x + 1 for x > 0, exp(x) otherwise; positive, so the
    normaliser never vanishes.

    Written as exp(x) rather than F.elu(x) + 1, which is the same number in exact
    arithmetic but rounds to 0 in fp32 below x ≈ −17 (exp(x) − 1 + 1 cancels).
    """
    return torch.where(x > 0, x + 1, torch.exp(x))


def _check(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    if q.dim() != 4 or q.shape != k.shape or k.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            "expected q, k (B, H, T, D) of equal shape and v (B, H, T, Dv); got "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )


def linear_attention_quadratic(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    feature_map: FeatureMap = elu_feature_map,
    causal: bool = False,
) -> torch.Tensor:
    """The naive twin: form the (T, T) similarity matrix explicitly.

    q, k (B, H, T, D), v (B, H, T, Dv) -> (B, H, T, Dv).
    """
    _check(q, k, v)
    similarity = feature_map(q) @ feature_map(k).transpose(-2, -1)  # (B, H, T, T)
    if causal:
        similarity = similarity.tril()  # keys after the query contribute nothing
    normaliser = similarity.sum(dim=-1, keepdim=True)  # (B, H, T, 1)
    return (similarity @ v) / normaliser  # (B, H, T, Dv)


def linear_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    feature_map: FeatureMap = elu_feature_map,
    causal: bool = False,
) -> torch.Tensor:
    """The associative form: φ(K)ᵀV first, never a (T, T) matrix.

    q, k (B, H, T, D), v (B, H, T, Dv) -> (B, H, T, Dv).
    Non-causal keeps one (D, Dv) state; causal keeps its prefix sum at every step,
    (T, D, Dv), which is what a recurrent implementation would update in place.
    """
    _check(q, k, v)
    phi_q, phi_k = feature_map(q), feature_map(k)  # (B, H, T, D)
    if not causal:
        kv_state = phi_k.transpose(-2, -1) @ v  # (B, H, D, Dv)
        key_sum = phi_k.sum(dim=-2)  # (B, H, D)
        numerator = phi_q @ kv_state  # (B, H, T, Dv)
        denominator = (phi_q * key_sum.unsqueeze(-2)).sum(-1, keepdim=True)
        return numerator / denominator  # (B, H, T, Dv)
    outer = phi_k.unsqueeze(-1) * v.unsqueeze(-2)  # (B, H, T, D, Dv)
    kv_states = outer.cumsum(dim=2)  # (B, H, T, D, Dv): Σ_{j≤i} φ(k_j)ᵀ v_j
    key_sums = phi_k.cumsum(dim=2)  # (B, H, T, D)
    numerator = (phi_q.unsqueeze(-1) * kv_states).sum(dim=-2)  # (B, H, T, Dv)
    denominator = (phi_q * key_sums).sum(dim=-1, keepdim=True)  # (B, H, T, 1)
    return numerator / denominator


def quadratic_intermediate_elements(t: int) -> int:
    """Scalars in the (T, T) similarity matrix the quadratic form builds, per head."""
    return t * t


def linear_intermediate_elements(d: int, d_v: int) -> int:
    """Scalars in the (D, Dv) state φ(K)ᵀV the linear form builds, per head.

    Independent of T. (The key-sum vector adds D more; the causal cumsum version
    here stores the state at each of the T steps, a recurrent loop would not.)
    """
    return d * d_v
