"""Parameter, FLOP, KV-cache and arithmetic-intensity counts, one call each.

Conventions, used by every function here:
- A FLOP is one floating-point add or multiply, so a multiply-add costs 2 FLOPs and an
  (m, k) @ (k, n) matmul costs 2·m·k·n.
- Counts are raw Python ints (parameters, FLOPs, bytes). Convert for display with
  `to_gb` (GB = 1e9 bytes) or `to_gib` (GiB = 2**30 bytes); never mix the two.
"""

from typing import NamedTuple

from kernels.presets import ModelConfig

GB = 10**9  # decimal gigabyte, used by vendors and the ZeRO paper
GiB = 2**30  # binary gibibyte, what memory allocators report


def to_gb(n_bytes: float) -> float:
    """Bytes -> GB (1e9 bytes)."""
    return n_bytes / GB


def to_gib(n_bytes: float) -> float:
    """Bytes -> GiB (2**30 bytes)."""
    return n_bytes / GiB


def _require_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")


def param_count(cfg: ModelConfig) -> dict[str, int]:
    """Parameters of a decoder-only transformer, by component.

    Returns a dict of ints:
    - "embedding": token table, position table (learned positions only) and the LM
      head when it is not tied to the token table.
    - "attention": Q, K, V, O projections of all layers (+ biases if `cfg.bias`);
      K and V have n_kv_heads * head_dim outputs, so GQA/MQA shrink them.
    - "ffn": all experts of all layers, plus the MoE router (d_model x n_experts per
      layer, no bias) when n_experts > 1.
    - "norm": two norms per layer plus the final norm; LayerNorm has a weight and a
      bias (2·d_model), RMSNorm only a weight (d_model).
    - "total": the sum.
    - "active": parameters one token touches in a forward pass; experts count only
      `experts_per_token` of `n_experts` (router and everything else in full), so
      "active" == "total" for a dense model.
    """
    d, L = cfg.d_model, cfg.n_layers
    has_bias = int(cfg.bias)

    embedding = cfg.vocab_size * d
    if cfg.positional == "learned":
        embedding += cfg.max_seq_len * d
    if not cfg.tied_embeddings:
        embedding += d * cfg.vocab_size  # separate LM head (no bias in any preset)

    q_out = cfg.n_heads * cfg.head_dim
    kv_out = cfg.n_kv_heads * cfg.head_dim
    attention_per_layer = (
        d * q_out + 2 * d * kv_out + q_out * d  # W_q, W_k, W_v, W_o
        + has_bias * (q_out + 2 * kv_out + d)  # their biases
    )

    n_matrices = 3 if cfg.ffn == "swiglu" else 2
    expert = n_matrices * d * cfg.d_ff
    if has_bias:
        # gelu: up bias (d_ff) + down bias (d); swiglu: gate and up biases too
        expert += (n_matrices - 1) * cfg.d_ff + d
    router = d * cfg.n_experts if cfg.n_experts > 1 else 0
    ffn_per_layer = cfg.n_experts * expert + router
    active_ffn_per_layer = cfg.experts_per_token * expert + router

    norm_size = 2 * d if cfg.bias else d
    norm = (2 * L + 1) * norm_size

    attention = L * attention_per_layer
    ffn = L * ffn_per_layer
    total = embedding + attention + ffn + norm
    active = total - L * (ffn_per_layer - active_ffn_per_layer)
    return {
        "embedding": embedding,
        "attention": attention,
        "ffn": ffn,
        "norm": norm,
        "total": total,
        "active": active,
    }


def attention_pairs(
    seq_len: int, *, causal: bool = False, window: int | None = None
) -> int:
    """Number of (query, key) pairs a layer-head scores, as an int.

    Full: T². Causal: T(T+1)/2 (each token sees itself and all earlier ones). Sliding
    window w (implies causal): token i sees min(i + 1, w) keys, itself included.
    """
    _require_positive(seq_len=seq_len)
    if window is not None:
        _require_positive(window=window)
        w = min(window, seq_len)
        # tokens 0..w-1 see i+1 keys (w(w+1)/2 in total); the remaining T-w see w each
        return w * (w + 1) // 2 + (seq_len - w) * w
    if causal:
        return seq_len * (seq_len + 1) // 2
    return seq_len * seq_len


def attention_score_flops(
    seq_len: int,
    n_heads: int,
    head_dim: int,
    *,
    n_layers: int = 1,
    causal: bool = False,
    window: int | None = None,
    batch: int = 1,
) -> int:
    """FLOPs of the two attention matmuls, QKᵀ and weights·V, for whole sequences.

    Each scored (query, key) pair costs head_dim multiply-adds for its score and
    head_dim for its share of the output, i.e. 4·head_dim FLOPs; pairs are counted by
    `attention_pairs` (T² full, T(T+1)/2 causal, windowed as described there). So the
    full, non-causal count is 4·T²·H·D per layer per sequence.

    Counted: QKᵀ and weights·V for `n_heads` query heads (GQA shares K/V storage but
    not this work). Not counted: Q/K/V/O projections, scaling, masking, softmax, FFN.
    """
    _require_positive(n_heads=n_heads, head_dim=head_dim, n_layers=n_layers,
                      batch=batch)
    pairs = attention_pairs(seq_len, causal=causal, window=window)
    return 4 * pairs * head_dim * n_heads * n_layers * batch


