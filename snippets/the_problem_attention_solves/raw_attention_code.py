"""The three lines of raw attention the lesson shows, checked against the kernel.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md
(the page includes the region 'code'; the claim proves it equals kernels.attention).
"""

import torch

from kernels.running_example import embeddings, raw_attention


def lesson_code():
    # --8<-- [start:code]
    X = embeddings(3)  # (4 tokens, 3 dims): The, cat, sat, here, as in the table

    scores = X @ X.T                         # (4, 4): every pairwise dot product
    weights = torch.softmax(scores, dim=-1)  # (4, 4): each row sums to 1
    out = weights @ X                        # (4, 3): one new vector per token
    # --8<-- [end:code]
    return out


def main(book):
    out = lesson_code()
    reference = raw_attention(embeddings(3))["out"]  # via kernels.attention
    book.claim("raw_code_matches_kernel", "the same numbers as",
               holds=bool(torch.allclose(out, reference, atol=1e-12)),
               because=f"max diff {float((out - reference).abs().max()):.1e}")
