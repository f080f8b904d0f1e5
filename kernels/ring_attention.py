"""Ring attention: blockwise attention with the key/value blocks passed around devices.

Axes: B batch, H heads, T sequence positions, D query/key width, Dv value width,
P devices, b = T / P positions per device.

Ring attention (Liu, Zaharia and Abbeel, ICLR 2024) splits one sequence over P
devices. Device i keeps query block i for the whole pass and starts with key/value
block i. At each of P steps it attends its queries to the K/V block it holds, folds
the result into a running output with the online-softmax rescaling of
tiled_attention.py, and hands the block to device i + 1 (mod P) while receiving one
from device i − 1. After P steps every query block has met every K/V block, so the
result is exactly full attention, yet no device ever holds more than two K/V blocks.

Here the P devices are simulated one after another on one CPU; the trace records
what each would hold, compute and send, so memory and traffic can be counted.
"""

import math
from dataclasses import dataclass

import torch

from kernels.attention import check_qkv


@dataclass(frozen=True)
class RingStep:
    """What one device does at one step of the ring, per (batch, head).

    kv_block: index of the K/V block it holds at this step.
    computed: False when a causal mask hides that whole block from its queries.
    held_elements: scalars it holds while computing: its query block (b·D), the K/V
        block in use (b·(D + Dv)), the K/V block arriving from its neighbour
        (b·(D + Dv), zero at the last step), the output accumulator (b·Dv), the
        running max and sum (2·b) and one (b, b) score tile if it computes.
    sent_elements: K/V scalars it sends to the next device (zero at the last step).
    """

    step: int
    device: int
    kv_block: int
    computed: bool
    held_elements: int
    sent_elements: int


def ring_block_at(device: int, step: int, n_devices: int) -> int:
    """Index of the K/V block `device` holds at `step`: it started with its own and
    has received one block from its left neighbour per step since."""
    return (device - step) % n_devices


def _record(step, device, kv_block, computed, b, d, dv, *, last) -> RingStep:
    """The RingStep of one device at one step (counts documented on RingStep)."""
    held = b * d + (1 if last else 2) * b * (d + dv) + b * dv + 2 * b
    return RingStep(step, device, kv_block, computed,
                    held_elements=held + (b * b if computed else 0),
                    sent_elements=0 if last else b * (d + dv))


def _fold_block(q_blk, k_blk, v_blk, state, mask):
    """One online-softmax update (as in tiled_attention) of a device's running state.

    q_blk: (B, H, b, D) already scaled; k_blk: (B, H, b, D); v_blk: (B, H, b, Dv);
    state: (row_max (B, H, b, 1), row_sum (B, H, b, 1), acc (B, H, b, Dv));
    mask: bool (b, b), True where a query may see a key, or None.
    """
    row_max, row_sum, acc = state
    scores = q_blk @ k_blk.transpose(-2, -1)  # (B, H, b, b)
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    new_max = torch.maximum(row_max, scores.amax(dim=-1, keepdim=True))
    # Every row sees at least its own key in a diagonal block, and the diagonal
    # block always comes first (step 0), so new_max is finite here.
    probs = torch.exp(scores - new_max)  # (B, H, b, b)
    correction = torch.exp(row_max - new_max)  # rescales what was summed before
    return (new_max, row_sum * correction + probs.sum(dim=-1, keepdim=True),
            acc * correction + probs @ v_blk)


