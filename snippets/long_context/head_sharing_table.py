"""MHA, GQA, MQA and "just use fewer heads", side by side, for LLaMA 2 70B's width.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (GQA is not fewer heads).
"Fewer heads" follows the multi-head rule head_dim = d_model / heads, with as many
heads as GQA has K/V heads. Bytes from kernels.costs.kv_cache_bytes in fp16;
GB = 10⁹ bytes.
"""

from kernels.costs import kv_cache_bytes, to_gb
from kernels.presets import get_preset

MODEL = "llama2-70b"
SEQ_LEN = 131072
BYTES_FP16 = 2


# --8<-- [start:compute]
def compute():
    cfg = get_preset(MODEL)
    few = cfg.n_kv_heads                 # "fewer heads": as many heads as GQA's K/V
    rows = [  # (name, query heads, K/V heads, head_dim)
        ("MHA", cfg.n_heads, cfg.n_heads, cfg.head_dim),
        ("GQA (LLaMA 2 70B)", cfg.n_heads, cfg.n_kv_heads, cfg.head_dim),
        ("MQA", cfg.n_heads, 1, cfg.head_dim),
        (f"Fewer heads ({few})", few, few, cfg.d_model // few),
    ]
    out = []
    for name, hq, hkv, dim in rows:
        per_token = kv_cache_bytes(cfg, seq_len=1, n_kv_heads=hkv, head_dim=dim,
                                   bytes_per_element=BYTES_FP16)
        per_seq = kv_cache_bytes(cfg, seq_len=SEQ_LEN, n_kv_heads=hkv, head_dim=dim,
                                 bytes_per_element=BYTES_FP16)
        out.append((name, hq, hkv, dim, per_token, per_seq))
    return cfg, out
# --8<-- [end:compute]


def main(book):
    cfg, rows = compute()
    lines = ["| Variant | Query heads (attention patterns) | K/V heads | Head dim | "
             f"KV cache per token | KV cache, one {SEQ_LEN // 1024}K sequence |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, hq, hkv, dim, per_token, per_seq in rows:
        lines.append(f"| {name} | {hq} | {hkv} | {dim:,} | "
                     f"{per_token / 1e6:.3f} MB | {to_gb(per_seq):,.1f} GB |")
    book.table("\n".join(lines), caption=(
        f"Four ways to arrange attention at LLaMA 2 70B's width "
        f"(\\(d_\\text{{model}}\\) "
        f"{cfg.d_model:,}, {cfg.n_layers} layers), fp16 cache, GB = 10⁹ bytes. "
        "\"Fewer heads\" splits the width into fewer, wider heads "
        "(head dim = \\(d_\\text{model}\\) / heads), as multi-head attention does."))
    mha, gqa, mqa, few = rows
    book.fact("lc_d_model_70b", cfg.d_model, fmt=",d")
    book.fact("lc_fewer_heads", few[1], fmt="d")
    book.fact("lc_fewer_heads_dim", few[3], fmt=",d")
    book.fact("lc_fewer_heads_kv_128k_gb", to_gb(few[5]), fmt=",.0f", unit="GB")
    assert few[5] == mha[5]  # K/V width is heads × head_dim = d_model either way
    narrow = kv_cache_bytes(cfg, seq_len=SEQ_LEN, n_kv_heads=few[1],
                            bytes_per_element=BYTES_FP16)
    assert narrow == gqa[5]  # 8 heads of 128 channels cache exactly what GQA does
    book.fact("lc_fewer_narrow_width", few[1] * cfg.head_dim, fmt=",d")
    book.fact("lc_query_width_70b", cfg.n_heads * cfg.head_dim, fmt=",d")
    book.fact("lc_head_dim_70b", cfg.head_dim, fmt="d")
