"""The numbers in lesson 4.2.3's quiz, computed.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md.
"""

import torch

from snippets.attention_plots import vec


def main(book):
    w = torch.tensor([0.5, 0.25, 0.25])
    v = torch.tensor([[2.0, 0], [0, 4], [4, 4]])
    book.fact("qz3_w", 0, text=vec(w, "{:g}"))
    for i, row in enumerate(v):
        book.fact(f"qz3_v{i + 1}", 0, text=vec(row))
    book.fact("qz3_out", 0, text=vec(w @ v, "{:g}"))
    book.fact("qz3_mean", 0, text=vec(v.mean(0), "{:.2f}"))
    book.fact("qz3_sum", 0, text=vec(v.sum(0)))
    book.fact("qz3_tokens", 7, fmt="d")
    book.fact("qz3_dv", 64, fmt="d")
