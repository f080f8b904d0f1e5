"""One table of per-dtype tolerances for every kernel test.

Each kernel is compared with an fp64 reference (or SDPA) computed from the same inputs.
The numbers are the loosest error we accept for a *correct* kernel in that dtype with
head dimensions up to ~128 and sequence lengths up to ~1K; a wrong kernel (a missing
scale, a mask off by one, a softmax over the wrong axis) misses them by orders of
magnitude.
"""

import torch

TOLERANCES = {
    torch.float64: {"atol": 1e-10, "rtol": 1e-10},
    torch.float32: {"atol": 2e-5, "rtol": 2e-5},
    torch.float16: {"atol": 2e-3, "rtol": 2e-3},
    torch.bfloat16: {"atol": 2e-2, "rtol": 2e-2},
}


def assert_close(actual: torch.Tensor, expected: torch.Tensor, dtype=None) -> None:
    """assert_close with the tolerance of `dtype` (default: actual's dtype).

    Both tensors are compared in fp64 so the reference's precision is not lost.
    """
    tol = TOLERANCES[dtype or actual.dtype]
    torch.testing.assert_close(actual.double(), expected.double(), **tol)
