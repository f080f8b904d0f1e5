"""Facts for the recap and hook: how much of a dense model is feed-forward network.

Shown on: docs/5.3-scaling-architecture/mixture-of-experts/index.md (recap, hook,
Mixtral section). Facts only. Counts from kernels.costs.param_count on the presets.
"""

import dataclasses

import torch

from kernels.costs import param_count
from kernels.moe import load_balancing_loss
from kernels.presets import get_preset


# --8<-- [start:compute]
def compute():
    gpt2, gpt3 = get_preset("gpt2-small"), get_preset("gpt3-175b")
    mixtral, llama70 = get_preset("mixtral-8x7b"), get_preset("llama2-70b")
    p2, p3 = param_count(gpt2), param_count(gpt3)
    # per block: FFN (2 matrices of d x 4d) vs attention (4 matrices of d x d)
    gpt2_block_share = p2["ffn"] / (p2["ffn"] + p2["attention"])
    gpt3_total_share = p3["ffn"] / p3["total"]
    # Mixtral routed to one expert instead of two
    top1 = dataclasses.replace(mixtral, experts_per_token=1)
    return dict(
        gpt3_ffn=p3["ffn"], gpt3_total=p3["total"],
        gpt2_block_share=gpt2_block_share, gpt3_total_share=gpt3_total_share,
        mixtral_active=param_count(mixtral)["active"],
        top1_active=param_count(top1)["active"],
        llama70_total=param_count(llama70)["total"],
        router_per_layer=mixtral.d_model * mixtral.n_experts,  # one linear, no bias
        query_per_head=mixtral.d_model * mixtral.head_dim,  # one head's W_Q alone
        aux_extremes=balancing_loss_extremes(mixtral.n_experts),
    )


def balancing_loss_extremes(n_experts, n_tokens=64):
    """The balancing loss at perfect balance and at total collapse."""
    even = torch.full((n_tokens, n_experts), 1 / n_experts)  # (N, E) uniform probs
    round_robin = torch.arange(n_tokens)[:, None] % n_experts  # (N, 1) even split
    one_hot = torch.zeros(n_tokens, n_experts)
    one_hot[:, 0] = 1.0  # every token sure of expert 0 ...
    all_zero = torch.zeros(n_tokens, 1, dtype=torch.int64)  # ... and sent there
    return (float(load_balancing_loss(even, round_robin, n_experts)),
            float(load_balancing_loss(one_hot, all_zero, n_experts)))
# --8<-- [end:compute]


def below_one_example():
    """Two experts: 90 % of tokens go to expert 0 with probabilities barely above a
    half; 10 % go to expert 1 with certainty. f = (0.9, 0.1), P = (0.45, 0.55)."""
    probs = torch.tensor([[0.5001, 0.4999]] * 9 + [[0.0, 1.0]], dtype=torch.float64)
    chosen = probs.argmax(dim=-1, keepdim=True)  # top-1, (N, 1)
    return float(load_balancing_loss(probs, chosen, 2))


def main(book):
    below = below_one_example()
    book.claim("moe_aux_not_bounded_by_one", "It is not bounded below by 1",
               holds=below < 1.0, because=f"E·Σ f_i P_i = {below:.4f}")
    d = compute()
    book.fact("moe_gpt3_total_b", d["gpt3_total"] / 1e9, fmt=".0f", unit="B")
    # An often-quoted hook says "all ~117B FFN parameters"; that is 2/3 of 175B, while
    # GPT-3's layer shapes give 96 · 2 · 12288 · 49152 weights plus biases.
    book.fact("moe_gpt3_ffn_b", d["gpt3_ffn"] / 1e9, fmt=".0f", unit="B",
              disputes=117, rel_tol=0.005,
              source="often quoted: GPT-3 activates ~117B FFN parameters")
    book.fact("moe_claimed_gpt3_ffn_b", 117, fmt="d", unit="B")
    book.fact("moe_gpt3_ffn_share_pct", 100 * d["gpt3_total_share"], fmt=".0f",
              unit="%", expected=100 * 2 / 3, rel_tol=0.01,
              source="often quoted: the FFN holds ~2/3 of the parameters")
    book.fact("moe_gpt2_block_ffn_share_pct", 100 * d["gpt2_block_share"], fmt=".1f",
              unit="%", expected=100 * 2 / 3, rel_tol=0.001,
              source="8d² FFN vs 4d² attention weights per block")
    book.fact("moe_top1_active_b", d["top1_active"] / 1e9, fmt=".1f", unit="B")
    # "Competitive with models 3-4x its active parameter count": the Mixtral paper's
    # comparison model, LLaMA 2 70B, is about 5x, so the range understates it.
    book.fact("moe_llama70_over_mixtral_active",
              d["llama70_total"] / d["mixtral_active"], fmt=".1f", unit="×",
              disputes=4.0, rel_tol=0.125,
              source="often quoted: competitive with models 3-4x its active size")
    book.fact("moe_claimed_size_range", 4.0, text="3–4×")
    book.fact("moe_llama70_total_b", d["llama70_total"] / 1e9, fmt=".0f", unit="B")
    book.fact("moe_router_params_layer", d["router_per_layer"], fmt=",d")
    book.fact("moe_query_params_head", d["query_per_head"], fmt=",d")
    book.fact("moe_head_dim", get_preset("mixtral-8x7b").head_dim, fmt="d")
    book.fact("moe_query_over_router", d["query_per_head"] / d["router_per_layer"],
              fmt=".0f", unit="×")
    balanced, collapsed = d["aux_extremes"]
    book.fact("moe_aux_balanced", balanced, fmt=".1f")
    book.fact("moe_aux_collapsed", collapsed, fmt=".1f")
