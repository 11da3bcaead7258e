"""The counterfactual MILP on the reduced network: same function, sound bounds, exact minimum (brute force)."""

import numpy as np
import pytest

import reluscope
from reluscope.certify import counterfactual
from reluscope.certify._cf_reduced import ReducedMilp, _decision, axis_incumbent, reduced_network
from reluscope.certify.counterfactual import _space
from tests.certify._brute import all_patterns, min_l1_linf

NORMS = {1: 1, "inf": np.inf}


def _net(sizes, seed):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(size=o) * 0.3 for o in sizes[1:]]
    return reluscope.from_arrays(W, B)


def _class(net, X):
    eta = net._forward_raw(np.atleast_2d(X))[0]
    return (eta[:, 0] > 0).astype(int) if eta.shape[1] == 1 else eta.argmax(axis=1)


@pytest.mark.parametrize("seed", range(3))
def test_reduced_network_is_the_network_with_the_immutables_fixed(seed):
    net = _net([6, 9, 7, 2], seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=6)
    space = _space(net, x, None, [1, 4], None, None, None, 1)
    red = reduced_network(net, space)
    assert red.n_features == 4 and list(space.free) == [0, 2, 3, 5]
    delta = rng.normal(size=(50, 4)) * 2
    Y = np.repeat(x[None, :], 50, axis=0)
    Y[:, space.free] += delta
    np.testing.assert_allclose(red._forward_raw(delta)[0], net._forward_raw(Y)[0], atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_tightened_bounds_hold_at_every_point_of_the_target_class_in_the_ball(seed):
    net = _net([4, 10, 8, 1], seed)
    rng = np.random.default_rng(seed + 5)
    x = rng.normal(size=4) * 0.3
    box = np.tile([-2.0, 2.0], (4, 1))
    space = _space(net, x, box, [3], None, None, None, 1)
    red = reduced_network(net, space)
    want = 1 - _class(net, x)[0]
    D, d_lo = _decision(net, want, 0.0, 0.0)
    exact = counterfactual(net, x, norm=1, box=box, immutable=[3])
    assert exact.found
    radius = 1.5 * exact.distance + 0.2  # the ball holds a good share of the target class
    milp = ReducedMilp(red, space, (D, d_lo), radius).tightened(1)
    # points of the box within the L1 ball of the target class: every pre-activation inside the bounds
    P = rng.uniform(space.lb, space.ub, size=(400_000, 3))
    P = P[np.abs(P).sum(axis=1) <= radius]
    eta, pre = red._forward_raw(P, keep_pre=True)
    P_ok = np.all(eta @ D.T >= d_lo, axis=1)
    assert P_ok.sum() > 100  # the target class is present in the ball
    if milp is None:
        pytest.fail("the relaxation cannot be infeasible: the sample holds points of the target class")
    for k, (lo, hi) in enumerate(milp.bounds[:-1]):
        Z = pre[k][P_ok]
        assert (Z >= lo - 1e-9).all() and (Z <= hi + 1e-9).all()
    base = ReducedMilp(red, space, (D, d_lo), radius)
    widths = [float((hi - lo).sum()) for lo, hi in milp.bounds[:-1]]
    base_widths = [float((hi - lo).sum()) for lo, hi in base.bounds[:-1]]
    assert all(w <= b + 1e-9 for w, b in zip(widths, base_widths))


@pytest.mark.slow
@pytest.mark.parametrize("norm", [1, "inf"])
@pytest.mark.parametrize("sizes", [(4, 5, 4, 1), (4, 4, 4, 3)])
def test_counterfactual_with_immutables_equals_minimum_over_all_regions(norm, sizes):
    """Immutable feature fixed (box [x, x] in the brute force): the reduced MILP's answer is the exact minimum."""
    net = _net(sizes, 11)
    box = np.tile([-2.0, 2.0], (4, 1))
    x = np.random.default_rng(4).uniform(-0.5, 0.5, size=4)
    c0 = _class(net, x)[0]
    res = counterfactual(net, x, norm=norm, box=box, immutable=[2], margin=0.0)
    assert res.method == "reduced milp" and res.optimal and res.found
    lo, hi = box[:, 0].copy(), box[:, 1].copy()
    lo[2] = hi[2] = x[2]
    best = np.inf
    for p in all_patterns(net):
        A, c = net.region_inequalities(p)
        W, b = net.affine_map(p)
        if W.shape[0] == 1:
            T, t = (W, -b) if c0 == 1 else (-W, b)
            best = min(best, min_l1_linf(np.vstack([A, T]), np.r_[c, t], x, NORMS[norm], lo, hi))
        else:
            for j in range(W.shape[0]):
                if j != c0:
                    others = [k for k in range(W.shape[0]) if k != j]
                    best = min(best, min_l1_linf(np.vstack([A, W[others] - W[j]]), np.r_[c, b[j] - b[others]], x,
                                                 NORMS[norm], lo, hi))
    assert res.distance == pytest.approx(best, abs=1e-7)
    assert res.lower_bound == pytest.approx(res.distance, rel=1e-6)
    assert res.point[2] == x[2]  # margin 0: the point lies on the decision boundary


@pytest.mark.parametrize("seed", range(3))
def test_one_feature_incumbent_is_a_real_counterfactual_no_closer_than_the_optimum(seed):
    net = _net([3, 10, 10, 1], seed)
    x = np.random.default_rng(seed).normal(size=3) * 0.5
    box = np.tile([-3.0, 3.0], (3, 1))
    space = _space(net, x, box, None, None, None, None, 1)
    want = 1 - _class(net, x)[0]
    D, d_lo = _decision(net, want, 0.0, 1e-6)
    dist, delta = axis_incumbent(reduced_network(net, space), space, D, d_lo)
    exact = counterfactual(net, x, norm=1, box=box)
    assert exact.optimal
    if delta is not None:
        assert np.count_nonzero(delta) == 1 and _class(net, x + delta)[0] == want
        assert np.abs(delta).sum() == pytest.approx(dist) and dist >= exact.distance - 1e-9


def test_no_counterfactual_in_the_box_is_proved_by_the_reduced_milp():
    """eta = relu(x1) + relu(x2) - 1 never exceeds 0 on [-1, 0.4]^2: proved, not a time-out."""
    net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    res = counterfactual(net, [0.0, 0.0], norm=1, box=[[-1.0, 0.4], [-1.0, 0.4]], time_limit=5)
    assert res.method == "reduced milp"
    assert not res.found and res.optimal and res.lower_bound == np.inf


@pytest.mark.parametrize("seed", range(6))
def test_reduced_milp_agrees_with_the_exact_region_search(seed):
    """Two independent exact methods (best-first region search, reduced MILP) give the same distance."""
    net = _net([5, 8, 6, 1], seed)
    x = np.random.default_rng(seed + 20).normal(size=5) * 0.4
    box = np.tile([-2.0, 2.0], (5, 1))
    a = counterfactual(net, x, norm=1, box=box, immutable=[0, 4])
    b = counterfactual(net, x, norm=1, box=box, immutable=[0, 4], method="regions")
    assert a.method == "reduced milp" and a.optimal and b.optimal and a.found == b.found
    if a.found:
        assert a.distance == pytest.approx(b.distance, rel=1e-6, abs=1e-9)


def test_time_limit_on_the_milp_path_returns_a_valid_point_and_an_honest_bound():
    net = _net([10, 24, 24, 1], 5)
    x = np.random.default_rng(1).normal(size=10) * 0.3
    box = np.tile([-3.0, 3.0], (10, 1))
    full = counterfactual(net, x, norm=1, box=box, immutable=[0, 1])
    quick = counterfactual(net, x, norm=1, box=box, immutable=[0, 1], time_limit=1e-3)
    assert full.optimal and full.method == quick.method == "reduced milp"
    assert quick.lower_bound <= full.distance + 1e-9 <= quick.distance + 2e-9
    if quick.found:
        assert _class(net, quick.point)[0] != quick.original_class
        assert (quick.point[:2] == x[:2]).all()
    if not quick.optimal:
        assert "limit" in quick.message
