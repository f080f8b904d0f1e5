"""Table and facts: which changes speed up a memory-bound decode step, on the roofline.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (decoding
is bandwidth-bound). LLaMA 2 7B (kernels.presets) on an A100 80GB (kernels.hardware),
fp16, a batch of BATCH sequences each with CONTEXT cached tokens. One decode step
reads every weight once and every sequence's cache once (bytes); its FLOPs are
2 · parameters per token plus kernels.roofline.attention_decode per layer. The time
is kernels.hardware.roofline_time_s: max(FLOPs / peak, bytes / bandwidth), a lower
bound that ignores launch overheads. Speculative decoding: K draft tokens, each
accepted with probability ALPHA (kernels.speculative.expected_tokens_per_step); the
draft model's own cost is ignored, so its row is an upper bound.
"""

from dataclasses import replace

from kernels.costs import kv_cache_bytes, param_count
from kernels.hardware import A100_80GB, roofline_time_s
from kernels.kv_cache import quantized_bytes
from kernels.presets import get_preset
from kernels.roofline import attention_decode
from kernels.speculative import expected_tokens_per_step

BATCH, CONTEXT, WINDOW, K, ALPHA, BIG_BATCH = 8, 4096, 1024, 4, 0.8, 32
GiB = 2**30


# --8<-- [start:step]
def decode_step(cfg, gpu, *, batch=BATCH, n_kv_heads=None, window=None,
                kv_ratio=1.0, verify=1, tokens_per_seq=1.0):
    """(seconds per generated token, KV bytes, FLOPs per byte) of one decode step.

    verify: positions scored per sequence in the step (K + 1 when checking drafts);
    tokens_per_seq: tokens each sequence gains from the step."""
    params = param_count(cfg)["total"]
    seen = min(CONTEXT, window or CONTEXT)  # cached tokens each query reads
    kv = kv_ratio * kv_cache_bytes(cfg, seq_len=seen, batch=batch,
                                   n_kv_heads=n_kv_heads or cfg.n_kv_heads)
    attn = attention_decode(seen, cfg.n_heads, cfg.head_dim).flops * cfg.n_layers
    flops = batch * verify * (2 * params + attn)
    bytes_moved = 2 * params + kv  # weights once, every cache once
    seconds = roofline_time_s(flops, bytes_moved, gpu)
    return seconds / (batch * tokens_per_seq), kv, flops / bytes_moved
# --8<-- [end:step]


def rows():
    cfg, gpu = get_preset("llama2-7b"), A100_80GB
    d = cfg.head_dim
    int8 = quantized_bytes(CONTEXT, d, 8, "token") / (CONTEXT * d * 2)
    int4 = quantized_bytes(CONTEXT, d, 4, "token") / (CONTEXT * d * 2)
    spec = expected_tokens_per_step(ALPHA, K)
    return cfg, gpu, spec, [
        ("baseline: MHA, fp16", "—", decode_step(cfg, gpu)),
        ("GQA, 8 K/V heads", "smaller cache", decode_step(cfg, gpu, n_kv_heads=8)),
        ("MQA, 1 K/V head", "smaller cache", decode_step(cfg, gpu, n_kv_heads=1)),
        (f"window of {WINDOW:,} tokens", "smaller cache",
         decode_step(cfg, gpu, window=WINDOW)),
        ("int8 cache (per-token scales)", "smaller cache",
         decode_step(cfg, gpu, kv_ratio=int8)),
        ("int4 cache (per-token scales)", "smaller cache",
         decode_step(cfg, gpu, kv_ratio=int4)),
        (f"batch {BIG_BATCH} instead of {BATCH}", "more tokens per read",
         decode_step(cfg, gpu, batch=BIG_BATCH)),
        (f"speculative, {K} drafts, α = {ALPHA}", "more tokens per read",
         decode_step(cfg, gpu, verify=K + 1, tokens_per_seq=spec)),
        ("twice the FLOP/s", "more compute",
         decode_step(cfg, replace(gpu, peak_flops=2 * gpu.peak_flops))),
        ("twice the memory bandwidth", "faster reads",
         decode_step(cfg, replace(gpu, hbm_bytes_per_s=2 * gpu.hbm_bytes_per_s))),
    ]


