import dataclasses

import pytest

from kernels.presets import PRESETS, ModelConfig, get_preset

EXPECTED_KEYS = {
    "gpt2-small", "gpt3-175b", "llama2-7b", "llama2-13b", "llama2-70b",
    "mistral-7b", "mixtral-8x7b", "llama3-8b",
    "opt-13b",
}


def test_registry_has_exactly_the_promised_presets():
    assert set(PRESETS) == EXPECTED_KEYS
    for key, cfg in PRESETS.items():
        assert cfg.name == key
        assert cfg.source, f"{key} has no source"


@pytest.mark.parametrize("key", sorted(EXPECTED_KEYS))
def test_head_geometry_is_consistent(key):
    cfg = PRESETS[key]
    assert cfg.n_heads * cfg.head_dim == cfg.d_model
    assert cfg.n_heads % cfg.n_kv_heads == 0


def test_spot_check_published_numbers():
    # LLaMA 2 70B uses GQA with 8 KV heads (LLaMA 2 paper, section 2.2)
    assert get_preset("llama2-70b").n_kv_heads == 8
    # Mistral 7B sliding window of 4096 tokens (Mistral paper Table 1)
    assert get_preset("mistral-7b").sliding_window == 4096
    # Mixtral: 8 experts, top-2 (Mixtral paper Table 1)
    mixtral = get_preset("mixtral-8x7b")
    assert (mixtral.n_experts, mixtral.experts_per_token) == (8, 2)
    # GPT-3 175B: 96 layers, d_model 12288 (GPT-3 paper Table 2.1)
    gpt3 = get_preset("gpt3-175b")
    assert (gpt3.n_layers, gpt3.d_model, gpt3.max_seq_len) == (96, 12288, 2048)
    # RoPE bases (HF config.json rope_theta): not 10,000 everywhere
    assert get_preset("llama2-70b").rope_base == 10_000
    assert get_preset("mixtral-8x7b").rope_base == 1_000_000
    assert get_preset("llama3-8b").rope_base == 500_000
    assert get_preset("gpt2-small").rope_base is None


def test_presets_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PRESETS["gpt2-small"].n_layers = 1  # type: ignore[misc]


def test_unknown_preset_lists_known_names():
    with pytest.raises(KeyError, match="gpt2-small") as info:
        get_preset("gpt5")
    assert "llama2-70b" in str(info.value)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"ffn": "relu"}, "ffn"),
        ({"positional": "alibi"}, "positional"),
        ({"n_kv_heads": 5}, "multiple"),
        ({"experts_per_token": 2}, "experts_per_token"),
        ({"positional": "rope"}, "rope_base"),
        ({"rope_base": 10_000.0}, "rope_base"),
    ],
)
def test_invalid_configs_raise(change, message):
    base = dataclasses.asdict(PRESETS["gpt2-small"])
    base.update(change)
    with pytest.raises(ValueError, match=message):
        ModelConfig(**base)


def test_opt_13b_matches_vllm_paper_arithmetic():
    """Kwon et al. 2023, section 3: one token's KV cache in OPT-13B is
    2 (K and V) x 5120 (hidden size) x 40 (layers) x 2 (fp16 bytes) = 800 KB."""
    from kernels.costs import kv_cache_bytes, param_count

    cfg = PRESETS["opt-13b"]
    assert kv_cache_bytes(cfg, seq_len=1) == 2 * 5120 * 40 * 2 == 800 * 1024
    assert 12.5e9 < param_count(cfg)["total"] < 13.5e9  # "13B"
