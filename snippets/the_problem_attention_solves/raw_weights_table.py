"""softmax(XXᵀ) row by row, and the weighted average it gives "cat" (running example).

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
"""

import torch

from kernels.running_example import TOKENS, running_example
from snippets.attention_plots import matrix_table, vec


# --8<-- [start:table]
def table():
    ex = running_example()
    weights = ex["raw_weights"]  # (4, 4): softmax of each row of X Xᵀ
    return ex, matrix_table(weights.tolist(), TOKENS, TOKENS, corner="row → column")
# --8<-- [end:table]


def main(book):
    ex, md = table()
    w, x, out = ex["raw_weights"], ex["x"], ex["raw_out"]
    cat = TOKENS.index("cat")
    for j, t in enumerate(TOKENS):
        book.fact(f"rx_raw_w_cat_{t.lower()}", w[cat, j], fmt=".3f")
        book.fact(f"rx_raw_out_{t.lower()}", 0, text=vec(out[j]))
    book.fact("rx_raw_w_the_the", w[0, 0], fmt=".3f")
    book.fact("rx_raw_w_the_here", w[0, 3], fmt=".3f")
    manual = sum(w[cat, j] * x[j] for j in range(len(TOKENS)))
    book.claim("rx_raw_out_cat_by_hand", "the same vector",
               holds=bool(torch.allclose(manual, out[cat], atol=1e-12)),
               because=f"{manual.tolist()} vs {out[cat].tolist()}")
    book.claim("rx_raw_rows_sum_to_one", "sums to 1",
               holds=bool(torch.allclose(w.sum(-1), torch.ones(4, dtype=w.dtype))),
               because=str(w.sum(-1).tolist()))
    book.claim("rx_raw_weights_not_symmetric", "not quite symmetric",
               holds=bool(not torch.allclose(w, w.T)),
               because=f"w[cat,here]={w[1, 3]:.3f}, w[here,cat]={w[3, 1]:.3f}")
    book.fact("rx_raw_w_here_cat", w[3, 1], fmt=".3f")
    book.fact("rx_raw_w_the_cat", w[0, 1], fmt=".3f")
    book.table(md, caption=(
        "Step 2, attention weights softmax(X Xᵀ), applied to each row separately: "
        "row i says how much of each token goes into token i's new vector. Every "
        "row sums to 1."))
