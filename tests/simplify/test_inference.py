"""Local inference (section 5.2 of ``001``): Wald tables against statsmodels and closed forms, bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.linear_model import Lasso, LinearRegression

import reluscope
from reluscope.simplify import BootstrapResult, bootstrap_inference, merge_llms, wald_inference
from tests.simplify import binary_case, regression_case


@pytest.fixture(scope="module")
def reg_model():
    net, X, y = regression_case(seed=2, n=800)
    return X, y, merge_llms(reluscope.unwrap(net, X, y), n_clusters=3, min_samples=40)


@pytest.fixture(scope="module")
def bin_model():
    net, X, y = binary_case(seed=4, n=900)
    return X, y, merge_llms(reluscope.unwrap(net, X, y), n_clusters=2, min_samples=60)


def _rows(model, k):
    """Rows of cluster k found from the regions and the lookup table, not from labels_."""
    return model.region_to_cluster_.to_numpy()[model.llms_.labels_] == k


def test_ols_inference_equals_statsmodels_and_the_closed_form(reg_model):
    X, y, m = reg_model
    table = m.inference()
    assert list(table.columns) == ["coef", "std_err", "t", "p_value", "ci_lower", "ci_upper"]
    for k in range(m.n_clusters_):
        rows = _rows(m, k)
        Xc, yk = sm.add_constant(X[rows]), y[rows]
        res = sm.OLS(yk, Xc).fit()
        got = table.loc[k]
        np.testing.assert_allclose(got["coef"], res.params, rtol=1e-10)
        np.testing.assert_allclose(got["std_err"], res.bse, rtol=1e-10)
        np.testing.assert_allclose(got["p_value"], res.pvalues, rtol=1e-8, atol=1e-300)
        np.testing.assert_allclose(got[["ci_lower", "ci_upper"]], res.conf_int(0.05), rtol=1e-10)
        # closed form of section 5.2: Sigma = sigma^2 (X^T X)^-1, sigma^2 = RSS / (n1 - d - 1), t(n1 - d - 1)
        beta = np.linalg.lstsq(Xc, yk, rcond=None)[0]
        n1, p = Xc.shape
        s2 = np.sum((yk - Xc @ beta) ** 2) / (n1 - p)
        se = np.sqrt(np.diag(s2 * np.linalg.inv(Xc.T @ Xc)))
        np.testing.assert_allclose(got["std_err"], se, rtol=1e-8)
        np.testing.assert_allclose(got["p_value"], 2 * stats.t.sf(np.abs(beta / se), n1 - p), rtol=1e-6, atol=1e-300)
        # the Merge-Net's own refit is that OLS fit
        np.testing.assert_allclose(np.r_[m.intercept_[k], m.coef_[k]], beta, rtol=1e-9, atol=1e-12)
    assert list(table.loc[0].index) == ["intercept", "x1", "x2"]


def test_logit_inference_equals_statsmodels_and_the_refit(bin_model):
    X, y, m = bin_model
    table = m.inference(alpha=0.1)
    assert "z" in table.columns
    yb = (y == "yes").astype(float)
    for k in range(m.n_clusters_):
        rows = _rows(m, k)
        Xc = sm.add_constant(X[rows])
        res = sm.Logit(yb[rows], Xc).fit(disp=0)
        got = table.loc[k]
        np.testing.assert_allclose(got["coef"], res.params, rtol=1e-6)
        np.testing.assert_allclose(got["std_err"], res.bse, rtol=1e-6)
        np.testing.assert_allclose(got[["ci_lower", "ci_upper"]], res.conf_int(0.1), rtol=1e-6)
        # Sigma = (X^T W X)^-1 with W = diag(p (1 - p)), z against N(0, 1)
        p = 1 / (1 + np.exp(-Xc @ res.params))
        se = np.sqrt(np.diag(np.linalg.inv(Xc.T @ (Xc * (p * (1 - p))[:, None]))))
        np.testing.assert_allclose(got["std_err"], se, rtol=1e-6)
        np.testing.assert_allclose(got["p_value"], 2 * stats.norm.sf(np.abs(res.params / se)), rtol=1e-5, atol=1e-300)
        # scikit-learn's unpenalised refit agrees with the statsmodels MLE
        np.testing.assert_allclose(np.r_[m.intercept_[k], m.coef_[k]], res.params, rtol=1e-5, atol=1e-7)
    assert all(table.attrs["converged"].values())


def test_vectorised_ols_bootstrap_equals_refits_one_by_one(reg_model):
    X, y, m = reg_model
    boot = bootstrap_inference(m, n_bootstrap=25, random_state=7)
    assert isinstance(boot, BootstrapResult) and boot.samples.shape == (m.n_clusters_, 25, 3)
    rng = np.random.RandomState(7)
    for k in range(m.n_clusters_):  # same draws, cluster by cluster
        idx = np.flatnonzero(_rows(m, k))
        draws = rng.randint(0, idx.size, size=(25, idx.size))
        for b in (0, 11, 24):
            lr = LinearRegression().fit(X[idx[draws[b]]], y[idx[draws[b]]])
            np.testing.assert_allclose(boot.samples[k, b], np.r_[lr.intercept_, lr.coef_], rtol=1e-8, atol=1e-10)
    s = boot.summary()
    np.testing.assert_allclose(s["mean"].to_numpy(), boot.samples.mean(axis=1).ravel())
    np.testing.assert_allclose(s["estimate"].to_numpy(), np.column_stack([m.intercept_, m.coef_]).ravel())
    assert (s["p_zero"] == 0).all()


def test_l1_bootstrap_zero_probability_matches_manual_lasso_refits():
    rng = np.random.default_rng(11)
    net = reluscope.ReLUNetwork([np.array([[1.0, 0.0, 0.0]]), np.array([[2.0]])], [np.array([5.0]), np.array([0.0])])
    X = rng.normal(size=(300, 3))  # one region (x1 > -5); y depends on x1 only
    y = 2 * X[:, 0] + 10 + rng.normal(size=300)
    m = merge_llms(reluscope.unwrap(net, X, y), n_clusters=1, refit="l1", alpha=0.2)
    boot = m.bootstrap(40, random_state=3, progress=False)
    draws = np.random.RandomState(3).randint(0, 300, size=(40, 300))
    manual = np.array([Lasso(alpha=0.2, max_iter=100_000, tol=1e-8).fit(X[d], y[d]).coef_ for d in draws])
    np.testing.assert_allclose(boot.samples[0, :, 1:], manual, rtol=1e-6, atol=1e-9)
    pz = boot.prob_zero()
    np.testing.assert_allclose(pz.loc[0, ["x1", "x2", "x3"]].to_numpy(), (manual == 0).mean(axis=0))
    assert pz.loc[0, "x1"] == 0.0 and pz.loc[0, "intercept"] == 0.0
    assert min(pz.loc[0, "x2"], pz.loc[0, "x3"]) > 0.3  # noise features are often zeroed


def test_logistic_bootstrap_refits_on_the_drawn_rows(bin_model):
    X, y, m = bin_model
    boot = m.bootstrap(4, random_state=0, progress=False)
    draws = np.random.RandomState(0).randint(0, int(_rows(m, 0).sum()), size=(4, int(_rows(m, 0).sum())))
    idx = np.flatnonzero(_rows(m, 0))[draws[2]]
    res = sm.Logit((y[idx] == "yes").astype(float), sm.add_constant(X[idx])).fit(disp=0)
    np.testing.assert_allclose(boot.samples[0, 2], res.params, rtol=1e-5, atol=1e-7)


def test_inference_refuses_penalised_and_unrefitted_models(reg_model):
    X, y, m = reg_model
    l1 = merge_llms(m.llms_, n_clusters=2, refit="l1", alpha=0.1)
    with pytest.raises(reluscope.InvalidInputError, match="bootstrap"):
        wald_inference(l1)
    none = merge_llms(m.llms_, n_clusters=2, refit=None)
    with pytest.raises(ValueError, match="no refit to bootstrap"):
        none.bootstrap(10)
    with pytest.raises(ValueError, match="n_bootstrap"):
        m.bootstrap(1)
    with pytest.raises(ValueError, match="alpha"):
        m.inference(alpha=1.5)
