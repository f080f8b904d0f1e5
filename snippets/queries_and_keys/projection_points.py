"""One embedding, two lenses: x_cat, its query x W_Q and its key x W_K in 3-d space.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

from kernels.running_example import running_example
from snippets.attention_plots import projection_arrows


# --8<-- [start:draw]
def draw(theme, points):
    return projection_arrows(theme, points)  # snippets/attention_plots.py
# --8<-- [end:draw]


def main(book):
    ex = running_example()
    cat = 1
    # --8<-- [start:compute]
    points = {"x (embedding)": ex["x"][cat], "q = x W_Q": ex["q"][cat],
              "k = x W_K": ex["k"][cat]}
    # --8<-- [end:compute]
    x, q, k = (v.tolist() for v in points.values())
    book.figure(
        lambda theme: draw(theme, points),
        alt=(f"Three arrows from the origin in 3-d space: the embedding of 'cat' "
             f"{x}, its query {q} and its key {k}, pointing in three different "
             "directions."),
        caption=("Same input, different matrix, different destination: the "
                 "embedding of “cat” and where W_Q and W_K send it. Neither the "
                 "query nor the key is a property of “cat” alone; change the "
                 "matrices and both move."))
