"""The running example of Module 4.2, defined once and computed by the attention kernel.

Every table of scores, weights and outputs in lessons 4.2.1–4.2.4 (pages, snippets and
notebooks) comes from the inputs below, so the numbers agree everywhere. The inputs are
small whole numbers chosen so a reader can check a dot product by hand; every output is
computed, never typed in.

Conventions (one for the whole module):
- Row vectors: an embedding is a row of X (T, d_model); a projection is X @ W with W of
  shape (d_model, d_k). So Q = X W_Q, K = X W_K, V = X W_V, and the multi-head output
  is Concat(head_1, …, head_h) W_O. (nn.Linear stores the transpose of W.)
- "Raw" attention (lesson 4.2.1) is softmax(X Xᵀ) X: scale 1, no projections.
- Scaled attention divides the scores by √d_k (here d_k = 3).
- Positions count from 0.

Axes: T tokens, d model width, k query/key/value width of one head.
"""

from __future__ import annotations

import math

import torch

from kernels.attention import attention, multi_head_attention

DTYPE = torch.float64

# --- The four-token example (lessons 4.2.1–4.2.3) ------------------------------------
TOKENS = ("The", "cat", "sat", "here")

# (T=4, d=3): one row per token; small integers, so every dot product is easy.
EMBEDDINGS = (
    (1, 0, 1),   # The
    (0, 2, 1),   # cat
    (1, 1, 0),   # sat
    (0, 1, 2),   # here
)

# (d=3, k=3) projections, row-vector convention: q = x @ W_Q.
W_Q = (
    (1, 0, 1),
    (0, 1, 0),
    (1, -1, 0),
)
W_K = (
    (0, 1, 0),
    (1, 0, 1),
    (0, 0, 1),
)
W_V = (
    (1, 0, 0),
    (0, 0, 1),
    (0, 1, 1),
)

# --- The same four tokens in 6 dimensions, two heads of width 3 (lesson 4.2.4) --------
# The first three coordinates are the 3-dim embeddings above; three more are added.
EMBEDDINGS_6 = (
    (1, 0, 1, 0, 1, 0),   # The
    (0, 2, 1, 1, 0, 0),   # cat
    (1, 1, 0, 0, 0, 1),   # sat
    (0, 1, 2, 1, 0, 1),   # here
)
N_HEADS = 2
# Per-head (d=6, k=3) projections.
HEADS = (
    {  # head 1
        "w_q": ((0, 0, 1), (1, 0, 0), (0, 1, 0), (1, 0, 0), (0, 0, 0), (0, 0, 1)),
        "w_k": ((0, 0, 0), (1, 0, 0), (0, 0, 1), (1, 1, 0), (0, 0, 1), (0, 0, 0)),
        "w_v": ((1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0), (0, 0, 1)),
    },
    {  # head 2
        "w_q": ((0, 0, 0), (0, 1, 0), (1, 0, 0), (0, 0, 1), (1, 0, 0), (0, 1, 0)),
        "w_k": ((0, 0, 0), (0, 1, 0), (1, 0, 0), (0, 0, 1), (0, 0, 0), (0, 1, 0)),
        "w_v": ((0, 1, 0), (1, 0, 0), (0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)),
    },
)
# (6, 6) output projection, block form [[I, 0], [I, I]] (rows = concatenated dims):
# output dims 0–2 add head 2's findings to head 1's; dims 3–5 keep head 2's alone.
W_O = (
    (1, 0, 0, 0, 0, 0),
    (0, 1, 0, 0, 0, 0),
    (0, 0, 1, 0, 0, 0),
    (1, 0, 0, 1, 0, 0),
    (0, 1, 0, 0, 1, 0),
    (0, 0, 1, 0, 0, 1),
)

# --- The long sentence (all-pairs reach in 4.2.1, two heads in 4.2.4) -----------------
SENTENCE = tuple("The cat sat on the mat because it was soft".split())
# Hand-set features for the sentence, one named coordinate each, so two hand-set heads
# can show two different notions of relevance. They are illustrations, not trained.
FEATURES = ("noun", "animate", "pronoun", "adjective", "verb", "function")
SENTENCE_FEATURES = (
    (0, 0, 0, 0, 0, 1),   # The
    (1, 1, 0, 0, 0, 0),   # cat
    (0, 0, 0, 0, 1, 0),   # sat
    (0, 0, 0, 0, 0, 1),   # on
    (0, 0, 0, 0, 0, 1),   # the
    (1, 0, 0, 0, 0, 0),   # mat
    (0, 0, 0, 0, 0, 1),   # because
    (0, 0, 1, 0, 0, 0),   # it
    (0, 0, 0, 0, 1, 0),   # was
    (0, 0, 0, 1, 0, 0),   # soft
)
# A hand-set head is (w_q, w_k), each (6, 1): the pronoun's query meets one feature.
# "Who is it?": an inanimate noun's key (nouns +, animate −).
COREFERENCE_HEAD = (((0,), (0,), (3,), (0,), (0,), (0,)),
                    ((1,), (-1,), (0,), (0,), (0,), (0,)))
