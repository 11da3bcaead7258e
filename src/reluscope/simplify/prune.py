"""Pruning to the top-k local linear models (aletheia-dnn's ``Pruner``, a simple relative of Algorithm 1 of ``001``).

The ``k`` largest regions (by training rows) are the *core* LLMs.  Every other
training region is assigned to the core whose region centre (eq. 19) is
nearest in Euclidean distance; a row whose activation pattern was never seen
in training is assigned to the core whose centre is nearest to the row itself
(the row stands for its own region centre, as in section 5.1).  Each core
keeps its exact network LLM (Theorem 1), or a GLM refitted on every training
row assigned to it.  The network keeps partitioning the input space: a row's
region is looked up, and the region's core model predicts.

Departures from aletheia-dnn 1.3.5 (checked here by running it):

- aletheia fits ``refit_model`` on the rows of the core region only; we fit it
  on every training row assigned to the core (core plus absorbed regions),
  the rows its model will predict.
- aletheia without ``refit_model`` predicts zeros (its model list stays
  empty); here the core keeps its exact LLM, so ``top_k = n_regions``
  reproduces the network on every training row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ..errors import InvalidInputError
from ..network import ReLUNetwork
from ..summary import binary_response
from ..unwrap import LocalLinearModels, unwrap

__all__ = ["PrunedModel", "prune_llms", "nearest_center"]

#: Rows x cores x features of one block of the nearest-centre search (float64 entries).
_BLOCK = 4_000_000


def nearest_center(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest row of ``centers`` (Euclidean) for every row of ``points``; ties: smallest index.

    Blocked over points so that memory stays bounded; no loop over single rows.

    Parameters
    ----------
    points : ndarray (n, d)
    centers : ndarray (k, d)

    Returns
    -------
    ndarray int (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.simplify import nearest_center
    >>> centers = np.array([[1.0, 1.0], [2.0, 2.0], [-1.0, 0.0]])
    >>> nearest_center(np.array([[0.0, 0.0], [3.0, 3.0], [1.5, 1.5]]), centers).tolist()
    [2, 1, 0]

    (``[0, 0]`` is at distance 1 from ``[-1, 0]`` and ``sqrt(2)`` from ``[1, 1]``;
    ``[1.5, 1.5]`` is as far from the first two centres and takes the first.)
    """
    out = np.empty(points.shape[0], np.int64)
    step = max(1, _BLOCK // max(1, centers.shape[0] * centers.shape[1]))
    for s in range(0, points.shape[0], step):
        diff = points[s : s + step, None, :] - centers[None, :, :]
        out[s : s + step] = np.argmin(np.einsum("nkd,nkd->nk", diff, diff), axis=1)
    return out


class PrunedModel(BaseEstimator):
    """The network's ``top_k`` largest LLMs, every other region assigned to its nearest core (aletheia's Pruner).

    Parameters
    ----------
    network : ReLUNetwork
    top_k : int, default 10
        Number of core LLMs, at most the number of regions of the training data.
    refit_model : scikit-learn linear estimator, optional
        None (default): each core keeps its exact network LLM (every output).
        An estimator with ``coef_`` and ``intercept_`` after ``fit`` (e.g.
        ``LinearRegression()``, ``LogisticRegression()``): a clone is fitted on
        every training row assigned to each core (single-output regression and
        binary networks only; y is encoded 0/1 with the network's positive class).

    Attributes
    ----------
    llms_ : LocalLinearModels
    n_clusters_ : int
        Number of cores (``top_k``).
    core_regions_ : ndarray (n_clusters,)
        Region ids of the cores, ``0 .. top_k - 1`` (regions are numbered by count).
    core_centers_ : ndarray (n_clusters, n_features)
        Their region centres.
    region_to_core_ : pandas.Series
        Lookup table region id -> core.
    labels_ : ndarray (n_samples,)
        Core of each training row.
    count_ : ndarray (n_clusters,)
        Training rows assigned to each core (its own and absorbed rows).
    coef_, intercept_ : ndarrays
        The core models on the pre-link scale, shaped like ``llms_.coef_`` /
        ``llms_.intercept_`` with cores in place of regions.
    task_ : str
    classes_ : ndarray (classifiers)

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*, eq. 19 and
    section 5.1; aletheia-dnn ``PrunerClassifier`` / ``PrunerRegressor``.

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
    >>> pruned = simplify.PrunedModel(net, top_k=4).fit(X, y)
    >>> pruned.core_summary()
          Core Region  Regions  Count  Core Count
    Core
    0               0        3    119          88
    1               1        4     72          47
    2               2        5     48          27
    3               3        7     61          24
    >>> round(pruned.score(X, y), 3)
    0.894

    A core keeps its region's exact LLM, so on the core regions' own rows the
    pruned model is the network:

    >>> core_rows = pruned.llms_.labels_ < 4
    >>> np.allclose(pruned.predict(X[core_rows]), net.forward(X[core_rows]))
    True
    """

    def __init__(self, network: ReLUNetwork, top_k: int = 10, *, refit_model=None):
        self.network = network
        self.top_k = top_k
        self.refit_model = refit_model

    # ----------------------------------------------------------------- fit
    def fit(self, X, y=None) -> "PrunedModel":
        """Unwrap ``network`` on ``X`` (and ``y``) and prune its LLMs to the top ``k``.

        Parameters
        ----------
        X : array-like or DataFrame (n_samples, n_features)
        y : array-like (n_samples,), optional
            Needed with ``refit_model``.

        Returns
        -------
        PrunedModel
            The fitted estimator (``self``).
        """
        if not isinstance(self.network, ReLUNetwork):
            raise InvalidInputError(
                f"PrunedModel takes a reluscope.ReLUNetwork, got {type(self.network).__name__}; convert it with "
                "reluscope.from_sklearn / from_torch / from_arrays."
            )
        return self._fit_llms(unwrap(self.network, X, y))

    def _check_top_k(self, n_regions: int) -> int:
        k = self.top_k
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InvalidInputError(f"top_k must be a positive integer, got {k!r}.")
        if k > n_regions:
            raise InvalidInputError(
                f"top_k={k} is larger than the {n_regions} regions of the training data; pass top_k <= {n_regions}."
            )
        return int(k)

    def _fit_llms(self, llms: LocalLinearModels) -> "PrunedModel":
        k = self._check_top_k(llms.n_regions)
        net = llms.network
        self.llms_ = llms
        self.task_ = net.task
        self.n_features_in_ = llms.n_features
        self.feature_names_in_ = np.asarray(llms.feature_names_, dtype=object)
        if net.task in ("binary", "multiclass"):
            self.classes_ = np.asarray(net.classes) if net.classes is not None else np.arange(max(2, net.n_outputs))
        self.n_clusters_ = k
        self.core_regions_ = np.arange(k)
        self.core_centers_ = llms.centers_[:k].copy()
        region_core = nearest_center(llms.centers_, self.core_centers_)
        region_core[:k] = np.arange(k)  # a core is its own nearest core, even when two centres coincide
        self.region_to_core_ = pd.Series(region_core, index=pd.RangeIndex(llms.n_regions, name="Region"), name="Core")
        self.labels_ = region_core[llms.labels_]
        self.count_ = np.bincount(self.labels_, minlength=k)
        coef3, icpt2 = llms.coef_3d[:k].copy(), llms.intercept_2d[:k].copy()
        if self.refit_model is not None:
            coef3, icpt2 = self._refit(llms, coef3, icpt2)
        self._coef3, self._icpt2 = coef3, icpt2
        self.coef_ = coef3[:, 0, :] if llms.coef_.ndim == 2 else np.moveaxis(coef3, 1, 2).copy()
        self.intercept_ = icpt2[:, 0] if llms.intercept_.ndim == 1 else icpt2
        return self

    def _refit(self, llms: LocalLinearModels, coef3: np.ndarray, icpt2: np.ndarray):
        """A clone of ``refit_model`` fitted on every training row of each core."""
        if self.task_ not in ("regression", "binary") or llms.n_outputs != 1:
            raise InvalidInputError(
                f"refit_model supports single-output regression and binary networks; this one is {self.task_!r} "
                f"with {llms.n_outputs} outputs. Use refit_model=None to keep the exact core LLMs."
            )
        if llms.y_ is None:
            raise InvalidInputError("refit_model needs the response: fit(X, y) or unwrap(network, X, y).")
        y = binary_response(llms.y_, llms.network.classes) if self.task_ == "binary" else np.asarray(llms.y_, np.float64)
        self.refit_models_ = []
        for c in range(self.n_clusters_):
            rows = self.labels_ == c
            if self.task_ == "binary" and np.unique(y[rows]).size < 2:
                raise InvalidInputError(
                    f"Core {c} holds rows of one class only, so a classifier cannot be refitted on it; use "
                    "refit_model=None or a smaller top_k."
                )
            model = clone(self.refit_model).fit(llms.X_[rows], y[rows])
            if not (hasattr(model, "coef_") and hasattr(model, "intercept_")):
                raise InvalidInputError(
                    f"refit_model {type(model).__name__} has no coef_ / intercept_ after fit; pass a linear model "
                    "such as LinearRegression() or LogisticRegression()."
                )
            coef3[c, 0, :] = np.ravel(model.coef_)
            icpt2[c, 0] = float(np.ravel(model.intercept_)[0])
            self.refit_models_.append(model)
        return coef3, icpt2

    # ------------------------------------------------------------ predict
    def _fitted(self) -> LocalLinearModels:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "llms_")
        return self.llms_

    def core_of(self, X, *, return_seen: bool = False):
        """Core of each row: its region's core, or for an unseen pattern the core whose centre is nearest to the row."""
        llms = self._fitted()
        Xa = llms.check_X(X)
        regions = llms.region_of(Xa)
        seen = regions >= 0
        cores = np.empty(Xa.shape[0], np.int64)
        cores[seen] = self.region_to_core_.to_numpy()[regions[seen]]
        if not seen.all():
            cores[~seen] = nearest_center(Xa[~seen], self.core_centers_)
        return (cores, seen) if return_seen else cores

    #: The name of :meth:`core_of` shared with :class:`~reluscope.simplify.MergedModel`.
    cluster_of = core_of

    def decision_function(self, X) -> np.ndarray:
        """Pre-link output of each row's core model, (n,) or (n, n_outputs)."""
        llms = self._fitted()
        Xa = llms.check_X(X)
        cores = self.core_of(Xa)
        eta = np.einsum("nd,nkd->nk", Xa, self._coef3[cores]) + self._icpt2[cores]
        return eta[:, 0] if eta.shape[1] == 1 else eta

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities in scikit-learn's layout: (n, 2) binary, (n, k) softmax."""
        llms = self._fitted()
        if self.task_ not in ("binary", "multiclass"):
            raise InvalidInputError(f"predict_proba is for classifiers; this pruned network is {self.task_!r}.")
        p = llms.network.link(self.decision_function(X))
        return np.column_stack([1.0 - p, p]) if self.task_ == "binary" else p

    def predict(self, X) -> np.ndarray:
        """Values (regression), class labels (binary, multi-class) or 0/1 per label (multi-label)."""
        eta = self.decision_function(X)
        if self.task_ == "regression":
            return eta
        if self.task_ == "binary":
            return self.classes_[(eta > 0).astype(np.int64)]
        if self.task_ == "multilabel":
            return (eta > 0).astype(np.int64)
        return self.classes_[eta.argmax(axis=1)]

    def score(self, X, y) -> float:
        """R^2 (regression) or accuracy (classification), the scikit-learn conventions."""
        from sklearn.metrics import accuracy_score, r2_score

        if self.task_ == "regression":
            return float(r2_score(y, self.predict(X)))
        return float(accuracy_score(y, self.predict(X)))

    def core_summary(self) -> pd.DataFrame:
        """One row per core: its region, regions and training rows assigned, rows of the core region itself."""
        llms = self._fitted()
        regions = np.bincount(self.region_to_core_.to_numpy(), minlength=self.n_clusters_)
        return pd.DataFrame(
            {
                "Core Region": self.core_regions_,
                "Regions": regions,
                "Count": self.count_,
                "Core Count": llms.count_[: self.n_clusters_],
            },
            index=pd.RangeIndex(self.n_clusters_, name="Core"),
        )


