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
    # nvidia-smi's total, a little below the box's "40GB" read as GiB.
    assert 40e9 < hw.A100_40GB.memory_bytes == 40536 * 2**20 < 40 * GiB
    assert hw.A100_40GB.peak_flops == hw.A100_80GB.peak_flops  # same chip
    assert hw.A100_40GB.hbm_bytes_per_s == 1555 * 10**9
    # Slower memory, same FLOP/s: the ridge point moves right.
    assert hw.ridge_point(hw.A100_40GB) > hw.ridge_point(hw.A100_80GB)

def test_hopper_numbers_and_the_gpu_list():
    # nvidia-smi's totals are a little below the boxes' decimal "80GB" / "141GB".
    assert hw.H100_80GB.memory_bytes == 81559 * 2**20 < 80 * GiB
    assert 80e9 < hw.H100_80GB.memory_bytes
    assert 140e9 < hw.H200_141GB.memory_bytes == 143771 * 2**20 < 141 * GiB
    assert hw.H100_80GB.peak_flops == hw.H200_141GB.peak_flops == 989.5e12
    assert hw.H200_141GB.hbm_bytes_per_s > hw.H100_80GB.hbm_bytes_per_s
    gpus = hw.all_gpus()
    assert {hw.A100_80GB, hw.H100_80GB, hw.H200_141GB} <= set(gpus)
    sizes = [g.memory_bytes for g in gpus]
    assert sizes == sorted(sizes) and all(g.source for g in gpus)
