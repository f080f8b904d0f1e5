"""One registry of model configurations, each number with its source.

Every snippet that needs a model's size asks this file (``get_preset("llama2-70b")``)
instead of repeating a number, so a correction here reaches every figure and fact.

Sources, abbreviated in the comments below:
- GPT-2 config.json: huggingface.co/openai-community/gpt2/blob/main/config.json
- GPT-3 Table 2.1: Brown et al. 2020, "Language Models are Few-Shot Learners"
- LLaMA 2 Table: Touvron et al. 2023, "Llama 2", Table 1 and section 2.2 (GQA for
  34B/70B); HF config.json: huggingface.co/meta-llama/Llama-2-{7b,13b,70b}-hf
- Mistral Table 1: Jiang et al. 2023, "Mistral 7B", Table 1; HF config.json:
  huggingface.co/mistralai/Mistral-7B-v0.1
- LLaMA 3 HF config.json: huggingface.co/meta-llama/Meta-Llama-3-8B/blob/main/config.json
- Mixtral Table 1: Jiang et al. 2024, "Mixtral of Experts", Table 1; HF config.json:
  huggingface.co/mistralai/Mixtral-8x7B-v0.1
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a decoder-only transformer: everything a parameter or FLOP count needs.

    Sizes are counts (layers, heads, channels, tokens), never bytes.
    """

    name: str  # registry key, e.g. "llama2-70b"
    n_layers: int  # transformer blocks
    d_model: int  # residual-stream width (channels)
    n_heads: int  # query heads
    n_kv_heads: int  # key/value heads: == n_heads is MHA, 1 is MQA, between is GQA
    head_dim: int  # channels per head; d_model == n_heads * head_dim for all presets
    d_ff: int  # hidden width of the feed-forward network (per expert for MoE)
    vocab_size: int  # tokenizer vocabulary
    max_seq_len: int  # context length the model was trained for (tokens)
    ffn: str  # "gelu": two matrices (up, down); "swiglu": three (gate, up, down)
    positional: str  # "learned": a position-embedding table; "rope": no parameters
    tied_embeddings: bool  # True: the LM head reuses the token-embedding matrix
    bias: bool  # True: GPT-2 style biases + LayerNorm; False: LLaMA style RMSNorm
    n_experts: int = 1  # feed-forward experts per layer; 1 is a dense model
    experts_per_token: int = 1  # top-k experts each token is routed to
    sliding_window: int | None = None  # attention window (tokens); None = full causal
    rope_base: float | None = None  # RoPE frequency base b (HF rope_theta); None: no RoPE
    source: str = ""  # where the numbers come from

    def __post_init__(self) -> None:
        if self.ffn not in ("gelu", "swiglu"):
            raise ValueError(f"ffn must be 'gelu' or 'swiglu', got {self.ffn!r}")
        if self.positional not in ("learned", "rope"):
            raise ValueError(
                f"positional must be 'learned' or 'rope', got {self.positional!r}"
            )
        if (self.positional == "rope") != (self.rope_base is not None):
            raise ValueError("rope_base is needed exactly when positional == 'rope'")
        if self.n_heads % self.n_kv_heads != 0:
            raise ValueError(
                f"n_heads ({self.n_heads}) must be a multiple of "
                f"n_kv_heads ({self.n_kv_heads})"
            )
        if not 1 <= self.experts_per_token <= self.n_experts:
            raise ValueError(
                f"experts_per_token must be in [1, n_experts={self.n_experts}], "
                f"got {self.experts_per_token}"
            )


