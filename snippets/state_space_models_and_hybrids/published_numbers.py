"""Published numbers the lesson quotes, each with its source, plus the claims that
compare them with this book's own measurements.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
"""

from kernels.costs import kv_cache_bytes, param_count
from kernels.presets import PYTHIA_2_8B, get_ssm_preset

JAMBA = "Lieber et al. 2024, Section 3 and Table 1"


def main(book):
    # Jamba's layout and MoE (Lieber et al. 2024).
    jamba = get_ssm_preset("jamba-v0.1")
    book.fact("ssm_jamba_block", 8, fmt="d", source=JAMBA + ": l = 8 layers per block")
    book.fact("ssm_jamba_ratio", 7, text="1:7", source=JAMBA + ": a:m = 1:7")
    book.fact("ssm_jamba_mamba_per_block", 7, fmt="d", expected=(
        jamba.n_mamba_layers / (jamba.n_layers // 8)), source=JAMBA)
    book.fact("ssm_jamba_experts", 16, fmt="d", source=JAMBA + ": n = 16 experts")
    book.fact("ssm_jamba_top_k", 2, fmt="d", source=JAMBA + ": K = 2")
    book.fact("ssm_jamba_total_b", 52e9, text="52B", source=JAMBA)
    book.fact("ssm_jamba_active_b", 12e9, text="12B", source=JAMBA)
    # Zoology (Arora et al. 2024), abstract.
    book.fact("ssm_zoology_attn_m", 70e6, text="70M", source="Arora et al. 2024")
    book.fact("ssm_zoology_conv_b", 1.4e9, text="1.4B", source="Arora et al. 2024")
    # Waleffe et al. 2024, abstract.
    book.fact("ssm_waleffe_b", 8e9, text="8B", source="Waleffe et al. 2024")
    book.fact("ssm_waleffe_attn_share", 0.07, fmt=".0%", source="Waleffe et al. 2024: "
              "43% Mamba-2, 7% self-attention, 50% MLP layers")
    book.fact("ssm_waleffe_tasks", 12, fmt="d", source="Waleffe et al. 2024: all 12 "
              "standard tasks")
    book.fact("ssm_waleffe_long_tasks", 23, fmt="d", source="Waleffe et al. 2024: 23 "
              "long-context tasks")
    book.fact("ssm_256k_decimal", 256_000, fmt=",d")
    # A transformer's cache outgrows its own weights.
    # --8<-- [start:cache_vs_weights]
    weights = param_count(PYTHIA_2_8B)["total"] * 2            # bytes, 16-bit
    cache_1m = kv_cache_bytes(PYTHIA_2_8B, seq_len=2 ** 20)    # one 1M-token sequence
    # --8<-- [end:cache_vs_weights]
    book.fact("ssm_pythia_weights_gib", weights / 2 ** 30, fmt=".1f", unit="GiB")
    book.claim("ssm_cache_beats_weights", "larger than the model's own weights",
               holds=cache_1m > weights, because=f"{cache_1m} B > {weights} B")
    book.fact("ssm_recall_state_numbers_32", 32 * 32, fmt=",d")
