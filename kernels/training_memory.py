"""Training memory per GPU, ZeRO partitioning, and the cost of an all-reduce.

Bytes-per-parameter convention (mixed-precision Adam, as in the ZeRO paper):
    2 bytes   fp16/bf16 weights used in forward and backward
  + 2 bytes   fp16/bf16 gradients
  + 12 bytes  optimizer states K: fp32 master weights (4), Adam momentum (4),
              Adam variance (4)
  = 16 bytes per parameter.
Activations, temporary buffers, the CUDA context and fragmentation are NOT counted;
they come on top. All results are raw bytes (ints where exact); convert with
kernels.costs.to_gb (1e9) or to_gib (2**30). The ZeRO paper's "GB" is 1e9 bytes.
"""

WEIGHT_BYTES = 2  # fp16/bf16 copy of the weights
GRAD_BYTES = 2  # fp16/bf16 gradients
OPTIMIZER_BYTES = 12  # K in the ZeRO paper: fp32 master weights + momentum + variance


def training_memory_bytes(
    n_params: int,
    *,
    weight_bytes: int = WEIGHT_BYTES,
    grad_bytes: int = GRAD_BYTES,
    optimizer_bytes: int = OPTIMIZER_BYTES,
) -> dict[str, int]:
    """Model-state bytes on one GPU without any partitioning, by component.

    Keys: "weights", "gradients", "optimizer_states", "total". Activations excluded.
    The defaults are mixed-precision Adam (2 + 2 + 12 = 16 bytes/param); plain fp32
    Adam would be weight_bytes=4, grad_bytes=4, optimizer_bytes=8 (no master copy).
    """
    if n_params < 1:
        raise ValueError(f"n_params must be >= 1, got {n_params}")
    parts = {
        "weights": weight_bytes * n_params,
        "gradients": grad_bytes * n_params,
        "optimizer_states": optimizer_bytes * n_params,
    }
    parts["total"] = sum(parts.values())
    return parts


def zero_memory_per_gpu(
    n_params: int, n_gpus: int, stage: int, *, k: int = OPTIMIZER_BYTES
) -> dict[str, float]:
    """Model-state bytes per GPU under ZeRO stage 0-3 (Rajbhandari et al. 2020).

    With Ψ parameters, N_d data-parallel GPUs and K optimizer bytes per parameter:
    - stage 0 (plain data parallel): (2 + 2 + K)·Ψ
    - stage 1 (P_os, optimizer states partitioned): 2Ψ + 2Ψ + K·Ψ/N_d
    - stage 2 (P_os+g, gradients too): 2Ψ + (2 + K)·Ψ/N_d
    - stage 3 (P_os+g+p, parameters too): (2 + 2 + K)·Ψ/N_d
    Keys as in `training_memory_bytes`; values are floats because Ψ/N_d need not be
    whole. Activations and communication buffers are excluded.
    """
    if stage not in (0, 1, 2, 3):
        raise ValueError(f"ZeRO stage must be 0, 1, 2 or 3, got {stage}")
    if n_gpus < 1:
        raise ValueError(f"n_gpus must be >= 1, got {n_gpus}")
    full = training_memory_bytes(n_params, optimizer_bytes=k)
    partitioned = {  # which components stage `stage` splits across the GPUs
        "weights": stage >= 3,
        "gradients": stage >= 2,
        "optimizer_states": stage >= 1,
    }
    parts = {
        name: full[name] / n_gpus if split else float(full[name])
        for name, split in partitioned.items()
    }
    parts["total"] = sum(parts.values())
    return parts


def ring_allreduce_bytes_per_gpu(n_bytes: float, n_gpus: int) -> float:
    """Bytes each GPU sends (and receives) in a ring all-reduce of n_bytes.

    Reduce-scatter then all-gather, each N-1 steps of n_bytes/N: 2(N-1)/N · n_bytes,
    which approaches 2·n_bytes for many GPUs and is 0 for one.
    """
    if n_gpus < 1:
        raise ValueError(f"n_gpus must be >= 1, got {n_gpus}")
    return 2 * (n_gpus - 1) * n_bytes / n_gpus


def communication_time_s(n_bytes: float, bandwidth_bytes_per_s: float,
                         latency_s: float = 0.0) -> float:
    """latency + bytes / bandwidth, in seconds (the alpha-beta model)."""
    if bandwidth_bytes_per_s <= 0:
        raise ValueError(
            f"bandwidth_bytes_per_s must be > 0, got {bandwidth_bytes_per_s}"
        )
    if latency_s < 0 or n_bytes < 0:
        raise ValueError("n_bytes and latency_s must be >= 0")
    return latency_s + n_bytes / bandwidth_bytes_per_s
