"""Sparse attention patterns as boolean masks, and what they cost and reach.

Every mask here is a bool (T, T) tensor, True where query i may attend to key j, and
every mask is causal (j ≤ i). A pattern saves work only in a kernel that skips the
False entries; masked_attention() below computes them all and is the reference.

Convention: ``window`` COUNTS THE TOKEN ITSELF. A sliding window of size w lets query i
see keys j with i − w < j ≤ i, so window=1 is the diagonal alone and window=T is plain
causal attention.

Stacking layers widens the view: after L sliding-window layers, information can have
travelled L·(w − 1) positions (receptive_field), which is how Mistral-style models see
far past their window.
"""

import torch

from kernels.attention import attention, causal_mask

__all__ = [
    "causal_mask",
    "sliding_window_mask",
    "dilated_mask",
    "global_local_mask",
    "layers_to_connect",
    "block_sparse_mask",
    "count_scores",
    "causal_score_count",
    "sliding_window_score_count",
    "masked_attention",
    "receptive_field",
    "reachability",
    "furthest_reach",
]


def _offsets(t: int) -> torch.Tensor:
    """(T, T) matrix of i − j: how far key j lies behind query i."""
    positions = torch.arange(t)
    return positions.unsqueeze(1) - positions.unsqueeze(0)  # (T, T)


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")


def sliding_window_mask(t: int, window: int) -> torch.Tensor:
    """Query i sees keys i − window < j ≤ i (window counts i itself). (T, T) bool."""
    _check_positive(window=window)
    offset = _offsets(t)
    return (offset >= 0) & (offset < window)


def dilated_mask(t: int, window: int, dilation: int) -> torch.Tensor:
    """Query i sees the `window` keys i, i − dilation, i − 2·dilation, … (≥ 0).

    The pattern spans (window − 1)·dilation + 1 positions with only `window` scores;
    dilation=1 is the sliding window. (T, T) bool.
    """
    _check_positive(window=window, dilation=dilation)
    offset = _offsets(t)
    on_grid = offset % dilation == 0
    return (offset >= 0) & on_grid & (offset // dilation < window)


def global_local_mask(
    t: int, window: int, global_positions: list[int] | torch.Tensor
) -> torch.Tensor:
    """Longformer-style: a sliding window plus global tokens, within causality.

    A global token attends to every earlier key and every later query attends to it.
    (T, T) bool.
    """
    is_global = torch.zeros(t, dtype=torch.bool)
    is_global[torch.as_tensor(global_positions, dtype=torch.long)] = True
    row_or_col_global = is_global.unsqueeze(1) | is_global.unsqueeze(0)  # (T, T)
    return sliding_window_mask(t, window) | (row_or_col_global & causal_mask(t))


def block_sparse_mask(t: int, block: int, layout: torch.Tensor) -> torch.Tensor:
    """Expand a block layout to a (T, T) token mask, then keep only its causal part.

    layout is bool (n, n) with n = ceil(T / block); layout[a, b] lets query block a see
    key block b. When block does not divide T the last block is simply shorter (the
    expanded mask is cropped to T), so every token belongs to exactly one block.
    """
    _check_positive(block=block)
    n_blocks = -(-t // block)  # ceil
    if layout.shape != (n_blocks, n_blocks) or layout.dtype != torch.bool:
        raise ValueError(
            f"layout must be bool ({n_blocks}, {n_blocks}) for t={t}, block={block}; "
            f"got {layout.dtype} {tuple(layout.shape)}"
        )
    tokens = layout.repeat_interleave(block, 0).repeat_interleave(block, 1)
    return tokens[:t, :t] & causal_mask(t)  # (T, T)


def count_scores(mask: torch.Tensor) -> int:
    """How many query–key scores a kernel that skips masked entries computes."""
    return int(mask.sum())


def causal_score_count(t: int) -> int:
    """Scores in causal attention over t tokens: 1 + 2 + … + t = t(t + 1)/2."""
    return t * (t + 1) // 2


def sliding_window_score_count(t: int, window: int) -> int:
    """Scores under sliding_window_mask(t, window): query i sees min(i + 1, window)."""
    _check_positive(window=window)
    ramp = min(t, window)  # the first `ramp` queries see everything before them
    return causal_score_count(ramp) + (t - ramp) * window


def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Attention restricted to a (T, T) bool mask; q, k, v (B, H, T, D) -> (B, H, T, D).

    Dense reference: it computes every score and then discards the masked ones.
    """
    return attention(q, k, v, mask)


def receptive_field(n_layers: int, window: int) -> int:
    """How many positions back information can come from after n_layers windows.

    Each layer moves information at most window − 1 positions, so n_layers·(window − 1).
    """
    _check_positive(window=window)
    return n_layers * (window - 1)


def reachability(mask: torch.Tensor, n_layers: int) -> torch.Tensor:
    """(T, T) bool: can token j's information reach position i after n_layers layers?

    Layer by layer: i reaches j in L + 1 layers if i attends to some k that reached j
    in L layers. Zero layers reach only themselves.
    """
    t = mask.shape[-1]
    reach = torch.eye(t, dtype=torch.bool)
    step = mask.to(torch.int64)
    for _ in range(n_layers):
        reach = (step @ reach.to(torch.int64)) > 0  # (T, T)
    return reach


def furthest_reach(reach: torch.Tensor) -> int:
    """The largest i − j over reachable pairs (i, j) of a reachability matrix."""
    return int(_offsets(reach.shape[-1])[reach].max())


def layers_to_connect(mask: torch.Tensor, max_layers: int) -> int:
    """Fewest layers of `mask` after which every causal pair (i ≥ j) is connected.

    mask: (T, T) bool with the diagonal set. Raises ValueError if more than
    max_layers would be needed.
    """
    t = mask.shape[-1]
    wanted = causal_mask(t)
    reach = torch.eye(t, dtype=torch.bool)
    step = mask.to(torch.int64)
    for layers in range(max_layers + 1):
        if bool((reach | ~wanted).all()):
            return layers
        reach = (step @ reach.to(torch.int64)) > 0  # (T, T)
    raise ValueError(f"not every pair is connected within {max_layers} layers")
