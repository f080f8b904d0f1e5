"""A masked softmax row that is often quoted with the wrong weights, recomputed.

Shown on: docs/4.2-attention-and-the-transformer/decoder-only-transformers/review.md
(facts only). The scores [2.1, 3.5, 1.8, 4.2, 0.9, 1.1] for "sat" in "The cat sat on
the mat" are often shown with masked weights [0.27, 0.55, 0.18]; the softmax of the
three visible scores is different.
"""

import torch

from kernels.attention import causal_mask

SCORES = (2.1, 3.5, 1.8, 4.2, 0.9, 1.1)  # the quoted row, query position 2 ("sat")
QUOTED = (0.27, 0.55, 0.18)  # the weights quoted for it


# --8<-- [start:compute]
def masked_row():
    row = torch.tensor(SCORES, dtype=torch.float64)
    visible = causal_mask(len(SCORES))[2]  # query "sat" sees keys 0..2
    return row.masked_fill(~visible, float("-inf")).softmax(-1)
# --8<-- [end:compute]


def main(book):
    weights = masked_row()
    for j, quoted in enumerate(QUOTED):
        book.fact(f"dt_quoted_row_w{j}", weights[j].item(), fmt=".2f",
                  disputes=quoted, rel_tol=0.05, source="often quoted masked row")
        book.fact(f"dt_quoted_row_claim{j}", quoted, fmt=".2f")
    for j, s in enumerate(SCORES[:3]):
        book.fact(f"dt_quoted_row_s{j}", s, fmt=".1f")
