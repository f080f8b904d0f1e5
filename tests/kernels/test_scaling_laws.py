"""scaling_laws.py: the Chinchilla fit, its closed-form optimum, power-law fitting."""

import math

import pytest

from kernels import scaling_laws as sl


def test_published_constants():
    fit = sl.CHINCHILLA
    assert (fit.E, fit.A, fit.B, fit.alpha, fit.beta) == (1.69, 406.4, 410.7, 0.34,
                                                           0.28)


def test_loss_by_hand_and_monotone():
    expected = 1.69 + 406.4 / 70e9**0.34 + 410.7 / 1.4e12**0.28
    assert sl.loss(70e9, 1.4e12) == pytest.approx(expected)
    assert sl.loss(140e9, 1.4e12) < sl.loss(70e9, 1.4e12)
    assert sl.loss(70e9, 2.8e12) < sl.loss(70e9, 1.4e12)
    assert sl.loss(1e30, 1e30) == pytest.approx(sl.CHINCHILLA.E, abs=1e-5)


@pytest.mark.parametrize("flops", [1e18, 5.76e23, 1e26])
def test_closed_form_optimum_beats_a_dense_grid(flops):
    n_opt, d_opt = sl.compute_optimal(flops)
    assert 6 * n_opt * d_opt == pytest.approx(flops)
    best = sl.loss(n_opt, d_opt)
    for i in range(-200, 201):
        n = n_opt * 10 ** (i / 100)  # two decades either side
        assert sl.loss(n, flops / (6 * n)) >= best - 1e-12


def test_optimum_scales_with_the_predicted_exponents():
    a, b = sl.optimal_exponents()
    assert a + b == pytest.approx(1)
    n1, d1 = sl.compute_optimal(1e20)
    n2, d2 = sl.compute_optimal(1e22)
    assert math.log10(n2 / n1) / 2 == pytest.approx(a)
    assert math.log10(d2 / d1) / 2 == pytest.approx(b)


def test_frontier_reducible_loss_follows_gamma():
    gamma = sl.frontier_loss_exponent()
    e = sl.CHINCHILLA.E
    l1 = sl.loss(*sl.compute_optimal(1e21)) - e
    l2 = sl.loss(*sl.compute_optimal(1e23)) - e
    assert math.log10(l1 / l2) / 2 == pytest.approx(gamma)


def test_fit_power_law_recovers_exponent():
    x = [10.0**i for i in range(1, 7)]
    y = [3.0 * v**-0.3 for v in x]
    k, p = sl.fit_power_law(x, y)
    assert k == pytest.approx(3.0) and p == pytest.approx(-0.3)


@pytest.mark.parametrize("x,y", [([1.0], [1.0]), ([1.0, -1.0], [1.0, 1.0]),
                                 ([2.0, 2.0], [1.0, 3.0])])
def test_fit_power_law_rejects_bad_input(x, y):
    with pytest.raises(ValueError):
        sl.fit_power_law(x, y)


def test_rejects_nonpositive():
    with pytest.raises(ValueError):
        sl.loss(0, 1)
    with pytest.raises(ValueError):
        sl.compute_optimal(0)


def test_published_runs_and_6nd():
    runs = {r.name: r for r in sl.PUBLISHED_RUNS}
    assert runs["Chinchilla"].n_tokens / runs["Chinchilla"].n_params == 20
    gpt3 = runs["GPT-3"]
    # GPT-3 paper, Table D.1: 3.14e23 training FLOPs for 175B params x 300B tokens
    assert sl.training_flops_6nd(gpt3.n_params, gpt3.n_tokens) == pytest.approx(
        3.14e23, rel=0.01)
    with pytest.raises(ValueError):
        sl.training_flops_6nd(0, 1)
