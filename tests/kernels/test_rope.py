"""rope.py: rotations that make q·k depend only on the offset m − n."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from kernels.rope import (
    apply_rope,
    apply_rope_rotate_half,
    interpolate_positions,
    ntk_scaled_base,
    rope_angles,
    rope_frequencies,
    rope_matrix,
    rotate_2d,
)
from tests.kernels.tolerances import assert_close

FP64 = torch.float64
positions_st = st.integers(min_value=-5000, max_value=5000)


def rope_at(x, position):
    """Rotate a (D,) vector as the token at `position`."""
    return apply_rope(x.unsqueeze(0), torch.tensor([position]))[0]


def test_frequencies_by_hand():
    # D = 4: θ_0 = 1, θ_1 = 10000^(−2/4) = 1/100.
    assert_close(rope_frequencies(4), torch.tensor([1.0, 0.01], dtype=FP64))
    assert rope_frequencies(8).dtype == FP64


def test_angles_are_positions_times_frequencies():
    angles = rope_angles(torch.tensor([0, 1, 3]), 4, base=100.0)  # θ = 1, 0.1
    expected = torch.tensor([[0, 0], [1, 0.1], [3, 0.3]], dtype=FP64)
    assert_close(angles, expected)


def test_hand_checkable_2d_case():
    # D = 2 has θ_0 = 1: position 1 turns (1, 0) by one radian.
    out = apply_rope(torch.tensor([[1.0, 0.0]], dtype=FP64), torch.tensor([1]))
    assert_close(out, torch.tensor([[math.cos(1), math.sin(1)]], dtype=FP64))
    quarter = rotate_2d(torch.tensor([1.0, 0.0], dtype=FP64), math.pi / 2)
    assert_close(quarter, torch.tensor([0.0, 1.0], dtype=FP64))


def test_position_zero_is_identity_and_shape_dtype_are_kept():
    x = torch.randn(2, 3, 5, 8, dtype=torch.bfloat16)
    assert torch.equal(apply_rope(x, torch.zeros(5, dtype=torch.long)), x)
    out = apply_rope(x, torch.arange(5))
    assert out.shape == x.shape and out.dtype == x.dtype


def test_rotation_preserves_each_pair_norm():
    x = torch.randn(3, 97, 58, dtype=FP64)
    out = apply_rope(x, torch.arange(97) * 7.5)
    pair_norms = lambda t: t.unflatten(-1, (-1, 2)).norm(dim=-1)  # noqa: E731
    assert_close(pair_norms(out), pair_norms(x))


def test_matches_the_explicit_rotation_matrix():
    x = torch.randn(6, 16, dtype=FP64)
    positions = torch.tensor([0, 1, 2, 50, 97, 1025])
    out = apply_rope(x, positions)
    for row, position in enumerate(positions.tolist()):
        assert_close(out[row], rope_matrix(position, 16) @ x[row])


def test_fp32_matches_fp64():
    x = torch.randn(2, 97, 64)
    positions = torch.arange(97)
    assert_close(apply_rope(x, positions), apply_rope(x.double(), positions))


def test_rotate_half_is_the_same_rotation_on_permuted_channels():
    x = torch.randn(4, 10, 8, dtype=FP64)
    positions = torch.arange(10)
    # Channel order that takes the interleaved layout to the half layout.
    to_half = torch.tensor([0, 2, 4, 6, 1, 3, 5, 7])
    expected = apply_rope(x, positions)[..., to_half]
    assert_close(apply_rope_rotate_half(x[..., to_half], positions), expected)


@given(m=positions_st, n=positions_st, shift=positions_st, seed=st.integers(0, 2**16))
def test_scores_depend_only_on_the_offset(m, n, shift, seed):
    generator = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, 16, dtype=FP64, generator=generator)
    scores = rope_at(q, m) * rope_at(k, n)  # elementwise; pairs sum below
    shifted = rope_at(q, m + shift) * rope_at(k, n + shift)
    per_pair = lambda s: s.unflatten(-1, (-1, 2)).sum(-1)  # noqa: E731
    assert_close(per_pair(shifted), per_pair(scores))
    assert_close(shifted.sum(), scores.sum())
    # And it really does depend on the offset: q·k changes when n moves.
    if m != n:
        assert not torch.allclose(scores.sum(), (rope_at(q, m) * rope_at(k, m)).sum())


def test_interpolation_and_ntk_by_hand():
    positions = torch.tensor([0, 4096, 8191])
    squeezed = interpolate_positions(positions, train_len=4096, target_len=8192)
    assert_close(squeezed, torch.tensor([0, 2048, 4095.5], dtype=FP64))
    # D = 4: exponent 4/2 = 2, so base·scale².
    assert ntk_scaled_base(10000.0, 2.0, 4) == 40000.0


def test_ntk_slows_the_slowest_pair_by_scale_and_keeps_the_fastest():
    head_dim, scale = 64, 4.0
    before = rope_frequencies(head_dim)
    after = rope_frequencies(head_dim, base=ntk_scaled_base(10000.0, scale, head_dim))
    assert_close(after[0], before[0])
    assert_close(after[-1], before[-1] / scale)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: rope_frequencies(7), "even"),
        (lambda: rope_angles(torch.zeros(2, 3), 4), "1-D"),
        (lambda: apply_rope(torch.randn(5, 4), torch.arange(4)), "T = len"),
        (lambda: rotate_2d(torch.randn(3), 1.0), "pair"),
        (lambda: interpolate_positions(torch.arange(3), 0, 8), "positive"),
        (lambda: ntk_scaled_base(1e4, 2.0, 2), "> 2"),
    ],
)
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
