import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from kernels import speculative as sd
from tests.kernels.tolerances import assert_close

F64 = torch.float64


def random_bigram(v: int, seed: int, sharpness: float = 3.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.softmax(sharpness * torch.randn(v, v, generator=gen, dtype=F64), -1)


def run_greedy(draft, target, prefix, n_tokens, k):
    seq, accepted = list(prefix), []
    while len(seq) - len(prefix) < n_tokens:
        step = sd.speculative_step_greedy(draft, target, seq, k)
        assert 1 <= len(step.tokens) == step.n_accepted + 1 <= k + 1
        seq += step.tokens
        accepted.append(step.n_accepted)
    return seq[len(prefix):len(prefix) + n_tokens], accepted


@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_speculative_equals_greedy_target(k, seed):
    target = sd.table_model(random_bigram(11, seed))
    draft = sd.table_model(random_bigram(11, seed + 100))  # a different model
    expected = sd.greedy_decode(target, [3], 40)
    output, _ = run_greedy(draft, target, [3], 40, k)
    assert output == expected


def test_greedy_with_perfect_draft_accepts_everything():
    table = random_bigram(7, 5)
    model = sd.table_model(table)
    step = sd.speculative_step_greedy(model, model, [1], k=4)
    assert step.n_accepted == 4 and len(step.tokens) == 5


@given(seed=st.integers(0, 10_000))
def test_first_token_distribution_is_exactly_target(seed):
    gen = torch.Generator().manual_seed(seed)
    p = torch.softmax(2 * torch.randn(4, generator=gen, dtype=F64), 0)
    q = torch.softmax(2 * torch.randn(4, generator=gen, dtype=F64), 0)
    assert_close(sd.first_token_distribution(p, q), p)


def test_first_token_distribution_with_zero_draft_mass():
    p = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=F64)
    q = torch.tensor([0.0, 0.5, 0.5, 0.0], dtype=F64)  # draft never proposes 0 or 3
    assert_close(sd.first_token_distribution(p, q), p)
    assert_close(sd.first_token_distribution(p, p), p)  # identical: never rejects


def test_sampling_rule_monte_carlo_matches_target():
    p = torch.tensor([0.5, 0.3, 0.15, 0.05], dtype=F64)
    q = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=F64)  # a deliberately bad draft
    target, draft = sd.table_model(p), sd.table_model(q)
    gen = torch.Generator().manual_seed(0)
    n = 4000
    counts = torch.zeros(4, dtype=F64)
    n_accepted = 0
    for _ in range(n):
        step = sd.speculative_step_sampling(draft, target, [], 1, gen)
        counts[step.tokens[0]] += 1
        n_accepted += step.n_accepted
    chi2 = float(((counts - n * p) ** 2 / (n * p)).sum())
    assert chi2 < 16.27  # chi-square, 3 degrees of freedom, p = 0.001
    # acceptance rate α = Σ min(p, q) = 0.1 + 0.2 + 0.15 + 0.05 = 0.5
    assert abs(n_accepted / n - 0.5) < 4 * (0.25 / n) ** 0.5


def test_sampling_two_token_joint_matches_target_chain():
    # k = 2 with context-dependent (bigram) models: the first two emitted tokens
    # must follow p(x1 | prefix) * p(x2 | x1), whatever the draft proposes.
    p_table, q_table = random_bigram(4, 3, 1.0), random_bigram(4, 4, 1.0)
    target, draft = sd.table_model(p_table), sd.table_model(q_table)
    expected = p_table[2][:, None] * p_table  # (x1, x2) after token 2; n·cell > 14
    gen = torch.Generator().manual_seed(0)
    n = 6000
    counts = torch.zeros(4, 4, dtype=F64)
    for _ in range(n):
        seq = [2]
        while len(seq) < 3:
            seq += sd.speculative_step_sampling(draft, target, seq, 2, gen).tokens
        counts[seq[1], seq[2]] += 1
    chi2 = float(((counts - n * expected) ** 2 / (n * expected)).sum())
    assert chi2 < 37.70  # chi-square, 15 degrees of freedom, p = 0.001


