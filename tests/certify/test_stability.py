"""Stability radius = distance to the nearest pattern change (bisection along directions), within 1e-9."""

import numpy as np
import pytest

from reluscope.certify import stability_radius
from tests.strategies import random_network


def _first_change(net, x, U, p, t_hi=50.0, iters=80):
    """Bisection on the pattern along the rays x + t u, all rows of U at once (the region is convex: one exit)."""
    U = np.atleast_2d(U)
    same = lambda t: (net.patterns(x + t[:, None] * U) == p).all(axis=1)  # noqa: E731
    lo, hi = np.zeros(len(U)), np.full(len(U), t_hi)
    never = same(hi)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        inside = same(mid)
        lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
    return np.where(never, np.inf, hi)


@pytest.mark.parametrize("norm", [2, 1, "inf"])
@pytest.mark.parametrize("seed", [0, 1])
def test_radius_equals_nearest_pattern_change_along_directions(norm, seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, [3, 7, 5, 2], slopes=[0.0, 0.1])
    X = rng.normal(size=(6, 3))
    res = stability_radius(net, X, norm=norm)
    ordn = {2: 2, 1: 1, "inf": np.inf}[norm]
    for i, x in enumerate(X):
        p = net.patterns(x[None, :])[0]
        r = res.radius[i]
        # along the returned direction the pattern changes exactly at distance r
        assert _first_change(net, x, res.direction[i], p)[0] == pytest.approx(r, abs=1e-9)
        assert np.linalg.norm(res.direction[i], ord=ordn) == pytest.approx(1.0)
        # no direction leaves the region sooner: random directions (and the coordinate/sign ones) scaled to unit norm
        U = np.vstack([rng.normal(size=(2000, 3)), np.eye(3), -np.eye(3), np.sign(rng.normal(size=(30, 3)))])
        U /= np.linalg.norm(U, ord=ordn, axis=1)[:, None]
        t = _first_change(net, x, U, p)
        assert t.min() >= r - 1e-9
        # the neighbour's LLM is the LLM just across the facet
        across = x + (r + 1e-7) * res.direction[i]
        q = net.patterns(across[None, :])[0]
        assert q[res.unit[i]] != p[res.unit[i]]
        np.testing.assert_allclose(net.affine_map(q)[0], res.neighbour_coef[i], atol=1e-12)


def test_unit_reported_in_its_layer():
    rng = np.random.default_rng(5)
    net = random_network(rng, [2, 4, 3, 1])
    res = stability_radius(net, rng.normal(size=(20, 2)))
    starts = np.array([0, 4])
    assert (res.unit == starts[res.layer] + res.unit_in_layer).all()
    assert set(res.to_frame().columns) == {"radius", "unit", "layer", "unit_in_layer"}


def test_redundant_facet_never_reported():
    """A far-away duplicate first-layer unit (parallel, same side) is redundant and must not be the nearest."""
    W0 = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    b0 = np.array([0.0, -5.0, 0.0])  # units 0 and 1: x0 > 0 and x0 > 5
    net = __import__("reluscope").ReLUNetwork([W0, np.ones((1, 3))], [b0, np.zeros(1)])
    x = np.array([[1.0, 2.0]])
    res = stability_radius(net, x)
    assert res.radius[0] == pytest.approx(1.0)
    assert res.unit[0] == 0
