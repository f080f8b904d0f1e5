"""memory.py: the measured peak reflects real allocations."""

import torch

from kernels.memory import measure_peak_bytes


def allocate_floats(n):
    return torch.ones(n, dtype=torch.float32)


def test_reports_at_least_the_bytes_allocated_and_returns_the_result():
    result, peak = measure_peak_bytes(allocate_floats, 1_000_000)
    assert torch.equal(result, torch.ones(1_000_000))
    assert 4_000_000 <= peak < 4_100_000


def test_is_deterministic():
    _, first = measure_peak_bytes(allocate_floats, n=250_000)
    _, second = measure_peak_bytes(allocate_floats, n=250_000)
    assert first == second


def test_is_a_peak_not_a_total():
    def one_after_another():
        for _ in range(3):
            block = torch.ones(1_000_000)  # freed when the name is rebound
            del block
        return None

    _, peak = measure_peak_bytes(one_after_another)
    assert 4_000_000 <= peak < 8_000_000


def test_sees_temporaries_that_are_freed_before_returning():
    def big_temporary_small_result():
        return torch.ones(1_000_000, dtype=torch.float64).sum()

    result, peak = measure_peak_bytes(big_temporary_small_result)
    assert result.item() == 1_000_000
    assert peak >= 8_000_000


def test_tensors_made_before_the_call_are_not_counted():
    existing = torch.ones(1_000_000)
    _, peak = measure_peak_bytes(torch.Tensor.view, existing, -1)
    assert peak < 1_000
