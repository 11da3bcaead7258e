"""Region boundaries (Lemma 1 of ``001``): redundancy by LP, polygons, LLM level lines; against independent computations."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest

import reluscope
from reluscope import diagnose, plot
from tests.strategies import random_network


def _square_network() -> reluscope.ReLUNetwork:
    """Units x+1, 1-x, y+1, 1-y (the square [-1, 1]^2 when all on), x+5 (redundant there), 2x+2 (a copy of x+1)."""
    W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [1.0, 0.0], [2.0, 0.0]])
    b = np.array([1.0, 1.0, 1.0, 1.0, 5.0, 2.0])
    return reluscope.ReLUNetwork([W, np.ones((1, 6))], [b, np.zeros(1)], feature_names=["a", "b"])


@pytest.fixture(scope="module")
def square():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.uniform(-0.9, 0.9, size=(200, 2)), rng.uniform(-3, 3, size=(100, 2))])
    net = _square_network()
    llms = reluscope.unwrap(net, X)
    inside = np.flatnonzero(llms.patterns().all(axis=1))
    return net, llms, int(inside[0])


@pytest.fixture(scope="module")
def planar():
    rng = np.random.default_rng(7)
    net = random_network(rng, [2, 6, 5, 1], output="sigmoid", classes=[0, 1])
    X = rng.normal(size=(400, 2))
    y = (rng.uniform(size=400) < net.forward(X)).astype(int)
    return net, reluscope.unwrap(net, X, y)


def test_square_region_has_four_boundaries_and_closed_form_geometry(square):
    net, llms, r = square
    b = diagnose.local_boundaries(llms, r, box=[[-4, 4], [-4, 4]])
    assert b.n_boundaries == 4 and b.A_all.shape[0] == 6
    # the redundant unit x+5 and one of the two copies of x = -1 are dropped
    assert b.redundant[4] and (b.redundant[0] != b.redundant[5])
    assert b.bounded and not b.box_active.any()
    np.testing.assert_allclose(b.extent, [[-1, 1], [-1, 1]], atol=1e-9)
    np.testing.assert_allclose(b.interior_point, [0, 0], atol=1e-9)
    assert b.inradius == pytest.approx(1.0)
    assert b.unit_on.all() and (b.layer == 0).all()
    poly = diagnose.region_polygon_2d(llms, r, box=[[-4, 4], [-4, 4]])
    assert poly.area == pytest.approx(4.0)
    np.testing.assert_allclose(np.sort(np.abs(poly.vertices), axis=0), np.ones((4, 2)), atol=1e-9)
    assert (poly.edge_row >= 0).all()
    # a region with x < -1 (units x+1 and 2x+2 off) is unbounded and reaches the box where it is
    left = int(np.flatnonzero(~llms.patterns()[:, 0] & llms.patterns()[:, 1])[0])
    bl = diagnose.local_boundaries(llms, left, box=[[-4, 4], [-4, 4]])
    assert bl.pattern == "0,1,0,1,1,0"  # -5 < x < -1, y < -1
    assert not bl.bounded
    np.testing.assert_allclose(bl.extent, [[-5, -1], [-np.inf, -1]], atol=1e-9)
    np.testing.assert_array_equal(bl.box_active, [[True, False], [True, False]])


def _brute_essential(A: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Rows carrying an edge of the 2-D polygon: >= 2 distinct feasible vertices on the row's line (pairwise intersections)."""
    n = np.linalg.norm(A, axis=1)
    A, c = A / n[:, None], c / n
    pts = []
    for i, j in itertools.combinations(range(len(A)), 2):
        M = A[[i, j]]
        if abs(np.linalg.det(M)) > 1e-10:
            pts.append(np.linalg.solve(M, c[[i, j]]))
    pts = np.array(pts).reshape(-1, 2)
    pts = pts[(pts @ A.T <= c + 1e-9).all(axis=1)]
    big = 10.0 * (np.abs(pts).max() if pts.size else 1.0) + 10.0
    box_A = np.vstack([np.eye(2), -np.eye(2)])
    box_c = np.full(4, big)
    for i in range(len(A)):  # where each line leaves the huge box
        for k in range(4):
            M = np.vstack([A[i], box_A[k]])
            if abs(np.linalg.det(M)) > 1e-10:
                pts = np.vstack([pts, np.linalg.solve(M, [c[i], box_c[k]])])
    pts = pts[(pts @ A.T <= c + 1e-9).all(axis=1) & (np.abs(pts) <= big + 1e-6).all(axis=1)]
    out = np.zeros(len(A), bool)
    for i in range(len(A)):
        on = pts[np.abs(pts @ A[i] - c[i]) <= 1e-9]
        out[i] = len(on) >= 2 and np.ptp(on, axis=0).max() > 1e-7
    return out


