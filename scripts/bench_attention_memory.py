"""Measured peak memory of naive vs tiled attention, next to the predicted counts.

Run: .venv/bin/python scripts/bench_attention_memory.py

For each sequence length T it runs one head of fp32 causal attention (B = H = 1,
D = 64) both ways under kernels.memory.measure_peak_bytes and prints the peak bytes
torch held, beside 4 bytes × the element counts of naive_peak_elements and
tiled_peak_elements. The predictions leave out what both methods need or what is not
a float; the gap between measured and predicted is that:
- naive: the (T, T) bool causal mask and its negation, 2 bytes per score;
- tiled: the (T, D) fp32 output (the last column) plus one tile's bool mask.
"""

import sys
from pathlib import Path

import torch

# Run as a script, Python puts scripts/ on the path, not the repo root with kernels/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kernels.attention import attention  # noqa: E402
from kernels.memory import measure_peak_bytes  # noqa: E402
from kernels.tiled_attention import (  # noqa: E402
    naive_peak_elements,
    tiled_attention,
    tiled_peak_elements,
)

HEAD_DIM = 64  # a typical head width (GPT-2, LLaMA)
BLOCK = 64  # query and key tile size of the tiled kernel
LENGTHS = (256, 512, 1024, 2048, 4096)
BYTES_PER_FP32 = 4


def measure(t: int) -> dict[str, int]:
    """Measured and predicted peak bytes for one sequence length."""
    q, k, v = (torch.randn(1, 1, t, HEAD_DIM) for _ in range(3))
    _, naive = measure_peak_bytes(attention, q, k, v, is_causal=True)
    _, tiled = measure_peak_bytes(
        tiled_attention, q, k, v, block_q=BLOCK, block_k=BLOCK, is_causal=True
    )
    return {
        "T": t,
        "naive measured": naive,
        "naive predicted": BYTES_PER_FP32 * naive_peak_elements(t, HEAD_DIM),
        "tiled measured": tiled,
        "tiled predicted": BYTES_PER_FP32
        * tiled_peak_elements(t, HEAD_DIM, BLOCK, BLOCK),
        "output": BYTES_PER_FP32 * t * HEAD_DIM,
    }


def main() -> list[dict[str, int]]:
    """Print the table and return its rows."""
    torch.manual_seed(0)
    # One thread: the numbers do not depend on it, and on a busy 2-core machine
    # intra-op threads waiting for each other make the ~2,000 small tiles 10x slower.
    torch.set_num_threads(1)
    rows = [measure(t) for t in LENGTHS]
    columns = list(rows[0])
    print(" | ".join(f"{name:>15}" for name in columns))
    for row in rows:
        print(" | ".join(f"{row[name]:>15,}" for name in columns))
    return rows


if __name__ == "__main__":
    main()