# "What is said about it?": an adjective's key.
PROPERTY_HEAD = (((0,), (0,), (3,), (0,), (0,), (0,)),
                 ((0,), (0,), (0,), (1,), (0,), (0,)))


def tensor(rows) -> torch.Tensor:
    """Nested tuples -> float64 tensor."""
    return torch.tensor(rows, dtype=DTYPE)


def embeddings(width: int = 3) -> torch.Tensor:
    """(T=4, width) embeddings of TOKENS; width 3 (lessons 1–3) or 6 (lesson 4)."""
    if width == 3:
        return tensor(EMBEDDINGS)
    if width == 6:
        return tensor(EMBEDDINGS_6)
    raise ValueError(f"the running example has widths 3 and 6, not {width}")


def _attend(q, k, v, scale):
    """(T, k) q/k and (T, dv) v -> (weights (T, T), out (T, dv)) via kernels.attention."""
    out, weights = attention(q[None, None], k[None, None], v[None, None], scale=scale,
                             return_weights=True)
    return weights[0, 0], out[0, 0]


def raw_attention(x: torch.Tensor) -> dict[str, torch.Tensor]:
    """softmax(X Xᵀ) X for x (T, d): scores (T, T), weights (T, T), out (T, d)."""
    weights, out = _attend(x, x, x, scale=1.0)
    return {"scores": x @ x.T, "weights": weights, "out": out}


def single_head(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor,
                w_v: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """One head: x (T, d), w_q/w_k (d, k), w_v (d, dv) or None (then V = X).

    Returns q, k, v, scores = QKᵀ (T, T, unscaled), scaled = QKᵀ/√k, weights (T, T),
    out (T, dv) and residual = out + x (only when dv == d).
    """
    q, k = x @ w_q, x @ w_k
    v = x if w_v is None else x @ w_v
    scale = 1.0 / math.sqrt(q.shape[-1])
    weights, out = _attend(q, k, v, scale=scale)
    result = {"q": q, "k": k, "v": v, "scores": q @ k.T, "scaled": (q @ k.T) * scale,
              "weights": weights, "out": out}
    if out.shape == x.shape:
        result["residual"] = out + x
    return result


def running_example() -> dict[str, torch.Tensor]:
    """Lessons 4.2.1–4.2.3 on the four tokens: raw, then Q/K, then Q/K/V."""
    x = embeddings(3)
    raw = raw_attention(x)
    head = single_head(x, tensor(W_Q), tensor(W_K), tensor(W_V))
    return {"x": x, "raw_scores": raw["scores"], "raw_weights": raw["weights"],
            "raw_out": raw["out"], **{k: v for k, v in head.items()}}


def head_weights(i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(w_q, w_k, w_v) of head i (0-based), each (6, 3)."""
    h = HEADS[i]
    return tensor(h["w_q"]), tensor(h["w_k"]), tensor(h["w_v"])


def two_heads() -> dict:
    """Lesson 4.2.4: both heads on the 6-dim embeddings, concat, W_O, residual.

    Returns heads (list of single_head dicts), concat (4, 6), out (4, 6) = concat W_O,
    residual (4, 6) = out + x, and x.
    """
    x = embeddings(6)
    heads = [single_head(x, *head_weights(i)) for i in range(N_HEADS)]
    concat = torch.cat([h["out"] for h in heads], dim=-1)  # (T, h·k) = (4, 6)
    out = concat @ tensor(W_O)
    return {"x": x, "heads": heads, "concat": concat, "out": out,
            "residual": out + x}


def stacked_projections() -> tuple[torch.Tensor, ...]:
    """The two heads' weights side by side as full (6, 6) matrices, x @ W convention:
    W_Q = [W_Q¹ | W_Q²], likewise K, V; plus W_O. Head i reads columns 3i..3i+2."""
    ws = [head_weights(i) for i in range(N_HEADS)]
    return tuple(torch.cat([w[j] for w in ws], dim=-1) for j in range(3)) + (
        tensor(W_O),)


def two_heads_by_kernel() -> torch.Tensor:
    """The same (4, 6) output from kernels.attention.multi_head_attention."""
    w_q, w_k, w_v, w_o = stacked_projections()
    # nn.Linear convention stores Wᵀ.
    return multi_head_attention(embeddings(6)[None], w_q.T, w_k.T, w_v.T, w_o.T,
                                N_HEADS)[0]


def sentence_head(head) -> torch.Tensor:
    """Weights (10, 10) of a hand-set one-wide head on SENTENCE (scale 1/√1 = 1)."""
    x = tensor(SENTENCE_FEATURES)
    return single_head(x, tensor(head[0]), tensor(head[1]))["weights"]