def test_redundant_rows_match_vertex_enumeration_and_leave_the_set_unchanged(planar):
    net, llms = planar
    rng = np.random.default_rng(1)
    S = rng.uniform(-8, 8, size=(40_000, 2))
    for r in range(min(10, llms.n_regions)):
        b = diagnose.local_boundaries(llms, r)
        np.testing.assert_array_equal(~b.redundant, _brute_essential(b.A_all, b.c_all))
        full = (S @ b.A_all.T <= b.c_all).all(axis=1)
        kept = (S @ b.A.T <= b.c).all(axis=1)
        np.testing.assert_array_equal(full, kept)
        # every row of the region's own training points holds
        Xr = llms.X_[llms.labels_ == r]
        assert (Xr @ b.A.T <= b.c + 1e-9).all()


def test_redundancy_in_three_dimensions_by_sampling():
    rng = np.random.default_rng(2)
    net = random_network(rng, [3, 7, 5, 1])
    X = rng.normal(size=(300, 3))
    llms = reluscope.unwrap(net, X)
    S = rng.uniform(-6, 6, size=(60_000, 3))
    for r in range(4):
        b = diagnose.local_boundaries(llms, r)
        assert b.redundant.any() or b.A_all.shape[0] == b.n_boundaries
        np.testing.assert_array_equal((S @ b.A_all.T <= b.c_all).all(1), (S @ b.A.T <= b.c).all(1))
        inside = (S @ b.A.T <= b.c).all(1)
        if inside.any():  # the extent bounds every sampled point of the region
            assert (S[inside] >= b.extent[:, 0] - 1e-9).all() and (S[inside] <= b.extent[:, 1] + 1e-9).all()


def test_identity_layer_units_give_no_boundary():
    rng = np.random.default_rng(3)
    net = random_network(rng, [2, 5, 3, 1], slopes=[0.0, 1.0])
    X = rng.normal(size=(200, 2))
    llms = reluscope.unwrap(net, X)
    b = diagnose.local_boundaries(llms, 0)
    assert b.A_all.shape[0] == 5 and (b.layer == 0).all()
    S = rng.uniform(-5, 5, size=(20_000, 2))
    same = (net.patterns(S) == llms.patterns([0])[0]).all(axis=1)
    np.testing.assert_array_equal(same, (S @ b.A.T < b.c).all(axis=1))


def test_polygon_points_inside_have_the_pattern_and_just_outside_do_not(planar):
    net, llms = planar
    rng = np.random.default_rng(4)
    for r in range(min(8, llms.n_regions)):
        poly = diagnose.region_polygon_2d(llms, r)
        V = poly.vertices
        inside = rng.dirichlet(np.ones(len(V)), size=300) @ V
        np.testing.assert_array_equal(llms.region_of(inside), r)
        b = poly.boundaries
        scale = np.abs(np.asarray(poly.bounds)).max()
        for i in np.flatnonzero(poly.edge_row >= 0):
            mid = 0.5 * (V[i] + V[(i + 1) % len(V)])
            a = b.A[poly.edge_row[i]]
            out = mid + 1e-6 * scale * a / np.linalg.norm(a)
            assert llms.region_of(out[None, :])[0] != r
            assert net.patterns(out[None, :])[0, b.unit[poly.edge_row[i]]] != b.unit_on[poly.edge_row[i]]
        # the polygon is convex and counter-clockwise: every edge turns left
        e = np.roll(V, -1, axis=0) - V
        assert (e[:, 0] * np.roll(e, -1, axis=0)[:, 1] - e[:, 1] * np.roll(e, -1, axis=0)[:, 0] > 0).all()


