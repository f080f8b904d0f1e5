"""What one sequence keeps between tokens, 4K to 1M tokens: Mamba's fixed state vs a
transformer's KV cache vs Jamba's hybrid, all in 16-bit numbers.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
Configs from kernels.presets (SSM_PRESETS, PYTHIA_2_8B, PRESETS). GiB = 2³⁰ bytes;
"4K" … "1M" are powers of two (4,096 … 1,048,576 tokens).
"""

import matplotlib.pyplot as plt

from kernels.costs import kv_cache_bytes, to_gib
from kernels.presets import PYTHIA_2_8B, get_preset, get_ssm_preset
from kernels.ssm import inference_cache_bytes

LENGTHS = [2 ** p for p in range(12, 21)]   # 4K … 1M
BYTES = 2                                   # fp16/bf16


# --8<-- [start:compute]
def compute():
    mamba, jamba = get_ssm_preset("mamba-2.8b"), get_ssm_preset("jamba-v0.1")
    llama = get_preset("llama2-7b")
    return {
        "Pythia-2.8B (transformer)": [kv_cache_bytes(PYTHIA_2_8B, seq_len=n) for n in LENGTHS],
        "LLaMA 2 7B (transformer)": [kv_cache_bytes(llama, seq_len=n) for n in LENGTHS],
        "Jamba (hybrid)": [inference_cache_bytes(jamba, n) for n in LENGTHS],
        "Mamba-2.8B (SSM)": [inference_cache_bytes(mamba, n) for n in LENGTHS],
    }
# --8<-- [end:compute]


def _label(n):
    return f"{n // 2**20}M" if n >= 2**20 else f"{n // 1024}K"


def draw(theme, series):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    colours = (theme.warn, theme.contrast, theme.good, theme.accent)
    for (name, values), colour in zip(series.items(), colours):
        ax.plot(LENGTHS, [to_gib(v) for v in values], marker="o", ms=3.5,
                color=colour, label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(LENGTHS, [_label(n) for n in LENGTHS])
    ax.set_xlabel("tokens in the sequence")
    ax.set_ylabel("kept between tokens (GiB)")
    ax.axhline(80 * 1e9 / 2**30, color=theme.muted, ls=":", lw=1)
    ax.text(LENGTHS[0], 80 * 1e9 / 2**30 * 1.25, f"one 80 GB GPU = {80e9 / 2**30:.1f} GiB", color=theme.muted,
            )
    ax.set_ylim(top=3e5)
    ax.legend(loc="upper left", ncol=2)
    fig.tight_layout()
    return fig


def main(book):
    series = compute()
    mamba = series["Mamba-2.8B (SSM)"]
    pythia = series["Pythia-2.8B (transformer)"]
    jamba = series["Jamba (hybrid)"]
    cfg = get_ssm_preset("mamba-2.8b")
    book.fact("ssm_mamba_layers", cfg.n_layers, fmt="d")
    book.fact("ssm_mamba_d_inner", cfg.d_inner, fmt=",d")
    book.fact("ssm_mamba_d_state", cfg.d_state, fmt="d")
    book.fact("ssm_mamba_d_conv", cfg.d_conv, fmt="d")
    book.fact("ssm_mamba_state_mib", mamba[0] / 2**20, fmt=".1f", unit="MiB",
              expected=64 * 5120 * 20 * 2 / 2**20, source="64·5120·(16+4)·2 B")
    book.fact("ssm_pythia_kv_per_token_kib", kv_cache_bytes(PYTHIA_2_8B, seq_len=1) / 1024,
              fmt=".0f", unit="KiB")
    book.fact("ssm_pythia_kv_4k_gib", to_gib(pythia[0]), fmt=".2f", unit="GiB")
    book.fact("ssm_pythia_kv_1m_gib", to_gib(pythia[-1]), fmt=".0f", unit="GiB")
    book.fact("ssm_pythia_vs_mamba_1m", pythia[-1] / mamba[-1], fmt=",.0f", unit="×")
    book.fact("ssm_pythia_vs_mamba_4k", pythia[0] / mamba[0], fmt=",.0f", unit="×")
    book.fact("ssm_jamba_1m_gib", to_gib(jamba[-1]), fmt=".1f", unit="GiB")
    book.fact("ssm_len_short", LENGTHS[0], text="4K (4,096)")
    book.fact("ssm_len_long", LENGTHS[-1], text="1M (1,048,576)")
    book.claim("ssm_mamba_flat", "the same at every length",
               holds=len(set(mamba)) == 1, because=f"{len(set(mamba))} distinct values")
    book.figure(
        lambda theme: draw(theme, series),
        alt=("Log-log plot of memory kept per sequence against tokens from 4K to 1M. "
             "The two transformer lines rise in a straight line, Pythia-2.8B from "
             f"{to_gib(pythia[0]):.1f} to {to_gib(pythia[-1]):.0f} GiB; Jamba rises "
             f"too but far lower, to {to_gib(jamba[-1]):.1f} GiB; Mamba-2.8B is a flat "
             f"line at {mamba[0] / 2**20:.1f} MiB."),
        caption=("Memory one sequence keeps between tokens, 16-bit numbers. "
                 "Transformers: the KV cache, 2 × layers × K/V heads × head_dim × tokens "
                 "(kernels.costs.kv_cache_bytes). Mamba: per layer a state of d_inner × "
                 "d_state numbers plus the convolution's last d_conv inputs "
                 "(kernels.ssm.inference_cache_bytes). Jamba: that state in its 28 "
                 "Mamba layers plus a KV cache in its 4 attention layers. GiB = 2³⁰ "
                 "bytes; 1M = 2²⁰ tokens. A decoded token reads all of it once, so the "
                 "same curves are the bytes moved per token."))