def prune_llms(llms: LocalLinearModels, top_k: int, **params) -> PrunedModel:
    """Prune already-unwrapped LLMs to the ``top_k`` largest; returns a fitted :class:`PrunedModel`.

    ``PrunedModel(network, top_k, **params).fit(X, y)`` gives the same result (it unwraps first).

    Parameters
    ----------
    llms : LocalLinearModels
        The result of :func:`reluscope.unwrap`.
    top_k : int
        Number of core LLMs.
    **params
        ``refit_model`` of :class:`PrunedModel`.

    Returns
    -------
    PrunedModel

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
    >>> llms = reluscope.unwrap(net, X, y)
    >>> pruned = simplify.prune_llms(llms, top_k=4)
    >>> pruned.n_clusters_, pruned.count_.tolist()
    (4, [119, 72, 48, 61])

    Keeping every LLM reproduces the network on its training rows; a refitted
    linear model per core uses every row assigned to it:

    >>> full = simplify.prune_llms(llms, top_k=llms.n_regions)
    >>> bool(np.abs(full.predict(X) - net.forward(X)).max() < 1e-12)
    True
    >>> from sklearn.linear_model import LinearRegression
    >>> refit = simplify.prune_llms(llms, top_k=4, refit_model=LinearRegression())
    >>> rows = refit.labels_ == 0
    >>> ols = LinearRegression().fit(X[rows], y[rows])
    >>> np.allclose(refit.coef_[0], ols.coef_)
    True
    """
    if not isinstance(llms, LocalLinearModels):
        raise InvalidInputError(f"prune_llms takes the result of reluscope.unwrap, got {type(llms).__name__}.")
    return PrunedModel(llms.network, top_k, **params)._fit_llms(llms)
