"""RoPE rotation: the same 4-position gap gives the same score at 3/7 and at 100/104.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the RoPE section).
Draws one channel pair of an 8-channel head (pair 1, θ = 10000^(−2/8) = 0.1 rad per
position) and publishes the full 8-channel dot products as facts.
"""

import inspect
import math

import matplotlib.pyplot as plt
from matplotlib.patches import Arc
import torch

from kernels.presets import get_preset
from kernels.rope import apply_rope, rope_frequencies

HEAD_DIM = 8
PAIR = 1                  # the pair drawn; its angle per position is θ_1
POSITION_PAIRS = ((3, 7), (100, 104))
FAR_PAIR = (5000, 5004)   # the checkpoint's pair: beyond a 4K training length


# --8<-- [start:rope_by_hand]
def rope_by_hand(x, m, base=10000.0):
    """Rotate a query or key x (D numbers) for position m, pair by pair."""
    out = x.clone()
    for i in range(len(x) // 2):               # pair i: channels 2i, 2i+1
        angle = m * base ** (-2 * i / len(x))  # pair i turns θ_i per position
        c, s = math.cos(angle), math.sin(angle)
        a, b = x[2 * i], x[2 * i + 1]
        out[2 * i] = c * a - s * b             # the 2-D rotation of (a, b)
        out[2 * i + 1] = s * a + c * b
    return out
# --8<-- [end:rope_by_hand]


# --8<-- [start:compute]
def rotated_dot(q, k, m, n):
    """Score between a query at position m and a key at position n, after RoPE."""
    q_rot = apply_rope(q[None, :], torch.tensor([m]))[0]
    k_rot = apply_rope(k[None, :], torch.tensor([n]))[0]
    return float(q_rot @ k_rot)


def compute():
    gen = torch.Generator().manual_seed(7)
    q = torch.randn(HEAD_DIM, generator=gen, dtype=torch.float64)
    k = torch.randn(HEAD_DIM, generator=gen, dtype=torch.float64)
    theta = float(rope_frequencies(HEAD_DIM)[PAIR])
    scores = {(m, n): rotated_dot(q, k, m, n) for m, n in (*POSITION_PAIRS, FAR_PAIR)}
    unrotated = float(q @ k)
    # The loop above and the kernel must rotate identically.
    assert torch.allclose(rope_by_hand(q, 100),
                          apply_rope(q[None, :], torch.tensor([100]))[0])
    return q, k, theta, scores, unrotated


def clock_hands(head_dim):
    """Positions per full turn of the fastest and the slowest pair of a head."""
    theta = rope_frequencies(head_dim)
    return float(2 * math.pi / theta[0]), float(2 * math.pi / theta[-1])
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, q, k, theta, scores):
    fig, axes = plt.subplots(1, 2, figsize=(8, 4.3))
    q2, k2 = q[2 * PAIR:2 * PAIR + 2], k[2 * PAIR:2 * PAIR + 2]  # the drawn pair
    for ax, (m, n) in zip(axes, POSITION_PAIRS):
        ax.add_patch(plt.Circle((0, 0), 1.0, fill=False, color=theme.grid, lw=1.5))
        angles = []
        for vec, pos, colour, label in ((q2, m, theme.accent, "q"),
                                        (k2, n, theme.contrast, "k")):
            angle = math.atan2(vec[1], vec[0]) + pos * theta
            angles.append(angle)
            x, y = math.cos(angle), math.sin(angle)   # unit length: direction only
            ax.annotate("", xy=(x, y), xytext=(0, 0),
                        arrowprops=dict(arrowstyle="-|>", color=colour, lw=2.5))
            # Anchor the label by its edge nearest the arrowhead, so the two never
            # touch whatever the angle.
            ha = "left" if x > 0.35 else "right" if x < -0.35 else "center"
            va = "bottom" if y > 0.35 else "top" if y < -0.35 else "center"
            ax.text(1.1 * x, 1.1 * y, f"{label} at {pos}", color=colour,
                    ha=ha, va=va, fontsize=12, fontweight="bold")
        between = math.degrees(angles[1] - angles[0]) % 360  # q to k, anticlockwise
        start = math.degrees(angles[0])
        ax.add_patch(Arc((0, 0), 0.7, 0.7, theta1=start, theta2=start + between,
                         color=theme.fg, lw=1.5))
        middle = math.radians(start + between / 2)
        ax.text(0.6 * math.cos(middle), 0.6 * math.sin(middle), f"{between:.1f}°",
                ha="center", va="center", color=theme.fg, fontsize=12)
        ax.set_title(f"positions {m} and {n}  (gap {n - m})")
        ax.text(0, -1.55, f"8-channel score = {scores[(m, n)]:.4f}",
                ha="center", color=theme.fg)
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.75, 1.5)
        ax.set_aspect("equal")
        ax.axis("off")
    return fig
