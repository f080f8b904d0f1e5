"""ssm.py: the chunked scan equals the step-by-step one, and ZOH is exact."""

import pytest
import torch
import torch.nn.functional as F

from kernels.ssm import discretize_zoh, selective_scan_chunked, selective_scan_recurrent
from tests.kernels.tolerances import assert_close


def make_inputs(batch=2, t=97, d=5, n=4, dtype=torch.float64):
    x = torch.randn(batch, t, d, dtype=dtype)
    delta = F.softplus(torch.randn(batch, t, d, dtype=dtype))  # step sizes > 0
    A = -torch.exp(torch.randn(d, n, dtype=dtype))  # decaying states
    B, C = (torch.randn(batch, t, n, dtype=dtype) for _ in range(2))
    return x, delta, A, B, C


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("t,chunk", [(97, 16), (97, 7), (97, 1), (1, 16), (30, 97)])
def test_chunked_equals_recurrent(dtype, t, chunk):
    inputs = make_inputs(t=t, dtype=dtype)
    recurrent = selective_scan_recurrent(*inputs)
    chunked = selective_scan_chunked(*inputs, chunk=chunk)
    assert chunked.shape == (2, t, 5) and chunked.dtype == dtype
    assert_close(chunked, recurrent)
    if dtype == torch.float32:
        assert_close(chunked, selective_scan_recurrent(*(a.double() for a in inputs)))


def test_single_step_by_hand():
    x = torch.tensor([[[2.0]]], dtype=torch.float64)  # Bsz = T = D = 1
    delta = torch.tensor([[[0.5]]], dtype=torch.float64)
    A = torch.tensor([[-1.0, -2.0]], dtype=torch.float64)  # N = 2
    B = torch.tensor([[[1.0, 3.0]]], dtype=torch.float64)
    C = torch.tensor([[[4.0, 5.0]]], dtype=torch.float64)
    # h_n = (exp(0.5·A_n) − 1)/A_n · B_n · x;  y = Σ_n C_n h_n.
    h = [(torch.e**-0.5 - 1) / -1 * 1 * 2, (torch.e**-1.0 - 1) / -2 * 3 * 2]
    expected = torch.tensor([[[4 * h[0] + 5 * h[1]]]], dtype=torch.float64)
    assert_close(selective_scan_recurrent(x, delta, A, B, C), expected)
    assert_close(selective_scan_chunked(x, delta, A, B, C), expected)


def test_zero_order_hold_is_exact_for_a_held_input():
    # Input x held for k steps of length Δ: the state must equal the continuous
    # solution h(τ) = (exp(Aτ) − 1)/A · B x at τ = kΔ, whatever Δ is.
    t, step = 12, 0.3
    x = torch.full((1, t, 1), 1.5, dtype=torch.float64)
    delta = torch.full((1, t, 1), step, dtype=torch.float64)
    A = torch.tensor([[-0.7]], dtype=torch.float64)
    B = torch.ones(1, t, 1, dtype=torch.float64)
    C = torch.ones(1, t, 1, dtype=torch.float64)  # y reads the state out directly
    tau = step * torch.arange(1, t + 1, dtype=torch.float64)
    continuous = torch.expm1(-0.7 * tau) / -0.7 * 1.5
    assert_close(selective_scan_recurrent(x, delta, A, B, C)[0, :, 0], continuous)


def test_discretisation_shapes_and_small_step_limit():
    _, delta, A, B, _ = make_inputs(t=3)
    tiny = delta * 1e-12
    a_bar, b_bar = discretize_zoh(tiny, A, B)
    assert a_bar.shape == b_bar.shape == (2, 3, 5, 4)
    # For tiny Δ, Ā → 1 and B̄ → Δ·B (the Euler step Mamba's code uses).
    # The relative gap is |ΔA|/2 ≈ 1e-11, under the fp64 tolerance.
    euler = tiny.unsqueeze(-1) * B.unsqueeze(2)
    assert_close(b_bar / euler, torch.ones_like(b_bar))
    assert_close(a_bar, torch.ones_like(a_bar))


def test_selectivity_a_large_step_forgets_the_past():
    x, delta, A, B, C = make_inputs(t=20)
    y = selective_scan_recurrent(x, delta, A, B, C)
    x_changed = x.clone()
    x_changed[:, :10] += 5.0
    delta_forget = delta.clone()
    delta_forget[:, 10] = 1e3  # exp(Δ·A) ≈ 0: the state is reset at step 10
    y_forget = selective_scan_recurrent(x, delta_forget, A, B, C)
    y_forget_changed = selective_scan_recurrent(x_changed, delta_forget, A, B, C)
    assert_close(y_forget_changed[:, 10:], y_forget[:, 10:])
    assert not torch.allclose(selective_scan_recurrent(x_changed, delta, A, B, C), y)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda x, d, A, B, C: (x[0], d, A, B, C), "expected"),
        (lambda x, d, A, B, C: (x, d, A, B[:, :-1], C), "expected"),
        (lambda x, d, A, B, C: (x, d, -A, B, C), "strictly negative"),
    ],
)
def test_bad_arguments_raise(change, message):
    args = change(*make_inputs(t=4))
    with pytest.raises(ValueError, match=message):
        selective_scan_recurrent(*args)
    with pytest.raises(ValueError, match=message):
        selective_scan_chunked(*args)


def test_chunk_must_be_positive():
    with pytest.raises(ValueError, match="chunk"):
        selective_scan_chunked(*make_inputs(t=4), chunk=0)
