"""The tiny trained model: its attention agrees with the kernel, and training works."""

import pytest
import torch

from kernels.attention import attention
from kernels.tiny_attention_model import (TinyAttentionModel, lag_score,
                                          lagged_batch, train_lagged)


def test_lagged_targets_point_back():
    ids, targets = lagged_batch(2, 5, 10, (1, 2), torch.Generator().manual_seed(0))
    assert torch.equal(targets[:, 1:, 0], ids[:, :-1])
    assert torch.equal(targets[:, 2:, 1], ids[:, :-2])
    assert (targets[:, 0] == -100).all() and (targets[:, 1, 1] == -100).all()


def test_model_attention_matches_the_kernel_and_is_causal():
    torch.manual_seed(0)
    model = TinyAttentionModel(vocab=7, max_len=6, d_model=8, n_heads=2)
    ids = torch.randint(7, (3, 6))
    logits, weights = model(ids)
    assert logits.shape == (3, 6, 1, 7) and weights.shape == (3, 2, 6, 6)
    x = model.tok(ids) + model.pos(torch.arange(6))
    q, k, v = model.qkv(x).chunk(3, dim=-1)
    q, k, v = (z.view(3, 6, 2, 4).transpose(1, 2) for z in (q, k, v))
    _, ref = attention(q, k, v, is_causal=True, return_weights=True)
    torch.testing.assert_close(weights, ref)
    assert weights.triu(1).abs().max() == 0  # no weight on future positions


def test_heads_must_divide_width():
    with pytest.raises(ValueError, match="must divide"):
        TinyAttentionModel(5, 4, d_model=6, n_heads=4)


def test_training_learns_one_head_per_lag():
    model, losses = train_lagged((1, 2), steps=400, seed=0)
    assert losses[-1] < 0.01 * losses[0]
    ids, _ = lagged_batch(64, 12, 16, (1, 2), torch.Generator().manual_seed(1))
    with torch.no_grad():
        _, w = model(ids)
    lag1, lag2 = lag_score(w, 1), lag_score(w, 2)
    # One head per lag, each nearly all its weight on its own offset.
    assert sorted([int(lag1.argmax()), int(lag2.argmax())]) == [0, 1]
    assert lag1.max() > 0.9 and lag2.max() > 0.9