def test_bounded_region_extent_is_the_polygon_box(planar):
    net, llms = planar
    found = False
    for r in range(min(15, llms.n_regions)):
        b = diagnose.local_boundaries(llms, r)
        if b.bounded:
            box = b.extent + np.array([-1.0, 1.0])
            poly = diagnose.region_polygon_2d(llms, r, box=box)
            np.testing.assert_allclose(b.extent, np.column_stack([poly.vertices.min(0), poly.vertices.max(0)]), atol=1e-7)
            assert (poly.edge_row >= 0).all()
            found = True
        else:
            assert b.box_active.any()
    assert found


def test_llm_line_lies_on_the_llm_and_the_network_inside_its_region(planar):
    net, llms = planar
    for r in range(5):
        res = diagnose.llm_line_2d(llms, r)
        assert res.level == 0.0  # binary: the decision boundary
        if np.isnan(res.segment).any():
            continue
        np.testing.assert_allclose(res.segment @ res.coef + res.intercept, 0.0, atol=1e-9)
        box = np.asarray(res.bounds)
        on_side = np.isclose(res.segment[:, :, None], box[None, :, :], atol=1e-9).any(axis=(1, 2))
        assert on_side.all()
        if not np.isnan(res.segment_in_region).any():
            t = np.linspace(0.05, 0.95, 7)[:, None]
            pts = res.segment_in_region[0] + t * (res.segment_in_region[1] - res.segment_in_region[0])
            np.testing.assert_allclose(net.decision_function(pts), 0.0, atol=1e-9)
    lines = diagnose.llm_lines_2d(llms, top_k=6, level=0.3)
    for i in range(6):
        if not np.isnan(lines.segments[i]).any():
            np.testing.assert_allclose(lines.segments[i] @ lines.coef[i] + lines.intercept[i], 0.3, atol=1e-9)


def test_boundary_views_refuse_bad_input(planar):
    net, llms = planar
    with pytest.raises(ValueError, match="region"):
        diagnose.local_boundaries(llms, llms.n_regions)
    with pytest.raises(ValueError, match="box"):
        diagnose.local_boundaries(llms, 0, box=[[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="no interior"):
        diagnose.region_polygon_2d(llms, 0, box=[[100, 101], [100, 101]])
    rng = np.random.default_rng(0)
    net3 = random_network(rng, [3, 4, 1])
    llms3 = reluscope.unwrap(net3, rng.normal(size=(50, 3)))
    with pytest.raises(ValueError, match="2 input features"):
        diagnose.region_polygon_2d(llms3, 0)
    with pytest.raises(ValueError, match="2 input features"):
        diagnose.llm_lines_2d(llms3)


def test_boundary_figures_render(planar):
    import matplotlib.pyplot as plt

    net, llms = planar
    figs = [
        plot.region_polygon(diagnose.region_polygon_2d(llms, 0)),
        plot.llm_line(diagnose.llm_line_2d(llms, 1)),
        plot.llm_lines(diagnose.llm_lines_2d(llms)),
    ]
    _, ax = plt.subplots()
    figs.append(plot.region_polygon(diagnose.region_polygon_2d(llms, 2), ax=ax))
    assert figs[-1] is ax.figure
    for fig in figs:
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert buf.tell() > 1000
        plt.close(fig)
