"""linear_attention.py: the O(T) form equals the explicit (T, T) form."""

import pytest
import torch
import torch.nn.functional as F

from kernels.linear_attention import (
    elu_feature_map,
    linear_attention,
    linear_attention_quadratic,
    linear_intermediate_elements,
    quadratic_intermediate_elements,
)
from tests.kernels.tolerances import assert_close




def reference(q, k, v, causal):
    """Loop over queries in fp64, straight from the definition."""
    phi_q, phi_k = elu_feature_map(q.double()), elu_feature_map(k.double())
    v = v.double()
    rows = []
    for i in range(q.shape[-2]):
        keys = slice(0, i + 1) if causal else slice(None)
        weights = (phi_q[..., i : i + 1, :] * phi_k[..., keys, :]).sum(-1)  # (B, H, j)
        weights = weights / weights.sum(-1, keepdim=True)
        rows.append((weights.unsqueeze(-1) * v[..., keys, :]).sum(-2))
    return torch.stack(rows, dim=-2)


def test_feature_map_is_elu_plus_one_and_positive():
    x = torch.tensor([-30.0, -1.0, 0.0, 2.0], dtype=torch.float64)
    expected = torch.tensor([torch.e**-30, torch.e**-1, 1.0, 3.0], dtype=torch.float64)
    assert_close(elu_feature_map(x), expected)
    assert_close(elu_feature_map(x), F.elu(x) + 1)
    # F.elu(x) + 1 cancels to 0 in fp32 here; the feature map must stay positive.
    assert (elu_feature_map(torch.linspace(-80, 5, 1000)) > 0).all()


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("t", [1, 97])
def test_both_forms_match_the_definition(dtype, causal, t):
    q, k = (torch.randn(2, 3, t, 16, dtype=dtype) for _ in range(2))
    v = torch.randn(2, 3, t, 59, dtype=dtype)
    expected = reference(q, k, v, causal)
    linear = linear_attention(q, k, v, causal=causal)
    quadratic = linear_attention_quadratic(q, k, v, causal=causal)
    assert linear.shape == (2, 3, t, 59) and linear.dtype == dtype
    assert_close(quadratic, expected)
    assert_close(linear, expected)
    assert_close(linear, quadratic)


def test_custom_feature_map_is_used():
    q, k, v = (torch.randn(1, 2, 10, 4, dtype=torch.float64) for _ in range(3))
    feature_map = lambda x: F.relu(x) + 1e-3  # noqa: E731
    assert_close(
        linear_attention(q, k, v, feature_map, causal=True),
        linear_attention_quadratic(q, k, v, feature_map, causal=True),
    )
    assert not torch.allclose(
        linear_attention(q, k, v, feature_map), linear_attention(q, k, v)
    )


def test_causal_output_ignores_the_future():
    q, k, v = (torch.randn(1, 1, 12, 4, dtype=torch.float64) for _ in range(3))
    out = linear_attention(q, k, v, causal=True)
    v_changed = v.clone()
    v_changed[..., 6:, :] += 100.0
    changed = linear_attention(q, k, v_changed, causal=True)
    assert_close(changed[..., :6, :], out[..., :6, :])
    assert not torch.allclose(changed[..., 6:, :], out[..., 6:, :])


def test_intermediate_sizes():
    assert quadratic_intermediate_elements(4096) == 4096 * 4096
    assert linear_intermediate_elements(64, 64) == 4096  # the same at any length


def test_bad_shapes_raise():
    q = torch.randn(1, 1, 5, 4)
    with pytest.raises(ValueError, match="equal shape"):
        linear_attention(q, torch.randn(1, 1, 6, 4), q)
    with pytest.raises(ValueError, match="equal shape"):
        linear_attention_quadratic(q[0], q[0], q[0])
