"""A one-block, one-head language model, small enough to train in the build in seconds.

The book trains it twice on the same sentences, once with the causal mask and once
without, to measure what the mask prevents: without it, position i can read token
i + 1, the very word it is asked to predict.

Axis legend: B batch, T sequence (tokens), C channels (d_model), V vocabulary.
"""

import torch
import torch.nn.functional as F
from torch import nn

from kernels.attention import attention


class TinyLM(nn.Module):
    """Token + position embeddings, one pre-norm block (one attention head, a GELU
    FFN of width 4·C), a final LayerNorm and an untied output head.

    ``causal`` decides whether position i may attend to positions after i.
    """

    def __init__(self, vocab_size: int, max_len: int, d_model: int = 32, *,
                 causal: bool = True):
        super().__init__()
        self.causal = causal
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.ln_1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)
        self.ln_2 = nn.LayerNorm(d_model)
        self.ffn = nn.Sequential(nn.Linear(d_model, 4 * d_model), nn.GELU(),
                                 nn.Linear(4 * d_model, d_model))
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def scores_and_values(self, idx: torch.Tensor):
        """Token ids (B, T) -> (residual x (B, T, C), q, k, v each (B, 1, T, C))."""
        T = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))  # (B, T, C)
        q, k, v = self.qkv(self.ln_1(x)).unsqueeze(1).chunk(3, dim=-1)  # (B,1,T,C)
        return x, q, k, v

    def forward(self, idx: torch.Tensor):
        """Token ids (B, T) -> (logits (B, T, V), attention weights (B, T, T))."""
        x, q, k, v = self.scores_and_values(idx)
        y, weights = attention(q, k, v, is_causal=self.causal, return_weights=True)
        x = x + self.out(y.squeeze(1))  # attention reads: (B, T, C)
        x = x + self.ffn(self.ln_2(x))  # the FFN writes: (B, T, C)
        return self.head(self.ln_f(x)), weights.squeeze(1)


def next_token_loss(model: TinyLM, idx: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy (nats) of predicting idx[:, i + 1] at every position i < T-1,
    all positions in one forward pass (how training works)."""
    logits, _ = model(idx)
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),
                           idx[:, 1:].reshape(-1))


def generation_loss(model: TinyLM, idx: torch.Tensor) -> torch.Tensor:
    """The same cross-entropy, but each position i is predicted from idx[:, :i+1]
    only, as in generation, where the later tokens do not exist yet."""
    losses = []
    for i in range(idx.shape[1] - 1):
        logits, _ = model(idx[:, : i + 1])
        losses.append(F.cross_entropy(logits[:, -1], idx[:, i + 1], reduction="none"))
    return torch.stack(losses, dim=1).mean()


def train_next_token(model: TinyLM, idx: torch.Tensor, *, steps: int,
                     lr: float = 1e-2) -> list[float]:
    """Full-batch Adam on next_token_loss; returns the loss after every step."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        loss = next_token_loss(model, idx)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    return history
