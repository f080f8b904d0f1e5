"""Every number in the Module 4.2 test, computed.

Shown on: docs/4.2-attention-and-the-transformer/module-test.md (facts only).
Lessons 4.2.1–4.2.3 questions use the module's running example
(kernels/running_example.py: "The", "cat", "sat", "here"); the others use the
presets, kernels.costs and kernels.attention.
"""

import math

import torch

from kernels.attention import attention, causal_mask
from kernels.costs import attention_pairs, attention_score_flops, param_count
from kernels.presets import get_preset
from kernels.running_example import TOKENS, running_example

CAT, SAT, HERE = (TOKENS.index(t) for t in ("cat", "sat", "here"))
D_K_SCALING = 64  # head width of the scaling question (GPT-2's head_dim)
MHA_D_MODEL, MHA_HEADS = 512, 8  # the multi-head question's model


def _fmt(book, name, value, fmt=".2f", **kw):
    book.fact(name, float(value), fmt=fmt, **kw)


# --8<-- [start:running_example]
def lessons_1_to_3(book):
    r = running_example()
    for token, row in zip(TOKENS, r["x"].tolist()):
        book.fact(f"mt_emb_{token.lower()}", row[0],
                  text="(" + ", ".join(f"{v:g}" for v in row) + ")")
    raw = r["raw_scores"]
    _fmt(book, "mt_raw_cat_here", raw[CAT, HERE], "g")
    _fmt(book, "mt_raw_cat_cat", raw[CAT, CAT], "g")
    _fmt(book, "mt_raw_cat_sat", raw[CAT, SAT], "g")
    _fmt(book, "mt_raw_w_cat_sat", r["raw_weights"][CAT, SAT], ".3f")
    _fmt(book, "mt_raw_w_sat_cat", r["raw_weights"][SAT, CAT], ".3f")
    assert raw[CAT, SAT] == raw[SAT, CAT]
    _fmt(book, "mt_qk_cat_sat", r["scores"][CAT, SAT], "g")
    _fmt(book, "mt_qk_sat_cat", r["scores"][SAT, CAT], "g")
    n, width = r["out"].shape
    _fmt(book, "mt_n_tokens", n, "g")
    _fmt(book, "mt_width", width, "g")
    for i, name in enumerate(("a", "b", "c")):
        _fmt(book, f"mt_out_cat_{name}", r["out"][CAT, i])
        _fmt(book, f"mt_x_cat_{name}", r["x"][CAT, i], "g")
        _fmt(book, f"mt_res_cat_{name}", r["residual"][CAT, i])
    # lesson 4.2.6 on the same example: the causal row of "sat"
    scaled = r["scaled"]
    masked = scaled.masked_fill(~causal_mask(n), float("-inf")).softmax(-1)
    _, weights = attention(r["q"][None, None], r["k"][None, None],
                           r["v"][None, None], is_causal=True, return_weights=True)
    assert torch.allclose(weights[0, 0], masked)
    _fmt(book, "mt_causal_sat_the", masked[SAT, 0], ".3f")
    _fmt(book, "mt_causal_sat_cat", masked[SAT, CAT], ".3f")
    _fmt(book, "mt_causal_sat_sat", masked[SAT, SAT], ".3f")
    _fmt(book, "mt_full_sat_here", r["weights"][SAT, HERE], ".3f")
    _fmt(book, "mt_pairs_causal_4", attention_pairs(n, causal=True), "d")
    _fmt(book, "mt_pairs_full_4", attention_pairs(n), "d")
# --8<-- [end:running_example]


def scaling(book):
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(20000, D_K_SCALING, generator=gen, dtype=torch.float64)
    k = torch.randn(20000, D_K_SCALING, generator=gen, dtype=torch.float64)
    spread = (q * k).sum(-1).std().item()  # unit-variance entries: std ≈ √d_k
    _fmt(book, "mt_dk", D_K_SCALING, "d")
    _fmt(book, "mt_dot_std_dk", spread, ".1f")
    _fmt(book, "mt_sqrt_dk", math.sqrt(D_K_SCALING), "g")
    book.claim("mt_dot_std_near_sqrt", "close to",
               holds=abs(spread / math.sqrt(D_K_SCALING) - 1) < 0.03,
               because=f"std {spread} vs √d_k {math.sqrt(D_K_SCALING)}")


def multi_head(book):
    d_k = MHA_D_MODEL // MHA_HEADS
    _fmt(book, "mt_mha_d_model", MHA_D_MODEL, "d")
    _fmt(book, "mt_mha_heads", MHA_HEADS, "d")
    _fmt(book, "mt_mha_dk", d_k, "d")
    _fmt(book, "mt_mha_wo", MHA_D_MODEL**2, ",d")
    _fmt(book, "mt_mha_wo_wrong", MHA_D_MODEL * d_k, ",d")
    gpt2 = get_preset("gpt2-small")
    split = attention_score_flops(1024, gpt2.n_heads, gpt2.head_dim)
    single = attention_score_flops(1024, 1, gpt2.d_model)
    _fmt(book, "mt_gpt2_heads", gpt2.n_heads, "d")
    _fmt(book, "mt_gpt2_head_dim", gpt2.head_dim, "d")
    _fmt(book, "mt_gpt2_d_model", gpt2.d_model, "d")
    book.claim("mt_split_same_flops", "the same", holds=split == single,
               because=f"{split} vs {single}")


def block_and_model(book):
    gpt3 = get_preset("gpt3-175b")
    d = gpt3.d_model
    _fmt(book, "mt_gpt3_d_model", d, ",d")
    _fmt(book, "mt_gpt3_attn_w", 4 * d * d, ",d")
    _fmt(book, "mt_gpt3_ffn_w", 2 * d * gpt3.d_ff, ",d")
    _fmt(book, "mt_gpt3_ffn_w_1x", 2 * d * d, ",d")
    _fmt(book, "mt42_gpt3_layers", gpt3.n_layers, "d")
    _fmt(book, "mt_gpt3_postnorm_norms", 2 * gpt3.n_layers, "d")
    gpt2 = get_preset("gpt2-small")
    total = param_count(gpt2)["total"]
    wte = gpt2.vocab_size * gpt2.d_model
    _fmt(book, "mt_gpt2_total_m", total / 1e6, ".1f", unit="M")
    _fmt(book, "mt_gpt2_untied_m", (total + wte) / 1e6, ".1f", unit="M")
    _fmt(book, "mt_gpt2_no_embed_m", (total - wte) / 1e6, ".1f", unit="M")
    _fmt(book, "mt_gpt2_wte_m", wte / 1e6, ".1f", unit="M")


def main(book):
    lessons_1_to_3(book)
    scaling(book)
    multi_head(book)
    block_and_model(book)
