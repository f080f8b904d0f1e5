"""The cheating problem, measured: one tiny model trained without the causal mask,
one with it, on the same sentences.

Shown on: docs/4.2-attention-and-the-transformer/decoder-only-transformers/index.md.
Both are kernels.tiny_lm.TinyLM (one block, one head) trained for the same steps on
every sentence of a small grammar; the figure shows each one's attention weights on
"the cat sat on the mat". The facts compare their loss when every position is
predicted at once (training) and when each word is predicted from its prefix only
(generation).
"""

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Rectangle

from snippets.decoder_only_transformers._toy_corpus import (
    EXAMPLE, STEPS, corpus, evaluate, example_ids, grammar_entropy, train)

LEAK_ROW = 2  # "sat": its next word, "on", is what it must predict


# --8<-- [start:compute]
def compute():
    result = {}
    for name, causal in (("cheat", False), ("causal", True)):
        model, history = train(causal)
        with torch.no_grad():
            _, weights = model(example_ids())
        result[name] = dict(weights=weights[0], history=history, **evaluate(model))
        if not causal:
            result["row"] = masked_row(model)
    return result


def masked_row(model):
    """The cheater's scores for LEAK_ROW, then the same row with the mask applied."""
    with torch.no_grad():
        _, q, k, _ = model.scores_and_values(example_ids())
        scores = (q[0, 0] @ k[0, 0].T)[LEAK_ROW] / q.shape[-1] ** 0.5  # (T,)
    future = torch.arange(len(EXAMPLE)) > LEAK_ROW
    masked = scores.masked_fill(future, float("-inf"))
    return dict(scores=scores, before=scores.softmax(-1), after=masked.softmax(-1))
# --8<-- [end:compute]


def _heatmap(ax, weights, theme, title, leak):
    n = len(EXAMPLE)
    ax.imshow(weights, cmap=theme.heatmap(), vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            w = weights[i, j].item()
            masked = not leak and j > i
            ax.text(j, i, "0" if masked else f"{w:.2f}", ha="center", va="center",
                    fontsize=12, color=theme.muted if masked or w < 0.5 else
                    theme.background)
    ax.set_xticks(range(n), EXAMPLE, rotation=0, fontsize=12)
    ax.set_yticks(range(n), EXAMPLE, fontsize=12)
    ax.set_xlabel("attends to (key)")
    ax.set_title(title, fontsize=12)
    if leak:
        ax.add_patch(Rectangle((LEAK_ROW + 0.5, LEAK_ROW - 0.5), 1, 1, fill=False,
                               edgecolor=theme.warn, linewidth=3))
        ax.text(LEAK_ROW + 1, LEAK_ROW + 0.3, "leak!", ha="center", va="center",
                color=theme.background, fontsize=12, fontweight="bold")
    else:
        for i in range(n):  # the masked triangle's edge
            ax.plot([i + 0.5, i + 0.5], [i - 0.5, i + 0.5], color=theme.good,
                    linewidth=2)
            if i < n - 1:
                ax.plot([i + 0.5, i + 1.5], [i + 0.5, i + 0.5], color=theme.good,
                        linewidth=2)


# --8<-- [start:draw]
def draw(theme, r):
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.7, 4.2))
    _heatmap(left, r["cheat"]["weights"], theme,
             "trained without the mask", leak=True)
    _heatmap(right, r["causal"]["weights"], theme,
             "trained with the causal mask", leak=False)
    left.set_ylabel("position (query)")
    return fig
# --8<-- [end:draw]


def _r(x):
    """Facts rounded to 4 significant digits, below their display: float32 training differs in the last
    bits between thread counts, and a fact must not."""
    return float(f"{float(x):.4g}")


def main(book):
    r = compute()
    cheat, causal = r["cheat"], r["causal"]
    next_weights = torch.diagonal(cheat["weights"], offset=1)
    book.figure(lambda theme: draw(theme, r), alt=(
        "Two 6 by 6 heatmaps of attention weights on 'the cat sat on the mat'. "
        "Left, a model trained without the mask: each row puts almost all of its "
        "weight on the next word, the cell for 'sat' attending to 'on' outlined as "
        "a leak. Right, the same model trained with the causal mask: every cell "
        "above the diagonal is 0 and each row spreads its weight over the current "
        "and earlier words."), caption=(
        "What a model learns when it may look ahead. Two copies of the same tiny "
        f"one-head model, trained for {STEPS} steps on the same sentences to "
        "predict each next word. Without the mask (left) every position learns to "
        "read the word it is asked to predict: the weights sit one step right of "
        "the diagonal. With the causal mask (right) the upper triangle is 0 by "
        "construction. Weights computed by kernels/tiny_lm.py on the sentence "
        "shown."))
    book.fact("dt_toy_steps", STEPS, fmt="d")
    book.fact("dt_toy_sentences", corpus().shape[0], fmt="d")
    book.fact("dt_toy_entropy", _r(grammar_entropy()), fmt=".2f", unit="nats")
    book.fact("dt_cheat_train_loss", _r(cheat["train"]), fmt=".4f", unit="nats")
    book.fact("dt_cheat_gen_loss", _r(cheat["generate"]), fmt=".2f", unit="nats")
    book.fact("dt_causal_train_loss", _r(causal["train"]), fmt=".2f", unit="nats")
    book.fact("dt_causal_gen_loss", _r(causal["generate"]), fmt=".2f", unit="nats")
    book.fact("dt_cheat_next_weight_min", _r(next_weights.min().item()), fmt=".2f")
    book.bound("dt_causal_train_gen_diff", causal["train"] - causal["generate"],
               dtype="float32")
    row = r["row"]
    for j, word in enumerate(EXAMPLE):
        book.fact(f"dt_row_score_{j}", _r(row["scores"][j]), fmt=".1f")
        book.fact(f"dt_row_before_{j}", _r(row["before"][j]), fmt=".2f")
        book.fact(f"dt_row_after_{j}", _r(row["after"][j]), fmt=".2f")
    top = int(row["scores"].argmax())
    book.claim("dt_row_top_is_next", "the highest score in the row",
               holds=top == LEAK_ROW + 1, because=f"argmax at {top}")
    book.claim("dt_cheat_below_floor", "far below",
               holds=cheat["train"] < 0.25 * grammar_entropy(),
               because=f"{cheat['train']:.4g} vs entropy {grammar_entropy():.4g}")
    book.claim("dt_cheat_worse_at_generation", "worse than",
               holds=cheat["generate"] > causal["generate"] + 1.0,
               because=f"{cheat['generate']:.4g} vs {causal['generate']:.4g}")
