"""KV caches: contiguous, paged, and int8-quantised.

Axes: B batch, H heads, T positions, T_max the longest sequence a contiguous cache
holds, D head width, C model width, P page size.

When a decoder generates token t it needs the keys and values of tokens 0..t. They do
not change once computed, so we keep them instead of recomputing the whole prefix:
each step then projects one token and attends over the cache (decode_with_cache).

- KVCache preallocates (B, H, T_max, D) per sequence. Simple, but a sequence that
  stops at 100 tokens still holds T_max slots.
- PagedKVCache (vLLM's PagedAttention) hands out fixed pages of P slots from a shared
  pool as a sequence grows; a per-sequence block table maps logical to physical pages.
  At most P − 1 slots per sequence go unused.
- quantize_int8 stores K and V as int8 with one fp scale per (…, token) row: half the
  bytes of fp16, a quarter of fp32.
"""

import math

import torch
import torch.nn.functional as F

from kernels.attention import attention, merge_heads, split_heads


class KVCache:
    """Contiguous cache: keys and values in preallocated (B, H, T_max, D) buffers."""

    def __init__(self, batch: int, n_heads: int, max_len: int, head_dim: int,
                 dtype: torch.dtype = torch.float32):
        self.keys_buffer = torch.zeros(batch, n_heads, max_len, head_dim, dtype=dtype)
        self.values_buffer = torch.zeros_like(self.keys_buffer)
        self.length = 0

    @property
    def max_len(self) -> int:
        return self.keys_buffer.shape[2]

    def append(self, k: torch.Tensor, v: torch.Tensor) -> None:
        """Write k, v of shape (B, H, t, D) after the tokens already cached."""
        if k.shape != v.shape or k.shape[:2] + k.shape[3:] != (
            self.keys_buffer.shape[:2] + self.keys_buffer.shape[3:]
        ):
            raise ValueError(
                f"k, v must be (B, H, t, D) matching the cache "
                f"{tuple(self.keys_buffer.shape)}; got {tuple(k.shape)}, "
                f"{tuple(v.shape)}"
            )
        end = self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"cache full: {end} tokens > max_len {self.max_len}")
        self.keys_buffer[:, :, self.length : end] = k
        self.values_buffer[:, :, self.length : end] = v
        self.length = end

    def keys(self) -> torch.Tensor:
        """(B, H, length, D) view of the cached keys (no copy)."""
        return self.keys_buffer[:, :, : self.length]

    def values(self) -> torch.Tensor:
        """(B, H, length, D) view of the cached values (no copy)."""
        return self.values_buffer[:, :, : self.length]


