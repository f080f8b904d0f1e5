"""GPT-2 small and GPT-3 175B: the same blueprint at two scales.

Shown on: docs/4.2-attention-and-the-transformer/decoder-only-transformers/index.md.
Every configuration number from kernels/presets.py (GPT-2 config.json; GPT-3 paper,
Table 2.1); parameter counts from kernels.costs.param_count, same convention as the
GPT-2 table (every parameter once, tied head).
"""

from kernels.costs import param_count
from kernels.presets import get_preset

# --8<-- [start:rows]
FIELDS = (  # (row label, attribute or function of the config)
    ("Transformer blocks", "n_layers"),
    ("Residual-stream width d_model", "d_model"),
    ("Attention heads", "n_heads"),
    ("Head width d_k", "head_dim"),
    ("FFN width d_ff", "d_ff"),
    ("FFN expansion d_ff / d_model", lambda c: f"{c.d_ff // c.d_model}×"),
    ("Context length (tokens)", "max_seq_len"),
    ("Vocabulary", "vocab_size"),
)


def _cell(cfg, field):
    value = field(cfg) if callable(field) else getattr(cfg, field)
    return f"{value:,}" if isinstance(value, int) else value
# --8<-- [end:rows]


def main(book):
    gpt2, gpt3 = get_preset("gpt2-small"), get_preset("gpt3-175b")
    p2, p3 = param_count(gpt2)["total"], param_count(gpt3)["total"]
    rows = ["| Setting | GPT-2 small | GPT-3 175B |", "|---|---:|---:|"]
    for label, field in FIELDS:
        rows.append(f"| {label} | {_cell(gpt2, field)} | {_cell(gpt3, field)} |")
    rows.append(f"| Parameters (computed) | {p2 / 1e6:.1f} M | {p3 / 1e9:.1f} B |")
    book.table("\n".join(rows), caption=(
        "Same architecture, different numbers. Configurations from the presets "
        "(GPT-2: its released config.json; GPT-3: Table 2.1 of its paper, with the "
        "vocabulary assumed equal to GPT-2's). Parameters computed from the "
        "configurations with kernels.costs.param_count. Not shown: GPT-3 also "
        "alternates dense and locally banded sparse attention layers, which "
        "changes the attention pattern but not the parameter count."))
    book.fact("dt_gpt3_total_b", p3 / 1e9, fmt=".1f", unit="B", expected=175.0,
              rel_tol=0.005, source="Brown et al. 2020, Table 2.1: 175.0B")
    paper_b = 175.0  # Brown et al. 2020, Table 2.1, "n_params" of GPT-3 175B
    book.fact("dt_gpt3_paper_b", paper_b, fmt=".1f", unit="B",
              source="Brown et al. 2020, Table 2.1")
    gap = abs(p3 / 1e9 - paper_b) / paper_b
    book.claim("dt_gpt3_matches_paper", "within half a percent of", holds=gap < 0.005,
               because=f"relative gap {gap:.4f}")
    book.fact("dt_gpt3_over_gpt2", p3 / p2, fmt=",.0f", unit="×")
    book.fact("dt_gpt3_layers", gpt3.n_layers, fmt="d")
    book.fact("dt_gpt3_d_model", gpt3.d_model, fmt=",d")
    book.fact("dt_gpt3_heads", gpt3.n_heads, fmt="d")
    book.fact("dt_gpt3_head_dim", gpt3.head_dim, fmt="d")
    book.fact("dt_gpt3_context", gpt3.max_seq_len, fmt=",d")
    book.fact("dt_width_ratio", gpt3.d_model / gpt2.d_model, fmt=".0f", unit="×")
    book.fact("dt_depth_ratio", gpt3.n_layers / gpt2.n_layers, fmt=".0f", unit="×")
