"""The local linear profile of a feature (Definition 2, eq. 17 of the unwrapping paper, ``001``).

:func:`local_profile` returns the centred marginal LLMs of the largest regions
with a per-region density of the feature (Figures 4-7) and, for one-feature
networks, the network curve against its LLMs (Figure 4 left).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde

from .._checks import check_llms, output_name, resolve_output
from ..errors import FeatureMismatchError
from ..unwrap import LocalLinearModels
from ._select import select_regions
from ._features import feature_index

__all__ = ["LocalProfile", "local_profile"]


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

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import local_profile
    >>> profile = local_profile(llms, "income", top_k=3)
    >>> profile.regions, profile.density.shape, profile.curve_x is None
    (array([0, 1, 2]), (3, 200), True)
    >>> profile.to_frame().round(3)
            Count  Slope  Center  x_min  x_max  y_start  y_end
    Region
    0          42 -0.176   1.030 -0.168  2.227    0.211 -0.211
    1          36 -0.804  -0.660 -1.917  0.187    1.011 -0.681
    2          36 -1.510  -1.112 -2.967  0.367    2.801 -2.235
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

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    Definition 2, eq. 17, Figures 4-7.

    Examples
    --------
    Each segment is the region's slope times the feature's distance to the
    region centre:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import local_profile
    >>> profile = local_profile(llms, "income", top_k=3)
    >>> bool(np.allclose(profile.slope, llms.coef_[:3, 1])), bool(np.allclose(profile.center, llms.centers_[:3, 1]))
    (True, True)
    >>> bool(np.allclose(profile.y_end, profile.slope * (profile.x_max - profile.center)))
    True

    With one feature, the profile also holds the network curve and its LLMs
    (Figure 4 left); ``f(x) = |x|`` has two regions:

    >>> absnet = reluscope.from_arrays([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]])], [np.zeros(2), np.zeros(1)])
    >>> x = np.linspace(-1, 1, 51)[:, None]
    >>> curve = local_profile(reluscope.unwrap(absnet, x), 0)
    >>> bool(np.allclose(curve.curve_llm, np.abs(curve.curve_x)))
    True
    >>> local_profile(llms, "salary")
    Traceback (most recent call last):
    ...
    reluscope.errors.FeatureMismatchError: ...salary...
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    j = feature_index(llms.feature_names_, feature)
    ids = select_regions(llms, top_k, exclude_degenerate)
    prof = LocalProfile(
        feature=llms.feature_names_[j],
        feature_index=j,
        output=output,
        output_name=output_name(llms, output),
        regions=ids,
        counts=llms.count_[ids].copy(),
        **_segments(llms, ids, j, output, int(grid_resolution)),
    )
    if llms.n_features == 1:
        _add_curve(prof, llms, ids, output)
    return prof


def _segments(llms: LocalLinearModels, ids: np.ndarray, j: int, output: int, grid_resolution: int) -> dict:
    """Range, centred marginal LLM and density of feature ``j`` in each region of ``ids`` (fields of LocalProfile)."""
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
    grid = np.linspace(col.min(), col.max(), grid_resolution)
    order = np.argsort(rows[sel], kind="stable")
    groups = np.split(col[sel][order], np.cumsum(np.bincount(rows[sel], minlength=m))[:-1]) if m else []
    kdes = [_region_kde(v, grid) for v in groups]
    return dict(
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


def _add_curve(prof: LocalProfile, llms: LocalLinearModels, ids: np.ndarray, output: int) -> None:
    """Network output, LLMs of the shown regions and region of each point of ``prof.grid`` (d = 1, Figure 4 left)."""
    grid = prof.grid
    cx = grid[:, None]
    reg = llms.region_of(cx)
    llm = llms.llm_decision(cx, reg).reshape(grid.size, -1)[:, output]
    llm[~np.isin(reg, ids)] = np.nan
    prof.curve_x = grid
    prof.curve_decision = llms.network.decision_function(cx).reshape(grid.size, -1)[:, output]
    prof.curve_llm = llm
    prof.curve_region = reg
