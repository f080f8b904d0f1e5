"""Table and facts: pages used by n parallel samples of one prompt, with and without
sharing the prompt's pages.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md (sharing).
Runs kernels.kv_cache.PagedKVCache for real (one head of width one: only the page
bookkeeping matters here): the prompt is cached once and forked n - 1 times, then
each sample appends its own tokens one at a time, copying a shared page on write.
"""

import math

import torch

from kernels.kv_cache import PagedKVCache

PROMPT, OUT, PAGE = 500, 200, 16
SAMPLES = (1, 2, 4, 8)


# --8<-- [start:share]
def pages_used(n_samples: int, share: bool) -> int:
    cache = PagedKVCache(PAGE, n_pages=1000, n_heads=1, head_dim=1)
    prompt = torch.zeros(1, PROMPT, 1)
    for s in range(n_samples):
        if share and s > 0:
            cache.fork(0, s)             # same pages, reference counts + 1
        else:
            cache.append(s, prompt, prompt)  # its own copy of the prompt
    token = torch.zeros(1, 1, 1)
    for _ in range(OUT):
        for s in range(n_samples):
            cache.append(s, token, token)
    return cache.pages_in_use()
# --8<-- [end:share]


def main(book):
    rows, savings = [], {}
    for n in SAMPLES:
        alone, shared = pages_used(n, False), pages_used(n, True)
        assert alone == n * math.ceil((PROMPT + OUT) / PAGE)  # no sharing: n copies
        savings[n] = 1 - shared / alone
        rows.append(f"| {n} | {alone:,} | {shared:,} | {100 * savings[n]:.0f}% |")
    # Paging moves numbers, not values: gather through a block table vs a contiguous cache.
    torch.manual_seed(0)
    paged = PagedKVCache(PAGE, n_pages=64, n_heads=2, head_dim=8)
    k, v = torch.randn(2, 300, 8), torch.randn(2, 300, 8)
    for start in range(0, 300, 7):  # uneven appends, pages taken one by one
        paged.append(0, k[:, start:start + 7], v[:, start:start + 7])
    keys, values = paged.gather(0)
    book.claim("srv_gather_exact", "equals the contiguous cache exactly",
               holds=torch.equal(keys, k) and torch.equal(values, v),
               because="torch.equal on 300 tokens appended 7 at a time")
    book.fact("srv_share_prompt", PROMPT, fmt="d", unit="tokens")
    book.fact("srv_share_out", OUT, fmt="d", unit="tokens")
    book.fact("srv_share_page", PAGE, fmt="d", unit="tokens")
    book.fact("srv_share_saving_8", 100 * savings[8], fmt=".0f", unit="%")
    book.fact("srv_share_saving_2", 100 * savings[2], fmt=".0f", unit="%")
    book.claim("srv_share_grows", "the saving grows with the number of samples",
               holds=all(savings[a] < savings[b] for a, b in zip(SAMPLES, SAMPLES[1:])),
               because=str(savings))
    book.table(
        "| samples | pages, each sample its own prompt | pages, prompt shared | saved |\n"
        "|---:|---:|---:|---:|\n" + "\n".join(rows),
        caption=(f"Parallel sampling: a {PROMPT}-token prompt, {OUT} new tokens per "
                 f"sample, {PAGE}-token pages, counted by running "
                 "kernels.kv_cache.PagedKVCache (fork and copy-on-write). "
                 "Computed by snippets/serving_long_contexts/block_sharing.py."),
    )
