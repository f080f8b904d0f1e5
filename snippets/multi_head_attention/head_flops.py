"""Heads split d_model: the same FLOPs and parameters for 1 head and for 12 (GPT-2).

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md (facts).
FLOPs are counted by torch.utils.flop_counter on kernels.attention.multi_head_attention,
PyTorch's convention: a multiply-add is 2 FLOPs; the softmax is not counted.
"""

import torch
from torch.utils.flop_counter import FlopCounterMode

from kernels.attention import multi_head_attention
from kernels.presets import get_preset

TOKENS = 1024  # GPT-2's context length


# --8<-- [start:compute]
def count_flops(n_heads: int, d_model: int, tokens: int) -> int:
    """FLOPs of one multi-head attention layer on (1, tokens, d_model)."""
    x = torch.randn(1, tokens, d_model)
    weights = [torch.randn(d_model, d_model) for _ in range(4)]  # W_Q, W_K, W_V, W_O
    with FlopCounterMode(display=False) as counter:
        multi_head_attention(x, *weights, n_heads)
    return counter.get_total_flops()


def compute():
    gpt2 = get_preset("gpt2-small")
    return gpt2, {h: count_flops(h, gpt2.d_model, TOKENS) for h in (1, gpt2.n_heads)}
# --8<-- [end:compute]


def main(book):
    gpt2, flops = compute()
    d, h = gpt2.d_model, gpt2.n_heads
    book.fact("mha_tokens", TOKENS, fmt=",d")
    book.fact("mha_flops_1", flops[1], fmt="sci:3", unit="FLOPs")
    book.fact("mha_flops_h", flops[h], fmt="sci:3", unit="FLOPs")
    book.claim("mha_flops_equal", "exactly the same number of FLOPs",
               holds=flops[1] == flops[h], because=f"{flops[1]} vs {flops[h]}")
    # The closed forms: projections 4 · 2·T·d², scores and weighted sum 2 · 2·T²·d.
    book.fact("mha_flops_formula", 8 * TOKENS * d * d + 4 * TOKENS * TOKENS * d,
              fmt="sci:3", unit="FLOPs", expected=flops[1], rel_tol=0,
              source="8·T·d² + 4·T²·d")
    book.fact("mha_flops_proj", 8 * TOKENS * d * d, fmt="sci:3", unit="FLOPs")
    book.fact("mha_flops_mix", 4 * TOKENS * TOKENS * d, fmt="sci:3", unit="FLOPs")
    book.fact("mha_per_head_q_params", d * gpt2.head_dim, fmt=",d")
    book.fact("mha_all_heads_q_params", h * d * gpt2.head_dim, fmt=",d",
              expected=d * d, rel_tol=0, source="h · d·d_k = d²")
    # Dimension puzzles from the lesson.
    book.fact("puzzle_dk_512_8", 512 // 8, fmt="d")
    book.fact("puzzle_wo_512", 512 * 512, fmt=",d")
    book.fact("puzzle_512_over_9", 512 / 9, fmt=".2f")
    book.fact("transfer_qkv_256", 3 * 256 * 256, fmt=",d")
    book.fact("transfer_wo_256", 256 * 256, fmt=",d")
    book.fact("transfer_dk_256_4", 256 // 4, fmt="d")
    gpt3 = get_preset("gpt3-175b")
    book.fact("gpt3_d_model", gpt3.d_model, fmt=",d")
    book.fact("gpt2_wo_params", d * d, fmt=",d")
