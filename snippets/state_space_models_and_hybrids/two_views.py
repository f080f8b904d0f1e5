"""One LTI SSM run two ways (convolution and recurrence), and the selective scan run
three ways (loop, chunks, parallel scan), all in fp64.

Shown on: docs/5.4-past-the-quadratic-wall/state-space-models-and-hybrids/index.md.
"""

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

from kernels.ssm import (lti_kernel, lti_ssm_convolution, lti_ssm_recurrent,
                         scan_rounds, selective_scan_chunked, selective_scan_parallel,
                         selective_scan_recurrent)

T, N = 64, 4                  # time steps, state size of the toy LTI SSM
LONG = 2 ** 20                # a million-token sequence, for the round count


# --8<-- [start:lti]
def lti_two_ways():
    gen = torch.Generator().manual_seed(0)
    a_bar = torch.tensor([0.95, 0.8, 0.6, 0.3], dtype=torch.float64)  # Ā = exp(ΔA)
    b_bar = torch.ones(N, dtype=torch.float64)
    c = torch.randn(N, generator=gen, dtype=torch.float64)
    x = torch.randn(1, T, generator=gen, dtype=torch.float64)
    kernel = lti_kernel(a_bar, b_bar, c, T)              # K_k = C Ā^k B̄
    y_conv = lti_ssm_convolution(x, a_bar, b_bar, c)     # training: one FFT conv
    y_rec = lti_ssm_recurrent(x, a_bar, b_bar, c)        # inference: state of N
    return x[0], kernel, y_conv[0], y_rec[0]
# --8<-- [end:lti]


def selective_three_ways():
    gen = torch.Generator().manual_seed(1)
    bsz, t, d, n = 2, 97, 5, 4
    x = torch.randn(bsz, t, d, generator=gen, dtype=torch.float64)
    delta = F.softplus(torch.randn(bsz, t, d, generator=gen, dtype=torch.float64))
    A = -torch.exp(torch.randn(d, n, generator=gen, dtype=torch.float64))
    B, C = (torch.randn(bsz, t, n, generator=gen, dtype=torch.float64) for _ in "BC")
    loop = selective_scan_recurrent(x, delta, A, B, C)
    gaps = {"parallel": selective_scan_parallel(x, delta, A, B, C),
            "chunked": selective_scan_chunked(x, delta, A, B, C, chunk=16)}
    return t, {k: float((v - loop).abs().max()) for k, v in gaps.items()}


def draw(theme, x, kernel, y_conv, y_rec):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 6.2))
    steps = range(T)
    top.plot(steps, x, color=theme.muted, lw=1, label="input x")
    top.plot(steps, y_conv, color=theme.accent, lw=2, label="output, convolution")
    top.plot(steps, y_rec, ls="none", marker="o", ms=3.5, color=theme.contrast,
             label="output, recurrence")
    top.set_ylabel("value")
    top.set_xlabel("time step t")
    top.set_ylim(-10, 7)
    top.legend(loc="lower right")
    top.set_title("Same model, two ways to run it", loc="left")
    bottom.stem(steps, kernel, linefmt=theme.good, markerfmt="o", basefmt=" ")
    bottom.set_xlabel("k, steps back in time")
    bottom.set_ylabel(r"kernel $K_k$")
    bottom.set_title("The convolution kernel", loc="left")
    fig.tight_layout()
    return fig


def main(book):
    x, kernel, y_conv, y_rec = lti_two_ways()
    lti_gap = float((y_conv - y_rec).abs().max())
    book.bound("ssm_lti_gap", lti_gap, dtype="float64")
    book.claim("ssm_lti_same", "the same function", holds=lti_gap < 1e-12,
               because=f"max |convolution − recurrence| = {lti_gap:.1e} in fp64")
    t, gaps = selective_three_ways()
    book.bound("ssm_parallel_gap", gaps["parallel"], dtype="float64")
    book.bound("ssm_chunked_gap", gaps["chunked"], dtype="float64")
    book.fact("ssm_sel_len", t, fmt="d")
    book.fact("ssm_lti_len", T, fmt="d")
    book.fact("ssm_lti_state", N, fmt="d")
    book.fact("ssm_long_len", LONG, fmt=",d")
    book.fact("ssm_long_rounds", scan_rounds(LONG), fmt="d", expected=20,
              source="⌈log₂ 2²⁰⌉ = 20")
    book.fact("ssm_sel_rounds", scan_rounds(t), fmt="d")
    book.figure(
        lambda theme: draw(theme, x, kernel, y_conv, y_rec),
        alt=(f"Top: a random input of {T} steps and the output of one LTI state-space "
             "model computed two ways; the line (convolution) passes through every "
             "dot (recurrence). Bottom: the convolution kernel, one number per step "
             "back in time: it mixes the four decay rates, so it dips below zero at "
             "k = 0, peaks a few steps back and then fades towards zero."),
        caption=(f"An LTI SSM with a state of {N} numbers, run by "
                 "kernels.ssm.lti_ssm_convolution (build the kernel K once, one FFT "
                 "convolution over all steps) and kernels.ssm.lti_ssm_recurrent (one "
                 "step at a time, carrying only the state). The outputs agree to fp64 "
                 "rounding."))
