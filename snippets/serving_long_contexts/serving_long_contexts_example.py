"""Example figure for Serving long contexts: replace it with the lesson's first artefact.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md.
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
    book.fact("serving_long_contexts_example_slope", SLOPE, fmt=".1f")
    book.figure(draw, alt="A straight line rising from left to right.",
                caption="An example figure drawn by snippets/serving_long_contexts/serving_long_contexts_example.py.")
