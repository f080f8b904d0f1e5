"""Scaled dot-product attention, the naive way: build the whole score matrix.

    out = softmax(Q Kᵀ / √D + mask) V

Axes: B batch, H heads, Tq query positions, Tk key positions, D query/key width,
Dv value width, C model width (C = H·D).

This is the reference every other kernel in the package is tested against (after it is
itself tested against torch.nn.functional.scaled_dot_product_attention). It holds the
(Tq, Tk) score matrix in memory at once; tiled_attention.py shows how to avoid that.

Conventions, chosen to match SDPA:
- A bool mask keeps the positions that are True; a float mask is added to the scores.
- A query row with no visible key returns zeros (and zero weights), as SDPA does on
  CPU, rather than the NaNs that softmax over an all −∞ row would give.
- ``is_causal`` aligns the causal triangle to the bottom right: with Tk > Tq the
  queries are the *last* Tq positions, which is what decoding with a KV cache needs.
  SDPA's own ``is_causal`` aligns it to the top left, so the two agree only for
  Tq == Tk; for Tq != Tk pass ``attn_mask=causal_mask(Tq, Tk)`` to SDPA instead.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn


def causal_mask(t_q: int, t_k: int | None = None) -> torch.Tensor:
    """Bool (t_q, t_k) mask, True where query i may attend to key j.

    Query i sits at absolute position i + (t_k − t_q) and sees every key at or before
    that position. With t_k == t_q (the default) this is the lower triangle.
    """
    t_k = t_q if t_k is None else t_k
    if t_q < 0 or t_k < 0:
        raise ValueError(f"sequence lengths must be >= 0, got t_q={t_q}, t_k={t_k}")
    query_pos = torch.arange(t_q).unsqueeze(1) + (t_k - t_q)  # (t_q, 1)
    key_pos = torch.arange(t_k).unsqueeze(0)  # (1, t_k)
    return key_pos <= query_pos  # (t_q, t_k)


def check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    """Raise ValueError unless q, k, v have shapes attention() accepts.

    (B, H) of q and k/v need only broadcast: gqa.py uses that to let one KV head serve
    a group of query heads without copying it.
    """
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise ValueError(
            "q, k, v must be 4-D (B, H, T, D), got "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k widths differ: {q.shape[-1]} vs {k.shape[-1]}")
    if k.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            f"k and v must agree on (B, H, Tk): {tuple(k.shape)} vs {tuple(v.shape)}"
        )
    try:
        torch.broadcast_shapes(q.shape[:2], k.shape[:2])
    except RuntimeError:
        raise ValueError(
            f"(B, H) of q {tuple(q.shape[:2])} and k {tuple(k.shape[:2])} "
            "do not broadcast"
        ) from None


def _resolve_mask(
    mask: torch.Tensor | None, is_causal: bool, t_q: int, t_k: int
) -> torch.Tensor | None:
    """Turn the mask arguments into one mask (bool or float) for the scores, or None."""
    if is_causal and mask is not None:
        raise ValueError("pass either mask or is_causal=True, not both")
    if is_causal:
        return causal_mask(t_q, t_k)
    if mask is not None:
        try:
            torch.broadcast_shapes(mask.shape, (1, 1, t_q, t_k))
        except RuntimeError:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to "
                f"(B, H, {t_q}, {t_k})"
            ) from None
    return mask


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    *,
    is_causal: bool = False,
    scale: float | None = None,
    return_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ · scale + mask) v, materialising the full score matrix.

    Args:
        q: (B, H, Tq, D) queries.
        k: (B, H, Tk, D) keys.
        v: (B, H, Tk, Dv) values.
        mask: bool (True = may attend) or additive float, broadcastable to
            (B, H, Tq, Tk); or None.
        is_causal: apply causal_mask(Tq, Tk) (bottom-right aligned, see module doc).
        scale: multiplies the scores; default 1/√D.
        return_weights: also return the attention weights.

    Returns:
        out (B, H, Tq, Dv), or (out, weights (B, H, Tq, Tk)) if return_weights.
        Query rows with no visible key give zero output and zero weights.
    """
    check_qkv(q, k, v)
    t_q, t_k = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    # Half-precision softmax loses too much; do it in fp32 like SDPA and FlashAttention.
    softmax_dtype = torch.promote_types(q.dtype, torch.float32)
    # Scale q (Tq·D numbers) rather than the scores (Tq·Tk) so the only Tq×Tk
    # intermediates are the scores and the weights.
    scores = (q * scale) @ k.transpose(-2, -1)  # (B, H, Tq, Tk)
    mask = _resolve_mask(mask, is_causal, t_q, t_k)
    if mask is not None and mask.dtype == torch.bool:
        scores = scores.masked_fill(~mask, float("-inf"))
        has_key = mask.any(dim=-1, keepdim=True)
    elif mask is not None:
        scores = scores + mask.to(scores.dtype)
        has_key = (mask > float("-inf")).any(dim=-1, keepdim=True)
    weights = torch.softmax(scores, dim=-1, dtype=softmax_dtype)  # (B, H, Tq, Tk)
    # A row of all −∞ softmaxes to NaN; SDPA returns zeros there, and so do we.
    if mask is not None and not bool(has_key.all()):
        weights = weights.masked_fill(~has_key, 0.0)
    weights = weights.to(v.dtype)
    out = weights @ v  # (B, H, Tq, Dv)
    return (out, weights) if return_weights else out


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """(B, T, C) -> (B, H, T, C/H): give each head its own slice of the channels."""
    b, t, c = x.shape
    return x.view(b, t, n_heads, c // n_heads).transpose(1, 2)  # (B, H, T, D)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, H, T, D) -> (B, T, H·D): concatenate the heads' outputs again."""
    b, h, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, h * d)  # (B, T, C)


