"""GPT-2 small as a readable nn.Module, in the style of nanoGPT's model.py.

The shape comes from the one registry (``PRESETS["gpt2-small"]``); a smaller model for
tests is ``dataclasses.replace(PRESETS["gpt2-small"], n_layers=2, d_model=64, ...)``.
No dropout: the book uses this model for counting and for deterministic demos.

Axis legend: B batch, T sequence (tokens), C channels (d_model), nh heads,
hs head size (C // nh), V vocabulary.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from kernels.presets import ModelConfig


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with a fused QKV projection, as in GPT-2."""

    def __init__(self, cfg: ModelConfig, use_sdpa: bool = True):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.c_attn = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.d_model, cfg.d_model, bias=cfg.bias)
        # The fast path (fused kernel) and the manual path (every step visible) must
        # agree; tests switch between them.
        self.use_sdpa = use_sdpa

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # 3 x (B, T, C)
        hs = C // self.n_heads
        q = q.view(B, T, self.n_heads, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_heads, hs).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_heads, hs).transpose(1, 2)  # (B, nh, T, hs)
        if self.use_sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # (B, nh, T, T)
            future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            att = att.masked_fill(future, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # re-assemble heads
        return self.c_proj(y)


class MLP(nn.Module):
    """Two-matrix feed-forward block: C -> d_ff -> C with a tanh-approximated GELU."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.d_model, cfg.d_ff, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.d_ff, cfg.d_model, bias=cfg.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # GPT-2 used the tanh approximation ("gelu_new"); keep it for fidelity
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, cfg: ModelConfig, use_sdpa: bool = True):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg, use_sdpa)
        self.ln_2 = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """GPT-2: token + learned position embeddings, blocks, final LayerNorm, tied head.

    Only GPT-2-style configs are accepted (gelu MLP, learned positions, tied
    embeddings, MHA); anything else raises ValueError instead of silently building a
    different model.
    """

    def __init__(self, cfg: ModelConfig, use_sdpa: bool = True):
        super().__init__()
        problems = []
        if cfg.ffn != "gelu":
            problems.append(f"ffn={cfg.ffn!r} (need 'gelu')")
        if cfg.positional != "learned":
            problems.append(f"positional={cfg.positional!r} (need 'learned')")
        if not cfg.tied_embeddings:
            problems.append("tied_embeddings=False (need True)")
        if cfg.n_kv_heads != cfg.n_heads or cfg.n_experts != 1:
            problems.append("GQA/MQA or experts (need plain multi-head, dense)")
        if cfg.n_heads * cfg.head_dim != cfg.d_model:
            problems.append("n_heads * head_dim != d_model")
        if problems:
            raise ValueError("not a GPT-2-style config: " + "; ".join(problems))
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.wpe = nn.Embedding(cfg.max_seq_len, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg, use_sdpa) for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(cfg.d_model, bias=cfg.bias)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one matrix, two uses
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        # GPT-2 initialisation: N(0, 0.02) weights, zero biases
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def set_use_sdpa(self, use_sdpa: bool) -> None:
        """Switch every attention layer between the SDPA and the manual path."""
        for block in self.blocks:
            block.attn.use_sdpa = use_sdpa

    def num_parameters(self) -> int:
        """Distinct parameters; the tied matrix counts once (.parameters() dedups)."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Token ids (B, T) -> next-token logits (B, T, V)."""
        B, T = idx.shape
        if T > self.cfg.max_seq_len:
            raise ValueError(
                f"sequence of {T} tokens exceeds max_seq_len={self.cfg.max_seq_len}"
            )
        pos = torch.arange(T, device=idx.device)  # (T,)
        x = self.wte(idx) + self.wpe(pos)  # (B, T, C)
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))  # (B, T, V)
