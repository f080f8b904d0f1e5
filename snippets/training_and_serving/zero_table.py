"""ZeRO stage 1 for LLaMA 2 70B: model-state memory per GPU by number of GPUs.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (ZeRO).
kernels.training_memory.zero_memory_per_gpu: stage 1 keeps the bf16 weights (2 B)
and gradients (2 B) whole on every GPU and splits the 12 bytes of optimizer state
per parameter across the N GPUs. GB = 10⁹ bytes. Activations are not counted.
"""

from kernels.costs import param_count, to_gb
from kernels.hardware import A100_80GB
from kernels.presets import get_preset
from kernels.training_memory import zero_memory_per_gpu

MODEL = "llama2-70b"
GPU_COUNTS = (1, 2, 4, 8, 16, 64, 1024)
EXAMPLE_A, EXAMPLE_B = 8, 16   # GPU counts the prose quotes (both in GPU_COUNTS)
QUOTED_K = 8  # the often-quoted convention: 8 bytes of optimizer state (no master copy)


# --8<-- [start:compute]
def compute():
    n_params = param_count(get_preset(MODEL))["total"]
    stage1 = {n: zero_memory_per_gpu(n_params, n, stage=1) for n in GPU_COUNTS}
    stage3 = {n: zero_memory_per_gpu(n_params, n, stage=3)["total"]
              for n in GPU_COUNTS}  # for comparison: everything split
    return n_params, stage1, stage3
# --8<-- [end:compute]


def main(book):
    n_params, stage1, stage3 = compute()
    cap = A100_80GB.memory_bytes
    lines = ["| GPUs | Weights | Gradients | Optimizer states (1/N) | "
             "**Stage 1 total** | Fits in 80 GiB? | Stage 3 total, for comparison |",
             "|---:|---:|---:|---:|---:|:---:|---:|"]
    for n, parts in stage1.items():
        fits = "yes" if parts["total"] <= cap else "no"
        lines.append(
            f"| {n:,} | {to_gb(parts['weights']):,.0f} GB | "
            f"{to_gb(parts['gradients']):,.0f} GB | "
            f"{to_gb(parts['optimizer_states']):,.1f} GB | "
            f"**{to_gb(parts['total']):,.0f} GB** | {fits} | "
            f"{to_gb(stage3[n]):,.1f} GB |")
    book.table("\n".join(lines), caption=(
        "LLaMA 2 70B model states per GPU with ZeRO stage 1 (optimizer states split "
        "over N data-parallel GPUs), mixed-precision Adam at 16 bytes per parameter. "
        "The last column splits weights and gradients too (stage 3). GB = 10⁹ bytes; "
        "an A100 80GB holds 80 GiB = 85.9 GB. Activations not counted."))
    eight = stage1[EXAMPLE_A]["total"]
    book.fact("scale_zero1_70b_8gpu_gb", to_gb(eight), fmt=".0f", unit="GB",
              disputes=350, rel_tol=0.02,
              source="often quoted: ZeRO-1 brings 70B on 8 GPUs to ~350 GB")
    quoted = zero_memory_per_gpu(n_params, EXAMPLE_A, stage=1, k=QUOTED_K)["total"]
    book.fact("scale_zero1_70b_8gpu_12b_gb", to_gb(quoted), fmt=".0f", unit="GB",
              expected=350, rel_tol=0.02,
              source="often quoted: 70B on 8 GPUs at 12 bytes/param, ~350 GB")
    floor = stage1[1]["weights"] + stage1[1]["gradients"]
    book.fact("scale_zero1_70b_floor_gb", to_gb(floor), fmt=".0f", unit="GB")
    book.fact("scale_zero1_70b_1024_gb", to_gb(stage1[1024]["total"]), fmt=".0f",
              unit="GB")
    book.fact("scale_zero1_70b_saving_8", stage1[1]["total"] / eight, fmt=".1f",
              unit="×")
    book.fact("scale_claim_zero_gb", 350, fmt=".0f", unit="GB")   # quoted claim
    book.fact("scale_zero_gpus_a", EXAMPLE_A, fmt="d")
    book.fact("scale_zero_gpus_b", EXAMPLE_B, fmt="d")
    book.fact("scale_zero1_floor_bytes", floor / n_params, fmt=".0f", unit="bytes")
    book.fact("scale_zero3_70b_8gpu_gb", to_gb(stage3[EXAMPLE_A]), fmt=".0f", unit="GB")
    book.fact("scale_zero3_70b_16gpu_gb", to_gb(stage3[EXAMPLE_B]), fmt=".0f",
              unit="GB")