def forward_flops_per_token(
    cfg: ModelConfig, seq_len: int, *, causal: bool = False
) -> int:
    """Forward-pass FLOPs per token ≈ 2·(matmul parameters) + attention term.

    This is the Kaplan et al. (2020) / Chinchilla (Hoffmann et al. 2022) convention:
    - 2 FLOPs per *active* parameter that multiplies the token's activations; the
      embedding lookup tables (token and position) are excluded because a lookup is
      not a matmul, while the LM head (d_model x vocab, tied or not) is included.
      Biases and norm weights are counted as 2 FLOPs each too (negligible).
    - Attention: `attention_score_flops` for one sequence of `seq_len` tokens divided
      by seq_len. The default causal=False counts every pair, 4·T·H·D per layer,
      as Chinchilla does; causal=True counts only computed pairs; a config with a
      sliding window always uses its window.
    Not counted: softmax, norms' elementwise work, activation functions, residuals.
    """
    counts = param_count(cfg)
    lookup = cfg.vocab_size * cfg.d_model if not cfg.tied_embeddings else 0
    if cfg.positional == "learned":
        lookup += cfg.max_seq_len * cfg.d_model
    # Tied: the one table serves as lookup (free) and as LM head (a matmul), so it
    # stays in; untied: the input table is pure lookup and comes out.
    matmul_params = counts["active"] - lookup
    attention = attention_score_flops(
        seq_len, cfg.n_heads, cfg.head_dim, n_layers=cfg.n_layers,
        causal=causal, window=cfg.sliding_window,
    )
    return 2 * matmul_params + attention // seq_len


def training_flops(cfg: ModelConfig, n_tokens: int) -> int:
    """Training compute by the 6·N·D convention (Kaplan et al. 2020).

    N = active parameters (all of them for a dense model, embeddings included, as the
    GPT-3 paper's 3.14e23 FLOPs for 175B params x 300B tokens does), D = tokens.
    The 6 is 2 (forward) + 4 (backward: gradients w.r.t. activations and weights).
    Attention's T² term, recomputation and optimizer updates are not counted.
    """
    _require_positive(n_tokens=n_tokens)
    return 6 * param_count(cfg)["active"] * n_tokens


def kv_cache_bytes(
    cfg: ModelConfig | None = None,
    *,
    seq_len: int,
    batch: int = 1,
    bytes_per_element: int = 2,
    n_layers: int | None = None,
    n_kv_heads: int | None = None,
    head_dim: int | None = None,
) -> int:
    """Bytes of the key/value cache: 2 (K and V) x layers x kv heads x head_dim x
    seq_len x batch x bytes_per_element.

    Pass a `cfg` (its numbers can be overridden, e.g. ``n_kv_heads=64`` asks "LLaMA 2
    70B as MHA") or, without a cfg, all of n_layers, n_kv_heads and head_dim.
    bytes_per_element: 2 for fp16/bf16, 4 for fp32, 1 for int8/fp8.
    Counts only the cached K and V tensors, no allocator padding or paging overhead,
    and caches all seq_len tokens even for a sliding-window model.
    """
    if cfg is not None:
        n_layers = cfg.n_layers if n_layers is None else n_layers
        n_kv_heads = cfg.n_kv_heads if n_kv_heads is None else n_kv_heads
        head_dim = cfg.head_dim if head_dim is None else head_dim
    if n_layers is None or n_kv_heads is None or head_dim is None:
        raise ValueError(
            "without a ModelConfig, pass n_layers, n_kv_heads and head_dim"
        )
    _require_positive(seq_len=seq_len, batch=batch,
                      bytes_per_element=bytes_per_element, n_layers=n_layers,
                      n_kv_heads=n_kv_heads, head_dim=head_dim)
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_element


def arithmetic_intensity(flops: float, bytes_moved: float) -> float:
    """FLOPs per byte moved to or from memory (the roofline's x-axis)."""
    if bytes_moved <= 0:
        raise ValueError(f"bytes_moved must be > 0, got {bytes_moved}")
    if flops < 0:
        raise ValueError(f"flops must be >= 0, got {flops}")
    return flops / bytes_moved


class MatmulCost(NamedTuple):
    """Cost of one (m, k) @ (k, n) matmul."""

    flops: int  # 2·m·k·n
    bytes_moved: int  # read A and B once, write C once
    intensity: float  # flops / bytes_moved


def matmul_cost(m: int, k: int, n: int, bytes_per_element: int = 2) -> MatmulCost:
    """FLOPs, bytes and arithmetic intensity of an (m, k) @ (k, n) matmul.

    Bytes assume the ideal case: each input read once from memory and the output
    written once, (m·k + k·n + m·n)·bytes_per_element; caches and re-reads are
    ignored, so this is the best intensity the matmul can reach.
    """
    _require_positive(m=m, k=k, n=n, bytes_per_element=bytes_per_element)
    flops = 2 * m * k * n
    bytes_moved = (m * k + k * n + m * n) * bytes_per_element
    return MatmulCost(flops, bytes_moved, arithmetic_intensity(flops, bytes_moved))
