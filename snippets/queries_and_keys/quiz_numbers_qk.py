"""The numbers in lesson 4.2.2's quiz, computed.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

import math

import torch

from kernels.running_example import W_Q, tensor
from snippets.attention_plots import vec


def main(book):
    x = torch.tensor([1.0, 2, 0], dtype=torch.float64)
    w = tensor(W_Q)
    book.fact("qz2_x", 0, text=vec(x))
    for i, row in enumerate(w):
        book.fact(f"qz2_wq_row{i + 1}", 0, text=vec(row))
    book.fact("qz2_q", 0, text=vec(x @ w))
    book.fact("qz2_q_swapped", 0, text=vec((x @ w)[[1, 0, 2]]))
    book.fact("qz2_q_ones", 0, text=vec(torch.ones(3)))
    d_k = 256
    book.fact("qz2_dk", d_k, fmt="d")
    book.fact("qz2_std", math.sqrt(d_k), fmt=".0f")
    book.fact("qz2_std_wrong", math.sqrt(d_k) / 2, fmt=".0f")
    book.fact("qz2_dk_a", 64, fmt="d")
    book.fact("qz2_dk_b", 128, fmt="d")
