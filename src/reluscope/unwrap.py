"""The unwrapper: a trained ReLU network as exact local linear models (LLMs).

Implements section 2.3 of the unwrapping paper (``../shared/seeds/001``,
eq. 14-16): the training-data induced patterns ``P_train``, their activation
sets ``R_train^P`` and the LLMs ``eta^P(x) = w~^P x + b~^P`` of Theorem 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .errors import InvalidInputError, NotExactError
from .network import ReLUNetwork
from .patterns import (
    DEFAULT_CHUNK_SIZE,
    PatternIndex,
    compute_patterns,
    pattern_strings,
    unique_patterns,
    unpack_patterns,
)
from ._finite import certify_finite, nonfinite_rows
from ._kernels import _AFFINE_CHUNK, _affine_maps_chunked, _gather_llm, _llm_error_and_scale, _region_sums, _trivial
from .validation import check_features, check_positive_int, check_region_id, check_region_ids, check_target

__all__ = ["LocalLinearModels", "unwrap", "Unwrapper", "VERIFY_RTOL"]

#: Relative tolerance of :meth:`LocalLinearModels.verify` used by :func:`unwrap`.
VERIFY_RTOL = 1e-8


@dataclass(eq=False)
class LocalLinearModels:
    """Result of :func:`unwrap`: one exact local linear model per region.

    Regions are the distinct activation patterns of the data given to
    :func:`unwrap`, numbered by decreasing count, ties by pattern bytes.

    Attributes
    ----------
    network : ReLUNetwork
    coef_ : ndarray (n_regions, n_features) or (n_regions, n_features, n_outputs)
        LLM coefficients ``w~^P`` (eq. 13) on the pre-link scale ``eta``.
    intercept_ : ndarray (n_regions,) or (n_regions, n_outputs)
    count_ : ndarray (n_regions,)
        ``|R_train^P|``.
    centers_ : ndarray (n_regions, n_features)
        Region centres, the mean of each region's rows (eq. 19).
    pattern_keys_ : uint8 (n_regions, n_bytes)
        Bit-packed patterns (see :func:`reluscope.patterns.pack_patterns`).
    trivial_ : bool (n_regions,)
        A hidden layer is entirely off (constant LLM, Definition 1).
    labels_ : int64 (n_samples,)
        Region of each row of ``X_``.
    X_, y_ : the data the LLMs were unwrapped on (y may be None).
    decision_ : ndarray (n_samples, n_outputs)
        Network pre-link output on ``X_``.
    max_error_ : float or None
        ``max |eta(x) - LLM(x)|`` over ``X_`` when verified.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> llms = reluscope.unwrap(net, X, y)
    >>> llms.n_regions, llms.count_
    (8, array([64, 55, 33, 18, 11,  9,  9,  1]))
    >>> llms.coefficients().round(3).head(2)
            Count  Intercept     x1     x2
    Region
    0          64     -1.233 -0.523 -0.873
    1          55     -1.282 -1.387 -0.409

    New rows get the region whose pattern they share (-1 for a pattern never
    seen in ``X_``) and that region's LLM, which is the network's logit:

    >>> X_new = np.array([[0.0, 0.0], [5.0, 5.0]])
    >>> llms.region_of(X_new)
    array([3, 1])
    >>> bool(np.allclose(llms.llm_decision(X_new), net.decision_function(X_new)))
    True
    >>> llms.pattern_strings([0])
    ['1,1,1,1,0,1']
    """

    network: ReLUNetwork
    coef_: np.ndarray
    intercept_: np.ndarray
    count_: np.ndarray
    centers_: np.ndarray
    pattern_keys_: np.ndarray
    trivial_: np.ndarray
    labels_: np.ndarray
    X_: np.ndarray
    y_: np.ndarray | None
    decision_: np.ndarray
    feature_names_: tuple[str, ...]
    max_error_: float | None = None
    _lookup: dict = field(default=None, repr=False)
    #: Feature names seen at unwrap (the network's, or the DataFrame's columns); None if none were seen.
    feature_names_in_: tuple[str, ...] | None = None

    # ------------------------------------------------------------- basics
    @property
    def n_regions(self) -> int:
        """Number of regions (distinct activation patterns of ``X_``)."""
        return int(self.count_.shape[0])

    @property
    def n_features(self) -> int:
        """Number of input features."""
        return self.network.n_features

    @property
    def n_outputs(self) -> int:
        """Number of network outputs (logits)."""
        return self.network.n_outputs

    @property
    def coef_3d(self) -> np.ndarray:
        """Coefficients as (n_regions, n_outputs, n_features) whatever the number of outputs."""
        return self.coef_[:, None, :] if self.coef_.ndim == 2 else np.moveaxis(self.coef_, 2, 1)

    @property
    def intercept_2d(self) -> np.ndarray:
        """Intercepts as (n_regions, n_outputs)."""
        return self.intercept_[:, None] if self.intercept_.ndim == 1 else self.intercept_

    def patterns(self, regions=None) -> np.ndarray:
        """Unpacked bool patterns (n_regions, n_hidden_units), or of the given region ids."""
        keys = self.pattern_keys_ if regions is None else self.pattern_keys_[check_region_ids(regions, self.n_regions)]
        return unpack_patterns(np.atleast_2d(keys), self.network.n_hidden_units)

    def pattern_strings(self, regions=None) -> list[str]:
        """Patterns in the paper's notation, e.g. '1,0;0,0,1,1'."""
        return pattern_strings(self.patterns(regions), self.network.hidden_sizes)

    def region_inequalities(self, region: int) -> tuple[np.ndarray, np.ndarray]:
        """``(A, c)`` with the closed region ``{x : A x <= c}`` (Lemma 1)."""
        return self.network.region_inequalities(self.patterns([check_region_id(region, self.n_regions)])[0])

    # --------------------------------------------------------- new data
    def check_X(self, X, *, name: str = "X") -> np.ndarray:
        """Validate new data with the feature-name rule of scikit-learn.

        Names seen at unwrap (the network's, or the columns of the DataFrame it
        was unwrapped on) are checked and used: a DataFrame must hold exactly
        those columns, in any order, and is re-ordered by name.  Arrays, and any
        input when no names were seen, are taken by position.  Every method
        taking new rows goes through here, so the same row gets the same region
        whichever entry point is asked.
        """
        names = self.feature_names_in_ if self.feature_names_in_ is not None else self.network.feature_names
        return check_features(X, self.n_features, names, name=name)

    _check_X = check_X

    def region_of(self, X) -> np.ndarray:
        """Region id of each row of ``X``; -1 where its pattern was never seen in ``X_``."""
        X = self._check_X(X)
        packed, _ = compute_patterns(self.network, X)
        if self._lookup is None:
            self._lookup = PatternIndex(self.pattern_keys_)
        return self._lookup.lookup(packed)

    def llm_decision(self, X, regions=None) -> np.ndarray:
        """``w~^P x + b~^P`` with each row's own region (or the given ids); NaN for unseen patterns."""
        X = self._check_X(X)
        regions = self.region_of(X) if regions is None else check_region_ids(regions, self.n_regions, allow_unseen=True, n_rows=X.shape[0])
        out = np.full((X.shape[0], self.n_outputs), np.nan)
        seen = regions >= 0
        out[seen] = _gather_llm(X[seen], self.coef_3d, self.intercept_2d, regions[seen])
        return out[:, 0] if self.n_outputs == 1 else out

    def verify(self, X=None) -> float:
        """Exactness certificate: ``max |eta(x) - (w~^{P(x)} x + b~^{P(x)})|`` over ``X``.

        The LLM of each row is computed from that row's own pattern (Theorem 1),
        whether or not the pattern was seen in ``X_``; ``eta`` is the network's
        pre-link output.  With ``X=None`` the unwrapped data are used.
        """
        if X is None:
            X, eta, labels = self.X_, self.decision_, self.labels_
            coef, intercept = self.coef_3d, self.intercept_2d
        else:
            X = self._check_X(X)
            packed, eta = compute_patterns(self.network, X)
            uniq = unique_patterns(packed)
            coef, intercept = self.network.affine_maps(unpack_patterns(uniq.keys, self.network.n_hidden_units))
            labels = uniq.inverse
        err, scale = _llm_error_and_scale(X, eta, coef, intercept, labels)
        certify_finite(err, scale, lambda: nonfinite_rows(X, eta, coef, intercept, labels), "X")
        return err

    def predict_decision(self, X) -> np.ndarray:
        """Pre-link network output (same as ``network.decision_function``)."""
        return self.network.decision_function(X)

    # ------------------------------------------------------------ tables
    def coefficients(self, regions=None) -> pd.DataFrame:
        """LLM coefficients as a DataFrame: one row per region (and output), intercept first."""
        idx = np.arange(self.n_regions) if regions is None else check_region_ids(regions, self.n_regions)
        frames = []
        for j in range(self.n_outputs):
            df = pd.DataFrame(self.coef_3d[idx, j, :], columns=list(self.feature_names_))
            df.insert(0, "Intercept", self.intercept_2d[idx, j])
            df.insert(0, "Count", self.count_[idx])
            df.index = pd.Index(idx, name="Region")
            if self.n_outputs > 1:
                df.insert(0, "Output", j)
            frames.append(df)
        return pd.concat(frames) if len(frames) > 1 else frames[0]

    def summary(
        self, *, global_metrics: str | int = "auto", memory_limit_mb: float = 512.0, progress: bool | None = None,
        ddof: int = 1, global_auc_on: str = "logit",
    ) -> pd.DataFrame:
        """Region summary table (section 4 of ``001``, Figures 10-11); see :func:`reluscope.summary.region_summary`.

        ``ddof=0`` and ``global_auc_on='probability'`` give the paper's Figure 10/11 columns.
        """
        from .summary import region_summary

        return region_summary(
            self, global_metrics=global_metrics, memory_limit_mb=memory_limit_mb, progress=progress, ddof=ddof, global_auc_on=global_auc_on
        )

    def evaluate(
        self, X, y, *, global_metrics: str | int = "auto", memory_limit_mb: float = 512.0, progress: bool | None = None,
        ddof: int = 1, global_auc_on: str = "logit",
    ) -> pd.DataFrame:
        """These LLMs' region summary on new data; see :func:`reluscope.summary.evaluate`."""
        from .summary import evaluate

        return evaluate(
            self, X, y, global_metrics=global_metrics, memory_limit_mb=memory_limit_mb, progress=progress, ddof=ddof, global_auc_on=global_auc_on
        )

    def report(self, path, *, distribution=None, **kwargs):
        """Write the self-contained HTML report of these LLMs; see :func:`reluscope.report.write_report`.

        ``distribution`` (a :class:`reluscope.probability.GaussianMixture`) adds the "Random inputs" section.
        """
        from .report import write_report

        return write_report(self, path, distribution=distribution, **kwargs)


