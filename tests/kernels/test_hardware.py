import pytest

from kernels import hardware as hw
from kernels.costs import GiB, matmul_cost


def test_a100_numbers_match_the_datasheet_units():
    # 80 GiB (81920 MiB), 312 TFLOP/s, 2.039 TB/s: the datasheet's numbers in SI units
    assert hw.A100_80GB.memory_bytes == 80 * GiB
    assert hw.A100_80GB.peak_flops == 312 * 10**12
    assert hw.A100_80GB.hbm_bytes_per_s == 2039 * 10**9


def test_links_are_one_direction_and_ordered():
    assert hw.NVLINK3_BYTES_PER_S == 300e9
    assert hw.PCIE4_X16_BYTES_PER_S == 32e9
    assert hw.INFINIBAND_HDR_BYTES_PER_S == 25e9
    assert (hw.NVLINK3_BYTES_PER_S > hw.PCIE4_X16_BYTES_PER_S
            > hw.INFINIBAND_HDR_BYTES_PER_S)


def test_ridge_point_by_hand():
    assert hw.ridge_point(hw.A100_80GB) == pytest.approx(312e12 / 2039e9)
    assert 150 < hw.ridge_point(hw.A100_80GB) < 155


def test_roofline_memory_bound_and_compute_bound():
    gpu = hw.A100_80GB
    # a (1, 8192) @ (8192, 8192) matvec: ~1 FLOP/byte, memory-bound
    small = matmul_cost(1, 8192, 8192)
    assert small.intensity < hw.ridge_point(gpu)
    assert hw.roofline_time_s(small.flops, small.bytes_moved, gpu) == pytest.approx(
        small.bytes_moved / gpu.hbm_bytes_per_s)
    # a (4096, 8192) @ (8192, 8192) matmul: far above the ridge, compute-bound
    big = matmul_cost(4096, 8192, 8192)
    assert big.intensity > hw.ridge_point(gpu)
    assert hw.roofline_time_s(big.flops, big.bytes_moved, gpu) == pytest.approx(
        big.flops / gpu.peak_flops)


def test_roofline_rejects_negative_work():
    with pytest.raises(ValueError):
        hw.roofline_time_s(-1, 0, hw.A100_80GB)
    with pytest.raises(ValueError):
        hw.roofline_time_s(0, -1, hw.A100_80GB)


def test_a100_40gb_datasheet_numbers():
    GiB = 2**30
    assert hw.A100_40GB.memory_bytes == 40 * GiB
    assert hw.A100_40GB.peak_flops == hw.A100_80GB.peak_flops  # same chip
    assert hw.A100_40GB.hbm_bytes_per_s == 1555 * 10**9
    # Slower memory, same FLOP/s: the ridge point moves right.
    assert hw.ridge_point(hw.A100_40GB) > hw.ridge_point(hw.A100_80GB)
