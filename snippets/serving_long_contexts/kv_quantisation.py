"""Table and facts: bytes and error of an int8 / int4 KV cache with one scale per token
or per channel, measured on the keys and values of a small GPT trained in the build.

Shown on: docs/5.4-past-the-quadratic-wall/serving-long-contexts/index.md
(quantisation). Pretrained weights cannot be downloaded where the book is built, so
the model is kernels.gpt2.GPT shrunk to 2 layers of width 64 and trained for STEPS
steps on the characters of four of the book's kernel source files (seeded). Errors are relative:
‖x̂ − x‖ / ‖x‖ over the whole tensor, averaged over the layers. The "outlier" column
repeats the key measurement with channel 0 multiplied by OUTLIER, imitating the fixed
outlier channels Liu et al. (2024) report in real keys (the model itself has none),
and reports the error on the other channels.
Bytes: kernels.kv_cache.quantized_bytes for LLaMA 2 7B's head width, CONTEXT tokens,
fp16 scales, divided by the fp16 cache.
"""

import dataclasses
import inspect

import torch
import torch.nn.functional as F

import kernels.attention
import kernels.gpt2
import kernels.kv_cache
import kernels.presets
from kernels.attention import attention
from kernels.gpt2 import GPT
from kernels.kv_cache import dequantize_int8, quantize_symmetric, quantized_bytes
from kernels.presets import PRESETS, get_preset

STEPS, BATCH, T, SEED, OUTLIER, CONTEXT = 300, 8, 64, 0, 10.0, 4096
LAYERS, WIDTH, HEADS = 2, 64, 4
SCHEMES = ((8, "token"), (8, "channel"), (4, "token"), (4, "channel"))


