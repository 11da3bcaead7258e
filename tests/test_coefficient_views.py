"""Coefficient views (violin, pairs, intercept profile, PCA of centres, local/global bubbles) against direct computations."""

from __future__ import annotations

import io

import numpy as np
import pytest
from statsmodels.nonparametric.smoothers_lowess import lowess

import reluscope
from reluscope import diagnose, interpret, plot
from tests.strategies import random_network


@pytest.fixture(scope="module")
def reg():
    rng = np.random.default_rng(11)
    net = random_network(rng, [3, 6, 5, 1])
    # the third feature has no effect at all: zero first-layer weights
    W0 = np.array(net.weights[0])
    W0[:, 2] = 0.0
    net = reluscope.ReLUNetwork([W0, *net.weights[1:]], list(net.biases), feature_names=["a", "b", "c"])
    X = rng.normal(size=(700, 3))
    y = net.forward(X) + rng.normal(scale=0.2, size=700)
    return net, reluscope.unwrap(net, X, y)


def _row_values(llms, j):
    """The coefficient of feature j of every training row's own region."""
    return llms.coef_[llms.labels_, j]


def test_violin_quartiles_mean_and_density_are_those_of_the_rows(reg):
    net, llms = reg
    v = interpret.coefficient_violin(llms, features=["a", "b", "c"], include_intercept=True)
    assert v.features == ["Intercept", "a", "b", "c"]
    for i, j in enumerate([0, 1, 2]):
        rows = _row_values(llms, j)
        np.testing.assert_allclose(v.quartiles[i + 1], np.quantile(rows, [0.25, 0.5, 0.75]), atol=1e-12)
        assert v.mean[i + 1] == pytest.approx(rows.mean())
    np.testing.assert_allclose(v.quartiles[0], np.quantile(llms.intercept_[llms.labels_], [0.25, 0.5, 0.75]))
    # c has coefficient 0 in every region: a point mass, no density
    assert v.point_mass[3] and not v.point_mass[1]
    np.testing.assert_array_equal(v.quartiles[3], 0.0)
    # weighted Gaussian KDE written out: Scott's factor with the effective sample size
    w = llms.count_ / llms.count_.sum()
    vals = llms.coef_[:, 0]
    neff = 1.0 / (w**2).sum()
    mean = w @ vals
    var = (w @ (vals - mean) ** 2) / (1.0 - (w**2).sum())
    h2 = var * neff ** (-2.0 / 5.0)
    g = v.grid[1]
    dens = (w[None, :] * np.exp(-0.5 * (g[:, None] - vals[None, :]) ** 2 / h2)).sum(1) / np.sqrt(2 * np.pi * h2)
    np.testing.assert_allclose(v.density[1], dens, rtol=1e-10)
    u = interpret.coefficient_violin(llms, features=[0], weighted=False)
    np.testing.assert_allclose(u.quartiles[0], np.quantile(llms.coef_[:, 0], [0.25, 0.5, 0.75]))
    assert u.mean[0] == pytest.approx(llms.coef_[:, 0].mean())
    # default features: the most important first (eq. 18)
    d = interpret.coefficient_violin(llms, top_features=2)
    ji = interpret.joint_importance(llms)
    assert d.features == list(ji.loc[ji.Feature != "Intercept", "Feature"])[:2]


def test_pairs_are_coefficients_against_centres_with_row_weighted_lowess(reg):
    net, llms = reg
    res = interpret.coefficient_pairs(llms, ["a", "b"], top_k=12, frac=0.5)
    ids = np.arange(12)
    np.testing.assert_array_equal(res.values, llms.coef_[np.ix_(ids, [0, 1])])
    np.testing.assert_array_equal(res.centers, llms.centers_[np.ix_(ids, [0, 1])])
    assert set(res.smooth) == {(0, 0), (1, 1)}
    rows = np.isin(llms.labels_, ids)
    lab = llms.labels_[rows]
    for i in range(2):
        # LOWESS over the training rows, each at its own region's centre and coefficient
        fit = lowess(llms.coef_[lab, i], llms.centers_[lab, i], frac=0.5)
        xs, first = np.unique(fit[:, 0], return_index=True)
        np.testing.assert_allclose(res.smooth[(i, i)][0], xs)
        np.testing.assert_allclose(res.smooth[(i, i)][1], fit[first, 1], rtol=1e-10, atol=1e-12)
    full = interpret.coefficient_pairs(llms, ["a", "b"], top_k=12, smooth_off_diagonal=True)
    assert set(full.smooth) == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_intercept_profile_holds_the_intercepts_against_centres(reg):
    net, llms = reg
    res = interpret.intercept_profile(llms, [1, 0], top_k=None)
    assert res.terms == ["Intercept"] and res.features == ["b", "a"]
    np.testing.assert_array_equal(res.values[:, 0], llms.intercept_)
    np.testing.assert_array_equal(res.centers, llms.centers_[:, [1, 0]])
    fit = lowess(llms.intercept_[llms.labels_], llms.centers_[llms.labels_, 0], frac=2 / 3)
    xs, first = np.unique(fit[:, 0], return_index=True)
    np.testing.assert_allclose(res.smooth[(0, 1)][1], fit[first, 1], rtol=1e-10, atol=1e-12)


