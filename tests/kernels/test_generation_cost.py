"""generation_cost.py: counts checked against a real cached and uncached decode."""

import pytest
import torch

from kernels.generation_cost import attention_pairs_scored, positions_processed


def generate(prompt, new_tokens, cached, d=8):
    """Tiny one-head causal attention decoder that counts what it computes."""
    torch.manual_seed(0)
    w_qkv = torch.randn(d, 3 * d)
    x = torch.randn(prompt, d)
    counts = {"positions": 0, "pairs": 0}
    k_cache = v_cache = None
    outputs = []
    for step in range(new_tokens):
        todo = x if not cached or step == 0 else x[-1:]
        counts["positions"] += todo.shape[0]
        q, k, v = (todo @ w_qkv).split(d, dim=-1)
        if cached:
            k_cache = k if k_cache is None else torch.cat([k_cache, k])
            v_cache = v if v_cache is None else torch.cat([v_cache, v])
            k, v = k_cache, v_cache
        n_k = k.shape[0]
        offset = n_k - q.shape[0]
        visible = torch.arange(n_k)[None, :] <= torch.arange(q.shape[0])[:, None] + offset
        counts["pairs"] += int(visible.sum())
        scores = (q @ k.T).masked_fill(~visible, float("-inf"))
        out = torch.softmax(scores, -1) @ v
        outputs.append(out[-1])
        x = torch.cat([x, torch.tanh(out[-1:])])  # the "next token" embedding
    return counts, torch.stack(outputs)


@pytest.mark.parametrize("prompt,new", [(1, 1), (3, 5), (10, 20)])
def test_counts_match_a_real_decode(prompt, new):
    plain, out_plain = generate(prompt, new, cached=False)
    cached, out_cached = generate(prompt, new, cached=True)
    torch.testing.assert_close(out_plain, out_cached)  # the cache changes nothing
    assert positions_processed(prompt, new, cached=False) == plain["positions"]
    assert positions_processed(prompt, new, cached=True) == cached["positions"]
    assert attention_pairs_scored(prompt, new, cached=False) == plain["pairs"]
    assert attention_pairs_scored(prompt, new, cached=True) == cached["pairs"]


def test_closed_forms():
    assert positions_processed(10, 100, cached=False) == 100 * 10 + 100 * 99 // 2
    assert positions_processed(10, 100, cached=True) == 109
    # P = 1: pairs without a cache are Σ n(n+1)/2 = T(T+1)(T+2)/6
    assert attention_pairs_scored(1, 100, cached=False) == 100 * 101 * 102 // 6
    assert attention_pairs_scored(1, 100, cached=True) == 100 * 101 // 2


def test_rejects_empty():
    with pytest.raises(ValueError):
        positions_processed(0, 5, cached=True)
    with pytest.raises(ValueError):
        attention_pairs_scored(5, 0, cached=False)
