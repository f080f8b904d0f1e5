"""The lesson's single-head attention code, checked against the kernel.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md.
"""

import math

import torch

from kernels import running_example as rx


def lesson_code():
    X = rx.embeddings(3)
    W_Q, W_K, W_V = (rx.tensor(w) for w in (rx.W_Q, rx.W_K, rx.W_V))
    # --8<-- [start:code]
    V = X @ W_V                              # (4, 3): what each token hands over
    Q, K = X @ W_Q, X @ W_K                  # (4, 3) each, as before
    weights = torch.softmax(Q @ K.T / math.sqrt(K.shape[-1]), dim=-1)  # (4, 4)
    out = weights @ V                        # (4, 3): one output per token
    # --8<-- [end:code]
    return out


def main(book):
    out = lesson_code()
    reference = rx.running_example()["out"]  # kernels.attention via single_head
    book.claim("output_code_matches_kernel", "the same outputs as",
               holds=bool(torch.allclose(out, reference, atol=1e-12)),
               because=f"max diff {float((out - reference).abs().max()):.1e}")
