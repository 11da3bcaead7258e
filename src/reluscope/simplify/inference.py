"""Local inference on merged LLMs (section 5.2 of ``001``, Table 2, Figure 19) and the cluster table (Table 6).

- :func:`wald_inference`: per cluster, the Wald table of the unpenalised refit
  (``refit='glm'``) computed by statsmodels on the cluster's training rows:
  ``sm.OLS`` (``Sigma = sigma^2 (X^T X)^-1``, t with ``n_1 - d - 1`` df) or
  ``sm.Logit`` (``Sigma = (X^T W X)^-1``, z).  With ``penalised='allow'`` the
  same formulas are evaluated at a penalised estimate (what the paper's Table
  2 did with ``LogisticRegression()``); those standard errors ignore the penalty.
- :func:`bootstrap_inference`: for penalised refits (the paper shows L1), the
  refit is repeated on ``B`` bootstrap resamples of each cluster's rows; the
  result holds the coefficient distributions and ``P(coef = 0)`` per term.
- :func:`cluster_metrics`: Table 6, one row per merged cluster.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .._progress import progress_bar
from ..errors import InvalidInputError
from ..summary import grouped_auc
from . import _core
from ._refit import CV_REFITS, PENALISED_REFITS, STATUS_REFIT, fit_one, make_estimator

__all__ = ["wald_inference", "bootstrap_inference", "BootstrapResult", "cluster_metrics"]

#: Largest ``B x n x p`` block of the vectorised OLS bootstrap (float64 entries).
_OLS_BLOCK = 4_000_000


def _terms(model) -> list[str]:
    return ["intercept", *[str(f) for f in model.feature_names_in_]]


def _cluster_rows(model):
    """Training X, encoded y and, per cluster, the indices of its rows."""
    llms = model.llms_
    y = _core.encode_target(llms.network, llms.y_, model.task_)
    order = np.argsort(model.labels_, kind="stable")
    bounds = np.searchsorted(model.labels_[order], np.arange(model.n_clusters_ + 1))
    return llms.X_, y, [order[bounds[k]:bounds[k + 1]] for k in range(model.n_clusters_)]


def _fitted(model):
    from .merge import MergedModel

    if not isinstance(model, MergedModel):
        raise InvalidInputError(f"Expected a fitted reluscope.simplify.MergedModel, got {type(model).__name__}.")
    model._fitted()
    return model


#: ``attrs['warning']`` of a Wald table computed at a penalised estimate.
PENALTY_IGNORED = (
    "standard errors ignore the penalty: the unpenalised Wald formulas are evaluated at the penalised estimate "
    "(as the paper's Table 2); they are not valid inference for the penalised fit, use bootstrap_inference"
)


def wald_inference(model, *, alpha: float = 0.05, penalised: str = "refuse") -> pd.DataFrame:
    """Table 2 of ``001`` for every refitted cluster of a Merge-Net.

    Parameters
    ----------
    model : MergedModel
        Fitted with ``refit='glm'``, or a penalised refit with ``penalised='allow'``.
    alpha : float, default 0.05
        Confidence intervals at level ``1 - alpha``.
    penalised : {'refuse', 'allow'}, default 'refuse'
        A penalised refit ('l1', 'l2', 'logistic', 'lasso_cv') has no valid
        Wald test: 'refuse' raises; 'allow' evaluates the unpenalised formulas
        at the penalised estimate (``model.intercept_``, ``model.coef_``): for
        logistic refits ``Sigma = (X^T W X)^-1`` with ``W = p^(1 - p^)`` of that
        estimate, for regression ``sigma^2 (X^T X)^-1`` with ``sigma^2 = RSS /
        (n_1 - d - 1)`` of its residuals.  This is what the paper's Table 2
        reports (its code refits ``LogisticRegression()``, ``C = 1``); the table
        then carries ``attrs['warning']`` (and a UserWarning is raised) saying
        the standard errors ignore the penalty.

    Returns
    -------
    DataFrame
        MultiIndex ``(cluster, term)``, terms ``intercept`` then the features;
        columns ``coef``, ``std_err``, ``t`` (regression) or ``z`` (binary),
        ``p_value``, ``ci_lower``, ``ci_upper``.  ``attrs['converged']`` says,
        per cluster, whether the fit converged (quasi-separated classes do not),
        ``attrs['skipped']`` lists clusters that kept the network mean LLM,
        ``attrs['warning']`` is None or says the standard errors ignore a penalty.

    Notes
    -----
    For ``refit='glm'`` the numbers are statsmodels' (``OLS().fit()``,
    ``Logit().fit(method='newton')``) on the cluster's training rows; its
    coefficients equal ``model.coef_`` up to the scikit-learn solver's
    tolerance (exactly, for OLS).

    References
    ----------
    Sudjianto et al., section 5.2, Table 2.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> wald = simplify.wald_inference(merged)
    >>> wald.shape, list(wald.index.names)
    ((9, 6), ['cluster', 'term'])
    >>> wald.loc[1, ["coef", "std_err", "p_value"]].round(4)
                 coef  std_err  p_value
    term
    intercept -1.5845   0.0289      0.0
    x1         1.0554   0.0200      0.0
    x2         1.0164   0.0109      0.0

    The OLS standard errors are ``sqrt(diag(sigma^2 (A^T A)^-1))`` on the cluster's rows:

    >>> rows = merged.labels_ == 1
    >>> A = np.column_stack([np.ones(rows.sum()), X[rows]])
    >>> resid = y[rows] - A @ wald.loc[1, "coef"].to_numpy()
    >>> sigma2 = resid @ resid / (rows.sum() - 3)
    >>> np.allclose(wald.loc[1, "std_err"], np.sqrt(np.diag(sigma2 * np.linalg.inv(A.T @ A))))
    True
    """
    model = _fitted(model)
    if penalised not in ("refuse", "allow"):
        raise InvalidInputError(f"penalised must be 'refuse' or 'allow', got {penalised!r}.")
    at_estimate = model.refit in PENALISED_REFITS and penalised == "allow"
    if model.refit != "glm" and not at_estimate:
        raise InvalidInputError(
            f"Wald inference needs the unpenalised refit (refit='glm'); this Merge-Net has refit={model.refit!r}. "
            "Use model.bootstrap() for penalised refits, or penalised='allow' for the paper's Wald numbers at the "
            "penalised estimate (their standard errors ignore the penalty)."
        )
    if not 0.0 < alpha < 1.0:
        raise InvalidInputError(f"alpha must be in (0, 1), got {alpha!r}.")
    X, y, rows = _cluster_rows(model)
    terms = _terms(model)
    stat = "t" if model.task_ == "regression" else "z"
    frames, converged, skipped = {}, {}, []
    for k, idx in enumerate(rows):
        if model.refit_status_[k] != STATUS_REFIT:
            skipped.append(k)
            continue
        if at_estimate:
            beta = np.concatenate([[model.intercept_[k]], model.coef_[k]])
            table = _wald_at(X[idx], y[idx], beta, model.task_, alpha)
            converged[k] = True
        else:
            table, converged[k] = _wald_statsmodels(X[idx], y[idx], model.task_, alpha)
        table.columns = ["coef", "std_err", stat, "p_value", "ci_lower", "ci_upper"]
        table.index = pd.Index(terms, name="term")
        frames[k] = table
    if not frames:
        raise InvalidInputError("No cluster was refitted (all kept the network mean LLM); nothing to test.")
    out = pd.concat(frames, names=["cluster"])
    out.attrs.update(converged=converged, skipped=skipped, alpha=alpha, warning=PENALTY_IGNORED if at_estimate else None)
    if at_estimate:
        warnings.warn(f"refit={model.refit!r}: {PENALTY_IGNORED}.", UserWarning, stacklevel=2)
    bad = [k for k, c in converged.items() if not c]
    if bad:
        warnings.warn(f"The logistic fit of clusters {bad} did not converge (separated classes); their Wald numbers are unreliable.", UserWarning, stacklevel=2)
    return out


def _wald_statsmodels(X, y, task, alpha):
    """Unpenalised refit and its Wald table by statsmodels: (DataFrame, converged)."""
    import statsmodels.api as sm

    Xc = sm.add_constant(X, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if task == "regression":
            res, ok = sm.OLS(y, Xc).fit(), True
        else:
            res = sm.Logit(y, Xc).fit(disp=0, method="newton", maxiter=100)
            ok = bool(res.mle_retvals.get("converged", True))
        ci = np.asarray(res.conf_int(alpha))
    cols = {"coef": res.params, "std_err": res.bse, "stat": res.tvalues, "p": res.pvalues, "lo": ci[:, 0], "hi": ci[:, 1]}
    return pd.DataFrame({k: np.asarray(v) for k, v in cols.items()}), ok


def _wald_at(X, y, beta, task, alpha):
    """Wald table of the unpenalised formulas (section 5.2 of ``001``) at a given estimate ``beta``."""
    from scipy import stats
    from scipy.special import expit

    Xc = np.column_stack([np.ones(X.shape[0]), X])
    eta = Xc @ beta
    if task == "regression":
        df = Xc.shape[0] - Xc.shape[1]
        sigma2 = np.sum((y - eta) ** 2) / df if df > 0 else np.nan
        cov = sigma2 * np.linalg.pinv(Xc.T @ Xc)
        dist = stats.t(df) if df > 0 else stats.norm()
    else:
        p = expit(eta)
        cov = np.linalg.pinv(Xc.T @ (Xc * (p * (1.0 - p))[:, None]))
        dist = stats.norm()
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = beta / se
    q = dist.ppf(1.0 - alpha / 2.0)
    return pd.DataFrame({"coef": beta, "std_err": se, "stat": z, "p": 2.0 * dist.sf(np.abs(z)), "lo": beta - q * se, "hi": beta + q * se})


@dataclass
class BootstrapResult:
    """Bootstrap distributions of the cluster refits (Figure 19 of ``001``).

    Attributes
    ----------
    samples : ndarray (n_clusters, n_bootstrap, n_terms)
        Intercept then coefficients of each resample's refit; NaN where no fit
        was possible (a resample with one class) or the cluster was not refitted.
    estimate : ndarray (n_clusters, n_terms)
        The refit on the cluster's own rows (``model.intercept_``, ``model.coef_``).
    terms : list of str
    counts : ndarray (n_clusters,)
        Rows of each cluster.
    refit : str
    attrs : dict
        ``alphas`` of a cross-validated refit, one per cluster and resample.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> boot = merged.bootstrap(50, random_state=0)
    >>> boot.n_bootstrap, boot.refit, boot.counts.tolist()
    (50, 'glm', [157, 88, 55])
    >>> summary = boot.summary()
    >>> summary.columns.tolist()
    ['estimate', 'mean', 'std', 'ci_lower', 'ci_upper', 'p_zero']

    The percentile interval is the 2.5% and 97.5% quantiles of the resamples:

    >>> lo, hi = np.quantile(boot.samples[1, :, 2], [0.025, 0.975])
    >>> np.allclose(summary.loc[(1, "x2"), ["ci_lower", "ci_upper"]], [lo, hi])
    True
    >>> boot.to_frame(0).shape  # 50 resamples x 3 terms
    (150, 3)
    """

    samples: np.ndarray
    estimate: np.ndarray
    terms: list
    counts: np.ndarray
    refit: str
    attrs: dict = field(default_factory=dict)

    @property
    def n_bootstrap(self) -> int:
        """Number of bootstrap resamples ``B``."""
        return int(self.samples.shape[1])

    def prob_zero(self) -> pd.DataFrame:
        """``P(coef = 0)``: share of resamples whose coefficient is exactly zero, (cluster x term)."""
        ok = ~np.isnan(self.samples)
        with np.errstate(invalid="ignore"):
            p = (self.samples == 0).sum(axis=1) / ok.sum(axis=1)
        return pd.DataFrame(p, index=pd.RangeIndex(p.shape[0], name="cluster"), columns=self.terms)

    def summary(self, *, alpha: float = 0.05) -> pd.DataFrame:
        """Per (cluster, term): estimate, bootstrap mean, std, percentile interval, ``P(coef = 0)``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanquantile(self.samples, [alpha / 2, 1 - alpha / 2], axis=1)
            mean, std = np.nanmean(self.samples, axis=1), np.nanstd(self.samples, axis=1, ddof=1)
        K, p = self.estimate.shape
        index = pd.MultiIndex.from_product([range(K), self.terms], names=["cluster", "term"])
        return pd.DataFrame(
            {
                "estimate": self.estimate.ravel(),
                "mean": mean.ravel(),
                "std": std.ravel(),
                "ci_lower": lo.ravel(),
                "ci_upper": hi.ravel(),
                "p_zero": self.prob_zero().to_numpy().ravel(),
            },
            index=index,
        )

    def to_frame(self, cluster: int) -> pd.DataFrame:
        """Long table of one cluster's resamples: columns ``replicate``, ``term``, ``value``."""
        s = self.samples[cluster]
        return pd.DataFrame(
            {"replicate": np.repeat(np.arange(s.shape[0]), s.shape[1]), "term": np.tile(self.terms, s.shape[0]), "value": s.ravel()}
        )


