"""Tiny word embeddings trained from scratch: skip-gram with negative sampling.

The attention-matrix widget of lesson 4.2.1 needs real embeddings, vectors learned from
text rather than typed in. No package on the registries ships pretrained ones
legitimately, so the book writes its own small corpus (sentences built from templates,
below) and trains word2vec's skip-gram on it (Mikolov et al., 2013) in a few seconds on
a CPU. Words that appear in the same contexts end up with similar vectors.

Axes: V vocabulary size, d embedding width, P (centre, context) pairs.
"""

from __future__ import annotations

import random

import torch

# Templates: each slot {x} is filled from FILLERS[x]. Two senses of "bank" share the
# corpus with animals and furniture, so "bank" meets both rivers and money.
TEMPLATES = (
    "the bank was {steep}",
    "the {water} bank was {steep}",
    "we walked along the bank of the {water}",
    "the {water} flooded the bank",
    "the bank raised {money} rates",
    "the bank paid {money} on the loan",
    "she opened an account at the bank",
    "the bank lent money to the {owner}",
    "the {animal} chased the {prey}",
    "the {animal} sat on the {thing}",
    "the {prey} ran from the {animal}",
    "the {animal} slept on the {thing}",
    "the {thing} was {soft}",
    "the {animal} was {soft}",
    "the {owner} fed the {animal}",
    "the {owner} sat on the {thing}",
    "the {animal} sat here",
    "it was {soft}",
)
FILLERS = {
    "steep": ("steep", "muddy", "grassy", "high"),
    "water": ("river", "stream", "lake"),
    "money": ("interest", "mortgage", "savings"),
    "owner": ("farmer", "teacher", "child"),
    "animal": ("cat", "dog", "fox"),
    "prey": ("mouse", "bird", "rabbit"),
    "thing": ("mat", "rug", "sofa", "chair"),
    "soft": ("soft", "warm", "old"),
}


def make_corpus(n_sentences: int = 600, seed: int = 0) -> list[list[str]]:
    """n_sentences lower-case sentences (lists of words) from TEMPLATES, seeded."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(n_sentences):
        template = rng.choice(TEMPLATES)
        words = template.format(**{k: rng.choice(v) for k, v in FILLERS.items()})
        sentences.append(words.split())
    return sentences


def vocabulary(sentences: list[list[str]]) -> list[str]:
    """Sorted distinct words."""
    return sorted({w for s in sentences for w in s})


def context_pairs(sentences: list[list[str]], index: dict[str, int],
                  window: int = 2) -> torch.Tensor:
    """(P, 2) long tensor of (centre, context) word ids within `window` positions."""
    pairs = [(index[s[i]], index[s[j]])
             for s in sentences for i in range(len(s))
             for j in range(max(0, i - window), min(len(s), i + window + 1)) if j != i]
    return torch.tensor(pairs, dtype=torch.long)


def train_skipgram(sentences: list[list[str]], dim: int = 16, *, window: int = 2,
                   negatives: int = 5, steps: int = 150, lr: float = 0.1,
                   seed: int = 0) -> tuple[list[str], torch.Tensor, list[float]]:
    """Skip-gram with negative sampling, full batch, Adam.

    For every (centre c, context o) pair the loss is
        −log σ(u_c · w_o) − Σ_n log σ(−u_c · w_n)
    over `negatives` words n drawn uniformly. Returns (vocab, input embeddings u
    (V, dim) float32, loss per step); the input embeddings are the word vectors.
    """
    threads = torch.get_num_threads()
    # One thread: the same bits on every machine, and faster than two busy ones here.
    torch.set_num_threads(1)
    try:
        return _train(sentences, dim, window, negatives, steps, lr, seed)
    finally:
        torch.set_num_threads(threads)


def _train(sentences, dim, window, negatives, steps, lr, seed):
    words = vocabulary(sentences)
    index = {w: i for i, w in enumerate(words)}
    pairs = context_pairs(sentences, index, window)  # (P, 2)
    gen = torch.Generator().manual_seed(seed)
    u = (torch.randn(len(words), dim, generator=gen) * 0.1).requires_grad_()
    w = (torch.randn(len(words), dim, generator=gen) * 0.1).requires_grad_()
    opt = torch.optim.Adam([u, w], lr=lr)
    losses = []
    for _ in range(steps):
        neg = torch.randint(len(words), (len(pairs), negatives), generator=gen)
        centre = u[pairs[:, 0]]  # (P, d)
        pos = (centre * w[pairs[:, 1]]).sum(-1)  # (P,)
        negs = torch.einsum("pd,pnd->pn", centre, w[neg])  # (P, negatives)
        loss = -(torch.nn.functional.logsigmoid(pos).mean()
                 + torch.nn.functional.logsigmoid(-negs).sum(-1).mean())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return words, u.detach(), losses


def tokenize(text: str) -> list[str]:
    """Lower-case words, punctuation dropped: how the widget reads a sentence."""
    cleaned = "".join(c.lower() if c.isalpha() or c == "'" else " " for c in text)
    return cleaned.split()


def lookup(text: str, vocab: dict[str, list[float]]) -> torch.Tensor:
    """(T, d) float64 embeddings of `text`'s words; KeyError naming every unknown word
    (never a silent zero vector)."""
    words = tokenize(text)
    unknown = [w for w in words if w not in vocab]
    if unknown:
        raise KeyError(f"no embedding for {', '.join(map(repr, unknown))}")
    return torch.tensor([vocab[w] for w in words], dtype=torch.float64)
