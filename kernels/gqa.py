"""Grouped-query attention (GQA): several query heads share one key/value head.

Axes: B batch, Hq query heads, Hkv key/value heads, G = Hq/Hkv query heads per group,
T positions, D head width.

Only K and V are cached during decoding, so cutting Hkv cuts the KV cache by Hq/Hkv
while every query head keeps its own projection. Hkv = Hq is ordinary multi-head
attention (MHA); Hkv = 1 is multi-query attention (MQA).

Grouping: KV head j serves the G *consecutive* query heads j·G … j·G + G − 1, the
convention of torch's SDPA(enable_gqa=True) and of LLaMA's repeat_kv.
"""

import torch

from kernels.attention import attention


def _group_size(n_query_heads: int, n_kv_heads: int) -> int:
    if n_kv_heads <= 0 or n_query_heads % n_kv_heads:
        raise ValueError(
            f"query heads ({n_query_heads}) must be a multiple of "
            f"key/value heads ({n_kv_heads})"
        )
    return n_query_heads // n_kv_heads


def expand_kv(k: torch.Tensor, n_query_heads: int) -> torch.Tensor:
    """Copy each KV head G times so there is one per query head.

    (B, Hkv, T, D) -> (B, Hq, T, D): head j lands on query heads j·G … j·G + G − 1.
    """
    group = _group_size(n_query_heads, k.shape[1])
    return k.repeat_interleave(group, dim=1)  # (B, Hq, T, D)


def grouped_query_attention_naive(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *, is_causal: bool = False
) -> torch.Tensor:
    """The naive twin: expand K and V to Hq heads, then run ordinary attention."""
    n_query_heads = q.shape[1]
    k_full, v_full = expand_kv(k, n_query_heads), expand_kv(v, n_query_heads)
    return attention(q, k_full, v_full, is_causal=is_causal)  # (B, Hq, T, D)


def grouped_query_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *, is_causal: bool = False
) -> torch.Tensor:
    """Attention where each KV head serves G = Hq/Hkv consecutive query heads.

    Args:
        q: (B, Hq, Tq, D); k: (B, Hkv, Tk, D); v: (B, Hkv, Tk, Dv); Hq % Hkv == 0.
        is_causal: bottom-right aligned causal mask, as in attention().

    Returns:
        (B, Hq, Tq, Dv). No copy of K or V is made: the group axis broadcasts.
    """
    if q.dim() != 4 or k.dim() != 4 or v.dim() != 4:
        raise ValueError("q, k, v must be 4-D (B, H, T, D)")
    b, n_query_heads, t_q, d = q.shape
    n_kv_heads = k.shape[1]
    if k.shape[0] != b or v.shape[:2] != k.shape[:2]:
        raise ValueError(
            f"batch and head axes disagree: q {tuple(q.shape)}, k {tuple(k.shape)}, "
            f"v {tuple(v.shape)}"
        )
    group = _group_size(n_query_heads, n_kv_heads)
    # Fold the groups into the batch axis; a size-1 head axis on K/V then broadcasts.
    q_grouped = q.reshape(b * n_kv_heads, group, t_q, d)  # (B·Hkv, G, Tq, D)
    k_shared = k.reshape(b * n_kv_heads, 1, *k.shape[2:])  # (B·Hkv, 1, Tk, D)
    v_shared = v.reshape(b * n_kv_heads, 1, *v.shape[2:])  # (B·Hkv, 1, Tk, Dv)
    out = attention(q_grouped, k_shared, v_shared, is_causal=is_causal)
    return out.reshape(b, n_query_heads, t_q, v.shape[-1])  # (B, Hq, Tq, Dv)
