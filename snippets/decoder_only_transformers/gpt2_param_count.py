"""GPT-2 small's parameters, component by component, from its configuration.

Shown on: docs/4.2-attention-and-the-transformer/decoder-only-transformers/index.md.
Closed forms from the gpt2-small preset, checked against kernels.costs.param_count
and against kernels/gpt2.py's GPT built on the meta device (the module the book runs).
Convention: every parameter counts once (biases and LayerNorm weights included; the
tied output head adds nothing).
"""

import torch

from kernels.costs import param_count
from kernels.gpt2 import GPT
from kernels.presets import get_preset


# --8<-- [start:count]
def components(cfg):
    d, ff, L, V, T = (cfg.d_model, cfg.d_ff, cfg.n_layers, cfg.vocab_size,
                      cfg.max_seq_len)
    attn = 4 * d * d + 4 * d  # W_Q, W_K, W_V, W_O and their biases
    ffn = 2 * d * ff + ff + d  # expand and contract matrices and their biases
    norms = 2 * (2 * d)  # two LayerNorms per block, γ and β each
    return {
        "token embedding W_E": (f"{V:,} × {d}", V * d),
        "position embedding": (f"{T:,} × {d}", T * d),
        f"attention, {L} blocks": (f"{L} × (4·{d}² + 4·{d})", L * attn),
        f"feed-forward, {L} blocks": (f"{L} × (2·{d}·{ff:,} + {ff:,} + {d})", L * ffn),
        f"LayerNorms, {L} blocks": (f"{L} × 2 × 2·{d}", L * norms),
        "final LayerNorm": (f"2·{d}", 2 * d),
        "output head": ("tied to W_E", 0),
    }
# --8<-- [end:count]


def _share(n, total):
    pct = 100 * n / total
    return "0 %" if n == 0 else "< 0.1 %" if pct < 0.05 else f"{pct:.1f} %"


def main(book):
    cfg = get_preset("gpt2-small")
    parts = components(cfg)
    total = sum(n for _, n in parts.values())
    assert total == param_count(cfg)["total"]
    with torch.device("meta"):
        module_total = GPT(cfg).num_parameters()
    assert total == module_total, (total, module_total)

    rows = ["| Component | Shape / formula | Parameters | Share |", "|---|---|---:|---:|"]
    for name, (formula, n) in parts.items():
        rows.append(f"| {name} | {formula} | {n:,} | {_share(n, total)} |")
    rows.append(f"| **Total** | | **{total:,}** | 100 % |")
    book.table("\n".join(rows), caption=(
        "GPT-2 small, counted from its configuration (gpt2-small preset): the sum "
        "matches kernels.costs.param_count and the PyTorch module in kernels/gpt2.py. "
        "Every parameter counts once, biases and LayerNorm weights included; the "
        "output head reuses W_E and adds none."))

    d, L, V = cfg.d_model, cfg.n_layers, cfg.vocab_size
    linear_biases = L * (4 * d + cfg.d_ff + d)
    book.fact("dt_gpt2_total", total, fmt=",d", expected=124_439_808, rel_tol=0,
              source="HF GPT-2 num_parameters(), often quoted as 124M")
    book.fact("dt_gpt2_total_m", total / 1e6, fmt=".1f", unit="M")
    book.fact("dt_gpt2_paper_m", 117, fmt="d", unit="M", disputes=total / 1e6,
              rel_tol=0.01, source="Radford et al. 2019, Table 2 (smallest model)")
    book.fact("dt_gpt2_no_linear_bias", total - linear_biases, fmt=",d",
              expected=124_356_864, rel_tol=0,
              source="often quoted breakdown that leaves out the linear biases")
    book.fact("dt_gpt2_linear_biases", linear_biases, fmt=",d")
    book.fact("dt_gpt2_wte", V * d, fmt=",d")
    book.fact("dt_gpt2_wte_m", V * d / 1e6, fmt=".1f", unit="M")
    book.fact("dt_gpt2_wpe", cfg.max_seq_len * d, fmt=",d")
    book.fact("dt_gpt2_untied_m", (total + V * d) / 1e6, fmt=".1f", unit="M")
    book.fact("dt_gpt2_tying_saving_pct", 100 * V * d / (total + V * d), fmt=".0f",
              unit="%")
    book.fact("dt_gpt2_vocab", V, fmt=",d")
    book.fact("dt_gpt2_context", cfg.max_seq_len, fmt=",d")
    book.fact("dt_gpt2_block_m", (total - V * d - cfg.max_seq_len * d - 2 * d)
              / L / 1e6, fmt=".2f", unit="M")
    book.fact("dt_gpt2_embed_pct", 100 * (V + cfg.max_seq_len) * d / total,
              fmt=".0f", unit="%")
