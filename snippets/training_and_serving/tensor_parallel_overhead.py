"""Tensor parallelism of GPT-3's layers on 8 GPUs: share of time spent communicating.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (the
communication misconception). A simple model, forward pass of one transformer layer:
- compute: 2 FLOPs per layer weight per token (kernels.costs.param_count), split over
  t GPUs, at the A100's dense peak; attention-score matmuls not counted;
- communication: Megatron-style tensor parallelism all-reduces the layer's output
  twice (after attention, after the MLP), tokens × d_model bf16 values each, as a
  ring (kernels.training_memory.ring_allreduce_bytes_per_gpu) at the link's one-way
  bandwidth; no latency, no overlap of compute and communication.
Also counts how often tensor and pipeline parallelism communicate per forward pass.
"""

from kernels.costs import param_count
from kernels.hardware import (A100_80GB, INFINIBAND_HDR_BYTES_PER_S,
                              NVLINK3_BYTES_PER_S)
from kernels.presets import get_preset
from kernels.training_memory import communication_time_s, ring_allreduce_bytes_per_gpu

MODEL = "gpt3-175b"
TP_DEGREE = 8
PP_STAGES = 4  # for the count of pipeline sends
ALLREDUCES_PER_LAYER = 2  # after attention and after the MLP (Megatron-LM)
BYTES_BF16 = 2
LINKS = {"NVLink 3 (inside one server)": NVLINK3_BYTES_PER_S,
         "InfiniBand HDR (across servers)": INFINIBAND_HDR_BYTES_PER_S}


# --8<-- [start:compute]
def compute():
    cfg = get_preset(MODEL)
    counts = param_count(cfg)
    layer_params = (counts["attention"] + counts["ffn"]) / cfg.n_layers
    tokens = cfg.max_seq_len                      # one sequence; the ratio ignores it
    flops = 2 * layer_params * tokens / TP_DEGREE   # this GPU's share of the matmuls
    compute_s = flops / A100_80GB.peak_flops
    message = tokens * cfg.d_model * BYTES_BF16     # one layer output, bf16
    sent = ALLREDUCES_PER_LAYER * ring_allreduce_bytes_per_gpu(message, TP_DEGREE)
    rows = {}
    for label, bandwidth in LINKS.items():
        comm_s = communication_time_s(sent, bandwidth)
        rows[label] = (compute_s, comm_s, comm_s / (compute_s + comm_s))
    return cfg, rows
# --8<-- [end:compute]


def main(book):
    cfg, rows = compute()
    lines = ["| Link between the 8 GPUs | Compute per layer | Communication per layer "
             "| Share of time waiting |", "|---|---:|---:|---:|"]
    for label, (c, m, share) in rows.items():
        lines.append(f"| {label} | {c * 1e3:.2f} ms | {m * 1e3:.2f} ms | "
                     f"**{100 * share:.0f}%** |")
    book.table("\n".join(lines), caption=(
        f"One GPT-3 175B layer (\\(d_\\text{{model}}\\) {cfg.d_model:,}, "
        f"{cfg.max_seq_len:,} tokens) "
        f"split over {TP_DEGREE} GPUs by tensor parallelism, forward pass. Compute "
        "counts the weight matmuls only (attention scores, softmax and norms "
        "excluded), at "
        f"the A100's peak; {ALLREDUCES_PER_LAYER} ring all-reduces of the layer "
        "output per layer at the link's one-way bandwidth; no latency, no overlap. "
        "Real GPUs reach less than peak, which lowers the waiting share; real links "
        "reach less than their rating, which raises it."))
    nv, ib = rows.values()
    book.fact("scale_tp_degree", TP_DEGREE, fmt="d")
    book.fact("scale_tp_wait_nvlink", 100 * nv[2], fmt=".0f", unit="%")
    book.fact("scale_tp_wait_ib", 100 * ib[2], fmt=".0f", unit="%")
    book.fact("scale_claim_tp_wait", 0.5, text="40–60%")          # quoted claim
    book.fact("scale_tp_allreduces_per_layer", ALLREDUCES_PER_LAYER, fmt="d")
    book.fact("scale_gpt3_layers", cfg.n_layers, fmt="d")
    book.fact("scale_tp_allreduces_per_forward",
              ALLREDUCES_PER_LAYER * cfg.n_layers, fmt="d")
    book.fact("scale_pp_stages", PP_STAGES, fmt="d")
    book.fact("scale_pp_sends_per_forward", PP_STAGES - 1, fmt="d")
