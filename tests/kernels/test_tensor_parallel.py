import pytest
import torch
import torch.nn.functional as F

from kernels import tensor_parallel as tp
from tests.kernels.tolerances import assert_close

F64 = torch.float64


@pytest.mark.parametrize("n_devices", [1, 2, 3, 7])
def test_column_parallel_gather_equals_full_linear(n_devices):
    x = torch.randn(5, 11, 59, dtype=F64)
    weight, bias = torch.randn(97, 59, dtype=F64), torch.randn(97, dtype=F64)
    shards = tp.shard_columns(weight, bias, n_devices)
    parts = tp.column_parallel_linear(x, shards)
    assert len(parts) == n_devices
    assert sum(p.shape[-1] for p in parts) == 97
    assert_close(tp.all_gather(parts), F.linear(x, weight, bias))


@pytest.mark.parametrize("n_devices", [1, 2, 4, 5])
def test_row_parallel_all_reduce_equals_full_linear(n_devices):
    x = torch.randn(3, 59, dtype=F64)
    weight, bias = torch.randn(31, 59, dtype=F64), torch.randn(31, dtype=F64)
    shards = tp.shard_rows(weight, n_devices)
    out = tp.row_parallel_linear(tp.split_features(x, n_devices), shards, bias)
    assert_close(out, F.linear(x, weight, bias))


def test_column_parallel_without_bias():
    x, weight = torch.randn(4, 6, dtype=F64), torch.randn(9, 6, dtype=F64)
    parts = tp.column_parallel_linear(x, tp.shard_columns(weight, None, 2))
    assert_close(tp.all_gather(parts), x @ weight.T)


def test_row_parallel_partials_alone_are_wrong():
    # without the all-reduce each device holds only a partial sum
    x, weight = torch.randn(4, 10, dtype=F64), torch.randn(3, 10, dtype=F64)
    shards = tp.shard_rows(weight, 2)
    partial = tp.split_features(x, 2)[0] @ shards[0].weight.T
    assert not torch.allclose(partial, x @ weight.T)


@pytest.mark.parametrize("n_devices", [1, 2, 3, 8])
def test_megatron_mlp_equals_unsplit_mlp(n_devices):
    d_model, d_ff = 59, 97 * 2 + 1  # awkward sizes, not divisible by n_devices
    x = torch.randn(2, 13, d_model, dtype=F64)
    fc_w, fc_b = torch.randn(d_ff, d_model, dtype=F64), torch.randn(d_ff, dtype=F64)
    pj_w, pj_b = torch.randn(d_model, d_ff, dtype=F64), torch.randn(d_model, dtype=F64)
    expected = tp.mlp(x, fc_w, fc_b, pj_w, pj_b)
    assert_close(tp.megatron_mlp(x, fc_w, fc_b, pj_w, pj_b, n_devices), expected)


def test_error_paths():
    weight = torch.randn(4, 3)
    with pytest.raises(ValueError, match="out_features=4"):
        tp.shard_columns(weight, None, 5)
    with pytest.raises(ValueError, match="in_features=3"):
        tp.shard_rows(weight, 0)
    with pytest.raises(ValueError, match="one input slice per device"):
        tp.row_parallel_linear([torch.randn(2, 3)], tp.shard_rows(weight, 3))
