"""Support estimation (Algorithms 1-3 of 002), Jacobian singular values and the Monte Carlo validator."""

import numpy as np
import pytest
from scipy.special import ndtr

from reluscope.errors import InvalidInputError
from reluscope.patterns import PatternIndex, pack_patterns
from reluscope.probability import (
    GaussianMixture,
    coverage_curve,
    estimate_support,
    frame_patterns,
    jacobian_singular_values,
    mc_singular_values,
    monte_carlo,
    pattern_pmf,
    support_coverage,
)
from tests.strategies import random_network


@pytest.mark.parametrize("sizes, seed", [([2, 4, 4, 4, 1], 0), ([3, 4, 3, 1], 1)])
def test_threshold_half_recovers_every_pattern(sizes, seed):
    net = random_network(np.random.default_rng(seed), sizes)
    dist = GaussianMixture.normal(np.full(sizes[0], 0.1), 0.6)
    support = estimate_support(net, dist, threshold=0.5)
    full = pattern_pmf(net, dist, random_state=0)
    found = PatternIndex(pack_patterns(support.patterns)).lookup(pack_patterns(frame_patterns(full)))
    assert (found >= 0).all()
    assert not support.capped
    assert len(support) == 2 ** net.n_hidden_units  # threshold 0.5: every neuron branches


def test_threshold_zero_fixes_every_neuron_by_its_marginal():
    net = random_network(np.random.default_rng(2), [2, 5, 1])
    dist = GaussianMixture.normal([0.3, -0.4], 0.5)
    support = estimate_support(net, dist, threshold=0.0)
    W, b = net.weights[0], net.biases[0]
    p = ndtr((W @ dist.means[0] + b) / np.sqrt(0.5 * (W**2).sum(axis=1)))  # eq. 21
    assert len(support) == 1
    assert np.array_equal(support.patterns[0], p > 0.5)


def test_branching_cap_limits_the_set():
    net = random_network(np.random.default_rng(3), [2, 12, 1])
    dist = GaussianMixture.normal([0.0, 0.0], 4.0)
    s = estimate_support(net, dist, threshold=0.5, max_branching=3)
    assert s.capped and len(s) == 8 and s.branching[0] == 3


def test_coverage_grows_with_the_threshold_and_matches_the_set_mass():
    net = random_network(np.random.default_rng(4), [2, 4, 4, 1])
    dist = GaussianMixture.normal([0.2, 0.0], 0.5)
    X = dist.sample(50_000, random_state=0)
    curve = coverage_curve(net, dist, (0.0, 0.2, 0.4, 0.5), X=X, probability=True)
    assert np.all(np.diff(curve["coverage"]) >= 0) and np.all(np.diff(curve["n_patterns"]) >= 0)
    assert curve["coverage"].iloc[-1] == 1.0
    # coverage of samples from the distribution estimates the set's probability
    se = np.sqrt(np.clip(curve["mass"] * (1 - curve["mass"]), 0, None) / X.shape[0])
    assert (np.abs(curve["coverage"] - curve["mass"]) <= 4 * se + 1e-12).all()
    s = estimate_support(net, dist, threshold=0.2)
    assert support_coverage(net, s, X) == curve["coverage"].iloc[1]


def test_support_rejects_bad_arguments():
    net = random_network(np.random.default_rng(0), [2, 3, 1])
    dist = GaussianMixture.normal([0.0, 0.0], 1.0)
    with pytest.raises(InvalidInputError, match="threshold"):
        estimate_support(net, dist, threshold=0.7)
    with pytest.raises(InvalidInputError, match="max_branching"):
        estimate_support(net, dist, max_branching=-1)
    with pytest.raises(InvalidInputError, match="patterns"):
        estimate_support(net, dist, threshold=0.5, max_patterns=4)


def test_jacobian_singular_values_match_monte_carlo():
    net = random_network(np.random.default_rng(5), [2, 6, 5, 3])
    dist = GaussianMixture.normal([0.1, 0.2], 0.8)
    sv = jacobian_singular_values(net, pattern_pmf(net, dist))
    assert sv.mass == pytest.approx(1.0, abs=1e-12)
    mc = mc_singular_values(net, dist, 200_000, random_state=0)
    se = mc.std(axis=0) / np.sqrt(mc.shape[0])
    assert (np.abs(sv.mean() - mc.mean(axis=0)) <= 4 * se).all()
    q = sv.quantile([0.5])[0]  # weighted median of the largest singular value
    below = sv.weights[sv.values[:, 0] <= q + 1e-12].sum()
    assert below >= 0.5
    assert abs(np.mean(mc[:, 0] <= q + 1e-12) - below) <= 4 * np.sqrt(below * (1 - below) / mc.shape[0])


def test_monte_carlo_is_seeded_and_chunk_independent():
    net = random_network(np.random.default_rng(6), [2, 4, 1])
    dist = GaussianMixture.normal([0.0, 0.0], 1.0)
    a = monte_carlo(net, dist, 10_000, points=[0.0], chunk_size=1000, random_state=3)
    b = monte_carlo(net, dist, 10_000, points=[0.0], chunk_size=1000, random_state=3)
    assert a.pmf.equals(b.pmf) and np.array_equal(a.cdf, b.cdf)
    assert a.pmf["count"].sum() == 10_000
    with pytest.raises(InvalidInputError, match="n_samples"):
        monte_carlo(net, dist, 0)
