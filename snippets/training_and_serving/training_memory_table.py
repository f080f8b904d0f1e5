"""Training memory (model states only) by model size, mixed-precision Adam.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (the hook and
"Data parallelism"). Bytes per parameter from kernels.training_memory: 2 (bf16
weights) + 2 (bf16 gradients) + 12 (fp32 master weights, Adam momentum, Adam
variance) = 16. Activations are not counted. GB = 10⁹ bytes, GiB = 2³⁰ bytes.
Also checks the often-quoted numbers, which use 12 bytes per parameter (no fp32 master
copy) and round parameter counts to "7B" and "70B".
"""

import math

from kernels.costs import param_count, to_gb, to_gib
from kernels.hardware import A100_80GB
from kernels.presets import get_preset
from kernels.training_memory import training_memory_bytes

MODELS = ("gpt2-small", "llama2-7b", "llama2-13b", "llama2-70b", "gpt3-175b")
LABELS = {"gpt2-small": "GPT-2 small", "llama2-7b": "LLaMA 2 7B",
          "llama2-13b": "LLaMA 2 13B", "llama2-70b": "LLaMA 2 70B",
          "gpt3-175b": "GPT-3 175B"}
QUOTED_OPTIMIZER_BYTES = 8  # the often-quoted 12 bytes/param: 2 + 2 + 8 (Adam m and v)


# --8<-- [start:compute]
def compute():
    rows = {}
    for name in MODELS:
        n_params = param_count(get_preset(name))["total"]
        parts = training_memory_bytes(n_params)  # 2 + 2 + 12 bytes per parameter
        gpus = math.ceil(parts["total"] / A100_80GB.memory_bytes)  # states only
        rows[name] = (n_params, parts, gpus)
    return rows
# --8<-- [end:compute]


def main(book):
    rows = compute()
    lines = ["| Model | Parameters | Weights (2 B) | Gradients (2 B) | "
             "Optimizer states (12 B) | Total (16 B/param) | A100 80GB cards, "
             "at least |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, (n, parts, gpus) in rows.items():
        cells = [f"{to_gb(parts[k]):,.1f} GB" for k in
                 ("weights", "gradients", "optimizer_states")]
        total = (f"**{to_gb(parts['total']):,.0f} GB** "
                 f"({to_gib(parts['total']):,.0f} GiB)")
        lines.append(f"| {LABELS[name]} | {n / 1e9:,.2f} B | "
                     + " | ".join(cells) + f" | {total} | {gpus} |")
    book.table("\n".join(lines), caption=(
        "Memory for the model states of training with mixed-precision Adam: "
        "16 bytes per parameter (bf16 weights 2, bf16 gradients 2, fp32 master "
        "weights, momentum and variance 12). Activations come on top and are not "
        "counted. GB = 10⁹ bytes, GiB = 2³⁰ bytes; an A100 80GB holds 80 GiB. "
        "Parameter counts from kernels.costs.param_count on the presets; the last "
        "column divides the total by one card's memory, so it ignores activations."))

    gpt2_n, gpt2_parts, _ = rows["gpt2-small"]
    n7, parts7, _ = rows["llama2-7b"]
    n70, parts70, gpus70 = rows["llama2-70b"]
    book.fact("scale_bytes_per_param", parts70["total"] / n70, fmt=".0f",
              unit="bytes", expected=16, source="ZeRO paper: 2 + 2 + K, K = 12")
    book.fact("scale_optimizer_share", 100 * parts70["optimizer_states"]
              / parts70["total"], fmt=".0f", unit="%", disputes=100 * 2 / 3,
              source="often quoted: optimizer states are 2/3 of training memory")
    book.fact("scale_gpt2_params_m", gpt2_n / 1e6, fmt=".0f", unit="M",
              expected=124, rel_tol=0.01, source="GPT-2 small, 124M")
    book.fact("scale_gpt2_train_gb", to_gb(gpt2_parts["total"]), fmt=".1f",
              unit="GB")
    book.fact("scale_llama7b_params_b", n7 / 1e9, fmt=".2f", unit="B")
    book.fact("scale_llama7b_train_gb", to_gb(parts7["total"]), fmt=".0f",
              unit="GB", disputes=84, rel_tol=0.02,
              source="often quoted: a 7B model needs ~84 GB to train")
    quoted7 = training_memory_bytes(n7, optimizer_bytes=QUOTED_OPTIMIZER_BYTES)
    book.fact("scale_llama7b_train_12b_gb", to_gb(quoted7["total"]), fmt=".0f",
              unit="GB", expected=84, rel_tol=0.05,
              source="often quoted: 7B × 12 bytes = 84 GB (rounded parameter count)")
    book.fact("scale_llama70b_params_b", n70 / 1e9, fmt=".1f", unit="B")
    book.fact("scale_llama70b_train_gb", to_gb(parts70["total"]), fmt=",.0f",
              unit="GB", disputes=840, rel_tol=0.02,
              source="often quoted: 70B × 12 bytes = 840 GB")
    quoted70 = training_memory_bytes(n70, optimizer_bytes=QUOTED_OPTIMIZER_BYTES)
    book.fact("scale_llama70b_train_12b_gb", to_gb(quoted70["total"]), fmt=".0f",
              unit="GB", expected=840, rel_tol=0.02,
              source="often quoted: 70B × 12 bytes = 840 GB (rounded parameter count)")
    book.fact("scale_llama70b_weights_gb", to_gb(parts70["weights"]), fmt=".0f",
              unit="GB")
    book.fact("scale_llama70b_min_gpus", gpus70, fmt="d")
    book.fact("scale_weight_bytes", parts70["weights"] / n70, fmt=".0f")
    book.fact("scale_grad_bytes", parts70["gradients"] / n70, fmt=".0f")
    book.fact("scale_optimizer_bytes", parts70["optimizer_states"] / n70, fmt=".0f")
    book.fact("scale_claim_bytes", 2 + 2 + QUOTED_OPTIMIZER_BYTES, fmt=".0f",
              unit="bytes")
    book.fact("scale_claim_7b_gb", 84, fmt=".0f", unit="GB")      # quoted claims
    book.fact("scale_claim_70b_gb", 840, fmt=".0f", unit="GB")
    book.fact("scale_claim_share", 2 / 3, text="two thirds")
    book.fact("scale_a100_memory_gib", to_gib(A100_80GB.memory_bytes), fmt=".0f",
              unit="GiB")
    book.fact("scale_a100_memory_gb", to_gb(A100_80GB.memory_bytes), fmt=".1f",
              unit="GB")
    book.fact("scale_llama70b_vs_a100", parts70["total"] / A100_80GB.memory_bytes,
              fmt=".0f", unit="×")
