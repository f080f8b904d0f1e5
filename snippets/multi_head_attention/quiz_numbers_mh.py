"""The numbers in lesson 4.2.4's quiz, computed (GPT-2 small from the presets).

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
"""

from kernels.presets import get_preset


def main(book):
    g = get_preset("gpt2-small")
    book.fact("qz4_dk", g.d_model // g.n_heads, fmt="d", expected=g.head_dim,
              rel_tol=0, source="GPT-2 head_dim")
    book.fact("qz4_times", g.d_model * g.n_heads, fmt="d")
    d, h = 1024, 16
    book.fact("qz4_d", d, fmt="d")
    book.fact("qz4_h", h, fmt="d")
    book.fact("qz4_wo", d * d, fmt=",d")
    book.fact("qz4_slice", d * (d // h), fmt=",d")
    book.fact("qz4_d_times_h", d * h, fmt=",d")
    book.fact("qz4_wo_times_h", d * d * h, fmt=",d")
