"""Per-token expert choices for one sentence, from a seeded toy router.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (expert
specialisation). kernels.moe.route_tokens gives every word id a random embedding and
routes it with an untrained, seeded router of Mixtral's shape (experts, top-k from the
preset). The router is random: its choices show the mechanism (each token, on its
own, gets its own top-k experts with renormalised weights), not learned
specialisation.
"""

import matplotlib.pyplot as plt
import numpy as np

from kernels.moe import route_tokens
from kernels.presets import get_preset

SENTENCE = "the mitochondria is the powerhouse of the cell"
# A fixed word list stands in for a tokenizer: a word's id is its place in the list.
VOCAB = ("the", "cell", "mitochondria", "is", "powerhouse", "of", "a", "and",
         "energy", "protein", "in", "function", "returns", "list", "def", "to")
SEED = 0


# --8<-- [start:compute]
def token_ids(words):
    """Words -> ids by their place in VOCAB (a stand-in for a real tokenizer)."""
    return [VOCAB.index(w) for w in words]


def compute():
    cfg = get_preset("mixtral-8x7b")
    words = SENTENCE.split()
    indices, weights = route_tokens(token_ids(words), n_experts=cfg.n_experts,
                                    k=cfg.experts_per_token, seed=SEED)
    grid = np.zeros((cfg.n_experts, len(words)))  # (E, T): weight, 0 if not chosen
    for t in range(len(words)):
        for e, w in zip(indices[t].tolist(), weights[t].tolist()):
            grid[e, t] = w
    return cfg, words, grid
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, cfg, words, grid):
    fig, ax = plt.subplots(figsize=(8, 5.0))
    shown = np.ma.masked_equal(grid, 0.0)  # unchosen cells stay empty
    ax.imshow(np.zeros_like(grid), cmap=theme.heatmap(theme.grid), vmin=0, vmax=1,
              aspect="auto")
    ax.imshow(shown > 0, cmap=theme.heatmap(theme.accent), vmin=0, vmax=1,
              aspect="auto")  # chosen cells in full accent colour
    for e, t in zip(*np.nonzero(grid)):
        ax.text(t, e, f"{grid[e, t]:.2f}", ha="center", va="center",
                color=theme.text_on(theme.accent), fontsize=12, fontweight="bold")
    ax.set_xticks(range(len(words)), words, rotation=30, ha="right")
    ax.set_yticks(range(cfg.n_experts), [f"E{e}" for e in range(cfg.n_experts)])
    ax.set_ylabel("expert")
    ax.set_xticks(np.arange(len(words) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(cfg.n_experts + 1) - 0.5, minor=True)
    ax.grid(which="minor", color=theme.background, linewidth=2)
    ax.tick_params(which="minor", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    return fig
# --8<-- [end:draw]


def main(book):
    cfg, words, grid = compute()
    k = cfg.experts_per_token
    the_cols = [t for t, w in enumerate(words) if w == "the"]
    the_experts = np.nonzero(grid[:, the_cols[0]])[0].tolist()
    used = int((grid.sum(axis=1) > 0).sum())
    book.fact("moe_routing_words", len(words), fmt="d")
    book.fact("moe_routing_experts_used", used, fmt="d")
    book.fact("moe_routing_the_count", len(the_cols), fmt="d")
    book.fact("moe_routing_the_experts", 0,
              text=f"E{the_experts[0]} and E{the_experts[1]}")
    book.fact("moe_routing_seed", SEED, fmt="d")
    book.figure(
        lambda theme: draw(theme, cfg, words, grid),
        alt=(f"A grid of {cfg.n_experts} experts (rows) by the {len(words)} words of "
             f"'{SENTENCE}' (columns). Each column has {k} filled cells, the experts "
             "that word is routed to, labelled with their weights, which sum to 1. "
             f"All {len(the_cols)} occurrences of 'the' go to experts "
             f"E{the_experts[0]} and E{the_experts[1]}; across the sentence {used} "
             f"of the {cfg.n_experts} experts are used."),
        caption=(
            f"Routing of one sentence with Mixtral's shape: {cfg.n_experts} experts, "
            f"top-{k}. Each column is one word; the filled cells are its {k} "
            "experts and the numbers their renormalised weights. The router is a "
            f"random toy (kernels.moe.route_tokens, seed {SEED}, words mapped to ids "
            "by a fixed word list), so the picture shows the mechanism—every "
            "token chooses for itself—not learned specialisation. It also sees each "
            "word alone, which is why every 'the' routes identically; in a real "
            "model attention mixes context into the token first."),
    )
