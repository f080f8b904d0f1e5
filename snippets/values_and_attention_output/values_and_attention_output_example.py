"""Example figure for Values and the attention output: replace it with the lesson's first artefact.

Shown on: docs/4.2-attention-and-the-transformer/values-and-attention-output/index.md.
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
    book.fact("values_and_attention_output_example_slope", SLOPE, fmt=".1f")
    book.figure(draw, alt="A straight line rising from left to right.",
                caption="An example figure drawn by snippets/values_and_attention_output/values_and_attention_output_example.py.")
