"""The A100 roofline with the operations of a transformer layer placed on it.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Costs from kernels.roofline (bf16, 2 bytes per element; FLOP = one add, multiply,
compare or exp), shapes from the LLaMA 2 7B preset, hardware from kernels.hardware.
Bytes are the ideal: every input read once, every output written once.
"""

from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np

from kernels import roofline as rl
from kernels.hardware import A100_80GB, ridge_point, roofline_time_s
from kernels.presets import get_preset

MODEL = "llama2-7b"
CONTEXT = 4096         # tokens in the cache (decode) or the prompt (prefill)
BATCHES = (1, 16, 256, 4096)  # tokens per FFN matmul
VECTOR = 2**24         # elements of the vector add
ROWS = 4096            # token rows of the layer norm and softmax


# --8<-- [start:compute]
def compute():
    cfg = get_preset(MODEL)
    h, d = cfg.n_heads, cfg.head_dim
    ops = {
        "vector add": rl.vector_add(VECTOR),
        "layer norm": rl.layer_norm(ROWS, cfg.d_model),
        "softmax": rl.softmax(ROWS, CONTEXT),
        "attention, decode": rl.attention_decode(CONTEXT, h, d),
        "attention, prefill (naive)": rl.attention_prefill(CONTEXT, h, d, tiled=False),
        "attention, prefill (tiled)": rl.attention_prefill(CONTEXT, h, d, tiled=True),
    }
    for b in BATCHES:
        ops[f"FFN matmul, {b:,} token{'s' if b > 1 else ''}"] = rl.ffn_matmul(
            b, cfg.d_model, cfg.d_ff)
    return cfg, ops
# --8<-- [end:compute]


# Label offsets in points (dx, dy, alignment), chosen so no two labels overlap.
LABEL_AT = {
    "vector add": (9, -2, "left"),
    "softmax": (-9, 2, "right"),
    "layer norm": (-9, 8, "right"),
    "attention, decode": (10, -6, "left"),
    "FFN matmul, 1 token": (10, -20, "left"),
    "attention, prefill (naive)": (-9, 4, "right"),
    "attention, prefill (tiled)": (-9, 6, "right"),
    "FFN matmul, 256 tokens": (4, 16, "right"),
    "FFN matmul, 4,096 tokens": (16, -16, "center"),
}


# --8<-- [start:draw]
def draw(theme, ops):
    gpu = A100_80GB
    ridge = ridge_point(gpu)
    fig, ax = plt.subplots(figsize=(7.6, 5.4))
    x = np.logspace(-1.5, 4, 200)
    roof = np.minimum(x * gpu.hbm_bytes_per_s, gpu.peak_flops) / 1e12
    ax.plot(x, roof, color=theme.fg, lw=2.5)
    ax.axvline(ridge, color=theme.muted, ls="--", lw=1)
    ax.text(ridge * 1.1, 1.2, f"ridge\n{ridge:.0f} FLOP/B", color=theme.muted,
            fontsize=12)
    peak_tflops = gpu.peak_flops / 1e12
    ax.text(0.04, 30, f"memory-bound\n(slope: {gpu.hbm_bytes_per_s / 1e12:.2f} TB/s)",
            color=theme.muted, fontsize=12)
    # Below the flat roof, right of the ridge line, clear of the points' labels.
    ax.text(2500, peak_tflops / 3.5, f"compute-bound\n({peak_tflops:.0f} TFLOP/s)",
            color=theme.muted, fontsize=12, ha="center", va="top")
    for name, cost in ops.items():
        attainable = cost.flops / roofline_time_s(cost.flops, cost.bytes_moved, gpu)
        colour = theme.accent if name.startswith("FFN") else (
            theme.contrast if name.startswith("attention") else theme.warn)
        ax.plot(cost.intensity, attainable / 1e12, "o", color=colour, ms=8)
        dx, dy, ha = LABEL_AT.get(name, (8, -4, "left"))
        ax.annotate(name, (cost.intensity, attainable / 1e12), fontsize=12,
                    xytext=(dx, dy), textcoords="offset points", color=colour,
                    ha=ha, va="center")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(0.02, 900)
    ax.set_xlabel("arithmetic intensity (FLOPs per byte moved)")
    ax.set_ylabel("best attainable TFLOP/s")
    return fig
