"""Numbers for the Module 5.4 test, each computed from the kernels and presets.

Shown on: docs/5.4-past-the-quadratic-wall/module-test.md. Facts only, no figure.
The scenarios are new (other models, lengths and page sizes than the lessons use),
so a question tests the idea, not the memory of a number on a page.
"""

import dataclasses

import torch

from kernels.costs import param_count
from kernels.hardware import A100_80GB, roofline_time_s
from kernels.kv_cache import PagedKVCache, compare_fragmentation
from kernels.presets import get_preset, get_ssm_preset
from kernels.recall import (fixed_state_read, fixed_state_write, kv_cache_read,
                            random_pairs, recall_accuracy)
from kernels.ssm import inference_cache_bytes, scan_rounds
from kernels.ring_attention import ring_sent_elements
from kernels.serving_memory import decode_flops_per_token, kv_bytes_per_token, kv_cache_size

GiB, MiB = 2**30, 2**20
SSM_MODEL, SHORT, LONG = "mamba-1.4b", 4096, 1_048_576
HYBRID, HYBRID_LEN, DENSER_ATTENTION = "jamba-v0.1", 262_144, 8
SCAN_TOKENS = 65_536
RECALL_D, RECALL_N, RECALL_WIDE_D, RECALL_DRAWS = 24, 96, 48, 5
RECALL_SHARPNESS = 4.0  # softmax scale = sharpness · √d, as in lesson 5.4.1
CACHE_MODEL, CACHE_LEN, CACHE_BATCH = "llama3-8b", 32_768, 8
FINAL_LENGTHS, RESERVED, PAGE = [120, 700, 1500, 60], 2048, 16
PROMPT, SAMPLES, NEW_TOKENS, SHARE_PAGE = 512, 4, 100, 16
DECODE_MODEL, DECODE_CONTEXT = "llama2-7b", 4096
RING_TOKENS, RING_DEVICES, RING_HEAD_DIM = 1_000_000, 16, 128


# --8<-- [start:ssm]
def ssm_facts():
    mamba, jamba = get_ssm_preset(SSM_MODEL), get_ssm_preset(HYBRID)
    denser = dataclasses.replace(jamba, n_attention_layers=DENSER_ATTENTION)
    return dict(short=inference_cache_bytes(mamba, SHORT),
                long=inference_cache_bytes(mamba, LONG),
                jamba=inference_cache_bytes(jamba, HYBRID_LEN),
                denser=inference_cache_bytes(denser, HYBRID_LEN),
                jamba_attention=jamba.n_attention_layers, layers=jamba.n_layers,
                rounds=scan_rounds(SCAN_TOKENS))


def recall_facts():
    gen = torch.Generator().manual_seed(0)

    def accuracies(d):
        fixed = cache = 0.0
        for _ in range(RECALL_DRAWS):
            keys, values = random_pairs(RECALL_N, d, gen)
            fixed += recall_accuracy(fixed_state_read(fixed_state_write(keys, values),
                                                      keys), values)
            cache += recall_accuracy(kv_cache_read(keys, values, keys,
                                                   scale=RECALL_SHARPNESS * d ** 0.5),
                                     values)
        return fixed / RECALL_DRAWS, cache / RECALL_DRAWS

    return dict(narrow=accuracies(RECALL_D), wide=accuracies(RECALL_WIDE_D))
# --8<-- [end:ssm]


# --8<-- [start:cache]
def cache_facts():
    cfg = get_preset(CACHE_MODEL)
    size = kv_cache_size(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, CACHE_LEN,
                         batch=CACHE_BATCH)
    as_mha = kv_cache_size(cfg.n_layers, cfg.n_heads, cfg.head_dim, CACHE_LEN,
                           batch=CACHE_BATCH)
    bf16 = kv_bytes_per_token(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, "bf16")
    int4 = kv_bytes_per_token(cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, "int4")
    return dict(size=size, as_mha=as_mha, keys_only=size // 2, one=size // CACHE_BATCH,
                int4_share=int4 / bf16, kv_heads=cfg.n_kv_heads, q_heads=cfg.n_heads,
                head_dim=cfg.head_dim, layers=cfg.n_layers)
# --8<-- [end:cache]


