"""Associative recall: store N key→value pairs, then ask for the value of each key.

Axes: N pairs, d key/value width.

Two memories. A KV cache keeps every key and value (2·N·d numbers, growing with N)
and reads with softmax attention. A fixed state keeps one d×d matrix, the sum of the
outer products k_i v_iᵀ—linear attention's summary, and the state an SSM or linear
RNN carries—and reads with q·S. The state's size does not depend on N, so once N
passes d the pairs have to share dimensions and crosstalk buries the answer.

Retrieval counts as correct when the read-out is closer (by dot product) to the right
value than to every other stored value.
"""

import torch


def random_pairs(n_pairs: int, dim: int, generator: torch.Generator,
                 dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """N random unit keys and N random unit values, each (N, d)."""
    if n_pairs < 1 or dim < 1:
        raise ValueError(f"n_pairs and dim must be >= 1, got {n_pairs}, {dim}")
    keys = torch.randn(n_pairs, dim, generator=generator, dtype=dtype)
    values = torch.randn(n_pairs, dim, generator=generator, dtype=dtype)
    return (keys / keys.norm(dim=-1, keepdim=True),
            values / values.norm(dim=-1, keepdim=True))


def fixed_state_write(keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """S = Σ_i k_i v_iᵀ: keys, values (N, d) -> state (d, d), whatever N is."""
    return keys.T @ values


def fixed_state_read(state: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """q·S for each query: state (d, d), queries (M, d) -> read-outs (M, d)."""
    return queries @ state


def kv_cache_read(keys: torch.Tensor, values: torch.Tensor, queries: torch.Tensor,
                  scale: float) -> torch.Tensor:
    """Softmax attention over the stored pairs: softmax(scale·q·Kᵀ)·V.

    keys, values (N, d), queries (M, d) -> read-outs (M, d). A large scale makes the
    softmax sharp, as trained retrieval heads are.
    """
    return torch.softmax(scale * queries @ keys.T, dim=-1) @ values


def recall_accuracy(read_outs: torch.Tensor, values: torch.Tensor) -> float:
    """Fraction of read-outs (N, d) whose nearest stored value (N, d) is their own."""
    if read_outs.shape != values.shape:
        raise ValueError(f"read_outs {tuple(read_outs.shape)} and values "
                         f"{tuple(values.shape)} must match")
    nearest = (read_outs @ values.T).argmax(dim=-1)
    return float((nearest == torch.arange(values.shape[0])).double().mean())