def ring_attention_trace(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    n_devices: int,
    *,
    is_causal: bool = False,
    scale: float | None = None,
) -> tuple[torch.Tensor, list[RingStep]]:
    """Self-attention computed as P simulated devices passing K/V around a ring.

    Args:
        q, k: (B, H, T, D); v: (B, H, T, Dv). Self-attention: the same T for all.
        n_devices: P ≥ 1; must divide T (real systems pad the sequence to a multiple).
        is_causal: lower-triangular mask (query i sees keys 0..i).
        scale: multiplies the scores; default 1/√D.

    Returns:
        out: (B, H, T, Dv) in q's dtype, equal to full attention up to rounding
        (accumulated in at least fp32, as tiled_attention does).
        trace: P·P RingStep records, ordered by step, then device.
    """
    check_qkv(q, k, v)
    t = q.shape[-2]
    if k.shape[-2] != t:
        raise ValueError(f"ring attention here is self-attention: q has {t} "
                         f"positions, k has {k.shape[-2]}")
    if n_devices < 1 or t % n_devices:
        raise ValueError(f"n_devices must be >= 1 and divide the length: {t} positions "
                         f"over {n_devices} devices; pad the sequence to a multiple")
    b, d, dv = t // n_devices, q.shape[-1], v.shape[-1]
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    acc_dtype = torch.promote_types(q.dtype, torch.float32)
    batch_heads = torch.broadcast_shapes(q.shape[:2], k.shape[:2])
    block = lambda x, i: x[..., i * b:(i + 1) * b, :].to(acc_dtype)  # noqa: E731

    # --8<-- [start:ring]
    # Device i's own memory: its query block and its running softmax state.
    queries = [block(q, i) * scale for i in range(n_devices)]
    states = [(torch.full((*batch_heads, b, 1), -math.inf, dtype=acc_dtype),
               torch.zeros((*batch_heads, b, 1), dtype=acc_dtype),
               torch.zeros((*batch_heads, b, dv), dtype=acc_dtype))
              for _ in range(n_devices)]
    held = [(block(k, i), block(v, i)) for i in range(n_devices)]  # K/V block i
    diagonal = torch.ones(b, b, dtype=torch.bool).tril()  # own block, causal
    trace = []
    for step in range(n_devices):
        for i in range(n_devices):
            j = ring_block_at(i, step, n_devices)  # which K/V block device i holds
            # Causal: block j lies wholly after block i when j > i, so skip it.
            computed = not (is_causal and j > i)
            if computed:
                mask = diagonal if is_causal and j == i else None
                states[i] = _fold_block(queries[i], *held[i], states[i], mask)
            trace.append(_record(step, i, j, computed, b, d, dv,
                                 last=step == n_devices - 1))
        # Everyone sends to the right at once: device i now holds what i − 1 had.
        held = held[-1:] + held[:-1]
    # --8<-- [end:ring]
    out = torch.cat([acc / row_sum for _, row_sum, acc in states], dim=-2)
    return out.to(q.dtype), trace


def ring_attention(q, k, v, n_devices, *, is_causal=False, scale=None):
    """ring_attention_trace without the trace: (B, H, T, D) in, (B, H, T, Dv) out."""
    return ring_attention_trace(q, k, v, n_devices, is_causal=is_causal,
                                scale=scale)[0]


def ring_peak_elements(t: int, d: int, n_devices: int) -> int:
    """Most scalars one device holds at once (Dv = D), per (batch, head): the largest
    held count in ring_attention_trace, with b = t / P: b·d (queries) + 4·b·d (the
    K/V block in use and the one arriving; 2·b·d when P = 1, nothing arrives)
    + b·d (accumulator) + 2·b (max, sum) + b² (one score tile).
    Full attention on one device holds the (t, t) scores; this falls as 1/P."""
    if min(t, d, n_devices) < 1 or t % n_devices:
        raise ValueError(f"need t, d, n_devices >= 1 and n_devices | t, got "
                         f"{t}, {d}, {n_devices}")
    b = t // n_devices
    kv_blocks = 2 if n_devices > 1 else 1
    return 2 * b * d + kv_blocks * 2 * b * d + 2 * b + b * b


def ring_sent_elements(t: int, d: int, n_devices: int) -> int:
    """K/V scalars one device sends over a whole pass (Dv = D), per (batch, head):
    P − 1 blocks of 2·b·d, i.e. 2·t·d·(P − 1)/P, just under the whole K and V."""
    if min(t, d, n_devices) < 1 or t % n_devices:
        raise ValueError(f"need t, d, n_devices >= 1 and n_devices | t, got "
                         f"{t}, {d}, {n_devices}")
    return (n_devices - 1) * 2 * (t // n_devices) * d
