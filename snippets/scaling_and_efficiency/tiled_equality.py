"""In what sense tiled attention equals naive attention: measured differences.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Same random inputs, kernels.attention (naive) vs kernels.tiled_attention, in fp64
and fp32; the difference is rounding from a different summation order.
"""

import torch

from kernels.attention import attention
from kernels.tiled_attention import tiled_attention

SHAPE = (1, 4, 1024, 64)   # batch, heads, tokens, head width
BLOCK = 128


# --8<-- [start:compute]
def compare(dtype):
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(*SHAPE, generator=gen, dtype=torch.float64).to(dtype)
               for _ in range(3))
    naive = attention(q, k, v, is_causal=True)
    tiled = tiled_attention(q, k, v, block_q=BLOCK, block_k=BLOCK, is_causal=True)
    return {"max_diff": (naive - tiled).abs().max().item(),
            "equal": torch.equal(naive, tiled),
            "allclose": torch.allclose(naive, tiled),
            "close_for_dtype": torch.allclose(naive, tiled, rtol=0,
                                              atol=64 * torch.finfo(dtype).eps)}
# --8<-- [end:compute]


def main(book):
    f64, f32 = compare(torch.float64), compare(torch.float32)
    book.bound("fa_diff_fp64", f64["max_diff"], dtype="float64")
    book.bound("fa_diff_fp32", f32["max_diff"], dtype="float32")
    book.fact("fa_eq_tokens", SHAPE[2], fmt=",d")
    book.fact("fa_eq_heads", SHAPE[1], fmt="d")
    book.claim("fa_not_bit_identical", "not bit-identical",
               holds=not f32["equal"] and not f64["equal"],
               because=f"torch.equal fp32 {f32['equal']}, fp64 {f64['equal']}")
    book.claim("fa_allclose_default_fp32", "returns False",
               holds=not f32["allclose"], because=str(f32))
    book.claim("fa_allclose_dtype_tol", "within 64 units of rounding",
               holds=f32["close_for_dtype"] and f64["close_for_dtype"],
               because=f"{f32['max_diff']:.2e}, {f64['max_diff']:.2e}")
