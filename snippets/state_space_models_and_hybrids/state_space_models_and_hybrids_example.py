"""Example figure for State-space models and hybrids: replace it with the lesson's first artefact.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
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
    book.fact("state_space_models_and_hybrids_example_slope", SLOPE, fmt=".1f")
    book.figure(draw, alt="A straight line rising from left to right.",
                caption="An example figure drawn by snippets/state_space_models_and_hybrids/state_space_models_and_hybrids_example.py.")
