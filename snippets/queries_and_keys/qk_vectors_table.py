"""Queries and keys of the four running-example tokens: Q = X W_Q, K = X W_K.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

from kernels.running_example import TOKENS, W_K, W_Q, running_example
from snippets.attention_plots import matrix_table, vec


# --8<-- [start:table]
def table():
    ex = running_example()
    rows = [[*q.tolist(), *k.tolist()] for q, k in zip(ex["q"], ex["k"])]
    header = ["q₁", "q₂", "q₃", "k₁", "k₂", "k₃"]
    return ex, matrix_table(rows, TOKENS, header, corner="token")
# --8<-- [end:table]


def main(book):
    ex, md = table()
    for name, w in (("wq", W_Q), ("wk", W_K)):
        for i, row in enumerate(w):
            book.fact(f"rx_{name}_row{i + 1}", 0, text=vec(row))
    for i, t in enumerate(TOKENS):
        book.fact(f"rx_q_{t.lower()}", 0, text=vec(ex["q"][i]))
        book.fact(f"rx_k_{t.lower()}", 0, text=vec(ex["k"][i]))
    book.table(md, caption=(
        "Each token's query (x W_Q) and key (x W_K), from the same embeddings as "
        "lesson 4.2.1. One embedding, two different vectors."))
