"""Two hand-set heads on "The cat sat on the mat because it was soft": what two
notions of relevance look like. Illustrations built by hand, not trained weights.

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
"""

import matplotlib.pyplot as plt

from kernels.running_example import (COREFERENCE_HEAD, FEATURES, PROPERTY_HEAD,
                                     SENTENCE, sentence_head)


# --8<-- [start:draw]
def draw(theme, rows):
    fig, axes = plt.subplots(2, 1, figsize=(7.7, 3.2), sharex=True)
    x = range(len(SENTENCE))
    for ax, (title, row), colour in zip(axes, rows.items(),
                                        (theme.accent, theme.contrast)):
        ax.bar(x, row, color=colour)
        ax.set_ylim(0, 1)
        ax.set_ylabel("weight")
        ax.set_title(title, fontsize=12, loc="left")
    axes[1].set_xticks(list(x), SENTENCE)
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    it = SENTENCE.index("it")
    coref = sentence_head(COREFERENCE_HEAD)[it]
    prop = sentence_head(PROPERTY_HEAD)[it]
    rows = {"head A (“what does it refer to?”): row “it”": coref,
            "head B (“what is said about it?”): row “it”": prop}
    book.fact("sent_coref_mat", coref[SENTENCE.index("mat")], fmt=".2f")
    book.fact("sent_prop_soft", prop[SENTENCE.index("soft")], fmt=".2f")
    book.fact("sent_features", len(FEATURES), fmt="d")
    book.claim("sent_one_query_two_targets", "a different word",
               holds=int(coref.argmax()) != int(prop.argmax()),
               because=f"{SENTENCE[int(coref.argmax())]} vs "
                       f"{SENTENCE[int(prop.argmax())]}")
    book.figure(
        lambda theme: draw(theme, rows),
        alt=(f"Two bar charts of the weights row 'it' gives the ten words. Head A "
             f"puts {coref[SENTENCE.index('mat')]:.2f} on 'mat'; head B puts "
             f"{prop[SENTENCE.index('soft')]:.2f} on 'soft'."),
        caption=("Two hand-set heads, not trained ones: each word gets six "
                 "hand-labelled features (noun, animate, pronoun, adjective, verb, "
                 "function word), and each head's one-number query and key pick a "
                 "feature pair. One head can put its weight on “mat” or on "
                 "“soft”; two heads can do both."))
