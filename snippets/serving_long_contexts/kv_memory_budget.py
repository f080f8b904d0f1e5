"""Figure and facts: one sequence's KV cache against what a GPU has left after the weights.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (the
problem). Uses kernels.costs.kv_cache_bytes, kernels.presets, kernels.hardware.
Convention on the page: binary units (KiB, GiB), as the vLLM paper's own arithmetic
(800 KB per token = 819,200 bytes) and nvidia-smi use them; fp16 everywhere.
"""

import matplotlib.pyplot as plt

from kernels.costs import kv_cache_bytes, param_count
from kernels.hardware import A100_40GB, A100_80GB
from kernels.presets import get_preset

GiB, KiB = 2**30, 2**10
FP16 = 2
# (preset, GPU it is served on)
SETUPS = (("opt-13b", A100_40GB), ("llama2-7b", A100_80GB), ("llama3-8b", A100_80GB))
CONTEXTS = [2**k for k in range(10, 18)]  # 1,024 ... 131,072 tokens


# --8<-- [start:budget]
def budget(preset: str, gpu) -> dict:
    cfg = get_preset(preset)
    weights = FP16 * param_count(cfg)["total"]
    free = gpu.memory_bytes - weights           # an upper bound: activations ignored
    per_token = kv_cache_bytes(cfg, seq_len=1)  # all layers, K and V, fp16
    full = kv_cache_bytes(cfg, seq_len=cfg.max_seq_len)
    return {"weights": weights, "free": free, "per_token": per_token,
            "full": full, "fit": free // full, "max_len": cfg.max_seq_len}
# --8<-- [end:budget]


def draw(theme):
    fig, ax = plt.subplots(figsize=(7.6, 5.0))
    for (preset, gpu), colour in zip(SETUPS, theme.series):
        cfg = get_preset(preset)
        gib = [kv_cache_bytes(cfg, seq_len=t) / GiB for t in CONTEXTS]
        ax.plot(CONTEXTS, gib, marker="o", color=colour, label=f"{preset}: one sequence")
        free = budget(preset, gpu)["free"] / GiB
        ax.axhline(free, color=colour, ls="--", lw=1,
                   label=f"{gpu.name} minus {preset} weights")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("context length (tokens)")
    ax.set_ylabel("fp16 KV cache (GiB)")
    # Below the axes, in two columns, so the legend stays legible on a phone.
    ax.legend(fontsize=12, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
              frameon=False)
    return fig


def main(book):
    opt = budget("opt-13b", A100_40GB)
    book.fact("srv_opt_kv_token_kib", opt["per_token"] / KiB, fmt=".0f", unit="KiB",
              expected=800, source="Kwon et al. 2023, section 3: 800 KB per token")
    book.fact("srv_opt_kv_seq_gib", opt["full"] / GiB, fmt=".2f", unit="GiB",
              expected=1.6, rel_tol=0.03,
              source="Kwon et al. 2023, section 3: up to 1.6 GB per 2048-token request")
    cfg = get_preset("opt-13b")
    book.fact("srv_opt_layers", cfg.n_layers, fmt="d", unit="layers")
    book.fact("srv_opt_heads", cfg.n_heads, fmt="d", unit="heads")
    book.fact("srv_opt_head_dim", cfg.head_dim, fmt="d")
    book.fact("srv_a100_tflops", A100_40GB.peak_flops / 1e12, fmt=".0f",
              unit="trillion FLOPs per second")
    book.fact("srv_opt_max_len", opt["max_len"], fmt=",d", unit="tokens")
    book.fact("srv_opt_weights_gib", opt["weights"] / GiB, fmt=".1f", unit="GiB")
    book.fact("srv_a100_40_gib", A100_40GB.memory_bytes / GiB, fmt=".1f", unit="GiB")
    book.fact("srv_opt_free_gib", opt["free"] / GiB, fmt=".1f", unit="GiB")
    book.fact("srv_opt_fit", opt["fit"], fmt="d", unit="sequences")
    book.fact("srv_opt_weights_share", 100 * opt["weights"] / A100_40GB.memory_bytes,
              fmt=".0f", unit="%")
    l70 = get_preset("llama3-8b")
    b = budget("llama3-8b", A100_80GB)
    long_ctx = 131072
    book.fact("srv_l3_kv_token_kib", b["per_token"] / KiB, fmt=".0f", unit="KiB")
    book.fact("srv_long_ctx", long_ctx, fmt=",d", unit="tokens")
    book.fact("srv_l3_kv_long_gib", kv_cache_bytes(l70, seq_len=long_ctx) / GiB,
              fmt=".0f", unit="GiB")
    book.fact("srv_l3_free_gib", b["free"] / GiB, fmt=".0f", unit="GiB")
    book.fact("srv_l3_fit_long", b["free"] // kv_cache_bytes(l70, seq_len=long_ctx),
              fmt="d", unit="sequences")
    book.claim("srv_opt_few", "only a handful of",
               holds=opt["fit"] < 16, because=f"{opt['fit']} full-length sequences fit")
    book.figure(
        draw,
        alt=("Log-log plot: the KV cache of one sequence grows in a straight line with "
             "context length for OPT-13B, LLaMA 2 7B and LLaMA 3 8B; dashed lines mark "
             "the memory left after the weights on an A100; long contexts cross them."),
        caption=("fp16 KV cache of one sequence (kernels.costs.kv_cache_bytes) against "
                 "the memory its GPU has left after the fp16 weights (dashed). Drawn by "
                 "snippets/serving_long_contexts/kv_memory_budget.py."),
    )
