"""The lesson's code for queries, keys and scaled weights, checked against the kernel,
and the same projection written as nn.Linear.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

import math

import torch
from torch import nn

from kernels import running_example as rx


def lesson_code():
    X = rx.embeddings(3)
    W_Q, W_K = rx.tensor(rx.W_Q), rx.tensor(rx.W_K)
    # --8<-- [start:code]
    Q = X @ W_Q                              # (4, 3): what each token is seeking
    K = X @ W_K                              # (4, 3): what each token offers
    d_k = K.shape[-1]
    scores = Q @ K.T / math.sqrt(d_k)        # (4, 4): query i against key j
    weights = torch.softmax(scores, dim=-1)  # (4, 4): each row sums to 1
    # --8<-- [end:code]
    return Q, weights


def as_linear():
    W_Q = rx.tensor(rx.W_Q)
    # --8<-- [start:linear]
    q_proj = nn.Linear(3, 3, bias=False, dtype=torch.float64)  # d_model -> d_k
    with torch.no_grad():
        q_proj.weight.copy_(W_Q.T)  # nn.Linear stores the transpose: y = x Wᵀ
    Q = q_proj(rx.embeddings(3))
    # --8<-- [end:linear]
    return Q


def main(book):
    Q, weights = lesson_code()
    ex = rx.running_example()
    book.claim("qk_code_matches_kernel", "the same weights as",
               holds=bool(torch.allclose(weights, ex["weights"], atol=1e-12)),
               because=f"max diff {float((weights - ex['weights']).abs().max()):.1e}")
    with torch.no_grad():
        lin = as_linear()
    book.claim("qk_linear_same", "exactly the same queries",
               holds=bool(torch.equal(lin, Q)), because="nn.Linear with weight W_Qᵀ")
