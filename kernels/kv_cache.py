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
  bytes of fp16, a quarter of fp32. quantize_symmetric generalises it to int4 and to
  one scale per channel; quantized_bytes counts the bytes, scales included.
- PagedKVCache.fork lets two sequences share pages (parallel samples of one prompt);
  reference counts free a page only when its last user is done, and a shared page is
  copied before a sequence writes into it (copy-on-write).
- batch_that_fits counts how many requests a pool of slots admits when each reserves
  max_len slots (contiguous) or only the pages its tokens need (paged).
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
        self.ref_counts = [0] * n_pages  # sequences whose block table lists the page

    def _take_page(self) -> int:
        page = self.free_pages.pop(0)
        self.ref_counts[page] = 1
        return page

    def append(self, seq_id: int, k: torch.Tensor, v: torch.Tensor) -> None:
        """Add k, v of shape (H, t, D) to sequence seq_id, taking pages as needed."""
        if k.shape != v.shape or k.dim() != 3:
            raise ValueError(f"k, v must both be (H, t, D); got {tuple(k.shape)}, "
                             f"{tuple(v.shape)}")
        table = self.block_tables.setdefault(seq_id, [])
        length = self.lengths.get(seq_id, 0)
        pages_needed = math.ceil((length + k.shape[1]) / self.page_size) - len(table)
        # Writing into a half-full page that another sequence also lists would change
        # that sequence's tokens too: copy the page first (copy-on-write).
        copy_last = (length % self.page_size != 0 and k.shape[1] > 0
                     and self.ref_counts[table[-1]] > 1)
        if pages_needed + copy_last > len(self.free_pages):
            raise RuntimeError(
                f"out of pages: sequence {seq_id} needs {pages_needed + copy_last}, "
                f"{len(self.free_pages)} free"
            )
        if copy_last:
            old, new = table[-1], self._take_page()
            self.k_pages[new] = self.k_pages[old]
            self.v_pages[new] = self.v_pages[old]
            self.ref_counts[old] -= 1
            table[-1] = new
        table.extend(self._take_page() for _ in range(pages_needed))
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

    def fork(self, parent: int, child: int) -> None:
        """Start sequence `child` as a copy of `parent` that shares all its pages.

        No key or value is copied: the child's block table lists the parent's pages
        and each page's reference count goes up by one. Whichever sequence next
        writes into a shared, partly filled page gets its own copy (see append).
        """
        if child in self.block_tables:
            raise ValueError(f"sequence {child} already exists")
        table = self.block_tables[parent]
        for page in table:
            self.ref_counts[page] += 1
        self.block_tables[child] = list(table)
        self.lengths[child] = self.lengths[parent]

    def free(self, seq_id: int) -> None:
        """Drop a finished sequence; a page returns to the pool with its last user."""
        for page in self.block_tables.pop(seq_id):
            self.ref_counts[page] -= 1
            if self.ref_counts[page] == 0:
                self.free_pages.append(page)
        del self.lengths[seq_id]

    def pages_in_use(self) -> int:
        """Physical pages held by at least one sequence (shared pages count once)."""
        return sum(1 for n in self.ref_counts if n > 0)

    def fragmentation(self) -> float:
        """Fraction of allocated slots (pages in use × P) that hold no token."""
        # Counted per sequence: a page shared by two sequences counts twice, once
        # in each block table, so sharing does not distort the ratio.
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


def batch_that_fits(seq_lens: list[int], capacity_slots: int, *,
                    max_len: int | None = None, page_size: int | None = None) -> int:
    """How many of the requests, admitted in order, fit into capacity_slots slots.

    A slot holds one token's keys and values in every layer. Give max_len for a
    contiguous allocator (each request reserves max_len slots however long it turns
    out) or page_size for a paged one (each request holds ceil(len / page_size)
    pages). Admission stops at the first request that does not fit, as a
    first-come-first-served scheduler would. seq_lens are the final lengths.
    """
    if (max_len is None) == (page_size is None):
        raise ValueError("give exactly one of max_len (contiguous) or page_size (paged)")
    if capacity_slots < 0 or any(n < 1 for n in seq_lens):
        raise ValueError("capacity_slots must be >= 0 and every length >= 1")
    used = admitted = 0
    for n in seq_lens:
        if max_len is not None:
            if n > max_len:
                raise ValueError(f"a sequence of {n} tokens exceeds max_len={max_len}")
            need = max_len
        else:
            need = math.ceil(n / page_size) * page_size
        if used + need > capacity_slots:
            break
        used += need
        admitted += 1
    return admitted


def quantize_symmetric(x: torch.Tensor, bits: int, axis: str
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric absmax quantisation of K or V (…, T, D) to `bits` (8 or 4).

    axis="token": one scale per token, the max over its D channels, shape (…, T, 1).
    axis="channel": one scale per channel, the max over the T tokens, (…, 1, D).
    Integers lie in [−(2^(bits−1) − 1), 2^(bits−1) − 1] (±127 or ±7), stored in int8
    here (real int4 kernels pack two per byte; quantized_bytes counts it that way).
    Returns (q, scale) with x ≈ q · scale and |x − q · scale| ≤ scale / 2.
    """
    if bits not in (4, 8):
        raise ValueError(f"bits must be 4 or 8, got {bits}")
    if axis not in ("token", "channel"):
        raise ValueError(f"axis must be 'token' or 'channel', got {axis!r}")
    if x.dim() < 2:
        raise ValueError(f"x must be (…, T, D); got {tuple(x.shape)}")
    qmax = 2 ** (bits - 1) - 1
    absmax = x.abs().amax(dim=-1 if axis == "token" else -2, keepdim=True)
    # An all-zero row or column would give scale 0; any scale reproduces zeros exactly.
    scale = torch.where(absmax > 0, absmax / qmax, torch.ones_like(absmax))
    q = torch.round(x / scale).clamp(-qmax, qmax).to(torch.int8)
    return q, scale


def quantized_bytes(n_tokens: int, n_channels: int, bits: int, axis: str,
                    scale_bytes: int = 2) -> float:
    """Bytes of one (T, D) K or V tensor quantised by quantize_symmetric, scales
    included: T·D·bits/8 for the integers plus one scale_bytes scale per token
    (axis="token": T scales) or per channel (axis="channel": D scales)."""
    if min(n_tokens, n_channels, scale_bytes) < 1 or bits not in (4, 8):
        raise ValueError("n_tokens, n_channels, scale_bytes must be >= 1; bits 4 or 8")
    if axis not in ("token", "channel"):
        raise ValueError(f"axis must be 'token' or 'channel', got {axis!r}")
    n_scales = n_tokens if axis == "token" else n_channels
    return n_tokens * n_channels * bits / 8 + n_scales * scale_bytes


def quantize_int8(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric absmax int8, one scale per row of the last axis:
    quantize_symmetric(x, 8, "token").

    For K or V of shape (B, H, T, D) that is one scale per (batch, head, token), so a
    new token is quantised on its own when it is appended.
    Returns (q int8 same shape as x, scale (…, 1) in x's dtype); x ≈ q · scale and
    |x − q · scale| ≤ scale / 2.
    """
    return quantize_symmetric(x, 8, "token")


def dequantize_int8(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """q (…, D) int8 and a scale that broadcasts against it ((…, 1) per token,
    (…, 1, D) per channel) -> q · scale in scale's dtype."""
    return q.to(scale.dtype) * scale


def quantization_error(x: torch.Tensor) -> float:
    """Largest absolute error of an int8 round trip of x."""
    q, scale = quantize_int8(x)
    return float((dequantize_int8(q, scale) - x).abs().max())
