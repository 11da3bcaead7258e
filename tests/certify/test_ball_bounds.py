"""Bounds over a box intersected with a weighted L1 ball, LP tightening, and the LLM walk."""

import numpy as np
import pytest
from scipy.optimize import linprog

import reluscope
from reluscope.certify import _milp
from reluscope.certify._cf_walk import llm_walk
from reluscope.certify.counterfactual import _space, counterfactual


def _net(sizes, seed):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(size=o) * 0.3 for o in sizes[1:]]
    return reluscope.from_arrays(W, B)


@pytest.mark.parametrize("seed", range(4))
def test_l1_concretisation_equals_the_linear_programme(seed):
    rng = np.random.default_rng(seed)
    d, m = 5, 7
    x0 = rng.normal(size=d)
    lo, hi = x0 - rng.uniform(0.1, 2, d), x0 + rng.uniform(0.1, 2, d)
    lo[1] = hi[1] = x0[1]  # a fixed coordinate
    w, r = rng.uniform(0.5, 2, d), 1.3
    E = rng.normal(size=(m, d + 1))
    got_lo, got_hi = _milp._concretize_l1(E, lo, hi, (x0, r, w))
    # LP over (x, t): t >= |x - x0| * w, sum t <= r, lo <= x <= hi
    A = np.block([[np.diag(w), -np.eye(d)], [-np.diag(w), -np.eye(d)], [np.zeros((1, d)), np.ones((1, d))]])
    b = np.r_[w * x0, -w * x0, r]
    bounds = list(zip(lo, hi)) + [(0, None)] * d
    for i in range(m):
        c = np.r_[E[i, :-1], np.zeros(d)]
        lo_lp = linprog(c, A_ub=A, b_ub=b, bounds=bounds).fun + E[i, -1]
        hi_lp = -linprog(-c, A_ub=A, b_ub=b, bounds=bounds).fun + E[i, -1]
        assert got_lo[i] == pytest.approx(lo_lp, abs=1e-9) and got_hi[i] == pytest.approx(hi_lp, abs=1e-9)


def test_lp_tightened_bounds_are_sound_and_no_looser():
    net = _net([4, 12, 12, 1], 3)
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=4)
    lo, hi, r, w = x0 - 1.5, x0 + 1.5, 1.0, np.ones(4)
    base = _milp.propagate_bounds(net, lo, hi, (x0, r, w))
    tight = _milp.tighten_bounds_lp(net, base, lo, hi, (x0, r, w))
    assert all((t[0] >= b[0] - 1e-12).all() and (t[1] <= b[1] + 1e-12).all() for t, b in zip(tight, base))
    assert sum((b[1] - b[0]).sum() - (t[1] - t[0]).sum() for t, b in zip(tight, base)) > 0  # strictly tighter somewhere
    n = 200_000  # points of the box within the ball
    D = rng.laplace(size=(n, 4))
    D = D / np.abs(D).sum(1, keepdims=True) * r * rng.random((n, 1)) ** 0.25
    Z = np.clip(x0 + D, lo, hi)
    for layer in range(net.n_hidden_layers + 1):
        Z = Z @ net.weights[layer].T + net.biases[layer]
        assert (Z >= tight[layer][0] - 1e-9).all() and (Z <= tight[layer][1] + 1e-9).all()
        Z = np.maximum(Z, 0)


@pytest.mark.parametrize("seed", range(3))
def test_llm_walk_returns_a_real_counterfactual_no_closer_than_the_optimum(seed):
    net = _net([3, 10, 10, 1], seed)
    x = np.random.default_rng(seed).normal(size=3)
    c0 = int(net._forward_raw(x[None])[0][0][0] > 0)
    space = _space(net, x, None, None, None, None, None, 1)
    dist, delta = llm_walk(net, space, [1 - c0], 0.0, 1e-6)
    exact = counterfactual(net, x, norm=1)
    assert exact.optimal
    if delta is not None:
        eta = net._forward_raw((x + delta)[None])[0][0][0]
        assert (eta > 0) != bool(c0)
        assert np.abs(delta).sum() == pytest.approx(dist) and dist >= exact.distance - 1e-7
