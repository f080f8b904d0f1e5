"""A one-layer, attention-only transformer small enough to train in seconds on a CPU.

Module 4.2 uses it to show what a *trained* head does instead of describing one: on
the task "output the token before this one" its heads learn a previous-token pattern,
the simplest of the patterns found in real models (Clark et al., 2019; Olsson et al.,
2022). Pretrained GPT-2 weights cannot be downloaded where the book is built, so the
lessons measure this model instead and say so.

Axes: B batch, T positions, C model width, H heads, V vocabulary.
"""

from __future__ import annotations

import torch
from torch import nn

from kernels.attention import causal_mask


class TinyAttentionModel(nn.Module):
    """Token + learned position embedding -> one causal multi-head attention layer
    (with residual) -> linear read-out. No MLP, no layer norm: nothing but attention
    can move information between positions."""

    def __init__(self, vocab: int, max_len: int, d_model: int = 32, n_heads: int = 2,
                 n_outputs: int = 1):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide d_model={d_model}")
        self.n_heads = n_heads
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(max_len, d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.out = nn.Linear(d_model, d_model, bias=False)
        self.vocab, self.n_outputs = vocab, n_outputs
        self.head = nn.Linear(d_model, vocab * n_outputs)  # one read-out per lag

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """ids (B, T) -> logits (B, T, n_outputs, V), weights (B, H, T, T)."""
        b, t = ids.shape
        x = self.tok(ids) + self.pos(torch.arange(t))  # (B, T, C)
        q, k, v = self.qkv(x).chunk(3, dim=-1)  # (B, T, C) each
        d = x.shape[-1] // self.n_heads
        q, k, v = (z.view(b, t, self.n_heads, d).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / d ** 0.5  # (B, H, T, T)
        scores = scores.masked_fill(~causal_mask(t), float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (B, H, T, T)
        mixed = (weights @ v).transpose(1, 2).reshape(b, t, -1)  # (B, T, C)
        x = x + self.out(mixed)  # residual: attention adds to the stream
        return self.head(x).view(b, t, self.n_outputs, self.vocab), weights


def lagged_batch(batch: int, length: int, vocab: int, lags: tuple[int, ...],
                 gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random token sequences (B, T) and targets (B, T, len(lags)): target [t, i] is
    token t − lags[i] (−100, ignored, where that position does not exist)."""
    ids = torch.randint(vocab, (batch, length), generator=gen)
    targets = torch.full((batch, length, len(lags)), -100, dtype=torch.long)
    for i, lag in enumerate(lags):
        targets[:, lag:, i] = ids[:, :-lag]
    return ids, targets


def train_lagged(lags: tuple[int, ...] = (1,), steps: int = 300, *, vocab: int = 16,
                 length: int = 12, d_model: int = 32, n_heads: int = 2,
                 batch: int = 64, seed: int = 0
                 ) -> tuple[TinyAttentionModel, list[float]]:
    """Train TinyAttentionModel to output, at every position, the tokens `lags`
    positions back (lags=(1,): the previous token). Returns the model and the loss
    per step. Seeded and single-threaded, so the result is reproducible."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        model = TinyAttentionModel(vocab, length, d_model, n_heads, len(lags))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        losses = []
        for _ in range(steps):
            ids, targets = lagged_batch(batch, length, vocab, lags, gen)
            logits, _ = model(ids)
            loss = nn.functional.cross_entropy(logits.flatten(0, 2), targets.flatten())
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return model, losses
    finally:
        torch.set_num_threads(threads)


def lag_score(weights: torch.Tensor, lag: int = 1) -> torch.Tensor:
    """Mean weight each head puts on position t − lag, over positions t ≥ lag.
    weights (B, H, T, T) -> (H,)."""
    sub = weights.diagonal(offset=-lag, dim1=-2, dim2=-1)  # (B, H, T − lag)
    return sub.mean(dim=(0, 2))
