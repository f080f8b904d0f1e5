"""Rotary position embeddings (RoPE): encode position by rotating pairs of channels.

Channel pair i of a query or key at position m is rotated by the angle m·θ_i, with
θ_i = base^(−2i/D). Because rotations compose, the dot product of a query rotated by
m·θ and a key rotated by n·θ depends on m − n only: position enters attention as a
relative offset, and no position vector is ever added to the embedding.

Pair layout: *interleaved*, pair i is channels (2i, 2i+1), as in the RoFormer paper
and Meta's original LLaMA code. Hugging Face and GPT-NeoX use the "rotate half"
layout instead, pairing channel i with channel i + D/2; it is the same rotation
applied to a permuted set of channels (apply_rope_rotate_half shows this, and the
tests check it). Weights trained with one layout need the permutation to work with
the other.

Context extension, two ways of fitting more positions into the angles seen in training:
- position interpolation squeezes positions by train_len / target_len;
- NTK-aware scaling raises the base, which slows the low frequencies a lot and the
  high frequencies hardly at all.
"""

import math

import torch


def rope_frequencies(head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """θ_i = base^(−2i/head_dim) for i = 0 … head_dim/2 − 1: (head_dim/2,) fp64."""
    if head_dim <= 0 or head_dim % 2:
        raise ValueError(f"head_dim must be positive and even, got {head_dim}")
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    return base ** (-2.0 * i / head_dim)


def rope_angles(
    positions: torch.Tensor, head_dim: int, base: float = 10000.0
) -> torch.Tensor:
    """Angle m·θ_i for every position m and pair i: (T,) -> (T, head_dim/2) fp64."""
    if positions.dim() != 1:
        raise ValueError(f"positions must be 1-D (T,), got {tuple(positions.shape)}")
    theta = rope_frequencies(head_dim, base)  # (D/2,)
    return positions.to(torch.float64).unsqueeze(1) * theta  # (T, D/2)


def apply_rope(
    x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0
) -> torch.Tensor:
    """Rotate each interleaved pair (x[2i], x[2i+1]) by positions·θ_i.

    Args:
        x: (..., T, D) queries or keys, D even.
        positions: (T,) int or float positions of the T rows.
        base: the θ base; 10000 in most models, larger for long-context ones.

    Returns:
        Same shape and dtype as x. The rotation is done in at least fp32.
    """
    if x.dim() < 2 or x.shape[-2] != positions.shape[-1]:
        raise ValueError(
            f"x must be (..., T, D) with T = len(positions); got x {tuple(x.shape)}, "
            f"positions {tuple(positions.shape)}"
        )
    compute_dtype = torch.promote_types(x.dtype, torch.float32)
    angles = rope_angles(positions, x.shape[-1], base).to(compute_dtype)  # (T, D/2)
    cos, sin = angles.cos(), angles.sin()
    pairs = x.to(compute_dtype).unflatten(-1, (-1, 2))  # (..., T, D/2, 2)
    even, odd = pairs[..., 0], pairs[..., 1]  # (..., T, D/2) each
    rotated = torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1)
    return rotated.flatten(-2).to(x.dtype)  # (..., T, D)


def rope_matrix(position: float, head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """The naive twin: the (D, D) block-diagonal rotation that apply_rope applies.

    apply_rope(x, [m]) == x @ rope_matrix(m, D).T, built from 2×2 rotation blocks.
    """
    position_1d = torch.tensor([position], dtype=torch.float64)  # (1,)
    angles = rope_angles(position_1d, head_dim, base)[0]  # (D/2,)
    matrix = torch.zeros(head_dim, head_dim, dtype=torch.float64)
    for i, angle in enumerate(angles.tolist()):
        c, s = math.cos(angle), math.sin(angle)
        block = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
        matrix[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = block
    return matrix


def apply_rope_rotate_half(
    x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0
) -> torch.Tensor:
    """RoPE in the "rotate half" layout: pair i is channels (i, i + D/2).

    Shapes as apply_rope. Used by Hugging Face LLaMA and GPT-NeoX.
    """
    half = x.shape[-1] // 2
    # Interleave the two halves, rotate as usual, then undo the interleaving.
    interleaved = torch.stack((x[..., :half], x[..., half:]), dim=-1).flatten(-2)
    rotated = apply_rope(interleaved, positions, base).unflatten(-1, (half, 2))
    return torch.cat((rotated[..., 0], rotated[..., 1]), dim=-1)  # (..., T, D)


def rotate_2d(vec2: torch.Tensor, angle: float | torch.Tensor) -> torch.Tensor:
    """Rotate a (..., 2) vector counter-clockwise by angle (radians)."""
    if vec2.shape[-1] != 2:
        raise ValueError(f"vec2 must end in a pair (..., 2), got {tuple(vec2.shape)}")
    angle = torch.as_tensor(angle, dtype=vec2.dtype)
    c, s = torch.cos(angle), torch.sin(angle)
    x, y = vec2[..., 0], vec2[..., 1]
    return torch.stack((c * x - s * y, s * x + c * y), dim=-1)


def interpolate_positions(
    positions: torch.Tensor, train_len: int, target_len: int
) -> torch.Tensor:
    """Position interpolation: scale positions by train_len / target_len.

    A model trained on train_len positions then sees only angles it has seen before,
    even at position target_len − 1. Returns fp64 positions, same shape.
    """
    if train_len <= 0 or target_len <= 0:
        raise ValueError("train_len and target_len must be positive")
    return positions.to(torch.float64) * (train_len / target_len)


def ntk_scaled_base(base: float, scale: float, head_dim: int) -> float:
    """NTK-aware RoPE: base · scale^(D/(D−2)).

    The exponent is chosen so that the slowest pair (i = D/2 − 1) is slowed by exactly
    `scale`, like position interpolation, while the fastest pair (i = 0) is unchanged.
    """
    if head_dim <= 2 or head_dim % 2:
        raise ValueError(f"head_dim must be even and > 2, got {head_dim}")
    return base * scale ** (head_dim / (head_dim - 2))