def decode_with_cache(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    w_o: torch.Tensor,
    n_heads: int,
    prefill_len: int = 0,
) -> torch.Tensor:
    """Causal multi-head self-attention computed the way a decoder runs it.

    The first prefill_len tokens (the prompt) go through in one call; every later
    token is processed alone, attending to the cache. Must equal
    multi_head_attention(x, w_q, w_k, w_v, w_o, n_heads, is_causal=True).

    Args:
        x: (B, T, C); w_*: (C, C) nn.Linear weights; n_heads divides C.
        prefill_len: tokens processed together before one-at-a-time decoding.

    Returns:
        (B, T, C).
    """
    if x.dim() != 3 or n_heads <= 0 or x.shape[-1] % n_heads:
        raise ValueError(
            f"x must be (B, T, C) with n_heads={n_heads} dividing C; got "
            f"{tuple(x.shape)}"
        )
    b, t, c = x.shape
    if not 0 <= prefill_len <= t:
        raise ValueError(f"prefill_len must be in [0, {t}], got {prefill_len}")
    cache = KVCache(b, n_heads, t, c // n_heads, dtype=x.dtype)
    chunks = [x[:, :prefill_len]] if prefill_len else []
    chunks += list(x[:, prefill_len:].split(1, dim=1))  # (B, 1, C) each
    outputs = []
    for chunk in chunks:
        q = split_heads(F.linear(chunk, w_q), n_heads)  # (B, H, t, D)
        cache.append(split_heads(F.linear(chunk, w_k), n_heads),
                     split_heads(F.linear(chunk, w_v), n_heads))
        # The new queries are the last tokens in the cache: bottom-right causal mask.
        out = attention(q, cache.keys(), cache.values(), is_causal=True)
        outputs.append(F.linear(merge_heads(out), w_o))  # (B, t, C)
    return torch.cat(outputs, dim=1)  # (B, T, C)


class PagedKVCache:
    """A pool of fixed-size pages shared by many sequences, one block table each.

    Pages are (H, P, D) slabs in k_pages / v_pages of shape (n_pages, H, P, D). A
    sequence's block table lists its physical pages in logical order; token i of the
    sequence lives in page block_table[i // P] at slot i % P.
    """

    def __init__(self, page_size: int, n_pages: int, n_heads: int, head_dim: int,
                 dtype: torch.dtype = torch.float32):
        if page_size < 1 or n_pages < 1:
            raise ValueError("page_size and n_pages must be >= 1")
        self.page_size = page_size
        self.k_pages = torch.zeros(n_pages, n_heads, page_size, head_dim, dtype=dtype)
        self.v_pages = torch.zeros_like(self.k_pages)
        self.free_pages = list(range(n_pages))
        self.block_tables: dict[int, list[int]] = {}
        self.lengths: dict[int, int] = {}

    def append(self, seq_id: int, k: torch.Tensor, v: torch.Tensor) -> None:
        """Add k, v of shape (H, t, D) to sequence seq_id, taking pages as needed."""
        if k.shape != v.shape or k.dim() != 3:
            raise ValueError(f"k, v must both be (H, t, D); got {tuple(k.shape)}, "
                             f"{tuple(v.shape)}")
        table = self.block_tables.setdefault(seq_id, [])
        length = self.lengths.get(seq_id, 0)
        pages_needed = math.ceil((length + k.shape[1]) / self.page_size) - len(table)
        if pages_needed > len(self.free_pages):
            raise RuntimeError(
                f"out of pages: sequence {seq_id} needs {pages_needed}, "
                f"{len(self.free_pages)} free"
            )
        table.extend(self.free_pages.pop(0) for _ in range(pages_needed))
        positions = length + torch.arange(k.shape[1])  # (t,)
        pages = torch.tensor(table, dtype=torch.long)[positions // self.page_size]
        slots = positions % self.page_size
        # Advanced indexing on axes 0 and 2 puts the token axis first: (t, H, D).
        self.k_pages[pages, :, slots] = k.transpose(0, 1)
        self.v_pages[pages, :, slots] = v.transpose(0, 1)
        self.lengths[seq_id] = length + k.shape[1]

    def gather(self, seq_id: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The sequence's keys and values as contiguous (H, length, D) tensors."""
        table = torch.tensor(self.block_tables[seq_id], dtype=torch.long)
        length = self.lengths[seq_id]
        h, d = self.k_pages.shape[1], self.k_pages.shape[3]
        # (pages, H, P, D) -> (H, pages·P, D), then drop the unused tail slots.
        keys = self.k_pages[table].transpose(0, 1).reshape(h, -1, d)[:, :length]
        values = self.v_pages[table].transpose(0, 1).reshape(h, -1, d)[:, :length]
        return keys, values

    def free(self, seq_id: int) -> None:
        """Return a finished sequence's pages to the pool."""
        self.free_pages.extend(self.block_tables.pop(seq_id))
        del self.lengths[seq_id]

    def fragmentation(self) -> float:
        """Fraction of allocated slots (pages in use × P) that hold no token."""
        allocated = sum(len(t) for t in self.block_tables.values()) * self.page_size
        used = sum(self.lengths.values())
        return 0.0 if allocated == 0 else 1.0 - used / allocated


def compare_fragmentation(
    seq_lens: list[int], max_len: int, page_size: int
) -> dict[str, float]:
    """Unused fraction of allocated slots: contiguous at max_len vs paged.

    Contiguous reserves max_len slots per sequence; paged reserves
    ceil(len / page_size) pages. Returns {"contiguous": …, "paged": …}.
    """
    if any(n > max_len for n in seq_lens):
        raise ValueError(f"a sequence is longer than max_len={max_len}")
    used = sum(seq_lens)
    contiguous = len(seq_lens) * max_len
    paged = sum(math.ceil(n / page_size) for n in seq_lens) * page_size
    return {
        "contiguous": 1.0 - used / contiguous if contiguous else 0.0,
        "paged": 1.0 - used / paged if paged else 0.0,
    }


def quantize_int8(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric absmax int8, one scale per row of the last axis.

    For K or V of shape (B, H, T, D) that is one scale per (batch, head, token), so a
    new token is quantised on its own when it is appended.
    Returns (q int8 same shape as x, scale (…, 1) in x's dtype); x ≈ q · scale and
    |x − q · scale| ≤ scale / 2.
    """
    absmax = x.abs().amax(dim=-1, keepdim=True)  # (..., 1)
    # An all-zero row would give scale 0 and 0/0; any scale reproduces zeros exactly.
    scale = torch.where(absmax > 0, absmax / 127, torch.ones_like(absmax))
    q = torch.round(x / scale).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize_int8(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """q (…, D) int8 and scale (…, 1) -> q · scale in scale's dtype."""
    return q.to(scale.dtype) * scale


def quantization_error(x: torch.Tensor) -> float:
    """Largest absolute error of an int8 round trip of x."""
    q, scale = quantize_int8(x)
    return float((dequantize_int8(q, scale) - x).abs().max())
