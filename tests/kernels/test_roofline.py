"""roofline.py: operation costs, checked against direct counts and the regimes."""

import pytest
import torch

from kernels import roofline as rl
from kernels.hardware import A100_80GB, ridge_point


def test_vector_add_counts_elements_touched():
    x, y = torch.ones(1000), torch.ones(1000)
    z = x + y
    cost = rl.vector_add(1000, bytes_per_element=4)
    assert cost.flops == z.numel()
    assert cost.bytes_moved == x.nbytes + y.nbytes + z.nbytes
    assert cost.intensity == pytest.approx(1 / 12)


def test_layer_norm_and_softmax_bytes_are_input_plus_output():
    x = torch.ones(8, 768, dtype=torch.float16)
    ln = rl.layer_norm(8, 768)
    assert ln.bytes_moved == 2 * x.nbytes + 2 * 768 * 2
    sm = rl.softmax(8, 768)
    assert sm.bytes_moved == 2 * x.nbytes
    assert sm.flops == 5 * x.numel()


def test_decode_attention_is_about_one_flop_per_byte_at_any_length():
    for context in (128, 4096, 131072):
        cost = rl.attention_decode(context, 32, 128)
        assert 0.99 < cost.intensity < 1.0  # 4·T·d FLOPs over (2·T·d + 2d)·2 bytes


def test_decode_attention_flops_match_a_real_decode_step():
    # one query against T keys: q·kᵀ is T·d multiply-adds, weights·V another T·d
    t, d = 50, 16
    q, k, v = torch.randn(1, d), torch.randn(t, d), torch.randn(t, d)
    macs = (q @ k.T).numel() * d + v.numel()
    assert rl.attention_decode(t, 1, d).flops == 2 * macs


def test_tiled_prefill_moves_fewer_bytes_for_the_same_flops():
    naive = rl.attention_prefill(4096, 32, 128, tiled=False)
    tiled = rl.attention_prefill(4096, 32, 128, tiled=True, block=128)
    assert naive.flops == tiled.flops == 4 * 4096**2 * 128 * 32
    # block = head_dim halves the traffic: (4 + 4T/d) / (2 + 2T/b) = 2 when b = d
    assert tiled.bytes_moved * 2 == pytest.approx(naive.bytes_moved, rel=1e-3)
    assert tiled.intensity > naive.intensity


def test_ffn_crosses_the_a100_ridge_as_the_batch_grows():
    ridge = ridge_point(A100_80GB)
    small = rl.ffn_matmul(1, 4096, 11008)
    large = rl.ffn_matmul(4096, 4096, 11008)
    assert small.intensity < 1.01 < ridge < large.intensity
    intensities = [rl.ffn_matmul(b, 4096, 11008).intensity for b in (1, 8, 64, 512)]
    assert intensities == sorted(intensities)


@pytest.mark.parametrize("fn,args", [
    (rl.vector_add, (0,)), (rl.layer_norm, (0, 8)), (rl.softmax, (8, 0)),
    (rl.attention_decode, (0, 1, 1)),
])
def test_rejects_empty_shapes(fn, args):
    with pytest.raises(ValueError):
        fn(*args)


def test_prefill_rejects_bad_block():
    with pytest.raises(ValueError):
        rl.attention_prefill(16, 1, 8, tiled=True, block=0)
