"""Floating-point facts about fp32, fp16 and bf16, computed with real torch dtypes.

Every number here comes from torch itself (finfo, or arithmetic performed in the
dtype), never from a table typed in by hand, so the book's precision facts are what
the hardware-independent IEEE rounding actually does on this machine.
"""

import math
from dataclasses import dataclass

import torch

SUPPORTED = (torch.float32, torch.float16, torch.bfloat16)


def _check(dtype: torch.dtype) -> None:
    if dtype not in SUPPORTED:
        raise ValueError(f"dtype must be one of {SUPPORTED}, got {dtype}")


def machine_epsilon(dtype: torch.dtype) -> float:
    """Gap between 1.0 and the next representable number: 2**-mantissa_bits."""
    _check(dtype)
    return torch.finfo(dtype).eps


def smallest_normal(dtype: torch.dtype) -> float:
    """Smallest positive normal number (full precision below this is lost)."""
    _check(dtype)
    return torch.finfo(dtype).smallest_normal


def smallest_subnormal(dtype: torch.dtype) -> float:
    """Smallest positive number at all: the step up from 0.0 in this dtype."""
    _check(dtype)
    zero = torch.zeros((), dtype=dtype)
    return torch.nextafter(zero, torch.ones((), dtype=dtype)).item()


def stored_sum(weight: float, update: float, dtype: torch.dtype) -> float:
    """weight + update computed and stored in `dtype`, returned as a Python float.

    Both operands are first rounded to dtype, as they would be when stored there.
    """
    _check(dtype)
    w = torch.tensor(weight, dtype=dtype)
    return (w + torch.tensor(update, dtype=dtype)).item()


def update_survives(weight: float, update: float, dtype: torch.dtype) -> bool:
    """Does adding `update` to `weight` in `dtype` change the stored weight?

    False when the update is below half a unit in the last place of the weight:
    the sum rounds back to the weight and the training step is silently lost.
    """
    return stored_sum(weight, update, dtype) != torch.tensor(weight, dtype=dtype).item()


def underflow_fraction(grads: torch.Tensor, dtype: torch.dtype) -> float:
    """Fraction of the nonzero values in `grads` that become 0 when cast to dtype."""
    _check(dtype)
    nonzero = grads != 0
    n_nonzero = int(nonzero.sum())
    if n_nonzero == 0:
        raise ValueError("grads has no nonzero values")
    flushed = (grads.to(dtype) == 0) & nonzero
    return int(flushed.sum()) / n_nonzero


@dataclass(frozen=True)
class LossScalingResult:
    underflow_unscaled: float  # fraction of nonzero grads lost in dtype, no scaling
    underflow_scaled: float  # the same after multiplying by `scale`
    overflow_scaled: float  # fraction that became inf after scaling (scale too big)
    max_rel_error: float  # worst relative error of surviving grads after unscaling


def loss_scaling(
    grads: torch.Tensor, scale: float = 2.0**16, dtype: torch.dtype = torch.float16
) -> LossScalingResult:
    """What loss scaling buys: cast grads·scale to `dtype`, then unscale in fp32.

    Scaling the loss by `scale` scales every gradient by it (chain rule), lifting
    tiny gradients out of the underflow region; dividing by `scale` in fp32 before
    the optimizer step restores their size. Too large a scale overflows to inf.
    `grads` should be fp32 or fp64 (the "true" gradients).
    """
    _check(dtype)
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    nonzero = grads != 0
    scaled = (grads * scale).to(dtype)
    overflow = torch.isinf(scaled) & nonzero
    restored = scaled.to(torch.float64) / scale
    ok = nonzero & (scaled != 0) & ~overflow
    rel_error = ((restored - grads.double()).abs() / grads.double().abs())[ok]
    return LossScalingResult(
        underflow_unscaled=underflow_fraction(grads, dtype),
        underflow_scaled=int(((scaled == 0) & nonzero).sum()) / int(nonzero.sum()),
        overflow_scaled=int(overflow.sum()) / int(nonzero.sum()),
        max_rel_error=float(rel_error.max()) if rel_error.numel() else math.nan,
    )


@dataclass(frozen=True)
class DtypeFacts:
    name: str
    bits: int  # total storage bits
    mantissa_bits: int  # explicitly stored fraction bits
    exponent_bits: int  # bits - mantissa_bits - 1 sign bit
    eps: float  # 2**-mantissa_bits
    smallest_normal: float
    smallest_subnormal: float
    max: float  # largest finite value


def dtype_facts(dtype: torch.dtype) -> DtypeFacts:
    """One row of the fp32 / fp16 / bf16 comparison table, all read from torch."""
    _check(dtype)
    info = torch.finfo(dtype)
    mantissa = round(-math.log2(info.eps))
    return DtypeFacts(
        name=str(dtype).removeprefix("torch."),
        bits=info.bits,
        mantissa_bits=mantissa,
        exponent_bits=info.bits - mantissa - 1,
        eps=info.eps,
        smallest_normal=info.smallest_normal,
        smallest_subnormal=smallest_subnormal(dtype),
        max=info.max,
    )
