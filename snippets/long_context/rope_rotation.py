"""RoPE rotation: the same 4-position gap gives the same score at 3/7 and at 100/104.

Shown on: docs/5.3-scaling-architecture/long-context/index.md (the RoPE section).
Draws one channel pair of an 8-channel head (4 pairs, numbered 0 to 3; the drawn one
is pair 1, θ = 10000^(−2/8) = 0.1 rad per position): the unrotated q and k, the arcs
mθ and nθ each turns, and the extra (n − m)θ = 4θ between them; publishes the full
8-channel dot products as facts.
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
def _arrow(ax, angle, colour, style="-", lw=2.5, length=1.0):
    x, y = length * math.cos(angle), length * math.sin(angle)
    ax.annotate("", xy=(x, y), xytext=(0, 0),
                arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, ls=style))
    return x, y


def _label(ax, angle, text, colour, radius=1.12, **kw):
    x, y = radius * math.cos(angle), radius * math.sin(angle)
    # Anchor by the edge nearest the arrowhead, so label and arrow never touch.
    ha = "left" if x > 0.35 else "right" if x < -0.35 else "center"
    va = "bottom" if y > 0.35 else "top" if y < -0.35 else "center"
    ax.text(x, y, text, color=colour, ha=ha, va=va, fontsize=11, **kw)


def _arc(ax, start, turn, radius, colour, text, background, lw=1.5,
         text_radius=None):
    """An arc turning `turn` radians anticlockwise from angle `start`, labelled."""
    shown = turn % (2 * math.pi)  # whole turns are invisible on a circle
    ax.add_patch(Arc((0, 0), 2 * radius, 2 * radius, theta1=math.degrees(start),
                     theta2=math.degrees(start + shown), color=colour, lw=lw))
    middle = start + shown / 2
    r = text_radius or radius + 0.12
    ax.text(r * math.cos(middle), r * math.sin(middle), text, color=colour,
            ha="center", va="center", fontsize=10,
            bbox=dict(fc=background, ec="none", pad=0.5))


def draw(theme, q, k, theta, scores):
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 5.2))
    q2, k2 = q[2 * PAIR:2 * PAIR + 2], k[2 * PAIR:2 * PAIR + 2]  # the drawn pair
    q0, k0 = math.atan2(q2[1], q2[0]), math.atan2(k2[1], k2[0])  # unrotated
    for ax, (m, n) in zip(axes, POSITION_PAIRS):
        ax.add_patch(plt.Circle((0, 0), 1.0, fill=False, color=theme.grid, lw=1.5))
        # Before RoPE: the raw query and key, dashed (unit length: direction only).
        _arrow(ax, q0, theme.accent, style="--", lw=1.2)
        _arrow(ax, k0, theme.contrast, style="--", lw=1.2)
        _label(ax, q0, "q", theme.accent)
        _label(ax, k0, "k", theme.contrast)
        # After RoPE: q turned by mθ, k by nθ.
        _arrow(ax, q0 + m * theta, theme.accent)
        _arrow(ax, k0 + n * theta, theme.contrast)
        _label(ax, q0 + m * theta, f"q at {m}", theme.accent, fontweight="bold")
        _label(ax, k0 + n * theta, f"k at {n}", theme.contrast, fontweight="bold")
        _arc(ax, q0, m * theta, 0.3, theme.accent, "mθ", theme.background,
             text_radius=0.3)
        _arc(ax, k0, n * theta, 0.5, theme.contrast, "nθ", theme.background,
             text_radius=0.5)
        # Had k turned by mθ like q, the angle between them would not change; it
        # turns (n − m)θ further, and that extra turn is all the score can see.
        _arrow(ax, k0 + m * theta, theme.muted, style=":", lw=1.2, length=0.85)
        _arc(ax, k0 + m * theta, (n - m) * theta, 0.8, theme.fg, f"{n - m}θ",
             theme.background, lw=2.0, text_radius=0.8)
        ax.set_title(f"positions {m} and {n}  (gap {n - m})")
        ax.text(0, -1.45, f"mθ = {m * theta:.1f} rad, nθ = {n * theta:.1f} rad\n"
                f"{n - m}θ = {math.degrees((n - m) * theta):.1f}°", ha="center",
                va="top", color=theme.fg, fontsize=10)
        ax.text(0, -2.0, f"8-channel score = {scores[(m, n)]:.4f}",
                ha="center", va="top", color=theme.fg, fontweight="bold")
        ax.set_xlim(-1.65, 1.65)
        ax.set_ylim(-2.3, 1.55)
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
    n_pairs = HEAD_DIM // 2
    book.fact("rope_drawn_pairs", n_pairs, fmt="d", expected=4,
              source="an 8-channel head has 4 channel pairs")
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
    book.fact("lc_rope_base", base, fmt=",.0f", expected=llama.rope_base,
              source="RoFormer's base, kept by LLaMA 2 (presets: rope_base)")
    for key, preset in (("mixtral", "mixtral-8x7b"), ("llama3", "llama3-8b")):
        book.fact(f"lc_rope_base_{key}", get_preset(preset).rope_base, fmt=",.0f")
    train_len = llama.max_seq_len
    assert FAR_PAIR[0] > train_len, "the checkpoint pair must lie beyond training"
    book.fact("llama2_train_len", train_len, text=f"{train_len // 1024}K")
    book.fact("rope_far_query", FAR_PAIR[0], fmt=",d")
    book.fact("rope_far_key", FAR_PAIR[1], fmt=",d")
    book.fact("rope_score_far", scores[FAR_PAIR], fmt=".4f")
    book.figure(
        lambda theme: draw(theme, q, k, theta, scores),
        alt=(f"Two unit circles. Each shows the unrotated query and key as dashed "
             f"arrows and the rotated ones as solid arrows, with arcs for the turn of "
             f"each. Left: query at position {m1} and key at {n1}; right: query at "
             f"{m2} and key at {n2}. In both, the key has turned "
             f"{n1 - m1}θ = {math.degrees((n1 - m1) * theta):.1f}° further than the "
             f"query, and the printed 8-channel scores are equal: "
             f"{scores[(m1, n1)]:.4f}."),
        caption=(f"One channel pair of a query and a key before (dashed) and after "
                 f"(solid) RoPE: pair {PAIR} of the {n_pairs} pairs in a "
                 f"{HEAD_DIM}-channel head, θ = {theta:.1f} rad per position. The "
                 "query turns mθ, the key nθ (arcs in radians; whole turns do not "
                 "show). The dotted arrow is where the key would be had it turned "
                 "only mθ, like the query: the angle between q and k would be "
                 f"unchanged. The key turns (n − m)θ = {n1 - m1}θ further in both "
                 "panels, so the score sees the same relative turn. Scores under "
                 f"each panel are the full {HEAD_DIM}-channel dot products, computed "
                 "with kernels.rope.apply_rope."),
    )
