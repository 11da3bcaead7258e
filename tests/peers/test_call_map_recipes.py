"""Recipes of the call map (``docs/coming_from_aletheia.rst``) that combine reluscope calls to give a peer's number exactly.

Each test checks the recipe against an independent computation (statsmodels,
a closed form), as the peer defines the number; the peers themselves run in
``tests/peers/test_aletheia_parity.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

import reluscope
from reluscope import interpret
from reluscope.simplify import merge_llms
from tests.simplify import regression_case


def test_per_region_wald_is_statsmodels_ols_on_the_region_rows():
    """aletheia ``UnwrapperRegressor.local_inference_wald(conf_id)``: Wald table of one region's own rows."""
    net, X, y = regression_case(seed=5, n=900)
    llms = reluscope.unwrap(net, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one-row regions keep the network LLM
        m = merge_llms(llms, n_clusters=llms.n_regions, min_samples=1, refit="glm")
        table = m.inference()
    assert m.n_clusters_ == llms.n_regions
    for region in range(3):
        k = int(m.region_to_cluster_[region])
        rows = llms.labels_ == region
        res = sm.OLS(y[rows], sm.add_constant(X[rows])).fit()
        np.testing.assert_allclose(table.loc[k, "coef"], res.params, rtol=1e-9)
        np.testing.assert_allclose(table.loc[k, "std_err"], res.bse, rtol=1e-9)


def test_aletheia_feature_importance_is_joint_importance_without_the_intercept():
    """aletheia ``feature_importance_plot``: ``100 * sum_P |R^P| w_j^2`` normalised over the features only."""
    net, X, y = regression_case(seed=6, n=500, d=3)
    llms = reluscope.unwrap(net, X, y)
    ji = interpret.joint_importance(llms)
    feats = ji[ji["Feature"] != "Intercept"].set_index("Feature")["Importance"]
    recipe = 100.0 * feats / feats.sum()
    direct = llms.count_ @ llms.coef_**2
    direct = 100.0 * direct / direct.sum()
    np.testing.assert_allclose(recipe.loc[list(llms.feature_names_)].to_numpy(), direct, rtol=1e-12)


def test_cluster_table_on_new_data_from_summary_table():
    """aletheia ``Merger*.evaluate(x, y)``: per cluster Count, Response Mean / Std, Local / Global MSE on new rows."""
    from reluscope.simplify.prune import prune_llms
    from reluscope.summary import summary_table

    net, X, y = regression_case(seed=8, n=700)
    Xn, yn = X[500:], y[500:]
    llms = reluscope.unwrap(net, X[:500], y[:500])
    for model in (merge_llms(llms, n_clusters=4, min_samples=20), prune_llms(llms, 4)):
        k = model.n_clusters_
        cl = model.cluster_of(Xn)
        df = summary_table(
            net, Xn, yn, cl, model.decision_function(Xn)[:, None], model.coef_[:, None, :], model.intercept_[:, None],
            np.zeros(k, bool), global_metrics="all",
        )
        for c in range(k):
            rows = cl == c
            assert df.loc[c, "Count"] == rows.sum()
            if rows.sum() > 1:
                assert df.loc[c, "Response Std"] == pytest.approx(np.std(yn[rows], ddof=1), rel=1e-12)
                np.testing.assert_allclose(df.loc[c, "Local MSE"], np.mean((yn[rows] - model.predict(Xn[rows])) ** 2))
            glob = Xn @ model.coef_[c] + model.intercept_[c]
            np.testing.assert_allclose(df.loc[c, "Global MSE"], np.mean((yn - glob) ** 2), rtol=1e-9)


def test_merged_and_pruned_scores_are_the_sklearn_metrics():
    """aletheia ``Merger*.score`` / ``Pruner*.score``: R^2 for regression, accuracy for classification."""
    from sklearn.metrics import accuracy_score, r2_score

    from reluscope.simplify.prune import prune_llms
    from tests.simplify import binary_case

    net, X, y = regression_case(seed=9, n=400)
    llms = reluscope.unwrap(net, X, y)
    for model in (merge_llms(llms, n_clusters=3, min_samples=20), prune_llms(llms, 3)):
        assert model.score(X, y) == r2_score(y, model.predict(X))
    net, X, y = binary_case(seed=9, n=400)
    llms = reluscope.unwrap(net, X, y)
    for model in (merge_llms(llms, n_clusters=2, min_samples=20), prune_llms(llms, 3)):
        assert model.score(X, y) == accuracy_score(y, model.predict(X))


def test_unwrapper_front_end_mirrors_unwrap():
    """aletheia ``UnwrapperRegressor(weights, biases).fit(x, y)`` then ``summary()`` / ``lookup_table(x)``."""
    net, X, y = regression_case(seed=10, n=300)
    u = reluscope.Unwrapper(net).fit(X, y)
    llms = reluscope.unwrap(net, X, y)
    np.testing.assert_array_equal(u.coef_, llms.coef_)
    np.testing.assert_array_equal(u.count_, llms.count_)
    np.testing.assert_array_equal(u.region_of(X), llms.labels_)
    assert u.summary().equals(llms.summary())