def _ols_bootstrap(X: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """OLS on every resample at once: normal equations batched over resamples, (B, d + 1)."""
    Xc = np.column_stack([np.ones(X.shape[0]), X])
    B, n = idx.shape
    out = np.full((B, Xc.shape[1]), np.nan)
    step = max(1, _OLS_BLOCK // max(1, n * Xc.shape[1]))
    for s in range(0, B, step):
        Xb, yb = Xc[idx[s:s + step]], y[idx[s:s + step]]
        XtX = np.einsum("bni,bnj->bij", Xb, Xb)
        Xty = np.einsum("bni,bn->bi", Xb, yb)
        try:
            out[s:s + step] = np.linalg.solve(XtX, Xty[..., None])[..., 0]
        except np.linalg.LinAlgError:  # a singular resample: least squares one by one
            for b in range(Xb.shape[0]):
                out[s + b] = np.linalg.lstsq(Xb[b], yb[b], rcond=None)[0]
    return out


def bootstrap_inference(model, n_bootstrap: int = 100, *, random_state=None, progress: bool | None = None) -> BootstrapResult:
    """Bootstrap the refit of every cluster (section 5.2, Figure 19 of ``001``).

    Each cluster's training rows are resampled with replacement ``n_bootstrap``
    times (the cluster assignment is held fixed) and the cluster's estimator
    (``refit`` and ``alpha`` of the model) is refitted on each resample.  OLS
    resamples are solved together (batched normal equations); other refits are
    fitted one by one under a tqdm bar.  A cross-validated refit
    (``refit='lasso_cv'``, the paper's Figure 19) re-tunes its ``alpha`` on every
    resample, as the paper's code does; the chosen alphas are kept in
    ``result.attrs['alphas']`` (n_clusters, n_bootstrap).

    Parameters
    ----------
    model : MergedModel
        Fitted with any ``refit`` but None.
    n_bootstrap : int, default 100
    random_state : int, RandomState or None
    progress : bool or None

    Returns
    -------
    BootstrapResult

    Examples
    --------
    An L1 refit has no valid Wald table; its coefficients are bootstrapped:

    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6, refit="l1", alpha=0.05).fit(X, y)
    >>> boot = simplify.bootstrap_inference(merged, n_bootstrap=50, random_state=0)
    >>> boot.samples.shape, boot.terms
    ((3, 50, 3), ['intercept', 'x1', 'x2'])
    >>> merged.coef_.round(3)
    array([[ 0.   ,  0.153],
           [ 0.765,  0.911],
           [-0.368,  0.   ]])
    >>> boot.prob_zero().round(2)
             intercept   x1   x2
    cluster
    0              0.0  1.0  0.0
    1              0.0  0.0  0.0
    2              0.0  0.0  1.0
    """
    model = _fitted(model)
    if model.refit is None:
        raise InvalidInputError(
            "refit=None keeps the network's LLMs; there is no refit to bootstrap. Use refit='glm', 'l1', 'l2', 'logistic' or 'lasso_cv'."
        )
    if not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 2:
        raise InvalidInputError(f"n_bootstrap must be an integer >= 2, got {n_bootstrap!r}.")
    rng = check_random_state(random_state)
    X, y, rows = _cluster_rows(model)
    est = make_estimator(model.task_, model.refit, model.alpha, model.random_state)
    p = X.shape[1] + 1
    samples = np.full((model.n_clusters_, n_bootstrap, p), np.nan)
    draws = [rng.randint(0, idx.size, size=(n_bootstrap, idx.size)) for idx in rows]
    vectorised = model.task_ == "regression" and model.refit == "glm"
    tuned = model.refit in CV_REFITS
    alphas = np.full((model.n_clusters_, n_bootstrap), np.nan) if tuned else None
    todo = [(k, b) for k in range(model.n_clusters_) if model.refit_status_[k] == STATUS_REFIT for b in range(n_bootstrap)]
    if vectorised:
        for k, idx in enumerate(rows):
            if model.refit_status_[k] == STATUS_REFIT:
                samples[k] = _ols_bootstrap(X[idx], y[idx], draws[k])
    else:
        for k, b in progress_bar(todo, progress=progress, desc="bootstrap", unit="fit"):
            sel = rows[k][draws[k][b]]
            m, c, i, _ = fit_one(est, X[sel], y[sel], model.task_, model.refit)
            if m is not None:
                samples[k, b, 0], samples[k, b, 1:] = i, c
                if tuned:
                    alphas[k, b] = m.alpha_
    estimate = np.column_stack([model.intercept_, model.coef_])
    counts = np.array([idx.size for idx in rows])
    attrs = {"random_state": random_state, "alpha_retuned": tuned}
    if tuned:
        attrs["alphas"] = alphas
    return BootstrapResult(samples, estimate, _terms(model), counts, model.refit, attrs)


def cluster_metrics(model) -> pd.DataFrame:
    """Table 6 of ``001`` for a fitted Merge-Net (see :meth:`MergedModel.cluster_summary`).

    Parameters
    ----------
    model : MergedModel
        Fitted.

    Returns
    -------
    DataFrame
        One row per cluster: ``Regions`` (LLMs merged), ``Count`` (training
        rows), ``Response Mean``/``Response Std`` (ddof=1), ``Local`` and
        ``Global`` metric (MSE, or AUC of the logit, of the cluster model on the
        cluster's rows / on all training rows), ``Refit`` status, then
        ``Intercept`` and the coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> table = simplify.cluster_metrics(merged)
    >>> table[["Regions", "Count", "Local MSE", "Global MSE"]].round(4)
             Regions  Count  Local MSE  Global MSE
    Cluster
    0             12    157     0.0504      0.3051
    1              1     88     0.0065      3.7601
    2              6     55     0.0264      1.0005

    ``Global MSE`` is the cluster model applied to every training row:

    >>> pred = X @ merged.coef_[1] + merged.intercept_[1]
    >>> bool(np.isclose(table.loc[1, "Global MSE"], np.mean((y - pred) ** 2)))
    True
    """
    model = _fitted(model)
    X, y, rows = _cluster_rows(model)
    K = model.n_clusters_
    lab = model.labels_
    eta_all = X @ model.coef_.T + model.intercept_  # (n, K): every cluster model on every row
    own = eta_all[np.arange(X.shape[0]), lab]
    cnt = np.bincount(lab, minlength=K).astype(np.float64)
    mean = np.bincount(lab, weights=y, minlength=K) / cnt
    ss = np.bincount(lab, weights=(y - mean[lab]) ** 2, minlength=K)
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.sqrt(ss / (cnt - 1))
    if model.task_ == "regression":
        name = "MSE"
        local = np.bincount(lab, weights=(y - own) ** 2, minlength=K) / cnt
        glob = ((y[:, None] - eta_all) ** 2).mean(axis=0)
    else:
        name = "AUC"
        local = grouped_auc(lab, own, y, K)
        glob = np.array([grouped_auc(np.zeros(y.size, np.int64), eta_all[:, k], y, 1)[0] for k in range(K)])
    df = pd.DataFrame(
        {
            "Regions": np.bincount(model._partition.region_cluster, minlength=K),
            "Count": cnt.astype(np.int64),
            "Response Mean": mean,
            "Response Std": std,
            f"Local {name}": local,
            f"Global {name}": glob,
            "Refit": model.refit_status_,
            "Intercept": model.intercept_,
        },
        index=pd.RangeIndex(K, name="Cluster"),
    )
    coefs = pd.DataFrame(model.coef_, columns=[str(f) for f in model.feature_names_in_], index=df.index)
    return pd.concat([df, coefs], axis=1)
