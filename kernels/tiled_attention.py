"""Tiled attention with an online softmax: the FlashAttention forward pass in PyTorch.

Axes: B batch, H heads, Tq / Tk query / key positions, D head width, Dv value width,
bq / bk the query / key block sizes.

Naive attention (attention.py) holds the whole (Tq, Tk) score matrix. Here a block of
bq queries meets the keys bk at a time, and only a (bq, bk) tile of scores ever exists.
The softmax is computed online: for each query row we keep the running maximum m of
the scores seen so far and the running sum l of exp(score − m). When a new tile raises
the maximum, everything accumulated so far is rescaled by exp(m_old − m_new), so the
result is exactly softmax(scores) v, just summed in a different order.

The arithmetic (FLOPs) is the same as the naive version; only the memory changes.
With a causal mask, tiles that lie entirely above the diagonal are skipped, which does
save about half the work.
"""

import math

import torch

from kernels.attention import check_qkv


def tiled_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    block_q: int = 64,
    block_k: int = 64,
    is_causal: bool = False,
    scale: float | None = None,
) -> torch.Tensor:
    """softmax(q kᵀ · scale) v without ever holding more than a (bq, bk) score tile.

    Args:
        q: (B, H, Tq, D); k: (B, H, Tk, D); v: (B, H, Tk, Dv).
        block_q, block_k: tile sizes; need not divide Tq or Tk.
        is_causal: bottom-right aligned causal mask, as attention(is_causal=True).
        scale: multiplies the scores; default 1/√D.

    Returns:
        (B, H, Tq, Dv) in q's dtype. Scores and the running statistics are kept in
        at least fp32, as FlashAttention does. Rows with no visible key give zeros.
    """
    check_qkv(q, k, v)
    if block_q <= 0 or block_k <= 0:
        raise ValueError(f"block sizes must be positive, got {block_q}, {block_k}")
    t_q, t_k = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    acc_dtype = torch.promote_types(q.dtype, torch.float32)
    batch_heads = torch.broadcast_shapes(q.shape[:2], k.shape[:2])
    out = q.new_empty(*batch_heads, t_q, v.shape[-1])  # (B, H, Tq, Dv)
    offset = t_k - t_q  # query i sits at absolute position i + offset

    for q_start in range(0, t_q, block_q):
        q_end = min(q_start + block_q, t_q)
        q_blk = q[..., q_start:q_end, :].to(acc_dtype) * scale  # (B, H, bq, D)
        n_rows = q_end - q_start
        row_max = torch.full((*batch_heads, n_rows, 1), -math.inf, dtype=acc_dtype)
        row_sum = torch.zeros((*batch_heads, n_rows, 1), dtype=acc_dtype)
        acc = torch.zeros((*batch_heads, n_rows, v.shape[-1]), dtype=acc_dtype)

        # With a causal mask no query in this block sees a key past its last row.
        k_stop = min(t_k, q_end + offset) if is_causal else t_k
        for k_start in range(0, max(k_stop, 0), block_k):
            k_end = min(k_start + block_k, t_k)
            k_blk = k[..., k_start:k_end, :].to(acc_dtype)  # (B, H, bk, D)
            v_blk = v[..., k_start:k_end, :].to(acc_dtype)  # (B, H, bk, Dv)
            scores = q_blk @ k_blk.transpose(-2, -1)  # (B, H, bq, bk)
            if is_causal and k_end - 1 > q_start + offset:  # tile crosses diagonal
                query_pos = torch.arange(q_start, q_end).unsqueeze(1) + offset
                key_pos = torch.arange(k_start, k_end).unsqueeze(0)
                scores.masked_fill_(key_pos > query_pos, -math.inf)  # (bq, bk) mask

            # --8<-- [start:online_softmax]
            new_max = torch.maximum(row_max, scores.amax(dim=-1, keepdim=True))
            # A row that has seen only masked keys still has max −∞; subtracting 0
            # instead keeps exp(−∞ − (−∞)) = NaN out of it.
            safe_max = new_max.masked_fill(new_max == -math.inf, 0.0)
            # In place: the tile's scores are not needed once exponentiated.
            probs = scores.sub_(safe_max).exp_()  # (B, H, bq, bk)
            correction = torch.exp(row_max - safe_max)  # rescales the old sums
            row_sum = row_sum * correction + probs.sum(dim=-1, keepdim=True)
            acc = acc.mul_(correction).add_(probs @ v_blk)  # (B, H, bq, Dv)
            row_max = new_max
            # --8<-- [end:online_softmax]

        # Fully masked rows have row_sum 0 and acc 0; divide by 1 to return zeros.
        row_sum = row_sum.masked_fill(row_sum == 0, 1.0)
        out[..., q_start:q_end, :] = (acc / row_sum).to(out.dtype)
    return out