def main(book):
    cfg, gpu, spec, table = rows()
    base = table[0][2][0]
    speed = {name: base / r[0] for name, _, r in table}
    lines = [f"| {name} | {kind} | {r[1] / GiB:.2f} | {r[2]:.0f} | {1e3 * r[0]:.3f} | "
             f"{base / r[0]:.2f}× |" for name, kind, r in table]
    from kernels.hardware import ridge_point
    book.fact("srv_dec_batch", BATCH, fmt="d")
    book.fact("srv_dec_big_batch", BIG_BATCH, fmt="d")
    book.fact("srv_dec_context", CONTEXT, fmt=",d", unit="tokens")
    book.fact("srv_dec_intensity", table[0][2][2], fmt=".0f", unit="FLOPs per byte")
    book.fact("srv_dec_ridge", ridge_point(gpu), fmt=".0f", unit="FLOPs per byte")
    book.fact("srv_dec_base_ms", 1e3 * base, fmt=".2f", unit="ms")
    book.fact("srv_dec_tok_s", 1 / base, fmt=",.0f", unit="tokens/s")
    book.fact("srv_dec_gqa", speed["GQA, 8 K/V heads"], fmt=".2f")
    book.fact("srv_dec_int8", speed["int8 cache (per-token scales)"], fmt=".2f")
    book.fact("srv_dec_batch_gain", speed[f"batch {BIG_BATCH} instead of {BATCH}"],
              fmt=".2f")
    book.fact("srv_dec_big_batch_kv", table[6][2][1] / GiB, fmt=".0f", unit="GiB")
    book.fact("srv_dec_spec_tokens", spec, fmt=".2f", unit="tokens")
    book.fact("srv_dec_spec_gain", speed[f"speculative, {K} drafts, α = {ALPHA}"],
              fmt=".2f")
    flops2 = speed["twice the FLOP/s"]
    book.claim("srv_dec_flops_useless", "not at all",
               holds=abs(flops2 - 1) < 1e-9, because=f"speed-up {flops2}")
    book.claim("srv_dec_all_memory_bound", "every row stays below the ridge point",
               # Half the A100's ridge is the ridge of the faster-memory row, the
               # lowest of all the GPUs in the table.
               holds=all(r[2] < ridge_point(gpu) / 2 for _, _, r in table),
               because=str([round(r[2]) for _, _, r in table]))
    bw2 = speed["twice the memory bandwidth"]
    book.claim("srv_dec_bw_halves", "halves the time", holds=abs(bw2 - 2) < 1e-9,
               because=f"speed-up {bw2}")
    weights = 2 * param_count(cfg)["total"]
    book.fact("srv_dec_weights_gib", weights / GiB, fmt=".1f", unit="GiB")
    book.fact("srv_dec_kv_gib", table[0][2][1] / GiB, fmt=".0f", unit="GiB")
    book.claim("srv_dec_cache_larger", "the cache is the larger read",
               holds=table[0][2][1] > weights,
               because=f"cache {table[0][2][1] / GiB:.1f} GiB vs weights {weights / GiB:.1f}")
    book.table(
        "| change | lever | KV cache read (GiB) | FLOPs per byte | ms per token | "
        "speed-up |\n|---|---|---:|---:|---:|---:|\n" + "\n".join(lines),
        caption=(f"One decode step of LLaMA 2 7B on an A100 80GB, fp16, {BATCH} "
                 f"sequences of {CONTEXT:,} cached tokens unless the row says "
                 "otherwise; time per generated token from the roofline "
                 "(kernels.hardware.roofline_time_s), a lower bound. The speculative "
                 "row ignores the draft model's cost. Computed by "
                 "snippets/serving_long_contexts/decode_levers.py."),
    )
