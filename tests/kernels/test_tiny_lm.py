"""TinyLM: the causal mask really hides the future, training really learns."""

import pytest
import torch

from kernels.tiny_lm import TinyLM, generation_loss, next_token_loss, train_next_token

VOCAB, T = 11, 7


def _model(causal):
    torch.manual_seed(0)
    return TinyLM(VOCAB, T, d_model=16, causal=causal).double()


@pytest.mark.parametrize("causal", [True, False])
def test_future_tokens_change_earlier_outputs_only_without_the_mask(causal):
    model = _model(causal)
    a = torch.randint(0, VOCAB, (3, T))
    b = a.clone()
    b[:, 4:] = (a[:, 4:] + 1) % VOCAB  # change only positions 4..T-1
    la, wa = model(a)
    lb, _ = model(b)
    same_prefix = torch.allclose(la[:, :4], lb[:, :4], atol=1e-12, rtol=0)
    assert same_prefix == causal
    rows = wa.sum(-1)
    torch.testing.assert_close(rows, torch.ones_like(rows))
    if causal:
        assert torch.all(wa.triu(1) == 0)


def test_generation_loss_equals_training_loss_for_the_causal_model_only():
    idx = torch.randint(0, VOCAB, (4, T))
    causal, cheat = _model(True), _model(False)
    with torch.no_grad():
        torch.testing.assert_close(generation_loss(causal, idx),
                                   next_token_loss(causal, idx))
        assert abs(generation_loss(cheat, idx) - next_token_loss(cheat, idx)) > 1e-6


def test_training_without_the_mask_learns_to_copy_the_next_token():
    torch.manual_seed(1)
    idx = torch.randint(0, VOCAB, (32, T))  # random tokens: nothing to predict
    model = TinyLM(VOCAB, T, d_model=16, causal=False)
    history = train_next_token(model, idx, steps=150)
    assert history[-1] < 0.2 * history[0]  # it reads the answer
    _, weights = model(idx)
    next_weight = torch.diagonal(weights, offset=1, dim1=-2, dim2=-1).mean()
    assert next_weight > 0.5


def test_steps_must_be_positive():
    with pytest.raises(ValueError, match="steps"):
        train_next_token(_model(True), torch.zeros(1, T, dtype=torch.long), steps=0)