def trained_kv():
    """[(q, k, v) per layer], each (1, H, T, D), from the trained small GPT.

    Single-threaded: summation order then does not depend on the thread count, so
    every build trains the same model to the same bits."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train_and_capture()
    finally:
        torch.set_num_threads(threads)


def _train_and_capture():
    # The source text of the kernels this snippet imports: real English and code,
    # available offline, and tracked as dependencies, so a change re-runs the snippet.
    text = "".join(inspect.getsource(m) for m in (kernels.kv_cache, kernels.attention,
                                                  kernels.gpt2, kernels.presets))
    chars = sorted(set(text))
    data = torch.tensor([chars.index(c) for c in text])
    torch.manual_seed(SEED)
    cfg = dataclasses.replace(PRESETS["gpt2-small"], n_layers=LAYERS, d_model=WIDTH,
                              n_heads=HEADS, n_kv_heads=HEADS,
                              head_dim=WIDTH // HEADS, d_ff=4 * WIDTH,
                              vocab_size=len(chars), max_seq_len=T)
    model = GPT(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(STEPS):
        starts = torch.randint(len(data) - T - 1, (BATCH,)).tolist()
        x = torch.stack([data[s:s + T] for s in starts])
        y = torch.stack([data[s + 1:s + T + 1] for s in starts])
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
    caught = []
    for block in model.blocks:  # the fused QKV projection's output, (1, T, 3C)
        block.attn.c_attn.register_forward_hook(lambda m, i, o: caught.append(o))
    with torch.no_grad():
        model(data[-T:].unsqueeze(0))
    heads = lambda t: t.view(1, T, cfg.n_heads, cfg.head_dim).transpose(1, 2)
    return [tuple(heads(t) for t in o.split(cfg.d_model, dim=2)) for o in caught], loss.item()


# --8<-- [start:error]
def rel_error(x: torch.Tensor, bits: int, axis: str) -> float:
    x_hat = dequantize_int8(*quantize_symmetric(x, bits, axis))
    return float((x_hat - x).norm() / x.norm())


def output_error(q, k, v, bits: int, axis: str) -> float:
    """Relative error of the attention output when K and V are quantised."""
    exact = attention(q, k, v, is_causal=True)
    k_hat = dequantize_int8(*quantize_symmetric(k, bits, axis))
    v_hat = dequantize_int8(*quantize_symmetric(v, bits, axis))
    return float((attention(q, k_hat, v_hat, is_causal=True) - exact).norm()
                 / exact.norm())
# --8<-- [end:error]


def measure():
    layers, loss = trained_kv()
    mean = lambda f: sum(f(*qkv) for qkv in layers) / len(layers)
    res = {}
    for bits, axis in SCHEMES:
        def outlier_k(q, k, v):
            """Error on the ordinary channels once channel 0 is made an outlier."""
            big = k.clone()
            big[..., 0] *= OUTLIER
            err = dequantize_int8(*quantize_symmetric(big, bits, axis)) - big
            return float(err[..., 1:].norm() / k[..., 1:].norm())
        res[bits, axis] = {
            "k": mean(lambda q, k, v: rel_error(k, bits, axis)),
            "v": mean(lambda q, k, v: rel_error(v, bits, axis)),
            "out": mean(lambda q, k, v: output_error(q, k, v, bits, axis)),
            "k_outlier": mean(outlier_k),
        }
    return res, loss


def main(book):
    res, loss = measure()
    d = get_preset("llama2-7b").head_dim
    fp16 = CONTEXT * d * 2
    size = {s: quantized_bytes(CONTEXT, d, *s) / fp16 for s in SCHEMES}
    rows = [f"| int{b}, one scale per {a} | {100 * size[b, a]:.1f}% | "
            f"{100 * r['k']:.2f}% | {100 * r['v']:.2f}% | {100 * r['out']:.2f}% | "
            f"{100 * r['k_outlier']:.1f}% |" for (b, a), r in res.items()]
    book.fact("srv_q_layers", LAYERS, fmt="d", unit="layers")
    book.fact("srv_q_width", WIDTH, fmt="d")
    # Quoted from KIVI's abstract (Liu et al. 2024) and KVQuant's (Hooper et al. 2024).
    book.fact("srv_kivi_mem", 2.6, text="2.6×", source="KIVI abstract: 2.6x less peak memory")
    book.fact("srv_kivi_batch", 4, text="4×", source="KIVI abstract: up to 4x larger batch")
    book.fact("srv_kivi_tput", 2.35, text="2.35× to 3.47×",
              source="KIVI abstract: 2.35x-3.47x throughput")
    book.fact("srv_kvquant_ctx", 1, text="one million tokens",
              source="KVQuant: LLaMA-7B with 1M context on a single A100-80GB")
    book.claim("srv_q_not_half", "not exactly half", holds=size[8, "token"] > 0.5,
               because=f"int8 with per-token scales is {size[8, 'token']:.4f} of fp16")
    book.fact("srv_q_steps", STEPS, fmt="d", unit="steps")
    book.fact("srv_q_loss", loss, fmt=".2f", unit="nats")
    book.fact("srv_q_outlier", OUTLIER, fmt=".0f", text=f"{OUTLIER:.0f}×")
    book.fact("srv_q_context", CONTEXT, fmt=",d", unit="tokens")
    book.fact("srv_q_size_int8", 100 * size[8, "token"], fmt=".1f", unit="%")
    book.fact("srv_q_size_int4", 100 * size[4, "token"], fmt=".1f", unit="%")
    book.fact("srv_q_size_int4_ch", 100 * size[4, "channel"], fmt=".1f", unit="%")
    book.fact("srv_q_head_dim", d, fmt="d")
    for (b, a), r in res.items():
        book.fact(f"srv_q_out_int{b}_{a}", 100 * r["out"], fmt=".2f", unit="%")
        book.fact(f"srv_q_k_int{b}_{a}", 100 * r["k"], fmt=".1f", unit="%")
        book.fact(f"srv_q_ko_int{b}_{a}", 100 * r["k_outlier"], fmt=".1f", unit="%")
    # The point is that per-channel scales buy nothing without outlier channels; how
    # far apart the two land is training noise (the corpus is kernel source text).
    book.claim("srv_q_no_outlier_gain", "no lower than that of",
               holds=res[4, "channel"]["k"] >= res[4, "token"]["k"],
               because=f"int4 key error: channel {res[4, 'channel']['k']:.4f}, "
                       f"token {res[4, 'token']['k']:.4f}")
    book.claim("srv_q_outlier_gain", "less than half",
               holds=res[4, "channel"]["k_outlier"] < 0.5 * res[4, "token"]["k_outlier"],
               because=f"{res[4, 'channel']['k_outlier']:.3f} vs "
                       f"{res[4, 'token']['k_outlier']:.3f}")
    book.fact("srv_q_int4_ratio", res[4, "token"]["out"] / res[8, "token"]["out"],
              fmt=".0f")
    # int4 steps are 127/7 ≈ 18 times coarser than int8 steps.
    book.claim("srv_q_int4_worse", "close to the ratio of the two step sizes, 127 / 7 ≈ 18",
               holds=12 < res[4, "token"]["out"] / res[8, "token"]["out"] < 26,
               because=f"{res[4, 'token']['out']:.4f} vs {res[8, 'token']['out']:.4f}")
    book.table(
        "| scheme | bytes vs fp16 | key error | value error | attention output error "
        "| key error on the other channels, one channel ×" + f"{OUTLIER:.0f} |\n"
        "|---|---:|---:|---:|---:|---:|\n" + "\n".join(rows),
        caption=(f"Bytes: a {CONTEXT:,}-token cache of head width {d} (LLaMA 2 7B), "
                 "fp16 scales included (kernels.kv_cache.quantized_bytes). Errors: "
                 "relative, on the keys and values of a 2-layer GPT trained in the "
                 f"build for {STEPS} steps. Computed by "
                 "snippets/serving_long_contexts/kv_quantisation.py."),
    )
