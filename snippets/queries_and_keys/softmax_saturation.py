"""Why divide by √d_k: score size, softmax saturation and its gradient at d_k = 3, 64, 512.

Shown on: docs/4.2-attention-and-the-transformer/queries-and-keys/index.md.
Queries and keys have independent entries of mean 0 and variance 1 (what a freshly
initialised, normalised model roughly gives); each row scores one query against
KEYS keys.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

WIDTHS = (3, 8, 64, 128, 512)  # d_k measured (8 and 128: the checkpoint's widths)
SHOWN = (3, 64, 512)       # the ones the figure and the prose compare
ROWS, KEYS = 2000, 16      # query rows sampled per width, keys per row
ONE_HOT = 0.99             # a row counts as one-hot when one weight exceeds this


# --8<-- [start:compute]
def softmax_jacobian_norm(p: torch.Tensor) -> torch.Tensor:
    """‖∂p/∂s‖_F per row for p = softmax(s): the Jacobian is diag(p) − p pᵀ.
    p (R, n) -> (R,). Near a one-hot p every entry is near 0: no gradient flows."""
    jac = torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)  # (R, n, n)
    return jac.flatten(1).norm(dim=-1)


def measure(d_k: int, seed: int = 0) -> dict:
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(ROWS, 1, d_k, generator=gen, dtype=torch.float64)
    k = torch.randn(ROWS, KEYS, d_k, generator=gen, dtype=torch.float64)
    scores = (q * k).sum(-1)  # (ROWS, KEYS): q·k for every key
    result = {"std": float(scores.std())}
    for name, s in (("raw", scores), ("scaled", scores / math.sqrt(d_k))):
        p = torch.softmax(s, dim=-1)
        result[f"max_{name}"] = float(p.max(-1).values.mean())
        result[f"grad_{name}"] = float(softmax_jacobian_norm(p).mean())
        # Rows so saturated that one key takes more than 99 % of the weight.
        result[f"onehot_{name}"] = float((p.max(-1).values > ONE_HOT).double().mean())
    return result


def compute():
    return {d: measure(d) for d in WIDTHS}
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, m):
    fig, axes = plt.subplots(1, 3, figsize=(7.4, 4.4))
    x = np.arange(len(SHOWN))
    dks = np.geomspace(2, 700, 100)
    axes[0].plot(dks, np.sqrt(dks), color=theme.muted, lw=1.5, label="√$d_k$")
    axes[0].scatter(SHOWN, [m[d]["std"] for d in SHOWN], color=theme.accent,
                    zorder=3, s=60, label="measured")
    axes[0].set_xscale("log")
    axes[0].set_xticks(SHOWN, [str(d) for d in SHOWN])
    axes[0].set_title("spread of the\nscores q·k", fontsize=13)
    axes[0].set_ylabel("standard deviation")
    axes[0].legend(loc="upper left")
    for ax, key, title in ((axes[1], "max", f"largest weight\nin a row of {KEYS}"),
                           (axes[2], "grad", "softmax gradient\nsize ‖∂p/∂s‖")):
        raw = [m[d][f"{key}_raw"] for d in SHOWN]
        scaled = [m[d][f"{key}_scaled"] for d in SHOWN]
        ax.bar(x - 0.2, raw, 0.4, color=theme.warn, label="$q \\cdot k$")
        ax.bar(x + 0.2, scaled, 0.4, color=theme.good, label="$q \\cdot k$ / √$d_k$")
        ax.set_xticks(x, [str(d) for d in SHOWN])
        ax.set_title(title, fontsize=13)
        ax.set_ylim(0, 1.6 * max(raw + scaled))  # room for the legend
        ax.legend(loc="upper left")
    for ax in axes:
        ax.set_xlabel("$d_k$")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    m = compute()
    for d in WIDTHS:
        book.fact(f"sat_std_{d}", m[d]["std"], fmt=".1f",
                  expected=math.sqrt(d), rel_tol=0.05, source="√d_k")
        book.fact(f"sat_sqrt_{d}", math.sqrt(d), fmt=".1f")
    for d in SHOWN:
        for key in ("max_raw", "max_scaled", "grad_raw", "grad_scaled"):
            book.fact(f"sat_{key}_{d}", m[d][key], fmt=".2f")
        for key in ("onehot_raw", "onehot_scaled"):
            book.fact(f"sat_{key}_{d}", 100 * m[d][key], fmt=".0f", unit="%")
    book.fact("sat_keys", KEYS, fmt="d")
    book.fact("sat_onehot_threshold", 100 * ONE_HOT, fmt=".0f", unit="%")
    book.fact("sat_grad_ratio_512", m[512]["grad_scaled"] / m[512]["grad_raw"],
              fmt=".1f")
    book.claim("sat_scaled_flat_across_widths", "about the same at every width",
               holds=max(m[d]["max_scaled"] for d in SHOWN)
               - min(m[d]["max_scaled"] for d in SHOWN) < 0.05,
               because=str([round(m[d]["max_scaled"], 3) for d in SHOWN]))
    # The two example rows quoted in the lesson.
    rows = {"gentle": [1.7, -0.3, 0.5, 0.8], "harsh": [22.0, -15, 3, 8]}
    for name, row in rows.items():
        book.fact(f"sat_{name}_in", 0, text="(" + ", ".join(
            f"{x:g}".replace("-", "−") for x in row) + ")")
    gentle = torch.softmax(torch.tensor(rows["gentle"], dtype=torch.float64), 0)
    harsh = torch.softmax(torch.tensor(rows["harsh"], dtype=torch.float64), 0)
    book.fact("sat_gentle", 0, text="(" + ", ".join(f"{p:.2f}" for p in gentle) + ")")
    book.fact("sat_harsh_top", harsh[0], fmt=".7f")
    book.fact("sat_harsh_second", harsh[3], fmt="sci:2")
    book.figure(
        lambda theme: draw(theme, m),
        alt=("Three panels over d_k = 3, 64 and 512. Left: the measured spread of "
             f"q·k follows √d_k ({m[3]['std']:.1f}, {m[64]['std']:.1f}, "
             f"{m[512]['std']:.1f}). Middle: without scaling the largest weight in "
             f"a row climbs towards 1 ({m[512]['max_raw']:.2f} at 512); with scaling "
             f"it stays near {m[512]['max_scaled']:.2f}. Right: without scaling the "
             "softmax gradient shrinks as d_k grows; with scaling it stays put."),
        caption=(f"Measured on random queries and keys with unit-variance entries, "
                 f"{ROWS} rows of {KEYS} keys per width. The spread of a dot product "
                 "grows like √d_k; unscaled, the softmax turns nearly one-hot and "
                 "its gradient collapses; divided by √d_k, both stay where they "
                 "were at d_k = 3."))