def unwrap(
    network: ReLUNetwork,
    X,
    y=None,
    *,
    verify: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool | None = None,
    device=None,
    dtype: str = "float64",
) -> LocalLinearModels:
    """Unwrap a ReLU network into the exact LLMs of the regions that ``X`` visits.

    Parameters
    ----------
    network : ReLUNetwork
    X : array-like or DataFrame (n_samples, n_features)
    y : array-like (n_samples,), optional
        Responses, used by :meth:`LocalLinearModels.summary`.
    verify : bool, default True
        Check ``max |eta(x) - LLM(x)| <= 1e-8 * scale`` over ``X`` (scale: the
        largest of 1, ``|eta|`` and ``sum_j |w~_j x_j|`` over the data) and raise
        :class:`NotExactError` otherwise.
    chunk_size : int
        Rows per forward-pass chunk (memory bound).
    progress : bool or None
        tqdm progress bar; None shows it for large data.
    device : str or torch.device, optional
        Run the forward pass, pattern packing and de-duplication in torch on
        this device ('cpu', 'cuda', 'cuda:1'); see :func:`reluscope.scale.unwrap_torch`
        (and :func:`reluscope.scale.unwrap_dask`).
        A Dask array or DataFrame ``X`` is unwrapped out of core on Dask.
    dtype : {'float64', 'float32'}
        Torch path only: 'float32' computes the patterns in float32; the
        verification is then in float64 against the network.

    Returns
    -------
    LocalLinearModels

    Notes
    -----
    One forward pass gives every row's pattern (bit-packed) and ``eta``; the
    distinct patterns are found by hashing the keys (a collision is detected
    and falls back to one stable sort of the keys as 64-bit words,
    :func:`reluscope.patterns.key_order`); the region centres are one sparse
    product; the LLMs of Theorem 1
    (eq. 13) are computed batched over patterns
    (:meth:`ReLUNetwork.affine_maps`).  No Python loop runs over samples or
    patterns.

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    section 2.3, eq. 14-16; Theorem 1.

    Examples
    --------
    A small sigmoid net on CoCircles: 200 rows visit 8 regions, and each row's
    LLM gives the network's logit exactly.

    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> llms = reluscope.unwrap(net, X, y)
    >>> llms.coef_.shape, llms.intercept_.shape, llms.labels_.shape
    ((8, 2), (8,), (200,))
    >>> r = llms.labels_
    >>> bool(np.allclose(net.decision_function(X), np.einsum("nd,nd->n", X, llms.coef_[r]) + llms.intercept_[r]))
    True
    >>> llms.max_error_ < 1e-12
    True
    >>> llms.summary().columns.tolist()
    ['Count', 'Response Mean', 'Response Std', 'Local AUC', 'Global AUC', 'Trivial']

    Only a :class:`~reluscope.ReLUNetwork` is accepted; convert framework models first:

    >>> reluscope.unwrap("model.pt", X)
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: unwrap takes a reluscope.ReLUNetwork, got str; ...
    """
    if not isinstance(network, ReLUNetwork):
        raise InvalidInputError(
            f"unwrap takes a reluscope.ReLUNetwork, got {type(network).__name__}; convert it first with "
            "reluscope.from_sklearn / from_torch / from_arrays."
        )
    chunk_size = check_positive_int(chunk_size, "chunk_size")
    if device is not None or type(X).__module__.split(".")[0] in ("dask", "dask_expr"):  # scale-out paths
        from . import scale

        run = scale.unwrap_torch if device is not None else scale.unwrap_dask
        kw = {"device": device, "dtype": dtype} if device is not None else {}
        return run(network, X, y, verify=verify, chunk_size=chunk_size, progress=progress, **kw)
    feature_names = network.feature_names
    if feature_names is None and isinstance(X, pd.DataFrame):
        feature_names = tuple(str(c) for c in X.columns)
    names_in = feature_names if feature_names is None or len(set(feature_names)) == len(feature_names) else None
    Xa = network.check_X(X)
    if feature_names is None:
        feature_names = tuple(f"x{j + 1}" for j in range(network.n_features))
    ya = None if y is None else check_target(y, Xa.shape[0], network=network)
    packed, eta = compute_patterns(network, Xa, chunk_size=chunk_size, progress=progress)
    uniq = unique_patterns(packed)
    coef, intercept = _affine_maps_chunked(network, uniq.keys, chunk_size)
    counts = uniq.counts
    centers = _region_sums(Xa, uniq.inverse, counts.size)
    centers /= counts[:, None]
    trivial = _trivial(network, uniq.keys)
    k = network.n_outputs
    result = LocalLinearModels(
        network=network,
        coef_=coef[:, 0, :] if k == 1 else np.moveaxis(coef, 1, 2).copy(),
        intercept_=intercept[:, 0] if k == 1 else intercept,
        count_=counts,
        centers_=centers,
        pattern_keys_=uniq.keys,
        trivial_=trivial,
        labels_=uniq.inverse,
        X_=Xa,
        y_=ya,
        decision_=eta,
        feature_names_=tuple(feature_names),
        feature_names_in_=None if names_in is None else tuple(names_in),
    )
    if verify:
        err, scale = _llm_error_and_scale(Xa, eta, coef, intercept, uniq.inverse, min(chunk_size, _AFFINE_CHUNK))
        certify_finite(err, scale, lambda: nonfinite_rows(Xa, eta, coef, intercept, uniq.inverse, chunk_size), "X")
        result.max_error_ = err
        if not err <= VERIFY_RTOL * scale:
            raise NotExactError(
                f"LLMs reproduce the network only to {err:.3e} (tolerance {VERIFY_RTOL * scale:.3e}). "
                "This points to an overflowing or ill-conditioned network; check the weights for huge "
                "values, or pass verify=False to inspect the LLMs anyway."
            )
    return result


