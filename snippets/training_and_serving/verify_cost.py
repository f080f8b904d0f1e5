"""Facts: why verifying k draft tokens costs about as much as generating one.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (speculative
decoding). Roofline estimate (kernels.hardware.roofline_time_s) of one forward pass
of LLaMA 2 70B's matmuls on an A100, for 1 token and for k + 1 tokens: the bf16
weights are read from memory once either way (2 bytes per parameter), the FLOPs grow
with the tokens (2 per parameter per token). KV-cache reads, attention scores and
activations are ignored; at batch 1 they are small next to the weights.
Then the time per emitted token of speculative decoding with a LLaMA 2 7B draft,
from kernels.speculative.expected_tokens_per_step.
"""

from kernels.costs import param_count
from kernels.hardware import A100_80GB, ridge_point, roofline_time_s
from kernels.presets import get_preset
from kernels.speculative import expected_tokens_per_step

TARGET, DRAFT = "llama2-70b", "llama2-7b"
K = 5
BYTES_BF16 = 2
ALPHAS = (0.0, 0.6, 0.8)   # per-token acceptance rates to compare
TP = 4   # the 70B's bf16 weights do not fit one A100: serve them split 4 ways


# --8<-- [start:compute]
def pass_time(n_params, n_tokens):
    """Roofline time of one forward pass over n_tokens (weights read once)."""
    flops = 2 * n_params * n_tokens
    weight_bytes = BYTES_BF16 * n_params
    return roofline_time_s(flops, weight_bytes, A100_80GB), flops / weight_bytes


def compute():
    big = param_count(get_preset(TARGET))["total"]
    small = param_count(get_preset(DRAFT))["total"]
    t1, intensity1 = pass_time(big, 1)
    tk, intensityk = pass_time(big, K + 1)
    draft_t, _ = pass_time(small, 1)
    per_token = {}       # time per emitted token, relative to plain decoding
    for alpha in ALPHAS:
        tokens = expected_tokens_per_step(alpha, K)
        per_token[alpha] = (K * draft_t + tk) / tokens / t1
    return t1, tk, intensity1, intensityk, draft_t, per_token
# --8<-- [end:compute]


def main(book):
    t1, tk, i1, ik, draft_t, per_token = compute()
    book.fact("scale_verify_k", K, fmt="d")
    big_params = param_count(get_preset(TARGET))["total"]
    weights = BYTES_BF16 * big_params
    book.fact("scale_verify_weights_gb", weights / 1e9, fmt=".0f", unit="GB")
    book.fact("scale_verify_tp", TP, fmt="d")
    book.fact("scale_verify_weights_per_gpu_gb", weights / TP / 1e9, fmt=".1f",
              unit="GB")
    t1_gpu, _ = pass_time(big_params / TP, 1)
    tk_gpu, _ = pass_time(big_params / TP, K + 1)
    book.fact("scale_verify_t1_per_gpu_ms", t1_gpu * 1e3, fmt=".0f", unit="ms")
    book.claim("scale_verify_ratio_split_free", "the same on each GPU of the split",
               holds=abs(tk_gpu / t1_gpu - tk / t1) < 1e-9,
               because=f"{tk_gpu / t1_gpu:.4f} vs {tk / t1:.4f}")
    book.fact("scale_spec_example_alpha", 0.8, fmt=".1f")
    book.fact("scale_spec_example_k", 4, fmt="d")
    book.fact("scale_spec_example_tokens", expected_tokens_per_step(0.8, 4),
              fmt=".2f", expected=(1 - 0.8 ** 5) / 0.2, source="(1 − α⁵)/(1 − α)")
    book.fact("scale_spec_all_accepted_k4", expected_tokens_per_step(1.0, 4),
              fmt=".0f", expected=5, source="k accepted + 1 bonus token")
    book.fact("scale_verify_t1_ms", t1 * 1e3, fmt=".0f", unit="ms")
    book.fact("scale_verify_tk_ms", tk * 1e3, fmt=".0f", unit="ms")
    book.fact("scale_verify_ratio", tk / t1, fmt=".2f", unit="×")
    big = param_count(get_preset(TARGET))["total"]
    book.fact("scale_verify_flop_ms", 2 * big * (K + 1) / A100_80GB.peak_flops * 1e3,
              fmt=".1f", unit="ms")
    book.fact("scale_verify_intensity_1", i1, fmt=".0f", unit="FLOP/byte")
    book.fact("scale_verify_intensity_k", ik, fmt=".0f", unit="FLOP/byte")
    book.fact("scale_a100_ridge", ridge_point(A100_80GB), fmt=".0f",
              unit="FLOP/byte")
    book.fact("scale_draft_ms", draft_t * 1e3, fmt=".1f", unit="ms")
    book.fact("scale_draft_share", 100 * draft_t / t1, fmt=".0f", unit="%")
    for alpha, rel in per_token.items():
        key = f"{round(100 * alpha):d}"
        book.fact(f"scale_spec_alpha_{key}", alpha, fmt=".1f")
        book.fact(f"scale_spec_time_alpha_{key}", rel, fmt=".2f", unit="×")
        book.fact(f"scale_spec_speedup_alpha_{key}", 1 / rel, fmt=".1f", unit="×")
        book.fact(f"scale_spec_tokens_alpha_{key}",
                  expected_tokens_per_step(alpha, K), fmt=".2f")
