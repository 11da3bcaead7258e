"""Output distribution (Propositions 2-3 of 002), tail probabilities and decision rates vs Monte Carlo."""

import numpy as np
import pytest

import reluscope
from reluscope.errors import InvalidInputError
from reluscope.probability import GaussianMixture, classification_rates, monte_carlo, output_cdf, output_probability
from tests.strategies import random_network

N_MC = 200_000


@pytest.mark.parametrize("sizes, mean, seed", [([2, 4, 4, 4, 1], [0.3, -0.2], 0), ([3, 3, 3, 1], [0.0, 0.1, 0.0], 1)])
def test_output_cdf_matches_monte_carlo(sizes, mean, seed):
    net = random_network(np.random.default_rng(seed), sizes)
    dist = GaussianMixture.normal(mean, 0.5)
    t = np.quantile(net.decision_function(dist.sample(2000, 0)), [0.2, 0.7])
    mc = monte_carlo(net, dist, N_MC, points=t, random_state=seed)
    r = output_cdf(net, dist, t, random_state=seed)
    se = np.sqrt(mc.cdf_std_error**2 + r.cdf_std_error**2)
    assert (np.abs(r.cdf - mc.cdf) <= 4 * se).all()
    assert np.all(np.diff(r.cdf) >= -4 * se[1:])


def test_pdf_is_the_derivative_of_the_exact_cdf_in_2d():
    net = random_network(np.random.default_rng(2), [2, 5, 4, 1])
    dist = GaussianMixture.normal([0.1, 0.0], 0.7)
    t0 = float(np.median(net.decision_function(dist.sample(1000, 0))))
    h = 1e-4
    r = output_cdf(net, dist, [t0 - h, t0, t0 + h], pdf=True)
    slope = (r.cdf[2] - r.cdf[0]) / (2 * h)
    assert r.pdf[1] == pytest.approx(slope, rel=1e-5)


def test_cdf_jumps_by_the_atoms_of_constant_regions():
    # a dead layer region: every unit of layer 2 off makes the output the constant bias
    W = [np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0]]), np.array([[2.0]])]
    B = [np.zeros(2), np.array([-1.0]), np.array([0.5])]
    net = reluscope.ReLUNetwork(W, B)
    dist = GaussianMixture.normal([0.0, 0.0], 1.0)
    r = output_cdf(net, dist, [0.5 - 1e-9, 0.5])
    atom = r.atoms["probability"].sum()
    assert np.allclose(r.atoms["value"], 0.5)
    assert r.cdf[1] - r.cdf[0] == pytest.approx(atom, rel=1e-6)
    mc = monte_carlo(net, dist, N_MC, points=[0.5], random_state=0)
    assert abs(r.cdf[1] - mc.cdf[0]) < 4 * mc.cdf_std_error[0]


def test_positive_rate_and_classification_rates_match_monte_carlo():
    net = random_network(np.random.default_rng(5), [2, 5, 4, 1])
    d0 = GaussianMixture([0.5, 0.5], [[-1.0, 0.0], [0.0, 1.0]], [0.3 * np.eye(2), np.diag([0.2, 0.4])])
    d1 = GaussianMixture.normal([1.0, -0.5], 0.5)
    rates = classification_rates(net, {0: d0, 1: d1})
    for true, dist in ((0, d0), (1, d1)):
        mc = monte_carlo(net, dist, N_MC, random_state=true)
        got = rates[rates["true_class"] == true].set_index("predicted_class")
        for pred in (0, 1):
            se = mc.predictions["std_error"][pred]
            assert abs(got.loc[pred, "probability"] - mc.predictions["probability"][pred]) <= 4 * se + 1e-12
        assert got["probability"].sum() == pytest.approx(1.0, abs=1e-12)
    p, e = output_probability(net, d1, lower=0.0)
    assert p == pytest.approx(rates.query("true_class == 1 and predicted_class == 1")["probability"].item(), rel=1e-12)


def test_multiclass_decision_rates_match_monte_carlo():
    net = random_network(np.random.default_rng(6), [2, 4, 3], output="softmax")
    dist = GaussianMixture.normal([0.2, 0.1], 1.0)
    rates = classification_rates(net, {"a": dist})
    mc = monte_carlo(net, dist, N_MC, random_state=0)
    assert np.all(np.abs(rates["probability"].to_numpy() - mc.predictions["probability"].to_numpy()) <= 4 * mc.predictions["std_error"].to_numpy() + 1e-12)


def test_bad_output_arguments_raise():
    net = random_network(np.random.default_rng(0), [2, 3, 1])
    dist = GaussianMixture.normal([0.0, 0.0], 1.0)
    with pytest.raises(InvalidInputError, match="output"):
        output_cdf(net, dist, [0.0], output=3)
    with pytest.raises(InvalidInputError, match="finite"):
        output_cdf(net, dist, [np.nan])
    with pytest.raises(InvalidInputError, match="dict"):
        classification_rates(net, [dist])