# --8<-- [end:draw]


def main(book):
    cfg, ops = compute()
    gpu = A100_80GB
    ridge = ridge_point(gpu)
    book.fact("a100_peak_tflops", gpu.peak_flops / 1e12, fmt=".0f", unit="TFLOP/s")
    book.fact("a100_hbm_tb_s", gpu.hbm_bytes_per_s / 1e12, fmt=".2f", unit="TB/s")
    book.fact("a100_ridge", ridge, fmt=".0f", unit="FLOPs per byte",
              expected=312e12 / 2039e9)
    book.fact("roof_model_layers", cfg.n_layers, fmt="d")
    book.fact("roof_head_dim", cfg.head_dim, fmt="d")  # prefill intensity ≈ d/2 naive
    book.fact("roof_context", CONTEXT, fmt=",d")
    book.fact("roof_vector_elems", VECTOR, fmt=",d")
    short = {"vector add": "vadd", "layer norm": "lnorm", "softmax": "softmax",
             "attention, decode": "decode", "attention, prefill (naive)": "prefill_naive",
             "attention, prefill (tiled)": "prefill_tiled"}
    for name, cost in ops.items():
        key = short.get(name) or f"ffn_{name.split(', ')[1].split()[0].replace(',', '')}"
        book.fact(f"roof_ai_{key}", cost.intensity,
                  fmt=".2f" if cost.intensity < 10 else ".0f", unit="FLOPs per byte")
        busy = cost.flops / gpu.peak_flops / roofline_time_s(cost.flops,
                                                              cost.bytes_moved, gpu)
        book.fact(f"roof_busy_{key}", 100 * busy,
                  fmt=".1f" if busy < 0.1 else ".0f", unit="%")
    decode = ops["attention, decode"]
    book.claim("decode_memory_bound", "far below the ridge",
               holds=decode.intensity < ridge / 100,
               because=f"{decode.intensity:.2f} vs ridge {ridge:.0f}")
    # A GPU with twice the peak and the same bandwidth: memory-bound ops gain nothing.
    faster = replace(gpu, peak_flops=2 * gpu.peak_flops)
    same = all(roofline_time_s(c.flops, c.bytes_moved, faster)
               == roofline_time_s(c.flops, c.bytes_moved, gpu)
               for n, c in ops.items() if n in ("layer norm", "softmax",
                                                "attention, decode", "vector add"))
    book.claim("double_peak_no_gain", "would not be faster at all", holds=same,
               because="roofline time unchanged with 2× peak for the memory-bound ops")
    big = ops[f"FFN matmul, {BATCHES[-1]:,} tokens"]
    book.claim("ffn_big_batch_compute_bound", "above the ridge",
               holds=big.intensity > ridge, because=f"{big.intensity:.0f}")
    vadd = ops["vector add"]
    book.fact("vadd_bytes_per_flop", vadd.bytes_moved / vadd.flops, fmt=".0f",
              unit="bytes")
    book.fact("vadd_gpu_flops_per_load", gpu.peak_flops / gpu.hbm_bytes_per_s * 2,
              fmt=".0f")
    book.figure(
        lambda theme: draw(theme, ops),
        alt=("Log-log roofline for an A100: a slanted line rising with arithmetic "
             f"intensity meets a flat ceiling at {gpu.peak_flops / 1e12:.0f} TFLOP/s "
             f"at {ridge:.0f} FLOPs per byte. Vector add, layer norm, softmax and "
             "decode attention sit far left on the slope; naive prefill attention "
             "is on the slope, tiled prefill near the ridge; FFN matmuls climb the "
             "slope as the batch grows and reach the ceiling at large batches."),
        caption=(f"The A100 (80 GB SXM) roofline: no kernel can run above the line "
                 f"min(intensity × {gpu.hbm_bytes_per_s / 1e12:.2f} TB/s, "
                 f"{gpu.peak_flops / 1e12:.0f} TFLOP/s). Points are one layer of "
                 f"LLaMA 2 7B in bf16 ({CONTEXT:,}-token context or prompt; FFN "
                 "up-projection at 1 to 4,096 tokens per matmul), at the best speed "
                 "their bytes and FLOPs allow. Ideal traffic assumed: every input "
                 "read once."))
