"""Counterfactuals: feasible, no farther than a dense grid, equal to the minimum over all regions (brute force)."""

import numpy as np
import pytest

import reluscope
from reluscope.certify import counterfactual
from tests.certify._brute import all_patterns, min_l1_linf
from tests.strategies import random_network

BOX = np.array([[-3.0, 3.0], [-3.0, 3.0]])
NORMS = {1: 1, 2: 2, "inf": np.inf}


def _net(seed, sizes=(2, 6, 4, 1)):
    return random_network(np.random.default_rng(seed), list(sizes))


def _classes(net, X, thr=0.0):
    eta = net._forward_raw(X)[0]
    return (eta[:, 0] > thr).astype(int) if eta.shape[1] == 1 else eta.argmax(axis=1)


@pytest.mark.parametrize("norm", [1, 2, "inf"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_2d_counterfactual_feasible_and_no_farther_than_dense_grid(norm, seed):
    net = _net(seed)
    x = np.random.default_rng(seed + 10).uniform(-1, 1, size=2)
    res = counterfactual(net, x, norm=norm, box=BOX)
    assert res.found and res.optimal
    assert _classes(net, res.point[None, :])[0] != res.original_class == _classes(net, x[None, :])[0]
    assert ((res.point >= BOX[:, 0]) & (res.point <= BOX[:, 1])).all()
    assert np.linalg.norm(res.point - x, ord=NORMS[norm]) == pytest.approx(res.distance, abs=1e-9)
    g = np.linspace(-3, 3, 601)
    G = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    other = G[_classes(net, G) != res.original_class]
    assert other.size  # the seeds are chosen so that the box holds the other class
    grid_best = np.linalg.norm(other - x, ord=NORMS[norm], axis=1).min()
    assert res.distance <= grid_best + 1e-9
    assert res.distance >= grid_best - 2 * 0.01 - 1e-6  # grid spacing 0.01: the grid point next to ours is that close


@pytest.mark.slow
@pytest.mark.parametrize("norm", [1, "inf"])
@pytest.mark.parametrize("sizes", [(2, 5, 4, 1), (3, 4, 4, 3)])
def test_counterfactual_equals_minimum_over_all_regions(norm, sizes):
    net = _net(7, sizes)
    d = sizes[0]
    box = np.tile([-2.5, 2.5], (d, 1))
    x = np.random.default_rng(3).uniform(-0.5, 0.5, size=d)
    c0 = _classes(net, x[None, :])[0]
    res = counterfactual(net, x, norm=norm, box=box, margin=0.0)
    best = np.inf
    for p in all_patterns(net):
        A, c = net.region_inequalities(p)
        W, b = net.affine_map(p)
        if W.shape[0] == 1:
            T, t = (W, -b) if c0 == 1 else (-W, b)  # eta <= 0 (class 0) or eta >= 0 (class 1)
            best = min(best, min_l1_linf(np.vstack([A, T]), np.r_[c, t], x, NORMS[norm], box[:, 0], box[:, 1]))
        else:
            for j in range(W.shape[0]):
                if j == c0:
                    continue
                others = [k for k in range(W.shape[0]) if k != j]
                T, t = W[others] - W[j], b[j] - b[others]
                best = min(best, min_l1_linf(np.vstack([A, T]), np.r_[c, t], x, NORMS[norm], box[:, 0], box[:, 1]))
    assert res.optimal and res.lower_bound == pytest.approx(res.distance)
    assert res.distance == pytest.approx(best, abs=1e-7)


def test_l2_counterfactual_is_a_kkt_point_of_its_region():
    """The QP answer: the step from x is orthogonal to the region's feasible directions (projection check)."""
    net = _net(4)
    x = np.array([0.2, 0.1])
    res = counterfactual(net, x, norm=2, box=BOX, margin=0.0)
    # no point of a fine grid in a small disc around the counterfactual is closer with the other class
    rng = np.random.default_rng(0)
    P = res.point + rng.normal(size=(20000, 2)) * 0.05
    other = P[_classes(net, P) != res.original_class]
    assert np.linalg.norm(other - x, axis=1).min() >= res.distance - 1e-9


def test_immutable_features_and_target_class():
    net = _net(8, (3, 6, 5, 3))
    x = np.array([0.3, -0.4, 0.8])
    c0 = _classes(net, x[None, :])[0]
    target = (c0 + 1) % 3
    res = counterfactual(net, x, target=target, norm=1, immutable=[2], box=np.tile([-4.0, 4.0], (3, 1)))
    if res.found:
        assert res.point[2] == x[2]
        assert _classes(net, res.point[None, :])[0] == target == res.counterfactual_class
    else:
        assert res.optimal and "no counterfactual" in res.message


def test_no_counterfactual_within_the_box_is_a_result_not_an_exception():
    # the output depends on feature 0 only; freezing it leaves no way to change the class
    net = reluscope.ReLUNetwork([np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[1.0, -1.0]])], [np.zeros(2), np.array([-0.1])])
    res = counterfactual(net, [1.0, 0.5], norm=1, immutable=[0], box=BOX)
    assert not res.found and res.optimal and res.message.startswith("no counterfactual exists within the box")
    assert res.changes().empty


