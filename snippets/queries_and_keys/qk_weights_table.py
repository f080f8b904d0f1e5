"""softmax(QKᵀ/√d_k) for the running example: the attention weights of one head.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

import torch

from kernels.running_example import TOKENS, running_example
from snippets.attention_plots import matrix_table


# --8<-- [start:table]
def table():
    ex = running_example()
    weights = ex["weights"]  # softmax(Q Kᵀ / √3), row by row
    return ex, matrix_table(weights.tolist(), TOKENS, TOKENS, corner="row → column")
# --8<-- [end:table]


def main(book):
    ex, md = table()
    w = ex["weights"]
    for i, a in enumerate(TOKENS):
        for j, b in enumerate(TOKENS):
            book.fact(f"rx_w_{a.lower()}_{b.lower()}", w[i, j], fmt=".3f")
    raw = ex["raw_weights"]
    book.claim("rx_cat_row_flatter", "flatter than",
               holds=bool(w[1].max() < raw[1].max()),
               because=f"max {w[1].max():.3f} vs raw {raw[1].max():.3f}")
    book.claim("rx_weights_rows_sum", "sums to 1",
               holds=bool(torch.allclose(w.sum(-1), torch.ones(4, dtype=w.dtype))),
               because=str(w.sum(-1).tolist()))
    book.table(md, caption=(
        "Attention weights softmax(QKᵀ/√d_k) with d_k = 3: each row sums to 1. "
        "These are the weights lesson 4.2.3 averages the values with."))
