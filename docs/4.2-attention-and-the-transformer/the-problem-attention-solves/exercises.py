# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises: the problem attention solves
#
# 1. **Scores by hand (guided).** Build the 4×4 score matrix of the running example.
# 2. **Weights and outputs (guided).** Softmax each row, then average the embeddings.
# 3. **What raw attention cannot see (supported).** Symmetric scores, repeated words
#    and shuffled sentences.
# 4. **Similarity is not relevance (independent).** Train small word vectors here
#    and find, for a word of your choice, the words it scores highest.
#
# Everything runs on a CPU in seconds. The exercises build on each other in order.

# %%
import matplotlib.pyplot as plt
import torch

from kernels.exercise import TODO
from kernels.running_example import TOKENS, embeddings, raw_attention
from kernels.word_vectors import lookup, make_corpus, train_skipgram

X = embeddings(3)  # (4, 3): the rows are The, cat, sat, here
print(TOKENS)
print(X)

# %% [markdown]
# ## Exercise 1: scores by hand (guided)
#
# The score of token i for token j is the dot product of their embeddings. One
# matrix product computes all sixteen at once.
#
# **Predict first:** which entry of row "cat" will be largest?
#
# Fill in `scores` (4, 4) without a Python loop.

# %% tags=["work"]
scores = TODO("every pairwise dot product of the rows of X, shape (4, 4)")

# %% tags=["solution"]
scores = X @ X.T  # (4, 4): entry (i, j) = X[i] · X[j]

# %% tags=["check"]
assert scores.shape == (4, 4), f"one row and one column per token, got {scores.shape}"
assert scores[1, 3] == 0 * 0 + 2 * 1 + 1 * 2, \
    "scores[1, 3] should be cat · here, multiplied coordinate by coordinate and added"
assert torch.equal(scores, raw_attention(X)["scores"]), \
    "an entry differs from the dot product of two rows: is it X times X transposed?"
print("scores agree with the kernel:\n", scores)

# %% [markdown]
# ## Exercise 2: weights and outputs (guided)
#
# Turn each row of scores into weights with a softmax, then give every token the
# weighted average of all embeddings.
#
# **Predict first:** how many output vectors do four tokens give, and how long is each?

# %% tags=["work"]
weights = TODO("softmax of each row of scores, shape (4, 4)")
out = TODO("each token's weighted average of the rows of X, shape (4, 3)")

# %% tags=["solution"]
weights = torch.softmax(scores, dim=-1)  # (4, 4): rows sum to 1
out = weights @ X  # (4, 3): row i = Σ_j weights[i, j] · X[j]

# %% tags=["check"]
ones = torch.ones(4, dtype=X.dtype)
torch.testing.assert_close(weights.sum(-1), ones, msg=lambda m: (
    "each row of weights should sum to 1: softmax over the last dimension?\n" + m))
assert out.shape == X.shape, \
    f"one output per token, as wide as an embedding: got {tuple(out.shape)}"
torch.testing.assert_close(out, raw_attention(X)["out"], msg=lambda m: (
    "outputs differ from softmax(X Xᵀ) X: is each row a weighted sum of X's rows?\n"
    + m))
print("weights:\n", weights.round(decimals=3))
print("outputs:\n", out.round(decimals=3))

# %% alt="Two heatmaps over The, cat, sat, here: the raw scores, a mirror image across the diagonal, and the softmax weights, largest on the diagonal for cat and here."
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
panels = ((scores, "scores X Xᵀ"), (weights, "weights"))
for ax, (m, title) in zip(axes, panels):
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(4), TOKENS)
    ax.set_yticks(range(4), TOKENS)
    ax.set_title(title)
plt.show()

# %% [markdown]
# ## Exercise 3: what raw attention cannot see (supported)
#
# Write three checks, each returning a bool:
#
# - `is_symmetric(m)`: does `m` equal its transpose?
# - `same_rows_for_repeats(x)`: with a repeated row in `x` (the same word twice), are
#   the two rows of softmax(x xᵀ) identical?
# - `order_blind_average(x, perm)`: does the plain average (every weight 1/n) give
#   the same outputs after reordering the rows with `perm`?
#
# **Predict first:** which of the three is true for raw attention, and which for
# its weights as well as its scores?

