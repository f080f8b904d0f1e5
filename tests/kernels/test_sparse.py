"""sparse.py: masks checked by hand, counts by formula, attention by SDPA."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from kernels.sparse import (
    block_sparse_mask,
    causal_mask,
    causal_score_count,
    count_scores,
    dilated_mask,
    furthest_reach,
    global_local_mask,
    layers_to_connect,
    masked_attention,
    reachability,
    receptive_field,
    sliding_window_mask,
    sliding_window_score_count,
)
from tests.kernels.tolerances import assert_close

lengths = st.integers(min_value=1, max_value=70)
windows = st.integers(min_value=1, max_value=80)


def as_mask(rows):
    return torch.tensor(rows, dtype=torch.bool)


def allowed_keys(mask, query):
    return mask[query].nonzero().flatten().tolist()


def test_window_one_is_the_diagonal():
    assert torch.equal(sliding_window_mask(5, 1), torch.eye(5, dtype=torch.bool))


def test_window_counts_the_token_itself():
    expected = as_mask([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
    assert torch.equal(sliding_window_mask(4, 2), expected)


def test_full_window_is_causal():
    assert torch.equal(sliding_window_mask(9, 9), causal_mask(9))
    assert torch.equal(sliding_window_mask(9, 50), causal_mask(9))


def test_dilated_mask_by_hand():
    mask = dilated_mask(10, window=3, dilation=2)
    assert allowed_keys(mask, 9) == [5, 7, 9]  # span (3 − 1)·2 + 1 = 5
    assert allowed_keys(mask, 3) == [1, 3]  # would be −1, which does not exist
    assert torch.equal(dilated_mask(10, 4, 1), sliding_window_mask(10, 4))


def test_global_local_mask_by_hand():
    mask = global_local_mask(6, window=2, global_positions=[0, 3])
    assert allowed_keys(mask, 5) == [0, 3, 4, 5]  # window {4, 5} + globals
    assert allowed_keys(mask, 3) == [0, 1, 2, 3]  # a global query sees all before it
    assert allowed_keys(mask, 2) == [0, 1, 2]  # but not the later global token 3
    assert not (mask & ~causal_mask(6)).any()


def test_block_sparse_mask_by_hand_with_a_partial_last_block():
    # 5 tokens in blocks of 2: blocks {0,1}, {2,3}, {4}. Block 2 sees only block 0
    # and itself; the other blocks see only themselves.
    layout = as_mask([[1, 0, 0], [0, 1, 0], [1, 0, 1]])
    mask = block_sparse_mask(5, 2, layout)
    expected = as_mask(
        [
            [1, 0, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 0, 1, 1, 0],
            [1, 1, 0, 0, 1],
        ]
    )
    assert torch.equal(mask, expected)


def test_block_sparse_full_layout_is_causal():
    layout = torch.ones(13, 13, dtype=torch.bool)  # ceil(97 / 8) = 13 blocks
    assert torch.equal(block_sparse_mask(97, 8, layout), causal_mask(97))


@given(t=lengths, window=windows)
def test_sliding_window_count_formula(t, window):
    mask = sliding_window_mask(t, window)
    assert count_scores(mask) == sliding_window_score_count(t, window)
    assert count_scores(mask) == int(mask.sum())
    assert sliding_window_score_count(t, window) <= causal_score_count(t)


@given(t=lengths)
def test_causal_count_formula(t):
    assert causal_score_count(t) == count_scores(causal_mask(t))


@given(t=lengths, window=st.integers(1, 6), dilation=st.integers(1, 5))
def test_dilated_rows_hold_window_keys_once_far_enough(t, window, dilation):
    mask = dilated_mask(t, window, dilation)
    span = (window - 1) * dilation + 1
    for query in range(span - 1, t):
        assert int(mask[query].sum()) == window
    assert not (mask & ~causal_mask(t)).any()


@pytest.mark.parametrize(
    "mask",
    [
        sliding_window_mask(97, 16),
        dilated_mask(97, 8, 3),
        global_local_mask(97, 5, [0]),
    ],
)
def test_masked_attention_matches_sdpa(mask):
    q, k, v = (torch.randn(2, 3, 97, 59) for _ in range(3))
    expected = F.scaled_dot_product_attention(
        q.double(), k.double(), v.double(), attn_mask=mask
    )
    assert_close(masked_attention(q, k, v, mask), expected)


@pytest.mark.parametrize("n_layers,window", [(1, 4), (3, 4), (4, 9), (0, 5)])
def test_receptive_field_matches_composed_masks(n_layers, window):
    t = 64  # long enough that the window never reaches the start
    reach = reachability(sliding_window_mask(t, window), n_layers)
    assert furthest_reach(reach) == receptive_field(n_layers, window)


def test_reachability_fills_in_every_position_in_between():
    reach = reachability(sliding_window_mask(30, 3), 4)
    assert allowed_keys(reach, 29) == list(range(21, 30))  # 4·(3 − 1) = 8 back


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: sliding_window_mask(4, 0), "window must be >= 1"),
        (lambda: dilated_mask(4, 2, 0), "dilation must be >= 1"),
        (lambda: block_sparse_mask(5, 2, torch.ones(2, 2).bool()), r"\(3, 3\)"),
        (lambda: block_sparse_mask(4, 2, torch.ones(2, 2)), "must be bool"),
        (lambda: receptive_field(2, 0), "window"),
    ],
)
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_layers_to_connect_window_against_receptive_field():
    # Window 4 moves information 3 positions a layer: 31 positions need 11 layers.
    t, window = 32, 4
    mask = sliding_window_mask(t, window)
    needed = layers_to_connect(mask, max_layers=40)
    assert needed == -(-(t - 1) // (window - 1)) == 11
    assert receptive_field(needed - 1, window) < t - 1 <= receptive_field(needed, window)


def test_layers_to_connect_global_tokens_make_every_pair_two_hops():
    # Globals every 4 positions, window 4: any key reaches the next global token in
    # one layer (a global query sees everything before it) and every later query
    # reads that global token in the next.
    mask = global_local_mask(32, 4, list(range(3, 32, 4)))
    assert layers_to_connect(mask, max_layers=40) == 2
    assert layers_to_connect(causal_mask(32), max_layers=1) == 1
    assert layers_to_connect(torch.eye(1, dtype=torch.bool), max_layers=0) == 0


def test_layers_to_connect_refuses_when_never_connected():
    with pytest.raises(ValueError, match="within 5 layers"):
        layers_to_connect(torch.eye(4, dtype=torch.bool), max_layers=5)
