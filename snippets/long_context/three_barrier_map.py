"""The three barriers to long context, each as a computed curve with its fix.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the hook).
1. Position: a learned position table (GPT-2's) has no row past its training length.
2. Compute: attention-score FLOPs grow with the square of the context.
3. Memory: the KV cache grows linearly, times the number of K/V heads.
"""

import matplotlib.pyplot as plt
import numpy as np

from kernels.costs import attention_score_flops, kv_cache_bytes, to_gb
from kernels.presets import get_preset

LENGTHS = np.unique(np.geomspace(1024, 131072, 29).astype(int))


# --8<-- [start:compute]
def compute():
    gpt2, llama, mistral = (get_preset(n) for n in ("gpt2-small", "llama2-70b",
                                                     "mistral-7b"))
    # 1. share of positions in a context of n tokens that have no learned embedding
    no_embedding = [max(0, n - gpt2.max_seq_len) / n for n in LENGTHS]
    # 2. attention-score FLOPs per layer, causal: full vs a sliding window
    full = [attention_score_flops(n, llama.n_heads, llama.head_dim, causal=True)
            for n in LENGTHS]
    window = [attention_score_flops(n, llama.n_heads, llama.head_dim,
                                    window=mistral.sliding_window) for n in LENGTHS]
    # 3. KV cache of one sequence in fp16: every head cached vs 8 shared K/V heads
    mha = [to_gb(kv_cache_bytes(llama, seq_len=n, n_kv_heads=llama.n_heads))
           for n in LENGTHS]
    gqa = [to_gb(kv_cache_bytes(llama, seq_len=n)) for n in LENGTHS]
    return dict(gpt2=gpt2, llama=llama, mistral=mistral, no_embedding=no_embedding,
                full=full, window=window, mha=mha, gqa=gqa)
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, d):
    fig, axes = plt.subplots(1, 3, figsize=(8.1, 4.0))
    k = LENGTHS / 1024
    ax = axes[0]
    ax.plot(k, np.array(d["no_embedding"]) * 100, color=theme.warn)
    ax.set_title("1 · Position")
    ax.set_ylabel("% of positions with no\nlearned embedding (GPT-2)")
    ax.set_ylim(0, 105)
    ax = axes[1]
    ax.plot(k, d["full"], color=theme.warn, label="full causal")
    ax.plot(k, d["window"], color=theme.good, label="window")
    ax.set_yscale("log")  # log–log: quadratic is slope 2, the window slope 1
    ax.set_title("2 · Compute")
    ax.set_ylabel("attention FLOPs per layer\n(LLaMA 2 70B shape)")
    ax.legend(loc="upper left", handlelength=1.0, borderaxespad=0.2)
    ax = axes[2]
    ax.plot(k, d["mha"], color=theme.warn, label=f"{d['llama'].n_heads} K/V heads")
    ax.plot(k, d["gqa"], color=theme.good, label=f"{d['llama'].n_kv_heads} K/V heads")
    ax.set_yscale("log")  # log–log: linear growth is a slope-1 line, 8× an offset
    ax.set_title("3 · Memory")
    ax.set_ylabel("KV cache per sequence (GB, fp16)\n(LLaMA 2 70B)")
    ax.set_ylim(top=max(d["mha"]) * 30)  # headroom for the legend
    ax.legend(loc="upper left", handlelength=1.0, borderaxespad=0.2)
    for ax, fix in zip(axes, ("fix: RoPE", "fix: sparse or linear attention",
                              "fix: GQA / MQA")):
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 4, 16, 128], ["1K", "4K", "16K", "128K"])
        ax.set_xlabel("context length (tokens)")
        ax.text(0.5, -0.38, fix, transform=ax.transAxes, ha="center",
                color=theme.good, fontweight="bold")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    d = compute()
    last = len(LENGTHS) - 1
    book.fact("gpt2_max_positions", d["gpt2"].max_seq_len, fmt=",d")
    book.fact("no_embedding_share_128k", 100 * d["no_embedding"][last], fmt=".1f",
              unit="%")
    book.fact("mistral_window", d["mistral"].sliding_window, fmt=",d")
    book.fact("window_flops_saving_128k", d["full"][last] / d["window"][last],
              fmt=".0f", unit="×", disputes=32, rel_tol=0.05,
              source="often quoted: 'for w=4096 and n=128K, 32x cheaper'")
    # Where the quoted 32× comes from: n² (every pair, future ones too) over n·w.
    book.fact("lc_window_ratio_n_over_w", LENGTHS[last] / d["mistral"].sliding_window,
              fmt=".0f", unit="×", expected=32, rel_tol=1e-9,
              source="131072 / 4096")
    book.figure(
        lambda theme: draw(theme, d),
        alt=("Three line charts against context length from 1K to 128K tokens. "
             "Position: the share of positions without a learned GPT-2 embedding "
             f"rises from 0 to {100 * d['no_embedding'][last]:.1f}%. Compute: full "
             "causal attention FLOPs rise quadratically while a sliding window rises "
             "linearly; both axes are logarithmic. Memory: the KV cache grows "
             f"linearly, {d['llama'].n_heads // d['llama'].n_kv_heads} times larger "
             f"with {d['llama'].n_heads} K/V heads than with {d['llama'].n_kv_heads}."),
        caption=(
            "The three barriers, each computed. Position: GPT-2's learned table has "
            f"{d['gpt2'].max_seq_len:,} rows, so at 128K tokens "
            f"{100 * d['no_embedding'][last]:.1f}% of positions have none. Compute: "
            "causal attention-score FLOPs per layer for LLaMA 2 70B's head shape, "
            f"full versus Mistral's {d['mistral'].sliding_window:,}-token window "
            f"({d['full'][last] / d['window'][last]:.0f}× fewer at 128K). Memory: "
            "LLaMA 2 70B's fp16 KV cache for one sequence with every head cached "
            f"versus its {d['llama'].n_kv_heads} shared K/V heads. Compute and memory "
            "use logarithmic axes, so straight lines are powers: slope 2 is "
            "quadratic, slope 1 linear."),
    )
