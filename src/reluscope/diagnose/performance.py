"""Local versus global performance of the LLMs (section 4.2 of the unwrapping paper, ``001``).

:func:`local_vs_global` compares each large region's LLM on its own rows
with the same LLM on all rows and labels its extrapolation (Figure 13).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import check_llms
from ..errors import InvalidInputError
from ..unwrap import LocalLinearModels

__all__ = ["local_vs_global"]


_EXTRAPOLATION = {
    (True, False): "poor",
    (True, True): "good",
    (False, True): "extraordinary",
    (False, False): "poor both",
}


def local_vs_global(
    llms: LocalLinearModels,
    *,
    top_k: int = 10,
    auc_threshold: float = 0.7,
    accuracy_threshold: float = 0.7,
    mse_ratio: float = 0.5,
) -> pd.DataFrame:
    """Local versus global performance of the largest LLMs (section 4.2, Figure 13 of ``001``).

    The local metric is the network's on the region's own rows, the global one
    the region's LLM applied to *all* rows (see
    :func:`reluscope.summary.region_summary`).  A metric is "good" when

    - AUC (binary): ``AUC >= auc_threshold`` (default 0.7);
    - accuracy (multi-class): ``accuracy >= accuracy_threshold`` (default 0.7);
    - MSE (regression): ``MSE <= mse_ratio * Var(y)``, with ``Var(y)`` the
      variance (ddof=0) of the response over all rows, averaged over outputs
      (default 0.5: the LLM explains at least half the variance).

    The ``Extrapolation`` column applies the rules of section 4.2:
    'poor' (good locally, poor globally), 'good' (good both),
    'extraordinary' (poor locally, good globally), 'poor both'; and
    'undefined' where a metric is NaN (a single-class region has no AUC).

    Parameters
    ----------
    llms : LocalLinearModels
        Unwrapped with a response ``y``.
    top_k : int, default 10
        Number of largest regions (by count).
    auc_threshold, accuracy_threshold, mse_ratio : float

    Returns
    -------
    pandas.DataFrame indexed by region id with ``Count``, ``Local <metric>``,
    ``Global <metric>``, ``Local Good``, ``Global Good`` (bool, None where the
    metric is NaN), ``Extrapolation``;
    ``attrs`` holds ``metric``, ``threshold`` (on the metric's own scale) and
    ``higher_is_better``.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import diagnose
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)], output="sigmoid")
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = (X[:, 0] * X[:, 1] > 0).astype(int)
    >>> llms = reluscope.unwrap(net, X, y)
    >>> lvg = diagnose.local_vs_global(llms, top_k=3)
    >>> lvg[["Count", "Local AUC", "Global AUC", "Extrapolation"]]
            Count  Local AUC  Global AUC Extrapolation
    Region
    0          88   0.864706    0.560675          poor
    1          47   0.055556    0.560185     poor both
    2          27        NaN    0.486779     undefined
    >>> lvg.attrs["metric"], lvg.attrs["threshold"]
    ('AUC', 0.7)

    The global AUC is that of region 0's LLM score on all rows:

    >>> from sklearn.metrics import roc_auc_score
    >>> score = X @ llms.coef_[0] + llms.intercept_[0]
    >>> round(roc_auc_score(y, score), 6)
    0.560675
    """
    llms = check_llms(llms)
    if llms.y_ is None:
        raise InvalidInputError("local_vs_global needs the response: unwrap with reluscope.unwrap(network, X, y).")
    if not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise InvalidInputError(f"top_k must be a positive integer, got {top_k!r}.")
    task = llms.network.task
    if task not in ("regression", "binary", "multiclass"):
        raise InvalidInputError(f"local_vs_global supports regression, binary and multi-class networks, not {task!r}.")
    top = min(int(top_k), llms.n_regions)
    summ = llms.summary(global_metrics=top).iloc[:top]
    metric, higher, threshold = _metric_threshold(llms, task, auc_threshold, accuracy_threshold, mse_ratio)
    df = _extrapolation_frame(summ, metric, higher, threshold)
    df.attrs.update(metric=metric, threshold=threshold, higher_is_better=higher, task=task)
    return df


def _metric_threshold(
    llms: LocalLinearModels, task: str, auc_threshold: float, accuracy_threshold: float, mse_ratio: float
) -> tuple[str, bool, float]:
    """The metric of ``task``, whether higher is better, and the threshold of a "good" value."""
    if task == "regression":
        Y = np.asarray(llms.y_, np.float64).reshape(llms.X_.shape[0], -1)
        return "MSE", False, float(mse_ratio * Y.var(axis=0).mean())
    if task == "binary":
        return "AUC", True, float(auc_threshold)
    return "Accuracy", True, float(accuracy_threshold)


def _extrapolation_frame(summ: pd.DataFrame, metric: str, higher: bool, threshold: float) -> pd.DataFrame:
    """Local / global metric, their "good" flags and the section 4.2 label, one row per region of ``summ``."""
    local = summ[f"Local {metric}"].to_numpy(np.float64)
    glob = summ[f"Global {metric}"].to_numpy(np.float64)
    good = (lambda v: v >= threshold) if higher else (lambda v: v <= threshold)
    lg, gg = good(local), good(glob)
    defined = ~np.isnan(local) & ~np.isnan(glob)
    label = np.array([_EXTRAPOLATION[(bool(a), bool(b))] if ok else "undefined" for a, b, ok in zip(lg, gg, defined)], dtype=object)
    df = pd.DataFrame(
        {
            "Count": summ["Count"].to_numpy(),
            f"Local {metric}": local,
            f"Global {metric}": glob,
            "Local Good": np.where(np.isnan(local), None, lg).astype(object),
            "Global Good": np.where(np.isnan(glob), None, gg).astype(object),
            "Extrapolation": label,
        },
        index=summ.index,
    )
    return df
