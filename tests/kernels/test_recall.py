"""recall.py: a fixed d×d state holds about d pairs; a KV cache holds them all."""

import pytest
import torch

from kernels.recall import (fixed_state_read, fixed_state_write, kv_cache_read,
                            random_pairs, recall_accuracy)


def test_orthogonal_keys_are_recalled_exactly_up_to_d():
    d = 8
    keys = torch.eye(d, dtype=torch.float64)  # d orthonormal keys: no crosstalk
    values = torch.randn(d, d, dtype=torch.float64)
    state = fixed_state_write(keys, values)
    assert state.shape == (d, d)
    torch.testing.assert_close(fixed_state_read(state, keys), values)


def test_fixed_state_fails_past_d_while_kv_cache_does_not():
    gen = torch.Generator().manual_seed(0)
    d = 32
    few_keys, few_values = random_pairs(4, d, gen)
    many_keys, many_values = random_pairs(8 * d, d, gen)
    few = recall_accuracy(fixed_state_read(fixed_state_write(few_keys, few_values),
                                           few_keys), few_values)
    many = recall_accuracy(fixed_state_read(fixed_state_write(many_keys, many_values),
                                            many_keys), many_values)
    cache = recall_accuracy(kv_cache_read(many_keys, many_values, many_keys,
                                          scale=4 * d**0.5), many_values)
    assert few == 1.0 and many < 0.5 and cache == 1.0


def test_state_size_does_not_depend_on_n():
    gen = torch.Generator().manual_seed(1)
    for n in (2, 50):
        keys, values = random_pairs(n, 6, gen)
        assert fixed_state_write(keys, values).shape == (6, 6)
        assert torch.allclose(keys.norm(dim=-1), torch.ones(n, dtype=torch.float64))


def test_bad_input():
    gen = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match=">= 1"):
        random_pairs(0, 4, gen)
    with pytest.raises(ValueError, match="must match"):
        recall_accuracy(torch.zeros(3, 4), torch.zeros(2, 4))
    # A read-out that points at the wrong value scores zero.
    values = torch.eye(2)
    assert recall_accuracy(values.flip(0), values) == 0.0