def multi_head_attention(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    w_o: torch.Tensor,
    n_heads: int,
    *,
    is_causal: bool = False,
    biases: tuple[torch.Tensor | None, ...] | None = None,
) -> torch.Tensor:
    """Self-attention with n_heads heads and nn.Linear weights (y = x Wᵀ + b).

    Args:
        x: (B, T, C) input.
        w_q, w_k, w_v, w_o: (C, C) projection weights, nn.Linear convention.
        n_heads: H; must divide C. Each head gets D = C/H channels.
        is_causal: each position attends only to itself and earlier positions.
        biases: optional (b_q, b_k, b_v, b_o), each (C,) or None.

    Returns:
        (B, T, C).
    """
    if x.dim() != 3:
        raise ValueError(f"x must be (B, T, C), got shape {tuple(x.shape)}")
    c = x.shape[-1]
    if n_heads <= 0 or c % n_heads:
        raise ValueError(f"n_heads={n_heads} must be positive and divide C={c}")
    b_q, b_k, b_v, b_o = biases if biases is not None else (None,) * 4
    q = split_heads(F.linear(x, w_q, b_q), n_heads)  # (B, H, T, D)
    k = split_heads(F.linear(x, w_k, b_k), n_heads)  # (B, H, T, D)
    v = split_heads(F.linear(x, w_v, b_v), n_heads)  # (B, H, T, D)
    out = attention(q, k, v, is_causal=is_causal)  # (B, H, T, D)
    return F.linear(merge_heads(out), w_o, b_o)  # (B, T, C)


class MultiHeadAttention(nn.Module):
    """nn.Module holding the four projections; forward calls multi_head_attention."""

    def __init__(self, d_model: int, n_heads: int, bias: bool = False):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x: torch.Tensor, is_causal: bool = False) -> torch.Tensor:
        """x (B, T, C) -> (B, T, C)."""
        layers = (self.q_proj, self.k_proj, self.v_proj, self.out_proj)
        return multi_head_attention(
            x,
            *(layer.weight for layer in layers),
            self.n_heads,
            is_causal=is_causal,
            biases=tuple(layer.bias for layer in layers),
        )
