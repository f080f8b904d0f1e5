"""Data, tensor and pipeline parallelism side by side, labelled from the kernels.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (training
parallelism). Every label is computed: the data-parallel batch shards with
kernels.data_parallel.split_batch, the tensor-parallel weight shards of GPT-2 small's
MLP with kernels.tensor_parallel.shard_columns / shard_rows (and the split MLP is
checked against the unsplit one), the pipeline's block ranges from the preset's layer
count, and the all-reduce volume with kernels.training_memory.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
import torch

from kernels.costs import param_count
from kernels.data_parallel import split_batch
from kernels.presets import get_preset
from kernels.tensor_parallel import megatron_mlp, mlp, shard_columns, shard_rows
from kernels.training_memory import ring_allreduce_bytes_per_gpu

MODEL = "gpt2-small"
DP_GPUS, TP_GPUS, PP_GPUS = 4, 2, 4
BATCH = 32            # examples per optimizer step, split across the DP GPUs
BYTES_BF16 = 2


# --8<-- [start:compute]
def compute():
    cfg = get_preset(MODEL)
    n_params = param_count(cfg)["total"]
    # data parallel: every GPU gets an equal slice of the batch
    x = torch.zeros(BATCH, cfg.d_model)
    shards = [len(xs) for xs, _ in split_batch(x, x, [BATCH // DP_GPUS] * DP_GPUS)]
    grad_bytes = ring_allreduce_bytes_per_gpu(BYTES_BF16 * n_params, DP_GPUS)
    # tensor parallel: GPT-2's MLP, up-projection by columns, down by rows
    gen = torch.Generator().manual_seed(0)
    fc_w = torch.randn(cfg.d_ff, cfg.d_model, generator=gen, dtype=torch.float64)
    fc_b = torch.randn(cfg.d_ff, generator=gen, dtype=torch.float64)
    pr_w = torch.randn(cfg.d_model, cfg.d_ff, generator=gen, dtype=torch.float64)
    pr_b = torch.randn(cfg.d_model, generator=gen, dtype=torch.float64)
    tokens = torch.randn(3, cfg.d_model, generator=gen, dtype=torch.float64)
    split = megatron_mlp(tokens, fc_w, fc_b, pr_w, pr_b, TP_GPUS)
    whole = mlp(tokens, fc_w, fc_b, pr_w, pr_b)
    # Same answer up to rounding: the split only regroups the sums.
    tp_rel_diff = float((split - whole).abs().max() / whole.abs().max())
    up = [tuple(s.weight.shape) for s in shard_columns(fc_w, fc_b, TP_GPUS)]
    down = [tuple(s.weight.shape) for s in shard_rows(pr_w, TP_GPUS)]
    # pipeline: consecutive blocks per GPU
    per_stage = cfg.n_layers // PP_GPUS
    blocks = [(s * per_stage, (s + 1) * per_stage - 1) for s in range(PP_GPUS)]
    return dict(cfg=cfg, n_params=n_params, shards=shards, grad_bytes=grad_bytes,
                up=up, down=down, blocks=blocks, tp_rel_diff=tp_rel_diff)
# --8<-- [end:compute]


def box(ax, x, y, w, h, face, edge, text, theme, size=11, bold=False):
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.1",
                                facecolor=face, edgecolor=edge, lw=1.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", color=theme.fg,
            fontsize=size, fontweight="bold" if bold else "normal")


def arrow(ax, a, b, colour, both=False):
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle="<|-|>" if both else "-|>",
                                 mutation_scale=14, color=colour, lw=1.8))


# --8<-- [start:draw]
def draw(theme, d):
    fig, ax = plt.subplots(figsize=(8, 8.4))
    cfg = d["cfg"]
    comm = theme.warn
    # --- row 1: data parallelism ---------------------------------------------------
    ax.text(0, 9.75, "Data parallelism: copy the model, split the batch",
            fontsize=13, fontweight="bold", color=theme.fg)
    for g, n in enumerate(d["shards"]):
        x = 0.05 + g * 2.5
        box(ax, x, 7.7, 2.2, 1.7, theme.panel, theme.accent,
            f"GPU {g}\nwhole model\n{d['n_params'] / 1e6:.0f}M params\n{n} examples",
            theme)
    ax.plot([1.15, 8.65], [7.25, 7.25], color=comm, lw=2.2)
    for g in range(DP_GPUS):
        arrow(ax, (1.15 + g * 2.5, 7.7), (1.15 + g * 2.5, 7.25), comm, both=True)
    ax.text(4.9, 6.85, f"all-reduce gradients once per step: "
            f"{d['grad_bytes'] / 1e6:.0f} MB sent per GPU (ring, bf16)",
            ha="center", color=comm, fontsize=11)
    # --- row 2: tensor parallelism -------------------------------------------------
    ax.text(0, 6.2, "Tensor parallelism: split each layer's matrices",
            fontsize=13, fontweight="bold", color=theme.fg)
    for g in range(TP_GPUS):
        x = 0.05 + g * 5.0
        (uo, ui), (do, di) = d["up"][g], d["down"][g]
        box(ax, x, 3.95, 4.7, 1.85, theme.panel, theme.contrast,
            f"GPU {g}: half of every MLP\n$W_{{\\mathrm{{up}}}}$ slice {uo}×{ui} → "
            f"GELU\n$W_{{\\mathrm{{down}}}}$ slice {do}×{di}", theme)
    ax.plot([2.4, 7.4], [3.5, 3.5], color=comm, lw=2.2)
    for g in range(TP_GPUS):
        arrow(ax, (2.4 + g * 5.0, 3.95), (2.4 + g * 5.0, 3.5), comm, both=True)
    ax.text(4.9, 3.1, f"all-reduce the output (tokens × {cfg.d_model}) twice in "
            "every block: after attention, after the MLP", ha="center", color=comm,
            fontsize=11)
    # --- row 3: pipeline parallelism -----------------------------------------------
    ax.text(0, 2.45, "Pipeline parallelism: split the stack of blocks",
            fontsize=13, fontweight="bold", color=theme.fg)
    for g, (first, last) in enumerate(d["blocks"]):
        x = 0.05 + g * 2.5
        box(ax, x, 0.75, 1.9, 1.3, theme.panel, theme.good,
            f"GPU {g}\nblocks {first}–{last}", theme)
        if g < PP_GPUS - 1:
            arrow(ax, (x + 1.9, 1.4), (x + 2.5, 1.4), comm)
    ax.text(4.9, 0.25, f"pass activations (tokens × {cfg.d_model}) forward, and their "
            "gradients back, once per microbatch", ha="center", color=comm, fontsize=11)
    ax.set_xlim(-0.1, 10.0)
    ax.set_ylim(0, 10.1)
    ax.axis("off")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    d = compute()
    cfg = d["cfg"]
    book.fact("scale_dp_gpus", DP_GPUS, fmt="d")
    book.fact("scale_dp_batch", BATCH, fmt="d")
    book.fact("scale_dp_shard", d["shards"][0], fmt="d")
    book.fact("scale_dp_allreduce_mb", d["grad_bytes"] / 1e6, fmt=".0f", unit="MB")
    # Summing in a different order: a few hundred ulps of float64 at most.
    book.bound("scale_tp_rel_diff", d["tp_rel_diff"], dtype="float64", ulps=1024)
    # The kernel's bytes over the gradient size must be the textbook 2(N − 1)/N.
    book.fact("scale_ring_factor", d["grad_bytes"] / (BYTES_BF16 * d["n_params"]),
              fmt=".2f", unit="×", expected=2 * (DP_GPUS - 1) / DP_GPUS,
              source="ring all-reduce: 2(N − 1)/N of the gradient, sent per GPU")
    book.fact("scale_tp_gpus", TP_GPUS, fmt="d")
    book.fact("scale_tp_up_shard", 0, text="{}×{}".format(*d["up"][0]))
    book.fact("scale_tp_up_full", 0, text=f"{cfg.d_ff}×{cfg.d_model}")
    book.fact("scale_tp_down_shard", 0, text="{}×{}".format(*d["down"][0]))
    book.fact("scale_gpt2_ff_ratio", cfg.d_ff / cfg.d_model, fmt=".0f")
    book.fact("scale_gpt2_layers", cfg.n_layers, fmt="d")
    book.fact("scale_gpt2_d_model", cfg.d_model, fmt="d")
    book.fact("scale_pp_gpus", PP_GPUS, fmt="d")
    book.fact("scale_pp_blocks_per_gpu", d["blocks"][0][1] + 1, fmt="d")
    book.figure(
        lambda theme: draw(theme, d),
        alt=(f"Three rows. Data parallelism: {DP_GPUS} GPUs each hold all "
             f"{d['n_params'] / 1e6:.0f}M parameters of GPT-2 small and "
             f"{d['shards'][0]} of {BATCH} examples, joined by one gradient "
             f"all-reduce per step. Tensor parallelism: {TP_GPUS} GPUs each hold "
             f"a {d['up'][0][0]}×{d['up'][0][1]} slice of the MLP's up-projection "
             "and the matching slice of its down-projection, with an all-reduce "
             f"inside every layer. Pipeline parallelism: {PP_GPUS} GPUs each hold "
             f"{d['blocks'][0][1] + 1} consecutive blocks and pass activations to the "
             "next."),
        caption=(f"Three ways to spread GPT-2 small ({cfg.n_layers} blocks, "
                 f"\\(d_\\text{{model}}\\) "
                 f"{cfg.d_model}) over GPUs. Red marks communication. The shard "
                 "shapes come from kernels.tensor_parallel, whose split MLP is checked "
                 "to give the same output as the unsplit one; the all-reduce volume "
                 "from kernels.training_memory.ring_allreduce_bytes_per_gpu."),
    )
