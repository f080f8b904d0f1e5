"""ring_attention.py: P simulated devices passing K/V around a ring give full attention."""

import pytest
import torch
import torch.nn.functional as F

from kernels.attention import attention
from kernels.ring_attention import (
    ring_attention,
    ring_attention_trace,
    ring_block_at,
    ring_peak_elements,
    ring_sent_elements,
)
from tests.kernels.tolerances import assert_close


def reference(q, k, v, is_causal, scale=None):
    """fp64 SDPA on the same (already rounded) inputs."""
    return F.scaled_dot_product_attention(q.double(), k.double(), v.double(),
                                          is_causal=is_causal, scale=scale)


@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize("n_devices", [1, 2, 3, 4, 8])
def test_fp64_equals_full_attention(is_causal, n_devices):
    q, k, v = (torch.randn(2, 3, 48, 16, dtype=torch.float64) for _ in range(3))
    out = ring_attention(q, k, v, n_devices, is_causal=is_causal)
    assert out.shape == (2, 3, 48, 16) and out.dtype == torch.float64
    assert_close(out, reference(q, k, v, is_causal))


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("is_causal", [False, True])
def test_low_precision_matches_sdpa(dtype, is_causal):
    q, k, v = (torch.randn(1, 2, 60, 32).to(dtype) for _ in range(3))
    out = ring_attention(q, k, v, 5, is_causal=is_causal)
    assert out.dtype == dtype
    assert_close(out, reference(q, k, v, is_causal))
    # Also agrees with torch's own SDPA in the same dtype, and with naive attention.
    sdpa = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal)
    assert_close(out, sdpa.double(), dtype=dtype)
    assert_close(out, attention(q, k, v, is_causal=is_causal).double(), dtype=dtype)


def test_value_width_and_scale_and_broadcast_heads():
    q = torch.randn(2, 4, 24, 8, dtype=torch.float64)
    k = torch.randn(2, 1, 24, 8, dtype=torch.float64)  # one K/V head shared (MQA)
    v = torch.randn(2, 1, 24, 5, dtype=torch.float64)
    out = ring_attention(q, k, v, 6, is_causal=True, scale=0.3)
    assert out.shape == (2, 4, 24, 5)
    expected = reference(q, k.expand(2, 4, 24, 8), v.expand(2, 4, 24, 5), True, 0.3)
    assert_close(out, expected)


def test_a_wrong_rescaling_would_be_caught():
    """Large score offsets between blocks: without the online rescaling the sums of
    different blocks would mix exponentials of different maxima and fail."""
    q = torch.randn(1, 1, 32, 8, dtype=torch.float64) * 6
    k = torch.randn(1, 1, 32, 8, dtype=torch.float64) * 6
    k[..., 16:, :] += 5  # later blocks score much higher
    v = torch.randn(1, 1, 32, 8, dtype=torch.float64)
    assert_close(ring_attention(q, k, v, 4), reference(q, k, v, False))


def test_length_not_divisible_by_devices_is_rejected():
    q = torch.randn(1, 1, 10, 4)
    with pytest.raises(ValueError, match="pad the sequence"):
        ring_attention(q, q, q, 4)
    with pytest.raises(ValueError, match="pad the sequence"):
        ring_attention(q, q, q, 0)
    with pytest.raises(ValueError, match="self-attention"):
        ring_attention(q, torch.randn(1, 1, 12, 4), torch.randn(1, 1, 12, 4), 2)
    with pytest.raises(ValueError, match="must be 4-D"):
        ring_attention(q[0], q[0], q[0], 2)


def test_every_device_meets_every_block_once():
    for p in (1, 3, 5):
        for i in range(p):
            assert sorted(ring_block_at(i, s, p) for s in range(p)) == list(range(p))
    assert [ring_block_at(2, s, 4) for s in range(4)] == [2, 1, 0, 3]


@pytest.mark.parametrize("causal", [False, True])
def test_peak_is_the_largest_held_count(causal):
    for p in (1, 2, 4):
        q = torch.randn(1, 1, 32, 8)
        _, trace = ring_attention_trace(q, q, q, p, is_causal=causal)
        assert max(s.held_elements for s in trace) == ring_peak_elements(32, 8, p)
    b = 32
    assert ring_peak_elements(32, 8, 1) == 4 * b * 8 + 2 * b + b * b


def test_trace_counts_memory_and_traffic():
    t, d, p = 64, 8, 4
    b = t // p
    q, k, v = (torch.randn(1, 1, t, d) for _ in range(3))
    _, trace = ring_attention_trace(q, k, v, p)
    assert len(trace) == p * p
    assert [(s.step, s.device) for s in trace[:5]] == [(0, 0), (0, 1), (0, 2),
                                                       (0, 3), (1, 0)]
    # Device 2 holds blocks 2, 1, 0, 3 in turn.
    assert [s.kv_block for s in trace if s.device == 2] == [2, 1, 0, 3]
    assert all(s.computed for s in trace)
    assert max(s.held_elements for s in trace) == ring_peak_elements(t, d, p)
    assert ring_peak_elements(t, d, p) == 6 * b * d + 2 * b + b * b
    for i in range(p):
        sent = sum(s.sent_elements for s in trace if s.device == i)
        assert sent == ring_sent_elements(t, d, p) == 2 * (p - 1) * b * d
    # The last step receives nothing and sends nothing.
    assert all(s.sent_elements == 0 for s in trace if s.step == p - 1)


def test_causal_trace_skips_blocks_after_the_queries():
    p = 4
    q = torch.randn(1, 1, 16, 4)
    _, trace = ring_attention_trace(q, q, q, p, is_causal=True)
    work = [sum(s.computed for s in trace if s.device == i) for i in range(p)]
    assert work == [1, 2, 3, 4]  # device i sees blocks 0..i only: unbalanced
    assert all(s.computed == (s.kv_block <= s.device) for s in trace)


def test_memory_per_device_falls_with_devices():
    t, d = 4096, 64
    full = t * t  # one device holding every score
    peaks = [ring_peak_elements(t, d, p) for p in (1, 2, 4, 8)]
    assert peaks == sorted(peaks, reverse=True)
    assert peaks[0] > full and peaks[3] < full / 30
    # Traffic per device tends to the whole K and V (2·t·d) as P grows.
    assert ring_sent_elements(t, d, 1) == 0
    assert ring_sent_elements(t, d, 8) == 2 * t * d * 7 // 8
    for bad in ((10, 4, 3), (0, 4, 1), (8, 0, 2), (8, 4, 0)):
        with pytest.raises(ValueError):
            ring_peak_elements(*bad)
        with pytest.raises(ValueError):
            ring_sent_elements(*bad)
