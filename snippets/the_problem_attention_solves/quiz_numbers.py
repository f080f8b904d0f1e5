"""The numbers in lesson 4.2.1's quiz, computed (questions, answers and distractors).

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
"""

import torch

from snippets.attention_plots import vec


def main(book):
    a, b = torch.tensor([1.0, 0, 2]), torch.tensor([2.0, 1, 1])
    book.fact("qz1_a", 0, text=vec(a))
    book.fact("qz1_b", 0, text=vec(b))
    book.fact("qz1_dot", a @ b, fmt=".0f")
    book.fact("qz1_sum_all", a.sum() + b.sum(), fmt=".0f")  # the slip: add, not multiply
    book.fact("qz1_lengths", a.norm() * b.norm(), fmt=".2f")  # |a| |b|
    book.fact("qz1_elementwise", 0, text=vec(a * b))
    row = torch.full((4,), 2.0)
    book.fact("qz1_row", 0, text=vec(row))
    book.fact("qz1_uniform", torch.softmax(row, 0)[0], fmt=".2f")
    book.fact("qz1_half", 0.5, fmt=".1f")