# %% tags=["work"]
def is_symmetric(m: torch.Tensor) -> bool:
    return TODO("True when m equals its transpose")


def same_rows_for_repeats(x: torch.Tensor) -> bool:
    """x has rows 0 and 2 equal."""
    return TODO("compare rows 0 and 2 of softmax(x xᵀ)")


def order_blind_average(x: torch.Tensor, perm: torch.Tensor) -> bool:
    return TODO("mean of the rows of x vs mean of the rows of x[perm]")


# %% tags=["solution"]
def is_symmetric(m: torch.Tensor) -> bool:
    return bool(torch.equal(m, m.T))


def same_rows_for_repeats(x: torch.Tensor) -> bool:
    """x has rows 0 and 2 equal."""
    w = torch.softmax(x @ x.T, dim=-1)
    return bool(torch.equal(w[0], w[2]))


def order_blind_average(x: torch.Tensor, perm: torch.Tensor) -> bool:
    return bool(torch.allclose(x.mean(0), x[perm].mean(0)))


# %% tags=["check"]
raw = raw_attention(X)  # the kernel's scores and weights, not yours
assert is_symmetric(raw["scores"]) is True, "X Xᵀ is symmetric, since a·b = b·a"
assert is_symmetric(raw["weights"]) is False, \
    "the weights are not symmetric: each row is divided by its own softmax sum"
repeat = torch.stack([X[0], X[1], X[0], X[3]])  # "The cat The here"
assert same_rows_for_repeats(repeat) is True, \
    "two copies of the same vector get the same scores, so the same weights"
assert order_blind_average(X, torch.tensor([3, 1, 0, 2])) is True, \
    "a plain average cannot depend on the order of the rows"
print("scores symmetric, weights not; repeats identical; the average is order-blind")

# %% [markdown]
# ## Exercise 4: similarity is not relevance (independent)
#
# Train the book's small word vectors (skip-gram on 600 template sentences, about
# two seconds), rescale every vector to length 2 as the lesson's widget does, and
# write `top_scores(word, k)`: the k other words with the highest raw score against
# `word`.
#
# **Predict first:** for "cat", will the top words be the ones that say what a cat
# does ("chased", "sat") or other animals?

# %%
corpus = make_corpus(600, seed=0)
words, vectors, losses = train_skipgram(corpus, 16, seed=0)
vectors = 2.0 * vectors / vectors.norm(dim=1, keepdim=True)
vocab = {w: v.tolist() for w, v in zip(words, vectors)}
print(f"{len(words)} words; loss {losses[0]:.2f} -> {losses[-1]:.2f}")

# %% tags=["work"]
def top_scores(word: str, k: int = 5) -> list[str]:
    return TODO("the k other words with the largest dot product with word's vector")


# %% tags=["solution"]
def top_scores(word: str, k: int = 5) -> list[str]:
    v = torch.tensor(vocab[word])
    others = [w for w in words if w != word]
    s = torch.tensor([vocab[w] for w in others]) @ v  # one score per other word
    return [others[i] for i in s.argsort(descending=True)[:k].tolist()]


# %% tags=["check"]
top = top_scores("cat", 5)
assert len(top) == 5 and "cat" not in top, "five words, not counting the word itself"
assert "dog" in top or "fox" in top, \
    "the highest scores should go to words used in the same slots as 'cat'"
print("closest to 'cat':", top)
print("closest to 'bank':", top_scores("bank", 5))
attn = raw_attention(lookup("the cat chased the mouse", vocab))["weights"]
print("row 'cat' in 'the cat chased the mouse':",
      [round(x, 2) for x in attn[1].tolist()])

# %% [markdown]
# The top words are substitutes—words that could stand in the same place—not the
# words that tell you what the cat did. That is what a raw dot product measures. The
# next lesson gives each token separate vectors for seeking and for being found.
