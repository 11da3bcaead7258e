import numpy as np
import pytest
from scipy.optimize import linprog

from reluscope.errors import FeatureMismatchError, InvalidInputError
from reluscope.geometry import enumerate_regions, slice_2d

from .conftest import grid, he_net, toy_net


def _box(d):
    return np.column_stack([-np.ones(d), np.ones(d)])


def test_toy_net_22_regions_areas_sum_to_4():
    e = enumerate_regions(toy_net(), _box(2))
    assert e.n_regions == 22 and not e.truncated
    first = [p.split(";")[0] for p in e.pattern_strings()]
    assert {q: first.count(q) for q in set(first)} == {"1,1": 11, "1,0": 5, "0,1": 5, "0,0": 1}
    assert abs(e.volumes.sum() - 4.0) < 1e-9
    assert (e.radii > 0).all()
    assert e.adjacency.number_of_nodes() == 22
    # the same regions as the exact 2-D slice
    assert set(e.pattern_strings()) == set(slice_2d(toy_net(), [0, 0], [1, 0], [0, 1]).pattern_strings())


@pytest.mark.parametrize("sizes,seed", [([2, 10, 10, 1], 0), ([3, 8, 8, 1], 1)])
def test_random_nets_partition_the_box(sizes, seed):
    net = he_net(sizes, seed)
    d = sizes[0]
    e = enumerate_regions(net, _box(d))
    assert not e.truncated
    assert (e.radii > 1e-7).all()
    assert abs(e.volumes.sum() - 2.0**d) < 1e-9 * 2.0**d
    X = grid(d, 121 if d == 2 else 31)
    ids = e.locate(net, X)
    assert (ids >= 0).all()
    for r in np.unique(ids)[:200]:  # every sample lies in the H-rep of the region of its pattern
        assert e.regions[r].contains(X[ids == r], tol=1e-9).all()
    # the centre's pattern is the region's
    assert (e.locate(net, e.centers) == np.arange(e.n_regions)).all()
    # every facet crossing is an edge between regions whose patterns differ in exactly that unit
    for a, b, u in e.adjacency.edges(data="unit"):
        diff = np.flatnonzero(e.patterns[a] != e.patterns[b])
        assert diff.tolist() == [u]
    if d == 2:
        assert e.n_regions == slice_2d(net, [0, 0], [1, 0], [0, 1]).n_regions


def test_regions_are_pairwise_disjoint_by_lp():
    net = he_net([2, 4, 4, 1], 5)
    e = enumerate_regions(net, _box(2))
    R = e.regions
    for i in range(len(R)):
        for j in range(i + 1, len(R)):
            G = np.vstack([R[i].A, R[j].A])
            h = np.concatenate([R[i].b, R[j].b])
            # the largest ball inside both: radius 0 (interiors disjoint)
            res = linprog(np.r_[0.0, 0.0, -1.0], A_ub=np.column_stack([G, np.ones(len(h))]), b_ub=h,
                          bounds=[(None, None)] * 2 + [(0, None)], method="highs")
            assert res.status == 2 or (res.status == 0 and -res.fun <= 1e-9)  # 2: the closures do not even meet


def test_lp_path_above_qhull_dimension_agrees_with_qhull(monkeypatch):
    import reluscope.geometry.enumerate as en

    net = he_net([3, 6, 6, 1], 4)
    e1 = enumerate_regions(net, _box(3))
    monkeypatch.setattr(en, "QHULL_MAX_DIM", 0)
    e2 = enumerate_regions(net, _box(3))
    assert set(e1.pattern_strings()) == set(e2.pattern_strings())
    assert e2.stats["row_lps"] > 0
    where = {p: k for k, p in enumerate(e2.pattern_strings())}
    for p, r1 in zip(e1.pattern_strings(), e1.regions):  # the same facets (units and domain sides)
        assert sorted(r1.unit.tolist()) == sorted(e2.regions[where[p]].unit.tolist())


def test_polytope_domain_and_cap():
    net = he_net([2, 8, 8, 1], 7)
    tri = (np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]]), np.array([0.0, 0.0, 1.0]))
    e = enumerate_regions(net, tri)
    assert abs(e.volumes.sum() - 0.5) < 1e-9
    capped = enumerate_regions(net, _box(2), max_regions=3)
    assert capped.truncated and capped.n_regions == 3


