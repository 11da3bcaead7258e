"""Step 6 of Algorithm 1 (``001``): a (regularised) GLM refitted on each merged cluster.

``refit``:

- ``'glm'``: ordinary least squares (``LinearRegression``) or unpenalised
  logistic regression (``LogisticRegression`` with ``C = inf``, Newton-Cholesky);
- ``'l1'``: ``Lasso(alpha)`` or L1 logistic regression with ``C = 1 / alpha``
  (liblinear; its intercept column is scaled by 1000, so the penalty on the intercept is negligible);
- ``'l2'``: ``Ridge(alpha)`` or L2 logistic regression with ``C = 1 / alpha``;
- ``'logistic'`` (binary only): the paper's CoCircles refit (Table 2),
  scikit-learn's default ``LogisticRegression()`` (L2, ``C = 1``) *as it was
  computed when the paper was written* (scikit-learn 0.22-1.1): L-BFGS-B on the
  summed log-loss plus ``||w||^2 / 2`` (intercept unpenalised), from zero, with
  ``gtol = 1e-4`` and at most 100 iterations (:class:`PaperLogisticRegression`).
  Today's ``LogisticRegression()`` scales the loss by ``1 / n`` and stops at
  another point (5.3118 against Table 2's 5.3201 for its region 1's intercept,
  scikit-learn 1.8); the converged optimum is ``refit='l2', alpha=1``
  (-3.4949 against the printed -3.4950 for region 2's x2).  ``alpha`` is ignored;
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
from sklearn.base import BaseEstimator
from sklearn.linear_model._base import LinearClassifierMixin

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


class PaperLogisticRegression(LinearClassifierMixin, BaseEstimator):
    """Binary L2 logistic regression fitted as scikit-learn 0.22-1.1's ``LogisticRegression()`` did.

    Minimises ``sum_i log(1 + exp(-y_i (w.x_i + b))) + ||w||^2 / (2 C)`` (``y`` in
    {-1, 1}, ``b`` unpenalised) with SciPy's L-BFGS-B from ``w = 0, b = 0``,
    ``options={'gtol': tol, 'maxiter': max_iter}``: the same objective, start
    and stopping rule as ``sklearn.linear_model._logistic._logistic_regression_path``
    of those versions, so the paper's Table 2 (``LogisticRegression()`` with
    the defaults ``C = 1, tol = 1e-4, max_iter = 100``) comes back to its
    printed digits.  Attributes as scikit-learn's: ``coef_`` (1, d),
    ``intercept_`` (1,), ``classes_``, ``n_iter_``.
    """

    def __init__(self, C: float = 1.0, tol: float = 1e-4, max_iter: int = 100):
        self.C = C
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y):
        from scipy.optimize import minimize
        from scipy.special import expit, log_expit

        X = np.asarray(X, dtype=np.float64)
        self.classes_, yi = np.unique(y, return_inverse=True)
        if self.classes_.size != 2:
            raise InvalidInputError(f"PaperLogisticRegression is binary; y holds {self.classes_.size} classes.")
        s = 2.0 * yi - 1.0
        d = X.shape[1]

        def loss_grad(w):
            ys = s * (X @ w[:d] + w[d])
            g = (expit(ys) - 1.0) * s
            return -log_expit(ys).sum() + 0.5 * (w[:d] @ w[:d]) / self.C, np.append(X.T @ g + w[:d] / self.C, g.sum())

        res = minimize(loss_grad, np.zeros(d + 1), method="L-BFGS-B", jac=True, options={"gtol": self.tol, "maxiter": self.max_iter})
        self.coef_, self.intercept_, self.n_iter_ = res.x[None, :d], res.x[d:], np.array([res.nit])
        return self

    def predict_proba(self, X):
        from scipy.special import expit

        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])


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
        return PaperLogisticRegression()
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
