"""Example figure for Queries and keys: replace it with the lesson's first artefact.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

import matplotlib.pyplot as plt

SLOPE = 2.0


# --8<-- [start:draw]
def draw(theme):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0, SLOPE], color=theme.accent)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig
# --8<-- [end:draw]


def main(book):
    book.fact("queries_and_keys_example_slope", SLOPE, fmt=".1f")
    book.figure(draw, alt="A straight line rising from left to right.",
                caption="An example figure drawn by snippets/queries_and_keys/queries_and_keys_example.py.")
