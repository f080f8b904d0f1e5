"""Two special cases of W_V, and what happens without the residual connection.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md
(facts and claims only).
"""

import torch

from kernels import running_example as rx
from snippets.attention_plots import vec


# --8<-- [start:compute]
def compute():
    x = rx.embeddings(3)
    w_q, w_k = rx.tensor(rx.W_Q), rx.tensor(rx.W_K)
    identity = rx.single_head(x, w_q, w_k, torch.eye(3, dtype=x.dtype))
    tied = rx.single_head(x, w_q, w_k, w_k)  # W_V = W_K: values are the keys
    # An untrained model attends almost uniformly: every weight 1/T.
    uniform = torch.full((4, 4), 0.25, dtype=x.dtype) @ (x @ rx.tensor(rx.W_V))
    return x, identity, tied, uniform
# --8<-- [end:compute]


def main(book):
    x, identity, tied, uniform = compute()
    book.claim("wv_identity_gives_weighted_x", "exactly",
               holds=bool(torch.allclose(identity["out"], identity["weights"] @ x)),
               because="softmax(QKᵀ/√3) X")
    book.claim("wv_tied_gives_keys", "the keys themselves",
               holds=bool(torch.allclose(tied["out"], tied["weights"] @ tied["k"])),
               because="V = X W_K = K")
    book.fact("rx_tied_out_cat", 0, text=vec(tied["out"][1]))
    book.claim("uniform_outputs_identical", "all four outputs are the same vector",
               holds=bool((uniform == uniform[0]).all()), because=str(uniform[0]))
    book.fact("rx_uniform_out", 0, text=vec(uniform[0]))
    resid = uniform + x
    distinct = len({tuple(r.tolist()) for r in resid})
    book.claim("uniform_residual_distinct", "four different vectors",
               holds=distinct == 4, because=f"{distinct} distinct rows")
