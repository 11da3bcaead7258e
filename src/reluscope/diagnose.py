"""LLM-based network diagnostics (section 4 of the unwrapping paper, ``001``).

Each function takes the result of :func:`reluscope.unwrap` and returns plain
data (a :class:`pandas.DataFrame` or a dataclass of NumPy arrays); drawing
lives in :mod:`reluscope.plot`.

- :func:`region_flags`, :func:`degenerate_share`: single-instance and
  single-class regions (section 4.1; 84.9% of the CoCircles regions).
- :func:`polar_coordinates`: the polar coordinate plot (Figure 12).
- :func:`local_vs_global`: extrapolation strength of the top LLMs (section
  4.2, Figure 13).
- :func:`pattern_overlap`: training versus test activation patterns
  (Figure 3, eq. 14).
- :func:`region_map_2d`: the activation region of every point of a grid over
  a two-feature input box (Figure 2, Figure 5 middle).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InvalidInputError
from .patterns import PatternIndex, compute_patterns, unique_patterns
from .summary import binary_response
from .unwrap import LocalLinearModels

__all__ = [
    "region_flags",
    "degenerate_share",
    "PolarCoordinates",
    "polar_coordinates",
    "local_vs_global",
    "PatternOverlap",
    "pattern_overlap",
    "RegionMap2D",
    "region_map_2d",
]


# --------------------------------------------------------------- helpers
def check_llms(llms) -> LocalLinearModels:
    """Raise a clear error unless ``llms`` is an unwrap result."""
    if not isinstance(llms, LocalLinearModels):
        raise InvalidInputError(
            f"Expected the result of reluscope.unwrap (LocalLinearModels), got {type(llms).__name__}; "
            "call reluscope.unwrap(network, X, y) first."
        )
    return llms


def resolve_output(llms: LocalLinearModels, output) -> int:
    """Validate the index of the network output (logit / response) to explain."""
    k = llms.n_outputs
    if isinstance(output, (bool, np.bool_)) or not isinstance(output, (int, np.integer)):
        raise InvalidInputError(f"output must be an integer index of a network output, got {output!r}.")
    if not 0 <= int(output) < k:
        raise InvalidInputError(f"output={output} is out of range: the network has {k} output(s), use 0..{k - 1}.")
    return int(output)


def output_name(llms: LocalLinearModels, output: int) -> str:
    """A readable name of an output: the class label for multi-class nets."""
    net = llms.network
    if net.task == "multiclass" and net.classes is not None:
        return f"class {net.classes[output]}"
    if net.task == "binary":
        return f"logit of class {net.classes[-1]}" if net.classes is not None else "logit"
    return "output" if llms.n_outputs == 1 else f"output {output}"


def require_n_features(llms: LocalLinearModels, d: int, view: str) -> None:
    """Views drawn in the input plane (or on the line) need ``d`` features."""
    if llms.n_features != d:
        raise InvalidInputError(
            f"{view} needs a network with exactly {d} input feature{'s' if d > 1 else ''}; this one has "
            f"{llms.n_features}. Use a view that works in any dimension (local_profile, parallel_coordinates, "
            "polar_coordinates) instead."
        )


def _distinct_per_region(labels: np.ndarray, y: np.ndarray, n_regions: int) -> np.ndarray:
    """Number of distinct response values (rows of 2-D y) in each region, vectorised."""
    y = np.asarray(y)
    if y.ndim == 1:
        _, codes = np.unique(y, return_inverse=True)
    else:
        _, codes = np.unique(y, axis=0, return_inverse=True)
    codes = codes.ravel().astype(np.int64)
    pairs = np.unique(labels.astype(np.int64) * (codes.max() + 1) + codes)
    return np.bincount(pairs // (codes.max() + 1), minlength=n_regions)


# ------------------------------------------------------------ region flags
def region_flags(llms: LocalLinearModels) -> pd.DataFrame:
    """Flag the single-instance and single-class regions (section 4.1 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels

    Returns
    -------
    pandas.DataFrame indexed by region id ('Region') with columns

    - ``Count``: ``|R_train^P|``;
    - ``single_instance``: the region holds one row;
    - ``single_class``: every row of the region has the same response: one
      class (classification) or ``Response Std == 0``, i.e. all responses
      exactly equal (regression; one-row regions count as well).  Without a
      response (``llms.y_ is None``) only one-row regions are single-class;
    - ``degenerate``: either flag.  The paper marks these regions blue in the
      polar coordinate plot and excludes them from the parallel coordinate
      plot: their LLMs are not supported by enough data to be interpreted.
    """
    llms = check_llms(llms)
    R = llms.n_regions
    single_instance = llms.count_ == 1
    if llms.y_ is None:
        single_class = single_instance.copy()
    else:
        single_class = _distinct_per_region(llms.labels_, llms.y_, R) == 1
    df = pd.DataFrame(
        {
            "Count": llms.count_,
            "single_instance": single_instance,
            "single_class": single_class,
            "degenerate": single_instance | single_class,
        },
        index=pd.Index(np.arange(R), name="Region"),
    )
    df.attrs["has_response"] = llms.y_ is not None
    return df


def degenerate_share(llms: LocalLinearModels, *, weighted: bool = False) -> float:
    """Share of degenerate (single-instance or single-class) regions.

    Parameters
    ----------
    llms : LocalLinearModels
    weighted : bool, default False
        False: share of regions, as reported in section 4.1 of ``001`` (84.9%
        for CoCircles); True: share of the rows that lie in such regions.
    """
    flags = region_flags(llms)
    deg = flags["degenerate"].to_numpy()
    if weighted:
        return float(llms.count_[deg].sum() / llms.count_.sum())
    return float(deg.mean())


# ------------------------------------------------------- polar coordinates
@dataclass
class PolarCoordinates:
    """Polar coordinate plot data (Figure 12 of ``001``), one point per region.

    Attributes
    ----------
    regions : int (R,)
    counts, radius : (R,)
        The radius is the region's count.
    components : (R, 2)
        The 2-D representation of the coefficients: the coefficients
        themselves (d = 2), ``(w, 0)`` (d = 1) or their first two principal
        component scores (d > 2).
    direction : (R, 2)
        ``components`` scaled to unit norm; ``(0, 0)`` where they are zero.
    angle : (R,)
        ``atan2`` of the direction in radians, in ``[0, 2 pi)``; NaN where the
        direction is undefined (zero components).
    degenerate : bool (R,)
        Single-instance or single-class region (:func:`region_flags`).
    method : str
        'coefficients' (d <= 2) or 'pca'.
    explained_variance_ratio : (2,) or None
        Of the PCA, when used.
    axis_labels : tuple of two str
    output : int
    """

    regions: np.ndarray
    counts: np.ndarray
    radius: np.ndarray
    components: np.ndarray
    direction: np.ndarray
    angle: np.ndarray
    degenerate: np.ndarray
    method: str
    explained_variance_ratio: np.ndarray | None
    axis_labels: tuple
    output: int
    output_name: str

    @property
    def degenerate_share(self) -> float:
        return float(self.degenerate.mean())


def _pca_scores(coef: np.ndarray, random_state) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.decomposition import PCA

    R, d = coef.shape
    n_comp = min(2, R, d)
    scores = np.zeros((R, 2))
    ratio = np.zeros(2)
    if R >= 2 and np.ptp(coef, axis=0).max() > 0:
        pca = PCA(n_components=n_comp, random_state=random_state)
        scores[:, :n_comp] = pca.fit_transform(coef)
        ratio[:n_comp] = pca.explained_variance_ratio_
    return scores, ratio


def polar_coordinates(llms: LocalLinearModels, *, output: int = 0, random_state=0) -> PolarCoordinates:
    """Directions of the LLM coefficients against region sizes (Figure 12 of ``001``).

    For two features the coefficient vector ``w~^P`` scaled to unit norm gives
    the direction and ``|R_train^P|`` the radius.  For more features the
    coefficients (one row per region, unweighted) are reduced to their first
    two principal components (:class:`sklearn.decomposition.PCA`, centred), whose
    scores, scaled to unit norm, give the direction.  For one feature the
    direction is 0 or pi by the coefficient's sign.

    Parameters
    ----------
    llms : LocalLinearModels
    output : int, default 0
        Output (logit) whose coefficients are used.
    random_state : int, RandomState or None
        Passed to the PCA.

    Returns
    -------
    PolarCoordinates
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    coef = llms.coef_3d[:, output, :]
    d = coef.shape[1]
    names = llms.feature_names_
    ratio = None
    if d == 1:
        comps = np.column_stack([coef[:, 0], np.zeros(coef.shape[0])])
        method, labels = "coefficients", (names[0], "")
    elif d == 2:
        comps = coef.copy()
        method, labels = "coefficients", (names[0], names[1])
    else:
        comps, ratio = _pca_scores(coef, random_state)
        method, labels = "pca", ("PC1", "PC2")
    norm = np.linalg.norm(comps, axis=1)
    ok = norm > 0
    direction = np.zeros_like(comps)
    direction[ok] = comps[ok] / norm[ok, None]
    angle = np.full(comps.shape[0], np.nan)
    angle[ok] = np.mod(np.arctan2(direction[ok, 1], direction[ok, 0]), 2 * np.pi)
    return PolarCoordinates(
        regions=np.arange(llms.n_regions),
        counts=llms.count_.copy(),
        radius=llms.count_.astype(np.float64),
        components=comps,
        direction=direction,
        angle=angle,
        degenerate=region_flags(llms)["degenerate"].to_numpy(),
        method=method,
        explained_variance_ratio=ratio,
        axis_labels=labels,
        output=output,
        output_name=output_name(llms, output),
    )


# ------------------------------------------------------ local vs global
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
    if task == "regression":
        metric, higher = "MSE", False
        Y = np.asarray(llms.y_, np.float64).reshape(llms.X_.shape[0], -1)
        threshold = float(mse_ratio * Y.var(axis=0).mean())
    elif task == "binary":
        metric, higher, threshold = "AUC", True, float(auc_threshold)
    else:
        metric, higher, threshold = "Accuracy", True, float(accuracy_threshold)
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
    df.attrs.update(metric=metric, threshold=threshold, higher_is_better=higher, task=task)
    return df


# ------------------------------------------------------- pattern overlap
@dataclass
class PatternOverlap:
    """Training versus test activation patterns (Figure 3, eq. 14 of ``001``).

    Attributes
    ----------
    n_train_patterns : int
        ``|P_train|``, the regions of the unwrapped data.
    n_test_patterns : int
        ``|P_test|``, distinct patterns of the test rows.
    n_shared : int
        ``|P_train & P_test|``.
    n_test_only, n_train_only : int
    unseen_row_share : float
        Share of test rows whose pattern is not in ``P_train`` (no LLM was
        unwrapped for them).
    test_region : int (n_test,)
        Training region of each test row, -1 where unseen.
    metric : str or None
        'MSE', 'AUC' or 'Accuracy' of the network on the test rows, when
        ``y_test`` was given.
    metric_seen, metric_unseen : float
        That metric on test rows in seen / unseen regions (NaN when undefined).
    """

    n_train_patterns: int
    n_test_patterns: int
    n_shared: int
    n_test_only: int
    n_train_only: int
    unseen_row_share: float
    test_region: np.ndarray
    metric: str | None = None
    metric_seen: float = np.nan
    metric_unseen: float = np.nan

    @property
    def n_test_rows(self) -> int:
        return int(self.test_region.size)


def _network_metric(llms: LocalLinearModels, eta: np.ndarray, y, mask: np.ndarray) -> tuple[str, float]:
    from sklearn.metrics import roc_auc_score

    task = llms.network.task
    if not mask.any():
        return {"regression": "MSE", "binary": "AUC"}.get(task, "Accuracy"), np.nan
    if task == "regression":
        Y = np.asarray(y, np.float64).reshape(eta.shape[0], -1)
        return "MSE", float(((Y[mask] - eta[mask]) ** 2).mean())
    if task == "binary":
        yb = binary_response(np.asarray(y), llms.network.classes)[mask]
        if yb.min() == yb.max():
            return "AUC", np.nan
        return "AUC", float(roc_auc_score(yb, eta[mask, 0]))
    if task == "multiclass":
        classes = np.asarray(llms.network.classes if llms.network.classes is not None else np.arange(llms.n_outputs))
        pred = classes[eta[mask].argmax(axis=1)]
        return "Accuracy", float((pred == np.asarray(y)[mask]).mean())
    raise InvalidInputError(f"pattern_overlap cannot score a {task!r} network; omit y_test.")


def pattern_overlap(llms: LocalLinearModels, X_test, y_test=None) -> PatternOverlap:
    """Compare the activation patterns of test data with the training ones (Figure 3 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels
        Unwrapped on the training data (``P_train``).
    X_test : array-like or DataFrame (n_test, n_features)
    y_test : array-like (n_test,), optional
        When given, the network's metric (MSE / AUC / accuracy) is reported
        separately on test rows in seen and unseen regions.

    Returns
    -------
    PatternOverlap
    """
    llms = check_llms(llms)
    X = llms.network.check_X(X_test)
    packed, eta = compute_patterns(llms.network, X)
    uniq = unique_patterns(packed)
    region = PatternIndex(llms.pattern_keys_).lookup(packed)
    key_region = PatternIndex(llms.pattern_keys_).lookup(uniq.keys)
    n_shared = int((key_region >= 0).sum())
    out = PatternOverlap(
        n_train_patterns=llms.n_regions,
        n_test_patterns=int(uniq.counts.size),
        n_shared=n_shared,
        n_test_only=int(uniq.counts.size - n_shared),
        n_train_only=int(llms.n_regions - n_shared),
        unseen_row_share=float((region < 0).mean()),
        test_region=region,
    )
    if y_test is not None:
        from .validation import check_target

        y = check_target(y_test, X.shape[0], name="y_test")
        out.metric, out.metric_seen = _network_metric(llms, eta, y, region >= 0)
        _, out.metric_unseen = _network_metric(llms, eta, y, region < 0)
    return out


# ----------------------------------------------------------- region map
@dataclass
class RegionMap2D:
    """Activation regions over a grid of a two-feature input box (Figure 2, Figure 5 middle).

    Attributes
    ----------
    x_grid, y_grid : (nx,), (ny,)
        Grid coordinates of the first and second feature.
    region_id : int (ny, nx)
        Training region of each grid point (as :meth:`LocalLinearModels.region_of`),
        -1 where its pattern was never seen in the unwrapped data.
    unseen_id : int (ny, nx)
        For unseen points, a number ``0, 1, ...`` per distinct unseen pattern
        (ordered by decreasing grid area); -1 on seen points.
    n_unseen_patterns : int
    boundary : bool (ny, nx)
        The point's pattern differs from its right or upper neighbour's.
    decision : (ny, nx, n_outputs)
        Network pre-link output on the grid.
    bounds : ((x_min, x_max), (y_min, y_max))
    feature_names : tuple of two str
    n_regions : int
        Number of training regions ``|P_train|``.
    """

    x_grid: np.ndarray
    y_grid: np.ndarray
    region_id: np.ndarray
    unseen_id: np.ndarray
    n_unseen_patterns: int
    boundary: np.ndarray
    decision: np.ndarray
    bounds: tuple
    feature_names: tuple
    n_regions: int

    @property
    def unseen_share(self) -> float:
        """Share of the grid (area of the box) in regions without training data."""
        return float((self.region_id < 0).mean())

    @property
    def n_regions_on_grid(self) -> int:
        """Training regions that the grid hits."""
        return int(np.unique(self.region_id[self.region_id >= 0]).size)


def _box(X: np.ndarray, bounds, padding: float) -> tuple:
    if bounds is not None:
        b = np.asarray(bounds, dtype=np.float64)
        if b.shape != (2, 2) or not np.isfinite(b).all() or not (b[:, 0] < b[:, 1]).all():
            raise InvalidInputError(
                f"bounds must be ((x_min, x_max), (y_min, y_max)) with min < max, got {bounds!r}."
            )
        return tuple(tuple(map(float, r)) for r in b)
    if not padding >= 0:
        raise InvalidInputError(f"padding must be a non-negative fraction of the data range, got {padding!r}.")
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = hi - lo
    pad = np.where(span > 0, padding * span, 0.5)
    return tuple((float(a), float(b)) for a, b in zip(lo - pad, hi + pad))


def region_map_2d(llms: LocalLinearModels, *, resolution: int = 300, bounds=None, padding: float = 0.1) -> RegionMap2D:
    """Activation region of every point of a grid over a two-feature input box.

    The grid's patterns come from one forward pass of the network; they are
    matched with the training patterns (``P_train``), and the patterns never
    seen in training are numbered separately (``unseen_id``).  This is the
    computation behind Figure 2 and Figure 5 (middle) of ``001``.

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    resolution : int, default 300
        Grid points per axis.
    bounds : ((x_min, x_max), (y_min, y_max)), optional
        Default: the data box of ``llms.X_`` widened by ``padding``.
    padding : float, default 0.1
        Fraction of each feature's range added on both sides.

    Returns
    -------
    RegionMap2D
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "region_map_2d")
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise InvalidInputError(f"resolution must be an integer >= 2, got {resolution!r}.")
    box = _box(llms.X_, bounds, padding)
    xs = np.linspace(*box[0], int(resolution))
    ys = np.linspace(*box[1], int(resolution))
    XX, YY = np.meshgrid(xs, ys)
    pts = np.column_stack([XX.ravel(), YY.ravel()])
    packed, eta = compute_patterns(llms.network, pts)
    region = PatternIndex(llms.pattern_keys_).lookup(packed)
    unseen = np.full(region.shape, -1, np.int64)
    miss = region < 0
    n_unseen = 0
    if miss.any():
        u = unique_patterns(packed[miss])
        unseen[miss] = u.inverse
        n_unseen = int(u.counts.size)
    shape = XX.shape
    code = np.where(miss, llms.n_regions + unseen, region).reshape(shape)
    boundary = np.zeros(shape, bool)
    boundary[:, :-1] |= code[:, :-1] != code[:, 1:]
    boundary[:-1, :] |= code[:-1, :] != code[1:, :]
    return RegionMap2D(
        x_grid=xs,
        y_grid=ys,
        region_id=region.reshape(shape),
        unseen_id=unseen.reshape(shape),
        n_unseen_patterns=n_unseen,
        boundary=boundary,
        decision=eta.reshape(*shape, -1),
        bounds=box,
        feature_names=tuple(llms.feature_names_),
        n_regions=llms.n_regions,
    )
