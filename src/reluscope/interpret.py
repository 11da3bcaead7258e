"""LLM-based interpretation of a ReLU network (section 3 of the unwrapping paper, ``001``).

Every function takes the result of :func:`reluscope.unwrap` and returns plain
data (a :class:`pandas.DataFrame` or a dataclass of NumPy arrays); drawing
lives in :mod:`reluscope.plot`.  All values are on the pre-link scale ``eta``
(the logit for classifiers), where the LLMs are exact.

- :func:`joint_importance`: eq. 18; :func:`squared_coefficient_importance`:
  the unweighted variant of the toolbox slides (``004``, ``interpret_fi``).
- :func:`local_profile`: the local linear profile, Definition 2 / eq. 17
  (Figures 4-7).
- :func:`parallel_coordinates`: LLM coefficients of many regions (Figures 8-9).
- :func:`explain_instance`: one prediction as ``intercept + sum_j w_j x_j``,
  optionally centred on the population mean (``004``, local interpretation).
- :func:`llm_field_2d`: each region's LLM line / gradient at its centre
  (Figure 5 left).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde

from .diagnose import check_llms, output_name, region_flags, require_n_features, resolve_output
from .errors import FeatureMismatchError, InvalidInputError
from .unwrap import LocalLinearModels

__all__ = [
    "joint_importance",
    "squared_coefficient_importance",
    "LocalProfile",
    "local_profile",
    "ParallelCoordinates",
    "parallel_coordinates",
    "LocalExplanation",
    "explain_instance",
    "LLMField2D",
    "llm_field_2d",
]


def _feature_index(llms: LocalLinearModels, feature) -> int:
    names = list(llms.feature_names_)
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, (bool, np.bool_)):
        if not 0 <= int(feature) < len(names):
            raise FeatureMismatchError(f"Feature index {feature} is out of range: the network has {len(names)} features.")
        return int(feature)
    if str(feature) not in names:
        raise FeatureMismatchError(
            f"Unknown feature {feature!r}; the network's features are {names[:10]}{'...' if len(names) > 10 else ''}."
        )
    return names.index(str(feature))


def _importance_frame(names, values, total, method: str, output: int, llms) -> pd.DataFrame:
    imp = values / total if total > 0 else np.zeros_like(values)
    df = pd.DataFrame({"Feature": list(names), "Importance": imp})
    df = df.sort_values("Importance", ascending=False, kind="stable").reset_index(drop=True)
    df.attrs.update(method=method, output=output, output_name=output_name(llms, output))
    return df


# ------------------------------------------------------------ importance
def joint_importance(llms: LocalLinearModels, *, output: int = 0) -> pd.DataFrame:
    """Joint importance of the intercept and each feature (eq. 18 of ``001``).

    ``JI(x_j) = sum_P |R^P| (w~_j^P)^2 / T`` and
    ``JI(b_0) = sum_P |R^P| (b~^P)^2 / T``, with ``T`` the sum of all the
    numerators: count-weighted squared LLM coefficients, normalised to sum
    to one.

    Parameters
    ----------
    llms : LocalLinearModels
    output : int, default 0
        Output (logit) whose LLMs are used.

    Returns
    -------
    pandas.DataFrame with columns 'Feature' and 'Importance', an 'Intercept'
    row included, sorted by decreasing importance (ties keep the order
    intercept, then features).  All zeros if every LLM is identically zero.
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    w = llms.count_.astype(np.float64)
    coef = llms.coef_3d[:, output, :]
    values = np.concatenate([[w @ llms.intercept_2d[:, output] ** 2], w @ coef**2])
    return _importance_frame(["Intercept", *llms.feature_names_], values, values.sum(), "joint importance (eq. 18)", output, llms)


