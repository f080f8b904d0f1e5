"""The weight update 1.0 + 0.0001 in each format, and what master weights fix.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Every sum is performed by torch in the dtype named (kernels.precision.stored_sum);
"1,000 steps" adds the update 1,000 times, rounding after each step as a training
loop that stores its weights in that dtype would.
"""

import torch

from kernels.precision import smallest_subnormal, stored_sum

WEIGHT, UPDATE, GRAD, STEPS = 1.0, 1e-4, 1e-8, 1000
DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


# --8<-- [start:compute]
def after_steps(dtype, steps=STEPS):
    """Weight stored in `dtype` after `steps` updates of UPDATE each."""
    w = torch.tensor(WEIGHT, dtype=dtype)
    for _ in range(steps):
        w = w + torch.tensor(UPDATE, dtype=dtype)
    return w.item()


def master_weights(compute_dtype, steps=STEPS):
    """Updates computed in `compute_dtype`, applied to an fp32 master copy."""
    master = torch.tensor(WEIGHT, dtype=torch.float32)
    for _ in range(steps):
        update = torch.tensor(UPDATE, dtype=compute_dtype)  # gradient step in bf16
        master = master + update.float()                   # accumulated in fp32
    return master.item()


def compute():
    rows = {}
    for name, dtype in DTYPES.items():
        rows[name] = {
            "one": stored_sum(WEIGHT, UPDATE, dtype),
            "many": after_steps(dtype),
            "grad": torch.tensor(GRAD, dtype=dtype).item(),
            "half_gap": torch.finfo(dtype).eps / 2,
        }
    return rows, master_weights(torch.bfloat16)
# --8<-- [end:compute]


def main(book):
    rows, master = compute()
    lines = ["| Format | Half the gap above 1 | 1.0 + 0.0001 | After 1,000 such "
             "updates | A gradient of 10⁻⁸ stored |", "|---|---:|---:|---:|---:|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['half_gap']:.3g} | {r['one']:.7g} | "
                     f"{r['many']:.7g} | {r['grad']:.3g} |")
    lines.append(f"| bf16 updates, fp32 master | — | — | {master:.7g} | — |")
    book.table("\n".join(lines), caption=(
        "Adding an update of 0.0001 to a weight of 1.0, computed by torch in each "
        "format. A sum is rounded to the nearest representable number, so an update "
        "smaller than half the gap above 1 vanishes. The last row keeps the weight "
        "in fp32 (the master copy) and only the update in bf16."))
    book.fact("upd_weight", WEIGHT, fmt=".1f")
    book.fact("upd_update", UPDATE, fmt=".4f")
    book.fact("upd_steps", STEPS, fmt=",d")
    for name, r in rows.items():
        book.fact(f"upd_{name}_one", r["one"], fmt=".7g" if r["one"] != 1 else ".1f")
        book.fact(f"upd_{name}_many", r["many"], fmt=".5g" if r["many"] != 1 else ".1f")
        book.fact(f"upd_{name}_half_gap", r["half_gap"], fmt="sci:2")
    book.fact("upd_master", master, fmt=".5g")
    book.fact("upd_grad", GRAD, fmt="sci:1", tiny_ok=True)
    book.fact("upd_grad_bf16", rows["bf16"]["grad"], fmt="sci:3", tiny_ok=True)
    book.fact("fp16_smallest_subnormal", smallest_subnormal(torch.float16),
              fmt="sci:3", tiny_ok=True)
    book.claim("fp16_grad_flushes", "rounds to exactly 0",
               holds=rows["fp16"]["grad"] == 0.0, because=str(rows["fp16"]["grad"]))
    book.claim("bf16_update_lost", "the weight is still exactly 1.0",
               holds=rows["bf16"]["one"] == 1.0 and rows["bf16"]["many"] == 1.0,
               because=str(rows["bf16"]))
    book.claim("fp16_update_lost", "still exactly 1.0",
               holds=rows["fp16"]["one"] == 1.0 and rows["fp16"]["many"] == 1.0,
               because=str(rows["fp16"]))
    book.claim("master_recovers", "within 0.1 % of the exact 1.1",
               holds=abs(master - 1.1) / 1.1 < 1e-3, because=str(master))