def test_bad_domains_raise():
    net = toy_net()
    with pytest.raises(FeatureMismatchError):
        enumerate_regions(net, _box(3))
    with pytest.raises(InvalidInputError):
        enumerate_regions(net, np.array([[-np.inf, 1.0], [-1.0, 1.0]]))
    with pytest.raises(InvalidInputError):
        enumerate_regions(net, (np.array([[1.0, 0.0]]), np.array([1.0])))  # a half-plane: unbounded
    with pytest.raises(InvalidInputError):
        enumerate_regions(net, _box(2), max_regions=0)


def test_lp_path_certificates_agree_with_qhull_in_5d(monkeypatch):
    """The LP path's carried certificates (witness rays, re-solved dual bases) change no answer:
    same regions and the same facets as qhull's dual hulls, with fewer LPs than rows left open."""
    import reluscope.geometry.enumerate as en

    net = he_net([5, 8, 8, 1], 2)
    e1 = enumerate_regions(net, _box(5), max_regions=150)
    monkeypatch.setattr(en, "QHULL_MAX_DIM", 0)
    e2 = enumerate_regions(net, _box(5), max_regions=150)
    assert e1.pattern_strings() == e2.pattern_strings()  # same breadth-first order: same facets found
    for r1, r2 in zip(e1.regions, e2.regions):
        assert sorted(r1.unit.tolist()) == sorted(r2.unit.tolist())
        assert np.allclose(r1.center, r2.center, atol=1e-7) or abs(r1.radius - r2.radius) < 1e-9
    assert e2.stats["dual_certified"] > 0 and e2.stats["row_lps"] > 0


def test_redundant_by_basis_is_farkas():
    from reluscope.geometry._certificates import redundant_by_basis

    # the unit square [0, 1]^2 with two extra rows: x + y <= 3 (redundant: (x <= 1) + (y <= 1) gives 2)
    # and x + y <= 1.5 (a facet: the corner (1, 1) violates it)
    s = np.sqrt(0.5)
    G = np.array([[1.0, 0], [0, 1.0], [-1.0, 0], [0, -1.0], [s, s], [s, s]])
    h = np.array([1.0, 1.0, 0.0, 0.0, 3 * s, 1.5 * s])
    lo, hi = np.zeros(2), np.ones(2)
    basis = np.array([0, 1])
    assert redundant_by_basis(G, h, basis, np.array([4, 5]), lo, hi).tolist() == [True, False]
    # a basis row never certifies itself, and a wrong-signed combination proves nothing
    assert redundant_by_basis(G, h, basis, np.array([0, 1]), lo, hi).tolist() == [False, False]
    assert redundant_by_basis(G, h, np.array([2, 3]), np.array([4]), lo, hi).tolist() == [False]


def test_sliver_volume_does_not_raise():
    from reluscope.geometry._facets import _hull_volume

    from scipy.spatial import ConvexHull, QhullError

    # a flat square in 3-D: qhull's initial simplex is flat and it raises; the volume is 0
    V = np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0.5, 0.5, 0]])
    with pytest.raises(QhullError):
        ConvexHull(V)
    assert 0.0 <= _hull_volume(V) < 1e-9
    assert abs(_hull_volume(np.array([[0.0, 0], [1, 0], [0, 1], [1, 1]])) - 1.0) < 1e-15


def test_n_jobs_gives_the_serial_search():
    """Two worker processes: the same regions, in the same order, with the same facets and centres."""
    net = he_net([4, 8, 8, 1], 3)
    e1 = enumerate_regions(net, _box(4), max_regions=120)
    e2 = enumerate_regions(net, _box(4), max_regions=120, n_jobs=2)
    assert e1.truncated and e2.truncated and e1.n_regions == e2.n_regions == 120
    assert e1.pattern_strings() == e2.pattern_strings()
    for r1, r2 in zip(e1.regions, e2.regions):
        assert np.array_equal(r1.unit, r2.unit) and np.allclose(r1.center, r2.center, atol=1e-12)
    assert sorted(e1.adjacency.edges()) == sorted(e2.adjacency.edges())
    with pytest.raises(InvalidInputError, match="n_jobs"):
        enumerate_regions(net, _box(4), n_jobs=0)
