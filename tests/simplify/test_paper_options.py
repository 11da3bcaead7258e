"""The options that reproduce the paper's code: refit='logistic'/'lasso_cv', absorb='centroid', Wald at a penalised estimate."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LassoCV, LogisticRegression

import reluscope
from reluscope.errors import InvalidInputError
from reluscope.simplify import MergedModel, bootstrap_inference, merge_llms, wald_inference
from reluscope.simplify._cluster import absorb_small_clusters
from reluscope.simplify._refit import PaperLogisticRegression
from tests.simplify import binary_case, regression_case


@pytest.fixture(scope="module")
def reg():
    net, X, y = regression_case(seed=2, n=500)
    return net, X, y, reluscope.unwrap(net, X, y)


@pytest.fixture(scope="module")
def binary():
    net, X, y = binary_case(seed=4, n=700)
    return net, X, y, reluscope.unwrap(net, X, y)


def _quiet_merge(llms, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return merge_llms(llms, **kw)


def test_paper_logistic_is_the_penalised_optimum_and_stops_like_old_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = (X @ [1.0, -2.0, 0.5] + 0.3 + rng.logistic(size=300) > 0).astype(int)
    tight = PaperLogisticRegression(tol=1e-10, max_iter=10_000).fit(X, y)
    # same objective as scikit-learn's L2 LogisticRegression(C=1) (which divides it by n): same optimum
    ref = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-12, max_iter=10_000).fit(X, y)
    # (L-BFGS-B also stops on a relative objective change of 2.2e-9, SciPy's default ftol: ~1e-6 here)
    np.testing.assert_allclose(tight.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(tight.intercept_, ref.intercept_, atol=1e-5)
    default = PaperLogisticRegression().fit(X, y)
    assert default.n_iter_[0] <= 100 and np.abs(default.coef_ - tight.coef_).max() < 1e-2
    np.testing.assert_allclose(default.predict_proba(X)[:, 1], 1 / (1 + np.exp(-default.decision_function(X))))


def test_lasso_cv_refit_is_lasso_cv_on_each_cluster(reg):
    net, X, y, llms = reg
    m = _quiet_merge(llms, n_clusters=3, min_samples=40, refit="lasso_cv")
    for k in range(m.n_clusters_):
        rows = m.labels_ == k
        ref = LassoCV().fit(X[rows], y[rows])
        np.testing.assert_allclose(m.coef_[k], ref.coef_, rtol=1e-10, atol=1e-12)
        assert m.cluster_models_[k].alpha_ == ref.alpha_


def test_bootstrap_re_tunes_lasso_cv_alpha_on_each_resample(reg):
    net, X, y, llms = reg
    m = _quiet_merge(llms, n_clusters=2, min_samples=60, refit="lasso_cv")
    res = bootstrap_inference(m, n_bootstrap=4, random_state=5)
    assert res.attrs["alpha_retuned"] and res.attrs["alphas"].shape == (m.n_clusters_, 4)
    # the first resample of cluster 0, redrawn independently: the same draws, LassoCV refitted from scratch
    rng = np.random.RandomState(5)
    rows = [np.flatnonzero(m.labels_ == k) for k in range(m.n_clusters_)]
    draws = [rng.randint(0, r.size, size=(4, r.size)) for r in rows]
    sel = rows[0][draws[0][0]]
    ref = LassoCV().fit(X[sel], y[sel])
    np.testing.assert_allclose(res.samples[0, 0], np.r_[ref.intercept_, ref.coef_], rtol=1e-10, atol=1e-12)
    assert res.attrs["alphas"][0, 0] == ref.alpha_
    assert np.unique(res.attrs["alphas"][0]).size > 1  # alpha is chosen again, not held fixed


def test_centroid_absorption_joins_the_nearest_large_centroid():
    # clusters: 0 (large, rows centred at 0), 1 (large, centred at 10), 2 (small, at 6), 3 (small, at 4.9)
    centers = np.array([[-1.0], [1.0], [9.0], [11.0], [6.0], [4.9]])
    counts = np.array([20, 20, 20, 20, 5, 5])
    labels = np.array([0, 0, 1, 1, 2, 3])
    got = absorb_small_clusters(labels, counts, centers, 30, "centroid")
    # centroids 0 and 10: 6 -> cluster at 10, 4.9 -> cluster at 0 (a tie-free brute force)
    assert got.tolist() == [1, 1, 0, 0, 0, 1] or got.tolist() == [0, 0, 1, 1, 1, 0]
    assert got[4] == got[2] and got[5] == got[0]
    with pytest.raises(InvalidInputError, match="absorb"):
        absorb_small_clusters(labels, counts, centers, 30, "nearest")


def test_centroid_absorption_brute_force_on_a_network(reg):
    net, X, y, llms = reg
    raw = _quiet_merge(llms, n_clusters=12, min_samples=1, refit=None).region_to_cluster_.to_numpy()
    got = absorb_small_clusters(raw, llms.count_, llms.centers_, 60, "centroid")
    rows = np.bincount(raw, weights=llms.count_)
    cent = np.array([X[raw[llms.labels_] == c].mean(axis=0) for c in range(raw.max() + 1)])
    large = np.flatnonzero(rows >= 60)
    for c in range(raw.max() + 1):
        target = c if c in large else large[np.argmin(np.linalg.norm(cent[large] - cent[c], axis=1))]
        members = got[raw == c]
        assert np.unique(members).size == 1
        assert np.unique(got[raw == target]).item() == members[0]


def test_wald_at_a_penalised_estimate(reg, binary):
    net, X, y, llms = reg
    m = _quiet_merge(llms, n_clusters=2, min_samples=60, refit="l2", alpha=1e-10)
    with pytest.raises(InvalidInputError, match="penalised='allow'"):
        wald_inference(m)
    with pytest.warns(UserWarning, match="ignore the penalty"):
        table = wald_inference(m, penalised="allow")
    assert table.attrs["warning"] and list(table.columns) == ["coef", "std_err", "t", "p_value", "ci_lower", "ci_upper"]
    for k in range(m.n_clusters_):  # alpha ~ 0: the estimate is OLS, so the numbers are statsmodels'
        rows = m.labels_ == k
        res = sm.OLS(y[rows], sm.add_constant(X[rows])).fit()
        np.testing.assert_allclose(table.loc[k]["std_err"], res.bse, rtol=1e-6)
        np.testing.assert_allclose(table.loc[k]["p_value"], res.pvalues, rtol=1e-5, atol=1e-12)
        np.testing.assert_allclose(table.loc[k][["ci_lower", "ci_upper"]], res.conf_int(0.05), rtol=1e-6, atol=1e-9)
    net, X, y, llms = binary
    mb = _quiet_merge(llms, n_clusters=2, min_samples=60, refit="logistic")
    with pytest.warns(UserWarning):
        tb = mb.inference(penalised="allow")
    for k in range(mb.n_clusters_):  # (X^T W X)^-1 at the penalised estimate, by statsmodels' Hessian
        rows = mb.labels_ == k
        yk = (y[rows] == "yes").astype(float)
        beta = np.r_[mb.intercept_[k], mb.coef_[k]]
        np.testing.assert_allclose(tb.loc[k]["coef"], beta)
        cov = np.linalg.inv(-sm.Logit(yk, sm.add_constant(X[rows])).hessian(beta))
        np.testing.assert_allclose(tb.loc[k]["std_err"], np.sqrt(np.diag(cov)), rtol=1e-8)
    with pytest.raises(InvalidInputError, match="penalised"):
        wald_inference(mb, penalised="yes")


def test_paper_refits_check_the_task(reg, binary):
    with pytest.raises(InvalidInputError, match="binary"):
        MergedModel(reg[0], n_clusters=2, refit="logistic").fit(reg[1], reg[2])
    with pytest.raises(InvalidInputError, match="regression"):
        MergedModel(binary[0], n_clusters=2, refit="lasso_cv").fit(binary[1], binary[2])
    with pytest.raises(InvalidInputError, match="absorb"):
        MergedModel(reg[0], n_clusters=2, absorb="closest").fit(reg[1], reg[2])