PRESETS: dict[str, ModelConfig] = {
    "gpt2-small": ModelConfig(
        name="gpt2-small",
        n_layers=12,  # GPT-2 config.json n_layer
        d_model=768,  # GPT-2 config.json n_embd
        n_heads=12,  # GPT-2 config.json n_head
        n_kv_heads=12,  # multi-head attention: one K/V head per query head
        head_dim=64,  # 768 / 12
        d_ff=3072,  # GPT-2 config.json n_inner=null, which means 4 * n_embd
        vocab_size=50257,  # GPT-2 config.json vocab_size
        max_seq_len=1024,  # GPT-2 config.json n_positions
        ffn="gelu",  # GPT-2 config.json activation_function "gelu_new"
        positional="learned",  # GPT-2 has a wpe table of n_positions rows
        tied_embeddings=True,  # GPT-2 LM head shares the wte matrix
        bias=True,  # GPT-2 Conv1D layers have biases; LayerNorm has weight + bias
        source="GPT-2 config.json (openai-community/gpt2)",
    ),
    "gpt3-175b": ModelConfig(
        name="gpt3-175b",
        n_layers=96,  # GPT-3 Table 2.1 n_layers
        d_model=12288,  # GPT-3 Table 2.1 d_model
        n_heads=96,  # GPT-3 Table 2.1 n_heads
        n_kv_heads=96,  # multi-head attention
        head_dim=128,  # GPT-3 Table 2.1 d_head
        d_ff=4 * 12288,  # GPT-3 section 2.1: d_ff = 4 * d_model
        vocab_size=50257,  # assumption: GPT-3 reuses the GPT-2 BPE tokenizer
        max_seq_len=2048,  # GPT-3 section 2.1: context window n_ctx = 2048
        ffn="gelu",  # assumption: same block as GPT-2 (paper: "same model as GPT-2")
        positional="learned",  # assumption: as GPT-2
        tied_embeddings=True,  # assumption: as GPT-2
        bias=True,  # assumption: as GPT-2
        # GPT-3 alternates dense and locally banded sparse attention layers; that
        # changes attention FLOPs, not parameters, and is not modelled here.
        source="GPT-3 paper Table 2.1; tokenizer/blocks assumed as GPT-2",
    ),
    "llama2-7b": ModelConfig(
        name="llama2-7b",
        n_layers=32,  # HF config.json num_hidden_layers
        d_model=4096,  # HF config.json hidden_size
        n_heads=32,  # HF config.json num_attention_heads
        n_kv_heads=32,  # HF config.json num_key_value_heads (MHA at 7B)
        head_dim=128,  # 4096 / 32
        d_ff=11008,  # HF config.json intermediate_size
        vocab_size=32000,  # LLaMA 2 paper section 2.1; HF config.json vocab_size
        max_seq_len=4096,  # LLaMA 2 Table 1 context length
        ffn="swiglu",  # LLaMA 2 section 2.2: SwiGLU activation
        positional="rope",  # LLaMA 2 section 2.2: rotary embeddings
        tied_embeddings=False,  # HF config.json tie_word_embeddings false
        bias=False,  # no biases, RMSNorm pre-normalisation
        rope_base=10000.0,  # HF config.json rope_theta (RoFormer's default)
        source="LLaMA 2 paper Table 1 + HF config.json (meta-llama/Llama-2-7b-hf)",
    ),
    "llama2-13b": ModelConfig(
        name="llama2-13b",
        n_layers=40,  # HF config.json num_hidden_layers
        d_model=5120,  # HF config.json hidden_size
        n_heads=40,  # HF config.json num_attention_heads
        n_kv_heads=40,  # HF config.json num_key_value_heads (MHA at 13B)
        head_dim=128,  # 5120 / 40
        d_ff=13824,  # HF config.json intermediate_size
        vocab_size=32000,  # HF config.json vocab_size
        max_seq_len=4096,  # LLaMA 2 Table 1 context length
        ffn="swiglu",  # LLaMA 2 section 2.2
        positional="rope",  # LLaMA 2 section 2.2
        tied_embeddings=False,  # HF config.json tie_word_embeddings false
        bias=False,  # RMSNorm, no biases
        rope_base=10000.0,  # HF config.json rope_theta (RoFormer's default)
        source="LLaMA 2 paper Table 1 + HF config.json (meta-llama/Llama-2-13b-hf)",
    ),
    "llama2-70b": ModelConfig(
        name="llama2-70b",
        n_layers=80,  # HF config.json num_hidden_layers
        d_model=8192,  # HF config.json hidden_size
        n_heads=64,  # HF config.json num_attention_heads
        n_kv_heads=8,  # HF config.json num_key_value_heads (GQA, paper Table 1)
        head_dim=128,  # 8192 / 64
        d_ff=28672,  # HF config.json intermediate_size
        vocab_size=32000,  # HF config.json vocab_size
        max_seq_len=4096,  # LLaMA 2 Table 1 context length
        ffn="swiglu",  # LLaMA 2 section 2.2
        positional="rope",  # LLaMA 2 section 2.2
        tied_embeddings=False,  # HF config.json tie_word_embeddings false
        bias=False,  # RMSNorm, no biases
        rope_base=10000.0,  # HF config.json rope_theta (RoFormer's default)
        source="LLaMA 2 paper Table 1 + HF config.json (meta-llama/Llama-2-70b-hf)",
    ),
    "mistral-7b": ModelConfig(
        name="mistral-7b",
        n_layers=32,  # Mistral Table 1 n_layers
        d_model=4096,  # Mistral Table 1 dim
        n_heads=32,  # Mistral Table 1 n_heads
        n_kv_heads=8,  # Mistral Table 1 n_kv_heads
        head_dim=128,  # Mistral Table 1 head_dim
        d_ff=14336,  # Mistral Table 1 hidden_dim
        vocab_size=32000,  # Mistral Table 1 vocab_size
        max_seq_len=8192,  # Mistral Table 1 context_len
        ffn="swiglu",  # HF config.json hidden_act "silu" with gate/up/down
        positional="rope",  # HF config.json rope_theta
        tied_embeddings=False,  # HF config.json tie_word_embeddings false
        bias=False,  # RMSNorm, no biases
        # v0.1 only: Mistral-7B v0.2 and later drop the window (HF config.json
        # sliding_window null) and raise rope_theta to 1e6.
        sliding_window=4096,  # Mistral Table 1 window_size
        rope_base=10000.0,  # HF config.json (Mistral-7B-v0.1) rope_theta
        source="Mistral 7B paper Table 1 + HF config.json (Mistral-7B-v0.1)",
    ),
    "mixtral-8x7b": ModelConfig(
        name="mixtral-8x7b",
        n_layers=32,  # Mixtral Table 1 n_layers
        d_model=4096,  # Mixtral Table 1 dim
        n_heads=32,  # Mixtral Table 1 n_heads
        n_kv_heads=8,  # Mixtral Table 1 n_kv_heads
        head_dim=128,  # Mixtral Table 1 head_dim
        d_ff=14336,  # Mixtral Table 1 hidden_dim (per expert)
        vocab_size=32000,  # Mixtral Table 1 vocab_size
        max_seq_len=32768,  # Mixtral Table 1 context_len
        ffn="swiglu",  # each expert is a Mistral-style SwiGLU block
        positional="rope",  # HF config.json rope_theta
        tied_embeddings=False,  # HF config.json tie_word_embeddings false
        bias=False,  # RMSNorm, no biases
        n_experts=8,  # Mixtral Table 1 num_experts
        experts_per_token=2,  # Mixtral Table 1 top_k_experts
        sliding_window=None,  # Mixtral section 2: full 32k dense context
        rope_base=1e6,  # HF config.json (Mixtral-8x7B-v0.1) rope_theta 1000000.0
        source="Mixtral paper Table 1 + HF config.json (Mixtral-8x7B-v0.1)",
    ),
    "llama3-8b": ModelConfig(
        name="llama3-8b",
        n_layers=32,  # HF config.json num_hidden_layers
        d_model=4096,  # HF config.json hidden_size
        n_heads=32,  # HF config.json num_attention_heads
        n_kv_heads=8,  # HF config.json num_key_value_heads (GQA)
        head_dim=128,  # 4096 / 32
        d_ff=14336,  # HF config.json intermediate_size
        vocab_size=128256,  # HF config.json vocab_size
        max_seq_len=8192,  # HF config.json max_position_embeddings
        ffn="swiglu",  # HF config.json hidden_act "silu" with gate/up/down
        positional="rope",  # HF config.json rope_theta
        tied_embeddings=False,  # HF config.json tie_word_embeddings false
        bias=False,  # RMSNorm, no biases
        rope_base=500000.0,  # HF config.json rope_theta
        source="HF config.json (meta-llama/Meta-Llama-3-8B)",
    ),
    # OPT-13B, the model of vLLM's memory analysis (Kwon et al. 2023, section 3).
    # Sources: OPT paper (Zhang et al. 2022, "OPT: Open Pre-trained Transformer
    # Language Models", Table 1) and HF config.json (huggingface.co/facebook/opt-13b).
    "opt-13b": ModelConfig(
        name="opt-13b",
        n_layers=40,  # OPT Table 1 / HF config.json num_hidden_layers
        d_model=5120,  # OPT Table 1 / HF config.json hidden_size
        n_heads=40,  # OPT Table 1 / HF config.json num_attention_heads
        n_kv_heads=40,  # multi-head attention: one K/V head per query head
        head_dim=128,  # 5120 / 40
        d_ff=20480,  # HF config.json ffn_dim (4 * d_model)
        vocab_size=50272,  # HF config.json vocab_size
        max_seq_len=2048,  # OPT section 2 / HF config.json max_position_embeddings
        # OPT's FFN uses ReLU (HF config.json activation_function "relu"); this field
        # records the two-matrix shape (up, down), which is all a count needs.
        ffn="gelu",
        positional="learned",  # OPT learns a position-embedding table
        tied_embeddings=True,  # HF config.json tie_word_embeddings (default true)
        bias=True,  # OPT has biases and LayerNorm, as GPT-2
        source="OPT paper Table 1 + HF config.json (facebook/opt-13b)",
    ),
}


