"""Views of the LLM coefficients across regions (section 3 of ``001``; aletheia-dnn and PiML plots).

- :func:`coefficient_violin`: the distribution of each feature's LLM
  coefficient over the regions, count-weighted by default (PiML ``llm_violin``).
- :func:`coefficient_pairs`: each chosen feature's coefficient against each
  chosen feature's region centre (aletheia ``pair_plot``, PiML ``llm_pair``).
- :func:`intercept_profile`: the LLM intercepts against region centres, the
  "local intercept profile" of Definition 2 (aletheia ``intercept_plot``).
- :func:`region_pca`: region centres in their first two principal
  components, with each LLM's gradient projected on them (aletheia ``pca2D_region_plot``).

All values are on the pre-link scale ``eta`` where the LLMs are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde

from .._checks import check_llms, output_name, resolve_output
from ..diagnose import region_flags
from ..errors import InvalidInputError
from ..unwrap import LocalLinearModels
from ._features import feature_indices, lowess_curve
from ._select import select_regions
from .importance import joint_importance

__all__ = [
    "CoefficientViolin",
    "coefficient_violin",
    "CoefficientPairs",
    "coefficient_pairs",
    "intercept_profile",
    "RegionPCA",
    "region_pca",
]


def _terms(llms: LocalLinearModels, features, top_features: int, include_intercept: bool, output: int) -> list[str]:
    if features is None:
        if not isinstance(top_features, (int, np.integer)) or top_features < 1:
            raise InvalidInputError(f"top_features must be a positive integer, got {top_features!r}.")
        ji = joint_importance(llms, output=output)
        names = list(ji.loc[ji["Feature"] != "Intercept", "Feature"].iloc[: int(top_features)])
    else:
        names = [llms.feature_names_[j] for j in feature_indices(llms.feature_names_, features)]
    return (["Intercept"] if include_intercept else []) + names


def _term_values(llms: LocalLinearModels, ids: np.ndarray, terms: list[str], output: int) -> np.ndarray:
    cols = []
    for t in terms:
        if t == "Intercept":
            cols.append(llms.intercept_2d[ids, output])
        else:
            cols.append(llms.coef_3d[ids, output, llms.feature_names_.index(t)])
    return np.column_stack(cols) if cols else np.zeros((ids.size, 0))


# ------------------------------------------------------------------ violin
@dataclass
class CoefficientViolin:
    """Distribution of LLM coefficients per feature (PiML ``llm_violin``).

    Attributes
    ----------
    features : list of str
        Terms shown, ``'Intercept'`` first when included.
    regions, counts : (m,)
        Regions used (by decreasing count) and their training rows.
    values : (m, p)
        Coefficient of each term in each region.
    weighted : bool
        True: each region counts with its training rows (the distribution of
        the coefficient over the training rows); False: each region once.
    grid, density : (p, G)
        Gaussian kernel density (Scott's rule; weighted by the counts when
        ``weighted``) of each term's coefficients, a probability density.
    point_mass : bool (p,)
        Terms whose coefficient is the same in every region: no density, the
        value is ``values[0, i]``.
    quartiles : (p, 3)
        25%, 50%, 75% quantiles (NumPy's linear rule) of the region values,
        each repeated ``count`` times when weighted.
    mean : (p,)
    output, output_name

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import coefficient_violin
    >>> violin = coefficient_violin(llms)
    >>> violin.features, violin.values.shape, violin.density.shape
    (['debt', 'income', 'age'], (21, 3), (3, 100))
    """

    features: list
    regions: np.ndarray
    counts: np.ndarray
    values: np.ndarray
    weighted: bool
    grid: np.ndarray
    density: np.ndarray
    point_mass: np.ndarray
    quartiles: np.ndarray
    mean: np.ndarray
    output: int
    output_name: str

    def to_frame(self) -> pd.DataFrame:
        """Mean and quartiles per term."""
        q = self.quartiles
        return pd.DataFrame(
            {"Mean": self.mean, "Q1": q[:, 0], "Median": q[:, 1], "Q3": q[:, 2]},
            index=pd.Index(self.features, name="Term"),
        )


def _density(v: np.ndarray, w: np.ndarray | None, resolution: int) -> tuple[np.ndarray, np.ndarray, bool]:
    lo, hi = float(v.min()), float(v.max())
    if np.unique(v).size < 2:
        return np.linspace(lo - 0.5, hi + 0.5, resolution), np.zeros(resolution), True
    span = hi - lo
    grid = np.linspace(lo - 0.1 * span, hi + 0.1 * span, resolution)
    try:
        return grid, gaussian_kde(v, weights=w)(grid), False
    except np.linalg.LinAlgError:  # weights concentrated on one value
        return grid, np.zeros(resolution), True


def coefficient_violin(
    llms: LocalLinearModels,
    *,
    features=None,
    top_features: int = 10,
    weighted: bool = True,
    include_intercept: bool = False,
    exclude_degenerate: bool = False,
    output: int = 0,
    grid_resolution: int = 100,
) -> CoefficientViolin:
    """LLM coefficients per feature as distributions over the regions (PiML ``llm_violin``).

    Parameters
    ----------
    llms : LocalLinearModels
    features : list of str or int, optional
        Features shown; default the ``top_features`` most important by joint
        importance (eq. 18 of ``001``).
    top_features : int, default 10
    weighted : bool, default True
        Weight each region by its training rows, as PiML does ("weighted by the
        sample size of each LLM"); False counts every region once.
    include_intercept : bool, default False
    exclude_degenerate : bool, default False
        Leave out single-instance / single-class regions.
    output : int, default 0
    grid_resolution : int, default 100

    Returns
    -------
    CoefficientViolin

    Examples
    --------
    Weighted by the regions' counts, the mean coefficient is the mean over the
    training rows of each row's own coefficient:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import coefficient_violin
    >>> violin = coefficient_violin(llms)
    >>> violin.to_frame().round(3)
              Mean     Q1  Median     Q3
    Term
    debt     0.786  0.529   0.731  1.038
    income  -0.647 -0.897  -0.659 -0.176
    age      0.161 -0.279  -0.096  0.161
    >>> bool(np.allclose(violin.mean, llms.coef_[llms.labels_][:, [2, 1, 0]].mean(axis=0)))
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    terms = _terms(llms, features, top_features, include_intercept, output)
    ids = select_regions(llms, None, exclude_degenerate)
    if ids.size == 0:
        raise InvalidInputError("No region left after excluding single-instance / single-class regions.")
    values = _term_values(llms, ids, terms, output)
    counts = llms.count_[ids].astype(np.float64)
    w = counts if weighted else None
    dens = [_density(values[:, i], w, int(grid_resolution)) for i in range(len(terms))]
    rep = np.repeat(values, llms.count_[ids], axis=0) if weighted else values
    return CoefficientViolin(
        features=terms,
        regions=ids,
        counts=llms.count_[ids].copy(),
        values=values,
        weighted=bool(weighted),
        grid=np.array([d[0] for d in dens]),
        density=np.array([d[1] for d in dens]),
        point_mass=np.array([d[2] for d in dens], dtype=bool),
        quartiles=np.quantile(rep, [0.25, 0.5, 0.75], axis=0).T,
        mean=np.average(values, axis=0, weights=w),
        output=output,
        output_name=output_name(llms, output),
    )


# ---------------------------------------------------------- pairs, intercepts
@dataclass
class CoefficientPairs:
    """LLM terms against region centres, one panel per (term, feature) (aletheia ``pair_plot`` / ``intercept_plot``).

    Panel ``(i, j)`` shows ``values[:, i]`` (the coefficient of ``terms[i]``, or
    the intercept) against ``centers[:, j]`` (the region centre's value of
    ``features[j]``, eq. 19), one point per region.

    Attributes
    ----------
    terms : list of str
        Rows of the panel grid: features (their coefficients) or ``['Intercept']``.
    features : list of str
        Columns of the panel grid.
    regions, counts : (m,)
        The ``top_k`` largest regions.
    centers : (m, p)
    values : (m, q)
    smooth : dict
        ``(i, j) -> (x, y)``: LOWESS of the panel over the training rows of the
        shown regions, each row at its region's centre and value (so a region
        weighs by its count; aletheia's smoother), at the distinct centres.
    frac : float
        LOWESS span.
    output, output_name

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import coefficient_pairs
    >>> pairs = coefficient_pairs(llms, ["age", "income"], top_k=5)
    >>> pairs.terms, pairs.values.shape, pairs.centers.shape, sorted(pairs.smooth)
    (['age', 'income'], (5, 2), (5, 2), [(0, 0), (1, 1)])
    """

    terms: list
    features: list
    regions: np.ndarray
    counts: np.ndarray
    centers: np.ndarray
    values: np.ndarray
    frac: float
    output: int
    output_name: str
    smooth: dict = field(default_factory=dict)


def _pairs(llms, terms, features, top_k, frac, output, panels) -> CoefficientPairs:
    ids = select_regions(llms, top_k, False)
    fidx = [llms.feature_names_.index(f) for f in features]
    centers = llms.centers_[np.ix_(ids, fidx)]
    values = _term_values(llms, ids, terms, output)
    counts = llms.count_[ids]
    res = CoefficientPairs(
        terms=list(terms), features=list(features), regions=ids, counts=counts.copy(), centers=centers,
        values=values, frac=float(frac), output=output, output_name=output_name(llms, output),
    )
    for i, j in panels:
        res.smooth[(i, j)] = lowess_curve(np.repeat(centers[:, j], counts), np.repeat(values[:, i], counts), frac)
    return res


def coefficient_pairs(
    llms: LocalLinearModels, features, *, top_k: int | None = 100, frac: float = 2 / 3, smooth_off_diagonal: bool = False, output: int = 0
) -> CoefficientPairs:
    """Coefficients of the chosen features against their region centres (aletheia ``pair_plot``, PiML ``llm_pair``).

    Panel ``(i, j)``: the coefficient ``w~_i^P`` of each of the ``top_k``
    largest regions against its centre ``mu_j^P``.  Diagonal panels show how a
    feature's slope changes along the feature (its non-linearity), off-diagonal
    ones how it changes along another feature (interaction).

    Parameters
    ----------
    llms : LocalLinearModels
    features : list of str or int
    top_k : int or None, default 100
        Largest regions shown (aletheia's ``nllms``); None: all.
    frac : float, default 2/3
        LOWESS span (statsmodels ``frac``).
    smooth_off_diagonal : bool, default False
        Smooth the off-diagonal panels too (aletheia's ``offdiagsmooth``).
    output : int, default 0

    Returns
    -------
    CoefficientPairs

    Examples
    --------
    Panel ``(0, 1)`` is the ``age`` slope of the five largest regions against
    their ``income`` centre:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import coefficient_pairs
    >>> pairs = coefficient_pairs(llms, ["age", "income"], top_k=5)
    >>> bool(np.allclose(pairs.values[:, 0], llms.coef_[:5, 0])), bool(np.allclose(pairs.centers[:, 1], llms.centers_[:5, 1]))
    (True, True)
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    names = [llms.feature_names_[j] for j in feature_indices(llms.feature_names_, features)]
    p = len(names)
    panels = [(i, j) for i in range(p) for j in range(p) if i == j or smooth_off_diagonal]
    return _pairs(llms, names, names, top_k, frac, output, panels)


def intercept_profile(
    llms: LocalLinearModels, features, *, top_k: int | None = 100, frac: float = 2 / 3, output: int = 0
) -> CoefficientPairs:
    """LLM intercepts against region centres: the local intercept profile (Definition 2 of ``001``; aletheia ``intercept_plot``).

    One panel per feature: the intercept ``b~^P`` of each of the ``top_k``
    largest regions against its centre ``mu_j^P``, with a LOWESS curve.

    Returns
    -------
    CoefficientPairs with ``terms == ['Intercept']``.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import intercept_profile
    >>> profile = intercept_profile(llms, ["age", "debt"])
    >>> profile.terms, profile.features, profile.values.shape
    (['Intercept'], ['age', 'debt'], (21, 1))
    >>> bool(np.allclose(profile.values[:, 0], llms.intercept_))
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    names = [llms.feature_names_[j] for j in feature_indices(llms.feature_names_, features)]
    return _pairs(llms, ["Intercept"], names, top_k, frac, output, [(0, j) for j in range(len(names))])


# --------------------------------------------------------------------- PCA
@dataclass
class RegionPCA:
    """Region centres in their first two principal components, with LLM gradients (aletheia ``pca2D_region_plot``).

    Attributes
    ----------
    regions, counts : (m,)
    scores : (m, 2)
        PCA scores of the region centres (eq. 19), ``(mu - mean) @ components.T``.
    arrows : (m, 2)
        ``w~^P . v_k``: each LLM's gradient projected on the two principal
        axes ``v_k``, i.e. the change of ``eta`` per unit step along each axis.
    components : (2, d)
        Principal axes (unit rows; zero rows when fewer than two exist), sign
        fixed so that each axis's largest loading is positive.
    mean : (d,)
    explained_variance_ratio : (2,)
    degenerate : bool (m,)
        Single-instance or single-class regions.
    output, output_name

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import region_pca
    >>> pca = region_pca(llms)
    >>> pca.scores.shape, pca.components.shape, pca.explained_variance_ratio.round(3)
    ((21, 2), (2, 3), array([0.47 , 0.278]))
    """

    regions: np.ndarray
    counts: np.ndarray
    scores: np.ndarray
    arrows: np.ndarray
    components: np.ndarray
    mean: np.ndarray
    explained_variance_ratio: np.ndarray
    degenerate: np.ndarray
    output: int
    output_name: str


def _principal_axes(C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, the first two principal axes (2, d) and their explained variance ratio, by SVD."""
    mean = C.mean(axis=0)
    comps, ratio = np.zeros((2, C.shape[1])), np.zeros(2)
    if C.shape[0] >= 2:
        _, s, vt = np.linalg.svd(C - mean, full_matrices=False)
        var = s**2
        k = min(2, vt.shape[0])
        if var.sum() > 0:
            comps[:k] = vt[:k]
            ratio[:k] = var[:k] / var.sum()
    big = np.argmax(np.abs(comps), axis=1)
    comps *= np.where(comps[np.arange(2), big] < 0, -1.0, 1.0)[:, None]
    return mean, comps, ratio


def region_pca(llms: LocalLinearModels, *, top_k: int | None = None, exclude_degenerate: bool = False, output: int = 0) -> RegionPCA:
    """Region centres projected on their first two principal components, with each LLM's projected gradient.

    Parameters
    ----------
    llms : LocalLinearModels
    top_k : int, optional
        Largest regions only (default all); the PCA is fitted on the shown centres.
    exclude_degenerate : bool, default False
    output : int, default 0

    Returns
    -------
    RegionPCA

    Notes
    -----
    aletheia-dnn draws, at the same positions, the direction of a *separate*
    PCA of the coefficient vectors (with its two axes swapped); that direction
    lives in another coordinate system than the positions.  Here the arrow is
    the LLM gradient expressed in the plane of the positions, so it points
    where ``eta`` grows fastest within that plane.

    Examples
    --------
    Scores and arrows are plain projections on the (orthonormal) principal axes:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import region_pca
    >>> pca = region_pca(llms)
    >>> bool(np.allclose(pca.components @ pca.components.T, np.eye(2)))
    True
    >>> bool(np.allclose(pca.scores, (llms.centers_ - pca.mean) @ pca.components.T))
    True
    >>> bool(np.allclose(pca.arrows, llms.coef_ @ pca.components.T))
    True
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    ids = select_regions(llms, top_k, exclude_degenerate)
    if ids.size == 0:
        raise InvalidInputError("No region left to show; lower the exclusions.")
    C = llms.centers_[ids]
    mean, comps, ratio = _principal_axes(C)
    return RegionPCA(
        regions=ids,
        counts=llms.count_[ids].copy(),
        scores=(C - mean) @ comps.T,
        arrows=llms.coef_3d[ids, output, :] @ comps.T,
        components=comps,
        mean=mean,
        explained_variance_ratio=ratio,
        degenerate=region_flags(llms)["degenerate"].to_numpy()[ids],
        output=output,
        output_name=output_name(llms, output),
    )
