"""Incumbents of the counterfactual MILP (one-feature moves, region descent) and the many-rows wrapper."""

import time

import numpy as np
import pytest

import reluscope
from reluscope.certify import counterfactual, counterfactuals
from reluscope.certify._cf_local import axis_candidates, region_descent
from reluscope.certify._cf_reduced import ReducedMilp, _decision, reduced_network
from reluscope.certify.counterfactual import _space
from tests.certify._brute import all_patterns, min_l1_linf


def _net(sizes, seed):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(size=o) * 0.3 for o in sizes[1:]]
    return reluscope.from_arrays(W, B)


def _brute_min_l1(net, x, box, threshold):
    """min L1 distance from x to ``eta >= threshold`` (one logit) in the box: every pattern, one LP each."""
    best = np.inf
    for p in all_patterns(net):
        A, c = net.region_inequalities(p)
        W, b = net.affine_map(p)
        best = min(best, min_l1_linf(np.vstack([A, -W]), np.r_[c, b - threshold], x, 1, box[:, 0], box[:, 1]))
    return best


@pytest.mark.parametrize("seed", [0, 2, 3, 4])  # seeds where a one-feature move reaches the threshold
def test_region_descent_returns_a_real_counterfactual_between_the_optimum_and_its_starts(seed):
    net = _net([3, 5, 4, 1], seed)
    x = np.random.default_rng(seed).normal(size=3) * 0.5
    box = np.tile([-3.0, 3.0], (3, 1))
    space = _space(net, x, box, None, None, None, None, 1)
    threshold = net._forward_raw(x[None, :])[0][0, 0] + 0.1  # x is declined; approvals lie near it
    D, d_lo = _decision(net, 1, threshold, 1e-6)
    red = reduced_network(net, space)
    cands = axis_candidates(red, space, D, d_lo)
    exact = _brute_min_l1(net, x, box, threshold + 1e-6)
    assert cands, "no one-feature move reaches the threshold"
    assert [c for c, _ in cands] == sorted(c for c, _ in cands)
    dist, delta, n_lps = region_descent(red, space, D, d_lo, [d for _, d in cands], max_lps=200)
    assert delta is not None and 1 <= n_lps <= 200
    eta = net._forward_raw((x + delta)[None, :])[0][0, 0]
    assert eta >= threshold + 1e-6  # a real point of the target class (forward pass)
    assert np.all(delta >= box[:, 0] - x - 1e-12) and np.all(delta <= box[:, 1] - x + 1e-12)
    assert dist == pytest.approx(np.abs(delta).sum())
    assert exact - 1e-7 <= dist <= cands[0][0] + 1e-12


def test_region_descent_from_the_optimal_region_returns_the_optimum():
    """Started in the region that holds the exact optimum, the first LP is that optimum."""
    net = _net([4, 7, 6, 1], 3)
    x = np.random.default_rng(8).normal(size=4) * 0.4
    box = np.tile([-2.0, 2.0], (4, 1))
    res = counterfactual(net, x, norm=1, box=box, margin=0.0, method="regions")
    assert res.optimal and res.found
    space = _space(net, x, box, None, None, None, None, 1)
    D, d_lo = _decision(net, 1 - res.original_class, 0.0, 0.0)
    # a point of the optimal region, a little inside it, on the target side
    start = res.point - x
    dist, delta, _ = region_descent(reduced_network(net, space), space, D, d_lo, [start * 1.001])
    assert dist == pytest.approx(res.distance, rel=1e-6, abs=1e-9)


def test_tightening_past_its_deadline_keeps_the_untightened_bounds():
    net = _net([4, 10, 8, 1], 0)
    x = np.random.default_rng(5).normal(size=4) * 0.3
    space = _space(net, x, np.tile([-2.0, 2.0], (4, 1)), [3], None, None, None, 1)
    red = reduced_network(net, space)
    D, d_lo = _decision(net, 1 - int(net._forward_raw(x[None, :])[0][0, 0] > 0), 0.0, 0.0)
    base = ReducedMilp(red, space, (D, d_lo), 2.0)
    late = base.tightened(1, deadline=time.perf_counter() - 1.0)
    full = base.tightened(1)
    assert late is not None and full is not None
    for (lo_b, hi_b), (lo_l, hi_l), (lo_f, hi_f) in zip(base.bounds, late.bounds, full.bounds):
        np.testing.assert_array_equal(lo_l, lo_b)
        np.testing.assert_array_equal(hi_l, hi_b)
        assert (lo_f >= lo_b - 1e-12).all() and (hi_f <= hi_b + 1e-12).all()


def test_counterfactuals_of_many_rows_equal_the_row_by_row_results():
    net = _net([5, 8, 6, 1], 2)
    X = np.random.default_rng(3).normal(size=(4, 5)) * 0.4
    box = np.tile([-2.0, 2.0], (5, 1))
    one = [counterfactual(net, x, norm=1, box=box, immutable=[0]) for x in X]
    many = counterfactuals(net, X, norm=1, n_jobs=2, box=box, immutable=[0])
    assert len(many) == 4
    for a, b in zip(one, many):
        assert a.optimal and b.optimal and a.found == b.found
        assert b.distance == pytest.approx(a.distance, rel=1e-7, abs=1e-9)
    with pytest.raises(reluscope.errors.InvalidInputError, match="2-D"):
        counterfactuals(net, X[0])


def test_a_total_time_gives_the_rows_left_unproved_a_second_pass():
    net = _net([10, 24, 24, 1], 5)
    X = np.random.default_rng(1).normal(size=(2, 10)) * 0.3
    box = np.tile([-3.0, 3.0], (10, 1))
    opts = dict(norm=1, box=box, immutable=[0, 1])
    exact = [counterfactual(net, x, **opts) for x in X]
    quick = counterfactuals(net, X, time_limit=1e-3, **opts)
    assert not all(r.optimal for r in quick)  # 1 ms is too little for these rows: the second pass has work
    both = counterfactuals(net, X, time_limit=1e-3, total_time=60.0, **opts)
    for e, q, b in zip(exact, quick, both):
        assert e.optimal and b.optimal
        assert b.distance == pytest.approx(e.distance, rel=1e-6, abs=1e-9)
    with pytest.raises(reluscope.errors.InvalidInputError, match="total_time"):
        counterfactuals(net, X, total_time=10.0, **opts)


@pytest.mark.parametrize("norm", [1, np.inf])
def test_two_feature_moves_are_real_counterfactuals_with_their_weighted_distance(norm):
    net = _net([4, 8, 6, 1], 1)
    x = np.random.default_rng(2).normal(size=4) * 0.3
    box = np.tile([-3.0, 3.0], (4, 1))
    w = np.array([1.0, 2.0, 0.5, 1.5])
    space = _space(net, x, box, None, None, None, w, norm)
    threshold = net._forward_raw(x[None, :])[0][0, 0] + 0.2
    D, d_lo = _decision(net, 1, threshold, 1e-6)
    one = axis_candidates(reduced_network(net, space), space, D, d_lo)
    both = axis_candidates(reduced_network(net, space), space, D, d_lo, pairs=True)
    assert len(both) > len(one) and [c for c, _ in both] == sorted(c for c, _ in both)
    for dist, delta in both:
        assert 1 <= np.count_nonzero(delta) <= 2
        v = np.abs(w * delta)
        assert dist == pytest.approx(v.sum() if norm == 1 else v.max())
        assert net._forward_raw((x + delta)[None, :])[0][0, 0] >= threshold + 1e-6
        assert np.all(x + delta >= -3.0 - 1e-12) and np.all(x + delta <= 3.0 + 1e-12)
