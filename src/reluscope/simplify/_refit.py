"""Step 6 of Algorithm 1 (``001``): a (regularised) GLM refitted on each merged cluster.

``refit``:

- ``'glm'``: ordinary least squares (``LinearRegression``) or unpenalised
  logistic regression (``LogisticRegression`` with ``C = inf``, Newton-Cholesky);
- ``'l1'``: ``Lasso(alpha)`` or L1 logistic regression with ``C = 1 / alpha``
  (liblinear; its intercept column is scaled by 1000, so the penalty on the intercept is negligible);
- ``'l2'``: ``Ridge(alpha)`` or L2 logistic regression with ``C = 1 / alpha``;
- ``'logistic'`` (binary only): the model of scikit-learn's default
  ``LogisticRegression()`` (L2, ``C = 1``), the refit of the paper's CoCircles
  code (Table 2), solved to convergence (lbfgs, ``tol = 1e-10``): with the
  default ``tol = 1e-4`` lbfgs stops early at a point that depends on the
  scikit-learn version (5.3118 against the converged 5.3201 of Table 2 for
  the intercept of its region 1, scikit-learn 1.8); ``alpha`` is ignored;
- ``'lasso_cv'`` (regression only): scikit-learn's default ``LassoCV()`` (100
  alphas, 5 unshuffled folds), so ``alpha`` is re-tuned on each cluster's rows:
  the refit of the paper's BostonHouse code (Figures 16, 19); ``alpha`` is ignored;
- ``None``: no refit; the cluster's model is the row-weighted mean of its
  regions' exact network LLMs, ``sum_P |R^P| (w~^P, b~^P) / sum_P |R^P|``.

Fallbacks (recorded in ``MergedModel.refit_status_``, with a warning): a GLM
cannot be fitted to a classification cluster whose rows are all one class
(the likelihood has no maximum), nor an unpenalised GLM to a cluster with
fewer rows than ``n_features + 1`` (not identifiable), nor ``'lasso_cv'`` to a
cluster with fewer rows than its 5 folds; such a cluster keeps the
``refit=None`` model, the network's own mean LLM, instead.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from ..errors import InvalidInputError

REFITS = ("glm", "l1", "l2", "logistic", "lasso_cv", None)
#: Refits whose penalty is tuned by cross-validation on each fit (and so on each bootstrap resample).
CV_REFITS = ("lasso_cv",)
#: Refits with a penalty: their Wald standard errors ignore it (see ``wald_inference(penalised=...)``).
PENALISED_REFITS = ("l1", "l2", "logistic", "lasso_cv")
_TASK_ONLY = {"logistic": "binary", "lasso_cv": "regression"}

#: Status strings of ``MergedModel.refit_status_``.
STATUS_REFIT = "refit"
STATUS_NETWORK = "network mean LLM"
STATUS_ONE_CLASS = "network mean LLM (one class)"
STATUS_FEW_ROWS = "network mean LLM (fewer rows than features + 1)"
STATUS_FEW_FOLD_ROWS = "network mean LLM (fewer rows than LassoCV folds)"


def _logistic(C: float, l1: bool, random_state=None):
    from sklearn.linear_model import LogisticRegression

    new_api = inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated"
    if np.isinf(C):
        if new_api:
            return LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=200, tol=1e-10)
        return LogisticRegression(penalty=None, solver="newton-cholesky", max_iter=200, tol=1e-10)
    if l1:
        kw = dict(l1_ratio=1.0) if new_api else dict(penalty="l1")
        return LogisticRegression(C=C, solver="liblinear", intercept_scaling=1000.0, tol=1e-8, max_iter=1000, random_state=random_state, **kw)
    kw = dict(l1_ratio=0.0) if new_api else dict(penalty="l2")
    return LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=1000, **kw)


def make_estimator(task: str, refit, alpha: float, random_state=None):
    """The scikit-learn estimator refitted on each cluster (see the module docstring)."""
    from sklearn.linear_model import Lasso, LinearRegression, Ridge

    if refit not in REFITS:
        raise InvalidInputError(f"refit={refit!r} is not one of {REFITS}.")
    if refit in ("l1", "l2") and not (np.isscalar(alpha) and np.isfinite(alpha) and alpha > 0):
        raise InvalidInputError(f"alpha must be a positive number for refit={refit!r}, got {alpha!r}.")
    if refit is None:
        return None
    if refit in _TASK_ONLY and task != _TASK_ONLY[refit]:
        raise InvalidInputError(
            f"refit={refit!r} is for {_TASK_ONLY[refit]} networks; this one is {task!r}. "
            f"Use {'lasso_cv' if task == 'regression' else 'logistic'!r}, 'glm', 'l1' or 'l2'."
        )
    if refit == "logistic":
        return _logistic(1.0, False)
    if refit == "lasso_cv":
        from sklearn.linear_model import LassoCV

        return LassoCV()
    if task == "regression":
        if refit == "glm":
            return LinearRegression()
        if refit == "l1":
            return Lasso(alpha=alpha, max_iter=100_000, tol=1e-8)
        return Ridge(alpha=alpha)
    if refit == "glm":
        return _logistic(np.inf, False)
    return _logistic(1.0 / alpha, refit == "l1", random_state)


def weighted_llm(coef: np.ndarray, intercept: np.ndarray, counts: np.ndarray, labels: np.ndarray, n_clusters: int):
    """Row-weighted mean LLM of each cluster: coef (K, d), intercept (K,)."""
    w = counts.astype(np.float64)
    tot = np.bincount(labels, weights=w, minlength=n_clusters)
    c = np.stack([np.bincount(labels, weights=w * coef[:, j], minlength=n_clusters) for j in range(coef.shape[1])], axis=1)
    b = np.bincount(labels, weights=w * intercept, minlength=n_clusters)
    return c / tot[:, None], b / tot


def fit_one(estimator, X: np.ndarray, y: np.ndarray, task: str, refit):
    """Fit a clone of ``estimator`` on one cluster's rows.

    Returns ``(model, coef (d,), intercept, status)``; ``model`` is None and
    ``status`` names the fallback where the GLM cannot be fitted.
    """
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning

    if task != "regression" and np.unique(y).size < 2:
        return None, None, None, STATUS_ONE_CLASS
    if refit == "glm" and X.shape[0] < X.shape[1] + 1:
        return None, None, None, STATUS_FEW_ROWS
    if refit in CV_REFITS and X.shape[0] < (getattr(estimator, "cv", None) or 5):
        return None, None, None, STATUS_FEW_FOLD_ROWS
    model = clone(estimator)
    with warnings.catch_warnings():
        # quasi-separated classes drive unpenalised logistic coefficients large; the
        # fit is still the (approximate) maximiser, as in the paper's refits.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        model.fit(X, y)
    coef = np.asarray(model.coef_, dtype=np.float64).reshape(-1)
    intercept = float(np.asarray(model.intercept_).reshape(-1)[0])
    return model, coef, intercept, STATUS_REFIT


def refit_clusters(X, y, row_cluster, n_clusters, estimator, task, refit, mean_coef, mean_intercept):
    """Refit each cluster; returns coef (K, d), intercept (K,), models (list), status (list)."""
    coef = mean_coef.copy()
    intercept = mean_intercept.copy()
    models, status = [None] * n_clusters, [STATUS_NETWORK] * n_clusters
    if estimator is None:
        return coef, intercept, models, status
    order = np.argsort(row_cluster, kind="stable")
    bounds = np.searchsorted(row_cluster[order], np.arange(n_clusters + 1))
    for k in range(n_clusters):
        rows = order[bounds[k]:bounds[k + 1]]
        m, c, b, s = fit_one(estimator, X[rows], y[rows], task, refit)
        status[k] = s
        if m is not None:
            models[k], coef[k], intercept[k] = m, c, b
    return coef, intercept, models, status
