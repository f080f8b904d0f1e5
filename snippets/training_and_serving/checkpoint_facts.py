"""Facts for the hook and the two checkpoints: capacity arithmetic.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md. Memory from
kernels.training_memory (16 bytes per parameter for training) and 2 bytes per
parameter for bf16 serving weights; GPU memory from kernels.hardware; parameter
counts from kernels.costs.param_count. GB = 10⁹ bytes. Activations and KV cache are
not counted. The 30B model of checkpoint 1 is hypothetical (no preset), so its size
is a scenario number, not a model config.
"""

import math

from kernels.costs import param_count, to_gb
from kernels.hardware import A100_80GB
from kernels.presets import get_preset
from kernels.training_memory import training_memory_bytes

USERS, TOKENS_EACH = 1000, 100        # the hook's serving scenario
CHECK1_PARAMS, CHECK1_GPUS = 30 * 10**9, 4
CHECK2_GPUS = 8
BYTES_BF16 = 2


# --8<-- [start:compute]
def compute():
    cap = A100_80GB.memory_bytes
    train30 = training_memory_bytes(CHECK1_PARAMS)["total"]
    mixtral = param_count(get_preset("mixtral-8x7b"))
    serve = BYTES_BF16 * mixtral["total"]
    return dict(
        passes=USERS * TOKENS_EACH,
        train30=train30,
        per_stage=train30 / CHECK1_GPUS,             # 4-stage pipeline, even split
        all_four=CHECK1_GPUS * cap,
        min_gpus30=math.ceil(train30 / cap),
        mixtral=mixtral,
        serve=serve,
        serve_per_gpu=serve / CHECK2_GPUS,
        # Expert parallelism: each GPU holds one expert per layer; attention,
        # embeddings, norms and routers (everything but the experts) are replicated.
        ep_per_gpu=BYTES_BF16 * (mixtral["total"] - mixtral["ffn"]
                                 + mixtral["ffn"] / CHECK2_GPUS),
        shared=mixtral["total"] - mixtral["ffn"],
        active_serve=BYTES_BF16 * mixtral["active"],
    )
# --8<-- [end:compute]


def main(book):
    d = compute()
    book.fact("scale_hook_users", USERS, fmt=",d")
    book.fact("scale_hook_tokens", TOKENS_EACH, fmt="d")
    book.fact("scale_hook_passes", d["passes"], fmt=",d", expected=100_000,
              source="often quoted: 1000 users × 100 tokens = 100,000 forward passes")
    book.fact("scale_c1_params_b", CHECK1_PARAMS / 1e9, fmt=".0f", unit="B")
    book.fact("scale_c1_gpus", CHECK1_GPUS, fmt="d")
    book.fact("scale_c1_train_gb", to_gb(d["train30"]), fmt=".0f", unit="GB")
    book.fact("scale_c1_per_stage_gb", to_gb(d["per_stage"]), fmt=".0f", unit="GB")
    book.fact("scale_c1_all_four_gb", to_gb(d["all_four"]), fmt=".0f", unit="GB")
    book.fact("scale_c1_min_gpus", d["min_gpus30"], fmt="d")
    m = d["mixtral"]
    book.fact("scale_mixtral_total_b", m["total"] / 1e9, fmt=".1f", unit="B")
    book.fact("scale_mixtral_active_b", m["active"] / 1e9, fmt=".1f", unit="B")
    book.fact("scale_c2_gpus", CHECK2_GPUS, fmt="d")
    book.fact("scale_mixtral_serve_gb", to_gb(d["serve"]), fmt=".0f", unit="GB")
    book.fact("scale_mixtral_active_gb", to_gb(d["active_serve"]), fmt=".0f",
              unit="GB")
    book.fact("scale_mixtral_per_gpu_gb", to_gb(d["serve_per_gpu"]), fmt=".1f",
              unit="GB")
    book.fact("scale_mixtral_ep_per_gpu_gb", to_gb(d["ep_per_gpu"]), fmt=".1f",
              unit="GB", expected=14.5, rel_tol=0.01,
              source="1.6 B shared params replicated + 1/8 of the experts, bf16")
    book.fact("scale_mixtral_shared_b", d["shared"] / 1e9, fmt=".1f", unit="B")