def test_region_pca_scores_match_sklearn_and_arrows_are_directional_derivatives(reg):
    from sklearn.decomposition import PCA

    net, llms = reg
    res = interpret.region_pca(llms)
    ref = PCA(n_components=2).fit(llms.centers_)
    sign = np.sign(np.sum(ref.components_ * res.components, axis=1))
    np.testing.assert_allclose(res.components, ref.components_ * sign[:, None], atol=1e-10)
    np.testing.assert_allclose(res.scores, ref.transform(llms.centers_) * sign, atol=1e-10)
    np.testing.assert_allclose(res.explained_variance_ratio, ref.explained_variance_ratio_, rtol=1e-10)
    # the arrow is the network's slope along each principal axis at the region centre
    h = 1e-6
    checked = 0
    for r in range(llms.n_regions):
        c = llms.centers_[r]
        for k in range(2):
            u = res.components[k]
            pts = np.array([c - h * u, c + h * u])
            if (llms.region_of(pts) == r).all():
                slope = np.diff(net.decision_function(pts))[0] / (2 * h)
                assert slope == pytest.approx(res.arrows[r, k], rel=1e-5, abs=1e-7)
                checked += 1
    assert checked >= 10


def test_bubble_figure_draws_local_against_global(reg):
    net, llms = reg
    df = diagnose.local_vs_global(llms, top_k=8)
    fig = plot.local_vs_global_bubble(df)
    sc = fig.axes[0].collections[0]
    ok = df["Local MSE"].notna() & df["Global MSE"].notna()
    np.testing.assert_allclose(sc.get_offsets(), df.loc[ok, ["Local MSE", "Global MSE"]].to_numpy())
    sizes = sc.get_sizes()
    assert np.all(np.diff(sizes) <= 0)  # regions come by decreasing count
    with pytest.raises(ValueError, match="local_vs_global"):
        plot.local_vs_global_bubble(llms.summary())


def test_coefficient_figures_render_and_use_given_axes(reg):
    import matplotlib.pyplot as plt

    net, llms = reg
    figs = [
        plot.coefficient_violin(interpret.coefficient_violin(llms, include_intercept=True)),
        plot.coefficient_pairs(interpret.coefficient_pairs(llms, ["a", "b"])),
        plot.intercept_profile(interpret.intercept_profile(llms, ["a", "b"])),
        plot.region_pca(interpret.region_pca(llms), normalize_arrows=False),
    ]
    fig, axes = plt.subplots(2, 2)
    assert plot.coefficient_pairs(interpret.coefficient_pairs(llms, ["a", "c"]), ax=axes) is fig
    figs.append(fig)
    with pytest.raises(ValueError, match="2 x 2"):
        plot.coefficient_pairs(interpret.coefficient_pairs(llms, ["a", "c"]), ax=axes[0])
    with pytest.raises(ValueError, match="intercept_profile"):
        plot.intercept_profile(interpret.coefficient_pairs(llms, ["a"]))
    for f in figs:
        buf = io.BytesIO()
        f.savefig(buf, format="png")
        assert buf.tell() > 1000
        plt.close(f)


def test_coefficient_views_refuse_bad_input(reg):
    net, llms = reg
    with pytest.raises(ValueError, match="Unknown feature"):
        interpret.coefficient_pairs(llms, ["zz"])
    with pytest.raises(ValueError, match="repeat"):
        interpret.intercept_profile(llms, ["a", 0])
    with pytest.raises(ValueError, match="frac"):
        interpret.coefficient_pairs(llms, ["a"], frac=0.0)
    with pytest.raises(ValueError, match="unwrap"):
        interpret.region_pca(net)
    with pytest.raises(ValueError, match="CoefficientViolin"):
        plot.coefficient_violin(llms)
