"""QKᵀ for the running example: learned relevance scores, no longer symmetric.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

import math

from kernels.running_example import TOKENS, running_example
from snippets.attention_plots import matrix_table


# --8<-- [start:table]
def table():
    ex = running_example()
    scores = ex["q"] @ ex["k"].T  # (4, 4): row i = token i's query against every key
    return ex, matrix_table(scores.tolist(), TOKENS, TOKENS, corner="query · key")
# --8<-- [end:table]


def main(book):
    ex, md = table()
    s = ex["scores"]
    for i, a in enumerate(TOKENS):
        for j, b in enumerate(TOKENS):
            book.fact(f"rx_qk_{a.lower()}_{b.lower()}", s[i, j], fmt="d")
    book.fact("rx_dk", ex["q"].shape[1], fmt="d")
    book.fact("rx_sqrt_dk", math.sqrt(ex["q"].shape[1]), fmt=".3f")
    asym = int((s != s.T).sum()) // 2
    book.fact("rx_qk_asym_pairs", asym, fmt="d")
    book.claim("rx_qk_not_symmetric", "not symmetric", holds=asym > 0,
               because=f"{asym} mirror pairs differ")
    book.table(md, caption=(
        "Unscaled scores QKᵀ: row i, column j is token i's query dotted with token "
        "j's key. Compare each cell with its mirror across the diagonal."))
