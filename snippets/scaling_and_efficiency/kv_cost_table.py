"""Generation cost with and without a KV cache, and the cache's memory for GPT-2.

Shown on: docs/4.3-building-and-training-gpt/scaling-and-efficiency/index.md.
Counts from kernels.generation_cost; bytes from kernels.costs.kv_cache_bytes with
fp16 (2 bytes); MB = 10⁶ bytes, GB = 10⁹ bytes.
"""

from kernels.costs import kv_cache_bytes, to_gb, to_gib
from kernels.generation_cost import attention_pairs_scored, positions_processed
from kernels.presets import get_preset

CASES = ((10, 100), (1, 1000))  # (prompt, new tokens)
KV_LEN, KV_BATCH = 1024, 32


# --8<-- [start:compute]
def compute():
    rows = []
    for prompt, new in CASES:
        row = {"prompt": prompt, "new": new}
        for cached in (False, True):
            tag = "cached" if cached else "plain"
            row[f"pos_{tag}"] = positions_processed(prompt, new, cached=cached)
            row[f"pairs_{tag}"] = attention_pairs_scored(prompt, new, cached=cached)
        rows.append(row)
    gpt2 = get_preset("gpt2-small")
    one = kv_cache_bytes(gpt2, seq_len=KV_LEN)
    return rows, gpt2, one, kv_cache_bytes(gpt2, seq_len=KV_LEN, batch=KV_BATCH)
# --8<-- [end:compute]


def main(book):
    rows, gpt2, one, batch = compute()
    lines = ["| Prompt, new tokens | Positions computed: no cache | with cache | "
             "× | Attention pairs: no cache | with cache | × |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['prompt']:,}, {r['new']:,} | {r['pos_plain']:,} | "
            f"{r['pos_cached']:,} | {r['pos_plain'] / r['pos_cached']:.1f} | "
            f"{r['pairs_plain']:,} | {r['pairs_cached']:,} | "
            f"{r['pairs_plain'] / r['pairs_cached']:.1f} |")
    book.table("\n".join(lines), caption=(
        "Work to generate the new tokens. Positions: token positions run through the "
        "model's projections and FFN, summed over all steps. Attention pairs: causal "
        "(query, key) scores in one layer and head. The cache saves far more "
        "positions than pairs, because the new query still meets every cached key."))
    small, big = rows
    book.fact("kv_p", small["prompt"], fmt="d")
    book.fact("kv_t", small["new"], fmt="d")
    book.fact("kv_pos_plain", small["pos_plain"], fmt=",d",
              disputes=5550, rel_tol=0.01, source="a cost often quoted: ~5,550")
    book.fact("kv_pos_cached", small["pos_cached"], fmt=",d")
    book.fact("kv_pos_ratio", small["pos_plain"] / small["pos_cached"], fmt=".0f",
              unit="×")
    book.fact("kv_big_t", big["new"], fmt=",d")
    book.fact("kv_big_pos_plain", big["pos_plain"], fmt=",d")
    book.fact("kv_big_pos_cached", big["pos_cached"], fmt=",d")
    book.fact("kv_big_pos_ratio", big["pos_plain"] / big["pos_cached"], fmt=".0f",
              unit="×")
    book.fact("kv_big_pairs_plain", big["pairs_plain"], fmt="sci:3")
    book.fact("kv_big_pairs_cached", big["pairs_cached"], fmt=",d")
    book.fact("kv_big_pairs_ratio", big["pairs_plain"] / big["pairs_cached"],
              fmt=".0f", unit="×")
    book.fact("kv_gpt2_layers", gpt2.n_layers, fmt="d")
    book.fact("kv_gpt2_heads", gpt2.n_heads, fmt="d")
    book.fact("kv_gpt2_d_model", gpt2.d_model, fmt="d")
    book.fact("kv_gpt2_head_dim", gpt2.head_dim, fmt="d")
    book.fact("kv_len", KV_LEN, fmt=",d")
    book.fact("kv_batch", KV_BATCH, fmt="d")
    book.fact("kv_gpt2_mb", one / 1e6, fmt=".1f", unit="MB",
              expected=2 * 12 * 12 * 1024 * 64 * 2 / 1e6, rel_tol=1e-9)
    book.fact("kv_gpt2_mib", one / 2**20, fmt=".0f", unit="MiB")
    book.fact("kv_gpt2_batch_gb", to_gb(batch), fmt=".2f", unit="GB")
    book.fact("kv_gpt2_batch_gib", to_gib(batch), fmt=".3f", unit="GiB")
