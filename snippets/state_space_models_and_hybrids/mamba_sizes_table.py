"""Mamba's fixed inference state for every released size, and how many tokens of a
transformer's KV cache it equals.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
Configs from kernels.presets.SSM_PRESETS (the released config.json files); 16-bit
numbers; MiB = 2²⁰ bytes.
"""

from kernels.costs import kv_cache_bytes
from kernels.presets import PYTHIA_2_8B, SSM_PRESETS
from kernels.ssm import inference_cache_bytes

SIZES = ("mamba-130m", "mamba-370m", "mamba-790m", "mamba-1.4b", "mamba-2.8b")


# --8<-- [start:compute]
def compute():
    per_token = kv_cache_bytes(PYTHIA_2_8B, seq_len=1)  # one token of Pythia-2.8B
    rows = []
    for name in SIZES:
        cfg = SSM_PRESETS[name]
        state = inference_cache_bytes(cfg, seq_len=0)  # the same at any length
        rows.append((name, cfg.n_layers, cfg.d_model, state, state / per_token))
    return rows
# --8<-- [end:compute]


def main(book):
    rows = compute()
    per_token_kib = kv_cache_bytes(PYTHIA_2_8B, seq_len=1) / 1024
    lines = ["| Model | Layers | d_model | State per sequence (MiB) | "
             "= Pythia-2.8B KV cache of (tokens) |", "|---|---:|---:|---:|---:|"]
    for name, layers, width, state, tokens in rows:
        lines.append(f"| {name} | {layers} | {width:,} | {state / 2**20:.2f} | "
                     f"{tokens:.1f} |")
    book.table("\n".join(lines), caption=(
        "Inference state of the released Mamba models (Gu & Dao 2023; config.json "
        "on the Hugging Face hub): layers × 2·d_model inner channels × (16 state + 4 "
        "convolution) numbers × 2 bytes, at any length. The last column divides it "
        f"by the {per_token_kib:.0f} KiB a single token adds to Pythia-2.8B's KV cache."))
    book.fact("ssm_mamba_28_equiv_tokens", rows[-1][4], fmt=".0f")
    book.fact("ssm_mamba_130m_state_mib", rows[0][3] / 2**20, fmt=".2f", unit="MiB")
