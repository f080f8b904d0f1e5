"""The attention-matrix widget: its word vectors (JSON) and its static fallback figure.

Shown on: docs/4.2-attention-and-the-transformer/the-problem-attention-solves/index.md.
The page script docs/assets/javascripts/attention-matrix.js fetches
attention_widget.widget.json and computes softmax(X Xᵀ) in the browser;
tests/browser/test_attention_widget.py checks every cell against kernels.attention.
"""

import matplotlib.pyplot as plt
import torch

from kernels.running_example import raw_attention
from kernels.word_vectors import lookup, make_corpus, train_skipgram
from snippets.attention_plots import heatmap

SENTENCES = 600   # corpus size
DIM = 16          # embedding width
LENGTH = 2.0      # every vector is rescaled to this length (see compute)
DIGITS = 4        # decimals kept in the JSON; the browser and the test use these
PRESETS = ("The bank was steep", "The cat chased the mouse", "The cat sat on the mat")


# --8<-- [start:compute]
def compute():
    corpus = make_corpus(SENTENCES, seed=0)
    words, vectors, losses = train_skipgram(corpus, DIM, seed=0)
    # Trained lengths vary from word to word; one common length keeps every raw
    # score between −LENGTH² and +LENGTH², so the softmax is neither flat nor one-hot.
    vectors = LENGTH * vectors / vectors.norm(dim=1, keepdim=True)
    vocab = {w: [round(float(x), DIGITS) for x in v] for w, v in zip(words, vectors)}
    results = {p: raw_attention(lookup(p, vocab)) for p in PRESETS}
    return corpus, vocab, losses, results
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, results):
    # Two rows so the numbers stay legible at the page's width.
    fig = plt.figure(figsize=(7.7, 7.7))
    grid = fig.add_gridspec(2, 2)
    axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]),
            fig.add_subplot(grid[1, :])]
    for ax, (sentence, r) in zip(axes, results.items()):
        words = sentence.lower().split()
        heatmap(ax, r["weights"], words, words, theme, vmin=0, vmax=1, fontsize=12)
        ax.set_title(f"“{sentence}”", fontsize=14)
    fig.supylabel("row: the token being updated", fontsize=13)
    fig.supxlabel("column: the token it draws on", fontsize=13)
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    corpus, vocab, losses, results = compute()
    book.data("widget", {
        "widget": "attention-matrix",
        "presets": list(PRESETS),
        "vocab": vocab,
        "dim": DIM,
        "length": LENGTH,
    })
    book.fact("widget_vocab_size", len(vocab), fmt="d")
    book.fact("widget_corpus_sentences", len(corpus), fmt="d")
    book.fact("widget_dim", DIM, fmt="d")
    book.fact("widget_length", LENGTH, fmt=".0f")
    book.fact("widget_max_score", LENGTH ** 2, fmt=".0f")
    book.fact("widget_loss_first", losses[0], fmt=".2f")
    book.fact("widget_loss_last", losses[-1], fmt=".2f")
    # Measured lessons the page draws from the presets.
    chased = results["The cat chased the mouse"]
    cat_row = chased["scores"][1]  # the, cat, chased, the, mouse
    book.fact("widget_cat_mouse_score", cat_row[4], fmt=".2f")
    book.fact("widget_cat_chased_score", cat_row[2], fmt=".2f")
    book.claim("widget_mouse_beats_chased", "scores higher than",
               holds=bool(cat_row[4] > cat_row[2]),
               because=f"cat·mouse {cat_row[4]:.2f}, cat·chased {cat_row[2]:.2f}")
    diag = torch.stack([r["weights"].diagonal().min() for r in results.values()])
    largest_off = [(r["weights"] - torch.diag(r["weights"].diagonal())).max()
                   for r in results.values()]
    book.claim("widget_self_weight_largest",
               "every token gives its largest weight to itself",
               holds=all(bool((r["weights"].argmax(-1) == torch.arange(
                   len(r["weights"]))).all() or _tied_self(r["weights"]))
                   for r in results.values()),
               because=f"min self weight {diag.min():.2f}, "
                       f"max other {max(largest_off):.2f}")
    mat = results["The cat sat on the mat"]["weights"]
    book.claim("widget_two_the_rows_identical", "identical",
               holds=bool(torch.equal(mat[0], mat[4])),
               because="rows 0 and 4 of 'The cat sat on the mat'")
    steep = results["The bank was steep"]["weights"][1]
    book.fact("widget_bank_self_weight", steep[1], fmt=".2f")
    book.fact("widget_bank_steep_weight", steep[3], fmt=".2f")
    book.figure(
        lambda theme: draw(theme, results),
        alt=("Three heatmaps of raw attention weights, one per preset sentence. In "
             "each, the diagonal is the darkest cell of its row: every word puts "
             "most weight on itself. The two rows for 'the' in 'The cat sat on the "
             "mat' are identical."),
        caption=(f"Raw attention weights softmax(XXᵀ) for the three presets, from "
                 f"word vectors trained for this book: skip-gram with negative "
                 f"sampling, {DIM} dimensions, on {len(corpus)} template sentences "
                 f"written for the purpose (not a pretrained model), each vector "
                 f"rescaled to length {LENGTH:.0f}. Rows sum to 1. This is the "
                 "static view of the interactive widget above; it is also what "
                 "prints."),
    )


def _tied_self(weights):
    """True if each row's own weight equals the row's maximum (ties with a repeat of
    the same word, such as the two 'the' tokens, count as the token itself)."""
    return bool((weights.diagonal() >= weights.max(-1).values - 1e-12).all())
