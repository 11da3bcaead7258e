"""Figures of simplification draw what their result holds (Figures 14-19 of ``001``, dendrogram)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import reluscope  # noqa: E402
from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.plot import simplify as ps  # noqa: E402
from reluscope.simplify import merge_llms, merged_regions  # noqa: E402
from tests.simplify import binary_case, regression_case  # noqa: E402


@pytest.fixture(scope="module")
def binary_merge():
    net, X, y = binary_case(seed=1, n=500)
    return merge_llms(reluscope.unwrap(net, X, y), n_clusters=4, min_samples=30)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_merged_regions_grid_holds_the_merge_net_on_the_grid(binary_merge):
    m = binary_merge
    r = merged_regions(m, resolution=40)
    assert r.cluster.shape == (40, 40)
    xx, yy = np.meshgrid(*r.axes)
    G = np.column_stack([xx.ravel(), yy.ravel()])
    np.testing.assert_array_equal(r.cluster.ravel(), m.cluster_of(G))
    np.testing.assert_allclose(r.merged_output.ravel(), m.predict_proba(G)[:, 1])
    np.testing.assert_allclose(r.network_output.ravel(), m.llms_.network.forward(G))
    assert r.bounds[0][0] < m.llms_.X_[:, 0].min()


def test_two_feature_figures(binary_merge):
    m = binary_merge
    r = merged_regions(m, resolution=60)
    fig = ps.merged_regions(r)
    assert isinstance(fig, Figure) and len(fig.axes[0].images) == 1
    fig, ax = plt.subplots()
    assert ps.merged_cluster(r, (0, 1), ax=ax) is fig
    assert len(ax.collections) >= 2  # the rows of both clusters
    with pytest.raises(InvalidInputError, match="do not exist"):
        ps.merged_cluster(r, (0, 99))


def test_one_feature_figure_draws_one_line_per_cluster():
    rng = np.random.default_rng(0)
    net = reluscope.from_arrays([rng.normal(size=(6, 1)), rng.normal(size=(1, 6))], [rng.normal(size=6), np.zeros(1)])
    X = rng.uniform(-2, 2, size=(300, 1))
    y = net.forward(X) + rng.normal(scale=0.1, size=300)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=3, min_samples=20)
    fig = ps.merged_regions(merged_regions(m, resolution=100))
    lines = fig.axes[0].get_lines()
    assert len(lines) == 1 + m.n_clusters_  # network + one per cluster
    with pytest.raises(InvalidInputError, match="two-feature"):
        ps.merged_cluster(merged_regions(m))


def test_parallel_coordinates_and_dendrogram(binary_merge):
    m = binary_merge
    fig = ps.merged_parallel_coordinates(m, include_intercept=True)
    lines = [l for l in fig.axes[0].get_lines() if len(l.get_xdata()) == 3]
    assert len(lines) == m.n_clusters_
    np.testing.assert_allclose(lines[0].get_ydata(), np.r_[m.intercept_[0], m.coef_[0]])
    fig = ps.merge_dendrogram(m, truncate_p=10)
    assert isinstance(fig, Figure)
    Z = m.linkage_matrix()
    assert Z.shape == (m.llms_.n_regions - 1, 4) and Z[-1, 3] == m.llms_.n_regions
    assert (np.diff(Z[:, 2]) >= 0).all()


def test_bootstrap_figure():
    net, X, y = regression_case(seed=0, n=300)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=2, min_samples=30, refit="l1", alpha=0.05)
    boot = m.bootstrap(10, random_state=0, progress=False)
    fig = ps.bootstrap_coefficients(boot, 1)
    assert len(fig.axes) == 2
    bars = fig.axes[1].patches
    np.testing.assert_allclose([b.get_width() for b in bars], boot.prob_zero().loc[1].to_numpy())
    with pytest.raises(InvalidInputError):
        ps.bootstrap_coefficients(m)
