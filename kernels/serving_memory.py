"""Sizing a served model: KV-cache bytes, decode FLOPs, sequences that fit, paging waste.

The formulas behind the KV-cache calculator of lesson 5.4.2
(docs/assets/javascripts/kv-cache-calculator.js re-implements each one; a browser
test compares them). Conventions as in kernels/costs.py: a FLOP is one add or one
multiply (a multiply-add is 2), counts and bytes are exact Python ints, GB = 1e9
bytes and GiB = 2**30 bytes.

Axes: L layers, H query heads, H_kv key/value heads, D head width, T context length
(tokens the generated token attends to, itself included), w sliding window, B batch,
P page size (tokens per page).
"""

import math

from kernels.costs import param_count
from kernels.presets import ModelConfig

# How one cached K or V row of D numbers is stored: (bits per number, bytes of scale
# per row). int8 and int4 carry one fp16 scale per (token, head) row, as
# kernels.kv_cache.quantize_int8 does; int4 packs two numbers into a byte. fp8 uses
# one scale per tensor, which is negligible and not counted.
KV_PRECISIONS: dict[str, tuple[int, int]] = {
    "fp32": (32, 0),
    "bf16": (16, 0),
    "fp8": (8, 0),
    "int8": (8, 2),
    "int4": (4, 2),
}


def _require_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")


def kv_bytes_per_token(n_layers: int, n_kv_heads: int, head_dim: int,
                       precision: str = "bf16") -> int:
    """Bytes one token adds to the cache: 2 (K and V) · L · H_kv · row bytes, where a
    row of D numbers takes D · bits / 8 bytes plus its scale (see KV_PRECISIONS)."""
    _require_positive(n_layers=n_layers, n_kv_heads=n_kv_heads, head_dim=head_dim)
    if precision not in KV_PRECISIONS:
        raise ValueError(f"precision must be one of {sorted(KV_PRECISIONS)}, "
                         f"got {precision!r}")
    bits, scale_bytes = KV_PRECISIONS[precision]
    if head_dim * bits % 8:
        raise ValueError(f"head_dim {head_dim} at {bits} bits is not whole bytes")
    return 2 * n_layers * n_kv_heads * (head_dim * bits // 8 + scale_bytes)


def cached_tokens(context_len: int, window: int | None = None) -> int:
    """Tokens a sequence keeps in its cache: T, or w for a sliding-window model (the
    oldest entries are overwritten, a ring buffer of w slots).

    A window longer than the context changes nothing, so it is refused: pass None.
    """
    _require_positive(context_len=context_len)
    if window is None:
        return context_len
    _require_positive(window=window)
    if window > context_len:
        raise ValueError(f"window {window} is longer than the context {context_len}; "
                         "pass window=None for full attention")
    return window


def kv_cache_size(n_layers: int, n_kv_heads: int, head_dim: int, context_len: int, *,
                  batch: int = 1, precision: str = "bf16",
                  window: int | None = None) -> int:
    """Bytes of the KV cache of `batch` sequences at `context_len` tokens each:
    kv_bytes_per_token · cached_tokens(T, w) · B. Equals costs.kv_cache_bytes for
    fp32/bf16/fp8 without a window."""
    _require_positive(batch=batch)
    return (kv_bytes_per_token(n_layers, n_kv_heads, head_dim, precision)
            * cached_tokens(context_len, window) * batch)


def matmul_param_count(cfg: ModelConfig) -> int:
    """Active parameters that multiply a token's activations: param_count's "active"
    minus the embedding lookup tables (a lookup is not a matmul), exactly as
    costs.forward_flops_per_token counts them; a tied table stays in as the LM head."""
    lookup = 0 if cfg.tied_embeddings else cfg.vocab_size * cfg.d_model
    if cfg.positional == "learned":
        lookup += cfg.max_seq_len * cfg.d_model
    return param_count(cfg)["active"] - lookup


def decode_flops_per_token(cfg: ModelConfig, context_len: int) -> dict[str, int]:
    """FLOPs to generate one token that attends to `context_len` tokens (itself
    included), batch 1, as ints:
    - "weights": 2 · matmul_param_count(cfg) (one multiply-add per weight);
    - "attention": 4 · L · H · D · cached_tokens(T, cfg.sliding_window) (QKᵀ and
      weights·V for one query row, every query head);
    - "total": their sum.
    Softmax, norms and activations are not counted (as in costs.py)."""
    keys = cached_tokens(context_len, cfg.sliding_window)
    weights = 2 * matmul_param_count(cfg)
    attention = 4 * cfg.n_layers * cfg.n_heads * cfg.head_dim * keys
    return {"weights": weights, "attention": attention, "total": weights + attention}


def sequences_that_fit(free_bytes: int, reserved_bytes: int, n_sequences: int = 1) -> int:
    """How many sequences fit in `free_bytes` if `n_sequences` of them together
    reserve `reserved_bytes`: floor(free · n / reserved), 0 when nothing is free."""
    _require_positive(reserved_bytes=reserved_bytes, n_sequences=n_sequences)
    return max(0, free_bytes) * n_sequences // reserved_bytes


def spread_lengths(max_len: int, n: int) -> list[int]:
    """n request lengths spread evenly over 1..max_len: ceil(i · max_len / n) for
    i = 1..n (the last is max_len). The calculator's stated assumption about how long
    requests are when a contiguous cache must reserve max_len for each."""
    _require_positive(max_len=max_len, n=n)
    return [-(-i * max_len // n) for i in range(1, n + 1)]


def cache_lengths(context_len: int, n: int, window: int | None = None) -> list[int]:
    """Cached tokens of n requests whose lengths are spread_lengths(T, n): each keeps
    min(length, cached_tokens(T, w)), since a window caps what a request stores."""
    cap = cached_tokens(context_len, window)
    return [min(length, cap) for length in spread_lengths(context_len, n)]


def paged_slots(seq_lens: list[int], page_size: int) -> int:
    """Cache slots paging allocates for these sequences: Σ ceil(len / P) · P, as
    kernels.kv_cache.compare_fragmentation counts them."""
    _require_positive(page_size=page_size)
    return sum(math.ceil(n / page_size) for n in seq_lens) * page_size
