"""Why the stream must be added to, not replaced: near-uniform attention at init.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md (facts
only). Six random token vectors of GPT-2's width; one attention head with GPT-2's
initialisation (weights N(0, 0.02)) gives almost uniform weights, so without a
residual connection every token's output is nearly the same average and token
identity is lost; with it, each token is still nearest its own original vector.
"""

import torch

from kernels.attention import attention
from kernels.presets import get_preset

N_TOKENS, INIT_STD = 6, 0.02


# --8<-- [start:compute]
def compute():
    d = get_preset("gpt2-small").d_model
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(N_TOKENS, d, generator=gen, dtype=torch.float64)  # (T, C)
    w_q, w_k, w_v = (INIT_STD * torch.randn(d, d, generator=gen, dtype=torch.float64)
                     for _ in range(3))
    out, weights = attention((x @ w_q)[None, None], (x @ w_k)[None, None],
                             (x @ w_v)[None, None], return_weights=True)
    out, weights = out[0, 0], weights[0, 0]  # (T, C), (T, T)
    unit = torch.nn.functional.normalize
    replaced = unit(out, dim=-1)
    added = unit(x + out, dim=-1)
    original = unit(x, dim=-1)
    off_diag = ~torch.eye(N_TOKENS, dtype=torch.bool)
    return dict(
        max_dev=(weights - 1 / N_TOKENS).abs().max().item(),
        min_cos_between_outputs=(replaced @ replaced.T)[off_diag].min().item(),
        found_replaced=int(((replaced @ original.T).argmax(1) ==
                            torch.arange(N_TOKENS)).sum()),
        found_added=int(((added @ original.T).argmax(1) ==
                         torch.arange(N_TOKENS)).sum()),
        min_cos_kept=(added * original).sum(-1).min().item())
# --8<-- [end:compute]


def main(book):
    r = compute()
    book.fact("tb_res_tokens", N_TOKENS, fmt="d")
    book.fact("tb_res_init_std", INIT_STD, fmt=".2f")
    book.fact("tb_res_uniform", 1 / N_TOKENS, fmt=".3f")
    book.fact("tb_res_max_dev", r["max_dev"], fmt=".3f")
    book.fact("tb_res_min_cos_outputs", r["min_cos_between_outputs"], fmt=".3f")
    book.fact("tb_res_found_replaced", r["found_replaced"], fmt="d")
    book.fact("tb_res_found_added", r["found_added"], fmt="d")
    book.fact("tb_res_min_cos_kept", r["min_cos_kept"], fmt=".3f")
    book.claim("tb_res_identity_lost", "much alike",
               holds=r["min_cos_between_outputs"] > 0.8 and r["found_replaced"] <= 2,
               because=f"min cosine between outputs {r['min_cos_between_outputs']}")
