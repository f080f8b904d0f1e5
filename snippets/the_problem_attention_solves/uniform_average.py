"""Attempt 1, the plain average: every token gets the same vector, in any word order.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md
(facts only: the page states the average and that reordering cannot change it).
"""

import torch

from kernels.running_example import embeddings
from snippets.attention_plots import vec


# --8<-- [start:compute]
def compute():
    x = embeddings(3)                       # (4, 3)
    uniform = torch.full((4, 4), 1 / 4, dtype=x.dtype)  # every weight 1/4
    out = uniform @ x                       # every row: the mean embedding
    shuffled = x[torch.tensor([3, 1, 0, 2])]  # the same words, another order
    return x, out, (uniform @ shuffled)
# --8<-- [end:compute]


def main(book):
    x, out, out_shuffled = compute()
    book.fact("rx_mean_embedding", 0, text=vec(out[0], "{:.2f}"))
    book.claim("uniform_same_for_all", "every token gets the same vector",
               holds=bool((out == out[0]).all()), because=str(out.tolist()))
    book.claim("uniform_order_blind", "exactly the same",
               holds=bool(torch.equal(out, out_shuffled)),
               because="mean of a permutation of the rows")
