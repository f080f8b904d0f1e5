"""XXᵀ for the running example: every pairwise dot product of the four embeddings.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
"""

from kernels.running_example import TOKENS, running_example
from snippets.attention_plots import matrix_table


# --8<-- [start:table]
def table():
    ex = running_example()
    scores = ex["raw_scores"]  # (4, 4) = X @ X.T
    return ex, matrix_table(scores.tolist(), TOKENS, TOKENS, corner="row · column")
# --8<-- [end:table]


def main(book):
    ex, md = table()
    s = ex["raw_scores"]
    ix = {t: i for i, t in enumerate(TOKENS)}
    for a in TOKENS:
        for b in TOKENS:
            book.fact(f"rx_raw_{a.lower()}_{b.lower()}", s[ix[a], ix[b]], fmt="d")
    book.claim("rx_raw_symmetric", "a mirror image of itself across the diagonal",
               holds=bool((s == s.T).all()), because="X Xᵀ equals its transpose")
    book.table(md, caption=(
        "Step 1, similarity scores X Xᵀ: the entry in row i, column j is the dot "
        "product of token i's embedding with token j's. Every entry is a whole "
        "number because the embeddings are."))
