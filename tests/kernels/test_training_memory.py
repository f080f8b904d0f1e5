import pytest

from kernels import training_memory as tm
from kernels.costs import GB, to_gb


def test_sixteen_bytes_per_param_breakdown():
    parts = tm.training_memory_bytes(1000)
    assert parts == {
        "weights": 2000, "gradients": 2000, "optimizer_states": 12000, "total": 16000,
    }


def test_fp32_adam_convention():
    assert tm.training_memory_bytes(10, weight_bytes=4, grad_bytes=4,
                                    optimizer_bytes=8)["total"] == 160


@pytest.mark.parametrize(
    "stage, paper_gb",
    # ZeRO paper (Rajbhandari et al. 2020), Figure 1 / section 5:
    # Ψ = 7.5B, N_d = 64, K = 12 -> 120, 31.4, 16.6, 1.9 GB (GB = 1e9 bytes)
    [(0, 120.0), (1, 31.4), (2, 16.6), (3, 1.9)],
)
def test_zero_paper_worked_example(stage, paper_gb):
    parts = tm.zero_memory_per_gpu(7_500_000_000, 64, stage)
    assert round(to_gb(parts["total"]), 1) == paper_gb


def test_zero_stages_by_hand():
    psi, n = 6400, 64
    assert tm.zero_memory_per_gpu(psi, n, 0)["total"] == 16 * psi
    assert tm.zero_memory_per_gpu(psi, n, 1)["total"] == 4 * psi + 12 * psi / n
    assert tm.zero_memory_per_gpu(psi, n, 2)["total"] == 2 * psi + 14 * psi / n
    stage3 = tm.zero_memory_per_gpu(psi, n, 3)
    assert stage3["total"] == 16 * psi / n
    assert stage3["weights"] == 2 * psi / n


def test_one_gpu_gets_no_savings():
    totals = {tm.zero_memory_per_gpu(1000, 1, s)["total"] for s in range(4)}
    assert totals == {16000.0}


def test_ring_allreduce_volume():
    assert tm.ring_allreduce_bytes_per_gpu(1000, 1) == 0
    assert tm.ring_allreduce_bytes_per_gpu(1000, 4) == 1500  # 2 * 3/4 * 1000
    assert tm.ring_allreduce_bytes_per_gpu(GB, 1024) == pytest.approx(2 * GB, 1e-3)


def test_communication_time():
    # 14 GB of gradients (7B params * 2 bytes) over 100 GB/s plus 10 µs latency
    assert tm.communication_time_s(14 * GB, 100 * GB, 1e-5) == pytest.approx(0.14001)
    assert tm.communication_time_s(0, 1.0) == 0.0


def test_error_paths():
    with pytest.raises(ValueError, match="n_params"):
        tm.training_memory_bytes(0)
    with pytest.raises(ValueError, match="stage"):
        tm.zero_memory_per_gpu(10, 2, 4)
    with pytest.raises(ValueError, match="n_gpus"):
        tm.zero_memory_per_gpu(10, 0, 1)
    with pytest.raises(ValueError, match="n_gpus"):
        tm.ring_allreduce_bytes_per_gpu(10, 0)
    with pytest.raises(ValueError, match="bandwidth"):
        tm.communication_time_s(10, 0)
    with pytest.raises(ValueError, match="latency_s"):
        tm.communication_time_s(10, 1, -1)
