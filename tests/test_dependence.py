"""Dependence views: the exact PDP against scikit-learn's, and LLM main effects against the network."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.neural_network import MLPClassifier, MLPRegressor

import reluscope
from reluscope import interpret, plot
from tests.strategies import random_network


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def _grid(res):
    return res["grid_values"][0] if "grid_values" in res else res["values"][0]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    X[:, 2] = rng.integers(0, 5, size=300)  # a feature with few distinct values: the grid is those values
    return X, rng


def test_pdp_equals_sklearn_on_mlp_regressor(data):
    X, rng = data
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] / 4
    mlp = _fit(MLPRegressor(hidden_layer_sizes=(8, 8), max_iter=150, random_state=0), X, y)
    net = reluscope.from_sklearn(mlp)
    for j in (0, 2):
        ref = sk_partial_dependence(mlp, X, [j], kind="both", method="brute", grid_resolution=30)
        ours = interpret.partial_dependence(net, X, j, grid_resolution=30, kind="both")
        np.testing.assert_allclose(ours.grid, _grid(ref), rtol=1e-12)
        np.testing.assert_allclose(ours.average, ref["average"][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.individual, ref["individual"][0], rtol=1e-10, atol=1e-12)
    assert np.unique(X[:, 2]).size == interpret.partial_dependence(net, X, 2).grid.size


def test_pdp_equals_sklearn_on_mlp_classifiers(data):
    X, rng = data
    yb = (X[:, 0] * X[:, 1] > 0).astype(int)
    clf = _fit(MLPClassifier(hidden_layer_sizes=(6, 6), max_iter=150, random_state=0), X, yb)
    ref = sk_partial_dependence(clf, X, [1], method="brute", grid_resolution=25)
    ours = interpret.partial_dependence(reluscope.from_sklearn(clf), X, 1, grid_resolution=25)
    np.testing.assert_allclose(ours.average, ref["average"][0], rtol=1e-10, atol=1e-12)
    y3 = np.digitize(X[:, 0] + X[:, 1], [-0.7, 0.7])
    clf3 = _fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=150, random_state=0), X, y3)
    ref3 = sk_partial_dependence(clf3, X, [0], method="brute", grid_resolution=20)
    ours3 = interpret.partial_dependence(reluscope.from_sklearn(clf3), X, 0, grid_resolution=20)
    np.testing.assert_allclose(ours3.average.T, ref3["average"], rtol=1e-10, atol=1e-12)
    # the logit: the network's decision function averaged, the same grid
    logit = interpret.partial_dependence(reluscope.from_sklearn(clf), X, 1, grid=ours.grid, response="decision")
    Z = np.repeat(X[None], ours.grid.size, axis=0)
    Z[:, :, 1] = ours.grid[:, None]
    direct = np.array([reluscope.from_sklearn(clf).decision_function(z).mean() for z in Z])
    np.testing.assert_allclose(logit.average, direct, rtol=1e-12)


def test_pdp_chunks_over_grid_values_give_the_same_numbers(data, monkeypatch):
    import reluscope.interpret.dependence as dep

    X, rng = data
    net = random_network(rng, [3, 5, 4, 1])
    full = interpret.partial_dependence(net, X, 0, kind="both")
    monkeypatch.setattr(dep, "PDP_CHUNK_ROWS", 700)  # two grid values per pass
    small = interpret.partial_dependence(net, X, 0, kind="both")
    np.testing.assert_array_equal(full.average, small.average)
    np.testing.assert_array_equal(full.individual, small.individual)
    with pytest.raises(ValueError, match="response"):
        interpret.partial_dependence(net, X, 0, response="proba")
    with pytest.raises(ValueError, match="ReLUNetwork"):
        interpret.partial_dependence("net", X, 0)
    with pytest.raises(ValueError, match="Unknown feature"):
        interpret.partial_dependence(net, X, "nope")


def test_main_effect_plus_the_other_terms_is_the_network(data):
    X, rng = data
    net = random_network(rng, [3, 6, 6, 1])
    llms = reluscope.unwrap(net, X)
    pe = interpret.partial_effect(llms, 1)
    assert pe.x.size == X.shape[0]
    others = np.einsum("nd,nd->n", llms.X_, llms.coef_[llms.labels_]) - llms.coef_[llms.labels_, 1] * llms.X_[:, 1]
    # every row is kept, in the order of X
    np.testing.assert_allclose(pe.effect + others, net.decision_function(X), rtol=1e-10, atol=1e-10)
    centred = interpret.partial_effect(llms, 1, include_intercept=False)
    np.testing.assert_allclose(pe.effect - centred.effect, llms.intercept_[pe.region])


def test_main_effect_of_one_region_is_its_llm_line(data):
    X, rng = data
    net = random_network(rng, [3, 6, 6, 1])
    llms = reluscope.unwrap(net, X)
    pe = interpret.partial_effect(llms, "x1", top_k=1)
    assert (pe.region == 0).all() and pe.x.size == llms.count_[0]
    # LOWESS reproduces a straight line: the LLM's own main effect w x + b
    np.testing.assert_allclose(pe.smooth_y, llms.coef_[0, 0] * pe.smooth_x + llms.intercept_[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(pe.smooth_x, np.unique(pe.x))


def test_dependence_figures_render(data):
    import matplotlib.pyplot as plt

    X, rng = data
    net = random_network(rng, [3, 6, 6, 1])
    llms = reluscope.unwrap(net, X)
    figs = [
        plot.partial_effect(interpret.partial_effect(llms, 0)),
        plot.partial_dependence(interpret.partial_dependence(net, X, 0, kind="both", grid_resolution=20)),
    ]
    net3 = random_network(rng, [3, 5, 3], output="softmax", classes=["a", "b", "c"])
    figs.append(plot.partial_dependence(interpret.partial_dependence(net3, X, 1, grid_resolution=10)))
    for f in figs:
        buf = io.BytesIO()
        f.savefig(buf, format="png")
        assert buf.tell() > 1000
        plt.close(f)
