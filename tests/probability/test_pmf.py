"""Pattern PMF (Proposition 1 of 002): total mass, Monte Carlo agreement, closed forms, errors."""

import numpy as np
import pytest
from scipy.special import ndtr

import reluscope
from reluscope.errors import InvalidInputError
from reluscope.probability import GaussianMixture, frame_patterns, monte_carlo, pattern_pmf, pattern_probability, two_slope_network
from tests.strategies import random_network

N_MC = 200_000


def _agree_with_monte_carlo(net, dist, pmf, seed=0):
    mc = monte_carlo(net, dist, N_MC, random_state=seed)
    p_mc, se_mc = mc.pmf_lookup(frame_patterns(pmf))
    p = pmf["probability"].to_numpy()
    # binomial s.e. from the computed probability (the sampled one is 0 for unseen patterns)
    se = np.sqrt(p * (1 - p) / N_MC + pmf["std_error"].to_numpy() ** 2)
    assert (np.abs(p - p_mc) <= 4 * se + 1e-12).all()
    # every sampled pattern was enumerated
    assert mc.pmf["pattern"].isin(pmf["pattern"]).all()


@pytest.mark.parametrize(
    "sizes, mean, var, seed",
    [([2, 6, 5, 1], [0.3, -0.2], 0.5, 0), ([3, 4, 3, 1], [0.1, 0.2, -0.1], 0.5, 1), pytest.param([5, 4, 3, 1], np.zeros(5), 1.0, 2, marks=pytest.mark.slow)],
)
def test_pmf_sums_to_one_and_matches_monte_carlo(sizes, mean, var, seed):
    net = random_network(np.random.default_rng(seed), sizes)
    dist = GaussianMixture.normal(mean, var)
    pmf = pattern_pmf(net, dist, random_state=seed)
    assert pmf.attrs["complete"]
    assert abs(pmf.attrs["mass"] - 1.0) <= 4 * pmf.attrs["mass_std_error"] + 1e-12
    assert (pmf["probability"] >= 0).all()
    _agree_with_monte_carlo(net, dist, pmf, seed)


def test_two_d_pmf_is_exact_for_a_mixture_input():
    net = random_network(np.random.default_rng(7), [2, 12, 1])
    dist = GaussianMixture([0.4, 0.6], [[0.0, 0.5], [1.0, -1.0]], [np.diag([0.3, 0.5]), 0.3 * np.eye(2)])
    pmf = pattern_pmf(net, dist)
    assert set(pmf["method"]) == {"exact-2d"}
    assert abs(pmf.attrs["mass"] - 1.0) < 1e-12 and pmf.attrs["mass_std_error"] < 1e-12
    _agree_with_monte_carlo(net, dist, pmf)


def test_one_hidden_layer_with_orthogonal_rows_equals_the_closed_form():
    rng = np.random.default_rng(4)
    W = np.linalg.qr(rng.normal(size=(4, 4)))[0][:3] * np.array([[2.0], [0.5], [1.0]])
    b = rng.normal(size=3)
    net = reluscope.ReLUNetwork([W, rng.normal(size=(1, 3))], [b, np.zeros(1)])
    mu, var = rng.normal(size=4), 0.7
    dist = GaussianMixture.normal(mu, var)
    pmf = pattern_pmf(net, dist)
    assert len(pmf) == 8  # every orthant of 3 independent half-spaces
    z = (W @ mu + b) / (np.sqrt(var) * np.linalg.norm(W, axis=1))
    for pat, p, method in zip(frame_patterns(pmf), pmf["probability"], pmf["method"]):
        closed = np.prod(np.where(pat, ndtr(z), ndtr(-z)))
        assert method == "exact-product"
        assert p == pytest.approx(closed, rel=1e-12)


def test_pattern_probability_agrees_with_the_table():
    net = random_network(np.random.default_rng(3), [2, 5, 1])
    dist = GaussianMixture.normal([0.0, 0.0], 1.0)
    pmf = pattern_pmf(net, dist)
    r = pattern_probability(net, dist, frame_patterns(pmf)[0])
    assert r.probability == pytest.approx(pmf["probability"].iloc[0], rel=1e-12)


def test_leaky_relu_pmf_matches_monte_carlo():
    net = random_network(np.random.default_rng(8), [2, 5, 4, 1], slopes=[0.1, -0.3])
    dist = GaussianMixture.normal([0.2, 0.1], 0.8)
    pmf = pattern_pmf(net, dist)
    assert abs(pmf.attrs["mass"] - 1.0) < 1e-12
    _agree_with_monte_carlo(net, dist, pmf)


def test_two_slope_network_is_the_same_function():
    rng = np.random.default_rng(9)
    W = [rng.normal(size=(4, 2)), rng.normal(size=(3, 4)), rng.normal(size=(1, 3))]
    B = [rng.normal(size=4), rng.normal(size=3), rng.normal(size=1)]
    a, b = np.array([2.0, 0.5]), np.array([0.3, -0.1])
    net = two_slope_network(W, B, a, b)
    X = rng.normal(size=(100, 2))
    h = X
    for l in range(2):
        z = h @ W[l].T + B[l]
        h = np.where(z > 0, a[l] * z, b[l] * z)
    assert np.allclose(net.decision_function(X), (h @ W[2].T + B[2])[:, 0])
    with pytest.raises(reluscope.UnsupportedActivationError):
        two_slope_network(W, B, [0.0, 1.0], b)


def test_bad_patterns_and_networks_raise_typed_errors():
    net = random_network(np.random.default_rng(0), [2, 3, 1])
    dist = GaussianMixture.normal([0.0, 0.0], 1.0)
    with pytest.raises(InvalidInputError, match="3 entries"):
        pattern_probability(net, dist, [1, 0])
    with pytest.raises(InvalidInputError, match="ReLUNetwork"):
        pattern_pmf(object(), dist)
    with pytest.raises(InvalidInputError, match="GaussianMixture"):
        pattern_pmf(net, np.zeros(2))
    with pytest.raises(InvalidInputError, match="method"):
        pattern_pmf(net, dist, method="sample")


def test_one_input_network_is_exact_intervals():
    net = random_network(np.random.default_rng(11), [1, 4, 3, 1])
    dist = GaussianMixture([0.5, 0.5], [[-0.5], [1.0]], [[[0.2]], [[0.6]]])
    pmf = pattern_pmf(net, dist)
    assert set(pmf["method"]) == {"exact-1d"}
    assert abs(pmf.attrs["mass"] - 1.0) < 1e-12
    _agree_with_monte_carlo(net, dist, pmf)


def test_support_method_evaluates_the_estimated_patterns():
    net = random_network(np.random.default_rng(12), [2, 4, 4, 1])
    dist = GaussianMixture.normal([0.2, 0.1], 0.4)
    est = pattern_pmf(net, dist, method="support", threshold=0.2)
    full = pattern_pmf(net, dist)
    assert not est.attrs["complete"] and est.attrs["mass"] <= 1.0 + 1e-12
    merged = est.merge(full, on="pattern", suffixes=("", "_full"))
    pos = est[est["probability"] > 0]
    assert len(merged) == len(pos)  # every pattern with positive probability is a real region
    assert np.allclose(merged["probability"], merged["probability_full"], rtol=1e-12, atol=1e-300)
