"""The running example: its numbers by hand, and the same numbers from SDPA."""

import math

import pytest
import torch
import torch.nn.functional as F

from kernels import running_example as rx
from tests.kernels.tolerances import assert_close


def sdpa(q, k, v, scale):
    return F.scaled_dot_product_attention(q[None, None], k[None, None], v[None, None],
                                          scale=scale)[0, 0]


def test_raw_scores_are_the_hand_dot_products():
    ex = rx.running_example()
    # cat · here = 0·0 + 2·1 + 1·2 = 4; The · cat = 1·0 + 0·2 + 1·1 = 1
    assert ex["raw_scores"][1, 3] == 4 and ex["raw_scores"][0, 1] == 1
    assert torch.equal(ex["raw_scores"], ex["raw_scores"].T)  # XXᵀ is symmetric


def test_raw_attention_matches_sdpa_with_scale_one():
    x = rx.embeddings(3)
    raw = rx.raw_attention(x)
    assert_close(raw["out"], sdpa(x, x, x, scale=1.0))
    assert_close(raw["weights"].sum(-1), torch.ones(4, dtype=torch.float64))


def test_projected_scores_are_asymmetric_and_scaled_by_root_three():
    ex = rx.running_example()
    assert not torch.equal(ex["scores"], ex["scores"].T)
    assert ex["scores"][0, 1] == 7 and ex["scores"][1, 0] == 1  # The→cat vs cat→The
    assert_close(ex["scaled"], ex["scores"] / math.sqrt(3))
    assert_close(ex["weights"], torch.softmax(ex["scores"] / math.sqrt(3), -1))


def test_single_head_output_matches_sdpa_and_residual_adds_input():
    ex = rx.running_example()
    assert_close(ex["out"], sdpa(ex["q"], ex["k"], ex["v"], scale=1 / math.sqrt(3)))
    assert_close(ex["residual"], ex["out"] + ex["x"])


def test_identity_values_give_back_lesson_one_averaging():
    x = rx.embeddings(3)
    head = rx.single_head(x, rx.tensor(rx.W_Q), rx.tensor(rx.W_K), torch.eye(
        3, dtype=torch.float64))
    no_v = rx.single_head(x, rx.tensor(rx.W_Q), rx.tensor(rx.W_K))
    assert_close(head["out"], head["weights"] @ x)
    assert_close(no_v["out"], head["out"])


def test_two_heads_match_the_multi_head_kernel():
    ex = rx.two_heads()
    assert_close(rx.two_heads_by_kernel(), ex["out"])
    assert ex["concat"].shape == (4, 6) and ex["residual"].shape == (4, 6)


def test_two_heads_disagree_about_here():
    # The story lesson 4.2.4 tells: head 1 sends "here" to "cat", head 2 to itself.
    h1, h2 = (h["weights"][3] for h in rx.two_heads()["heads"])
    assert int(h1.argmax()) == 1 and int(h2.argmax()) == 3


def test_width_other_than_three_or_six_is_refused():
    with pytest.raises(ValueError, match="widths 3 and 6"):
        rx.embeddings(4)


def test_hand_set_sentence_heads_pick_mat_and_soft_for_it():
    it = rx.SENTENCE.index("it")
    coref = rx.sentence_head(rx.COREFERENCE_HEAD)[it]
    prop = rx.sentence_head(rx.PROPERTY_HEAD)[it]
    assert rx.SENTENCE[int(coref.argmax())] == "mat"
    assert rx.SENTENCE[int(prop.argmax())] == "soft"
    assert len(rx.SENTENCE_FEATURES) == len(rx.SENTENCE)
