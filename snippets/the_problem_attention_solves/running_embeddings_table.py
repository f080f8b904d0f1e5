"""The four tokens' 3-dim embeddings, the inputs of the whole module's running example.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
"""

from kernels.running_example import TOKENS, embeddings
from snippets.attention_plots import matrix_table, vec


# --8<-- [start:table]
def table():
    x = embeddings(3)  # (4 tokens, 3 dims)
    return x, matrix_table(x.tolist(), TOKENS, ["dim 1", "dim 2", "dim 3"],
                           corner="token")
# --8<-- [end:table]


def main(book):
    x, md = table()
    for token, row in zip(TOKENS, x):
        book.fact(f"rx_embed_{token.lower()}", 0, text=vec(row))
    book.fact("rx_tokens", len(TOKENS), fmt="d")
    book.fact("rx_width", x.shape[1], fmt="d")
    book.table(md, caption=(
        "The running example: four tokens, each a 3-number embedding. The numbers "
        "are small whole numbers chosen so you can check every dot product by hand; "
        "the same inputs feed the worked examples of lessons 4.2.1–4.2.4."))
