"""Robustness verdicts and output ranges agree with brute force over all regions; counterexamples change the class."""

import numpy as np
import pytest
from scipy.optimize import linprog

from reluscope.certify import max_output_change, robustness
from tests.certify._brute import all_patterns
from tests.strategies import random_network


def _regions(net):
    return [(*net.region_inequalities(p), *net.affine_map(p)) for p in all_patterns(net)]


def _brute_range(regions, x, eps, row):
    """max of row . eta over the Linf ball, over every region (one LP each)."""
    best = -np.inf
    for A, c, W, b in regions:
        res = linprog(-(row @ W), A_ub=A, b_ub=c, bounds=list(zip(x - eps, x + eps)), method="highs")
        if res.status == 0:
            best = max(best, -res.fun + row @ b)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_verdicts_agree_with_brute_force(seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, [3, 4, 4, 3])
    regions = _regions(net)
    x = rng.normal(size=3)
    c = int(np.argmax(net.decision_function(x[None, :])[0]))
    for eps in (0.02, 0.2, 0.8):
        margins = [_brute_range(regions, x, eps, np.eye(3)[j] - np.eye(3)[c]) for j in range(3) if j != c]
        res = robustness(net, x, eps)
        assert res.verdict == ("verified" if max(margins) < 0 else "counterexample")
        if res.verdict == "counterexample":
            xc = res.counterexample
            assert np.abs(xc - x).max() <= eps * (1 + 1e-12)  # moved into the ball exactly, not to solver tolerance
            assert int(np.argmax(net.decision_function(xc[None, :])[0])) != c == res.predicted_class


def test_max_output_change_is_exact_range():
    rng = np.random.default_rng(4)
    net = random_network(rng, [2, 4, 4, 2], slopes=[0.0, 0.1])
    regions = _regions(net)
    x, eps = rng.normal(size=2), 0.3
    r = max_output_change(net, x, eps)
    assert r.exact.all()
    for k in range(2):
        e = np.eye(2)[k]
        assert r.upper[k] == pytest.approx(_brute_range(regions, x, eps, e), abs=1e-7)
        assert r.lower[k] == pytest.approx(-_brute_range(regions, x, eps, -e), abs=1e-7)
        assert net.decision_function(r.argmax[k][None, :])[0, k] == pytest.approx(r.upper[k], abs=1e-7)
    assert (r.bounds_propagated[:, 0] <= r.lower + 1e-9).all() and (r.bounds_propagated[:, 1] >= r.upper - 1e-9).all()


def test_binary_logit_and_l1_ball():
    rng = np.random.default_rng(6)
    net = random_network(rng, [2, 6, 1], output="sigmoid")
    x = rng.normal(size=2)
    for eps in (0.05, 1.0, 3.0):
        res = robustness(net, x, eps, norm=1)
        if res.verdict == "counterexample":
            assert np.abs(res.counterexample - x).sum() <= eps * (1 + 1e-12)
            assert (net.decision_function(res.counterexample[None, :])[0] > 0) != (net.decision_function(x[None, :])[0] > 0)
        # brute force on a fine L1 circle: a sign change found there must not be "verified"
        t = np.linspace(0, 2 * np.pi, 4001)
        ring = np.column_stack([np.cos(t), np.sin(t)])
        ring = x + eps * ring / np.abs(ring).sum(axis=1, keepdims=True)
        flips = (net.decision_function(ring) > 0) != (net.decision_function(x[None, :])[0] > 0)
        if flips.any():
            assert res.verdict == "counterexample"
