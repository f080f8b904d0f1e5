"""Keys beside values for the four tokens: same embeddings, different vectors.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md.
"""

from kernels.running_example import TOKENS, W_V, running_example
from snippets.attention_plots import matrix_table, vec


# --8<-- [start:table]
def table():
    ex = running_example()
    rows = [[*k.tolist(), *v.tolist()] for k, v in zip(ex["k"], ex["v"])]
    return ex, matrix_table(rows, TOKENS, ["k₁", "k₂", "k₃", "v₁", "v₂", "v₃"],
                            corner="token")
# --8<-- [end:table]


def main(book):
    ex, md = table()
    for i, row in enumerate(W_V):
        book.fact(f"rx_wv_row{i + 1}", 0, text=vec(row))
    for i, t in enumerate(TOKENS):
        book.fact(f"rx_v_{t.lower()}", 0, text=vec(ex["v"][i]))
    differ = sum(int(not (k == v).all()) for k, v in zip(ex["k"], ex["v"]))
    book.claim("rx_k_v_differ", "differs from its key",
               holds=differ == len(TOKENS), because=f"{differ} of {len(TOKENS)}")
    book.table(md, caption=(
        "Each token's key (x W_K, from lesson 4.2.2) beside its value (x W_V). "
        "The key decides who attends to the token; the value is what they receive."))
