"""The widget's word vectors: corpus, pairs, training, lookup."""

import pytest
import torch

from kernels import word_vectors as wv


def test_corpus_is_seeded_and_uses_the_templates():
    a, b = wv.make_corpus(50, seed=1), wv.make_corpus(50, seed=1)
    assert a == b and a != wv.make_corpus(50, seed=2)
    assert all(s and all(w.islower() for w in s) for s in a)


def test_context_pairs_stay_inside_the_window():
    sentences = [["a", "b", "c", "d"]]
    index = {w: i for i, w in enumerate(wv.vocabulary(sentences))}
    pairs = wv.context_pairs(sentences, index, window=1).tolist()
    assert sorted(map(tuple, pairs)) == [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3),
                                         (3, 2)]


def test_training_lowers_the_loss_and_groups_substitutes():
    words, u, losses = wv.train_skipgram(wv.make_corpus(300), dim=8, steps=80)
    assert u.shape == (len(words), 8) and losses[-1] < 0.5 * losses[0]
    unit = u / u.norm(dim=1, keepdim=True)
    ix = {w: i for i, w in enumerate(words)}
    # mat and rug fill the same slots; mat and chased never do.
    assert unit[ix["mat"]] @ unit[ix["rug"]] > unit[ix["mat"]] @ unit[ix["chased"]]
    assert torch.get_num_threads() >= 1


def test_tokenize_and_lookup_name_every_unknown_word():
    assert wv.tokenize("The cat, sat!") == ["the", "cat", "sat"]
    vocab = {"the": [1.0, 0.0], "cat": [0.0, 1.0]}
    assert wv.lookup("The cat", vocab).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(KeyError, match="'zebra', 'yak'"):
        wv.lookup("the zebra yak", vocab)