def _lookup(registry: dict, name: str, kind: str):
    """registry[name]; KeyError naming every key of the registry otherwise."""
    try:
        return registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise KeyError(f"unknown {kind} {name!r}; known: {known}") from None


def get_preset(name: str) -> ModelConfig:
    """The preset called `name`; KeyError naming every known preset otherwise."""
    return _lookup(PRESETS, name, "preset")


# --- State-space and hybrid models (lesson 5.4.1) -------------------------------------
# Kept apart from PRESETS: these are not transformers, and PRESETS' keys are pinned by
# tests/kernels/test_presets.py.
#
# Sources:
# - Mamba config.json: huggingface.co/state-spaces/mamba-{130m,...,2.8b}/blob/main/config.json
#   (d_model, n_layer); d_state 16, d_conv 4, expand 2 are the defaults of the
#   mamba_ssm Mamba block (github.com/state-spaces/mamba), which the configs leave
#   unset.
# - Jamba: Lieber et al. 2024, "Jamba: A Hybrid Transformer-Mamba Language Model",
#   Section 3 (l = 8 layers per block, a:m = 1:7, e = 2, n = 16, K = 2, 4 blocks);
#   HF config.json: huggingface.co/ai21labs/Jamba-v0.1 (hidden_size 4096,
#   num_hidden_layers 32, attn_layer_period 8, num_key_value_heads 8,
#   num_attention_heads 32, mamba_d_state 16, mamba_d_conv 4, mamba_expand 2).
# - Pythia config.json: huggingface.co/EleutherAI/pythia-2.8b (the transformer the Mamba
#   paper compares Mamba-2.8B with, Gu & Dao 2023, Table 3).


