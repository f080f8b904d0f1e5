"""Figure and facts: how many requests fit when each reserves its maximum length
versus when it holds only the pages its tokens fill.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (paging).
Uses kernels.kv_cache.batch_that_fits and compare_fragmentation. The setting is
vLLM's: OPT-13B in fp16 on an A100 40GB, all memory after the weights given to the
cache (an upper bound: activations are ignored). Request lengths are synthetic and
seeded (log-normal, median MEDIAN tokens, clipped to the model's 2,048), not a trace.
"""

import matplotlib.pyplot as plt
import numpy as np

from kernels.costs import kv_cache_bytes, param_count
from kernels.hardware import A100_40GB
from kernels.kv_cache import batch_that_fits, compare_fragmentation
from kernels.presets import get_preset

MEDIAN, N_REQUESTS, SEED = 300, 400, 0
PAGE = 16  # vLLM's default block size (tokens)
PAGE_SIZES = (1, 4, 16, 64, 256, 2048)


def setting():
    cfg = get_preset("opt-13b")
    free = A100_40GB.memory_bytes - 2 * param_count(cfg)["total"]
    slots = free // kv_cache_bytes(cfg, seq_len=1)  # tokens the cache can hold
    rng = np.random.default_rng(SEED)
    lens = np.exp(rng.normal(np.log(MEDIAN), 0.8, N_REQUESTS)).round()
    lens = np.clip(lens, 1, cfg.max_seq_len).astype(int).tolist()
    return cfg.max_seq_len, int(slots), lens


# --8<-- [start:admit]
def admit(max_len: int, slots: int, lens: list[int]) -> dict:
    contiguous = batch_that_fits(lens, slots, max_len=max_len)
    paged = batch_that_fits(lens, slots, page_size=PAGE)
    waste = {p: compare_fragmentation(lens[:paged], max_len, p)["paged"]
             for p in PAGE_SIZES}
    # The same batch of `paged` requests held contiguously at max_len each:
    waste["contiguous"] = compare_fragmentation(lens[:paged], max_len, PAGE)["contiguous"]
    return {"contiguous": contiguous, "paged": paged, "waste": waste}
# --8<-- [end:admit]


def draw(theme):
    max_len, slots, lens = setting()
    r = admit(max_len, slots, lens)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.6, 3.6),
                                      gridspec_kw={"width_ratios": [1, 1.6]})
    bars = left.bar(["contiguous\n2,048 each", f"paged\n{PAGE} per page"],
                    [r["contiguous"], r["paged"]], color=[theme.contrast, theme.accent])
    left.bar_label(bars, color=theme.fg)
    left.set_ylabel("requests in the batch")
    sizes = list(PAGE_SIZES)
    right.plot(sizes, [100 * r["waste"][p] for p in sizes], marker="o",
               color=theme.accent, label="paged")
    right.axhline(100 * r["waste"]["contiguous"], color=theme.contrast, ls="--",
                  label="contiguous at 2,048")
    right.set_xscale("log", base=2)
    right.set_xlabel("page size (tokens)")
    right.set_ylabel("reserved slots left empty (%)")
    right.set_ylim(0, 100)
    right.legend(fontsize=12, loc="center left")
    fig.tight_layout()
    return fig


def main(book):
    max_len, slots, lens = setting()
    r = admit(max_len, slots, lens)
    batch = lens[: r["paged"]]
    # Quoted from the vLLM abstract (Kwon et al. 2023), baselines FasterTransformer
    # and Orca, "with the same level of latency".
    book.fact("srv_vllm_gain", 2, text="2-4×", source="Kwon et al. 2023, abstract")
    book.fact("srv_sim_median", MEDIAN, fmt="d", unit="tokens")
    book.fact("srv_sim_mean_len", float(np.mean(batch)), fmt=".0f", unit="tokens")
    book.fact("srv_sim_slots", slots, fmt=",d", unit="token slots")
    book.fact("srv_sim_page", PAGE, fmt="d", unit="tokens")
    book.fact("srv_sim_contig", r["contiguous"], fmt="d", unit="requests")
    book.fact("srv_sim_paged", r["paged"], fmt="d", unit="requests")
    book.fact("srv_sim_ratio", r["paged"] / r["contiguous"], fmt=".1f", text=None)
    book.fact("srv_sim_waste_contig", 100 * r["waste"]["contiguous"], fmt=".0f", unit="%")
    book.fact("srv_sim_waste_paged", 100 * r["waste"][PAGE], fmt=".1f", unit="%")
    book.fact("srv_sim_waste_2048", 100 * r["waste"][2048], fmt=".0f", unit="%")
    book.claim("srv_sim_more", "several times as many",
               holds=r["paged"] >= 3 * r["contiguous"],
               because=f"{r['paged']} vs {r['contiguous']} requests")
    book.figure(
        draw,
        alt=("Left: bars of requests admitted, few for contiguous reservation, several "
             "times more for paged. Right: percentage of reserved slots left empty "
             "rises with page size; at 2,048-token pages it equals contiguous."),
        caption=(f"OPT-13B on an A100 40GB, {N_REQUESTS} seeded synthetic requests "
                 f"(median {MEDIAN} tokens) admitted first come, first served "
                 "(kernels.kv_cache.batch_that_fits); right, the waste of the paged "
                 "batch for each page size (compare_fragmentation). Drawn by "
                 "snippets/serving_long_contexts/paged_vs_contiguous.py."),
    )
