"""The toy corpus and the two TinyLMs trained on it, shared by the causal-mask
figure and table of docs/4.2-attention-and-the-transformer/decoder-only-transformers/.

Every sentence a small grammar allows (determiner, noun, verb, preposition,
determiner, noun): each appears once, so no model can do better on the next word
than the grammar's own uncertainty, which `grammar_entropy` computes.
"""

import itertools
import math

import torch

from kernels.tiny_lm import TinyLM, generation_loss, next_token_loss, train_next_token

SLOTS = (("the", "a"), ("cat", "dog", "bird", "fox"), ("sat", "slept", "stood"),
         ("on", "near", "under"), ("the", "a"), ("mat", "rug", "bed", "box"))
EXAMPLE = ("the", "cat", "sat", "on", "the", "mat")
STEPS, D_MODEL, SEED = 200, 32, 1

VOCAB = sorted({w for slot in SLOTS for w in slot})
INDEX = {w: i for i, w in enumerate(VOCAB)}


def corpus() -> torch.Tensor:
    """(every sentence of the grammar, 6) token ids."""
    return torch.tensor([[INDEX[w] for w in s] for s in itertools.product(*SLOTS)])


def grammar_entropy() -> float:
    """Best achievable mean next-word loss (nats): log of each next slot's size."""
    return sum(math.log(len(s)) for s in SLOTS[1:]) / (len(SLOTS) - 1)


def train(causal: bool):
    """A TinyLM trained on the corpus; returns (model, loss history)."""
    torch.manual_seed(SEED)
    model = TinyLM(len(VOCAB), len(SLOTS), D_MODEL, causal=causal)
    history = train_next_token(model, corpus(), steps=STEPS)
    return model, history


def evaluate(model) -> dict:
    """Training-style loss (all positions at once) and generation-style loss."""
    idx = corpus()
    with torch.no_grad():
        return {"train": next_token_loss(model, idx).item(),
                "generate": generation_loss(model, idx).item()}


def example_ids() -> torch.Tensor:
    return torch.tensor([[INDEX[w] for w in EXAMPLE]])