def tiled_peak_elements(t: int, d: int, block_q: int, block_k: int) -> int:
    """Scalars tiled_attention holds at once per (batch, head), beyond inputs/output.

    Counted: one (bq, bk) tile of scores, exponentiated in place into probabilities
    (bq·bk); the scaled query block, the running output accumulator and the tile's
    contribution probs @ v (3·bq·d); the running max and sum (2·bq). Here
    bq = min(block_q, t), bk = min(block_k, t) and Dv = D.
    Not counted: the inputs q, k, v and the (t, d) output, which any method needs, and
    the causal mask of a diagonal tile (bq·bk bools) and its index vectors.
    Independent of t once t ≥ the block sizes.
    """
    bq, bk = min(block_q, t), min(block_k, t)
    return bq * bk + 3 * bq * d + 2 * bq


def naive_peak_elements(t: int, d: int) -> int:
    """Scalars naive attention() holds at once per (batch, head), beyond inputs/output.

    Counted: two (t, t) matrices alive at once, the scores and then either their
    masked copy or the softmax weights (2·t²).
    Not counted: q, k, v, the (t, d) output and the bool mask, if any (1 byte per
    score for the mask, 1 more for its negation while masking). d is accepted for
    symmetry with tiled_peak_elements; the count does not depend on it.
    """
    return 2 * t * t


def naive_hbm_elements(t: int, d: int) -> int:
    """Scalars naive attention moves between device memory and the chip, per head.

    Standard attention as three separate kernels (Dao et al. 2022, Algorithm 0), no
    mask: read Q and K (2·t·d), write the scores S (t²); read S, write P = softmax(S)
    (2·t²); read P and V (t² + t·d), write the output (t·d). Total 4·t·d + 4·t².
    A causal mask applied as its own pass would add 2·t² more; it is not counted.
    """
    if t < 1 or d < 1:
        raise ValueError(f"t and d must be >= 1, got {t}, {d}")
    return 4 * t * d + 4 * t * t


def tiled_hbm_elements(t: int, d: int, block_q: int, block_k: int,
                       *, is_causal: bool = False) -> int:
    """Scalars tiled_attention moves between device memory and the chip, per head.

    Follows tiled_attention's loops with self-attention (Tq = Tk = t): each query
    block is read once (t·d in all) and its output written once (t·d); inside, every
    key block the block visits is read from memory, K and V (2·bk·d each visit).
    Scores, probabilities and running statistics stay on chip and are never counted.
    With is_causal, key blocks wholly above the diagonal are skipped, as the kernel
    does. Non-causal: 2·t·d + 2·t·d·ceil(t / block_q).
    """
    if min(t, d, block_q, block_k) < 1:
        raise ValueError(f"t, d and block sizes must be >= 1, got {t}, {d}, "
                         f"{block_q}, {block_k}")
    kv_rows = 0  # key/value rows read, summed over query blocks
    for q_start in range(0, t, block_q):
        q_end = min(q_start + block_q, t)
        k_stop = q_end if is_causal else t
        for k_start in range(0, k_stop, block_k):
            kv_rows += min(k_start + block_k, t) - k_start
    return 2 * t * d + 2 * kv_rows * d
