"""softmax(QKᵀ/√d_k) V for the running example: one output per token, and the
residual output + x.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md.
"""

import torch

from kernels.running_example import TOKENS, running_example
from snippets.attention_plots import matrix_table, vec


# --8<-- [start:table]
def table():
    ex = running_example()
    out = ex["weights"] @ ex["v"]  # (4, 3): row i = Σ_j weights[i, j] · v_j
    rows = [[*o.tolist(), *r.tolist()] for o, r in zip(out, out + ex["x"])]
    header = ["out₁", "out₂", "out₃", "(out + x)₁", "(out + x)₂", "(out + x)₃"]
    return ex, out, matrix_table(rows, TOKENS, header, corner="token", trim=False)
# --8<-- [end:table]


def main(book):
    ex, out, md = table()
    book.claim("rx_out_matches_kernel", "the same as",
               holds=bool(torch.allclose(out, ex["out"], atol=1e-12)),
               because="weights @ V vs kernels.attention")
    for i, t in enumerate(TOKENS):
        book.fact(f"rx_out_{t.lower()}", 0, text=vec(out[i]))
        book.fact(f"rx_resid_{t.lower()}", 0, text=vec(ex["residual"][i]))
    book.fact("rx_n_outputs", out.shape[0], fmt="d")
    book.table(md, caption=(
        "Step 3: the attention output softmax(QKᵀ / √d_k) V, one row per token, and "
        "the same row after the residual connection adds the token's own "
        "embedding back. Four tokens in, four vectors out."))
