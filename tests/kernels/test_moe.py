import pytest
import torch

from kernels.moe import (
    Expert,
    MoELayer,
    Router,
    expert_fractions,
    load_balancing_loss,
    route_tokens,
    train_toy_router,
)
from tests.kernels.tolerances import assert_close


def dense_reference(layer: MoELayer, x: torch.Tensor) -> torch.Tensor:
    """Run every expert on every token, then keep the top-k with their weights."""
    logits = x @ layer.router.gate.weight.T  # (N, E)
    probs = torch.softmax(logits, dim=-1)
    all_outputs = torch.stack([expert(x) for expert in layer.experts], dim=1)  # (N,E,C)
    top_p, top_i = probs.topk(layer.router.k, dim=-1)
    weights = top_p / top_p.sum(-1, keepdim=True)
    chosen = all_outputs.gather(1, top_i[..., None].expand(-1, -1, x.shape[-1]))
    return (chosen * weights[..., None]).sum(dim=1)


@pytest.mark.parametrize("ffn", ["swiglu", "gelu"])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_moe_layer_matches_dense_reference(ffn, k):
    layer = MoELayer(d_model=13, d_ff=29, n_experts=5, k=k, ffn=ffn).double()
    x = torch.randn(2, 17, 13, dtype=torch.float64)
    out = layer(x)
    assert out.output.shape == x.shape
    assert_close(out.output.reshape(-1, 13), dense_reference(layer, x.reshape(-1, 13)))
    assert out.tokens_per_expert.sum() == 2 * 17 * k
    assert out.router_probs.shape == (34, 5)
    assert out.expert_indices.shape == (34, k)


def test_router_weights_renormalised_or_raw():
    x = torch.randn(11, 7)
    router = Router(7, 4, k=2)
    probs, indices, weights = router(x)
    assert_close(weights.sum(-1), torch.ones(11))
    assert_close(probs.sum(-1), torch.ones(11))
    raw = Router(7, 4, k=2, renormalise=False)
    raw.load_state_dict(router.state_dict())
    _, raw_indices, raw_weights = raw(x)
    assert torch.equal(raw_indices, indices)
    assert_close(raw_weights, probs.gather(1, indices))


def test_k_equal_to_all_experts_is_softmax_mixture():
    layer = MoELayer(6, 10, n_experts=3, k=3).double()
    x = torch.randn(9, 6, dtype=torch.float64)
    probs = torch.softmax(x @ layer.router.gate.weight.T, dim=-1)
    mixture = sum(probs[:, e, None] * layer.experts[e](x) for e in range(3))
    assert_close(layer(x).output, mixture)


def test_idle_expert_is_skipped():
    layer = MoELayer(4, 8, n_experts=3, k=1)
    with torch.no_grad():
        layer.router.gate.weight.zero_()
        layer.router.gate.weight[0] = 1.0
    # positive inputs -> expert 0 has the only positive logit for every token
    out = layer(torch.rand(5, 4) + 0.1)
    assert out.tokens_per_expert.tolist() == [5, 0, 0]


def test_load_balancing_loss_is_one_at_perfect_balance():
    n, e = 8, 4
    probs = torch.full((n, e), 1 / e)
    indices = torch.arange(n).remainder(e)[:, None]  # two tokens per expert
    assert load_balancing_loss(probs, indices, e).item() == pytest.approx(1.0)


def test_load_balancing_loss_maximum_under_collapse_is_n_experts():
    n, e = 8, 4
    probs = torch.zeros(n, e)
    probs[:, 0] = 1.0
    indices = torch.zeros(n, 1, dtype=torch.long)
    assert load_balancing_loss(probs, indices, e).item() == pytest.approx(e)


def test_load_balancing_loss_gradient_only_through_probs():
    logits = torch.randn(16, 4, requires_grad=True)
    probs = torch.softmax(logits, dim=-1)
    loss = load_balancing_loss(probs, probs.topk(2, dim=-1).indices, 4)
    loss.backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_expert_fractions_counts_top_k_assignments():
    indices = torch.tensor([[0, 1], [0, 2], [0, 1]])
    expected = torch.tensor([3, 2, 1, 0]) / 6
    assert_close(expert_fractions(indices, 4), expected.float())


@pytest.mark.parametrize("seed", [0, 1])
def test_router_collapses_without_aux_loss(seed):
    run = train_toy_router(seed, aux_loss_weight=0.0)
    final = run.utilisation[-10:].mean(dim=0).sort(descending=True).values
    start = run.utilisation[0].max()
    assert start < 0.7  # starts spread out, only tilted
    assert final[:2].sum() > 0.9  # one or two experts take > 90% of tokens
    assert final[0] > start + 0.2  # the head start was amplified


@pytest.mark.parametrize("seed", [0, 1])
def test_router_stays_balanced_with_aux_loss(seed):
    run = train_toy_router(seed, aux_loss_weight=0.1)
    final = run.utilisation[-10:].mean(dim=0)
    assert final.max() < 0.25  # uniform is 0.125
    assert final.min() > 0.05
    assert run.aux_loss[-10:].mean() < 1.1  # close to the balanced value 1.0


def test_toy_router_is_deterministic_and_leaves_global_rng_alone():
    state = torch.get_rng_state()
    a = train_toy_router(3, 0.0, steps=5)
    assert torch.equal(torch.get_rng_state(), state)
    b = train_toy_router(3, 0.0, steps=5)
    assert torch.equal(a.utilisation, b.utilisation)
    assert_close(a.utilisation.sum(-1), torch.ones(5))


def test_route_tokens_is_deterministic_per_token():
    ids = [464, 3797, 3332, 319, 262, 3797]  # "The cat sat on the cat"
    indices, weights = route_tokens(ids)
    assert indices.shape == weights.shape == (6, 2)
    assert torch.equal(indices[1], indices[5])  # same id -> same experts
    assert torch.equal(indices, route_tokens(ids)[0])
    assert_close(weights.sum(-1), torch.ones(6))
    assert len(set(indices.flatten().tolist())) > 2  # a sentence spreads out


def test_error_paths():
    with pytest.raises(ValueError, match="k must be"):
        Router(4, 3, k=4)
    with pytest.raises(ValueError, match="ffn"):
        Expert(4, 8, ffn="relu")
    with pytest.raises(ValueError, match="expected 3"):
        load_balancing_loss(torch.ones(2, 4), torch.zeros(2, 1, dtype=torch.long), 3)
    with pytest.raises(ValueError, match="steps"):
        train_toy_router(0, 0.0, steps=0)
    with pytest.raises(ValueError, match="aux_loss_weight"):
        train_toy_router(0, -1.0)
    with pytest.raises(ValueError, match="non-empty"):
        route_tokens([])
    with pytest.raises(ValueError, match="token ids"):
        route_tokens([50257])
