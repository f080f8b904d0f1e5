"""tiled_attention.py: same answer as naive attention, bounded intermediate memory."""

import pytest
import torch
import torch.nn.functional as F

from kernels.attention import attention, causal_mask
from kernels.memory import measure_peak_bytes
from kernels.tiled_attention import (
    naive_hbm_elements,
    naive_peak_elements,
    tiled_hbm_elements,
    tiled_attention,
    tiled_peak_elements,
)
from tests.kernels.tolerances import assert_close




def reference(q, k, v, is_causal):
    """fp64 SDPA on the same (already rounded) inputs, bottom-right causal."""
    mask = causal_mask(q.shape[-2], k.shape[-2]) if is_causal else None
    return F.scaled_dot_product_attention(
        q.double(), k.double(), v.double(), attn_mask=mask
    )


def max_error(actual, expected):
    return (actual.double() - expected).abs().max().item()


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize(
    "t_q,t_k,block_q,block_k",
    [(97, 97, 16, 24), (97, 97, 64, 64), (1, 97, 7, 13), (40, 97, 9, 32)],
)
def test_error_at_most_twice_naive(dtype, is_causal, t_q, t_k, block_q, block_k):
    q = torch.randn(2, 3, t_q, 59).to(dtype)
    k, v = (torch.randn(2, 3, t_k, 59).to(dtype) for _ in range(2))
    expected = reference(q, k, v, is_causal)
    tiled = tiled_attention(
        q, k, v, block_q=block_q, block_k=block_k, is_causal=is_causal
    )
    naive = attention(q, k, v, is_causal=is_causal)
    assert tiled.dtype == dtype and tiled.shape == (2, 3, t_q, 59)
    # The floor is one rounding of an O(1) output to `dtype`.
    floor = torch.finfo(dtype).eps
    assert max_error(tiled, expected) <= 2 * max_error(naive, expected) + floor
    assert_close(tiled, expected)


@pytest.mark.parametrize("is_causal", [False, True])
def test_fp64_matches_sdpa_tightly(is_causal):
    q, k, v = (torch.randn(1, 2, 97, 59, dtype=torch.float64) for _ in range(3))
    out = tiled_attention(q, k, v, block_q=10, block_k=33, is_causal=is_causal)
    assert_close(out, reference(q, k, v, is_causal))


def test_long_sequence_and_custom_scale():
    q, k, v = (torch.randn(1, 1, 1025, 59) for _ in range(3))
    out = tiled_attention(q, k, v, block_q=128, block_k=256, is_causal=True, scale=0.2)
    expected = F.scaled_dot_product_attention(
        q.double(), k.double(), v.double(), is_causal=True, scale=0.2
    )
    assert_close(out, expected)


def test_rows_without_keys_are_zero_like_naive():
    # Four queries but two keys: with bottom-right alignment the first two see nothing.
    q, k, v = torch.randn(1, 1, 4, 8), torch.randn(1, 1, 2, 8), torch.randn(1, 1, 2, 8)
    out = tiled_attention(q, k, v, block_q=1, block_k=1, is_causal=True)
    assert torch.equal(out[..., :2, :], torch.zeros(1, 1, 2, 8))
    assert_close(out, attention(q, k, v, is_causal=True))


def test_one_tile_is_naive_attention():
    q, k, v = (torch.randn(1, 2, 30, 8, dtype=torch.float64) for _ in range(3))
    out = tiled_attention(q, k, v, block_q=30, block_k=30, is_causal=True)
    assert_close(out, attention(q, k, v, is_causal=True))


def test_bad_arguments_raise():
    q = torch.randn(1, 1, 4, 8)
    with pytest.raises(ValueError, match="block sizes must be positive"):
        tiled_attention(q, q, q, block_q=0)
    with pytest.raises(ValueError, match="must be 4-D"):
        tiled_attention(q[0], q[0], q[0])


def test_peak_element_counts_by_hand():
    # One 64×64 tile, three 64×64 row blocks (query, accumulator, P·V), m and l.
    assert tiled_peak_elements(1024, 64, 64, 64) == 4096 + 3 * 4096 + 128
    # Blocks larger than the sequence shrink to it.
    assert tiled_peak_elements(10, 4, 64, 64) == 100 + 120 + 20
    assert naive_peak_elements(1024, 64) == 2 * 1024 * 1024


def test_tiled_count_is_flat_in_t_and_naive_is_quadratic():
    tiled = [tiled_peak_elements(t, 64, 64, 64) for t in (256, 1024, 4096)]
    assert len(set(tiled)) == 1
    assert naive_peak_elements(2048, 64) == 4 * naive_peak_elements(1024, 64)


def test_measured_peaks_follow_the_predictions():
    t, d = 512, 64
    q, k, v = (torch.randn(1, 1, t, d) for _ in range(3))
    _, naive_bytes = measure_peak_bytes(attention, q, k, v)
    _, tiled_bytes = measure_peak_bytes(tiled_attention, q, k, v)
    output_bytes = 4 * t * d
    # Without a mask the naive peak is the two fp32 (t, t) matrices, nothing less.
    assert naive_bytes >= 4 * naive_peak_elements(t, d)
    # The tiled peak is its intermediates plus the output it fills in, and far
    # below the naive one.
    assert tiled_bytes >= output_bytes
    assert tiled_bytes - output_bytes <= 2 * 4 * tiled_peak_elements(t, d, 64, 64)
    assert tiled_bytes * 10 < naive_bytes


def test_naive_hbm_elements_is_algorithm_0():
    t, d = 100, 16
    assert naive_hbm_elements(t, d) == 4 * t * d + 4 * t * t
    with pytest.raises(ValueError):
        naive_hbm_elements(0, 16)


@pytest.mark.parametrize("t,bq,bk", [(256, 64, 64), (100, 32, 48), (7, 16, 16)])
def test_tiled_hbm_elements_counts_the_kernel_reads(t, bq, bk, monkeypatch):
    """Count the K/V rows tiled_attention actually slices, by watching its slices."""
    d = 8
    q, k, v = (torch.randn(1, 1, t, d) for _ in range(3))
    for causal in (False, True):
        rows = [0]

        class Counting(torch.Tensor):
            def __getitem__(self, idx):
                out = super().__getitem__(idx)
                rows[0] += out.shape[-2]
                return out

        kc, vc = k.as_subclass(Counting), v.as_subclass(Counting)
        tiled_attention(q, kc, vc, block_q=bq, block_k=bk, is_causal=causal)
        expected = 2 * t * d + rows[0] * d  # q in, out back, every K/V row read
        assert tiled_hbm_elements(t, d, bq, bk, is_causal=causal) == expected
    n_blocks = -(-t // bq)
    assert tiled_hbm_elements(t, d, bq, bk) == 2 * t * d + 2 * t * d * n_blocks


def test_tiled_moves_less_than_naive_once_t_exceeds_the_block():
    assert tiled_hbm_elements(4096, 64, 128, 128) < naive_hbm_elements(4096, 64) / 3
    with pytest.raises(ValueError):
        tiled_hbm_elements(8, 8, 0, 8)