def test_one_hot_group_and_integer_feature_by_milp():
    rng = np.random.default_rng(11)
    net = random_network(rng, [4, 6, 1])
    x = np.array([0.2, 2.0, 1.0, 0.0])  # feature 1 integer, features 2-3 one-hot
    box = np.array([[-3, 3], [0, 5], [0, 1], [0, 1.0]])
    res = counterfactual(net, x, norm=1, box=box, integer=[1], one_hot=[[2, 3]])
    assert res.found and res.optimal
    p = res.point
    assert p[1] == np.round(p[1]) and set(np.round(p[2:], 9)) <= {0.0, 1.0} and p[2] + p[3] == pytest.approx(1.0)
    assert _classes(net, p[None, :])[0] != res.original_class
    # brute force: every one-hot choice x integer value, the continuous feature free on a fine grid
    g = np.linspace(-3, 3, 6001)
    best = np.inf
    for k in range(6):
        for hot in ([1.0, 0.0], [0.0, 1.0]):
            Z = np.column_stack([g, np.full_like(g, k), np.tile(hot, (g.size, 1))])
            ok = _classes(net, Z) != res.original_class
            if ok.any():
                best = min(best, np.abs(Z[ok] - x).sum(axis=1).min())
    assert res.distance <= best + 1e-9 and res.distance >= best - 1e-3 - 1e-6


def test_search_limit_reports_lower_bound():
    net = _net(2, (2, 8, 8, 1))
    res = counterfactual(net, [0.1, 0.1], norm=1, box=BOX, max_regions=1)
    full = counterfactual(net, [0.1, 0.1], norm=1, box=BOX)
    assert res.lower_bound <= full.distance + 1e-9
    if not res.optimal:
        assert "limit" in res.message


def test_geometry_first_then_counterfactual_in_a_fresh_process():
    """HiGHS sizes its process-wide thread pool at the first solve; every reluscope model asks for one
    thread, so a region enumeration first cannot make the counterfactual's programmes fail (they were
    read as "infeasible" and a false "no counterfactual exists" certificate came back)."""
    import subprocess
    import sys

    script = (
        "import numpy as np, reluscope\n"
        "from reluscope.geometry import enumerate_regions\n"
        "from reluscope.certify import counterfactual\n"
        "rng = np.random.default_rng(0)\n"
        "big = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))], [rng.normal(size=8), rng.normal(size=1)])\n"
        "enumerate_regions(big, np.array([[-1.0, 1.0], [-1.0, 1.0]]), progress=False)\n"
        "net = reluscope.from_arrays([np.eye(2), np.array([[1.0, 1.0]])], [np.zeros(2), np.array([-0.5])])\n"
        "r = counterfactual(net, np.zeros(2), norm=1)\n"
        "print(r.found, r.optimal, repr(r.distance))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out[:2] == ["True", "True"] and float(out[2]) == pytest.approx(0.5, abs=1e-5)