# --8<-- [start:paging]
def paging_facts():
    waste = compare_fragmentation(FINAL_LENGTHS, RESERVED, PAGE)
    # Parallel sampling: one prompt, SAMPLES continuations, with and without sharing.
    h, d = 1, 4  # the page count does not depend on the head shape
    shared = PagedKVCache(SHARE_PAGE, 1000, h, d)
    shared.append(0, torch.zeros(h, PROMPT, d), torch.zeros(h, PROMPT, d))
    for child in range(1, SAMPLES):
        shared.fork(0, child)
    separate = PagedKVCache(SHARE_PAGE, 1000, h, d)
    for seq in range(SAMPLES):
        separate.append(seq, torch.zeros(h, PROMPT, d), torch.zeros(h, PROMPT, d))
    for cache in (shared, separate):
        for seq in range(SAMPLES):
            cache.append(seq, torch.zeros(h, NEW_TOKENS, d), torch.zeros(h, NEW_TOKENS, d))
    return dict(contiguous=waste["contiguous"], paged=waste["paged"],
                used=sum(FINAL_LENGTHS), pages_shared=shared.pages_in_use(),
                pages_separate=separate.pages_in_use())
# --8<-- [end:paging]


# --8<-- [start:decode]
def decode_facts():
    cfg = get_preset(DECODE_MODEL)
    flops = decode_flops_per_token(cfg, DECODE_CONTEXT)["total"]
    read = 2 * param_count(cfg)["total"] + kv_cache_size(
        cfg.n_layers, cfg.n_kv_heads, cfg.head_dim, DECODE_CONTEXT)
    base = roofline_time_s(flops, read, A100_80GB)
    more_flops = dataclasses.replace(A100_80GB, peak_flops=2 * A100_80GB.peak_flops)
    more_bw = dataclasses.replace(A100_80GB, hbm_bytes_per_s=2 * A100_80GB.hbm_bytes_per_s)
    return dict(flops_gain=base / roofline_time_s(flops, read, more_flops),
                bw_gain=base / roofline_time_s(flops, read, more_bw))
# --8<-- [end:decode]


def ring_facts():
    whole_kv = 2 * RING_TOKENS * RING_HEAD_DIM  # K and V of the sequence, per head
    return dict(block=RING_TOKENS // RING_DEVICES, held=2 / RING_DEVICES,
                sent=ring_sent_elements(RING_TOKENS, RING_HEAD_DIM, RING_DEVICES) / whole_kv)