@dataclass(frozen=True)
class HybridConfig:
    """A stack of Mamba layers, optionally with some attention layers among them.

    The inference cache of a Mamba layer is fixed: the SSM state (d_inner × d_state)
    and the last d_conv inputs of its short convolution (d_inner × d_conv), with
    d_inner = expand · d_model. An attention layer caches K and V for every token.
    """

    name: str
    n_layers: int  # all layers, Mamba and attention
    d_model: int  # residual-stream width
    n_attention_layers: int = 0  # 0 for a pure Mamba model
    n_kv_heads: int = 0  # K/V heads of each attention layer
    head_dim: int = 0  # channels per attention head
    d_state: int = 16  # N, state numbers per channel
    d_conv: int = 4  # width of the short causal convolution
    expand: int = 2  # d_inner = expand · d_model
    source: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.n_attention_layers <= self.n_layers:
            raise ValueError("n_attention_layers must be between 0 and n_layers")
        if self.n_attention_layers and (self.n_kv_heads < 1 or self.head_dim < 1):
            raise ValueError("attention layers need n_kv_heads and head_dim >= 1")

    @property
    def n_mamba_layers(self) -> int:
        return self.n_layers - self.n_attention_layers

    @property
    def d_inner(self) -> int:
        return self.expand * self.d_model


