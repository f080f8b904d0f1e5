"""A sliding window with and without a few global tokens: scores and hops, counted.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (sparse attention,
local + global). Masks from kernels.sparse (global_local_mask: Longformer/BigBird
style, kept causal); "layers to connect" from kernels.sparse.layers_to_connect: the
fewest layers after which every token's information can reach every later token.
"""

import matplotlib.pyplot as plt

from kernels.sparse import (causal_score_count, count_scores, global_local_mask,
                            layers_to_connect, sliding_window_mask)

T = 32            # tokens drawn
WINDOW = 4        # keys per query in the window, the query itself included
EVERY = 8         # one global token every EVERY positions
GLOBALS = list(range(EVERY - 1, T, EVERY))   # the last token of each stretch


# --8<-- [start:compute]
def compute():
    window = sliding_window_mask(T, WINDOW)
    mixed = global_local_mask(T, WINDOW, GLOBALS)
    return {
        "window": (window, count_scores(window), layers_to_connect(window, T)),
        "mixed": (mixed, count_scores(mixed), layers_to_connect(mixed, T)),
    }
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, d):
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.4))
    titles = (f"Sliding window ({WINDOW} keys)",
              f"Window + {len(GLOBALS)} global tokens")
    for ax, (mask, scores, layers), title in zip(axes, d.values(), titles):
        ax.imshow(mask.numpy(), cmap=theme.heatmap(), vmin=0, vmax=1,
                  interpolation="nearest")
        ax.set_title(title, fontsize=13)
        ax.set_xlabel(f"key position →\n{scores} scores\n"
                      f"every pair connected after {layers} layers")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(True)
            side.set_color(theme.muted)
    axes[0].set_ylabel("query position →")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    d = compute()
    _, window_scores, window_layers = d["window"]
    _, mixed_scores, mixed_layers = d["mixed"]
    causal = causal_score_count(T)
    book.fact("lc_gl_tokens", T, fmt="d")
    book.fact("lc_gl_window", WINDOW, fmt="d")
    book.fact("lc_gl_n_globals", len(GLOBALS), fmt="d")
    book.fact("lc_gl_every", EVERY, fmt="d")
    book.fact("lc_gl_window_scores", window_scores, fmt="d")
    book.fact("lc_gl_mixed_scores", mixed_scores, fmt="d")
    book.fact("lc_gl_causal_scores", causal, fmt="d")
    book.fact("lc_gl_window_layers", window_layers, fmt="d",
              expected=-(-(T - 1) // (WINDOW - 1)), source="⌈(T − 1)/(w − 1)⌉")
    book.fact("lc_gl_mixed_layers", mixed_layers, fmt="d", expected=2,
              source="key → next global token → any later query")
    book.claim("lc_gl_still_sparse", "still well under",
               holds=mixed_scores < 0.6 * causal,
               because=f"{mixed_scores} of {causal} causal scores")
    book.figure(
        lambda theme: draw(theme, d),
        alt=(f"Two {T}×{T} grids of query rows and key columns. Left: a diagonal "
             f"band {WINDOW} wide, {window_scores} cells; every pair is connected "
             f"only after {window_layers} layers. Right: the same band plus full "
             f"rows and columns for {len(GLOBALS)} global tokens, {mixed_scores} "
             f"cells; every pair is connected after {mixed_layers} layers."),
        caption=(f"Scores computed for {T} causal tokens (a filled cell is one "
                 f"query–key dot product; full causal attention would fill "
                 f"{causal}). Right: every {EVERY}th token is global—it reads every "
                 "earlier token, and every later token reads it—as in Longformer "
                 "and BigBird. \"Connected after L layers\" is the fewest layers "
                 "after which any token's information can reach any later token, "
                 "computed with kernels.sparse.layers_to_connect."),
    )
