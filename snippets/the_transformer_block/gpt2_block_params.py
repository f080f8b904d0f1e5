"""Where the parameters of one GPT-2 block live, counted from the module itself.

Shown on: docs/4.2-attention-and-the-transformer/the-transformer-block/index.md.
The block is kernels/gpt2.py's Block built on PyTorch's meta device (shapes, no
memory); its counts are checked against the closed forms 4·d² (attention weights)
and 2·d·d_ff (FFN weights) and against kernels.costs.param_count for the whole model.
Convention: every parameter counts, biases and LayerNorm weights included.
"""

import torch

from kernels.costs import param_count
from kernels.gpt2 import Block
from kernels.presets import get_preset

PARTS = {  # parameter-name prefix in kernels/gpt2.Block -> row of the table
    "ln_1": "LayerNorm 1 (scale γ, shift β)",
    "attn.c_attn": "Attention: W_Q, W_K, W_V (one fused matrix) + biases",
    "attn.c_proj": "Attention: output projection W_O + bias",
    "ln_2": "LayerNorm 2 (scale γ, shift β)",
    "mlp.c_fc": "FFN: expand d_model → d_ff + bias",
    "mlp.c_proj": "FFN: contract d_ff → d_model + bias",
}


# --8<-- [start:count]
def count_block(cfg):
    """Parameters per row of PARTS and their shapes, from the real module."""
    with torch.device("meta"):  # shapes only: nothing is allocated
        block = Block(cfg)
    counts, shapes = dict.fromkeys(PARTS, 0), {p: [] for p in PARTS}
    for name, p in block.named_parameters():
        part = next(k for k in PARTS if name.startswith(k + "."))
        counts[part] += p.numel()
        shapes[part].append("×".join(str(s) for s in p.shape))
    return counts, shapes
# --8<-- [end:count]


def _share(n, total):
    pct = 100 * n / total
    return "< 0.1 %" if pct < 0.05 else f"{pct:.1f} %"


def main(book):
    cfg = get_preset("gpt2-small")
    d, ff = cfg.d_model, cfg.d_ff
    counts, shapes = count_block(cfg)
    block = sum(counts.values())
    attn = counts["attn.c_attn"] + counts["attn.c_proj"]
    ffn = counts["mlp.c_fc"] + counts["mlp.c_proj"]
    norms = counts["ln_1"] + counts["ln_2"]

    rows = ["| Part of one block | Tensor shapes | Parameters | Share of the block |",
            "|---|---|---:|---:|"]
    for part, text in PARTS.items():
        rows.append(f"| {text} | {', '.join(shapes[part])} | {counts[part]:,} | "
                    f"{_share(counts[part], block)} |")
    rows.append(f"| **Block total** | | **{block:,}** | 100 % |")
    book.table("\n".join(rows), caption=(
        f"One GPT-2 block (d_model = {d}, d_ff = {ff:,}), counted parameter by "
        "parameter from kernels/gpt2.py's Block. Biases and LayerNorm weights are "
        "included."))

    # closed forms the prose derives, checked against the module
    attn_w, ffn_w = 4 * d * d, 2 * d * ff
    assert attn - attn_w == 4 * d and ffn - ffn_w == ff + d, "bias count changed"
    book.fact("tb_gpt2_d_model", d, fmt=",d")
    book.fact("tb_gpt2_d_ff", ff, fmt=",d")
    book.fact("tb_gpt2_layers", cfg.n_layers, fmt="d")
    book.fact("tb_gpt2_heads", cfg.n_heads, fmt="d")
    book.fact("tb_gpt2_head_dim", cfg.head_dim, fmt="d")
    book.fact("tb_ffn_expansion", ff / d, fmt=".0f", unit="×")
    book.fact("tb_attn_weights_block", attn_w, fmt=",d",
              expected=2_359_296, rel_tol=0, source="4·768², often quoted")
    book.fact("tb_ffn_weights_block", ffn_w, fmt=",d",
              expected=4_718_592, rel_tol=0, source="2·768·3072, often quoted")
    book.fact("tb_ffn_over_attn", ffn / attn, fmt=".1f", unit="×")
    book.claim("tb_ffn_twice_attn", "twice", holds=abs(ffn_w / attn_w - 2) < 1e-12,
               because=f"FFN/attention weights {ffn_w / attn_w}")
    book.fact("tb_attn_block", attn, fmt=",d")
    book.fact("tb_ffn_block", ffn, fmt=",d")
    book.fact("tb_norm_block", norms, fmt=",d")
    book.fact("tb_block_total", block, fmt=",d")
    book.fact("tb_ffn_share_block_pct", 100 * ffn / block, fmt=".1f", unit="%")
    book.fact("tb_attn_share_block_pct", 100 * attn / block, fmt=".1f", unit="%")

    # the whole model, by component (kernels.costs agrees with the module)
    model = param_count(cfg)
    assert model["attention"] == cfg.n_layers * attn
    assert model["ffn"] == cfg.n_layers * ffn
    total = model["total"]
    book.fact("tb_model_attn_m", model["attention"] / 1e6, fmt=".1f", unit="M")
    book.fact("tb_model_ffn_m", model["ffn"] / 1e6, fmt=".1f", unit="M")
    book.fact("tb_model_embed_m", model["embedding"] / 1e6, fmt=".1f", unit="M")
    book.fact("tb_model_total_m", total / 1e6, fmt=".1f", unit="M")
    book.fact("tb_model_attn_pct", 100 * model["attention"] / total, fmt=".0f",
              unit="%")
    book.fact("tb_model_ffn_pct", 100 * model["ffn"] / total, fmt=".0f", unit="%")
    book.fact("tb_model_embed_pct", 100 * model["embedding"] / total, fmt=".0f",
              unit="%")
    book.fact("tb_gpt2_sublayers", 2 * cfg.n_layers, fmt="d")
    gpt3 = get_preset("gpt3-175b")
    book.fact("tb_gpt3_layers", gpt3.n_layers, fmt="d")
    book.fact("tb_gpt3_additions", 2 * gpt3.n_layers, fmt="d")
    book.fact("tb_gpt3_half_layers", gpt3.n_layers // 2, fmt="d")

    # the transfer question: FFN expansion 4x -> 1x
    ffn_1x = 2 * d * d + d + d
    cut = 1 - ffn_1x / ffn
    book.fact("tb_ffn_1x_block", ffn_1x, fmt=",d")
    book.fact("tb_ffn_1x_cut_pct", 100 * cut, fmt=".0f", unit="%")
    model_1x = total - cfg.n_layers * (ffn - ffn_1x)
    book.fact("tb_model_1x_m", model_1x / 1e6, fmt=".1f", unit="M")
