"""KV cache at 256K tokens for the models in Jamba's Table 1, recomputed from configs.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
Lieber et al. (2024), Table 1, lists "KV cache (256K context, 16bit)": LLaMA-2 6.7B
128GB, Mistral 7.2B 32GB, Mixtral 46.7B 32GB, Jamba 4GB. Recomputed with 256K =
262,144 tokens and 2 bytes a number, those are exact in GiB (2³⁰ bytes).
"""

import dataclasses

from kernels.costs import kv_cache_bytes, to_gib
from kernels.presets import get_preset, get_ssm_preset
from kernels.ssm import inference_cache_bytes

TOKENS = 256 * 1024          # "256K" read as 262,144, the reading that matches Table 1
QUOTED_GB = {"llama2-7b": 128, "mistral-7b": 32, "mixtral-8x7b": 32, "jamba-v0.1": 4}
NAMES = {"llama2-7b": "LLaMA 2 7B", "mistral-7b": "Mistral 7B",
         "mixtral-8x7b": "Mixtral 8x7B", "jamba-v0.1": "Jamba",
         "jamba-all-attention": "Jamba's shape, attention in every layer"}


# --8<-- [start:compute]
def compute():
    rows = {}
    for key in ("llama2-7b", "mistral-7b", "mixtral-8x7b"):
        cfg = get_preset(key)
        rows[key] = (cfg.n_layers, cfg.n_kv_heads, kv_cache_bytes(cfg, seq_len=TOKENS))
    jamba = get_ssm_preset("jamba-v0.1")
    kv_only = inference_cache_bytes(jamba, TOKENS) - inference_cache_bytes(jamba, 0)
    rows["jamba-v0.1"] = (jamba.n_attention_layers, jamba.n_kv_heads, kv_only)
    dense = dataclasses.replace(jamba, n_attention_layers=jamba.n_layers)
    rows["jamba-all-attention"] = (dense.n_layers, dense.n_kv_heads,
                                   inference_cache_bytes(dense, TOKENS))
    return jamba, rows
# --8<-- [end:compute]


def main(book):
    jamba, rows = compute()
    lines = ["| Model | Layers with a KV cache | K/V heads | KV cache at 256K (GiB) | "
             "Jamba's Table 1 |", "|---|---:|---:|---:|---:|"]
    for key, (layers, heads, nbytes) in rows.items():
        quoted = f"{QUOTED_GB[key]} GB" if key in QUOTED_GB else "—"
        lines.append(f"| {NAMES[key]} | {layers} | {heads} | {to_gib(nbytes):.1f} | "
                     f"{quoted} |")
    book.table("\n".join(lines), caption=(
        "KV cache of one 262,144-token (256K) sequence, 16-bit numbers: 2 (K and V) × "
        "layers with attention × K/V heads × 128 channels × tokens × 2 bytes. Every "
        "number Jamba's paper quotes as GB is exactly this many GiB (2³⁰ bytes). "
        "The last row keeps Jamba's width and heads but puts attention in all 32 layers."))
    for key, quoted in QUOTED_GB.items():
        book.fact(f"ssm_kv256k_{key.replace('-', '_').replace('.', '')}",
                  to_gib(rows[key][2]), fmt=".0f", unit="GiB", expected=quoted,
                  rel_tol=1e-9, source="Lieber et al. 2024, Table 1 (quoted as GB)")
    gb = rows["llama2-7b"][2] / 1e9
    book.fact("ssm_kv256k_llama7b_gb", gb, fmt=".0f", unit="GB")
    book.fact("ssm_jamba_state_mib", inference_cache_bytes(jamba, 0) / 2**20, fmt=".1f",
              unit="MiB")
    book.fact("ssm_jamba_layers", jamba.n_layers, fmt="d")
    book.fact("ssm_jamba_attn_layers", jamba.n_attention_layers, fmt="d")
    book.fact("ssm_jamba_mamba_layers", jamba.n_mamba_layers, fmt="d")
    book.fact("ssm_jamba_vs_dense", rows["jamba-all-attention"][2] / rows["jamba-v0.1"][2],
              fmt=".0f", unit="×", expected=8, source="32 / 4 attention layers")
    book.fact("ssm_jamba_dense_gib", to_gib(rows["jamba-all-attention"][2]), fmt=".0f",
              unit="GiB")
    book.fact("ssm_256k_tokens", TOKENS, fmt=",d")
