"""The KV-cache calculator's data and its static fallback table.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md ("Try it:
size a KV cache"). The page script docs/assets/javascripts/kv-cache-calculator.js
reads kv_calculator.widget.json (every preset from kernels/presets.py, every GPU from
kernels/hardware.py, the precisions of kernels/serving_memory.py) and recomputes the
formulas of kernels/serving_memory.py in the browser; without JavaScript, and on
paper, the table below stands in for it. GB = 10⁹ bytes, GiB = 2³⁰ bytes.
"""

import dataclasses

from kernels import serving_memory as sm
from kernels.costs import param_count, to_gb, to_gib
from kernels.hardware import H100_80GB, all_gpus
from kernels.kv_cache import compare_fragmentation
from kernels.presets import PRESETS, get_preset

N_REQUESTS = 100  # requests in the length assumption (spread_lengths)
WEIGHT_BYTES = {"fp32": 4, "bf16": 2, "fp8": 1, "int8": 1}  # bytes per parameter
DEFAULTS = {"preset": "llama2-7b", "context": 4096, "batch": 8, "precision": "bf16",
            "page": 16, "gpu": H100_80GB.name, "gpus": 1, "weights": "bf16"}


def size(n_bytes):
    """"2.15 GB (2.00 GiB)", or MB (10⁶) and MiB (2²⁰) below a gigabyte."""
    if n_bytes >= 1e9:
        return f"{to_gb(n_bytes):,.2f} GB ({to_gib(n_bytes):,.2f} GiB)"
    return f"{n_bytes / 1e6:,.1f} MB ({n_bytes / 2**20:,.1f} MiB)"


# --8<-- [start:compute]
def row(cfg, gpu):
    """One preset at its trained context, batch 1, bf16 cache and weights."""
    t = cfg.max_seq_len
    per_token = sm.kv_bytes_per_token(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim)
    cache = per_token * sm.cached_tokens(t, cfg.sliding_window)
    weights = 2 * param_count(cfg)["total"]
    free = gpu.memory_bytes - weights
    return {"context": t, "per_token": per_token, "cache": cache,
            "flops": sm.decode_flops_per_token(cfg, t)["total"],
            "weights": weights, "fit": sm.sequences_that_fit(free, cache)}
# --8<-- [end:compute]


def main(book):
    gpu = H100_80GB
    lines = ["| Model | Context | KV per token | KV cache | GFLOP per token | "
             "Weights | Fit |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, cfg in PRESETS.items():
        r = row(cfg, gpu)
        fit = f"{r['fit']:,}" if r["weights"] < gpu.memory_bytes else "none"
        lines.append(
            f"| {name} | {r['context']:,} | {r['per_token'] / 2**10:,.0f} KiB | "
            f"{size(r['cache'])} | {r['flops'] / 1e9:,.1f} | "
            f"{to_gb(r['weights']):,.1f} GB | {fit} |")
    book.table("\n".join(lines), caption=(
        f"Each preset at the context (tokens) it was trained for, one sequence, bf16 "
        f"cache and weights (2 bytes per number), on one {gpu.name} "
        f"({to_gb(gpu.memory_bytes):.1f} GB as nvidia-smi reports it). Fit: how many "
        "such sequences fit in the memory left after the weights (none: the weights "
        "alone do not fit). GFLOP per token: 10⁹ FLOPs, one add or multiply each, for "
        f"the last token of the context. Mistral 7B caches only its "
        f"{get_preset('mistral-7b').sliding_window:,}-token window. In a browser with "
        "JavaScript, the calculator on this page computes the same for any setting."))
    facts(book)
    book.data("widget", {
        "widget": "kv-cache-calculator",
        "presets": [dataclasses.asdict(cfg) for cfg in PRESETS.values()],
        "gpus": [{"name": g.name, "memory_bytes": g.memory_bytes, "source": g.source}
                 for g in all_gpus()],
        "kv_precisions": {k: {"bits": b, "scale_bytes": s}
                          for k, (b, s) in sm.KV_PRECISIONS.items()},
        "weight_bytes": WEIGHT_BYTES,
        "n_requests": N_REQUESTS,
        "defaults": DEFAULTS,
    })


def facts(book):
    """Numbers the page's "things to try" quote, at the calculator's defaults."""
    d = DEFAULTS
    book.fact("kvc_n_requests", N_REQUESTS, fmt="d")
    big = get_preset("llama2-70b")
    mha = sm.kv_bytes_per_token(big.n_layers, big.n_heads, big.head_dim)
    gqa = sm.kv_bytes_per_token(big.n_layers, big.n_kv_heads, big.head_dim)
    book.fact("kvc_gqa_factor", mha / gqa, fmt=".0f", unit="×",
              expected=big.n_heads / big.n_kv_heads, source="query heads per K/V head")
    small = get_preset(d["preset"])
    args = (small.n_layers, small.n_kv_heads, small.head_dim)
    book.fact("kvc_int8_share", 100 * sm.kv_bytes_per_token(*args, "int8")
              / sm.kv_bytes_per_token(*args, "bf16"), fmt=".1f", unit="%")
    lens = sm.cache_lengths(d["context"], N_REQUESTS)
    waste = compare_fragmentation(lens, d["context"], d["page"])
    book.fact("kvc_default_context", d["context"], fmt=",d", unit="tokens")
    book.fact("kvc_default_page", d["page"], fmt="d", unit="tokens")
    book.fact("kvc_waste_contiguous", 100 * waste["contiguous"], fmt=".1f", unit="%")
    book.fact("kvc_waste_paged", 100 * waste["paged"], fmt=".1f", unit="%")
    free = H100_80GB.memory_bytes - 2 * param_count(small)["total"]
    per_token = sm.kv_bytes_per_token(*args)
    contiguous = sm.sequences_that_fit(free, per_token * d["context"])
    paged = sm.sequences_that_fit(free, per_token * sm.paged_slots(lens, d["page"]),
                                  N_REQUESTS)
    book.fact("kvc_fit_contiguous", contiguous, fmt="d")
    book.fact("kvc_fit_paged", paged, fmt="d")
