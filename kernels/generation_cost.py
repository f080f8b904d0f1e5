"""What autoregressive generation computes with and without a KV cache, counted.

A prompt of P tokens is followed by T generated tokens. Step s (s = 1..T) produces
token s. Without a cache, step s runs the whole model over all P + s − 1 tokens it
has so far; with a cache, step 1 runs over the P prompt tokens (the prefill) and every
later step runs over the one newest token only, reading the others' K and V.

Two units, because a cache saves different amounts of each:
- positions: token positions pushed through the per-token work (Q/K/V projections,
  output projection, FFN), which is most of a model's FLOPs;
- pairs: causal (query, key) pairs scored by attention, in one layer and head.
"""


def _check(prompt: int, new_tokens: int) -> None:
    if prompt < 1 or new_tokens < 1:
        raise ValueError(f"prompt and new_tokens must be >= 1, got {prompt}, "
                         f"{new_tokens}")


def positions_processed(prompt: int, new_tokens: int, *, cached: bool) -> int:
    """Token positions run through the model to generate `new_tokens` tokens.

    No cache: Σ_{s=1..T} (P + s − 1) = T·P + T(T − 1)/2. Cache: P + (T − 1).
    """
    _check(prompt, new_tokens)
    t = new_tokens
    if cached:
        return prompt + t - 1
    return t * prompt + t * (t - 1) // 2


def attention_pairs_scored(prompt: int, new_tokens: int, *, cached: bool) -> int:
    """Causal (query, key) pairs scored in one layer and head over the generation.

    No cache: step s scores all n(n + 1)/2 pairs of its n = P + s − 1 tokens.
    Cache: the prefill scores P(P + 1)/2; each later step scores its one new query
    against every key so far, n pairs.
    """
    _check(prompt, new_tokens)
    total = 0
    for step in range(1, new_tokens + 1):
        n = prompt + step - 1
        if cached and step > 1:
            total += n
        else:
            total += n * (n + 1) // 2
    return total
