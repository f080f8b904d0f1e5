"""Where Mixtral's parameters sit: stored versus used per token, by component.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (parameter-compute
decoupling). Bars from kernels.costs.param_count on the presets: Mistral 7B (the dense
model Mixtral's experts are shaped like), Mixtral's active parameters per token,
Mixtral's stored parameters, and eight whole copies of Mistral 7B (what the name
"8x7B" suggests).
"""

import matplotlib.pyplot as plt

import dataclasses

from kernels.costs import param_count
from kernels.presets import get_preset

PARTS = ("norm", "embedding", "attention", "ffn")  # norms beside embeddings
LABELS = {"embedding": "embeddings, LM head, norms", "attention": "attention",
          "ffn": "feed-forward (experts + router)", "norm": None}  # norms: a sliver


# --8<-- [start:compute]
def compute():
    mistral, mixtral = get_preset("mistral-7b"), get_preset("mixtral-8x7b")
    p7, px = param_count(mistral), param_count(mixtral)
    layers = mixtral.n_layers
    expert = (px["ffn"] - layers * mixtral.d_model * mixtral.n_experts) // (
        layers * mixtral.n_experts)  # one expert of one layer
    idle = layers * (mixtral.n_experts - mixtral.experts_per_token) * expert
    active = dict(px, ffn=px["ffn"] - idle)  # only the FFN shrinks per token
    bars = {
        "Mistral 7B\n(dense)": {k: p7[k] for k in PARTS},
        "Mixtral: used\nper token": {k: active[k] for k in PARTS},
        "Mixtral: stored": {k: px[k] for k in PARTS},
        f"{mixtral.n_experts} × Mistral 7B\n(the name's\nsuggestion)":
            {k: mixtral.n_experts * p7[k] for k in PARTS},
    }
    return mixtral, bars
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, mixtral, bars):
    colours = {"embedding": theme.contrast, "attention": theme.accent,
               "ffn": theme.good, "norm": theme.contrast}
    fig, ax = plt.subplots(figsize=(8, 4.6))
    names = list(bars)[::-1]  # first bar on top
    for y, name in enumerate(names):
        left = 0.0
        for part in PARTS:
            width = bars[name][part] / 1e9
            ax.barh(y, width, left=left, color=colours[part], height=0.62,
                    label=LABELS[part] if y == 0 else None)
            left += width
        # Embeddings and norms are a sliver at this scale (a few pixels wide), so
        # the label says how much they are.
        small = (bars[name]["embedding"] + bars[name]["norm"]) / 1e9
        ax.text(left + 0.8, y,
                f"{left:.1f} B\n(embeddings, head,\nnorms: {small:.2f} B)",
                va="center", color=theme.fg, linespacing=1.2)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("parameters (billions)")
    ax.set_xlim(0, 78)
    ax.grid(axis="x", color=theme.grid)
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.42, -0.2), ncol=2)
    return fig
# --8<-- [end:draw]


def main(book):
    mixtral, bars = compute()
    stored = bars["Mixtral: stored"]
    total = sum(stored.values())
    naive = sum(next(v for k, v in bars.items() if k.startswith(
        f"{mixtral.n_experts} ×")).values())
    shared = stored["embedding"] + stored["attention"] + stored["norm"]
    book.fact("moe_naive_8x7_b", naive / 1e9, fmt=".1f", unit="B")
    # SwiGLU experts have three matrices (gate, up, down); with two, as in GPT-2's
    # FFN, the same shapes would give a much smaller model.
    mixtral = get_preset("mixtral-8x7b")
    per_expert = 3 * mixtral.d_model * mixtral.d_ff
    two_matrix = param_count(dataclasses.replace(mixtral, ffn="gelu"))
    book.fact("moe_expert_params_m", per_expert / 1e6, fmt=".1f", unit="M")
    book.fact("moe_expert_matrix_m", per_expert / 3 / 1e6, fmt=".1f", unit="M")
    book.fact("moe_mixtral_d_ff", mixtral.d_ff, fmt=",d")
    book.fact("moe_mixtral_d_model", mixtral.d_model, fmt=",d")
    book.fact("moe_two_matrix_total_b", two_matrix["total"] / 1e9, fmt=".1f",
              unit="B", expected=31.7, rel_tol=0.005,
              source="46.7 B less one d_model×d_ff matrix per expert per layer")
    book.fact("moe_two_matrix_active_b", two_matrix["active"] / 1e9, fmt=".1f",
              unit="B")
    book.fact("moe_mixtral_ffn_share_pct", 100 * stored["ffn"] / total, fmt=".0f",
              unit="%")
    book.fact("moe_mixtral_shared_b", shared / 1e9, fmt=".1f", unit="B")
    book.fact("moe_mistral_total_b", sum(bars["Mistral 7B\n(dense)"].values()) / 1e9,
              fmt=".1f", unit="B")
    book.figure(
        lambda theme: draw(theme, mixtral, bars),
        alt=("Four horizontal stacked bars of parameters in billions, split into "
             "embeddings with norms, attention and feed-forward. Mistral 7B: "
             f"{sum(bars['Mistral 7B' + chr(10) + '(dense)'].values()) / 1e9:.1f} B. "
             "Mixtral used per token: "
             f"{sum(bars['Mixtral: used' + chr(10) + 'per token'].values()) / 1e9:.1f}"
             f" B. Mixtral stored: {total / 1e9:.1f} B, almost all of it "
             f"feed-forward. Eight copies of Mistral 7B: {naive / 1e9:.1f} B."),
        caption=(
            "Where the parameters are, from kernels.costs.param_count. Mixtral "
            f"keeps one copy of attention and embeddings ({shared / 1e9:.1f} B) and "
            f"{mixtral.n_experts} experts per layer, so it stores "
            f"{total / 1e9:.1f} B, not the {naive / 1e9:.1f} B of eight whole "
            "Mistral 7B models. Per token only the feed-forward bar shrinks: "
            f"{mixtral.experts_per_token} of {mixtral.n_experts} experts run; "
            "attention and embeddings are used in full."),
    )
