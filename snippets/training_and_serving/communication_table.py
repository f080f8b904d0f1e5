"""How long moving one gigabyte takes on each link, and what the GPU could compute.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (the
communication section). Time from kernels.training_memory.communication_time_s
(bytes / bandwidth, no latency); the FLOPs column multiplies that time by the A100's
dense bf16 peak. Bandwidths are per direction, from kernels/hardware.py. Assumptions:
a single one-way transfer at the link's full rated bandwidth, no latency, nothing
overlapped; real transfers are slower, so these times are lower bounds.
"""

from kernels.costs import GB
from kernels.hardware import (A100_80GB, INFINIBAND_HDR_BYTES_PER_S,
                              NVLINK3_BYTES_PER_S, NVLINK3_TOTAL_BYTES_PER_S,
                              PCIE4_X16_BYTES_PER_S)
from kernels.training_memory import communication_time_s

N_BYTES = 1 * GB  # the transfer the often-quoted example uses
LINKS = {  # label -> bytes per second
    "HBM, the GPU's own memory (for reference)": A100_80GB.hbm_bytes_per_s,
    "NVLink 3, one direction (GPU to GPU, same server)": NVLINK3_BYTES_PER_S,
    "PCIe Gen4 x16, one direction": PCIE4_X16_BYTES_PER_S,
    "InfiniBand HDR, one direction (server to server)": INFINIBAND_HDR_BYTES_PER_S,
}


# --8<-- [start:compute]
def compute():
    rows = {}
    for label, bandwidth in LINKS.items():
        seconds = communication_time_s(N_BYTES, bandwidth)
        rows[label] = (bandwidth, seconds, seconds * A100_80GB.peak_flops)
    return rows
# --8<-- [end:compute]


def main(book):
    rows = compute()
    lines = ["| Where the gigabyte goes | Bandwidth | Time for 1 GB | "
             "FLOPs an A100 could do meanwhile |", "|---|---:|---:|---:|"]
    for label, (bw, s, flops) in rows.items():
        lines.append(f"| {label} | {bw / GB:,.0f} GB/s | {s * 1e3:.2f} ms | "
                     f"{flops / 1e9:,.0f} billion |")
    book.table("\n".join(lines), caption=(
        "Moving 1 GB (10⁹ bytes) at each link's rated one-way bandwidth, without "
        "latency or overlap (a lower bound on the time), and how many FLOPs an A100 "
        "could have done at its dense bf16 peak of "
        f"{A100_80GB.peak_flops / 1e12:.0f} TFLOP/s in that time. "
        "Bandwidths: kernels/hardware.py, with sources."))
    _, hbm_s, _ = rows[next(iter(LINKS))]
    nv = rows["NVLink 3, one direction (GPU to GPU, same server)"]
    ib = rows["InfiniBand HDR, one direction (server to server)"]
    book.fact("scale_a100_tflops", A100_80GB.peak_flops / 1e12, fmt=".0f",
              unit="TFLOP/s", expected=312, source="often quoted: ~312 TFLOPS bf16")
    book.fact("scale_nvlink_total_gbs", NVLINK3_TOTAL_BYTES_PER_S / GB, fmt=".0f",
              unit="GB/s", expected=600, source="often quoted: NVLink ~600 GB/s")
    book.fact("scale_nvlink_gbs", NVLINK3_BYTES_PER_S / GB, fmt=".0f", unit="GB/s")
    book.fact("scale_ib_gbs", INFINIBAND_HDR_BYTES_PER_S / GB, fmt=".0f",
              unit="GB/s")
    book.fact("scale_hbm_gbs", A100_80GB.hbm_bytes_per_s / GB, fmt=",.0f",
              unit="GB/s")
    # the often-quoted arithmetic: 1 GB at the two-way 600 GB/s figure
    quoted_s = communication_time_s(N_BYTES, NVLINK3_TOTAL_BYTES_PER_S)
    book.fact("scale_1gb_600_ms", quoted_s * 1e3, fmt=".2f", unit="ms",
              expected=1.7, rel_tol=0.03, source="often quoted: 1 GB takes ~1.7 ms")
    book.fact("scale_1gb_600_gflop", quoted_s * A100_80GB.peak_flops / 1e9,
              fmt=".0f", unit="billion FLOPs", disputes=530, rel_tol=1e-3,
              source="often quoted: ~530 billion FLOPs during the 1 GB transfer")
    book.fact("scale_record_rounded_gflop", 1.7e-3 * A100_80GB.peak_flops / 1e9,
              fmt=".0f", unit="billion", expected=530, rel_tol=0.01,
              source="often quoted: ~530 billion FLOPs (1.7 ms × 312 TFLOP/s)")
    book.fact("scale_claim_ms", 1.7, fmt=".1f", unit="ms")        # quoted claim
    book.fact("scale_1gb_nvlink_ms", nv[1] * 1e3, fmt=".1f", unit="ms")
    book.fact("scale_1gb_nvlink_tflop", nv[2] / 1e12, fmt=".2f", unit="trillion FLOPs")
    book.fact("scale_1gb_ib_ms", ib[1] * 1e3, fmt=".0f", unit="ms")
    book.fact("scale_1gb_ib_tflop", ib[2] / 1e12, fmt=".1f", unit="trillion FLOPs")
    book.fact("scale_hbm_vs_nvlink", nv[1] / hbm_s, fmt=".1f", unit="×")
    book.fact("scale_nvlink_vs_ib", ib[1] / nv[1], fmt=".0f", unit="×")