def squared_coefficient_importance(
    llms: LocalLinearModels, *, output: int = 0, include_intercept: bool = False, exclude_degenerate: bool = False
) -> pd.DataFrame:
    """Squared sum of LLM coefficients, normalised (the toolbox slides, ``004``, ``interpret_fi``).

    ``FI(x_j) = sum_P (w~_j^P)^2 / sum_k sum_P (w~_k^P)^2``: every region
    counts once, whatever its size (unlike :func:`joint_importance`, eq. 18,
    with which it coincides when all regions have equal counts).

    Parameters
    ----------
    llms : LocalLinearModels
    output : int, default 0
    include_intercept : bool, default False
        Add an 'Intercept' row (``sum_P (b~^P)^2``) to the sum.
    exclude_degenerate : bool, default False
        Leave out single-instance / single-class regions
        (:func:`reluscope.diagnose.region_flags`).

    Returns
    -------
    pandas.DataFrame with columns 'Feature', 'Importance' (sum to one), sorted
    by decreasing importance.
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    keep = np.ones(llms.n_regions, bool)
    if exclude_degenerate:
        keep = ~region_flags(llms)["degenerate"].to_numpy()
    values = (llms.coef_3d[keep, output, :] ** 2).sum(axis=0)
    names = list(llms.feature_names_)
    if include_intercept:
        values = np.concatenate([[(llms.intercept_2d[keep, output] ** 2).sum()], values])
        names = ["Intercept", *names]
    return _importance_frame(names, values, values.sum(), "squared coefficient importance", output, llms)


# ------------------------------------------------------------- profile
@dataclass
class LocalProfile:
    """Local linear profile of one feature (Definition 2, eq. 17 of ``001``).

    Segment ``i`` is the centred marginal LLM of region ``regions[i]``,
    ``eta_i(x) = w_i (x - center_i)``, drawn over the region's feature range
    ``[x_min_i, x_max_i]`` (min and max of its rows), from ``(x_min, y_start)``
    to ``(x_max, y_end)``.

    Attributes
    ----------
    feature : str
    feature_index : int
    output : int
    output_name : str
    regions, counts : (m,)
        The ``m`` largest regions, by decreasing count.
    slope, center, x_min, x_max, y_start, y_end : (m,)
    grid : (G,)
        Feature values over the whole data range.
    density : (m, G)
        Per-region Gaussian KDE of the feature on ``grid``, each row scaled
        to a maximum of 1 (so region sizes are not shown, as in Figure 4).
    point_mass : bool (m,)
        Regions whose feature values are all equal (one row or no spread):
        no KDE exists; their density row is 1 at the grid point nearest the
        value and 0 elsewhere.
    curve_x, curve_decision, curve_llm, curve_region : (C,) or None
        For one-feature networks (Figure 4 left): the network output on a
        grid, the LLM of the shown regions there (NaN outside them) and the
        region of each grid point (-1 unseen).
    """

    feature: str
    feature_index: int
    output: int
    output_name: str
    regions: np.ndarray
    counts: np.ndarray
    slope: np.ndarray
    center: np.ndarray
    x_min: np.ndarray
    x_max: np.ndarray
    y_start: np.ndarray
    y_end: np.ndarray
    grid: np.ndarray
    density: np.ndarray
    point_mass: np.ndarray
    curve_x: np.ndarray | None = None
    curve_decision: np.ndarray | None = None
    curve_llm: np.ndarray | None = None
    curve_region: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per segment."""
        return pd.DataFrame(
            {
                "Count": self.counts,
                "Slope": self.slope,
                "Center": self.center,
                "x_min": self.x_min,
                "x_max": self.x_max,
                "y_start": self.y_start,
                "y_end": self.y_end,
            },
            index=pd.Index(self.regions, name="Region"),
        )


def _region_kde(values: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, bool]:
    if values.size < 2 or values.min() == values.max():
        dens = np.zeros(grid.size)
        dens[np.argmin(np.abs(grid - values[0]))] = 1.0
        return dens, True
    dens = gaussian_kde(values)(grid)
    return dens / dens.max(), False


