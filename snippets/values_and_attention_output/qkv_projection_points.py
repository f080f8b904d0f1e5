"""One embedding, three lenses: x_cat, its query, key and value in 3-d space.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md.
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
              "k = x W_K": ex["k"][cat], "v = x W_V": ex["v"][cat]}
    # --8<-- [end:compute]
    x, q, k, v = (p.tolist() for p in points.values())
    book.figure(
        lambda theme: draw(theme, points),
        alt=(f"Four arrows from the origin in 3-d space: the embedding of 'cat' {x}, "
             f"its query {q}, key {k} and value {v}, all pointing different ways."),
        caption=("Three lenses, one embedding: W_Q, W_K and W_V send “cat” to three "
                 "different places. The key is what gets “cat” noticed; the value "
                 "is what it hands over once it is."))