def _mamba(name: str, n_layers: int, d_model: int) -> HybridConfig:
    return HybridConfig(name=name, n_layers=n_layers, d_model=d_model,
                        source=f"HF config.json (state-spaces/{name})")


SSM_PRESETS: dict[str, HybridConfig] = {
    "mamba-130m": _mamba("mamba-130m", 24, 768),  # n_layer 24, d_model 768
    "mamba-370m": _mamba("mamba-370m", 48, 1024),  # n_layer 48, d_model 1024
    "mamba-790m": _mamba("mamba-790m", 48, 1536),  # n_layer 48, d_model 1536
    "mamba-1.4b": _mamba("mamba-1.4b", 48, 2048),  # n_layer 48, d_model 2048
    "mamba-2.8b": _mamba("mamba-2.8b", 64, 2560),  # n_layer 64, d_model 2560
    "jamba-v0.1": HybridConfig(
        name="jamba-v0.1",
        n_layers=32,  # 4 Jamba blocks × 8 layers (paper Section 3; HF num_hidden_layers)
        d_model=4096,  # HF hidden_size
        n_attention_layers=4,  # a:m = 1:7, one attention layer per block of 8
        n_kv_heads=8,  # HF num_key_value_heads (GQA, 32 query heads)
        head_dim=128,  # 4096 / 32 query heads
        d_state=16,  # HF mamba_d_state
        d_conv=4,  # HF mamba_d_conv
        expand=2,  # HF mamba_expand
        source="Lieber et al. 2024 Section 3 + HF config.json (ai21labs/Jamba-v0.1)",
    ),
}

PYTHIA_2_8B = ModelConfig(  # a transformer of Mamba-2.8B's size
    name="pythia-2.8b",
    n_layers=32,  # num_hidden_layers
    d_model=2560,  # hidden_size
    n_heads=32,  # num_attention_heads (MHA: every head keeps its K and V)
    n_kv_heads=32,  # no GQA
    head_dim=80,  # 2560 / 32
    d_ff=10240,  # intermediate_size
    vocab_size=50304,  # vocab_size
    max_seq_len=2048,  # max_position_embeddings
    ffn="gelu",  # hidden_act gelu
    positional="rope",  # rotary on 25 % of each head (rotary_pct 0.25)
    tied_embeddings=False,  # tie_word_embeddings false
    bias=True,  # LayerNorm with biases
    rope_base=10000.0,  # rotary_emb_base
    source="HF config.json (EleutherAI/pythia-2.8b)",
)


def get_ssm_preset(name: str) -> HybridConfig:
    """The SSM or hybrid preset called `name`; KeyError naming every one otherwise."""
    return _lookup(SSM_PRESETS, name, "SSM preset")
