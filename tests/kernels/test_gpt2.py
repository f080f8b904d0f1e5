import dataclasses

import pytest
import torch

from kernels.costs import param_count
from kernels.gpt2 import GPT
from kernels.presets import PRESETS
from tests.kernels.tolerances import assert_close

TINY = dataclasses.replace(
    PRESETS["gpt2-small"], name="gpt2-tiny", n_layers=2, d_model=48, n_heads=3,
    n_kv_heads=3, head_dim=16, d_ff=192, vocab_size=97, max_seq_len=37,
)


def test_gpt2_small_parameter_count_matches_formula_and_publication():
    # The meta device builds the module without allocating 500 MB of weights.
    with torch.device("meta"):
        model = GPT(PRESETS["gpt2-small"])
    assert model.num_parameters() == 124_439_808
    assert model.num_parameters() == param_count(PRESETS["gpt2-small"])["total"]


def test_tiny_model_parameter_count_matches_formula():
    assert GPT(TINY).num_parameters() == param_count(TINY)["total"]


def test_forward_shape():
    model = GPT(TINY)
    idx = torch.randint(0, TINY.vocab_size, (2, 29))
    assert model(idx).shape == (2, 29, TINY.vocab_size)


def test_weights_are_tied():
    model = GPT(TINY)
    assert model.lm_head.weight is model.wte.weight


def test_sdpa_and_manual_paths_agree():
    model = GPT(TINY).double()
    idx = torch.randint(0, TINY.vocab_size, (3, 31))
    fast = model(idx)
    model.set_use_sdpa(False)
    manual = model(idx)
    assert_close(manual, fast)


def test_causality_future_token_does_not_change_earlier_logits():
    model = GPT(TINY).double()
    idx = torch.randint(0, TINY.vocab_size, (1, 20))
    changed = idx.clone()
    changed[0, 12] = (changed[0, 12] + 1) % TINY.vocab_size
    for use_sdpa in (True, False):
        model.set_use_sdpa(use_sdpa)
        before, after = model(idx), model(changed)
        assert_close(after[:, :12], before[:, :12])
        assert not torch.allclose(after[:, 12:], before[:, 12:])


def test_too_long_sequence_raises():
    model = GPT(TINY)
    with pytest.raises(ValueError, match="max_seq_len"):
        model(torch.zeros(1, TINY.max_seq_len + 1, dtype=torch.long))


def test_non_gpt2_config_raises():
    with pytest.raises(ValueError, match="not a GPT-2-style config"):
        GPT(PRESETS["llama2-7b"])
    with pytest.raises(ValueError, match="GQA/MQA"):
        GPT(dataclasses.replace(TINY, n_kv_heads=1))
    with pytest.raises(ValueError, match="n_heads \\* head_dim"):
        GPT(dataclasses.replace(TINY, head_dim=8))
