"""KV cache of LLaMA 2 70B as MHA, GQA and MQA at 4K and 128K tokens.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the memory barrier).
Bytes from kernels.costs.kv_cache_bytes: 2 (K and V) × layers × KV heads × head_dim ×
tokens × 2 bytes (fp16/bf16), one sequence. GB = 10⁹ bytes, GiB = 2³⁰ bytes.
"""

from kernels.costs import kv_cache_bytes, to_gb, to_gib
from kernels.presets import get_preset

MODEL = "llama2-70b"
LENGTHS = (4096, 131072)
BYTES_FP16 = 2


# --8<-- [start:compute]
def compute():
    cfg = get_preset(MODEL)
    variants = {  # name -> number of K/V heads; every variant keeps 64 query heads
        "MHA": cfg.n_heads,
        "GQA (as shipped)": cfg.n_kv_heads,
        "MQA": 1,
    }
    table = {
        (name, n): kv_cache_bytes(cfg, seq_len=n, n_kv_heads=kv,
                                  bytes_per_element=BYTES_FP16)
        for name, kv in variants.items() for n in LENGTHS
    }
    return cfg, variants, table
# --8<-- [end:compute]


def main(book):
    cfg, variants, table = compute()
    short, long = LENGTHS
    lines = [f"| Attention | K/V heads | {short // 1024}K tokens | "
             f"{long // 1024}K tokens |", "|---|---:|---:|---:|"]
    for name, kv in variants.items():
        cells = [f"{to_gb(table[(name, n)]):,.2f} GB ({to_gib(table[(name, n)]):,.2f} "
                 "GiB)" for n in LENGTHS]
        lines.append(f"| {name} | {kv} | " + " | ".join(cells) + " |")
    book.table("\n".join(lines), caption=(
        f"KV cache for one sequence of LLaMA 2 70B ({cfg.n_layers} layers, "
        f"{cfg.n_heads} query heads of {cfg.head_dim} channels) in fp16: 2 (K and V) × "
        "layers × K/V heads × head_dim × tokens × 2 bytes. GB = 10⁹ bytes, "
        "GiB = 2³⁰ bytes."))
    gqa = table[("GQA (as shipped)", long)]
    book.fact("kv_llama70b_gqa_128k_gb", to_gb(gqa), fmt=".1f", unit="GB")
    book.fact("kv_llama70b_gqa_128k_gib", to_gib(gqa), fmt=".0f", unit="GiB",
              expected=40.0, rel_tol=1e-9, source="2·80·8·128·131072·2 B = 40 GiB")
    book.fact("kv_llama70b_mha_128k_gb", to_gb(table[("MHA", long)]), fmt=".0f",
              unit="GB", disputes=332, rel_tol=0.01,
              source="often quoted: MHA cache at 128K '~332 GB'")
    book.fact("kv_llama70b_mqa_128k_gb", to_gb(table[("MQA", long)]), fmt=".2f",
              unit="GB")
    book.fact("kv_llama70b_gqa_4k_gb", to_gb(table[("GQA (as shipped)", short)]),
              fmt=".2f", unit="GB")
    book.fact("kv_gqa_saving", table[("MHA", long)] / gqa, fmt=".0f", unit="×",
              expected=cfg.n_heads / cfg.n_kv_heads, source="64 / 8 K/V heads")
    book.fact("kv_llama70b_formula", gqa, text=(
        f"2 (K and V) × {cfg.n_layers} layers × {cfg.n_kv_heads} heads × "
        f"{cfg.head_dim} channels × {long:,} tokens × {BYTES_FP16} bytes"))
    book.fact("llama70b_query_heads", cfg.n_heads, fmt="d")
    book.fact("llama70b_kv_heads", cfg.n_kv_heads, fmt="d")
