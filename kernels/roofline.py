"""FLOPs and bytes of the operations in a transformer layer, for a roofline plot.

Each function returns an OpCost: FLOPs (one add, multiply, compare or exp each, as in
kernels/costs.py), bytes read from and written to device memory once each (the
ideal: no re-reads, caches ignored), and their ratio, the arithmetic intensity.
`bytes_per_element` is 2 for fp16/bf16, 4 for fp32. Where an operation's exact FLOP
count depends on the implementation, the docstring says what was counted.
"""

from typing import NamedTuple

from kernels.costs import matmul_cost
from kernels.tiled_attention import naive_hbm_elements, tiled_hbm_elements


class OpCost(NamedTuple):
    flops: int
    bytes_moved: int

    @property
    def intensity(self) -> float:
        """FLOPs per byte moved."""
        return self.flops / self.bytes_moved


def _positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")


def vector_add(n: int, bytes_per_element: int = 2) -> OpCost:
    """z = x + y for vectors of n elements: n FLOPs; read 2n, write n elements."""
    _positive(n=n, bytes_per_element=bytes_per_element)
    return OpCost(n, 3 * n * bytes_per_element)


def layer_norm(rows: int, width: int, bytes_per_element: int = 2) -> OpCost:
    """LayerNorm over the last axis of a (rows, width) tensor, with weight and bias.

    Per element 8 FLOPs: add into the mean, subtract it, square, add into the
    variance, multiply by 1/std, multiply by the weight, add the bias, plus the share
    of the per-row divisions (counted as 1). Bytes: read x, write y, read the weight
    and bias once.
    """
    _positive(rows=rows, width=width, bytes_per_element=bytes_per_element)
    elements = rows * width
    return OpCost(8 * elements, (2 * elements + 2 * width) * bytes_per_element)


def softmax(rows: int, width: int, bytes_per_element: int = 2) -> OpCost:
    """Softmax over the last axis of (rows, width): per element a compare for the
    max, a subtract, an exp, an add into the sum and a divide (5 FLOPs); read the
    input once, write the output once."""
    _positive(rows=rows, width=width, bytes_per_element=bytes_per_element)
    elements = rows * width
    return OpCost(5 * elements, 2 * elements * bytes_per_element)


def attention_decode(context: int, n_heads: int, head_dim: int,
                     bytes_per_element: int = 2) -> OpCost:
    """One new token's query attends to `context` cached keys, all heads of a layer.

    FLOPs: 4·context·head_dim per head (q·k for each key, then the weighted sum of
    the values), softmax not counted. Bytes: read the cached K and V
    (2·context·head_dim), read q and write the output (2·head_dim), per head.
    """
    _positive(context=context, n_heads=n_heads, head_dim=head_dim,
              bytes_per_element=bytes_per_element)
    flops = 4 * context * head_dim * n_heads
    elements = (2 * context * head_dim + 2 * head_dim) * n_heads
    return OpCost(flops, elements * bytes_per_element)


def attention_prefill(seq_len: int, n_heads: int, head_dim: int, *, tiled: bool,
                      block: int = 128, bytes_per_element: int = 2) -> OpCost:
    """Self-attention over a whole prompt of seq_len tokens, all heads, no mask.

    FLOPs: 4·T²·head_dim per head (QKᵀ and PV). Bytes: naive_hbm_elements (the score
    matrix written and read back) or tiled_hbm_elements with square blocks.
    """
    _positive(seq_len=seq_len, n_heads=n_heads, head_dim=head_dim, block=block,
              bytes_per_element=bytes_per_element)
    flops = 4 * seq_len * seq_len * head_dim * n_heads
    if tiled:
        elements = tiled_hbm_elements(seq_len, head_dim, block, block)
    else:
        elements = naive_hbm_elements(seq_len, head_dim)
    return OpCost(flops, elements * n_heads * bytes_per_element)


def ffn_matmul(tokens: int, d_model: int, d_ff: int,
               bytes_per_element: int = 2) -> OpCost:
    """The FFN's up projection for a batch of `tokens`: (tokens, d_model) @
    (d_model, d_ff), as kernels.costs.matmul_cost counts it."""
    cost = matmul_cost(tokens, d_model, d_ff, bytes_per_element)
    return OpCost(cost.flops, cost.bytes_moved)
