import numpy as np
import pytest

from reluscope.errors import FeatureMismatchError, InvalidInputError
from reluscope.geometry import regions_on_segment, slice_2d, slice_through_points
from reluscope.patterns import PatternIndex, compute_patterns, pack_patterns

from .conftest import grid, he_net, toy_net

E1, E2, O = [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]


def test_toy_net_has_22_regions_with_the_11_5_5_1_split_and_area_4():
    s = slice_2d(toy_net(), O, E1, E2)
    assert s.n_regions == 22
    assert len(set(s.pattern_strings())) == 22
    first = [p.split(";")[0] for p in s.pattern_strings()]
    assert {q: first.count(q) for q in set(first)} == {"1,1": 11, "1,0": 5, "0,1": 5, "0,0": 1}
    assert abs(s.area.sum() - 4.0) < 1e-9
    assert (s.area > 0).all()


@pytest.mark.parametrize("sizes", [[2, 8, 8, 1], [2, 16, 16, 16, 1]])
def test_slice_matches_dense_grid_and_the_network(sizes):
    net = he_net(sizes, 3)
    s = slice_2d(net, O, E1, E2)
    assert abs(s.area.sum() - 4.0) < 1e-9
    assert len(set(map(bytes, np.packbits(s.patterns, axis=1)))) == s.n_regions  # one polygon per pattern
    X = grid(2, 201)
    packed, eta = compute_patterns(net, X)
    idx = PatternIndex(pack_patterns(s.patterns)).lookup(packed)
    assert (idx >= 0).all()  # every grid point's pattern is a polygon's
    assert np.unique(idx).size <= s.n_regions
    # the point lies in the polygon of its pattern (convex, counter-clockwise edges: all cross products >= 0)
    V = s.vertices[idx]
    E = np.roll(V, -1, axis=1) - V
    R = X[:, None, :] - V
    cross = E[..., 0] * R[..., 1] - E[..., 1] * R[..., 0]
    assert (cross >= -1e-9).all()
    # the LLM reproduces the network
    pred = np.einsum("nkd,nd->nk", s.coef[idx], X) + s.intercept[idx]
    assert np.allclose(pred, eta, atol=1e-10)
    # centroids: the network's pattern there is the polygon's
    pc, _ = compute_patterns(net, s.to_input(s.centroids()))
    assert (PatternIndex(pack_patterns(s.patterns)).lookup(pc) == np.arange(s.n_regions)).all()


def test_oblique_slice_in_higher_dimension_and_three_points():
    net = he_net([5, 10, 10, 2], 1)
    rng = np.random.default_rng(0)
    x0, x1, x2 = rng.normal(size=(3, 5))
    s = slice_through_points(net, x0, x1, x2)
    st = rng.uniform([b[0] for b in s.bounds], [b[1] for b in s.bounds], size=(2000, 2))
    X = s.to_input(st)
    packed, eta = compute_patterns(net, X)
    idx = PatternIndex(pack_patterns(s.patterns)).lookup(packed)
    assert (idx >= 0).all()
    pred = np.einsum("nkd,nd->nk", s.coef_slice[idx], st) + s.intercept_slice[idx]
    assert np.allclose(pred, eta, atol=1e-9)
    box_area = np.prod([b[1] - b[0] for b in s.bounds])
    assert abs(s.area.sum() - box_area) < 1e-9 * box_area
    assert s.area_scale == pytest.approx(1.0)


def test_segment_breakpoints_are_exact():
    net = he_net([3, 12, 12, 1], 2)
    a, b = np.array([-1.0, 0.5, -2.0]), np.array([2.0, -1.0, 1.0])
    seg = regions_on_segment(net, a, b)
    assert seg.pieces[0, 0] == 0.0 and seg.pieces[-1, 1] == 1.0
    assert np.allclose(seg.pieces[1:, 0], seg.pieces[:-1, 1])
    t = np.linspace(0, 1, 20001)
    packed, eta = compute_patterns(net, seg.points(t))
    idx = PatternIndex(pack_patterns(seg.patterns)).lookup(packed)
    assert (idx >= 0).all()
    inside = (t >= seg.pieces[idx, 0] - 1e-12) & (t <= seg.pieces[idx, 1] + 1e-12)
    assert inside.all()
    assert np.allclose(seg.offset[idx] + seg.slope[idx] * t[:, None], eta, atol=1e-10)
    # the network is continuous: pieces agree at the breakpoints
    left = seg.offset[:-1] + seg.slope[:-1] * seg.breakpoints[:, None]
    right = seg.offset[1:] + seg.slope[1:] * seg.breakpoints[:, None]
    assert np.allclose(left, right, atol=1e-10)


def test_bad_slices_raise():
    net = toy_net()
    with pytest.raises(InvalidInputError):
        slice_2d(net, O, E1, [2.0, 0.0])  # parallel
    with pytest.raises(InvalidInputError):
        slice_2d(net, O, [0.0, 0.0], E2)
    with pytest.raises(FeatureMismatchError):
        slice_2d(net, [0, 0, 0], E1, E2)
    with pytest.raises(InvalidInputError):
        slice_2d(net, O, E1, E2, bounds=((1, -1), (0, 1)))
    with pytest.raises(InvalidInputError):
        slice_through_points(net, [0, 0], [1, 1], [2, 2])
    with pytest.raises(InvalidInputError):
        regions_on_segment(net, [1, 1], [1, 1])


def test_leaky_and_identity_layers():
    """LeakyReLU layers split like ReLU (their LLMs differ); identity layers (slope 1) never split."""
    import reluscope

    rng = np.random.default_rng(9)
    W = [rng.normal(size=(6, 2)), rng.normal(size=(5, 6)), rng.normal(size=(1, 5))]
    B = [rng.normal(size=6), rng.normal(size=5), np.zeros(1)]
    for slopes in ([0.1, 0.0], [1.0, 0.0]):
        net = reluscope.ReLUNetwork(W, B, slopes=slopes)
        s = slice_2d(net, [0, 0], [1, 0], [0, 1])
        X = grid(2, 151)
        packed, eta = compute_patterns(net, X)
        idx = PatternIndex(pack_patterns(s.patterns)).lookup(packed)
        assert (idx >= 0).all()
        assert np.allclose(np.einsum("nkd,nd->nk", s.coef[idx], X) + s.intercept[idx], eta, atol=1e-10)
        assert abs(s.area.sum() - 4.0) < 1e-9
        if slopes[0] == 1.0:
            assert s.patterns[:, :6].all()