def _select_regions(llms: LocalLinearModels, top_k, exclude_degenerate: bool) -> np.ndarray:
    if top_k is not None and (not isinstance(top_k, (int, np.integer)) or top_k < 1):
        raise InvalidInputError(f"top_k must be a positive integer or None, got {top_k!r}.")
    ids = np.arange(llms.n_regions)
    if exclude_degenerate:
        ids = ids[~region_flags(llms)["degenerate"].to_numpy()]
    return ids if top_k is None else ids[: int(top_k)]


def local_profile(
    llms: LocalLinearModels,
    feature,
    *,
    top_k: int = 30,
    output: int = 0,
    exclude_degenerate: bool = False,
    grid_resolution: int = 200,
) -> LocalProfile:
    """Local linear profile of a feature (Definition 2, eq. 17 of ``001``).

    For the ``top_k`` largest regions, the centred marginal LLM
    ``w~_j^P x - mean_{x_i in R^P} w~_j^P x_ij`` over the region's range of
    ``x_j``, with a per-region kernel density of ``x_j``
    (:class:`scipy.stats.gaussian_kde`, Scott's rule).

    Parameters
    ----------
    llms : LocalLinearModels
    feature : str or int
        Feature name (or index).
    top_k : int, default 30
        Largest regions shown (the paper uses 30 for ChirpWave, 10 for
        BostonHouse and FicoHeloc).
    output : int, default 0
    exclude_degenerate : bool, default False
        Skip single-instance / single-class regions before taking the top k.
    grid_resolution : int, default 200
        Points of the density grid and (d = 1) of the curve.

    Returns
    -------
    LocalProfile

    Raises
    ------
    FeatureMismatchError
        Unknown feature.
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    j = _feature_index(llms, feature)
    ids = _select_regions(llms, top_k, exclude_degenerate)
    col = llms.X_[:, j]
    pos = np.full(llms.n_regions, -1)
    pos[ids] = np.arange(ids.size)
    rows = pos[llms.labels_]
    sel = rows >= 0
    m = ids.size
    x_min = np.full(m, np.inf)
    x_max = np.full(m, -np.inf)
    np.minimum.at(x_min, rows[sel], col[sel])
    np.maximum.at(x_max, rows[sel], col[sel])
    slope = llms.coef_3d[ids, output, j]
    center = llms.centers_[ids, j]
    grid = np.linspace(col.min(), col.max(), int(grid_resolution))
    order = np.argsort(rows[sel], kind="stable")
    groups = np.split(col[sel][order], np.cumsum(np.bincount(rows[sel], minlength=m))[:-1]) if m else []
    kdes = [_region_kde(v, grid) for v in groups]
    prof = LocalProfile(
        feature=llms.feature_names_[j],
        feature_index=j,
        output=output,
        output_name=output_name(llms, output),
        regions=ids,
        counts=llms.count_[ids].copy(),
        slope=slope,
        center=center,
        x_min=x_min,
        x_max=x_max,
        y_start=slope * (x_min - center),
        y_end=slope * (x_max - center),
        grid=grid,
        density=np.array([k[0] for k in kdes]).reshape(m, grid.size),
        point_mass=np.array([k[1] for k in kdes], dtype=bool),
    )
    if llms.n_features == 1:
        cx = grid[:, None]
        reg = llms.region_of(cx)
        llm = llms.llm_decision(cx, reg).reshape(grid.size, -1)[:, output]
        llm[~np.isin(reg, ids)] = np.nan
        prof.curve_x = grid
        prof.curve_decision = llms.network.decision_function(cx).reshape(grid.size, -1)[:, output]
        prof.curve_llm = llm
        prof.curve_region = reg
    return prof


# ------------------------------------------------- parallel coordinates
@dataclass
class ParallelCoordinates:
    """LLM coefficients of many regions, one line per region (Figures 8-9 of ``001``).

    Attributes
    ----------
    coefficients : pandas.DataFrame (m, p)
        Indexed by region id, columns the shown features ordered by joint
        importance (``'Intercept'`` first when included).
    counts : (m,)
    features : list of str
    importance : (p,)
        Joint importance (eq. 18, all regions) of the shown columns.
    excluded_regions : (e,)
        Regions left out as single-instance / single-class.
    n_regions_total : int
    output, output_name
    """

    coefficients: pd.DataFrame
    counts: np.ndarray
    features: list
    importance: np.ndarray
    excluded_regions: np.ndarray
    n_regions_total: int
    output: int
    output_name: str

    @property
    def regions(self) -> np.ndarray:
        return self.coefficients.index.to_numpy()


def parallel_coordinates(
    llms: LocalLinearModels,
    *,
    top_features: int = 10,
    include_intercept: bool = False,
    exclude_degenerate: bool = True,
    output: int = 0,
    max_regions: int | None = None,
) -> ParallelCoordinates:
    """Coefficients of the LLMs for a parallel coordinate plot (Figures 8-9 of ``001``).

    Parameters
    ----------
    llms : LocalLinearModels
    top_features : int, default 10
        Features shown, the most important by :func:`joint_importance`, in that
        order (the slides' "top 10 important features").
    include_intercept : bool, default False
        Add the intercepts as a first axis.
    exclude_degenerate : bool, default True
        Leave out single-instance / single-class regions, as the paper does.
    output : int, default 0
    max_regions : int, optional
        Keep only the largest regions (after exclusion).

    Returns
    -------
    ParallelCoordinates
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    if not isinstance(top_features, (int, np.integer)) or top_features < 1:
        raise InvalidInputError(f"top_features must be a positive integer, got {top_features!r}.")
    ji = joint_importance(llms, output=output)
    feats = ji[ji["Feature"] != "Intercept"].iloc[: int(top_features)]
    names = list(feats["Feature"])
    importance = feats["Importance"].to_numpy()
    ids = _select_regions(llms, max_regions, exclude_degenerate)
    all_kept = _select_regions(llms, None, exclude_degenerate)
    excluded = np.setdiff1d(np.arange(llms.n_regions), all_kept)
    idx = [llms.feature_names_.index(f) for f in names]
    table = pd.DataFrame(llms.coef_3d[np.ix_(ids, [output], idx)][:, 0, :], columns=names, index=pd.Index(ids, name="Region"))
    if include_intercept:
        table.insert(0, "Intercept", llms.intercept_2d[ids, output])
        importance = np.concatenate([ji.loc[ji["Feature"] == "Intercept", "Importance"].to_numpy(), importance])
    return ParallelCoordinates(
        coefficients=table,
        counts=llms.count_[ids].copy(),
        features=list(table.columns),
        importance=importance,
        excluded_regions=excluded,
        n_regions_total=llms.n_regions,
        output=output,
        output_name=output_name(llms, output),
    )


# ------------------------------------------------------ one instance
@dataclass
class LocalExplanation:
    """One prediction written as its exact local linear model.

    ``decision = intercept + sum(contributions)`` with
    ``contributions = coef * x`` (``centered=False``), or
    ``decision = baseline + sum(contributions)`` with
    ``contributions = coef * (x - reference)`` and
    ``baseline = coef . reference + intercept`` (``centered=True``); equal up
    to float round-off, as ``coef``, ``intercept`` are exact (Theorem 1).

    Attributes
    ----------
    region : int
        Training region of ``x``; -1 when its pattern was never seen (the LLM
        then comes from the network's own affine map of that pattern).
    count : int
        Training rows in that region (0 when unseen).
    feature_names : tuple of str
    x, coef, contributions : (d,)
    intercept, baseline : float
    centered : bool
    reference : (d,) or None
        The population mean used for centring.
    decision : float
        Network pre-link output of ``output`` at ``x`` (forward pass).
    prediction : float
        Network output after the link (probability for classifiers).
    output, output_name, task
    """

    region: int
    count: int
    feature_names: tuple
    x: np.ndarray
    coef: np.ndarray
    intercept: float
    contributions: np.ndarray
    baseline: float
    centered: bool
    reference: np.ndarray | None
    decision: float
    prediction: float
    output: int
    output_name: str
    task: str

    @property
    def seen(self) -> bool:
        return self.region >= 0

    def to_frame(self) -> pd.DataFrame:
        """Feature, value, coefficient and contribution, by decreasing absolute contribution."""
        df = pd.DataFrame(
            {"Feature": list(self.feature_names), "Value": self.x, "Coefficient": self.coef, "Contribution": self.contributions}
        )
        if self.centered:
            df.insert(2, "Reference", self.reference)
        return df.iloc[np.argsort(-np.abs(self.contributions), kind="stable")].reset_index(drop=True)


def _one_row(llms: LocalLinearModels, x) -> np.ndarray:
    if isinstance(x, pd.Series):
        x = pd.DataFrame([x.to_numpy()], columns=[str(c) for c in x.index]).infer_objects()
    elif not isinstance(x, pd.DataFrame):
        arr = np.asarray(x)
        x = arr.reshape(1, -1) if arr.ndim == 1 else arr
    names = llms.feature_names_
    if isinstance(x, pd.DataFrame) and llms.network.feature_names is None and set(map(str, x.columns)) == set(names):
        x = x[[c for n in names for c in x.columns if str(c) == n]]  # unwrapped from a DataFrame: order by name
    X = llms.network.check_X(x)
    if X.shape[0] != 1:
        raise InvalidInputError(f"explain_instance explains one row; got {X.shape[0]}. Pass X.iloc[i] or X[i].")
    return X


def explain_instance(llms: LocalLinearModels, x, *, centered: bool = False, output: int = 0, reference=None) -> LocalExplanation:
    """Exact local explanation of one prediction (``004``, local interpretation).

    Parameters
    ----------
    llms : LocalLinearModels
    x : 1-D array, pandas Series (a row of a DataFrame) or one-row DataFrame
    centered : bool, default False
        False: contributions ``w_j x_j`` and the intercept.  True: compare to
        the population, contributions ``w_j (x_j - mean_j)`` and baseline
        ``w . mean + b`` (the LLM at the mean).
    output : int, default 0
    reference : array-like (d,), optional
        Centring point for ``centered=True``; default the mean of ``llms.X_``.

    Returns
    -------
    LocalExplanation
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    X = _one_row(llms, x)
    net = llms.network
    region = int(llms.region_of(X)[0])
    if region >= 0:
        coef, intercept = llms.coef_3d[region, output], float(llms.intercept_2d[region, output])
    else:
        c, b = net.affine_map(net.patterns(X)[0])
        coef, intercept = c[output], float(b[output])
    xv = X[0]
    ref = None
    if centered:
        ref = llms.X_.mean(axis=0) if reference is None else np.asarray(reference, np.float64).reshape(-1)
        if ref.shape != xv.shape or not np.isfinite(ref).all():
            raise InvalidInputError(f"reference must be {xv.size} finite numbers, one per feature.")
        contributions, baseline = coef * (xv - ref), float(coef @ ref + intercept)
    else:
        contributions, baseline = coef * xv, intercept
    eta = net.decision_function(X).reshape(1, -1)
    return LocalExplanation(
        region=region,
        count=int(llms.count_[region]) if region >= 0 else 0,
        feature_names=tuple(llms.feature_names_),
        x=xv.copy(),
        coef=np.array(coef),
        intercept=intercept,
        contributions=contributions,
        baseline=baseline,
        centered=bool(centered),
        reference=ref,
        decision=float(eta[0, output]),
        prediction=float(np.atleast_2d(net.link(eta))[0, output]),
        output=output,
        output_name=output_name(llms, output),
        task=net.task,
    )


# ------------------------------------------------------- 2-D LLM field
@dataclass
class LLMField2D:
    """Each region's LLM drawn at its centre in the input plane (Figure 5 left of ``001``).

    Segment ``i`` lies on the line ``{x : w_i . x + b_i = level_i}``, centred
    at the point of the line nearest the region centre (eq. 19), with length
    ``segment_length``; regions with ``w_i = 0`` have no line (NaN).

    Attributes
    ----------
    regions, counts : (R,)
    centers : (R, 2)
    gradient : (R, 2)
        ``w~^P`` of the chosen output (the direction of steepest increase).
    intercept, level : (R,)
    line_start, line_end : (R, 2)
    segment_length : float
    bounds : ((x_min, x_max), (y_min, y_max)), the data box
    feature_names : tuple of two str
    X, y : the unwrapped data (for an overlay), y may be None
    output, output_name, task
    """

    regions: np.ndarray
    counts: np.ndarray
    centers: np.ndarray
    gradient: np.ndarray
    intercept: np.ndarray
    level: np.ndarray
    line_start: np.ndarray
    line_end: np.ndarray
    segment_length: float
    bounds: tuple
    feature_names: tuple
    X: np.ndarray
    y: np.ndarray | None
    output: int
    output_name: str
    task: str


def llm_field_2d(
    llms: LocalLinearModels,
    *,
    output: int = 0,
    level: float | None = None,
    segment_length: float | None = None,
    top_k: int | None = None,
    exclude_degenerate: bool = False,
) -> LLMField2D:
    """Decision lines and gradients of the LLMs of a two-feature network (Figure 5 left).

    Parameters
    ----------
    llms : LocalLinearModels
        Of a network with two input features.
    output : int, default 0
    level : float, optional
        Level of the drawn line.  Default: 0 for binary classifiers (the LLM's
        decision boundary, probability 0.5); otherwise each LLM's value at its
        own centre (the contour through the centre).
    segment_length : float, optional
        Default: 5% of the diagonal of the data box.
    top_k : int, optional
        Largest regions only (default all).
    exclude_degenerate : bool, default False

    Returns
    -------
    LLMField2D
    """
    llms = check_llms(llms)
    require_n_features(llms, 2, "llm_field_2d")
    output = resolve_output(llms, output)
    ids = _select_regions(llms, top_k, exclude_degenerate)
    c = llms.centers_[ids]
    w = llms.coef_3d[ids, output, :]
    b = llms.intercept_2d[ids, output]
    if level is None:
        lev = np.zeros(ids.size) if llms.network.task == "binary" else np.einsum("rd,rd->r", w, c) + b
    else:
        lev = np.full(ids.size, float(level))
    lo, hi = llms.X_.min(axis=0), llms.X_.max(axis=0)
    length = float(0.05 * np.hypot(*(hi - lo))) if segment_length is None else float(segment_length)
    if not length > 0:
        length = 0.1
    n2 = np.einsum("rd,rd->r", w, w)
    ok = n2 > 0
    foot = np.full_like(c, np.nan)
    foot[ok] = c[ok] - ((np.einsum("rd,rd->r", w, c) + b - lev)[ok] / n2[ok])[:, None] * w[ok]
    tangent = np.full_like(c, np.nan)
    tangent[ok] = np.column_stack([-w[ok, 1], w[ok, 0]]) / np.sqrt(n2[ok])[:, None]
    return LLMField2D(
        regions=ids,
        counts=llms.count_[ids].copy(),
        centers=c,
        gradient=w,
        intercept=b,
        level=lev,
        line_start=foot - 0.5 * length * tangent,
        line_end=foot + 0.5 * length * tangent,
        segment_length=length,
        bounds=tuple((float(a), float(z)) for a, z in zip(lo, hi)),
        feature_names=tuple(llms.feature_names_),
        X=llms.X_,
        y=llms.y_,
        output=output,
        output_name=output_name(llms, output),
        task=llms.network.task,
    )
