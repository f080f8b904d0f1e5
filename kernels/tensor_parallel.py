"""Tensor (Megatron-style) parallelism of linear layers, on simulated devices.

A "device" is an entry in a Python list; a collective is a plain function over that
list. Weights use torch's nn.Linear layout: weight (out_features, in_features),
y = x @ weight.T + bias.

- Column-parallel: split the *output* features. Each device computes a slice of y
  from the full x; concatenating the slices (all-gather) gives y.
- Row-parallel: split the *input* features. Each device multiplies its slice of x by
  its slice of the weight; summing the partial outputs (all-reduce) gives y.
- Megatron MLP: column-parallel up-projection, elementwise GELU on each device's
  slice (no communication needed), row-parallel down-projection: one all-reduce.

Splits use torch.tensor_split, so sizes need not divide evenly.
"""

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Shard:
    weight: torch.Tensor  # this device's slice of the weight
    bias: torch.Tensor | None  # column-parallel: its bias slice; row-parallel: None


def _check_devices(n_devices: int, size: int, what: str) -> None:
    if not 1 <= n_devices <= size:
        raise ValueError(f"n_devices must be in [1, {what}={size}], got {n_devices}")


def shard_columns(weight: torch.Tensor, bias: torch.Tensor | None,
                  n_devices: int) -> list[Shard]:
    """Split a linear layer by output features: device d owns rows d of weight."""
    _check_devices(n_devices, weight.shape[0], "out_features")
    weights = torch.tensor_split(weight, n_devices, dim=0)  # (out_d, in) each
    biases = (torch.tensor_split(bias, n_devices) if bias is not None
              else [None] * n_devices)
    return [Shard(w, b) for w, b in zip(weights, biases, strict=True)]


def shard_rows(weight: torch.Tensor, n_devices: int) -> list[Shard]:
    """Split a linear layer by input features: device d owns columns d of weight.

    The bias is not sharded: it is added once, after the all-reduce.
    """
    _check_devices(n_devices, weight.shape[1], "in_features")
    return [Shard(w, None) for w in torch.tensor_split(weight, n_devices, dim=1)]


def column_parallel_linear(x: torch.Tensor, shards: list[Shard]) -> list[torch.Tensor]:
    """Every device sees the full x (..., in) and returns its output slice."""
    return [F.linear(x, shard.weight, shard.bias) for shard in shards]


def row_parallel_linear(x_parts: list[torch.Tensor], shards: list[Shard],
                        bias: torch.Tensor | None = None) -> torch.Tensor:
    """Device d multiplies its input slice by its weight slice; all-reduce the sum."""
    if len(x_parts) != len(shards):
        raise ValueError(
            f"need one input slice per device: {len(x_parts)} vs {len(shards)}"
        )
    partials = [x @ s.weight.T for x, s in zip(x_parts, shards, strict=True)]
    out = all_reduce_sum(partials)
    return out if bias is None else out + bias


def all_reduce_sum(partials: list[torch.Tensor]) -> torch.Tensor:
    """Simulated all-reduce: every device ends up with the elementwise sum."""
    return torch.stack(partials).sum(dim=0)


def all_gather(parts: list[torch.Tensor]) -> torch.Tensor:
    """Simulated all-gather along the last (feature) axis."""
    return torch.cat(parts, dim=-1)


def split_features(x: torch.Tensor, n_devices: int) -> list[torch.Tensor]:
    """Split the last axis the same way `shard_rows` splits in_features."""
    return list(torch.tensor_split(x, n_devices, dim=-1))


def mlp(x: torch.Tensor, fc_weight: torch.Tensor, fc_bias: torch.Tensor,
        proj_weight: torch.Tensor, proj_bias: torch.Tensor) -> torch.Tensor:
    """The unsplit reference: proj(gelu(fc(x)))."""
    return F.linear(F.gelu(F.linear(x, fc_weight, fc_bias)), proj_weight, proj_bias)


def megatron_mlp(x: torch.Tensor, fc_weight: torch.Tensor, fc_bias: torch.Tensor,
                 proj_weight: torch.Tensor, proj_bias: torch.Tensor,
                 n_devices: int) -> torch.Tensor:
    """The same MLP on n_devices: column-parallel fc, GELU, row-parallel proj.

    The hidden slice that device d computes with its fc rows is exactly the input
    slice its proj columns need, so no communication happens until the final
    all-reduce. GELU is elementwise, which is why it can run on slices.
    """
    fc_shards = shard_columns(fc_weight, fc_bias, n_devices)
    proj_shards = shard_rows(proj_weight, n_devices)
    hidden = [F.gelu(h) for h in column_parallel_linear(x, fc_shards)]
    return row_parallel_linear(hidden, proj_shards, proj_bias)
