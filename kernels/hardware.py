"""Accelerator and interconnect numbers, each with its source, and a roofline time.

Every snippet that needs a GPU's memory, peak throughput or a link's bandwidth asks
this file, so no hardware number is typed into a figure. Units are SI base units:
bytes, bytes per second, FLOP per second (a FLOP is one add or one multiply, as in
kernels/costs.py). Vendor "GB/s" is 1e9 bytes per second.

Sources, abbreviated in the comments below:
- A100 datasheet: NVIDIA A100 Tensor Core GPU datasheet (2021), table
  "Technical Specifications", column "A100 80GB SXM".
- nvidia-smi: the total memory it reports for an A100-SXM4-80GB, 81920 MiB.
- IB HDR: InfiniBand HDR, 200 Gb/s per port per direction (one HDR ConnectX-6 NIC
  per GPU in a DGX A100, per the DGX A100 user guide).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class GPU:
    name: str
    memory_bytes: int  # device memory the allocator can see (HBM)
    peak_flops: float  # dense bf16/fp16 tensor-core FLOP/s (no sparsity)
    hbm_bytes_per_s: float  # device-memory bandwidth
    source: str = ""


A100_80GB = GPU(
    name="A100 80GB SXM",
    memory_bytes=81920 * 2**20,  # nvidia-smi: 81920 MiB = 80 GiB ("80GB" on the box)
    peak_flops=312e12,  # A100 datasheet: BF16 Tensor Core 312 TFLOPS (dense)
    hbm_bytes_per_s=2039e9,  # A100 datasheet: GPU memory bandwidth 2,039 GB/s
    source="A100 datasheet (80GB SXM column); memory size as nvidia-smi reports it",
)

# On-chip memory of one A100 (A100 whitepaper, "SM architecture"): 108 streaming
# multiprocessors, each with 192 KB (KiB) of combined L1 cache / shared memory, the
# fast SRAM that tiled kernels such as FlashAttention keep their tiles in.
A100_SM_COUNT = 108
A100_SRAM_PER_SM_BYTES = 192 * 2**10

# Links between GPUs, bytes per second in ONE direction (what a one-way transfer or
# one step of a ring all-reduce can use).
NVLINK3_TOTAL_BYTES_PER_S = 600e9  # A100 datasheet: NVLink 600 GB/s (both ways)
NVLINK3_BYTES_PER_S = NVLINK3_TOTAL_BYTES_PER_S / 2  # 300 GB/s each way
PCIE4_X16_TOTAL_BYTES_PER_S = 64e9  # A100 datasheet: PCIe Gen4 64 GB/s (both ways)
PCIE4_X16_BYTES_PER_S = PCIE4_X16_TOTAL_BYTES_PER_S / 2  # 32 GB/s each way
INFINIBAND_HDR_BYTES_PER_S = 200e9 / 8  # IB HDR: 200 Gb/s per direction = 25 GB/s


def roofline_time_s(flops: float, bytes_moved: float, gpu: GPU) -> float:
    """Lower bound on a kernel's time: max(flops / peak, bytes / HBM bandwidth).

    The roofline model: a kernel can go no faster than its compute at peak, nor
    than moving its bytes at full memory bandwidth; the larger bound wins. Launch
    overheads, caches and imperfect overlap are ignored.
    """
    if flops < 0 or bytes_moved < 0:
        raise ValueError("flops and bytes_moved must be >= 0")
    return max(flops / gpu.peak_flops, bytes_moved / gpu.hbm_bytes_per_s)


def ridge_point(gpu: GPU) -> float:
    """FLOPs per byte at which `gpu` turns from memory-bound to compute-bound."""
    return gpu.peak_flops / gpu.hbm_bytes_per_s


# A100 40GB, the GPU of vLLM's evaluation (Kwon et al. 2023, section 6.1). Source:
# NVIDIA A100 datasheet (2021), columns "A100 40GB PCIe" and "A100 40GB SXM", which
# list the same memory bandwidth for both. nvidia-smi reports 40536 MiB for both the
# A100-SXM4-40GB and the A100-PCIE-40GB (public nvidia-smi printouts), a little less
# than 40 GiB: like the Hopper entries below, this is what the allocator can see.
A100_40GB = GPU(
    name="A100 40GB",
    memory_bytes=40536 * 2**20,  # nvidia-smi: 40536 MiB (box: 40GB)
    peak_flops=312e12,  # A100 datasheet: BF16 Tensor Core 312 TFLOPS (dense)
    hbm_bytes_per_s=1555e9,  # A100 datasheet: GPU memory bandwidth 1,555 GB/s
    source="A100 datasheet (40GB columns); memory size as nvidia-smi reports it",
)

# --- Hopper GPUs for the serving calculators (lesson 5.4.2) -------------------------
# Sources: NVIDIA H100 Tensor Core GPU datasheet (2023) and NVIDIA H200 Tensor Core
# GPU datasheet (2024), column "SXM" of each. Their BF16 figure (1,979 TFLOPS) is
# "with sparsity"; dense is half of it. Memory is the total nvidia-smi reports
# (memory.total) for the "NVIDIA H100 80GB HBM3" and "NVIDIA H200" boards: 81559 MiB
# and 143771 MiB, a little below the boxes' "80GB" and "141GB".
H100_80GB = GPU(
    name="H100 80GB SXM",
    memory_bytes=81559 * 2**20,  # nvidia-smi: 81559 MiB (box: 80GB)
    peak_flops=1979e12 / 2,  # H100 datasheet: BF16 1,979 TFLOPS with sparsity
    hbm_bytes_per_s=3.35e12,  # H100 datasheet: GPU memory bandwidth 3.35 TB/s
    source="H100 datasheet (SXM column); memory size as nvidia-smi reports it",
)
H200_141GB = GPU(
    name="H200 141GB SXM",
    memory_bytes=143771 * 2**20,  # nvidia-smi: 143771 MiB (box: 141GB)
    peak_flops=1979e12 / 2,  # H200 datasheet: BF16 1,979 TFLOPS with sparsity
    hbm_bytes_per_s=4.8e12,  # H200 datasheet: GPU memory bandwidth 4.8 TB/s
    source="H200 datasheet (SXM column); memory size as nvidia-smi reports it",
)


def all_gpus() -> list[GPU]:
    """Every GPU defined in this module, smallest memory first (the calculators'
    choices; a GPU added here appears there)."""
    return sorted((g for g in globals().values() if isinstance(g, GPU)),
                  key=lambda g: (g.memory_bytes, g.name))