def main(book):
    m = ssm_facts()
    book.fact("mt54_ssm_short", SHORT, fmt=",d", unit="tokens")
    book.fact("mt54_ssm_long", LONG, fmt=",d", unit="tokens")
    book.fact("mt54_ssm_state_mib", m["short"] / MiB, fmt=".2f", unit="MiB")
    book.claim("mt54_ssm_state_constant", "the same",
               holds=m["short"] == m["long"],
               because=f"inference_cache_bytes: {m['short']} == {m['long']} bytes")
    book.fact("mt54_ssm_ratio", LONG // SHORT, fmt="d", unit="×")
    book.fact("mt54_ssm_scaled_gib", m["short"] * (LONG // SHORT) / GiB, fmt=".1f",
              unit="GiB")
    book.fact("mt54_hybrid_len", HYBRID_LEN, fmt=",d", unit="tokens")
    book.fact("mt54_hybrid_layers", m["layers"], fmt="d", unit="layers")
    book.fact("mt54_hybrid_attention", m["jamba_attention"], fmt="d",
              unit="attention layers")
    book.fact("mt54_hybrid_denser", DENSER_ATTENTION, fmt="d", unit="attention layers")
    book.fact("mt54_hybrid_gib", m["jamba"] / GiB, fmt=".2f", unit="GiB")
    book.fact("mt54_hybrid_denser_gib", m["denser"] / GiB, fmt=".2f", unit="GiB")
    book.claim("mt54_hybrid_nearly_doubles", "nearly doubles",
               holds=1.9 < m["denser"] / m["jamba"] < 2.0,
               because=f"{m['denser'] / m['jamba']:.3f}×: the K/V part doubles, the "
                       "Mamba states shrink a little")
    book.fact("mt54_scan_tokens", SCAN_TOKENS, fmt=",d", unit="tokens")
    book.fact("mt54_scan_rounds", m["rounds"], fmt="d", unit="rounds",
              expected=16, source="⌈log₂ 65,536⌉")
    r = recall_facts()
    book.fact("mt54_recall_d", RECALL_D, fmt="d")
    book.fact("mt54_recall_wide_d", RECALL_WIDE_D, fmt="d")
    book.fact("mt54_recall_n", RECALL_N, fmt="d", unit="pairs")
    book.fact("mt54_recall_state_numbers", RECALL_D ** 2, fmt=",d", unit="numbers")
    book.fact("mt54_recall_wide_numbers", RECALL_WIDE_D ** 2, fmt=",d", unit="numbers")
    book.fact("mt54_recall_cache_numbers", 2 * RECALL_N * RECALL_D, fmt=",d",
              unit="numbers")
    book.fact("mt54_recall_fixed", r["narrow"][0], fmt=".0%")
    book.fact("mt54_recall_wide_fixed", r["wide"][0], fmt=".0%")
    book.fact("mt54_recall_cache", r["narrow"][1], fmt=".0%")
    book.claim("mt54_recall_wider_not_enough", "better, but still short of the cache",
               holds=r["narrow"][0] < r["wide"][0] < r["narrow"][1],
               because=f"{r['narrow'][0]:.3f} < {r['wide'][0]:.3f} < {r['narrow'][1]:.3f}")

    c = cache_facts()
    book.fact("mt54_cache_model_kv_heads", c["kv_heads"], fmt="d", unit="K/V heads")
    book.fact("mt54_cache_model_q_heads", c["q_heads"], fmt="d", unit="query heads")
    book.fact("mt54_cache_len", CACHE_LEN, fmt=",d", unit="tokens")
    book.fact("mt54_cache_batch", CACHE_BATCH, fmt="d", unit="conversations")
    book.fact("mt54_cache_gib", c["size"] / GiB, fmt=".0f", unit="GiB",
              expected=32.0, rel_tol=1e-12, source="2·32·8·128·2 B × 32,768 × 8")
    book.fact("mt54_cache_as_mha_gib", c["as_mha"] / GiB, fmt=".0f", unit="GiB")
    book.fact("mt54_cache_keys_only_gib", c["keys_only"] / GiB, fmt=".0f", unit="GiB")
    book.fact("mt54_cache_one_gib", c["one"] / GiB, fmt=".0f", unit="GiB")
    book.fact("mt54_int4_share", 100 * c["int4_share"], fmt=".1f", unit="%")
    book.fact("mt54_head_dim", c["head_dim"], fmt="d", unit="numbers")
    book.fact("mt54_cache_layers", c["layers"], fmt="d", unit="layers")

    p = paging_facts()
    for i, n in enumerate(FINAL_LENGTHS, start=1):
        book.fact(f"mt54_length_{i}", n, fmt=",d")
    book.fact("mt54_reserved", RESERVED, fmt=",d", unit="tokens")
    book.fact("mt54_page", PAGE, fmt="d", unit="tokens")
    book.fact("mt54_waste_contiguous", 100 * p["contiguous"], fmt=".0f", unit="%")
    book.fact("mt54_waste_paged", 100 * p["paged"], fmt=".1f", unit="%")
    book.fact("mt54_share_prompt", PROMPT, fmt="d", unit="tokens")
    book.fact("mt54_share_samples", SAMPLES, fmt="d")
    book.fact("mt54_share_new", NEW_TOKENS, fmt="d", unit="tokens")
    book.fact("mt54_pages_shared", p["pages_shared"], fmt="d", unit="pages")
    book.fact("mt54_pages_separate", p["pages_separate"], fmt="d", unit="pages")
    book.fact("mt54_prompt_pages", PROMPT // SHARE_PAGE, fmt="d", unit="pages")
    book.fact("mt54_new_pages", -(-NEW_TOKENS // SHARE_PAGE), fmt="d", unit="pages")
    book.claim("mt54_prompt_fills_pages", "ends on a page boundary",
               holds=PROMPT % SHARE_PAGE == 0, because=f"{PROMPT} % {SHARE_PAGE} == 0")
    book.claim("mt54_pages_add_up", "the prompt's pages once, plus each sample's own",
               holds=p["pages_shared"] == PROMPT // SHARE_PAGE
               + SAMPLES * -(-NEW_TOKENS // SHARE_PAGE),
               because="PagedKVCache.pages_in_use after fork and append")

    d = decode_facts()
    book.fact("mt54_decode_context", DECODE_CONTEXT, fmt=",d", unit="tokens")
    book.fact("mt54_flops_gain", d["flops_gain"], fmt=".2f", unit="×")
    book.fact("mt54_bw_gain", d["bw_gain"], fmt=".2f", unit="×")

    r = ring_facts()
    book.fact("mt54_ring_tokens", RING_TOKENS, fmt=",d", unit="tokens")
    book.fact("mt54_ring_devices", RING_DEVICES, fmt="d", unit="devices")
    book.fact("mt54_ring_block", r["block"], fmt=",d", unit="tokens")
    book.fact("mt54_ring_held", 100 * r["held"], fmt=".1f", unit="%")
    book.fact("mt54_ring_sent", 100 * r["sent"], fmt=".2f", unit="%")