class Unwrapper(BaseEstimator):
    """Estimator-style front end of :func:`unwrap` (scikit-learn conventions).

    Parameters
    ----------
    network : ReLUNetwork
    verify : bool, default True
        Certify that the LLMs reproduce the network on the data (see :func:`unwrap`).
    chunk_size : int, default 65536
        Rows per forward-pass chunk (memory bound).
    progress : bool or None
        tqdm progress bar; None shows it for large data.

    Attributes
    ----------
    llms_ : LocalLinearModels
        Set by :meth:`fit`; ``coef_``, ``intercept_``, ``count_`` mirror it.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> from reluscope import Unwrapper
    >>> uw = Unwrapper(net).fit(X, y)
    >>> uw.coef_.shape, int(uw.count_.sum())
    ((8, 2), 200)
    >>> uw.region_of(X[:3])
    array([3, 2, 1])
    >>> bool(np.array_equal(uw.region_of(X), uw.llms_.labels_))
    True
    """

    def __init__(self, network: ReLUNetwork, *, verify: bool = True, chunk_size: int = DEFAULT_CHUNK_SIZE, progress: bool | None = None):
        self.network = network
        self.verify = verify
        self.chunk_size = chunk_size
        self.progress = progress

    def fit(self, X, y=None) -> "Unwrapper":
        """Unwrap ``network`` on ``X`` (and responses ``y``) with :func:`unwrap`; returns self."""
        self.llms_ = unwrap(self.network, X, y, verify=self.verify, chunk_size=self.chunk_size, progress=self.progress)
        self.coef_ = self.llms_.coef_
        self.intercept_ = self.llms_.intercept_
        self.count_ = self.llms_.count_
        return self

    def _fitted(self) -> LocalLinearModels:
        if not hasattr(self, "llms_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("This Unwrapper is not fitted yet; call fit(X, y) first.")
        return self.llms_

    def summary(self, **kwargs) -> pd.DataFrame:
        """Region summary table; see :meth:`LocalLinearModels.summary`."""
        return self._fitted().summary(**kwargs)

    def region_of(self, X) -> np.ndarray:
        """Region id of each row of ``X`` (-1 where unseen); see :meth:`LocalLinearModels.region_of`."""
        return self._fitted().region_of(X)

    def report(self, path, **kwargs):
        """Write the HTML report; see :func:`reluscope.report.write_report`."""
        return self._fitted().report(path, **kwargs)
