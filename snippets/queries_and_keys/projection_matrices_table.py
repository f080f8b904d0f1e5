"""W_Q and W_K of the running example, side by side.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
"""

from kernels.running_example import W_K, W_Q
from snippets.attention_plots import matrix_table


# --8<-- [start:table]
def table():
    rows = [[*q, *k] for q, k in zip(W_Q, W_K)]
    header = ["W_Q col 1", "col 2", "col 3", "W_K col 1", "col 2", "col 3"]
    return matrix_table(rows, ["row 1", "row 2", "row 3"], header, corner="row")
# --8<-- [end:table]


def main(book):
    book.table(table(), caption=(
        "The two 3×3 projection matrices of the worked example (row-vector "
        "convention: q = x W_Q). In a model they are learned; here they are small "
        "whole numbers so every query and key can be checked by hand."))
