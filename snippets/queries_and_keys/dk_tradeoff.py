"""How big d_k is in practice, and what a wider one costs (GPT-2 small, from presets).

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md (facts).
"""

from kernels.presets import get_preset


# --8<-- [start:compute]
def compute():
    gpt2 = get_preset("gpt2-small")
    per_matrix = {d_k: gpt2.d_model * d_k for d_k in (gpt2.head_dim, gpt2.d_model)}
    return gpt2, per_matrix
# --8<-- [end:compute]


def main(book):
    gpt2, per_matrix = compute()
    book.fact("gpt2_d_model", gpt2.d_model, fmt="d")
    book.fact("gpt2_head_dim", gpt2.head_dim, fmt="d")
    book.fact("gpt2_n_heads", gpt2.n_heads, fmt="d")
    book.fact("gpt2_wq_params_dk64", per_matrix[gpt2.head_dim], fmt=",d")
    book.fact("gpt2_wq_params_full", per_matrix[gpt2.d_model], fmt=",d")
    book.fact("gpt2_wq_full_ratio", per_matrix[gpt2.d_model] / per_matrix[gpt2.head_dim],
              fmt=".0f", unit="×")
    # The heads split the width: n_heads projections of d_k columns cost what one
    # full-width projection costs, so a narrow d_k is a split, not a saving.
    heads_total = gpt2.n_heads * per_matrix[gpt2.head_dim]
    book.claim("gpt2_heads_cost_full", "exactly as many parameters as",
               holds=heads_total == per_matrix[gpt2.d_model],
               because=f"{gpt2.n_heads} × {per_matrix[gpt2.head_dim]:,} = {heads_total:,}"
                       f" vs {per_matrix[gpt2.d_model]:,}")
