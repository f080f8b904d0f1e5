import pytest
import torch
from torch import nn

from kernels import data_parallel as dp
from tests.kernels.tolerances import assert_close


def small_model() -> nn.Module:
    return nn.Sequential(nn.Linear(7, 13), nn.Tanh(), nn.Linear(13, 3)).double()


def batch(n: int):
    return (torch.randn(n, 7, dtype=torch.float64),
            torch.randn(n, 3, dtype=torch.float64))


def assert_grads_close(actual, expected):
    assert actual.keys() == expected.keys()
    for name in expected:
        assert_close(actual[name], expected[name])


def test_equal_shards_plain_mean_equals_full_batch():
    model, (x, y) = small_model(), batch(24)
    full = dp.mean_loss_gradients(model, x, y)
    naive = dp.data_parallel_gradients(model, x, y, [6, 6, 6, 6], weighted=False)
    assert_grads_close(naive, full)


def test_unequal_shards_weighted_equals_full_batch():
    model, (x, y) = small_model(), batch(23)
    full = dp.mean_loss_gradients(model, x, y)
    weighted = dp.data_parallel_gradients(model, x, y, [1, 5, 17])
    assert_grads_close(weighted, full)


def test_unequal_shards_naive_mean_is_wrong():
    model, (x, y) = small_model(), batch(23)
    full = dp.mean_loss_gradients(model, x, y)
    naive = dp.data_parallel_gradients(model, x, y, [1, 5, 17], weighted=False)
    worst = max((naive[k] - full[k]).abs().max().item() for k in full)
    assert worst > 1e-3  # orders of magnitude above fp64 tolerance


def test_shard_weights_and_average_by_hand():
    assert dp.shard_weights([1, 3]) == [0.25, 0.75]
    grads = [{"w": torch.tensor([4.0])}, {"w": torch.tensor([8.0])}]
    assert dp.average_gradients(grads)["w"].item() == 6.0
    assert dp.average_gradients(grads, [0.25, 0.75])["w"].item() == 7.0


def test_error_paths():
    x, y = batch(5)
    with pytest.raises(ValueError, match="sum to the batch size 5"):
        dp.split_batch(x, y, [2, 2])
    with pytest.raises(ValueError, match="must be >= 1"):
        dp.split_batch(x, y, [5, 0])
    with pytest.raises(ValueError, match="at least one device"):
        dp.average_gradients([])
    with pytest.raises(ValueError, match="1 weights for 2 devices"):
        dp.average_gradients([{"w": torch.ones(1)}] * 2, [1.0])
