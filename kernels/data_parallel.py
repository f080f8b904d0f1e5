"""Data parallelism: each device computes gradients on its shard, then they average.

With a mean loss, the full-batch gradient is Σ_d (n_d / n) · g_d, where g_d is the
mean-loss gradient of shard d with n_d examples. When shards are equal this is the
plain mean of the g_d (what an all-reduce followed by dividing by the number of
devices computes); when they are not, the plain mean over-weights the small shards.

A "device" is an entry in a list; gradients are dicts {parameter name: tensor}.
"""

import torch
from torch import nn

Gradients = dict[str, torch.Tensor]


def split_batch(x: torch.Tensor, y: torch.Tensor,
                sizes: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Cut a batch into consecutive shards of the given sizes (one per device)."""
    if sum(sizes) != x.shape[0] or any(n < 1 for n in sizes):
        raise ValueError(
            f"shard sizes {sizes} must be >= 1 and sum to the batch size {x.shape[0]}"
        )
    return list(zip(torch.split(x, sizes), torch.split(y, sizes), strict=True))


def mean_loss_gradients(model: nn.Module, x: torch.Tensor,
                        y: torch.Tensor) -> Gradients:
    """Gradients of the mean squared error over the given examples."""
    model.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)  # mean over examples and outputs
    loss.backward()
    return {name: p.grad.detach().clone() for name, p in model.named_parameters()}


def average_gradients(grads: list[Gradients],
                      weights: list[float] | None = None) -> Gradients:
    """Σ_d w_d · g_d per parameter; `weights` default to 1/len(grads) (plain mean).

    For mean losses on unequal shards pass weights = n_d / n (see `shard_weights`).
    """
    if not grads:
        raise ValueError("need gradients from at least one device")
    if weights is None:
        weights = [1 / len(grads)] * len(grads)
    if len(weights) != len(grads):
        raise ValueError(f"{len(weights)} weights for {len(grads)} devices")
    return {
        name: sum(w * g[name] for w, g in zip(weights, grads, strict=True))
        for name in grads[0]
    }


def shard_weights(sizes: list[int]) -> list[float]:
    """n_d / n: each shard's share of the examples."""
    total = sum(sizes)
    return [n / total for n in sizes]


def data_parallel_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                            sizes: list[int], *, weighted: bool = True) -> Gradients:
    """Simulate data parallelism over len(sizes) devices and combine the gradients.

    weighted=True gives the full-batch gradient for any shard sizes; weighted=False
    is the naive plain mean, right only when all shards are the same size.
    """
    shards = split_batch(x, y, sizes)
    grads = [mean_loss_gradients(model, xs, ys) for xs, ys in shards]
    return average_gradients(grads, shard_weights(sizes) if weighted else None)
