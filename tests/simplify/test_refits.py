"""Each cluster refit (step 6 of Algorithm 1) equals an independent fit on the cluster's rows."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

import reluscope
from reluscope.simplify import merge_llms
from tests.simplify import binary_case, regression_case


@pytest.fixture(scope="module")
def reg_llms():
    net, X, y = regression_case(seed=12, n=700, d=3, hidden=(6, 6))
    return reluscope.unwrap(net, X, y)


@pytest.fixture(scope="module")
def bin_llms():
    net, X, y = binary_case(seed=13, n=900, d=3, hidden=(6, 6))
    return reluscope.unwrap(net, X, y)


def _cluster(m, k):
    rows = m.region_to_cluster_.to_numpy()[m.llms_.labels_] == k
    return m.llms_.X_[rows], m.llms_.y_[rows]


def test_lasso_refit_equals_statsmodels_elastic_net(reg_llms):
    m = merge_llms(reg_llms, n_clusters=3, min_samples=40, refit="l1", alpha=0.05)
    for k in range(m.n_clusters_):
        X, y = _cluster(m, k)
        # statsmodels: RSS / (2n) + alpha |beta|_1, the intercept unpenalised
        res = sm.OLS(y, sm.add_constant(X)).fit_regularized(method="elastic_net", L1_wt=1.0, alpha=np.r_[0.0, [0.05] * 3], cnvrg_tol=1e-12, maxiter=10_000)
        np.testing.assert_allclose(np.r_[m.intercept_[k], m.coef_[k]], res.params, atol=1e-5)


def test_ridge_refit_equals_the_closed_form(reg_llms):
    m = merge_llms(reg_llms, n_clusters=3, min_samples=40, refit="l2", alpha=2.0)
    for k in range(m.n_clusters_):
        X, y = _cluster(m, k)
        Xc, yc = X - X.mean(axis=0), y - y.mean()
        w = np.linalg.solve(Xc.T @ Xc + 2.0 * np.eye(3), Xc.T @ yc)
        np.testing.assert_allclose(m.coef_[k], w, rtol=1e-8)
        assert m.intercept_[k] == pytest.approx(y.mean() - X.mean(axis=0) @ w, rel=1e-8)


def test_l1_logistic_refit_equals_statsmodels(bin_llms):
    m = merge_llms(bin_llms, n_clusters=2, min_samples=60, refit="l1", alpha=4.0)
    for k in range(m.n_clusters_):
        X, y = _cluster(m, k)
        yb = (y == "yes").astype(float)
        # sklearn C = 1 / alpha: -loglik + alpha |beta|_1, intercept unpenalised
        res = sm.Logit(yb, sm.add_constant(X)).fit_regularized(method="l1", alpha=np.r_[0.0, [4.0] * 3], disp=0, acc=1e-12)
        np.testing.assert_allclose(np.r_[m.intercept_[k], m.coef_[k]], res.params, atol=2e-3)


def test_l2_logistic_refit_satisfies_its_optimality_conditions(bin_llms):
    m = merge_llms(bin_llms, n_clusters=2, min_samples=60, refit="l2", alpha=3.0)
    for k in range(m.n_clusters_):
        X, y = _cluster(m, k)
        yb = (y == "yes").astype(float)
        p = 1 / (1 + np.exp(-(X @ m.coef_[k] + m.intercept_[k])))
        # gradient of C sum(logloss) + |w|^2 / 2 vanishes: X^T (y - p) = w / C, sum(y - p) = 0
        np.testing.assert_allclose(X.T @ (yb - p), m.coef_[k] * 3.0, atol=1e-6)
        assert abs(np.sum(yb - p)) < 1e-6