def test_sampling_with_perfect_draft_accepts_all_and_is_reproducible():
    table = random_bigram(5, 9)
    model = sd.table_model(table)
    a, b = (
        sd.speculative_step_sampling(model, model, [2], 3,
                                     torch.Generator().manual_seed(1))
        for _ in range(2)
    )
    assert a == b
    assert a.n_accepted == 3 and len(a.tokens) == 4 and a.tokens[:3] == a.proposed


def test_acceptance_rate_and_expected_tokens():
    p = torch.tensor([0.5, 0.5])
    q = torch.tensor([1.0, 0.0])
    assert sd.acceptance_rate(p, q) == 0.5
    assert sd.expected_tokens_per_step(0.5, 1) == 1.5  # 1 + α
    assert sd.expected_tokens_per_step(0.8, 4) == pytest.approx(
        1 + 0.8 + 0.8**2 + 0.8**3 + 0.8**4)
    assert sd.expected_tokens_per_step(1.0, 4) == 5.0
    assert sd.expected_tokens_per_step(0.0, 4) == 1.0


def test_table_model_context_free_and_empty_prefix():
    p = torch.tensor([0.25, 0.75])
    assert torch.equal(sd.table_model(p)([1, 0]), p)
    table = torch.tensor([[0.9, 0.1], [0.2, 0.8]])
    assert torch.equal(sd.table_model(table)([]), table[0])
    assert torch.equal(sd.table_model(table)([0, 1]), table[1])


def test_error_paths():
    with pytest.raises(ValueError, match="shape"):
        sd.table_model(torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="sum to 1"):
        sd.table_model(torch.tensor([0.5, 0.2]))
    model = sd.table_model(torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="k"):
        sd.speculative_step_greedy(model, model, [], 0)
    with pytest.raises(ValueError, match="alpha"):
        sd.expected_tokens_per_step(1.5, 2)


def tokens_by_enumeration(alpha, k):
    """E[tokens] from the distribution of accepted drafts: i < k accepted with
    probability α^i (1 − α), all k with α^k; each step adds the target's token."""
    probs = [alpha ** i * (1 - alpha) for i in range(k)] + [alpha ** k]
    return sum((i + 1) * p for i, p in enumerate(probs))


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.8, 0.95, 1.0])
@pytest.mark.parametrize("k", [1, 2, 4, 7])
@pytest.mark.parametrize("c", [0.0, 0.05, 0.5])
def test_walltime_speedup_is_tokens_per_step_over_step_cost(alpha, k, c):
    expected = tokens_by_enumeration(alpha, k) / (c * k + 1)
    assert sd.walltime_speedup(alpha, k, c) == pytest.approx(expected, rel=1e-12)


def test_walltime_speedup_limits():
    # A free draft that is always right gives k + 1 tokens per pass.
    assert sd.walltime_speedup(1.0, 5, 0.0) == 6
    # A draft that is never right only adds its cost: slower than plain decoding.
    assert sd.walltime_speedup(0.0, 4, 0.1) == pytest.approx(1 / 1.4)
    with pytest.raises(ValueError, match="cost_ratio"):
        sd.walltime_speedup(0.5, 2, -0.1)
    with pytest.raises(ValueError, match="alpha"):
        sd.walltime_speedup(1.5, 2, 0.1)


@pytest.mark.parametrize("alpha,c", [(0.6, 0.05), (0.8, 0.1), (0.9, 0.02), (0.0, 0.1),
                                     (1.0, 0.0), (0.95, 0.3)])
def test_best_draft_length_is_the_brute_force_argmax(alpha, c):
    k_max = 20
    speedups = {k: sd.walltime_speedup(alpha, k, c) for k in range(1, k_max + 1)}
    best = sd.best_draft_length(alpha, c, k_max)
    assert speedups[best] == max(speedups.values())
    assert all(speedups[k] < speedups[best] for k in range(1, best))
    with pytest.raises(ValueError):
        sd.best_draft_length(alpha, c, 0)


def test_best_draft_length_grows_with_acceptance():
    # Leviathan et al. (2023), Figure 3: better drafts deserve longer guesses.
    ks = [sd.best_draft_length(a, 0.05, 30) for a in (0.5, 0.7, 0.8, 0.9)]
    assert ks == sorted(ks) and ks[0] < ks[-1]
