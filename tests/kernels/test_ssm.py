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


# --- LTI SSM: convolution (training) and recurrence (inference) are one model --------

from kernels.ssm import (inference_cache_bytes, linear_recurrence_scan,  # noqa: E402
                         lti_kernel, lti_ssm_convolution, lti_ssm_recurrent,
                         scan_rounds, selective_scan_parallel)
from kernels.presets import HybridConfig, get_ssm_preset  # noqa: E402


def make_lti(n=6, dtype=torch.float64):
    a_bar = torch.rand(n, dtype=dtype) * 0.9 + 0.05  # stable: 0 < Ā < 1
    return a_bar, torch.randn(n, dtype=dtype), torch.randn(n, dtype=dtype)


@pytest.mark.parametrize("t", [1, 2, 50, 257])
def test_lti_convolution_equals_recurrence(t):
    a_bar, b_bar, c = make_lti()
    x = torch.randn(3, t, dtype=torch.float64)
    conv = lti_ssm_convolution(x, a_bar, b_bar, c)
    assert conv.shape == (3, t)
    assert_close(conv, lti_ssm_recurrent(x, a_bar, b_bar, c))


def test_lti_kernel_is_the_impulse_response():
    a_bar, b_bar, c = make_lti()
    impulse = torch.zeros(1, 20, dtype=torch.float64)
    impulse[0, 0] = 1.0
    assert_close(lti_ssm_recurrent(impulse, a_bar, b_bar, c)[0],
                 lti_kernel(a_bar, b_bar, c, 20))
    # K_0 = C·B̄, K_1 = C·diag(Ā)·B̄, by hand.
    kernel = lti_kernel(a_bar, b_bar, c, 2)
    assert_close(kernel, torch.stack([(c * b_bar).sum(), (c * a_bar * b_bar).sum()]))


def test_lti_rejects_bad_shapes():
    a_bar, b_bar, c = make_lti()
    with pytest.raises(ValueError, match="expected x"):
        lti_ssm_recurrent(torch.zeros(2, 3, 1), a_bar, b_bar, c)
    with pytest.raises(ValueError, match="expected x"):
        lti_ssm_convolution(torch.zeros(2, 3), a_bar, b_bar, c[:-1])


# --- The parallel scan equals the loop ------------------------------------------------

@pytest.mark.parametrize("t", [1, 2, 3, 8, 97, 128])
def test_linear_recurrence_scan_equals_loop(t):
    a = torch.rand(2, t, 3, dtype=torch.float64)
    b = torch.randn(2, t, 3, dtype=torch.float64)
    h, expected = torch.zeros(2, 3, dtype=torch.float64), []
    for step in range(t):
        h = a[:, step] * h + b[:, step]
        expected.append(h)
    assert_close(linear_recurrence_scan(a, b), torch.stack(expected, dim=1))


def test_scan_rounds_is_ceil_log2():
    assert [scan_rounds(t) for t in (1, 2, 3, 4, 5, 1024, 1025)] == [0, 1, 2, 2, 3, 10, 11]
    with pytest.raises(ValueError, match="length"):
        scan_rounds(0)


def test_linear_recurrence_scan_rejects_mismatch():
    with pytest.raises(ValueError, match="equal shape"):
        linear_recurrence_scan(torch.zeros(2, 3), torch.zeros(2, 4))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("t", [1, 16, 97])
def test_parallel_scan_equals_recurrent(dtype, t):
    inputs = make_inputs(t=t, dtype=dtype)
    parallel = selective_scan_parallel(*inputs)
    assert parallel.shape == (2, t, 5) and parallel.dtype == dtype
    assert_close(parallel, selective_scan_recurrent(*inputs))
    assert_close(parallel, selective_scan_chunked(*inputs, chunk=16))


def test_selective_ssm_is_not_a_convolution():
    """With Δ depending on the input, shifting the input does not shift the output:
    the model is not time-invariant, so no single kernel K describes it."""
    x, delta, A, B, C = make_inputs(batch=1, t=12, d=1)
    x = torch.zeros_like(x)
    x[0, 3] = 1.0
    shifted = torch.roll(x, 2, dims=1)
    y = selective_scan_recurrent(x, delta, A, B, C)
    y_shifted = selective_scan_recurrent(shifted, delta, A, B, C)
    assert not torch.allclose(torch.roll(y, 2, dims=1)[0, 2:], y_shifted[0, 2:])
    # Freeze Δ, B, C in time and the same test passes: that model is LTI.
    frozen = (delta[:, :1].expand_as(delta), B[:, :1].expand_as(B), C[:, :1].expand_as(C))
    y = selective_scan_recurrent(x, frozen[0], A, *frozen[1:])
    y_shifted = selective_scan_recurrent(shifted, frozen[0], A, *frozen[1:])
    assert_close(torch.roll(y, 2, dims=1)[0, 2:], y_shifted[0, 2:])


# --- Inference cache -----------------------------------------------------------------

def test_mamba_cache_is_constant_and_jamba_grows_with_its_four_layers():
    mamba = get_ssm_preset("mamba-2.8b")
    assert inference_cache_bytes(mamba, 4096) == inference_cache_bytes(mamba, 2**20)
    # 64 layers × 5120 channels × (16 + 4) numbers × 2 bytes.
    assert inference_cache_bytes(mamba, 0) == 64 * 5120 * 20 * 2
    jamba = get_ssm_preset("jamba-v0.1")
    per_token = inference_cache_bytes(jamba, 1) - inference_cache_bytes(jamba, 0)
    assert per_token == 2 * 4 * 8 * 128 * 2
    with pytest.raises(ValueError, match="seq_len"):
        inference_cache_bytes(jamba, -1)


def test_hybrid_config_validates_and_registry_names_known():
    with pytest.raises(ValueError, match="between"):
        HybridConfig(name="x", n_layers=2, d_model=8, n_attention_layers=3)
    with pytest.raises(ValueError, match="n_kv_heads"):
        HybridConfig(name="x", n_layers=2, d_model=8, n_attention_layers=1)
    with pytest.raises(KeyError, match="mamba-2.8b"):
        get_ssm_preset("mamba-3b")
    assert get_ssm_preset("jamba-v0.1").n_mamba_layers == 28
