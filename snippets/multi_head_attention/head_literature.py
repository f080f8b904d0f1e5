"""Numbers the lesson quotes from papers on trained heads: they cannot be recomputed
here, so each is a named fact carrying its source.

Shown on: docs/4.2-attention-and-the-transformer/multi-head-attention/index.md.
"""


def main(book):
    src = "Voita et al. 2019, abstract (English-Russian WMT)"
    book.fact("voita_pruned_heads", 38, fmt="d", source=src)
    book.fact("voita_encoder_heads", 48, fmt="d", source=src)
    book.fact("voita_bleu_drop", 0.15, fmt=".2f", source=src)