# --8<-- [end:draw]


def main(book):
    q, k, theta, scores, unrotated = compute()
    (m1, n1), (m2, n2) = POSITION_PAIRS
    book.fact("rope_theta_pair1", theta, unit="rad per position", fmt=".1f")
    book.fact("rope_gap", n1 - m1, fmt="d")
    book.fact("rope_near_query", m1, fmt="d")
    book.fact("rope_near_key", n1, fmt="d")
    book.fact("rope_moved_query", m2, fmt="d")
    book.fact("rope_moved_key", n2, fmt="d")
    book.fact("rope_angle_gap_deg", math.degrees((n1 - m1) * theta), unit="°",
              fmt=".1f")
    book.fact("rope_score_3_7", scores[(m1, n1)], fmt=".4f")
    book.fact("rope_score_100_104", scores[(m2, n2)], fmt=".4f")
    # Equal in exact arithmetic; in float64 only rounding separates them.
    book.bound("rope_score_difference", scores[(m1, n1)] - scores[(m2, n2)],
               dtype="float64")
    book.fact("rope_score_unrotated", unrotated, fmt=".4f")
    llama = get_preset("llama2-70b")
    fast, slow = clock_hands(llama.head_dim)
    book.fact("lc_rope_pairs_70b", llama.head_dim // 2, fmt="d")
    book.fact("lc_rope_fast_period", fast, fmt=".1f")
    book.fact("lc_rope_slow_period", slow, fmt=",.0f")
    book.fact("lc_rope_head_dim", HEAD_DIM, fmt="d")
    base = inspect.signature(rope_frequencies).parameters["base"].default
    book.fact("lc_rope_base", base, fmt=",.0f")
    train_len = llama.max_seq_len
    assert FAR_PAIR[0] > train_len, "the checkpoint pair must lie beyond training"
    book.fact("llama2_train_len", train_len, text=f"{train_len // 1024}K")
    book.fact("rope_far_query", FAR_PAIR[0], fmt=",d")
    book.fact("rope_far_key", FAR_PAIR[1], fmt=",d")
    book.fact("rope_score_far", scores[FAR_PAIR], fmt=".4f")
    book.figure(
        lambda theme: draw(theme, q, k, theta, scores),
        alt=(f"Two unit circles. Left: query at position {m1} and key at {n1}; right: "
             f"query at {m2} and key at {n2}. In both, the marked angle from query "
             f"to key is the same, and the printed 8-channel scores are equal: "
             f"{scores[(m1, n1)]:.4f}."),
        caption=(f"One channel pair of a query and a key after RoPE (pair {PAIR} of "
                 f"{HEAD_DIM}, {theta:.1f} rad per position). Both vectors turn by "
                 f"their own position, so the angle between them depends only on the "
                 f"gap: {n1 - m1} positions in both panels. The scores under each "
                 f"panel are the full {HEAD_DIM}-channel dot products, computed with "
                 "kernels.rope.apply_rope."),
    )
