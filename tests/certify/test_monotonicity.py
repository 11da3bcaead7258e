"""Monotonicity by MILP agrees with the enumeration of all regions (every pattern, inscribed-ball LP)."""

import numpy as np
import pytest

import reluscope
from reluscope.certify import monotonicity, monotonicity_table
from tests.certify._brute import all_patterns, interior_radius
from tests.strategies import random_network


def _brute_extremes(net, box, out=0):
    coefs = []
    for p in all_patterns(net):
        A, c = net.region_inequalities(p)
        _, r = interior_radius(A, c, box)
        if r > 1e-9:
            coefs.append(net.affine_map(p)[0][out])
    coefs = np.array(coefs)
    return coefs.min(axis=0), coefs.max(axis=0)


@pytest.mark.parametrize("seed,slopes", [(0, 0.0), (1, [0.0, 0.2]), (2, 0.0)])
def test_extreme_coefficients_equal_region_enumeration(seed, slopes):
    net = random_network(np.random.default_rng(seed), [2, 5, 3, 2], slopes=slopes)
    box = np.array([[-1.0, 1.5], [-2.0, 1.0]])
    lo, hi = _brute_extremes(net, box, out=1)
    table = monotonicity_table(net, box, output=1)
    np.testing.assert_allclose(table["Min coefficient"], lo, atol=1e-9)
    np.testing.assert_allclose(table["Max coefficient"], hi, atol=1e-9)
    for j in range(2):
        r = monotonicity(net, j, box, output=1)
        expect = "increasing" if lo[j] >= 0 else ("decreasing" if hi[j] <= 0 else "neither")
        assert r.verdict == expect and r.method == "milp"
        pattern, point, coef = r.witness_min
        assert (net.patterns(point[None, :])[0] == pattern).all()  # the witness point lies inside its region
        assert coef == pytest.approx(lo[j], abs=1e-9)


def test_positive_weights_certified_increasing_and_small_box_follows_the_local_sign():
    rng = np.random.default_rng(3)
    W = [np.abs(rng.normal(size=(4, 2))), np.abs(rng.normal(size=(1, 4)))]
    net = reluscope.ReLUNetwork(W, [rng.normal(size=4), np.zeros(1)])
    assert monotonicity(net, 0, [[-2, 2], [-2, 2]]).verdict == "increasing"
    neg = reluscope.ReLUNetwork([W[0], -W[1]], [net.biases[0], np.zeros(1)])
    r = monotonicity(neg, 1, [[-2, 2], [-2, 2]])
    assert r.verdict == "decreasing" and r.max_coef <= 0


@pytest.mark.parametrize(("up", "down"), [(6.1e-7, 2.5e-8), (2.5e-8, 6.1e-7), (3e-9, 4e-9)])
def test_coefficients_of_opposite_sign_below_the_solver_gap_are_not_called_monotone(up, down):
    """Two regions whose coefficients differ in sign by less than HiGHS's absolute gap (1e-6)."""
    W = [np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]), np.array([[up, down, 1.0]])]
    net = reluscope.from_arrays(W, [np.zeros(3), np.zeros(1)])
    box = np.array([[-1.0, 1.0], [0.5, 1.0]])
    r = monotonicity(net, 0, box)
    assert r.verdict == "neither", r
    assert r.max_coef == pytest.approx(up, rel=1e-9) and r.min_coef == pytest.approx(-down, rel=1e-9)
    assert r.min_bound <= r.min_coef and r.max_bound >= r.max_coef
